"""A captured page becomes an Article.

Order of trust, field by field: the site profile's selectors (what the outlet shows),
then structured metadata (JSON-LD, microdata, OpenGraph), then the generic finder.
Nothing is invented: a field the page does not show stays empty, and whatever was
doubtful is said in `warnings`.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from selectolax.lexbor import LexborHTMLParser, LexborNode

from vazeh.extract import content, dates
from vazeh.extract.document import header, looks_binary, parse
from vazeh.extract.metadata import Metadata, read_metadata, text_value, types_of
from vazeh.extract.model import Article, Image
from vazeh.extract.profiles import (
    Profile,
    Profiles,
    default_profiles,
    domain_entry,
    fold_letters,
    match_profile,
    site_name_of,
)
from vazeh.extract.source import byline_source, credited_source, site_source
from vazeh.extract.text import MAX_PARAGRAPHS, Paragraph, collapse, node_text, paragraphs

log = logging.getLogger(__name__)

_PERSIAN = re.compile(r"[\u0600-\u06ff]")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_PERSIAN_LETTER = re.compile(r"[پچژگکی]")
_PASHTO_LETTER = re.compile(r"[ټډړښږځڅګڼېۍ]")
_ARABIC_ONLY = re.compile(r"[ةيك]")
# Languages written in Arabic script that a page may rightly declare.
_ARABIC_SCRIPT_LANGS = frozenset({"fa", "prs", "ps", "ar", "ur", "ckb", "ku", "sd", "ug", "bal", "glk", "mzn"})
# Only the shape of a dateline is checked in the body; its zone does not matter there.
_TEHRAN = ZoneInfo("Asia/Tehran")
_LOOPBACK = ("127.", "localhost", "::1", "0.0.0.0")
_NEWS_CODE = re.compile(r"[A-Za-z0-9]{1,40}")
_SENTENCE = re.compile(r"[،,.؛!?؟:]")
_TITLE_SPLIT = re.compile(r"\s+[|\-–—«»]\s+")


def extract_article(
    html: bytes,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    *,
    profiles: Profiles | None = None,
) -> Article:
    """The Article of one captured page. Never raises on bad input: an unreadable page
    comes back with `is_article=False` and warnings that say why."""
    if isinstance(html, str):
        html = html.encode("utf-8")
    if not html or not html.strip():
        return Article(url=url, is_article=False, warnings=["empty page"])
    if looks_binary(html):
        return Article(url=url, is_article=False, warnings=["not a text page (binary content)"])
    try:
        return _extract(html, url, headers, profiles or default_profiles())
    except RecursionError:
        return Article(url=url, is_article=False, warnings=["markup too deeply nested to read"])
    except Exception as e:  # noqa: BLE001 - one hostile page must not stop an archive run
        log.warning("extraction failed for %s: %r", url, e)
        return Article(url=url, is_article=False, warnings=[f"extraction failed: {type(e).__name__}: {e}"])


# ---------------------------------------------------------------- selectors
def _first_text(
    root: LexborHTMLParser | LexborNode, selectors: tuple[str, ...], *, empty_means_none: bool = False
) -> tuple[str | None, LexborNode | None]:
    """Text of the first element a selector finds. With `empty_means_none`, an element
    that is there but empty (a kicker slot left blank) ends the search: the page
    shows no such field, and another selector would only find something else."""
    for sel in selectors:
        try:
            nodes = root.css(sel)
        except Exception:  # noqa: BLE001 - a bad selector in a profile must not lose the page
            log.warning("bad selector %r", sel)
            continue
        for node in nodes[:5]:
            text = node_text(node)
            if text:
                return text, node
        if nodes and empty_means_none:
            return None, None
    return None, None


def _list_texts(
    root: LexborHTMLParser,
    selectors: tuple[str, ...],
    skip: frozenset[str],
    *,
    unique: bool = True,
    max_len: int = 150,
) -> list[str]:
    for sel in selectors:
        container_sel, _, item_sel = sel.partition(">>")
        try:
            if item_sel:
                containers = root.css(container_sel.strip())
                nodes = []
                for c in containers:
                    nodes = c.css(item_sel.strip())
                    if nodes:
                        break
            else:
                nodes = root.css(sel)
        except Exception:  # noqa: BLE001
            log.warning("bad selector %r", sel)
            continue
        out: list[str] = []
        for n in nodes:
            t = node_text(n).strip(" »›>/|،,-–")
            if t and fold_letters(t) not in skip and (not unique or t not in out) and len(t) <= max_len:
                out.append(t)
        if out:
            return out
    return []


# ---------------------------------------------------------------- fields
def _site(url: str | None, canonical: str | None, profile: Profile | None, matched_domain: str | None) -> str | None:
    """The outlet's domain: the profile's (also for a copy served from a mirror or the
    sample site), else the host of the canonical URL or of the capture URL."""
    if matched_domain:
        return matched_domain
    hosts = []
    for u in (canonical, url):
        if not u:
            continue
        try:
            host = urlsplit(u).hostname or ""
        except ValueError:
            continue
        if host:
            hosts.append(host)
    real = [h for h in hosts if not h.startswith(_LOOPBACK)]
    if profile is not None and profile.domains and not real:
        return profile.domains[0]
    if real:
        return real[0].removeprefix("www.")
    return hosts[0] if hosts else None


def _absolute(base: str | None, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if base:
        try:
            return urljoin(base, href)
        except ValueError:
            return href
    return href


def _lang_code(declared: str) -> str:
    lang = declared.strip().lower().replace("_", "-")
    if lang in ("fa-af", "prs", "prs-af"):
        return "prs"
    return lang.split("-")[0]


def _script_language(text: str, host: str) -> str | None:
    """The language the text is written in, when it is Arabic script: a page whose
    declared language is English but whose story is Persian is a Persian story (CMS
    templates ship with lang="en"). Pashto and Arabic have letters of their own;
    Persian script on an Afghan host is Dari."""
    arabic = len(_ARABIC_LETTER.findall(text))
    if arabic < 20 or arabic <= len(_LATIN_LETTER.findall(text)):
        return None
    if len(_PASHTO_LETTER.findall(text)) * 50 >= arabic:
        return "ps"
    if not _PERSIAN_LETTER.search(text) and _ARABIC_ONLY.search(text):
        return "ar"
    return "prs" if host.endswith(".af") else "fa"


def _language(profile: Profile | None, md: Metadata, text_sample: str, host: str = "") -> str | None:
    if profile is not None and profile.language:
        return profile.language
    declared = [
        _lang_code(v) for v in (md.lang, md.first("og:locale"), md.first("language"), md.first("content-language")) if v
    ]
    declared = [d for d in declared if d]
    written = _script_language(text_sample, host)
    if written is None:
        if declared:
            return declared[0]
        return "fa" if _PERSIAN.search(text_sample) else None
    # The text decides between the page's claims: the first one in its script wins
    # (og:locale fa_AF beside a template's lang="en" still says Dari).
    for d in declared:
        if d in _ARABIC_SCRIPT_LANGS:
            return d
    return written


def _title_hints(tree: LexborHTMLParser, md: Metadata) -> list[str]:
    hints = [text_value(md.article_value("headline")), md.first("og:title", "twitter:title")]
    title_tag = tree.css_first("title")
    if title_tag is not None:
        hints.append(collapse(title_tag.text() or ""))
    return [h for h in hints if h]


def _headline(tree: LexborHTMLParser, hints: list[str]) -> str | None:
    """The h1 that agrees with the page's metadata or <title>, if there is one."""
    h1s = [node_text(h) for h in tree.css("h1")[:10]]
    h1s = [h for h in h1s if len(h) >= 5]
    for h in h1s:
        if h in hints:
            return h
    # A page may have several h1s (site name, programme name, headline): the longest
    # one that agrees with the metadata is the headline.
    agreeing = [h for h in h1s if any(h in hint or hint in h for hint in hints)]
    return max(agreeing, key=len) if agreeing else None


