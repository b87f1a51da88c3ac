"""The audit log: ``record()``, the hash chain, checkpoints, the verifier, auditor pages."""

from audit.services import record

__all__ = ["record"]
