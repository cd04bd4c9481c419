"""Batch jobs beyond one process: WARC files -> Parquet articles (`vazeh batch extract`)
on a local process pool or on Spark, and the Parquet back into an archive home
(`vazeh batch load`). The stage sits after export: its rows are export's rows."""

from vazeh.batch.job import (
    BatchError,
    BatchSummary,
    LocalEngine,
    SparkEngine,
    make_engine,
    read_articles,
    resolve_inputs,
    run_extract,
)
from vazeh.batch.records import Caps

__all__ = [
    "BatchError", "BatchSummary", "Caps", "LocalEngine", "SparkEngine", "make_engine", "read_articles",
    "resolve_inputs", "run_extract",
]  # fmt: skip
