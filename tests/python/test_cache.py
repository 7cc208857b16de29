"""The binary cache through the Python package."""

from __future__ import absolute_import

import os
import threading

import pytest

import mapback
from conftest import DEMO_DIR, DEMO_FRAMES, TextOut
from mapback.cli import main as cli_main

DEMO_MAP = os.path.join(DEMO_DIR, "bundle.min.js.map")


def same_answers(expected, cache):
    assert len(expected) == len(cache)
    assert cache.line_count == expected.line_count
    assert [t.as_dict() for t in cache] == [t.as_dict() for t in expected]
    for line in range(expected.line_count + 1):
        for column in range(0, 1800, 7):
            for bias in (mapback.GREATEST_LOWER_BOUND, mapback.LEAST_UPPER_BOUND):
                a = expected.lookup(line, column, bias=bias, same_line=False)
                b = cache.lookup(line, column, bias=bias, same_line=False)
                assert (a and a.as_dict()) == (b and b.as_dict())
    for a, b in zip(expected.sources, cache.sources):
        assert (a.name, a.url, a.path, a.ignored) == (b.name, b.url, b.path, b.ignored)
        assert a.content == b.content
        assert a.line_count == b.line_count
    assert expected.names == cache.names


def test_bytes_round_trip(demo_map):
    data = demo_map.to_cache()
    assert data[:8] == b"MAPBACKC"
    with mapback.Cache.from_bytes(data) as cache:
        assert cache.is_cache and not demo_map.is_cache
        cache.verify()
        same_answers(demo_map, cache)
        for (line, column), (source, original_line, original_column, name) in DEMO_FRAMES:
            token = cache.lookup(line, column)
            assert (token.source.name, token.original_line, token.original_column, token.name) == (
                source,
                original_line,
                original_column,
                name,
            )


def test_file_round_trip_is_atomic(demo_map, tmp_path):
    target = tmp_path / "bundle.mbc"
    assert demo_map.to_cache(str(target)) is None
    assert os.listdir(str(tmp_path)) == ["bundle.mbc"]
    with mapback.open_cache(str(target)) as cache:
        same_answers(demo_map, cache)
        # Replacing the file while it is mapped is safe: the rename leaves the old
        # mapping intact.
        other = mapback.SourceMap.from_bytes(b'{"version":3,"sources":["x.js"],"mappings":"AAAA"}')
        other.to_cache(str(target))
        assert cache.sources[0].name == "app/src/cart.js"
    with mapback.Cache.open(target) as replaced:  # pathlib paths work too
        assert replaced.sources[0].name == "x.js"
    assert os.listdir(str(tmp_path)) == ["bundle.mbc"]


def test_options_leave_out_contents_and_names(demo_map):
    lean = mapback.Cache.from_bytes(demo_map.to_cache(include_contents=False, include_names=False))
    assert lean.names == ()
    assert all(source.content is None for source in lean.sources)
    assert lean.lookup(0, 1610).name is None
    assert lean.lookup(0, 1610).original_line == 7
    assert len(lean.to_cache()) < len(demo_map.to_cache())


def test_context_lines(demo_map):
    context = demo_map.context("app/src/pricing.js", 36, before=2, after=1)
    assert "coupon expired" in context.context_line
    assert len(context.pre_context) == 2 and len(context.post_context) == 1
    cache = mapback.Cache.from_bytes(demo_map.to_cache())
    assert cache.context(1, 36, before=2, after=1) == context
    source = cache.sources[1]
    assert source.line(0) == demo_map.sources[1].line(0)
    assert source.line(10 ** 6) is None and source.line(-1) is None
    last = source.line_count - 1
    assert source.context(last, 1, 5).post_context == []
    assert cache.context("nope.js", 0) is None


def test_errors_are_typed(demo_map, tmp_path):
    data = demo_map.to_cache()
    with pytest.raises(mapback.IoError):
        mapback.open_cache(str(tmp_path / "missing.mbc"))
    with pytest.raises(mapback.NotACacheError):
        mapback.Cache.from_bytes(b'{"version": 3}')
    with pytest.raises(mapback.TruncatedCacheError):
        mapback.Cache.from_bytes(data[:-1])
    with pytest.raises(mapback.CorruptCacheError):
        mapback.Cache.from_bytes(data[:20] + b"\x00" + data[21:])
    damaged = bytearray(data)
    damaged[200] ^= 0x55
    cache = mapback.Cache.from_bytes(bytes(damaged))
    with pytest.raises(mapback.CacheChecksumMismatchError) as raised:
        cache.verify()
    assert isinstance(raised.value, mapback.CacheError)
    # Whatever a damaged body holds, queries return (right or wrong), never crash.
    for line in range(3):
        for column in range(0, 2000, 50):
            cache.lookup(line, column)
    [source.context(0) for source in cache.sources]