def _generic_title(tree: LexborHTMLParser, md: Metadata, hints: list[str]) -> str | None:
    h = _headline(tree, hints)
    if h:
        return h
    if hints:
        best = hints[0]
        if len(hints) == 1 and tree.css_first("title") is not None:
            # Only the <title> is left: drop the site name that sites append to it.
            parts = _TITLE_SPLIT.split(best)
            best = max(parts, key=len) if parts else best
        return best
    h1 = tree.css_first("h1")
    return node_text(h1) or None if h1 is not None else None


def _author(tree: LexborHTMLParser, profile: Profile, fallback: Profile, md: Metadata, site_names: set[str]) -> str | None:
    text, _ = _first_text(tree, profile.selectors("author", fallback))
    if text and len(text) < 80 and text not in site_names:
        return text
    ld = md.article_value("author")
    for a in ld if isinstance(ld, list) else [ld]:
        if isinstance(a, dict) and "person" in types_of(a):
            name = text_value(a.get("name"))
            if name and name not in site_names:
                return name
    return None


def _bylines(tree: LexborHTMLParser, profile: Profile, fallback: Profile, md: Metadata) -> list[str]:
    """The byline as shown (even when it is an agency's name, which _author leaves out)
    and the names of the organisations the metadata gives as author: where a story
    without a credit line names the agency it comes from."""
    out = []
    text, _ = _first_text(tree, profile.selectors("author", fallback))
    if text:
        out.append(text)
    ld = md.article_value("author")
    for a in ld if isinstance(ld, list) else [ld]:
        if isinstance(a, dict) and "organization" in types_of(a):
            name = text_value(a.get("name"))
            if name:
                out.append(name)
    return out


