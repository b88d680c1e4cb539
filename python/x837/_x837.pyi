"""The native half of x837 (Rust, through pyo3); use the functions of ``x837`` instead."""

from typing import Optional, Tuple

__version__: str

#: What stopped the reading: (message, file, segment, byte, line).
_Stop = Tuple[str, str, int, int, int]

def scrub(
    data: bytes,
    name: str,
    profile: Optional[str] = None,
    config: Optional[str] = None,
    fixes: str = "all",
    fail_on: str = "error",
    claims: bool = True,
) -> Tuple[Optional[bytes], str, int, str, Optional[_Stop], bool]:
    """(corrected or None, report JSON, exit status, claims JSON (``"[]"`` unless
    ``claims``), stop, unreadable)."""

def validate(data: bytes, name: str) -> Tuple[str, int, int, int, Optional[_Stop], bool]:
    """(findings JSON, transactions, passed through, unclosed, stop, unreadable)."""

def info(data: bytes, name: str) -> Tuple[str, str, Optional[_Stop], bool]:
    """(counts JSON, envelope findings JSON, stop, unreadable)."""
