"""The demo turns save page now on; `vazeh serve` says where it is at once and when it is ready."""

from __future__ import annotations

import socket
import threading

from vazeh.cli import demo
from vazeh.cli.web import announce_when_ready
from vazeh.web.settings import load_config


def test_demo_admin_token_turns_save_page_on(home, monkeypatch, capsys):
    monkeypatch.setenv("VAZEH_ADMIN_TOKEN", "")  # _enable_save_page sets it; monkeypatch puts it back
    demo._enable_save_page(home, "demo-secret", 8000)
    assert load_config(home).admin_token == "demo-secret"
    assert "http://127.0.0.1:8000/save" in capsys.readouterr().out


def test_demo_without_a_token_prints_a_one_time_token(home, monkeypatch, capsys):
    monkeypatch.setenv("VAZEH_ADMIN_TOKEN", "")
    demo._enable_save_page(home, None, 8123)
    token = load_config(home).admin_token
    assert token and len(token) >= 12
    out = capsys.readouterr().out
    assert token in out and "/save" in out
    # Nothing written into the home: the next run makes a new one.
    assert not (home / "config.toml").exists()


def test_ready_is_said_once_the_port_accepts(capsys):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    thread = announce_when_ready("127.0.0.1", port, f"http://127.0.0.1:{port}")
    assert thread is not None
    assert "ready" not in capsys.readouterr().out
    server = socket.socket()
    server.bind(("127.0.0.1", port))
    server.listen()
    accepted = threading.Thread(target=lambda: server.accept()[0].close(), daemon=True)
    accepted.start()
    thread.join(10)
    server.close()
    assert not thread.is_alive()
    assert f"ready: open http://127.0.0.1:{port}/" in capsys.readouterr().out


def test_no_ready_when_someone_else_holds_the_port():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        assert announce_when_ready("127.0.0.1", server.getsockname()[1], "http://x") is None
    finally:
        server.close()
