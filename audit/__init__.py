"""The audit log: ``record()``, the hash chain, checkpoints, the verifier, auditor pages."""

from audit.queries import case_access_history
from audit.services import record

__all__ = ["case_access_history", "record"]
