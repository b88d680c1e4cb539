"""x837: read, validate and scrub ANSI X12 837 health claims (837P 005010X222A1, 837I
005010X223A2) from Python, with the same library as the ``x837`` command.

Every function takes the bytes of one input (a whole file) and is one run: the
cross-claim rules see that call's input and nothing else. The GIL is released while the
library works, so threads scrub in parallel.

>>> import x837
>>> s = x837.scrub(open("claims.x12", "rb").read(), name="claims.x12")  # doctest: +SKIP
>>> s.exit, s.report["summary"]["errors"], len(s.corrected)              # doctest: +SKIP
(0, 0, 1187)

``x837.spark`` maps these over ``spark.read.format("binaryFile")`` (see its docstring).
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Union

from . import _x837

__all__ = ["Error", "Scrubbed", "scrub", "validate", "info", "__version__"]

__version__: str = _x837.__version__

#: What may be given as input: the bytes of one file.
Data = Union[bytes, bytearray, memoryview]


class Error(Exception):
    """Input that cannot be read at all: not one segment of it is X12 (the command's
    "not X12", exit status 2).

    ``file`` is the name the input was given, ``segment`` the index of the segment where
    reading stopped (ISA is 0), ``byte`` its offset (from 0) and ``line`` its line (from
    1). Input that is only partly readable does not raise: its complete parts are
    returned, with exit status 2 and the findings and ``left_out`` entries that say what
    was left out.
    """

    def __init__(self, message: str, file: str, segment: int, byte: int, line: int):
        super().__init__(message)
        self.message = message
        self.file = file
        self.segment = segment
        self.byte = byte
        self.line = line

    def __reduce__(self):  # so that Spark and multiprocessing can pickle it
        return (type(self), (self.message, self.file, self.segment, self.byte, self.line))


class Scrubbed:
    """What :func:`scrub` gave for one input.

    - ``corrected``: the corrected EDI (bytes), the complete parts of the input; ``None``
      when nothing complete was read (the command then writes no file).
    - ``report``: the report ``x837 scrub --report r.json`` writes for this one input, as
      Python objects (``version``, ``tool``, ``inputs``, ``summary``, ``findings``: the
      keys the README documents); ``report_json`` is the same document as the text the
      command writes.
    - ``exit``: the command's exit status: 0 no error-level finding remains, 1 some do
      (as ``fail_on`` counts them), 2 part of the input could not be read or was left out.
    - ``error``: what stopped the reading part way, if anything did (an :class:`Error`,
      not raised), else ``None``.
    - ``claims``: one dict per claim of the corrected output: ``interchange`` (ISA13),
      ``transaction`` (ST02), ``clm01``, ``kind`` (``837P``, ``837I``), ``billed`` (CLM02
      as a decimal string, ``None`` when not a number), ``lines`` (LX count), ``j2326``
      (a service line bills J2326), ``errors`` and ``warnings`` (findings of that
      severity that remain on the claim: same CLM01, interchange and transaction).
    """

    __slots__ = ("corrected", "exit", "report_json", "error", "_claims_json", "_report", "_claims")

    def __init__(
        self,
        corrected: Optional[bytes],
        report_json: str,
        exit: int,
        claims_json: str,
        error: Optional[Error] = None,
    ):
        self.corrected = corrected
        self.report_json = report_json
        self.exit = exit
        self.error = error
        self._claims_json = claims_json
        self._report: Optional[Dict[str, Any]] = None
        self._claims: Optional[List[Dict[str, Any]]] = None

    @property
    def report(self) -> Dict[str, Any]:
        """The report, parsed on first use."""
        if self._report is None:
            self._report = json.loads(self.report_json)
        return self._report

    @property
    def claims(self) -> List[Dict[str, Any]]:
        """The claims of the corrected output, parsed on first use."""
        if self._claims is None:
            self._claims = json.loads(self._claims_json)
        return self._claims

    @property
    def findings(self) -> List[Dict[str, Any]]:
        """The report's findings."""
        return self.report["findings"]

    def __repr__(self) -> str:
        s = self.report["summary"]
        size = "None" if self.corrected is None else f"{len(self.corrected)} bytes"
        return (
            f"Scrubbed(exit={self.exit}, claims={s['claims']}, findings={s['findings']}, "
            f"fixed={s['fixed']}, errors={s['errors']}, warnings={s['warnings']}, "
            f"corrected={size})"
        )


