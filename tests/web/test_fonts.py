"""Vazirmatn is served by the app itself when scripts/fetch_font.py installed it."""

from __future__ import annotations

import re

import pytest

from vazeh.web.app import FONTS_CSS


def test_pages_link_the_local_font_only_when_it_is_installed(client):
    html = client.get("/").text
    assert ("/static/fonts/fonts.css" in html) == FONTS_CSS.exists()
    assert "fonts.googleapis" not in html and "cdn" not in html.lower()
    css = client.get("/static/style.css").text
    assert "Vazirmatn" in css and "Tahoma" in css  # the fallback chain


def test_installed_font_files_are_served(client):
    if not FONTS_CSS.exists():
        pytest.skip("Vazirmatn is not installed (python scripts/fetch_font.py); the fallback test covers this")
    css = client.get("/static/fonts/fonts.css")
    assert css.status_code == 200 and "@font-face" in css.text
    for name in re.findall(r"url\(([^)]+\.woff2)\)", css.text):
        r = client.get(f"/static/fonts/{name}")
        assert r.status_code == 200 and r.content[:4] == b"wOF2"
