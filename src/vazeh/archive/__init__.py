"""The record of truth: WARC files and the catalog of captures.

Public face: `Archive` (open with `open_archive`), `Capture`, `ArchivedResponse`,
`surt`, and charset detection (`detect_charset`, `decode_html`).
"""

from vazeh.archive.charset import Charset, decode_html, detect_charset
from vazeh.archive.store import (
    Archive,
    ArchivedResponse,
    ArchiveError,
    Capture,
    decode_content,
    importable_problem,
    iso_utc,
    open_archive,
    parse_iso_utc,
    parse_warc_date,
    payload_digest,
    quote_prefix,
)
from vazeh.archive.surt import surt

__all__ = [
    "Archive",
    "ArchiveError",
    "ArchivedResponse",
    "Capture",
    "Charset",
    "decode_content",
    "decode_html",
    "detect_charset",
    "importable_problem",
    "iso_utc",
    "open_archive",
    "parse_iso_utc",
    "parse_warc_date",
    "payload_digest",
    "quote_prefix",
    "surt",
]
