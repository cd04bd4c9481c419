"""Where the archive lives: one data folder holds all state, unless a backend URL says otherwise.

Three backends are named by URL, one setting each. Each is read from the
environment first, then from ``[backends]`` in ``<home>/vazeh.toml``, then the
embedded default, so a backend is a configuration, not a fork:

=========  ====================  =========================================  ==================
setting    environment           values                                      default
=========  ====================  =========================================  ==================
catalog    ``VAZEH_CATALOG``     ``sqlite:///path`` or ``postgresql://...``  ``sqlite:///<home>/catalog.sqlite``
warcs      ``VAZEH_WARCS``       ``file:///path`` or ``s3://bucket/prefix``  ``file:///<home>/warcs``
batch      ``VAZEH_BATCH``       ``local``, ``local[N]`` or ``spark://...``  ``local``
=========  ====================  =========================================  ==================

An S3-compatible store other than AWS is reached through ``s3_endpoint``
(``VAZEH_S3_ENDPOINT``, e.g. ``http://127.0.0.1:9000``); credentials come the
usual boto3 way (``AWS_ACCESS_KEY_ID`` and friends).

The size at which a WARC file is finished and a new one started is
``VAZEH_ROTATE_BYTES`` (bytes; default 1 GiB), read when the code opening the
archive names none. Small values are for tests and trials of an object store:
every finished file is sealed and, with an ``s3://`` backend, uploaded.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = "vazeh-data"
CONFIG_FILE = "vazeh.toml"

_ENV = {
    "catalog": "VAZEH_CATALOG",
    "warcs": "VAZEH_WARCS",
    "batch": "VAZEH_BATCH",
    "s3_endpoint": "VAZEH_S3_ENDPOINT",
}


ROTATE_ENV = "VAZEH_ROTATE_BYTES"


class ConfigError(ValueError):
    """A backend setting that vazeh cannot use; the message says which and why."""


def home_path(home: str | os.PathLike[str] | None = None) -> Path:
    """The archive home: the argument, else $VAZEH_HOME, else ./vazeh-data."""
    if home is not None:
        return Path(home).expanduser().resolve()
    env = os.environ.get("VAZEH_HOME")
    return Path(env or DEFAULT_HOME).expanduser().resolve()


@dataclass(frozen=True)
class Backends:
    catalog: str
    warcs: str
    batch: str
    s3_endpoint: str | None = None

    @property
    def catalog_scheme(self) -> str:
        return self.catalog.split(":", 1)[0].split("+", 1)[0]

    @property
    def warcs_scheme(self) -> str:
        return self.warcs.split(":", 1)[0]


def _file_settings(home: Path) -> dict[str, str]:
    path = home / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read as TOML: {exc}") from exc
    section = data.get("backends", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [backends] must be a table")
    unknown = set(section) - set(_ENV)
    if unknown:
        raise ConfigError(f"{path}: unknown backend setting(s) {sorted(unknown)}; known: {sorted(_ENV)}")
    return {k: str(v) for k, v in section.items()}


def backends(home: str | os.PathLike[str] | None = None) -> Backends:
    """The backends of an archive home, validated (a ConfigError names a bad one)."""
    root = home_path(home)
    settings = _file_settings(root)
    for key, env in _ENV.items():
        if os.environ.get(env):
            settings[key] = os.environ[env]
    b = Backends(
        catalog=settings.get("catalog") or f"sqlite:///{root / 'catalog.sqlite'}",
        warcs=settings.get("warcs") or f"file:///{root / 'warcs'}",
        batch=settings.get("batch") or "local",
        s3_endpoint=settings.get("s3_endpoint") or None,
    )
    if b.catalog_scheme not in ("sqlite", "postgresql", "postgres"):
        raise ConfigError(f"catalog {b.catalog!r}: expected sqlite:///path or postgresql://...")
    if b.warcs_scheme not in ("file", "s3"):
        raise ConfigError(f"warcs {b.warcs!r}: expected file:///path or s3://bucket/prefix")
    if not (b.batch == "local" or b.batch.startswith(("local[", "spark://"))):
        raise ConfigError(f"batch {b.batch!r}: expected local, local[N] or spark://host:port")
    return b


def path_of_file_url(url: str) -> Path:
    """The path of a sqlite:/// or file:/// URL (three slashes then an absolute path)."""
    scheme, _, rest = url.partition("://")
    if not rest.startswith("/"):
        raise ConfigError(f"{url!r}: expected {scheme}:///absolute/path")
    return Path(rest.lstrip("/") and "/" + rest.lstrip("/"))


def rotate_bytes(default: int) -> int:
    """The WARC rotation size: $VAZEH_ROTATE_BYTES when set (a positive whole number
    of bytes), else `default`."""
    raw = os.environ.get(ROTATE_ENV, "").strip().replace("_", "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) <= 0:
        raise ConfigError(f"{ROTATE_ENV}={os.environ[ROTATE_ENV]!r}: expected a positive number of bytes")
    return int(raw)