def _contains(outer: LexborNode, inner: LexborNode) -> bool:
    target = outer.mem_id
    n: LexborNode | None = inner
    for _ in range(200):
        if n is None:
            return False
        if n.mem_id == target:
            return True
        n = n.parent
    return False


def _article_region(body: LexborNode, title_node: LexborNode | None) -> LexborNode:
    """The smallest element holding both headline and body (the story's own box)."""
    if title_node is None:
        return body
    title_chain = set()
    n = title_node
    for _ in range(60):
        if n is None:
            break
        title_chain.add(n.mem_id)
        n = n.parent
    n = body
    for _ in range(60):
        if n is None or n.tag in ("body", "html"):
            return body
        if n.mem_id in title_chain:
            return n
        n = n.parent
    return body


def _in_furniture(node: LexborNode, stop: LexborNode, generic) -> bool:  # noqa: ANN001
    """Inside a link (related stories, ads) or a box named like furniture, below `stop`."""
    n = node.parent
    stop_id = stop.mem_id
    for _ in range(30):
        if n is None or n.mem_id == stop_id:
            return False
        if n.tag in ("a", "aside", "nav"):
            return True
        a = n.attributes
        if generic.foreign_box_class.search(f"{a.get('class') or ''} {a.get('id') or ''}"):
            return True
        n = n.parent
    return False


def _images(base: str | None, region: LexborNode | None, generic, caption_prefixes: tuple[str, ...]) -> list[Image]:  # noqa: ANN001
    """The story's own pictures, with their captions: figures in the story's box and
    pictures inside the body; never logos, ads or related-story thumbnails."""
    out: list[Image] = []
    if region is None:
        return out
    seen: set[str] = set()
    for img in region.css("img")[:100]:
        if _in_furniture(img, region, generic):
            continue
        a = img.attributes
        src = a.get("src") or a.get("data-src") or a.get("data-original")
        url = _absolute(base, src)
        if not url or url in seen or url.startswith("data:"):
            continue
        caption = None
        fig = img.parent
        for _ in range(5):
            if fig is None or fig.tag == "figure":
                break
            fig = fig.parent
        if fig is not None and fig.tag == "figure":
            cap = fig.css_first("figcaption")
            caption = node_text(cap) if cap is not None else None
            for prefix in caption_prefixes:
                if caption and caption.startswith(prefix):
                    caption = caption[len(prefix):].strip()
        elif not _is_story_picture(img):
            continue
        seen.add(url)
        out.append(Image(url, caption or None))
    return out


def _is_story_picture(img: LexborNode) -> bool:
    """An inline picture outside any figure counts when it is not an icon or a spacer."""
    a = img.attributes
    for dim in ("width", "height"):
        v = (a.get(dim) or "").strip().rstrip("px")
        if v.isdigit() and int(v) < 100:
            return False
    return True


def _news_id(profile: Profile | None, profiles: Profiles, urls: list[str | None]) -> str | None:
    patterns = (profile.news_id if profile is not None else ()) or profiles.generic.news_id
    for url in urls:
        if not url:
            continue
        try:
            path = urlsplit(url)
        except ValueError:
            continue
        target = path.path + ("?" + path.query if path.query else "")
        from urllib.parse import unquote

        target = unquote(target)
        for rx in patterns:
            m = re.search(rx, target)
            if m:
                return m.group(1)
    return None


def _meta_news_id(md: Metadata, profiles: Profiles) -> str | None:
    """The story id a CMS writes into its own meta (Nastooh's `nastooh:code`), for
    addresses that do not carry it: photo and video pages, short links, mirrors."""
    for key in profiles.generic.news_id_meta:
        v = md.first(key)
        if v and _NEWS_CODE.fullmatch(v):
            return v
    return None


