"""`vazeh batch load DIR`: a batch job's Parquet into an archive home, searchable.

Three steps, all through the stores' own methods (no SQL of ours):

1. the job's WARC files are imported archive-only (`import_paths`, no extraction):
   the room replays from the archive's copy of each record, as after `vazeh import`.
   An s3:// input is first streamed to a temporary file in the home (one at a time,
   removed once imported) and imported as that URL, so its captures belong to the
   collection the job's rows name;
2. each Parquet row is stored as the Article of its capture (`ArticleStore.put`),
   with the fingerprint the job computed, so nothing is extracted twice; a capture
   that already has an article of the same extractor version is left as it is,
   which makes a second load add nothing;
3. the search index catches up (`SearchIndex.sync`), grouping near-duplicates as
   it always does.

Pages that are not articles (home and list pages) are not in the Parquet; the
pipeline's catch-up extracts them the next time it runs over the home.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vazeh.batch.job import BatchError
from vazeh.extract.model import Article, ArticleStore, Image

# Room left on the home's disk beside a fetched object: the import's own WARC
# copy of the same records is written there too (unless the home's WARCs go to S3).
FETCH_SPARE_BYTES = 256 << 20


@dataclass
class LoadSummary:
    files: int = 0
    rows: int = 0
    stored: int = 0  # articles written to the catalog
    unchanged: int = 0  # the capture had this article already
    missing: int = 0  # rows whose record the archive does not hold (the import reported why)
    indexed: int = 0
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


_ARTICLE_FIELDS = (
    "url", "canonical_url", "site", "source", "news_id", "title", "kicker", "lead", "body", "published",
    "published_jalali", "modified", "category", "tags", "author", "language", "warnings",
)  # fmt: skip


def article_of(row: dict[str, Any]) -> Article:
    """The Article a Parquet row holds (the row's Article columns, as extracted)."""
    a = Article(**{name: row[name] for name in _ARTICLE_FIELDS})
    a.images = [Image(i["url"], i.get("caption")) for i in row.get("images") or []]
    a.body, a.category, a.tags, a.warnings = (list(x or []) for x in (a.body, a.category, a.tags, a.warnings))
    return a


def load(
    home: Path | str,
    out: Path | str,
    *,
    s3_endpoint: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> LoadSummary:
    import pyarrow.parquet as pq

    from vazeh.archive import open_archive
    from vazeh.index import SearchIndex

    out = Path(out)
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        raise BatchError(f"{out} is not a batch job's output (no manifest.json): run vazeh batch extract first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    inputs = manifest["inputs"]
    summary = LoadSummary(files=len(inputs))
    with open_archive(home) as archive:
        if progress:
            progress(f"archiving the records of {len(inputs)} files")
        unfetched = _import_inputs(archive, inputs, s3_endpoint, summary, progress)
        store = ArticleStore(archive.db)
        if progress:
            progress("storing articles")
        for part in sorted((out / "articles").glob("part-*.parquet")):
            prints = {
                r["warc_record_id"]: r["fingerprint"]
                for r in pq.read_table(out / "fingerprints" / part.name, columns=["warc_record_id", "fingerprint"]).to_pylist()
            }
            for row in pq.read_table(part).to_pylist():
                summary.rows += 1
                capture = _capture_of(archive, row)
                if capture is None:
                    summary.missing += 1
                    if row["warc_file"] in unfetched:  # said once for the file, not per row
                        continue
                    summary.problems.append(f"{row['warc_file']} at offset {row['warc_offset']}: record "
                                            f"{row['warc_record_id']} is not in the archive; its article is left out")  # fmt: skip
                    continue
                known = store.for_capture(capture.id)
                if known is not None and known.extractor_version == row["extractor_version"]:
                    summary.unchanged += 1
                    continue
                store.put(
                    capture.id,
                    article_of(row),
                    extractor_version=row["extractor_version"],
                    surt=capture.surt,
                    captured_at=capture.captured_at.isoformat(),  # as the pipeline stores it
                    fingerprint=prints.get(row["warc_record_id"]) or None,
                )
                summary.stored += 1
        if progress:
            progress("indexing")
        with SearchIndex.open(archive.home) as index:
            summary.indexed = index.sync(store)
    return summary


def _import_inputs(
    archive: Any, inputs: list[str], s3_endpoint: str | None, summary: LoadSummary,
    progress: Callable[[str], None] | None,
) -> set[str]:
    """Archive the records of every input (local paths as they are, s3:// objects
    through a temporary copy); the s3:// inputs that could not be fetched."""
    from vazeh.capture import import_paths

    unfetched: set[str] = set()
    client = None
    # In the home, not /tmp: the home is where the space for the archive's copy was
    # planned, and /tmp is often a small RAM disk. In the manifest's order, one file
    # at a time, as `vazeh import` of the same files would read them.
    with tempfile.TemporaryDirectory(prefix=".batch-load-", dir=archive.home) as tmp:
        for n, source in enumerate(inputs, 1):
            if not source.startswith("s3://"):
                summary.problems += [str(p) for p in import_paths(archive, [source]).problems]
                continue
            if progress:
                progress(f"fetching {source} ({n}/{len(inputs)})")
            if client is None:
                from vazeh.archive.warcstore import s3_client  # the archive's own: retries, timeouts

                client = s3_client(s3_endpoint)
            try:
                copy = _fetch(client, source, Path(tmp))
            except _FetchError as e:
                unfetched.add(source)
                summary.problems.append(f"{source}: cannot be fetched ({e}); its articles are left out")
                continue
            try:
                report = import_paths(archive, [copy], origins={str(copy): source})
                summary.problems += [str(p) for p in report.problems]
            finally:
                copy.unlink(missing_ok=True)
    return unfetched


class _FetchError(Exception):
    pass


def _fetch(client: Any, url: str, folder: Path) -> Path:
    """An s3:// object streamed to a file in `folder` (never whole in memory), named as
    its key ends so the importer knows its format by the name."""
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = url.removeprefix("s3://").partition("/")
    name = key.rsplit("/", 1)[-1]
    if not bucket or not name:
        raise _FetchError("not an s3://bucket/key URL")
    dest = folder / name
    try:
        obj = client.get_object(Bucket=bucket, Key=key)
    except (BotoCoreError, ClientError) as e:
        raise _FetchError(f"{type(e).__name__}: {e}") from None
    body, size = obj["Body"], int(obj.get("ContentLength") or 0)
    try:
        free = shutil.disk_usage(folder).free
        if size + FETCH_SPARE_BYTES > free:
            raise _FetchError(f"{size:,} bytes, and the home's disk has {free:,} free")
        with open(dest, "wb") as f:
            shutil.copyfileobj(body, f, 1 << 20)
    except (BotoCoreError, ClientError, OSError) as e:
        dest.unlink(missing_ok=True)
        raise _FetchError(f"{type(e).__name__}: {e}") from None
    finally:
        body.close()
    return dest


def _capture_of(archive: Any, row: dict[str, Any]) -> Any:
    """The archive's capture of a row's record: same URL, capture time, payload and record type."""
    at = row["captured_at"]
    for c in archive.captures(row["capture_url"]):
        if (c.url == row["capture_url"] and c.captured_at == at and c.payload_digest == row["payload_digest"]
                and c.record_type == row["warc_record_type"]):  # fmt: skip
            return c
    return None
