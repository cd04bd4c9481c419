"""`vazeh batch load DIR`: a batch job's Parquet into an archive home, searchable.

Three steps, all through the stores' own methods (no SQL of ours):

1. the job's WARC files are imported archive-only (`import_paths`, no extraction):
   the room replays from the archive's copy of each record, as after `vazeh import`;
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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vazeh.batch.job import BatchError
from vazeh.extract.model import Article, ArticleStore, Image


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


def load(home: Path | str, out: Path | str, *, progress: Callable[[str], None] | None = None) -> LoadSummary:
    import pyarrow.parquet as pq

    from vazeh.archive import open_archive
    from vazeh.capture import import_paths
    from vazeh.index import SearchIndex

    out = Path(out)
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        raise BatchError(f"{out} is not a batch job's output (no manifest.json): run vazeh batch extract first")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    inputs = manifest["inputs"]
    remote = [i for i in inputs if "://" in i]
    if remote:
        raise BatchError(f"batch load copies the records from local WARC files; {remote[0]} is not one "
                         "(fetch the objects first, or load into a home whose WARCs live in that store)")  # fmt: skip
    summary = LoadSummary(files=len(inputs))
    with open_archive(home) as archive:
        if progress:
            progress(f"archiving the records of {len(inputs)} files")
        report = import_paths(archive, inputs)
        summary.problems += [str(p) for p in report.problems]
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


def _capture_of(archive: Any, row: dict[str, Any]) -> Any:
    """The archive's capture of a row's record: same URL, capture time, payload and record type."""
    at = row["captured_at"]
    for c in archive.captures(row["capture_url"]):
        if (c.url == row["capture_url"] and c.captured_at == at and c.payload_digest == row["payload_digest"]
                and c.record_type == row["warc_record_type"]):  # fmt: skip
            return c
    return None
