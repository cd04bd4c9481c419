"""A corpus of damaged WARC/ARC/WACZ files, made by code (no binary blobs in the repository).

Every kind is a file of good records with one damaged place among them (or a
whole file that is odd). `build(kind, folder)` writes it and says what an import
must do with it: which URLs must be kept, which must not be, whether a problem
must be reported and at which offset.

Records are written by hand, not by warcio, so headers can be damaged freely.
Loaded by the tests with importlib (pytest runs with --import-mode=importlib).
"""

from __future__ import annotations

import gzip as gzip_module
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

BASE = "https://news.example.ir/a/"
DATE = "2024-05-01T12:30:00Z"
GOOD = 5  # good records in each file
BAD = 2  # the damaged one goes at this place (0-based)


def url(i: int) -> str:
    return f"{BASE}{i}"


def record_id(i: int) -> str:
    return f"<urn:uuid:00000000-0000-4000-8000-{i:012d}>"


def response(
    i: int,
    *,
    target: str | None = None,
    date: str | None = DATE,
    status: str = "200 OK",
    warc_type: str = "WARC-Type: response",
    rid: str | None = None,
    content_length: str | None = None,
    extra: str = "",
) -> bytes:
    """One uncompressed WARC/1.1 response record (with the two line ends after it)."""
    body = f"<html><head><meta charset='utf-8'><title>خبر {i}</title></head><body><p>متن خبر {i}</p></body></html>"
    http = (f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + body).encode()
    lines = ["WARC/1.1", warc_type, f"WARC-Record-ID: {rid or record_id(i)}"]
    if date is not None:
        lines.append(f"WARC-Date: {date}")
    if target is None:
        lines.append(f"WARC-Target-URI: {url(i)}")
    elif target:
        lines.append(f"WARC-Target-URI: {target}")
    lines.append("Content-Type: application/http; msgtype=response")
    if extra:
        lines.append(extra)
    lines.append(f"Content-Length: {content_length if content_length is not None else len(http)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + http + b"\r\n\r\n"


def records(n: int = GOOD, *, bad: bytes | None = None, at: int = BAD) -> list[bytes]:
    """n good records, with `bad` put in at place `at` (its own URL index is 100)."""
    out = [response(i) for i in range(n)]
    if bad is not None:
        out.insert(at, bad)
    return out


def join(parts: list[bytes], gz: str) -> tuple[bytes, list[int]]:
    """The file and the offset of each part: gz "none", "member" (one per record) or "whole"."""
    offsets: list[int] = []
    if gz == "whole":
        plain, offsets = join(parts, "none")
        return gzip_module.compress(plain, mtime=0), offsets
    out = io.BytesIO()
    for p in parts:
        offsets.append(out.tell())
        out.write(gzip_module.compress(p, mtime=0) if gz == "member" else p)
    return out.getvalue(), offsets


@dataclass
class Damaged:
    kind: str
    path: Path
    kept: list[str]  # URLs an import must keep
    lost: list[str] = field(default_factory=list)  # URLs it must not catalogue
    problem: bool = True  # a problem must be reported
    offset: int | None = None  # at this offset (None: any, or none)
    reason: str = ""  # a word the reason must hold


def _bad_record_kind(name: str, bad: bytes, reason: str) -> Callable[[Path, str], Damaged]:
    def make(folder: Path, gz: str) -> Damaged:
        data, offsets = join(records(bad=bad), gz)
        path = folder / f"{name}-{gz}.warc{'.gz' if gz != 'none' else ''}"
        path.write_bytes(data)
        offset = offsets[BAD] if gz != "whole" else offsets[BAD]
        return Damaged(name, path, [url(i) for i in range(GOOD)], [url(100)], True, offset, reason)

    return make


def _flip(data: bytes, needle: bytes, index: int, bit: int) -> bytes:
    at = data.index(needle) + index
    return data[:at] + bytes([data[at] ^ (1 << bit)]) + data[at + 1 :]


def _cut_inside_header(folder: Path, gz: str) -> Damaged:
    parts = records() + [response(100)]
    data, offsets = join(parts, gz if gz != "whole" else "none")
    last = offsets[-1]
    cut = data[: last + 40] if gz == "none" else data[: last + (len(data) - last) // 2]
    if gz == "whole":
        cut = gzip_module.compress(data[: last + 40], mtime=0)
    path = folder / f"cut-{gz}.warc{'.gz' if gz != 'none' else ''}"
    path.write_bytes(cut)
    return Damaged("cut inside a header", path, [url(i) for i in range(GOOD)], [url(100)], True, None, "")


def _junk_between(folder: Path, gz: str, junk: bytes, name: str, reason: str) -> Damaged:
    parts = records()
    data_parts = parts[:BAD] + [junk] + parts[BAD:]
    data, offsets = join(data_parts, gz)
    path = folder / f"{name}-{gz}.warc{'.gz' if gz != 'none' else ''}"
    path.write_bytes(data)
    # In a plain file the junk is found where it starts; in a gzip'd one, at its member.
    return Damaged(name, path, [url(i) for i in range(GOOD)], [], True, offsets[BAD], reason)


def _conflicting_id(folder: Path, gz: str) -> Damaged:
    bad = response(100, rid=record_id(1))
    parts = records(bad=bad, at=BAD + 1)  # after record 1, whose id it reuses
    data, offsets = join(parts, gz)
    path = folder / f"conflict-{gz}.warc{'.gz' if gz != 'none' else ''}"
    path.write_bytes(data)
    return Damaged("conflicting record id", path, [url(i) for i in range(GOOD)], [url(100)], True,
                   offsets[BAD + 1], "already names")


def _bitflip_in_member(folder: Path, gz: str) -> Damaged:
    data, offsets = join(records(bad=response(100)), "member")
    at = offsets[BAD] + 30
    data = data[:at] + bytes(b ^ 0x55 for b in data[at : at + 20]) + data[at + 20 :]
    path = folder / "bitflip-member.warc.gz"
    path.write_bytes(data)
    return Damaged("bit flips in a gzip member", path, [url(i) for i in range(GOOD)], [url(100)], True,
                   offsets[BAD], "")


KINDS: dict[str, Callable[[Path, str], Damaged]] = {
    "no WARC-Type": _bad_record_kind(
        "no-type", _flip(response(100), b"WARC-Type", 8, 0), "WARC-Type"),  # 'WARC-Typd'
    "WARC-Type flipped": _bad_record_kind(
        "type-flip", _flip(response(100), b"WARC-Type: response", 12, 1), "WARC-Type"),
    "not a date": _bad_record_kind("not-a-date", response(100, date="not-a-date"), "WARC-Date"),
    "date without a zone": _bad_record_kind("no-zone", response(100, date="2024-05-01T12:30:00"), "WARC-Date"),
    "date without a time": _bad_record_kind("no-time", response(100, date="2024-05-01"), "WARC-Date"),
    "no date": _bad_record_kind("no-date", response(100, date=None), "WARC-Date"),
    "huge HTTP status": _bad_record_kind("status", response(100, status="99999999999999999999 OK"), "status"),
    "no WARC-Target-URI": _bad_record_kind("no-uri", response(100, target=""), "WARC-Target-URI"),
    "huge Content-Length": _bad_record_kind(
        "huge-length", response(100, content_length="99999999999999999999"), "Content-Length"),
    "negative Content-Length": _bad_record_kind(
        "negative-length", response(100, content_length="-5"), "Content-Length"),
    "long header line": _bad_record_kind(
        "long-header", response(100, extra="X-Junk: " + "a" * (2 << 20)), "line"),
    "cut inside a header": _cut_inside_header,
    "junk between records": lambda folder, gz: _junk_between(
        folder, gz, b"this is not a record\r\n", "junk", "not"),
    "NULs without a newline": lambda folder, gz: _junk_between(
        folder, gz, bytes(2 << 20), "nuls", "line"),
    "conflicting record id": _conflicting_id,
}
GZ_MODES = ("none", "member", "whole")
MEMBER_ONLY: dict[str, Callable[[Path, str], Damaged]] = {"bit flips in a gzip member": _bitflip_in_member}


def whole_files(folder: Path) -> list[Damaged]:
    """Files that are odd as a whole: empty, all NULs, gzipped as one member, a WACZ of zeros."""
    out = []
    for suffix in (".warc", ".warc.gz", ".arc", ".arc.gz"):
        p = folder / f"empty{suffix}"
        p.write_bytes(b"")
        out.append(Damaged("empty file", p, [], [], True, None, "empty"))
    p = folder / "nuls.warc"
    p.write_bytes(bytes(16 << 20))
    out.append(Damaged("16 MiB of NULs", p, [], [], True, 0, "line"))
    p = folder / "zeros.wacz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("archive/data.warc", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(32):
                member.write(chunk)
    out.append(Damaged("WACZ of zeros", p, [], [], True, 0, "line"))
    data, _ = join(records(), "whole")
    p = folder / "whole.warc.gz"
    p.write_bytes(data)
    out.append(Damaged("whole file gzipped", p, [url(i) for i in range(GOOD)], [], False))
    p = folder / "whole.arc.gz"
    p.write_bytes(gzip_module.compress(arc(GOOD), mtime=0))
    out.append(Damaged("whole ARC gzipped", p, [arc_url(i) for i in range(GOOD)], [], False))
    return out


def arc_url(i: int) -> str:
    return f"http://old.example.ir/{i}.html"


def arc(n: int) -> bytes:
    head = b"1 0 vazeh-test\nURL IP-address Archive-date Content-type Archive-length\n"
    parts = [f"filedesc://old.arc 0.0.0.0 20200101000000 text/plain {len(head)}\n".encode() + head + b"\n"]
    for i in range(n):
        block = f"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n<p>خبر {i}</p>".encode()
        parts.append(f"{arc_url(i)} 192.0.2.1 2005010112000{i} text/html {len(block)}\n".encode() + block + b"\n")
    return b"".join(parts)


def every_kind(folder: Path) -> list[Damaged]:
    folder.mkdir(parents=True, exist_ok=True)
    out = [make(folder, gz) for make in KINDS.values() for gz in GZ_MODES]
    out += [make(folder, "member") for make in MEMBER_ONLY.values()]
    return out + whole_files(folder)


def small_warc(n: int = 4) -> tuple[bytes, list[int]]:
    """A small valid plain WARC and each record's offset (for the property test)."""
    return join(records(n), "none")
