"""The reading room's settings: `config.toml` in the archive home, then the environment."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """config.toml cannot be read; the message names the file and the problem."""


@dataclass
class WebConfig:
    # Save page now is refused unless this token is set and presented.
    admin_token: str | None = None
    # Let save page now capture private and loopback addresses (tests, an intranet archive).
    allow_private: bool = False
    # A client's repeated views of a story count once within this many minutes.
    view_window_minutes: int = 30
    per_page: int = 20
    site_name: str = "واضح"
    # The room's address as readers reach it (e.g. https://archive.example.org), for the
    # absolute URLs replay's Link and Content-Security-Policy headers name. Never taken
    # from the request's Host: those responses are cached publicly. Unset: relative links.
    public_url: str | None = None
    # The replay origin as readers reach it (e.g. https://replay.example.org or
    # http://replay.localhost:8001): archived pages, whose scripts run, are served
    # there and never from the room's origin. Unset in create_app: the room replays
    # them itself, sandboxed, scripts off. `vazeh serve` fills it in (second port).
    replay_url: str | None = None
    # The port `vazeh serve` listens on for the replay origin (default: the room's port + 1).
    replay_port: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def load_config(home: Path) -> WebConfig:
    """Read `admin_token` (top level) and the `[web]` table of HOME/config.toml.

    VAZEH_ADMIN_TOKEN in the environment wins over the file, so a token need not
    be written to disk; so do VAZEH_PUBLIC_URL, VAZEH_REPLAY_URL and VAZEH_REPLAY_PORT
    (which is how `vazeh serve` hands them to its worker processes).
    """
    data: dict[str, Any] = {}
    path = Path(home) / "config.toml"
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path} is not valid TOML: {e}") from e
    web = data.get("web") if isinstance(data.get("web"), dict) else {}
    known = {f.name for f in fields(WebConfig)} - {"extra"}
    values: dict[str, Any] = {k: v for k, v in web.items() if k in known}
    if "admin_token" in data:
        values.setdefault("admin_token", data["admin_token"])
    cfg = WebConfig(**values)
    cfg.extra = {k: v for k, v in web.items() if k not in known}
    env_token = os.environ.get("VAZEH_ADMIN_TOKEN")
    if env_token:
        cfg.admin_token = env_token
    for name in ("public_url", "replay_url", "replay_port"):
        env = os.environ.get(f"VAZEH_{name.upper()}")
        if env:
            setattr(cfg, name, env)
    cfg.public_url = _public_url(cfg.public_url, path)
    cfg.replay_url = _public_url(cfg.replay_url, path, "replay_url")
    cfg.replay_port = _port(cfg.replay_port, path)
    if cfg.admin_token is not None:
        cfg.admin_token = str(cfg.admin_token).strip() or None
    return cfg


def _port(value: Any, path: Path) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        port = int(str(value).strip())
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise ConfigError(f"{path}: [web] replay_port = {value!r} is not a port (1-65535)")
    return port


def _public_url(value: Any, path: Path, name: str = "public_url") -> str | None:
    if value is None or str(value).strip() == "":
        return None
    from urllib.parse import urlsplit

    text = str(value).strip().rstrip("/")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as e:
        raise ConfigError(f"{path}: [web] {name} = {value!r} is not a URL ({e})") from e
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment or (
        name == "replay_url" and parts.path not in ("", "/")
    ):
        raise ConfigError(f"{path}: [web] {name} = {value!r}: give http(s)://host[:port], e.g. https://archive.example.org")
    return text
