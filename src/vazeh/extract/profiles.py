"""Site profiles (data in profiles.toml) and how a page is matched to one."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from vazeh.extract.metadata import Metadata, text_value

_LIST_KEYS = ("domains", "site_names", "signatures", "title", "kicker", "lead", "body", "body_parts", "date",
              "category", "tags", "author", "drop", "news_id")
# Old pages (windows-1256 above all) write Arabic yeh and kaf; names are matched
# with both folded to the Persian letters. Only for matching: text is never changed.
_FOLD = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "‌": " "})


def fold_letters(text: str) -> str:
    return " ".join(text.translate(_FOLD).split())


@dataclass(frozen=True)
class Profile:
    name: str
    source: str | None = None
    language: str | None = None
    timezone: str = "Asia/Tehran"
    domains: tuple[str, ...] = ()
    site_names: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()
    # Selector lists: None means "not said", so the generic selectors apply;
    # an empty list means "this site has no such element".
    title: tuple[str, ...] | None = None
    kicker: tuple[str, ...] | None = None
    lead: tuple[str, ...] | None = None
    body: tuple[str, ...] | None = None
    date: tuple[str, ...] | None = None
    category: tuple[str, ...] | None = None
    tags: tuple[str, ...] | None = None
    author: tuple[str, ...] | None = None
    body_parts: tuple[str, ...] = ()  # within the body element, only these blocks are story text
    drop: tuple[str, ...] = ()
    news_id: tuple[str, ...] = ()

    def selectors(self, key: str, fallback: Profile) -> tuple[str, ...]:
        own = getattr(self, key)
        return own if own is not None else (getattr(fallback, key) or ())


@dataclass(frozen=True)
class Agency:
    source: str
    credits: tuple[str, ...]


@dataclass(frozen=True)
class Generic:
    home_labels: frozenset[str]
    end_markers: tuple[re.Pattern[str], ...]
    boilerplate: tuple[re.Pattern[str], ...]
    boilerplate_class: re.Pattern[str]
    news_id: tuple[str, ...]
    caption_prefixes: tuple[str, ...] = ()
    foreign_box_class: re.Pattern[str] = re.compile("(?!)")
    news_id_meta: tuple[str, ...] = ()  # meta names holding the story id, tried when the URL has none


@dataclass(frozen=True)
class Profiles:
    profiles: tuple[Profile, ...]
    agencies: tuple[Agency, ...]
    generic: Generic
    fallback: Profile  # the generic selectors, for pages and fields no profile covers
    by_name: dict[str, Profile] = field(default_factory=dict)


def _build(name: str, raw: dict[str, dict[str, Any]], seen: tuple[str, ...] = ()) -> dict[str, Any]:
    spec = dict(raw[name])
    parent = spec.pop("extends", None)
    if parent:
        if parent in seen or parent not in raw:
            raise ValueError(f"profiles.toml: profile {name!r} extends unknown or circular {parent!r}")
        base = _build(parent, raw, (*seen, name))
        base.update(spec)
        spec = base
    return spec


def load_profiles(text: str | None = None) -> Profiles:
    if text is None:
        text = resources.files("vazeh.extract").joinpath("profiles.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    raw: dict[str, dict[str, Any]] = data.get("profile", {})
    profiles = []
    for name in raw:
        spec = _build(name, raw)
        if spec.pop("abstract", False) and not raw[name].get("extends"):
            continue
        spec.pop("abstract", None)
        kwargs = {k: tuple(v) if k in _LIST_KEYS else v for k, v in spec.items()}
        profiles.append(Profile(name=name, **kwargs))
    g = data.get("generic", {})
    fallback = Profile(
        name="generic", **{k: tuple(g[k]) for k in ("title", "kicker", "lead", "body", "date",
                                                     "category", "tags", "author", "drop") if k in g}
    )
    generic = Generic(
        home_labels=frozenset(g.get("home_labels", ())),
        end_markers=tuple(re.compile(p) for p in g.get("end_markers", ())),
        boilerplate=tuple(re.compile(p) for p in g.get("boilerplate", ())),
        boilerplate_class=re.compile(g.get("boilerplate_class", "(?!)"), re.I),
        news_id=tuple(g.get("news_id", ())),
        caption_prefixes=tuple(g.get("caption_prefixes", ())),
        foreign_box_class=re.compile(g.get("foreign_box_class", "(?!)"), re.I),
        news_id_meta=tuple(k.lower() for k in g.get("news_id_meta", ())),
    )
    agencies = tuple(Agency(a["source"], tuple(a.get("credits", ()))) for a in data.get("agency", ()))
    return Profiles(tuple(profiles), agencies, generic, fallback, {p.name: p for p in profiles})


@lru_cache(maxsize=1)
def default_profiles() -> Profiles:
    return load_profiles()


def _host_path(url: str | None) -> str:
    if not url:
        return ""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    return host + parts.path


def _domain_matches(domain: str, url: str | None) -> bool:
    hp = _host_path(url)
    if not hp:
        return False
    host, _, path = hp.partition("/")
    dhost, _, dpath = domain.partition("/")
    return (host == dhost or host.endswith("." + dhost)) and path.startswith(dpath)


def by_domain(profiles: Profiles, url: str | None) -> Profile | None:
    for p in profiles.profiles:
        if any(_domain_matches(d, url) for d in p.domains):
            return p
    return None


def domain_entry(profile: Profile | None, urls: list[str | None]) -> str | None:
    """The profile's domain entry that one of `urls` falls under (e.g. "bbc.com/persian")."""
    if profile is None:
        return None
    for url in urls:
        for d in profile.domains:
            if _domain_matches(d, url):
                return d
    return None


def site_name_of(md: Metadata) -> str | None:
    name = md.first("og:site_name", "application-name", "twitter:site")
    if name:
        return name
    for o in md.articles():
        pub = text_value(o.get("publisher"))
        if pub:
            return pub
    return None


def match_profile(
    profiles: Profiles, tree: LexborHTMLParser, md: Metadata, urls: list[str | None]
) -> tuple[Profile | None, str]:
    """The profile of a page and how it was recognised ("domain", "site_name", "signature")."""
    for url in urls:
        p = by_domain(profiles, url)
        if p is not None:
            return p, "domain"
    name = site_name_of(md)
    if name:
        folded = fold_letters(name)
        for p in profiles.profiles:
            if any(re.search(rx, name) or re.search(rx, folded) for rx in p.site_names):
                return p, "site_name"
    matches = [
        p for p in profiles.profiles if p.signatures and all(tree.css_first(s) is not None for s in p.signatures)
    ]
    if matches:
        lang = (md.lang or "").lower().split("-")[0]
        for p in matches:
            if p.language and p.language == lang:
                return p, "signature"
        return matches[0], "signature"
    return None, ""
