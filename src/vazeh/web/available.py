"""The Wayback Machine's availability API: `/wayback/available?url=...&timestamp=...`.

    {"url": "example.com", "timestamp": "2024",
     "archived_snapshots": {"closest": {"available": true, "status": "200",
        "url": "http://host/web/20240301120000/http://example.com/", "timestamp": "20240301120000"}}}

As archive.org answers it: `archived_snapshots` is `{}` when nothing is archived,
`timestamp` is echoed only when given, the status is a string. The closest capture
is the newest without a timestamp; with one, the nearest to the last second the
timestamp names (pywb's padding, so `2024` prefers the latest capture of 2024), and
only captures that were not errors (status below 400; a revisit counts as its
original's status) are offered, as archive.org offers no 404 as a snapshot.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from vazeh.web import cdx
from vazeh.web.errors import BadRequest
from vazeh.web.replay import archived_url, header_url, latest_time, replay_base

router = APIRouter()


@router.get("/wayback/available", tags=["captures"], summary="The Wayback Machine's availability API",
            response_class=JSONResponse)
def available(request: Request) -> Response:
    params = request.query_params
    url = (params.get("url") or "").strip()
    ts = (params.get("timestamp") or "").strip()
    if not url:
        return cdx.error('The "url" param is required')
    try:
        cdx.check_url(url)
        cdx._ts(ts, "timestamp")
    except cdx.CdxQueryError as e:
        return cdx.error(str(e))
    answer: dict[str, object] = {"url": url}
    if ts:
        answer["timestamp"] = ts
    try:
        target = archived_url(url, "")
    except BadRequest as e:
        return cdx.error(e.en, e.status)
    archive = request.app.state.room.shelf().archive
    caps = archive.captures(target)
    status_of: dict[str, int | None] = {}
    good = []
    for c in caps:  # oldest first, so a revisit's original is seen before it
        status = c.status
        if c.record_type == "revisit":
            status = status_of.get(c.payload_digest or "", status)
        elif c.payload_digest:
            status_of.setdefault(c.payload_digest, c.status)
        if status is not None and status < 400:
            good.append((c, status))
    closest = None
    if good and not ts:
        closest = good[-1]
    elif good:
        at = latest_time(ts).timestamp()
        # Ties go to the earlier capture, as pywb's closest sort.
        closest = min(good, key=lambda cs: abs(cs[0].captured_at.timestamp() - at))
    snapshots: dict[str, object] = {}
    if closest is not None:
        c, status = closest
        snapshots["closest"] = {
            "status": str(status), "available": True,
            "url": f"{replay_base(request)}/web/{c.timestamp14}/{header_url(c.url)}", "timestamp": c.timestamp14,
        }
    answer["archived_snapshots"] = snapshots
    return JSONResponse(answer)
