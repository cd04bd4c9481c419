"""`vazeh batch extract`: many WARC files -> Parquet articles, on a process pool or on Spark.

The job has three steps, each a map over independent tasks except the middle one:

1. extract: one task per WARC file (`records.extract_file`) writes the file's
   article rows (the export schema) and its stories' fingerprints as Parquet;
2. group: near-duplicate groups over all fingerprints (`batch.neardup`: the
   index's own NearDupIndex on the local engine, a Spark job over MinHash bands
   on Spark);
3. finish: one task per part fills in `neardup_group` and writes the final part.

Out folder::

    articles/part-NNNNN.parquet       one per input file, the schema of `vazeh export parquet`
    fingerprints/part-NNNNN.parquet   story key, record id, MinHash (read by `vazeh batch load`)
    manifest.json                     inputs, engine, extractor version, caps, counts, problems

Rows in `articles/` follow the input order (file by file, record by record), so
the parts read in name order give the same sequence for every engine.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vazeh.batch.records import Caps, FileResult, FileTask, extract_file, part_name

WARC_SUFFIXES = (".warc", ".warc.gz")


class BatchError(ValueError):
    """A job that cannot start (no inputs, a bad engine, an out folder in use), worded for the user."""


@dataclass
class BatchSummary:
    engine: str
    out: str
    files: int = 0
    records: int = 0
    responses: int = 0
    articles: int = 0
    not_articles: int = 0
    oversized: int = 0
    revisits: int = 0
    failed: int = 0
    skipped: int = 0
    damaged_files: int = 0
    groups: int = 0
    seconds: float = 0.0  # wall time of the whole job
    task_cpu_seconds: float = 0.0  # CPU time inside the extract tasks, summed
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# ------------------------------------------------------------------ inputs
def resolve_inputs(specs: Sequence[str], *, s3_endpoint: str | None = None) -> list[str]:
    """WARC files named by paths, globs, folders, list files (one path or URL a line) or s3:// URLs.

    Order is kept as given; a glob or a folder is sorted; a file named twice counts once."""
    out: list[str] = []
    for spec in specs:
        if spec.startswith("s3://"):
            out += _s3_list(spec, s3_endpoint) if spec.endswith("/") or "*" in spec else [spec]
            continue
        p = Path(spec)
        if any(ch in spec for ch in "*?["):
            out += sorted(m for m in glob.glob(spec, recursive=True) if m.lower().endswith(WARC_SUFFIXES))
        elif p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if f.is_file() and f.name.lower().endswith(WARC_SUFFIXES))
        elif p.is_file() and p.name.lower().endswith(WARC_SUFFIXES):
            out.append(str(p))
        elif p.is_file():
            # A list of WARC locations, as cc-pyspark takes them: one a line, # for comments.
            for line in p.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line and not line.startswith("#"):
                    out += resolve_inputs([line], s3_endpoint=s3_endpoint)
        else:
            raise BatchError(f"{spec}: no such file, folder or glob match")
    seen: set[str] = set()
    return [x for x in out if not (x in seen or seen.add(x))]  # type: ignore[func-returns-value]


def _s3_list(spec: str, endpoint: str | None) -> list[str]:
    import fnmatch

    from vazeh.archive.warcstore import s3_client

    bucket, _, pattern = spec.removeprefix("s3://").partition("/")
    prefix = pattern.split("*", 1)[0]
    client = s3_client(endpoint)
    keys = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    wanted = pattern if "*" in pattern else pattern + "*"
    return [f"s3://{bucket}/{k}" for k in sorted(keys) if fnmatch.fnmatchcase(k, wanted) and k.lower().endswith(WARC_SUFFIXES)]


# ------------------------------------------------------------------ engines
class LocalEngine:
    """A pool of worker processes on this machine (workers=1 runs in this process)."""

    name = "local"

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if self.workers == 1 or len(items) <= 1:
            return [fn(x) for x in items]
        if self._pool is None:
            import multiprocessing
            import threading

            import vazeh.extract  # noqa: F401 - loaded once here, so forked workers start with it
            import vazeh.index.neardup  # noqa: F401

            # fork when this process is single-threaded (workers start in milliseconds with the
            # extractor loaded); spawn otherwise, since a forked copy of a held lock never frees.
            method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method))
        return list(self._pool.map(fn, items, chunksize=1))

    def groups(self, stories: list) -> dict[str, str]:
        from vazeh.batch.neardup import groups_local

        return groups_local(stories)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class SparkEngine:
    """PySpark: `local[N]` on this machine or a `spark://host:port` cluster."""

    name = "spark"

    def __init__(self, master: str = "local[2]", *, spark: Any = None):
        self.master = master
        self._own = spark is None
        self.spark = spark or spark_session(master)

    def map(self, fn: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if not items:
            return []
        sc = self.spark.sparkContext
        # One partition per task: a WARC file is the unit of work, as in cc-pyspark.
        pairs = sc.parallelize(list(enumerate(items)), len(items)).map(lambda kv: (kv[0], fn(kv[1]))).collect()
        return [v for _, v in sorted(pairs, key=lambda kv: kv[0])]

    def groups(self, stories: list) -> dict[str, str]:
        from vazeh.batch.neardup import groups_spark

        return groups_spark(self.spark, stories, partitions=max(2, self.spark.sparkContext.defaultParallelism))

    def close(self) -> None:
        if self._own:
            self.spark.stop()


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def spark_session(master: str = "local[2]", *, memory: str = "1g") -> Any:
    """A SparkSession that stays on 127.0.0.1: no UI, small memory, this Python for the workers."""
    if not java_available():
        raise BatchError("the Spark engine needs Java 17 (apt-get install openjdk-17-jre-headless)")
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise BatchError("the Spark engine needs pyspark: pip install 'vazeh[spark]'") from None
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    return (
        SparkSession.builder.master(master)
        .appName("vazeh-batch")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", memory)
        .config("spark.executor.memory", memory)
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.python.worker.reuse", "true")
        .getOrCreate()
    )


def make_engine(engine: str, *, workers: int | None = None, master: str | None = None) -> LocalEngine | SparkEngine:
    if engine == "local":
        return LocalEngine(workers)
    if engine == "spark":
        return SparkEngine(master or f"local[{workers or os.cpu_count() or 1}]")
    raise BatchError(f"unknown engine {engine!r}; use local or spark")


# ------------------------------------------------------------------ the job
def _finish_part(args: tuple[str, str, int, dict[str, str]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    stage, out, index, groups = args
    table = pq.read_table(Path(stage) / "articles" / part_name(index))
    keys = table.column("story_key").to_pylist()
    col = pa.array([groups.get(k) for k in keys], pa.string())
    table = table.set_column(table.schema.get_field_index("neardup_group"), "neardup_group", col)
    pq.write_table(table, Path(out) / "articles" / part_name(index), compression="zstd")
    return table.num_rows


def run_extract(
    inputs: Sequence[str],
    out: Path | str,
    engine: LocalEngine | SparkEngine,
    *,
    caps: Caps = Caps(),
    s3_endpoint: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Extract every HTML response of `inputs` (WARC files, in order) into `out`."""
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    out = Path(out).resolve()
    if (out / "manifest.json").exists() or (out / "articles").exists():
        raise BatchError(f"{out} already holds a batch job's output: give a new folder")
    files = list(inputs)
    if not files:
        raise BatchError("no WARC files to read")
    stage = out / "_stage"
    for d in (stage / "articles", stage / "fingerprints", out / "articles", out / "fingerprints"):
        d.mkdir(parents=True, exist_ok=True)
    summary = BatchSummary(engine.name, str(out), files=len(files))
    tasks = [FileTask(i, src, str(stage), caps, s3_endpoint) for i, src in enumerate(files)]
    if progress:
        progress(f"extracting {len(files)} files")
    results: list[FileResult] = engine.map(extract_file, tasks)
    for r in results:
        for name in ("records", "responses", "articles", "not_articles", "oversized", "revisits", "failed", "skipped"):
            setattr(summary, name, getattr(summary, name) + getattr(r, name))
        summary.damaged_files += int(r.damaged)
        summary.task_cpu_seconds += r.seconds
        summary.problems += r.problems

    if progress:
        progress("grouping near-duplicates")
    prints = []
    keys_by_part: list[set[str]] = []
    for i in range(len(files)):
        t = pq.read_table(stage / "fingerprints" / part_name(i))
        d = t.to_pydict()
        keys_by_part.append(set(pq.read_table(stage / "articles" / part_name(i), columns=["story_key"])
                                .column("story_key").to_pylist()))  # fmt: skip
        prints += zip([i] * t.num_rows, d["position"], d["story_key"], d["captured_at"], d["fingerprint"], strict=True)
        shutil.copyfile(stage / "fingerprints" / part_name(i), out / "fingerprints" / part_name(i))
    from vazeh.batch.neardup import stories_in_order

    groups = engine.groups(stories_in_order(prints))
    summary.groups = len(set(groups.values()))

    if progress:
        progress("writing articles")
    engine.map(_finish_part, [(str(stage), str(out), i, {k: groups[k] for k in keys_by_part[i] if k in groups})
                              for i in range(len(files))])  # fmt: skip
    shutil.rmtree(stage)
    summary.seconds = time.perf_counter() - t0
    write_manifest(out, files, summary, caps)
    return summary


def write_manifest(out: Path, files: Iterable[str], summary: BatchSummary, caps: Caps) -> None:
    from vazeh.extract import EXTRACTOR_VERSION

    manifest = {
        "vazeh_batch": 1,
        "extractor_version": EXTRACTOR_VERSION,
        "inputs": list(files),
        "caps": {"max_record_bytes": caps.max_record_bytes, "max_decoded_bytes": caps.max_decoded_bytes},
        "summary": summary.to_dict(),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def read_articles(out: Path | str) -> Any:
    """The job's articles as one Arrow table, parts in order."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vazeh.export.articles import arrow_schema

    parts = sorted((Path(out) / "articles").glob("part-*.parquet"))
    if not parts:
        return arrow_schema().empty_table()
    return pa.concat_tables([pq.read_table(p) for p in parts])