def _host(*urls: str | None) -> str:
    for u in urls:
        try:
            host = urlsplit(u).hostname if u else None
        except ValueError:
            continue
        if host:
            return host
    return ""


def _is_article(
    md: Metadata, profile_body: bool, body: list[str], main_links: float, has_id: bool, has_headline: bool
) -> bool:
    """A story, or a home / list / other page? Weighs the page's own claim (JSON-LD,
    og:type), the profile's body element, a news id in the URL, and the prose itself."""
    chars = sum(len(p) for p in body)
    if chars < 80:
        return False
    og_type = (md.first("og:type") or "").lower()
    long_paras = sum(1 for p in body if len(p) >= 80)
    score = 0
    if md.articles() or og_type.startswith(("article", "video")) or og_type == "news":
        score += 2
    if profile_body:
        score += 2
    if has_id:
        score += 1
    if has_headline:
        score += 1
    if chars >= 600 and long_paras >= 3:
        score += 2
    elif chars >= 200 and long_paras >= 1:
        score += 1
    if main_links >= 0.5:
        score -= 2
    if og_type == "website" and not has_id:
        # Some CMSs label every page "website"; with a story id in the URL it means little.
        score -= 1
    return score >= 2


# ---------------------------------------------------------------- the whole page
@dataclass
class _Head:
    title: str | None
    title_node: LexborNode | None
    kicker: str | None
    lead: str | None
    lead_node: LexborNode | None
    has_headline: bool
    # The lead is the summary heading under the headline (a press release's h2): a
    # heading is never the body's first paragraph, wherever the finder's box starts.
    lead_is_heading: bool = False


@dataclass
class _Body:
    paragraphs: list[str]
    node: LexborNode | None = None
    from_profile: bool = False
    link_share: float = 0.0
    lead_inside: bool = False
    notes: list[str] = field(default_factory=list)


def _read_head(tree: LexborHTMLParser, md: Metadata, profile: Profile | None, profiles: Profiles) -> _Head:
    """Headline, kicker and lead. Read before the body, whose cleanup removes nodes."""
    prof, fallback, generic = profile or profiles.fallback, profiles.fallback, profiles.generic
    hints = _title_hints(tree, md)
    title, title_node = _first_text(tree, prof.title) if prof.title else (None, None)
    if not title:
        title = _generic_title(tree, md, hints)
    if title_node is None and title:
        title_node = next((h for h in tree.css("h1")[:10] if node_text(h) == title), None)
    has_headline = title_node is not None and (profile is not None or _headline(tree, hints) == title)
    own = profile is not None
    kicker, kicker_node = _first_text(tree, prof.selectors("kicker", fallback), empty_means_none=own)
    lead, lead_node = _first_text(tree, prof.selectors("lead", fallback), empty_means_none=own)
    if profile is None and tree.body is not None:
        # Without a profile the selectors are guesses: a "lead" in a sidebar or a link
        # list is some other story's.
        if kicker_node is not None and _in_furniture(kicker_node, tree.body, generic):
            kicker = None
        if lead_node is not None and _in_furniture(lead_node, tree.body, generic):
            lead, lead_node = None, None
    if lead and len(lead) < 15:
        lead, lead_node = None, None
    if profile is None and lead is None and has_headline and title_node is not None:
        lead, lead_node = _summary_heading(title_node)
        if lead:
            return _Head(title, title_node, kicker, lead, lead_node, has_headline, lead_is_heading=True)
    return _Head(title, title_node, kicker, lead, lead_node, has_headline)


def _summary_heading(title_node: LexborNode) -> tuple[str | None, LexborNode | None]:
    """The h2 printed right under the headline when it is a sentence, not a section
    title: press releases and many small sites put their summary there."""
    n = title_node
    for _ in range(2):  # the h1's next element, or its wrapper's when the h1 is wrapped alone
        nxt = n.next
        while nxt is not None and (nxt.tag in ("-text", "_comment", "-comment") or nxt.tag is None):
            if nxt.tag == "-text" and (nxt.text_content or "").strip():
                return None, None
            nxt = nxt.next
        if nxt is not None:
            break
        n = n.parent
        if n is None or n.tag in ("body", "html"):
            return None, None
    if nxt is None or nxt.tag != "h2":
        return None, None
    text = node_text(nxt)
    links = sum(len(a.text() or "") for a in nxt.css("a"))
    if 40 <= len(text) <= 600 and links < 0.3 * len(text) and (_SENTENCE.search(text) or len(text.split()) >= 8):
        return text, nxt
    return None, None


