"""Save page now tells the truth when only a redirect hop was saved (issue #12, item 10)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from vazeh.capture import guard
from vazeh.web import WebConfig, create_app

ADMIN = "test-admin-token-save-report"


def _only_127_0_0_1_is_public(monkeypatch):
    real = guard.refusal
    monkeypatch.setattr(guard, "refusal", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))


def test_a_refused_redirect_target_is_reported_as_not_saved(home, site, monkeypatch):
    _only_127_0_0_1_is_public(monkeypatch)
    port = site.server_address[1]
    target = f"http://127.0.0.2:{port}/news/1"
    url = site.base_url + f"/redirect/1?to={target}"
    with TestClient(create_app(home, config=WebConfig(admin_token=ADMIN, allow_private=False))) as client:
        r = client.post("/api/save", json={"url": url}, headers={"Authorization": f"Bearer {ADMIN}"})
        assert r.status_code == 200, r.text
        out = r.json()
        assert out["ok"] is False
        message = out["message"]
        assert target in message and "127.0.0.2" in message and "refused" in message
        assert "redirect hop" in message
        # The hop that was archived is listed, so the admin can see what was kept.
        assert [h["status"] for h in out["hops"]] == [301] and out["hops"][0]["capture_id"]
        assert out["replay"] is None and out["capture_id"] is None

        form = client.post("/save", data={"url": url, "token": ADMIN})
        assert form.status_code == 502 and "127.0.0.2" in form.text
