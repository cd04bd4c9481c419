"""Sources: the outlets `vazeh watch` follows, kept as data in a TOML file.

    base_url = "https://example.org"   # optional: relative feed/sitemap paths join it

    [[source]]
    id = "mehr"
    name_fa = "خبرگزاری مهر"
    name_en = "Mehr News Agency"
    domains = ["mehrnews.com"]
    feeds = ["https://www.mehrnews.com/rss"]
    sitemaps = ["https://www.mehrnews.com/sitemap.xml"]
    interval = 900                      # seconds between polls (default 900)
    revisit = ["1h", "6h", "1d", "7d", "30d"]   # when each story is captured again
    sections = ["/news/archive*"]       # URL paths that are section pages, not stories

A top-level `revisit = [...]` is the default schedule of every source in the file.

`[sources.<id>]` tables work as well, and a few spellings of each key are
accepted (`name`/`name_fa`, `feed`/`feeds`, `sitemap`/`sitemaps`, `domain`/`domains`)
so hand-written files are forgiving. The string `{base_url}` inside a URL is
replaced by `base_url` too.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin, urlsplit

DEFAULT_INTERVAL = 900.0
# After a story's first capture, when it is captured again to see whether it was
# edited or deleted: most edits come in the first hours, deletions later.
DEFAULT_REVISIT = ("1h", "6h", "1d", "7d", "30d")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


class SourcesError(ValueError):
    """A sources file that cannot be used, worded for the user."""


@dataclass
class Source:
    id: str
    name_fa: str = ""
    name_en: str = ""
    domains: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    interval: float = DEFAULT_INTERVAL
    revisit: list[timedelta] = field(default_factory=lambda: parse_steps(DEFAULT_REVISIT))
    sections: list[str] = field(default_factory=list)  # fnmatch patterns of section-page paths

    @property
    def name(self) -> str:
        return self.name_fa or self.name_en or self.id


def default_sources_path() -> Path:
    return Path(str(resources.files("vazeh.capture") / "sources.toml"))


def load_sources(path: Path | str | None = None, *, base_url: str | None = None) -> list[Source]:
    """Read a sources file (default: the bundled list of major Persian outlets)."""
    path = Path(path) if path is not None else default_sources_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourcesError(f"sources file {path} does not exist") from None
    except tomllib.TOMLDecodeError as e:
        raise SourcesError(f"sources file {path} is not valid TOML: {e}") from None
    return parse_sources(data, base_url=base_url, origin=str(path))


def parse_sources(data: dict, *, base_url: str | None = None, origin: str = "sources") -> list[Source]:
    base = base_url or data.get("base_url")
    default_revisit = parse_steps(data.get("revisit", DEFAULT_REVISIT), origin=origin)
    raw = data.get("source", data.get("sources", []))
    if isinstance(raw, dict):
        raw = [{"id": key, **value} for key, value in raw.items()]
    if not isinstance(raw, list):
        raise SourcesError(f"{origin}: expected [[source]] tables")
    sources = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise SourcesError(f"{origin}: source #{i + 1} is not a table")
        sid = _first(entry, "id", "key", "slug") or ""
        if not sid:
            raise SourcesError(f"{origin}: source #{i + 1} has no id")
        sources.append(
            Source(
                id=str(sid),
                name_fa=str(_first(entry, "name_fa", "name", "persian_name", "title") or ""),
                name_en=str(_first(entry, "name_en", "english_name", "title_en") or ""),
                domains=_list(entry, "domains", "domain"),
                feeds=[_url(u, base, origin, sid) for u in _list(entry, "feeds", "feed", "rss")],
                sitemaps=[_url(u, base, origin, sid) for u in _list(entry, "sitemaps", "sitemap")],
                interval=float(_first(entry, "interval", "interval_seconds") or DEFAULT_INTERVAL)
                if "interval_minutes" not in entry
                else float(entry["interval_minutes"]) * 60,
                revisit=parse_steps(entry["revisit"], origin=f"{origin}: source {sid}")
                if "revisit" in entry
                else list(default_revisit),
                sections=_list(entry, "sections", "section"),
            )
        )
    return sources


def parse_steps(steps: object, *, origin: str = "revisit") -> list[timedelta]:
    """["1h", "6h", "1d"] (or seconds as numbers) as increasing offsets from the first capture."""
    if not isinstance(steps, (list, tuple)):
        raise SourcesError(f"{origin}: revisit must be a list such as [\"1h\", \"6h\", \"1d\"]")
    out: list[timedelta] = []
    for step in steps:
        if isinstance(step, (int, float)) and not isinstance(step, bool):
            seconds = float(step)
        else:
            m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", str(step))
            if not m:
                raise SourcesError(f"{origin}: revisit step {step!r} is not like 30m, 6h, 1d or 7d")
            seconds = float(m.group(1)) * _UNITS[m.group(2)]
        if seconds <= 0 or (out and timedelta(seconds=seconds) <= out[-1]):
            raise SourcesError(f"{origin}: revisit steps must be positive and increasing, got {list(steps)!r}")
        out.append(timedelta(seconds=seconds))
    return out


def source_of(url: str, sources: list[Source]) -> Source | None:
    """The source a story URL belongs to: by domain, else by the folder of its feeds.

    The folder rule is for sites whose outlets share one host (the sample site,
    an aggregator): /mehr/news/1 belongs to the source whose feed is /mehr/rss.xml.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for s in sources:
        for d in s.domains:
            d = (urlsplit(d).hostname or d).lower() if "//" in d else d.lower().strip("/")
            if host == d or host.endswith("." + d):
                return s
    best: tuple[int, Source] | None = None
    for s in sources:
        for feed in s.feeds + s.sitemaps:
            folder = feed.rsplit("/", 1)[0] + "/"
            if url.startswith(folder) and (best is None or len(folder) > best[0]):
                best = (len(folder), s)
    return best[1] if best else None


def is_section(url: str, source: Source | None) -> bool:
    """A home or section page: path depth at most 1, or one of the source's section patterns."""
    path = urlsplit(url).path or "/"
    if len([p for p in path.split("/") if p]) <= 1:
        return True
    return source is not None and any(fnmatchcase(path, pat) for pat in source.sections)


def _first(entry: dict, *keys: str) -> object:
    for k in keys:
        if entry.get(k) not in (None, ""):
            return entry[k]
    return None


def _list(entry: dict, *keys: str) -> list[str]:
    out: list[str] = []
    for k in keys:
        v = entry.get(k)
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out.extend(str(x) for x in v)
    return out


def _url(url: str, base: str | None, origin: str, sid: object) -> str:
    if "{base_url}" in url:
        if not base:
            raise SourcesError(f"{origin}: source {sid} uses {{base_url}} but no base_url is set")
        return url.replace("{base_url}", base.rstrip("/"))
    if url.startswith(("http://", "https://")):
        return url
    if not base:
        raise SourcesError(f"{origin}: source {sid} has a relative URL {url!r} but no base_url is set")
    return urljoin(base.rstrip("/") + "/", url.lstrip("/"))