def _find_body_node(tree: LexborHTMLParser, profile: Profile | None, profiles: Profiles) -> tuple[LexborNode | None, bool]:
    """The element holding the story, and whether the profile's selector found it."""
    prof = profile or profiles.fallback
    for sel in prof.selectors("body", profiles.fallback):
        try:
            node = tree.css_first(sel)
        except Exception:  # noqa: BLE001 - a bad selector in a profile must not lose the page
            continue
        if node is not None and len(node_text(node)) >= 20:
            return node, profile is not None
    return content.find_main(tree, profiles.generic), False


def _read_body(
    node: LexborNode,
    from_profile: bool,
    profile: Profile | None,
    profiles: Profiles,
    head: _Head,
    *,
    before: list[Paragraph] | None = None,
) -> _Body:
    """The story's paragraphs from its element; `before` are paragraphs found above the
    element that belong to the story (a video page's description)."""
    generic = profiles.generic
    drops = profile.drop if profile is not None else profiles.fallback.drop
    for sel in drops:
        try:
            for n in node.css(sel):
                n.decompose()
        except Exception:  # noqa: BLE001
            continue
    if from_profile and profile is not None and profile.body_parts:
        # Sites that build the story from sibling blocks among page furniture (BBC)
        # name the blocks that are story text.
        parts = node.css(", ".join(profile.body_parts))
    elif from_profile:
        parts = [node]
    else:
        parts = content.with_stray_siblings(node, generic)
    paras = (before or []) + [p for part in parts for p in paragraphs(part, content.make_skip(generic))]
    paras = _without_dateline(paras[:MAX_PARAGRAPHS])
    notes = ["story cut: the page has more text blocks than any story"] if len(paras) >= MAX_PARAGRAPHS else []
    total = sum(len(p.text) for p in paras) or 1
    link_share = sum(p.link_chars for p in paras) / total
    # A lead printed inside the body container is the body's first paragraph.
    lead_inside = head.lead_node is not None and not head.lead_is_heading and _contains(node, head.lead_node)
    lead = None if lead_inside else head.lead
    drop_texts = {t for t in (head.title, head.kicker, lead) if t}
    text, dropped = content.clean_paragraphs(paras, generic, drop_texts=drop_texts)
    notes.extend(dropped)
    return _Body(text, node, from_profile, link_share, lead_inside, list(dict.fromkeys(notes)))


def _without_dateline(paras: list[Paragraph]) -> list[Paragraph]:
    """A dateline on its own line at the top of the story is not story text (its date is
    read by `dates.dateline`). Only the first lines are looked at: further down, a short
    «place، date» line is part of what the story tells."""
    for i, p in enumerate(paras[:3]):
        if dates.dateline(p.text, _TEHRAN) is not None:
            return paras[:i] + paras[i + 1:]
    return paras


def _dateline_date(region: LexborNode, profiles: Profiles, tz: ZoneInfo) -> dates.DateFound | None:
    # The paragraph walk is bounded (nodes, paragraphs), so a hostile page costs no more
    # here than reading its body did.
    lines = (p.text for p in paragraphs(region, content.make_skip(profiles.generic)))
    return dates.dateline_date(lines, tz)


def _is_video_page(md: Metadata, region: LexborNode | None) -> bool:
    if (md.first("og:type") or "").lower().startswith("video"):
        return True
    if any("videoobject" in types_of(o) for o in md.jsonld):
        return True
    return region is not None and region.css_first("video") is not None


def _jsonld_body(md: Metadata) -> list[str]:
    """Paragraphs of a JSON-LD articleBody (plain text, or HTML on some sites)."""
    raw = md.article_value("articleBody")
    if not isinstance(raw, str) or len(raw) < 100:
        return []
    if "<" in raw and ">" in raw:
        root = LexborHTMLParser(raw).body
        return [p.text for p in paragraphs(root)] if root is not None else []
    return [t for t in (collapse(html_lib.unescape(x)) for x in re.split(r"\n+", raw)) if t]


