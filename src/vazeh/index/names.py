"""Who published a copy and whom it credits: the names of outlets and agencies.

A story has an *outlet* (the site this copy was captured from, `Article.site`: a
domain) and an *agency* (who the story credits, `Article.source`: «مهر» for a
Khabaronline copy that says «به گزارش خبرگزاری مهر»; the outlet itself for its own
stories). People name either in many ways: «خبرگزاری مهر», «مهر», "Mehr News
Agency", "mehrnews", "mehrnews.com", "www.mehrnews.com". This module gathers every
name vazeh knows for one outlet into one *entity*, so that any of them resolves to
it in `source:`, `outlet:` and `agency:` and in the facets.

The names are data already kept elsewhere, joined by domain:

* capture/sources.toml: id, name_fa, name_en and domains of each outlet watched;
* extract/profiles.toml: each site profile's `source` (the short name an Article
  carries) and domains, and the agencies' `credits` (names as a credit line writes
  them).

A name claimed by two entities («صدای آمریکا» is VOA Persian's and, folded, VOA
Dari's «صدای امریکا») resolves to neither: it is then compared as a plain value,
so it still finds both, and neither outlet's other names find the other.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from vazeh.index.plan import value_key

ENTITY_MARK = "@"  # no token contains it (tokenize splits at punctuation), so no value_key does
_AGENCY_WORD = "خبرگزاری"
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})
_DOMAIN = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")
_PARENS = re.compile(r"\s*\(([^()]*)\)\s*")
_CACHED_NAMES = 16384  # names per cache of a Names (bounded: typed filters are names too)


@dataclass
class Entity:
    id: str
    display: str  # the short Persian name shown in facets (the profile's `source`, else name_fa)
    domains: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    fallbacks: list[str] = field(default_factory=list)  # displays to use when `display` is ambiguous

    @property
    def key(self) -> str:
        return ENTITY_MARK + self.id


def _host(domain: str) -> str:
    d = domain.strip().lower()
    if "//" in d:
        d = urlsplit(d).hostname or ""
    return d.strip("/").removeprefix("www.")


def _name_forms(name: str) -> set[str]:
    """A name as written and the forms people shorten it to: «خبرگزاری جمهوری اسلامی
    (ایرنا)» is also «ایرنا» and «خبرگزاری جمهوری اسلامی»; «خبرگزاری مهر» is «مهر» and
    «مهر» is «خبرگزاری مهر»."""
    name = " ".join(name.split())
    if not name:
        return set()
    forms = {name}
    inside = _PARENS.findall(name)
    if inside:
        forms.add(_PARENS.sub(" ", name).strip())
        forms.update(i.strip() for i in inside if i.strip())
    for f in list(forms):
        if f.startswith(_AGENCY_WORD + " "):
            forms.add(f[len(_AGENCY_WORD) :].strip())
        elif not f.isascii():
            forms.add(f"{_AGENCY_WORD} {f}")
    return {f for f in forms if f}


def _domain_forms(domain: str) -> set[str]:
    """mehrnews.com is also www.mehrnews.com and "mehrnews" (the name before the
    top-level domain, which is how people type an outlet they know by its address);
    bbc.com/persian is also bbc.com/persian itself."""
    host = _host(domain)
    if not host:
        return set()
    forms = {host, "www." + host}
    path = ""
    if "/" in host:
        host, _, path = host.partition("/")
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:
        labels = labels[:-1]  # bbci.co.uk: the name is bbci, not co
    if len(labels) >= 2 and not path:
        forms.add(labels[-2])
    return forms


class Names:
    """Every known name of every entity; `resolve` maps a name to its entity."""

    def __init__(self, entities: list[Entity]):
        self.entities = {e.id: e for e in entities}
        claims: dict[str, set[str]] = {}
        for e in entities:
            for n in e.names:
                k = value_key(n)
                if k:
                    claims.setdefault(k, set()).add(e.id)
        # A name two entities claim names neither (see the module's docstring).
        self._by_key = {k: next(iter(ids)) for k, ids in claims.items() if len(ids) == 1}
        for e in entities:
            # A facet value must lead back to its entity: VOA Persian's «صدای آمریکا» is
            # also VOA Dari's, so it shows as «صدای آمریکا فارسی».
            if self._by_key.get(value_key(e.display)) != e.id:
                e.display = next((n for n in e.fallbacks if self._by_key.get(value_key(n)) == e.id), e.display)
        self._by_host: dict[str, str] = {}
        hosts: dict[str, set[str]] = {}
        for e in entities:
            for d in e.domains:
                hosts.setdefault(_host(d), set()).add(e.id)
        self._by_host = {h: next(iter(ids)) for h, ids in hosts.items() if len(ids) == 1 and h}
        self._start_caches()

    def _start_caches(self) -> None:
        # What each name resolves to, as it is asked: a search's facets ask the same few
        # hundred outlet and agency names again and again. The tables above are fixed once
        # built, so an answer never goes stale; each Names has its own caches, so another
        # one (other sources) never sees them.
        self._entity_id = functools.lru_cache(maxsize=_CACHED_NAMES)(self._find_entity_id)
        # An attribute, not a method: merged_facets calls it for every bucket of every search.
        self.facet_key: Callable[[str], str] = functools.lru_cache(maxsize=_CACHED_NAMES)(self._facet_key_of)

    def __getstate__(self) -> dict:
        # The caches are bound to this object; a copy (pickle, deepcopy) starts its own.
        return {k: v for k, v in self.__dict__.items() if k not in ("_entity_id", "facet_key")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._start_caches()

    def resolve(self, name: str | None) -> Entity | None:
        """The entity a name (Persian or English), an id or a domain stands for."""
        if not name:
            return None
        eid = self._entity_id(name)
        return self.entities.get(eid) if eid else None

    def _find_entity_id(self, name: str) -> str | None:
        eid = self._by_key.get(value_key(name))
        if eid is None and ("." in name or "/" in name):
            eid = self._host_entity(name)
        return eid

    def _host_entity(self, site: str) -> str | None:
        host = _host(site)
        candidates = [host]
        if "/" in host:
            candidates.append(host.split("/", 1)[0])
        h = candidates[-1]
        while "." in h:  # news.example.ir belongs to example.ir
            h = h.split(".", 1)[1]
            candidates.append(h)
        for c in candidates:
            if c in self._by_host:
                return self._by_host[c]
        return None

    def keys(self, *values: str | None) -> list[str]:
        """The index keys of a story's outlet or agency values: each value's own
        value_key, and its entity's key where it resolves."""
        out: set[str] = set()
        for v in values:
            if not v:
                continue
            k = value_key(v)
            if k:
                out.add(k)
            e = self.resolve(v)
            if e is not None:
                out.add(e.key)
            elif _DOMAIN.match(v):
                # An outlet vazeh has no entry for is still found by its domain's forms
                # (aryanews.com by aryanews and www.aryanews.com), as a known one is.
                out.update(k for k in map(value_key, _domain_forms(v)) if k)
        return sorted(out)

    def query_key(self, value: str) -> str:
        """The one index key a typed `source:`/`outlet:`/`agency:` value looks up."""
        e = self.resolve(value)
        return e.key if e is not None else value_key(value)

    def outlet(self, site: str | None, url: str | None = None) -> tuple[str, Entity | None]:
        """The outlet's name to show and its entity, from the copy's site (else its URL's host)."""
        for v in (site, _url_host(url)):
            if v:
                e = self.resolve(v)
                if e is not None:
                    return e.display, e
        return (site or _url_host(url) or ""), None

    def _facet_key_of(self, value: str) -> str:
        """`facet_key`: facet buckets that are one value: one entity, or one value after analysis."""
        e = self.resolve(value)
        return e.key if e is not None else value_key(value)


