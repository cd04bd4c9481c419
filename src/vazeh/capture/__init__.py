"""Getting pages in: fetching, robots.txt, per-host pacing, the address guard,
feeds and sitemaps (`watch`), and importers for existing collections.

Python API:

    from vazeh.archive import open_archive
    from vazeh.capture import FetchConfig, capture_urls, import_paths, load_sources, watch_once

    archive = open_archive("vazeh-data")
    report = capture_urls(archive, ["https://www.isna.ir/"], FetchConfig(rate=1.0))
    report.resources  # ResourceCounts: the pages' stylesheets, images, fonts... fetched, reused
    report = watch_once(archive, load_sources())
    report = import_paths(archive, ["old-crawl.warc.gz", "saved-pages/"])
"""

from vazeh.capture.fetcher import (
    USER_AGENT,
    CaptureOutcome,
    CaptureReport,
    FetchConfig,
    Fetched,
    Fetcher,
    capture_urls,
    capture_urls_async,
)
from vazeh.capture.guard import AddressRefused, refusal
from vazeh.capture.importers import ImportProblem, ImportReport, import_paths
from vazeh.capture.resources import (
    Resource,
    ResourceCounts,
    css_resources,
    html_resources,
    pages_using,
    resources_of,
)
from vazeh.capture.sources import Source, SourcesError, default_sources_path, load_sources
from vazeh.capture.watch import WatchReport, watch_forever_async, watch_once, watch_once_async

__all__ = [
    "USER_AGENT",
    "AddressRefused",
    "CaptureOutcome",
    "CaptureReport",
    "FetchConfig",
    "Fetched",
    "Fetcher",
    "ImportProblem",
    "ImportReport",
    "Resource",
    "ResourceCounts",
    "Source",
    "SourcesError",
    "WatchReport",
    "capture_urls",
    "capture_urls_async",
    "css_resources",
    "default_sources_path",
    "html_resources",
    "import_paths",
    "load_sources",
    "pages_using",
    "refusal",
    "resources_of",
    "watch_forever_async",
    "watch_once",
    "watch_once_async",
]