def _extract(html: bytes, url: str | None, headers: Mapping[str, str] | None, profiles: Profiles) -> Article:
    doc = parse(html, headers)
    tree = doc.tree
    warnings = list(doc.warnings)
    md = read_metadata(tree)
    warnings.extend(md.warnings)
    fallback = profiles.fallback

    canonical = _absolute(url, md.canonical or md.first("og:url"))
    profile, how = match_profile(profiles, tree, md, [url, canonical])
    prof = profile or fallback
    site_name = site_name_of(md)

    head = _read_head(tree, md, profile, profiles)
    home = frozenset(fold_letters(h) for h in profiles.generic.home_labels)
    # A breadcrumb may repeat a label (a province and its capital desk): kept as shown.
    category = _list_texts(tree, prof.selectors("category", fallback), home, unique=False)
    # Tags are short labels; a headline-long link in a "tags" box is a related story.
    tags = _list_texts(tree, prof.selectors("tags", fallback), home, max_len=60)

    agency_names = {a.source for a in profiles.agencies} | {c for a in profiles.agencies for c in a.credits}
    site_names = {s for s in (site_name, profile.source if profile else None) if s} | agency_names
    author = _author(tree, prof, fallback, md, site_names)

    body_node, from_profile = _find_body_node(tree, profile, profiles)
    if body_node is not None and profile is not None and not from_profile:
        warnings.append(f"profile {profile.name}: body selectors matched nothing; used the generic finder")
    region = _article_region(body_node, head.title_node) if body_node is not None else None
    images = _images(url or canonical, region, profiles.generic, profiles.generic.caption_prefixes)
    before = None
    if body_node is not None and region is not None and head.title_node is not None and not from_profile:
        if _is_video_page(md, region):
            before = content.prose_before(body_node, region, head.title_node, profiles.generic)
    if body_node is not None:
        body = _read_body(body_node, from_profile, profile, profiles, head, before=before)
    else:
        body = _Body([])
    warnings.extend(body.notes)

    # The language is the text's: read after the body, so a template's lang="en" on a
    # Persian story is checked against the story itself.
    sample = " ".join([head.title or "", head.lead or "", *body.paragraphs[:5]])[:4000]
    language = _language(profile, md, sample, _host(url, canonical))
    zone = profile.timezone if profile else ("Asia/Kabul" if language == "prs" else "Asia/Tehran")
    tz = ZoneInfo(zone)
    served = dates.served_at(header(headers, "date"))
    published = (
        dates.machine_date(md, tree, tz)
        or dates.visible_date(tree, prof.selectors("date", fallback), tz, served)
        or (_dateline_date(region, profiles, tz) if region is not None else None)
    )
    modified = dates.machine_date(md, tree, tz, modified=True)
    lead = None if body.lead_inside else head.lead
    if not body.paragraphs:
        body.paragraphs = _jsonld_body(md)
        if body.paragraphs:
            warnings.append("body taken from JSON-LD articleBody")
    if lead and body.paragraphs and body.paragraphs[0] == lead:
        # The page prints its lead as the first paragraph of the body: it stays there.
        lead = None

    news_id = _news_id(profile, profiles, [url, canonical]) or _meta_news_id(md, profiles)
    is_article = _is_article(
        md, body.from_profile, body.paragraphs, body.link_share, news_id is not None, head.has_headline
    )
    site = _site(url, canonical, profile, domain_entry(profile, [url, canonical]) if how == "domain" else None)
    source = credited_source(body.paragraphs + ([lead] if lead else []), profiles.agencies) if is_article else None
    if not source and is_article:
        own = (profile.source if profile else None, site_name, site_source(site_name))
        source = byline_source(_bylines(tree, prof, fallback, md), profiles.agencies, own)
    if not source:
        source = (profile.source if profile else None) or site_source(site_name)

    if profile is not None and how != "domain":
        warnings.append(f"read with the {profile.name} profile, recognised by {how.replace('_', ' ')}")
    if published is None and is_article:
        warnings.append("no publication date found")
    elif published is not None and published.how in ("visible", "dateline") and is_article:
        warnings.append(f"publication date read from the page text: {published.text!r}")
    if not head.title:
        warnings.append("no headline found")
    if is_article and not body.paragraphs:
        warnings.append("no body text found")

    art = Article(
        url=url or canonical,
        canonical_url=canonical,
        site=site,
        source=source,
        news_id=news_id,
        title=head.title,
        kicker=head.kicker,
        lead=lead,
        body=body.paragraphs,
        published=dates.iso(published.value if published else None),
        published_jalali=dates.jalali(published.value if published else None),
        modified=dates.iso(modified.value if modified else None),
        category=category,
        tags=tags,
        author=author,
        images=images,
        language=language,
        warnings=warnings,
        is_article=is_article,
    )
    if not is_article:
        art.body, art.lead, art.kicker, art.author, art.news_id = [], None, None, None, None
        art.category, art.tags, art.images = [], [], []
        art.source = (profile.source if profile else None) or site_source(site_name)
    return art