def test_threads_share_one_cache(demo_map, tmp_path):
    target = str(tmp_path / "shared.mbc")
    demo_map.to_cache(target)
    cache = mapback.open_cache(target)
    positions = [(line, column) for line in range(2) for column in range(0, 1700, 3)]
    expected = [demo_map.lookup(*p) and demo_map.lookup(*p).as_dict() for p in positions]
    failures = []

    def work():
        for _ in range(3):
            found = [cache.lookup(*p) and cache.lookup(*p).as_dict() for p in positions]
            if found != expected:
                failures.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_cli_cache_build_and_info(tmp_path):
    out = TextOut()
    assert cli_main(["cache", "build", DEMO_MAP, "-o", str(tmp_path)], out=out) == 0
    target = tmp_path / "bundle.min.js.map.mbc"
    assert target.exists() and "1 of 1 maps cached" in out.getvalue()
    info = TextOut()
    assert cli_main(["cache", "info", str(target), "--verify"], out=info) == 0
    assert "checksum:    ok" in info.getvalue() and "sources:     5 (5 with content)" in info.getvalue()
    lookup = TextOut()
    assert cli_main(["lookup", str(target), "1:1036"], out=lookup) == 0
    assert lookup.getvalue().strip() == "1:1036  ->  app/src/pricing.js:37:11"
    bad = tmp_path / "bad.map"
    bad.write_bytes(b"{")
    assert cli_main(["cache", "build", str(bad), "-o", str(tmp_path / "o")], out=TextOut()) == 1


def test_bytes_are_borrowed_and_kept_alive(demo_map):
    from mapback._lowlevel import ffi

    data = bytes(demo_map.to_cache())
    # Caches are read in place from 8-byte aligned bytes; where the interpreter's bytes
    # objects are not aligned (Python 2's str), they are copied instead.
    aligned = int(ffi.cast("uintptr_t", ffi.from_buffer(data))) % 8 == 0
    size = len(data)
    expected = demo_map.lookup(0, 1610).as_dict()
    cache = mapback.Cache.from_bytes(data)  # the only reference is the cache's
    del data
    import gc

    gc.collect()
    assert cache.lookup(0, 1610).as_dict() == expected
    if aligned:
        assert cache.heap_size < 4096  # nothing copied: the bytes are read in place
    else:
        assert cache.heap_size >= size  # copied into an aligned buffer


def test_mutable_buffers_are_copied(demo_map):
    data = bytearray(demo_map.to_cache())
    cache = mapback.Cache.from_bytes(data)
    expected = cache.lookup(0, 1610).as_dict()
    data[:] = b"\0" * len(data)  # later changes cannot reach the cache
    assert cache.lookup(0, 1610).as_dict() == expected
    cache.verify()
    assert cache.heap_size >= len(data)


def test_decode_options_are_taken_at_their_defaults_and_refused_otherwise(demo_map, tmp_path):
    # Cache.from_bytes and from_path take SourceMap's signature; a cache is not decoded
    # from JSON, so options that act while decoding must not be dropped in silence.
    data = demo_map.to_cache()
    target = tmp_path / "bundle.mbc"
    demo_map.to_cache(str(target))
    defaults = dict(base_url=None, strict=False, limits=None)
    for cache in (mapback.Cache.from_bytes(data, **defaults), mapback.Cache.from_path(target, **defaults)):
        same_answers(demo_map, cache)
    refused = [
        (dict(base_url="https://example.com/app.js.map"), "base_url"),
        (dict(strict=True), "strict"),
        (dict(limits=mapback.DecodeLimits(max_mappings=10)), "limits"),
        (dict(limits=mapback.DecodeLimits.UNLIMITED), "limits"),
    ]
    for options, name in refused:
        with pytest.raises(TypeError) as raised:
            mapback.Cache.from_bytes(data, **options)
        assert name in str(raised.value) and "SourceMap.to_cache" in str(raised.value)
        with pytest.raises(TypeError) as raised:
            mapback.Cache.from_path(str(target), **options)
        assert name in str(raised.value)
    with pytest.raises(TypeError) as raised:
        mapback.Cache.from_bytes(data.decode("latin-1"))
    assert "binary" in str(raised.value)


def test_a_cache_keeps_the_urls_resolved_when_it_was_written():
    # Why Cache refuses base_url: the URLs are resolved before the cache is written.
    json_map = b'{"version":3,"sources":["src/a.js"],"mappings":"AAAA"}'
    source_map = mapback.SourceMap.from_bytes(json_map, base_url="https://cdn.example.com/js/app.js.map")
    assert source_map.sources[0].url == "https://cdn.example.com/js/src/a.js"
    cache = mapback.Cache.from_bytes(source_map.to_cache())
    assert cache.sources[0].url == "https://cdn.example.com/js/src/a.js"
    assert mapback.Cache.from_bytes(mapback.SourceMap.from_bytes(json_map).to_cache()).sources[0].url is None
