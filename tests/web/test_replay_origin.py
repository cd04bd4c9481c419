"""The replay origin: archived pages replayed with their scripts on an origin of
their own, the room's `/web/` addresses pointing there, nothing of the room on it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from vazeh.web import WebConfig, create_app
from vazeh.web.admin import ADMIN_COOKIE, session_value
from vazeh.web.app import serve_config
from vazeh.web.settings import ConfigError, load_config

from .conftest import ADMIN_TOKEN

ROOM = "http://127.0.0.1:8000"
REPLAY = "http://127.0.0.1:8001"
URL = "http://ava.example/news/2002/second"


@pytest.fixture
def split(sample) -> Iterator[TestClient]:
    config = WebConfig(admin_token=ADMIN_TOKEN, public_url=ROOM, replay_url=REPLAY)
    # One client for both origins: the port of each request's URL picks the listener,
    # as the socket's port does under uvicorn.
    with TestClient(create_app(sample.home, config=config), base_url=ROOM) as c:
        yield c


def test_the_rooms_replay_addresses_redirect_to_the_replay_origin(split, sample):
    ts = sample.stories["match"].capture.timestamp14
    r = split.get(f"/web/{ts}/{URL}", headers={"Host": "evil.example"}, follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"{REPLAY}/web/{ts}/{URL}"
    article = split.get(f"/article/{sample.stories['match'].article_id}")
    assert f'href="{REPLAY}/web/{ts}/{URL}"' in article.text
    # The article's picture is a /web/ address too; the room's policy lets it come from there.
    assert f"img-src 'self' data: {REPLAY}" in article.headers["content-security-policy"]
    assert "script-src 'none'" in article.headers["content-security-policy"]
    link = split.get(f"/timemap/link/{URL}").text
    assert f"<{REPLAY}/web/{ts}/{URL}>" in link


def test_pages_on_the_replay_origin_run_scripts_inside_the_archive(split, sample):
    ts = sample.stories["match"].capture.timestamp14
    r = split.get(f"{REPLAY}/web/{ts}/{URL}", headers={"Host": "evil.example"})
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "sandbox" not in csp
    assert "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:" in csp
    assert f"frame-ancestors 'self' {ROOM}" in csp and "evil.example" not in csp + r.headers["link"]
    assert r.headers["referrer-policy"] == "same-origin"
    html = r.text
    assert html.index('<script src="/_vazeh/replay.js"></script>') < html.index("<title>")
    assert f'href="{ROOM}/calendar?url=' in html and f'href="{ROOM}/"' in html
    assert f'href="/web/{ts}/http://ava.example/"' in html
    js = split.get(f"{REPLAY}/_vazeh/replay.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")


@pytest.mark.parametrize("path", ["/api/articles", "/save", "/article/1", "/search?q=x", "/static/style.css",
                                  "/docs", "/openapi.json", "/cdx?url=*", "/calendar?url=http://ava.example/"])
def test_nothing_of_the_room_is_on_the_replay_origin(split, path):
    r = split.get(f"{REPLAY}{path}", cookies={ADMIN_COOKIE: session_value(ADMIN_TOKEN)}, follow_redirects=False)
    assert r.status_code == 404, (path, r.status_code)
    assert "set-cookie" not in r.headers
    assert split.post(f"{REPLAY}/api/save", json={"url": URL},
                      headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}).status_code in (404, 405)


def test_the_front_door_of_the_replay_origin_leads_to_the_room(split):
    r = split.get(f"{REPLAY}/", follow_redirects=False)
    assert r.status_code == 302 and r.headers["location"] == f"{ROOM}/"


def test_root_relative_requests_of_scripts_come_back_into_the_archive(split, sample):
    ts = sample.stories["match"].capture.timestamp14
    r = split.get(f"{REPLAY}/img/photo.png?x=1", follow_redirects=False,
                  headers={"Referer": f"{REPLAY}/web/{ts}/{URL}", "Sec-Fetch-Dest": "image"})
    assert r.status_code == 307 and r.headers["cache-control"] == "no-store"
    assert r.headers["location"] == f"/web/{ts}im_/http://ava.example/img/photo.png?x=1"
    api = split.get(f"{REPLAY}/api/x", follow_redirects=False, headers={"Referer": f"{REPLAY}/web/{ts}/{URL}"})
    assert api.headers["location"] == f"/web/{ts}oe_/http://ava.example/api/x"
    assert split.get(f"{REPLAY}/img/photo.png", follow_redirects=False).status_code == 404


def test_service_workers_are_not_replayed(split, write_page):
    write_page("http://ava.example/sw.js", b"self.onfetch = () => {}", ctype="text/javascript")
    r = split.get(f"{REPLAY}/web/2030js_/http://ava.example/sw.js", headers={"Service-Worker": "script"})
    assert r.status_code == 403


def test_serve_config_defaults_to_a_second_port(tmp_path, monkeypatch):
    for name in ("VAZEH_PUBLIC_URL", "VAZEH_REPLAY_URL", "VAZEH_REPLAY_PORT"):
        monkeypatch.delenv(name, raising=False)
    cfg = serve_config(WebConfig(), "127.0.0.1", 8000)
    assert (cfg.public_url, cfg.replay_url, cfg.replay_port) == (ROOM, REPLAY, 8001)
    cfg = serve_config(WebConfig(replay_url="http://replay.localhost:9001", replay_port=9001), "127.0.0.1", 8000)
    assert (cfg.public_url, cfg.replay_url) == (ROOM, "http://replay.localhost:9001")
    cfg = serve_config(WebConfig(public_url="https://archive.example.org"), "0.0.0.0", 8000, 8443)
    assert cfg.replay_url == "https://archive.example.org:8443"
    with pytest.raises(ConfigError, match="public_url"):
        serve_config(WebConfig(), "0.0.0.0", 8000)
    with pytest.raises(ConfigError, match="port of its own"):
        serve_config(WebConfig(), "127.0.0.1", 8000, 8000)
    (tmp_path / "config.toml").write_text('[web]\nreplay_url = "http://replay.localhost:8001"\nreplay_port = 8001\n')
    assert load_config(tmp_path).replay_url == "http://replay.localhost:8001"
    monkeypatch.setenv("VAZEH_REPLAY_PORT", "9009")
    assert load_config(tmp_path).replay_port == 9009
    monkeypatch.setenv("VAZEH_REPLAY_PORT", "99999")
    with pytest.raises(ConfigError, match="replay_port"):
        load_config(tmp_path)
    monkeypatch.delenv("VAZEH_REPLAY_PORT")
    (tmp_path / "config.toml").write_text('[web]\nreplay_url = "http://replay.localhost:8001/web/"\n')
    with pytest.raises(ConfigError, match="replay_url"):
        load_config(tmp_path)


def test_two_listeners_one_server_told_apart_by_socket(sample):
    """Over real sockets, as `vazeh serve` runs: the Host a client sends picks nothing."""
    sockets = []
    for _ in range(2):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    room_port, replay_port = (s.getsockname()[1] for s in sockets)
    config = serve_config(WebConfig(), "127.0.0.1", room_port, replay_port)
    server = uvicorn.Server(uvicorn.Config(create_app(sample.home, config=config), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    try:
        for _ in range(400):
            if server.started:
                break
            threading.Event().wait(0.05)
        ts = sample.stories["match"].capture.timestamp14
        room = httpx.get(f"http://127.0.0.1:{room_port}/web/{ts}/{URL}", headers={"Host": f"127.0.0.1:{replay_port}"})
        assert room.status_code == 302
        assert room.headers["location"] == f"http://127.0.0.1:{replay_port}/web/{ts}/{URL}"
        replayed = httpx.get(room.headers["location"], headers={"Host": f"127.0.0.1:{room_port}"})
        assert replayed.status_code == 200 and "sandbox" not in replayed.headers["content-security-policy"]
        assert httpx.get(f"http://127.0.0.1:{replay_port}/api/articles").status_code == 404
        assert httpx.get(f"http://127.0.0.1:{room_port}/api/articles").status_code == 200
    finally:
        server.should_exit = True
        thread.join(30)


def test_the_api_links_captures_straight_to_the_replay_origin(split, sample):
    ts = sample.stories["match"].capture.timestamp14
    caps = split.get("/api/captures", params={"url": URL}).json()
    assert caps and caps[-1]["replay"] == f"{REPLAY}/web/{ts}/{URL}"
    assert caps[-1]["raw"] == f"{REPLAY}/web/{ts}id_/{URL}"
    article = split.get(f"/api/articles/{sample.stories['match'].article_id}").json()
    assert all(c["replay"].startswith(REPLAY + "/web/") for c in article["captures"])
