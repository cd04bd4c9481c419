"""The reading room: pages, replay of captures, feeds and the JSON API.

Public face: `create_app(home, config=...)` gives the FastAPI app, `serve(home, host, port)` runs it.
"""

from vazeh.web.app import create_app, serve
from vazeh.web.settings import WebConfig, load_config

__all__ = ["WebConfig", "create_app", "load_config", "serve"]
