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

`[sources.<id>]` tables work as well, and a few spellings of each key are
accepted (`name`/`name_fa`, `feed`/`feeds`, `sitemap`/`sitemaps`, `domain`/`domains`)
so hand-written files are forgiving. The string `{base_url}` inside a URL is
replaced by `base_url` too.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from urllib.parse import urljoin

DEFAULT_INTERVAL = 900.0


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
            )
        )
    return sources


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