def _bytes(data: Data) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"data must be bytes, bytearray or memoryview, not {type(data).__name__}")


def _error(stop: Optional[tuple]) -> Optional[Error]:
    return None if stop is None else Error(*stop)


def _scrub_native(
    data: Data,
    name: Optional[str],
    profile: Optional[str],
    config: Union[str, "os.PathLike[str]", None],
    fixes: str,
    fail_on: str,
    claims: bool = True,
) -> "tuple[Scrubbed, bool]":
    """The scrub and whether the input was unreadable (for ``x837.spark``, which keeps
    a row for such an input rather than raising, and asks for the claims only where it
    shows them: reading them is a third of the work)."""
    corrected, report, exit, claims, stop, unreadable = _x837.scrub(
        _bytes(data),
        "<bytes>" if name is None else name,
        profile,
        None if config is None else os.fspath(config),
        fixes,
        fail_on,
        claims,
    )
    return Scrubbed(corrected, report, exit, claims, _error(stop)), unreadable


def scrub(
    data: Data,
    *,
    name: Optional[str] = None,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
) -> Scrubbed:
    """Scrubs the bytes of one input as ``x837 scrub FILE -o OUT --report r.json`` does,
    and returns a :class:`Scrubbed`.

    ``name`` is the input's name in the report (its ``file`` keys; ``"<bytes>"`` if not
    given). ``profile`` (``default``, ``cpt-lumbar``, ``noridian``), ``config`` (the path
    of an ``x837.toml``), ``fixes`` (``all``, ``repair``, ``none``) and ``fail_on``
    (``error``, ``warning``, ``never``) are the command's ``--profile``, ``--config``,
    ``--fixes`` and ``--fail-on``.

    Raises :class:`Error` when not one segment of the input can be read, and
    ``ValueError`` for an unknown profile or option value or a config that cannot be read
    or is wrong (the command's usage errors).
    """
    s, unreadable = _scrub_native(data, name, profile, config, fixes, fail_on)
    if unreadable and s.error is not None:
        raise s.error
    return s


def validate(data: Data, *, name: Optional[str] = None) -> List[Dict[str, Any]]:
    """Validates the bytes of one input against its implementation guide, as
    ``x837 validate --format json`` does: the findings, each a dict with the keys of the
    report's findings (``rule``, ``severity``, ``message``, ``segment``, ``byte``, ...).

    An input that does not close (a transaction, group or interchange cut short) is
    reported by ``envelope-structure`` findings with their position. Raises
    :class:`Error` when not one segment of the input can be read.
    """
    name = "<bytes>" if name is None else name
    findings, _transactions, _passed, _unclosed, stop, unreadable = _x837.validate(_bytes(data), name)
    if unreadable and stop is not None:
        raise Error(*stop)
    return json.loads(findings)


def info(data: Data, *, name: Optional[str] = None) -> Dict[str, Any]:
    """Counts the bytes of one input as ``x837 info --format json`` does: ``file``,
    ``interchanges``, ``groups``, ``transactions``, ``segments``, ``claims``, ``lines`` and
    ``billed`` (the sum of CLM02 as a decimal string). When reading stops part way, the
    counts cover what was read before. Raises :class:`Error` when not one segment of the
    input can be read.
    """
    name = "<bytes>" if name is None else name
    counts, _findings, stop, unreadable = _x837.info(_bytes(data), name)
    if unreadable and stop is not None:
        raise Error(*stop)
    return json.loads(counts)
