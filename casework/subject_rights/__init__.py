"""The data subject's rights: access (export), correction records, erasure, retention."""
