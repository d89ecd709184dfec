"""De-identification guard: find patient identifiers in free text (pure Python)."""

from .scanner import KINDS, Finding, scan

__all__ = ["KINDS", "Finding", "scan"]
