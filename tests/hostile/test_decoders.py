"""Content decoders stay bounded on hostile bodies: a brotli bomb, stacked codings,
a stored gzip member that inflates far past what a read may load (issue #12, item 1)."""

from __future__ import annotations

import gzip
import sys
import tracemalloc
import types
import zlib

import pytest

from vazeh.archive import decode_content, store

brotli = pytest.importorskip("brotli")


def _brotli_bomb(mib: int) -> bytes:
    # Zeros at quality 5 shrink about a million to one: 64 MiB become under 100 bytes.
    c = brotli.Compressor(quality=5, lgwin=24)
    chunk = bytes(1 << 20)
    return b"".join(c.process(chunk) for _ in range(mib)) + c.finish()


def _peak(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_brotli_bomb_is_inflated_only_up_to_the_limit():
    bomb = _brotli_bomb(64)
    assert len(bomb) < 4096
    limit = 1 << 20
    (body, truncated), peak = _peak(lambda: decode_content(bomb, "br", limit))
    assert body == bytes(limit) and truncated
    # The old brotli.decompress() held all 64 MiB before cutting.
    assert peak < 8 * limit


@pytest.mark.parametrize("limit", [0, 1, 999, 1000, 1001, 1 << 20])
def test_brotli_bodies_decode_exactly_and_say_when_they_were_cut(limit):
    data = (bytes(range(256)) * 4)[:1000]
    assert len(data) == 1000
    out, truncated = decode_content(brotli.compress(data), "br", limit)
    assert out == data[:limit] and truncated == (limit < 1000)


def test_stacked_codings_are_undone_last_first_and_stay_bounded():
    data = "خبر فوری".encode() * 1000
    assert decode_content(brotli.compress(gzip.compress(data)), "gzip, br")[0] == data
    assert decode_content(gzip.compress(brotli.compress(data)), "br, gzip")[0] == data
    assert decode_content(gzip.compress(data), "identity, gzip")[0] == data
    limit = 1 << 20
    (body, truncated), peak = _peak(lambda: decode_content(gzip.compress(_brotli_bomb(64)), "br, gzip", limit))
    assert body == bytes(limit) and truncated and peak < 8 * limit


def test_undecodable_or_unknown_codings_keep_the_raw_body():
    assert decode_content(b"not brotli", "br") == (b"not brotli", False)
    assert decode_content(b"zstd frame?", "zstd") == (b"zstd frame?", False)
    assert decode_content(b"abc", "gzip, gzip, gzip, gzip, gzip") == (b"abc", False)


def test_a_brotli_without_an_output_limit_is_fed_in_small_steps(monkeypatch):
    real = brotli

    class OldDecompressor:
        """The Decompressor of brotli < 1.2: process(data) and nothing to bound it."""

        def __init__(self):
            self._d = real.Decompressor()

        def process(self, data):
            return self._d.process(data)

    monkeypatch.setitem(sys.modules, "brotli", types.SimpleNamespace(Decompressor=OldDecompressor))
    data = bytes(range(256)) * 400
    assert decode_content(real.compress(data), "br") == (data, False)
    out, truncated = decode_content(real.compress(data), "br", 5000)
    assert out == data[:5000] and truncated


def _stored_zeros(archive, size: int):
    return archive.write_exchange(
        url="https://news.example.ir/zeros", status=200,
        response_headers=[("Content-Type", "application/octet-stream")], body=bytes(size),
    )


def test_reading_back_a_record_that_inflates_past_the_read_limit_is_cut(archive, monkeypatch):
    # A stored member of a few KiB holding 8 MiB: replay loads no more than the limit.
    capture = _stored_zeros(archive, 8 << 20)
    assert capture.length < 64 << 10
    monkeypatch.setattr(store, "MAX_READ_BODY", 1 << 20)
    response = archive.read_response(capture)
    assert len(response.raw_body) == 1 << 20 and response.truncated
    assert response.status == 200


def test_the_fast_reader_never_inflates_a_whole_member_past_the_limit(monkeypatch):
    calls = []
    real = zlib.decompressobj

    def spy(*args):
        d = real(*args)

        class Spy:
            def decompress(self, data, max_length=0):
                calls.append(max_length)
                return d.decompress(data, max_length)

            def __getattr__(self, name):
                return getattr(d, name)

        return Spy()

    monkeypatch.setattr(store.zlib, "decompressobj", spy)
    member = gzip.compress(b"WARC/1.1\r\nWARC-Type: response\r\n\r\nHTTP/1.1 200 OK\r\n\r\n" + bytes(4 << 20))
    monkeypatch.setattr(store, "MAX_READ_BODY", 1 << 20)
    assert store._fast_response(member) is None
    assert calls and all(0 < n <= (1 << 20) + store._MAX_READ_HEAD for n in calls)