def _url_host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host or host.startswith("127.") or host in ("localhost", "::1"):
        return None
    return host.removeprefix("www.")


def build_names(sources: list, profiles) -> Names:
    """Entities from the watch sources and the extraction profiles (joined by domain)."""
    entities: list[Entity] = []
    by_host: dict[str, Entity] = {}
    for s in sources:
        e = Entity(s.id, s.name_fa or s.name_en or s.id, fallbacks=[n for n in (s.name_fa, s.name_en, s.id) if n])
        e.names |= {s.id} | _name_forms(s.name_fa) | _name_forms(s.name_en)
        for d in s.domains:
            e.domains.add(d)
            e.names |= _domain_forms(d)
            by_host.setdefault(_host(d), e)
        entities.append(e)
    by_source: dict[str, Entity] = {}
    for p in profiles.profiles:
        if not p.source and not p.domains:
            continue
        e = next((by_host[_host(d)] for d in p.domains if _host(d) in by_host), None)
        if e is None:
            e = next((by_host[_host(d).split("/")[0]] for d in p.domains if _host(d).split("/")[0] in by_host), None)
        if e is None:
            if not p.domains:
                continue
            e = Entity(p.name, p.source or p.name)
            entities.append(e)
        if p.source:
            e.display = p.source
            e.names |= _name_forms(p.source)
            by_source.setdefault(value_key(p.source), e)
        for d in p.domains:
            e.domains.add(d)
            e.names |= _domain_forms(d)
            by_host.setdefault(_host(d), e)
    for a in profiles.agencies:
        e = by_source.get(value_key(a.source))
        if e is None:
            e = Entity("agency:" + a.source, a.source)
            entities.append(e)
            by_source[value_key(a.source)] = e
        for c in (a.source, *a.credits):
            e.names |= _name_forms(c)
    return Names(entities)


@functools.cache
def default_names() -> Names:
    """The names of the bundled sources and profiles."""
    from vazeh.capture.sources import load_sources
    from vazeh.extract.profiles import default_profiles

    return build_names(load_sources(), default_profiles())
