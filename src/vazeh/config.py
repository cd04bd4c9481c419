"""Where the archive lives: one data folder holds all state."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOME = "vazeh-data"


def home_path(home: str | os.PathLike[str] | None = None) -> Path:
    """The archive home: the argument, else $VAZEH_HOME, else ./vazeh-data."""
    if home is not None:
        return Path(home).expanduser().resolve()
    env = os.environ.get("VAZEH_HOME")
    return Path(env or DEFAULT_HOME).expanduser().resolve()
