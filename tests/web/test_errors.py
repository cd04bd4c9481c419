"""What the room answers when a handler fails: a logged Persian 500, never a dropped connection (#12)."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from vazeh.web import WebConfig, create_app


class FakePanic(BaseException):
    """Like pyo3_runtime.PanicException: a BaseException, not an Exception."""


@pytest.mark.parametrize("error", [RuntimeError("boom"), FakePanic("engine panicked")])
def test_an_unexpected_error_is_a_logged_persian_500(sample, monkeypatch, caplog, error):
    from vazeh.web.room import ReadingRoom

    def broken(self, *a, **kw):
        raise error

    monkeypatch.setattr(ReadingRoom, "listing", broken)
    with TestClient(create_app(sample.home, config=WebConfig()), raise_server_exceptions=False) as c:
        with caplog.at_level(logging.ERROR, logger="vazeh.web.errors"):
            page = c.get("/")
            api = c.get("/api/articles")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html") and "خطایی در تالار خواندن" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert api.status_code == 500 and api.json()["detail"]
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_huge_ids_are_a_400_not_an_overflow(client):
    for path in ("/article/9223372036854775808", "/article/-1", "/article/1/diff/99999999999999999999",
                 "/api/articles/9223372036854775808", "/article/" + "9" * 400):
        r = client.get(path)
        assert r.status_code == 400, path
    assert "درخواست نادرست" in client.get("/article/9223372036854775808").text
    assert client.get("/article/9223372036854775807").status_code == 404
