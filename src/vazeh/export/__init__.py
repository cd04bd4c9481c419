"""Export: the archive as data sets and as portable web archives.

A stage over archive, extract and index. A `Selection` (a search query, a
collection, a capture-time window) picks articles; they are written as JSONL, CSV
or Parquet rows with their provenance (`write_articles`), or their captures as a
WARC subset (`export_warc`) or a WACZ package (`export_wacz`); `write_archive_cdxj`
indexes every capture of the archive. Everything streams in batches.
"""

from vazeh.export.articles import ARTICLE_FORMATS, COLUMNS, ExportSummary, arrow_schema, write_articles
from vazeh.export.cdxj import cdxj_line, parse_line, sorted_lines, write_archive_cdxj
from vazeh.export.matching import iter_matching_keys
from vazeh.export.selection import (
    OWN_CAPTURES,
    Row,
    Selection,
    SelectionError,
    count_articles,
    iter_batches,
    timestamp_bound,
)
from vazeh.export.wacz import WACZ_VERSION, WaczSummary, export_wacz
from vazeh.export.warc import WarcSubset, export_warc, write_warc_subset

FORMATS = (*ARTICLE_FORMATS, "wacz", "warc", "cdxj")

__all__ = [
    "ARTICLE_FORMATS", "COLUMNS", "FORMATS", "OWN_CAPTURES", "WACZ_VERSION",
    "ExportSummary", "Row", "Selection", "SelectionError", "WaczSummary", "WarcSubset",
    "arrow_schema", "cdxj_line", "count_articles", "export_wacz", "export_warc", "iter_batches",
    "iter_matching_keys", "parse_line", "sorted_lines", "timestamp_bound", "write_archive_cdxj",
    "write_articles", "write_warc_subset",
]  # fmt: skip
