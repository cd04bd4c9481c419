"""Save page now: an admin captures a URL into the archive from the browser or the API.

Allowed only with the admin token from the config (`admin_token` in
HOME/config.toml, or VAZEH_ADMIN_TOKEN). The capture goes through
`vazeh.capture`, so its address guard applies: private and loopback addresses
are refused unless the config sets `allow_private`. The new capture is
extracted and indexed at once through the pipeline.

After a successful save from the form the browser gets an `vazeh_admin` cookie
(an HMAC of the token, never the token) so the form stops asking. The cookie is
HttpOnly and SameSite=Strict, and replayed pages run sandboxed with an opaque
origin, so archived scripts can neither read nor send it.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, Field

from vazeh.persian import to_persian_digits
from vazeh.web import messages
from vazeh.web.room import ReadingRoom

if TYPE_CHECKING:
    from vazeh.capture import CaptureOutcome

router = APIRouter()
ADMIN_COOKIE = "vazeh_admin"
_save_lock = threading.Lock()


class SaveRequest(BaseModel):
    url: str = Field(..., min_length=1, max_length=8000, description="http(s) URL to capture")


class SaveOut(BaseModel):
    url: str
    ok: bool
    message: str
    kind: str | None = Field(None, description="how the capture ended: captured, http_error (a 4xx/5xx answer, "
                             "archived), robots, refused (by the address guard) or failed (connection)")
    status: int | None = None
    capture_id: int | None = None
    timestamp: str | None = None
    replay: str | None = None
    article_id: int | None = None
    article: str | None = None
    hops: list[dict] = []
    resources: dict[str, int] = Field(
        default_factory=dict,
        description="the page's resources: fetched, revisits, reused (archived recently), over_caps, robots, refused, failed",
    )


@dataclass
class SaveResult:
    url: str
    ok: bool
    message: str
    status: int | None = None
    capture_id: int | None = None
    timestamp: str | None = None
    article_id: int | None = None
    hops: list[dict] = field(default_factory=list)
    resources: dict[str, int] = field(default_factory=dict)
    kind: str | None = None

    def out(self) -> SaveOut:
        return SaveOut(
            url=self.url, ok=self.ok, message=self.message, kind=self.kind, status=self.status,
            capture_id=self.capture_id,
            timestamp=self.timestamp, article_id=self.article_id, hops=self.hops, resources=self.resources,
            replay=f"/web/{self.timestamp}/{self.url}" if self.timestamp else None,
            article=f"/article/{self.article_id}" if self.article_id else None,
        )


class SaveRefused(Exception):
    """Save page now is not allowed for this request; the message says why."""


def session_value(token: str) -> str:
    return hmac.new(token.encode(), b"vazeh admin session", hashlib.sha256).hexdigest()


def check_token(room: ReadingRoom, presented: str | None, cookie: str | None = None) -> None:
    expected = room.config.admin_token
    if not expected:
        raise SaveRefused(
            "save page now is switched off: set admin_token in config.toml in the archive home, "
            "or the VAZEH_ADMIN_TOKEN environment variable"
        )
    if presented and hmac.compare_digest(presented.encode(), expected.encode()):
        return
    if cookie and hmac.compare_digest(cookie.encode(), session_value(expected).encode()):
        return
    raise SaveRefused("the admin token is missing or wrong")


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL; write it in full, e.g. https://www.isna.ir/news/123")
    return url


def save_url(room: ReadingRoom, url: str) -> SaveResult:
    """Capture one URL (with its redirects) into the archive, then extract and index it."""
    from vazeh.capture import FetchConfig, capture_urls
    from vazeh.pipeline import Pipeline

    url = check_url(url)
    config = FetchConfig(allow_private=room.config.allow_private, retries=1, timeout=30.0, rate=10.0)
    # Extraction runs in the capture callback; indexing is left to the reading room's
    # index thread, where the index's SQLite handles are opened and closed.
    with _save_lock, Pipeline(room.home, index=False) as pipeline:
        outcomes = []
        report = capture_urls(pipeline.archive, [url], config, on_capture=pipeline.on_capture,
                              progress=outcomes.append)
        outcome = outcomes[0] if outcomes else None
        hops = [
            {"url": h.url, "status": h.status, "capture_id": h.capture.id if h.capture else None}
            for h in (outcome.hops if outcome else [])
        ]
        if outcome is not None and (outcome.skipped or outcome.error) and outcome.hops:
            # The redirect hops before the refusal are archived, but the page asked for is
            # not: that is a failure to save it, however many hops were kept.
            return SaveResult(url, False, _stopped_message(outcome), hops=hops, kind=outcome.kind)
        if outcome is None or outcome.final is None or outcome.final.capture is None:
            why = _why_not(outcome) if outcome else None
            return SaveResult(url, False, why or "; ".join(report.errors) or "nothing was captured", hops=hops,
                              kind=outcome.kind if outcome else "failed")
        final = outcome.final
        capture = final.capture
        if final.status >= 400:
            # The server's answer is archived (it is what the site said), but the page is
            # not there: a failure to save it, not a success with a status beside it.
            room.sync_index()
            return SaveResult(
                final.url, False, http_error_message(final.status), kind="http_error",
                status=final.status, capture_id=capture.id, timestamp=capture.timestamp14, hops=hops,
                resources=_resource_counts(outcome.resources),
            )
        room.sync_index()
        stored = pipeline.articles.for_capture(capture.id)
        article_id = stored.id if stored is not None and stored.article.is_article else None
        message = "captured" + (" (unchanged since the last capture)" if capture.record_type == "revisit" else "")
        return SaveResult(
            final.url, True, message + _resources_message(outcome.resources), kind="captured",
            status=final.status, capture_id=capture.id, timestamp=capture.timestamp14,
            article_id=article_id, hops=hops, resources=_resource_counts(outcome.resources),
        )


def http_error_message(status: int) -> str:
    code = to_persian_digits(str(status))
    if status in (404, 410):
        return f"صفحه پیدا نشد (وضعیت {code})؛ پاسخ سرور بایگانی شد"
    if status >= 500:
        return f"سرور خطا داد (وضعیت {code})؛ پاسخ سرور بایگانی شد"
    return f"سرور صفحه را نداد (وضعیت {code})؛ پاسخ سرور بایگانی شد"


def _why_not(outcome: CaptureOutcome) -> str | None:
    """Why nothing was archived, by how the capture ended: robots.txt, the guard, the connection."""
    detail = outcome.skipped or outcome.error
    if outcome.kind == "robots":
        return "robots.txt این سایت برداشتن این صفحه را اجازه نمی‌دهد؛ چیزی بایگانی نشد"
    if outcome.kind == "refused":
        return f"این نشانی را نگهبان نشانی‌ها رد کرد (نشانی خصوصی یا محلی)؛ چیزی بایگانی نشد ({detail})"
    if detail:
        return f"اتصال به سایت نشد یا پاسخ نیامد؛ چیزی بایگانی نشد ({detail})"
    return None


def _resource_counts(r) -> dict[str, int]:
    names = ("fetched", "revisits", "reused", "over_caps", "robots", "refused", "failed", "bytes")
    return {name: getattr(r, name) for name in names}


def _resources_message(r) -> str:
    if not r.total:
        return ""
    parts = [f"{r.fetched} fetched"]
    if r.revisits:
        parts.append(f"{r.revisits} unchanged")
    if r.reused:
        parts.append(f"{r.reused} already archived")
    left = r.over_caps + r.robots + r.refused + r.failed
    if left:
        parts.append(f"{left} not saved")
    return f", with {r.total} page resources ({', '.join(parts)})"


def _stopped_message(outcome: CaptureOutcome) -> str:
    """Why a capture that followed redirects did not reach the page, naming where it stopped."""
    why = "blocked by its robots.txt" if outcome.skipped == "robots.txt" else (outcome.skipped or outcome.error)
    kept = len(outcome.hops)
    hop_word = "hop was" if kept == 1 else "hops were"
    target = outcome.stopped_at
    where = f"{outcome.url} redirected to {target}, which was not captured" if target else f"{outcome.url} was not captured"
    return f"{where}: {why}. Only the {kept} redirect {hop_word} archived, not the page."


def _bearer(authorization: str | None, x_token: str | None) -> str | None:
    if x_token:
        return x_token
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


@router.post("/api/save", response_model=SaveOut, tags=["admin"], summary="Save page now (admin token required)",
             responses={401: {"description": "token missing or wrong"}, 403: {"description": "saving is off"},
                        400: {"description": "not an http(s) URL"}})
def api_save(
    request: Request,
    body: SaveRequest,
    authorization: str | None = Header(None, description="Bearer <admin token>"),
    x_vazeh_token: str | None = Header(None, description="the admin token (alternative to Authorization)"),
) -> SaveOut:
    room: ReadingRoom = request.app.state.room
    try:
        check_token(room, _bearer(authorization, x_vazeh_token))
    except SaveRefused as e:
        raise HTTPException(403 if not room.config.admin_token else 401, str(e)) from e
    try:
        return save_url(room, body.url).out()
    except ValueError as e:
        raise HTTPException(400, str(e)) from e


def _form(request: Request, context: dict, status_code: int = 200) -> Response:
    return request.app.state.templates.TemplateResponse(request, "save.html", context, status_code=status_code)


@router.get("/save", include_in_schema=False, response_class=HTMLResponse)
def save_form(request: Request, url: str = "") -> Response:
    room: ReadingRoom = request.app.state.room
    remembered = False
    if room.config.admin_token:
        cookie = request.cookies.get(ADMIN_COOKIE)
        remembered = bool(cookie) and hmac.compare_digest(cookie.encode(), session_value(room.config.admin_token).encode())
    return _form(request, {"url": url, "enabled": bool(room.config.admin_token), "remembered": remembered})


@router.post("/save", include_in_schema=False, response_class=HTMLResponse)
def save_submit(request: Request, url: str = Form(...), token: str = Form("")) -> Response:
    room: ReadingRoom = request.app.state.room
    context = {"url": url, "enabled": bool(room.config.admin_token), "remembered": False}
    try:
        check_token(room, token or None, request.cookies.get(ADMIN_COOKIE))
    except SaveRefused:
        # The form speaks Persian; /api/save keeps the English reasons for programs.
        off = not room.config.admin_token
        return _form(request, {**context, "error": messages.SAVE_OFF if off else messages.SAVE_WRONG_TOKEN},
                     403 if off else 401)
    try:
        result = save_url(room, url)
    except ValueError:  # check_url: not an http(s) address
        return _form(request, {**context, "error": messages.save_bad_url_html(url.strip()), "remembered": True}, 400)
    failure = None if result.ok else messages.save_failure_html(result.message, result.hops)
    response = _form(request, {**context, "result": result.out(), "remembered": True, "failure": failure,
                               "captures_href": f"/captures?url={quote(result.url, safe='')}"},
                     200 if result.ok else 502)
    response.set_cookie(ADMIN_COOKIE, session_value(room.config.admin_token or ""), httponly=True,
                        samesite="strict", max_age=7 * 24 * 3600, path="/")
    return response
