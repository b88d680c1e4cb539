"""Type stubs of x837.spark: the scrub as a Spark step over binaryFile DataFrames."""

import os
from typing import Optional, Union

from pyspark.sql import DataFrame

__all__ = ["scrub_files", "findings", "claims", "FILE_SCHEMA", "FINDING_SCHEMA", "CLAIM_SCHEMA"]

FILE_SCHEMA: str
FINDING_SCHEMA: str
CLAIM_SCHEMA: str

def scrub_files(
    df: DataFrame,
    *,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
) -> DataFrame:
    """One row per file: path, sha256, claims, errors, warnings, fixed, exit, corrected, report, error."""

def findings(
    df: DataFrame,
    *,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
) -> DataFrame:
    """One row per finding: path and the report's finding keys."""

def claims(
    df: DataFrame,
    *,
    profile: Optional[str] = None,
    config: Union[str, "os.PathLike[str]", None] = None,
    fixes: str = "all",
    fail_on: str = "error",
) -> DataFrame:
    """One row per claim: path, clm01, kind, billed, lines, j2326, errors, warnings, interchange, transaction."""
