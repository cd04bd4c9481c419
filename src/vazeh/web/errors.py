"""How the reading room answers what it cannot serve.

A malformed request (a URL that is no web address, an impossible timestamp, an id
past SQLite's integers) is the reader's mistake and gets a 4xx naming it:
`BadRequest` carries the Persian sentence a reader sees and the English one the
JSON API and CDX have always answered with.

Anything else that escapes a handler is the room's fault. `CatchAll` turns it
into a logged 500 page rather than a dropped connection, including the
BaseExceptions that are not Exception (pyo3's PanicException from the search
engine is one): Starlette's own ServerErrorMiddleware catches only Exception,
and uvicorn closes the connection without a response on anything else.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

log = logging.getLogger(__name__)

# Cancellation and shutdown must travel on: catching them would keep a server from stopping.
_PASS_THROUGH = (KeyboardInterrupt, SystemExit, GeneratorExit, asyncio.CancelledError)

SERVER_ERROR_FA = "خطایی در تالار خواندن رخ داد و ثبت شد. لطفاً کمی بعد دوباره امتحان کنید."
SERVER_ERROR_EN = "internal error in the reading room; it has been logged"


class BadRequest(Exception):
    """A request the room cannot answer as asked; `fa` for readers, `en` for API clients."""

    def __init__(self, fa: str, en: str | None = None, *, status: int = 400, heading: str = "درخواست نادرست"):
        super().__init__(en or fa)
        self.fa = fa
        self.en = en or fa
        self.status = status
        self.heading = heading


def wants_json(path: str) -> bool:
    return path.startswith(("/api/", "/openapi"))


def wants_text(path: str) -> bool:
    return path.startswith("/cdx")


def _error_html(heading: str, message: str) -> bytes:
    from markupsafe import escape

    # Self-contained on purpose: the templates themselves may be what failed.
    return (
        '<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
        f"<title>{escape(heading)}</title>"
        '<link rel="stylesheet" href="/static/style.css"></head><body><main>'
        f"<h1>{escape(heading)}</h1><p class=\"error\">{escape(message)}</p>"
        '<p><a href="/">بازگشت به صفحهٔ نخست</a></p></main></body></html>'
    ).encode()


def error_body(path: str, status: int, heading: str, fa: str, en: str) -> tuple[bytes, bytes]:
    """The body and content type of an error answer, in the form the address speaks."""
    import json

    if wants_json(path):
        return json.dumps({"detail": en, "message": fa}, ensure_ascii=False).encode(), b"application/json"
    if wants_text(path):
        return (en + "\n").encode(), b"text/plain; charset=utf-8"
    return _error_html(heading, fa), b"text/html; charset=utf-8"


class CatchAll:
    """ASGI middleware: an exception no handler took becomes a logged 500, never a dropped connection."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except _PASS_THROUGH:
            raise
        except BaseException:  # noqa: BLE001 - PanicException and kin are BaseException; see the module doc
            log.exception("unhandled error answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                # Part of the answer is already out; all that is left is to end it.
                return
            path = scope.get("path", "")
            body, ctype = error_body(path, 500, "خطای تالار", SERVER_ERROR_FA, SERVER_ERROR_EN)
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                                    (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": body})
