"""Type stubs of x837: read, validate and scrub ANSI X12 837 claims over bytes."""

import os
from typing import Any, Dict, List, Optional, Union

__all__ = ["Error", "Scrubbed", "scrub", "validate", "info", "__version__"]

__version__: str

Data = Union[bytes, bytearray, memoryview]

class Error(Exception):
    """Input that cannot be read at all (not one segment is X12): where reading stopped."""

    message: str
    file: str
    segment: int
    byte: int
    line: int
    def __init__(self, message: str, file: str, segment: int, byte: int, line: int) -> None: ...

class Scrubbed:
    """What :func:`scrub` gave for one input."""

    corrected: Optional[bytes]
    exit: int
    report_json: str
    error: Optional[Error]
    def __init__(
        self,
        corrected: Optional[bytes],
        report_json: str,
        exit: int,
        claims_json: str,
        error: Optional[Error] = None,
    ) -> None: ...
    @property
    def report(self) -> Dict[str, Any]: ...
    @property
    def claims(self) -> List[Dict[str, Any]]: ...
    @property
    def findings(self) -> List[Dict[str, Any]]: ...

def scrub(
    data: Data,
    *,
    name: Optional[str] = None,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
) -> Scrubbed:
    """Scrubs one input as ``x837 scrub FILE -o OUT --report r.json`` does."""

def validate(data: Data, *, name: Optional[str] = None) -> List[Dict[str, Any]]:
    """The findings ``x837 validate --format json`` gives for one input."""

def info(data: Data, *, name: Optional[str] = None) -> Dict[str, Any]:
    """The counts ``x837 info --format json`` gives for one input."""
