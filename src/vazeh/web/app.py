"""The reading room's FastAPI application: `create_app(home)` and `serve(home, host, port)`."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from vazeh.config import home_path
from vazeh.web import admin, api, feeds, pages, replay
from vazeh.web.errors import BadRequest, CatchAll, error_body, wants_json, wants_text
from vazeh.web.fmt import (
    display_url,
    fa_digits,
    fa_number,
    jalali,
    jalali_date,
    path_quote,
    utc_iso,
    web_href,
)
from vazeh.web.room import ReadingRoom
from vazeh.web.settings import WebConfig, load_config

log = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
FONTS_CSS = STATIC_DIR / "fonts" / "fonts.css"


# The reading room's own pages run no script and load nothing from elsewhere; saying
# so to the browser turns any escaping slip in archived text into a harmless one.
ROOM_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; font-src 'self'; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
)


class RoomHeaders:
    """ASGI middleware: the reading room's CSP on every response that has none of its own
    (replayed pages carry their sandbox policy, which must not be replaced)."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", ROOM_CSP.encode()))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def make_templates(site_name: str) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
    env = templates.env
    env.filters.update(
        jalali=jalali,
        jalali_date=jalali_date,
        fa=fa_digits,
        num=fa_number,
        utc=utc_iso,
        pathq=path_quote,
        display_url=display_url,
        web_href=web_href,
    )
    env.globals.update(site_name=site_name, fonts_css=FONTS_CSS.exists())
    return templates


REQUEST_THREADS = 8

def create_app(home: Path | None = None, *, config: WebConfig | None = None) -> FastAPI:
    """The reading room over one archive home (arg, else $VAZEH_HOME, else ./vazeh-data).

    `config` defaults to HOME/config.toml plus VAZEH_ADMIN_TOKEN from the environment.
    """
    home = home_path(home)
    config = config or load_config(home)
    room = ReadingRoom(home, config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        import anyio.to_thread

        # Catch the lists up with the article store before the first reader arrives:
        # on a large archive that has grown a lot this takes seconds, not a request's time.
        await anyio.to_thread.run_sync(room.warm)
        # What is loaded by now lives as long as the server. Frozen, the collector's
        # full passes no longer walk it, and such a pass stalls every request of
        # the worker while it runs.
        gc.collect()
        gc.freeze()
        # Pages are short CPU work under one GIL: a few request threads keep the core
        # busy, while anyio's default of 40 made them fight for the GIL and switch
        # constantly (measured: fewer pages per second and longer tails).
        anyio.to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        yield
        room.close()

    app = FastAPI(
        lifespan=lifespan,
        title="vazeh",
        summary="A Persian news web archive: articles, search, captures, CDX.",
        version="0.1.0",
        # FastAPI's own /docs page loads Swagger UI from a CDN; a local page lists the API instead.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.room = room
    app.state.config = config
    app.state.templates = make_templates(config.site_name)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # Inside RoomHeaders, so the 500 page it writes gets the room's policy too.
    app.add_middleware(CatchAll)
    app.add_middleware(RoomHeaders)
    for module in (pages, replay, feeds, api, admin):
        app.include_router(module.router)
    _error_pages(app)
    _document_errors(app)

    return app


def _document_errors(app: FastAPI) -> None:
    """The schema says what the room answers: FastAPI documents a 422 for bad
    parameters, the room gives 400 (with `detail`); feeds and ids can be 404."""
    from fastapi.openapi.utils import get_openapi

    def schema() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
            for path, methods in spec.get("paths", {}).items():
                for op in methods.values():
                    responses = op.setdefault("responses", {})
                    responses.pop("422", None)
                    responses.setdefault("400", {"description": "malformed parameters; `detail` says which"})
                    if "{" in path:
                        responses.setdefault("404", {"description": "nothing by that name or id"})
            spec.get("components", {}).get("schemas", {}).pop("HTTPValidationError", None)
            spec.get("components", {}).get("schemas", {}).pop("ValidationError", None)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = schema  # type: ignore[method-assign]


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/cdx", "/openapi"))


def _error_pages(app: FastAPI) -> None:
    def answer(request: Request, status: int, heading: str, fa: str, en: str,
               headers: dict[str, str] | None = None) -> Response:
        path = request.url.path
        if wants_json(path) or wants_text(path):
            body, ctype = error_body(path, status, heading, fa, en)
            return Response(body, status_code=status, headers=headers, media_type=ctype.decode())
        return app.state.templates.TemplateResponse(
            request, "error.html", {"heading": heading, "message": fa}, status_code=status, headers=headers
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        heading = "صفحه پیدا نشد" if exc.status_code == 404 else "خطا"
        message = "نشانی‌ای که خواستید در این بایگانی نیست." if exc.status_code == 404 else str(exc.detail)
        # exc.headers carries e.g. a 405's Allow, which RFC 9110 requires.
        return app.state.templates.TemplateResponse(
            request, "error.html", {"heading": heading, "message": message}, status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(BadRequest)
    async def bad_input(request: Request, exc: BadRequest) -> Response:
        return answer(request, exc.status, exc.heading, exc.fa, exc.en)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}" for e in exc.errors()
        )
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=400)
        return answer(request, 400, "درخواست نادرست", f"پارامترهای این درخواست درست نیستند ({problems}).", problems)


def serve(
    home: Path | None = None, host: str = "127.0.0.1", port: int = 8000, *, workers: int = 1, **uvicorn_options: Any
) -> None:
    """Run the reading room with uvicorn until interrupted (several worker processes if asked)."""
    import os

    import uvicorn

    log_level = uvicorn_options.pop("log_level", "info")
    if workers > 1:
        # Worker processes import the app themselves: hand them the home through the environment.
        os.environ["VAZEH_HOME"] = str(home_path(home))
        uvicorn.run("vazeh.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                    log_level=log_level, **uvicorn_options)
        return
    uvicorn.run(create_app(home), host=host, port=port, log_level=log_level, **uvicorn_options)


def app_from_env() -> FastAPI:
    """The app for the archive home in $VAZEH_HOME: an import string for uvicorn's --factory and workers."""
    return create_app(None)
