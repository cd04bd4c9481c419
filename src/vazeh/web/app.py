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
from vazeh.web import admin, api, attention, available, calendar, cdx, feeds, pages, replay
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
from vazeh.web.messages import fa_text, validation_html
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


def room_csp(config: WebConfig) -> str:
    """ROOM_CSP, with images allowed from the replay origin (an article's archived picture
    is a /web/ address, which redirects there)."""
    if not config.replay_url:
        return ROOM_CSP
    return ROOM_CSP.replace("img-src 'self' data:", f"img-src 'self' data: {config.replay_url.rstrip('/')}")


class RoomHeaders:
    """ASGI middleware: the reading room's CSP on every response that has none of its own
    (replayed pages carry their sandbox policy, which must not be replaced)."""

    def __init__(self, app: Any, csp: str = ROOM_CSP):
        self.app = app
        self.csp = csp.encode()

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", self.csp))
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
        fa_text=fa_text,
    )
    env.globals.update(site_name=site_name, fonts_css=FONTS_CSS.exists(), replay_base="")
    return templates


class SplitOrigins:
    """ASGI: requests that reached the replay listener go to the replay app, the rest to
    the room. Told apart by the local port the connection came in on (the socket's, as
    the server reports it), never by the Host header a client writes."""

    def __init__(self, room_app: FastAPI, replay_app: FastAPI, replay_port: int):
        self.room_app = room_app
        self.replay_app = replay_app
        self.replay_port = replay_port
        # The room's own state (tests and callers reach app.state.room, app.state.config).
        self.state = room_app.state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        server = scope.get("server")
        if scope["type"] in ("http", "websocket") and server and len(server) > 1 and server[1] == self.replay_port:
            await self.replay_app(scope, receive, send)
            return
        # Lifespan too: the room warms and closes the one ReadingRoom both apps share.
        await self.room_app(scope, receive, send)


def replay_listen_port(config: WebConfig) -> int | None:
    """The local port replay requests arrive on: replay_port, else replay_url's own port."""
    if not config.replay_url:
        return None
    if config.replay_port:
        return config.replay_port
    from urllib.parse import urlsplit

    parts = urlsplit(config.replay_url)
    return parts.port or (443 if parts.scheme == "https" else 80)


def create_replay_app(room: ReadingRoom, config: WebConfig, templates: Jinja2Templates) -> FastAPI:
    """The replay origin: `/web/` replay, the TimeMap, the banner's font and the
    replay script, nothing of the room (no pages, API, admin form or cookies)."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.room = room
    app.state.config = config
    app.state.templates = templates
    app.state.replay_origin = True
    app.add_middleware(CatchAll)
    # Its error pages run no script either; replayed responses carry their own policy.
    app.add_middleware(RoomHeaders)
    app.include_router(replay.router)
    app.include_router(replay.origin_router)
    _error_pages(app)
    return app


REQUEST_THREADS = 8

def create_app(home: Path | None = None, *, config: WebConfig | None = None) -> Any:
    """The reading room over one archive home (arg, else $VAZEH_HOME, else ./vazeh-data).

    `config` defaults to HOME/config.toml plus VAZEH_* from the environment. With a
    `replay_url` the answer also serves the replay origin: requests arriving on its
    port (replay_port, else the URL's) are replayed with scripts, and the room's
    `/web/` addresses redirect there.
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
    templates = make_templates(config.site_name)
    if config.replay_url:
        templates.env.globals["replay_base"] = config.replay_url.rstrip("/")
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    # Inside RoomHeaders, so the 500 page it writes gets the room's policy too.
    app.add_middleware(CatchAll)
    app.add_middleware(RoomHeaders, csp=room_csp(config))
    for module in (pages, replay, calendar, feeds, cdx, available, api, admin, attention):
        app.include_router(module.router)
    _error_pages(app)
    _document_errors(app)

    port = replay_listen_port(config)
    if port is None:
        return app
    return SplitOrigins(app, create_replay_app(room, config, templates), port)


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
        return answer(request, 400, "درخواست نادرست", validation_html(exc.errors()), problems)


_ANY_ADDRESS = {"0.0.0.0", "::", ""}


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def serve_config(config: WebConfig, host: str, port: int, replay_port: int | None = None) -> WebConfig:
    """The config `vazeh serve` runs with: the replay origin filled in (second port,
    default the room's + 1) and the room's own address, which the replay origin's
    banner and frame policy name. Raises ConfigError when they cannot be known."""
    from dataclasses import replace
    from urllib.parse import urlsplit

    from vazeh.web.settings import ConfigError

    replay_port = replay_port or config.replay_port or port + 1
    if not 1 <= replay_port <= 65535:
        raise ConfigError(f"the replay origin's port {replay_port} is no port: give --replay-port or [web] replay_port")
    if replay_port == port:
        raise ConfigError(f"the replay origin needs a port of its own: replay_port is the room's port ({port})")
    public_url, replay = config.public_url, config.replay_url
    if public_url is None or replay is None:
        if public_url:
            parts = urlsplit(public_url)
            name = f"{parts.scheme}://{_url_host(parts.hostname or '')}"
        elif host not in _ANY_ADDRESS:
            name = f"http://{_url_host(host)}"
        else:
            raise ConfigError(
                f"listening on {host or 'every address'}, the room cannot tell the address readers reach it "
                "by: set [web] public_url (and replay_url) in config.toml, e.g. public_url = "
                '"http://archive.lan:8000", replay_url = "http://replay.archive.lan:8001"'
            )
        public_url = public_url or f"{name}:{port}"
        replay = replay or f"{name}:{replay_port}"
    return replace(config, public_url=public_url, replay_url=replay, replay_port=replay_port)


def serve(
    home: Path | None = None, host: str = "127.0.0.1", port: int = 8000, *, workers: int = 1,
    replay_port: int | None = None, **uvicorn_options: Any,
) -> WebConfig:
    """Run the reading room with uvicorn until interrupted (several worker processes if
    asked), with the replay origin on a second port of the same server.

    Returns the config it ran with (for what it printed); raises ConfigError, OSError."""
    import os

    import uvicorn

    home = home_path(home)
    config = serve_config(load_config(home), host, port, replay_port)
    log_level = uvicorn_options.pop("log_level", "info")
    sockets = [uvicorn.Config(None, host=host, port=p).bind_socket() for p in (port, config.replay_port)]
    if workers > 1:
        from uvicorn.supervisors import Multiprocess

        # Worker processes import the app themselves: hand them the home and the
        # replay origin through the environment, which load_config reads.
        os.environ["VAZEH_HOME"] = str(home)
        os.environ["VAZEH_PUBLIC_URL"] = config.public_url or ""
        os.environ["VAZEH_REPLAY_URL"] = config.replay_url or ""
        os.environ["VAZEH_REPLAY_PORT"] = str(config.replay_port)
        uv = uvicorn.Config("vazeh.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                            log_level=log_level, **uvicorn_options)
        Multiprocess(uv, sockets=sockets).run()
        return config
    server = uvicorn.Server(uvicorn.Config(create_app(home, config=config), host=host, port=port,
                                           log_level=log_level, **uvicorn_options))
    try:
        server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass
    return config


def app_from_env() -> FastAPI:
    """The app for the archive home in $VAZEH_HOME: an import string for uvicorn's --factory and workers."""
    return create_app(None)
