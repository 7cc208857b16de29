"""The SourceMap API over the installed package."""

from __future__ import absolute_import

import array
import gc
import os
import weakref

import pytest

import mapback
from conftest import DEMO_DIR, DEMO_FRAMES, ROOT

SIMPLE = b'{"version":3,"sources":["a.js"],"names":["run"],"mappings":"AAAA,IAAIA"}'


def test_imported_from_installed_package():
    # The installed package (a venv's site-packages, or a `pip install --target` dir in
    # `make matrix`), never the source tree.
    source_tree = os.path.join(ROOT, "python") + os.sep
    assert not os.path.abspath(mapback.__file__).startswith(source_tree), mapback.__file__
    assert mapback.__version__.count(".") == 2


def test_demo_frames(demo_map):
    for (line, column), (source, original_line, original_column, name) in DEMO_FRAMES:
        token = demo_map.lookup(line, column)
        assert token is not None
        assert token.source.name == source
        assert (token.original_line, token.original_column) == (original_line, original_column)
        assert token.name == name


def test_sources_and_content(demo_map):
    names = [source.name for source in demo_map.sources]
    assert names == [
        "app/src/cart.js",
        "app/src/pricing.js",
        "app/src/format.js",
        "app/src/checkout.js",
        "app/src/main.js",
    ]
    for source in demo_map.sources:
        with open(os.path.join(DEMO_DIR, source.name), "rb") as handle:
            assert source.content == handle.read().decode("utf-8")
        assert source.url is None  # relative name, no base URL
        assert source.path == source.name
        assert not source.ignored
    assert demo_map.find_source("app/src/main.js").index == 4
    assert demo_map.find_source("nope.js") is None


def test_base_url_resolution(demo_map_bytes):
    base = "https://cdn.example.com/static/bundle.min.js.map"
    with mapback.SourceMap.from_bytes(demo_map_bytes, base_url=base) as source_map:
        source = source_map.sources[1]
        assert source.url == "https://cdn.example.com/static/app/src/pricing.js"
        assert source.path == source.url
        assert source_map.find_source(source.url).index == 1
    # The sourceRoot-prefixed name still finds a source once URLs are resolved.
    rooted = b'{"version":3,"sourceRoot":"src/","sources":["a.js"],"names":[],"mappings":""}'
    with mapback.SourceMap.from_bytes(rooted, base_url=base) as source_map:
        assert source_map.find_source("src/a.js").index == 0
        assert source_map.find_source("https://cdn.example.com/static/src/a.js").index == 0
    with pytest.raises(mapback.InvalidBaseUrlError):
        mapback.SourceMap.from_bytes(demo_map_bytes, base_url="relative/path")


def test_lookup_bias_and_lines():
    data = b'{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,IAAC;;EAAE"}'
    source_map = mapback.SourceMap.from_bytes(data)
    assert source_map.lookup(0, 2).generated_column == 0
    assert source_map.lookup(0, 2, bias=mapback.LEAST_UPPER_BOUND).generated_column == 4
    assert source_map.lookup(1, 3) is None
    crossed = source_map.lookup(1, 3, same_line=False)
    assert (crossed.generated_line, crossed.generated_column) == (0, 4)
    upper = source_map.lookup(1, 0, bias=mapback.LEAST_UPPER_BOUND, same_line=False)
    assert (upper.generated_line, upper.generated_column) == (2, 2)
    with pytest.raises(ValueError):
        source_map.lookup(0, 0, bias=7)
    assert source_map.line_count == 3


def test_single_field_segment_has_no_original():
    source_map = mapback.SourceMap.from_bytes(
        b'{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,E"}'
    )
    token = source_map.lookup(0, 2)
    assert token is not None and not token.has_original
    assert token.source is None and token.original_line is None and token.name is None
    assert "no original" in repr(token)


def test_lookup_tokens_with_and_without_original_and_name():
    # A 1-field segment; a source index out of range (kept without an original position
    # by the lenient decoder) with a valid name; an original position without a name.
    source_map = mapback.SourceMap.from_bytes(
        b'{"version":3,"sources":["a.js"],"names":["n"],"mappings":"A,CCAAA,CDAA"}'
    )
    bare, named, unnamed = (source_map.lookup(0, column) for column in range(3))
    assert (bare.index, bare.source_index, bare.original_line, bare.name_index) == (0, None, None, None)
    assert (named.source, named.original_column, named.name_index, named.name) == (None, None, 0, "n")
    assert (unnamed.source.name, unnamed.original_line, unnamed.original_column) == ("a.js", 0, 0)
    assert unnamed.name_index is None and unnamed.name is None and unnamed.has_original
    # Each is the same token as token(i), field for field and by equality and hash.
    for index, found in enumerate((bare, named, unnamed)):
        assert found == source_map.token(index) and hash(found) == hash(source_map.token(index))
        assert found.as_dict() == source_map.token(index).as_dict()
        assert found.generated_line == 0 and found.generated_column == index
    assert bare != named and named != unnamed
    # The other lookup paths build the same tokens.
    assert source_map.lookup(0, 1, bias=mapback.LEAST_UPPER_BOUND) == named
    assert source_map.lookup_many([0, 0, 0], [0, 1, 2]) == [bare, named, unnamed]


def test_tokens_of_different_maps_differ(demo_map_bytes):
    first = mapback.SourceMap.from_bytes(demo_map_bytes).lookup(0, 1610)
    second = mapback.SourceMap.from_bytes(demo_map_bytes).lookup(0, 1610)
    assert first.as_dict() == second.as_dict()
    assert first != second and not (first == second)
    assert first != first.as_dict()


def test_lookup_refuses_positions_outside_uint32(demo_map):
    for line, column in ((-1, 0), (0, -1), (2 ** 32, 0), (0, 2 ** 32)):
        with pytest.raises(OverflowError):
            demo_map.lookup(line, column)
    with pytest.raises(TypeError):
        demo_map.lookup("0", 0)
    with pytest.raises(TypeError):
        demo_map.lookup(0, 1.5)
    # A refused position leaves the next lookup correct.
    assert demo_map.lookup(0, 1610).name == "applyCoupon"


def test_lookup_many_sequences_and_buffers(demo_map):
    lines = [frame[0][0] for frame in DEMO_FRAMES] + [999]
    columns = [frame[0][1] for frame in DEMO_FRAMES] + [0]
    results = demo_map.lookup_many(lines, columns)
    assert results[-1] is None
    for (line, column), token in zip(zip(lines, columns), results[:-1]):
        assert token == demo_map.lookup(line, column)
    buffered = demo_map.lookup_many(array.array("I", lines), array.array("I", columns))
    assert buffered == results
    with pytest.raises(ValueError):
        demo_map.lookup_many([0, 1], [0])
    with pytest.raises(TypeError):
        demo_map.lookup_many([-1], [0])
    assert demo_map.lookup_many([], []) == []


def test_original_and_generated_positions():
    # Three segments at generated 0:0 (duplicates), mapping to lines 0, 1 and 2.
    data = b'{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA,AACA,AACA,IAAI"}'
    source_map = mapback.SourceMap.from_bytes(data)
    originals = source_map.original_positions(0, 1)
    assert [t.original_line for t in originals] == [0, 1, 2]
    generated = source_map.generated_position("a.js", 2, 0)
    assert (generated.generated_line, generated.generated_column) == (0, 0)
    assert source_map.generated_position("a.js", 9, 0) is None
    assert source_map.generated_position("missing.js", 0, 0) is None
    whole_line = source_map.generated_positions(0, 2)
    assert [(t.generated_column, t.original_column) for t in whole_line] == [(0, 0), (4, 4)]
    nearest = source_map.generated_positions(source_map.sources[0], 2, 1)
    assert [t.original_column for t in nearest] == [4]


def test_reverse_round_trip(demo_map):
    for token in demo_map:
        if not token.has_original:
            continue
        back = demo_map.generated_position(token.source_index, token.original_line, token.original_column)
        assert (back.original_line, back.original_column) == (token.original_line, token.original_column)


def test_len_iteration_and_index(demo_map):
    tokens = list(demo_map)
    assert len(tokens) == len(demo_map) > 100
    positions = [(t.generated_line, t.generated_column) for t in tokens]
    assert positions == sorted(positions)
    assert demo_map.token(0) == tokens[0]
    assert demo_map.token(-1) == tokens[-1]
    with pytest.raises(IndexError):
        demo_map.token(len(tokens))
    assert tokens[5].as_dict()["generated_line"] == tokens[5].generated_line


def test_metadata():
    data = (
        b'{"version":3,"file":"out.js","sourceRoot":"src","sources":["a.js",null,"b.js"],'
        b'"sourcesContent":["A",null],"names":["x"],"mappings":"AAAA",'
        b'"ignoreList":[2],"debugId":"1aad9d9e-2b50-454f-a5f2-0dd5e95c154c"}'
    )
    source_map = mapback.SourceMap.from_bytes(data)
    assert source_map.file == "out.js"
    assert source_map.debug_id == "1aad9d9e-2b50-454f-a5f2-0dd5e95c154c"
    assert not source_map.is_index_map
    a, null, b = source_map.sources
    assert (a.name, a.path, a.content, a.ignored) == ("a.js", "src/a.js", "A", False)
    assert (null.name, null.path, null.content) == (None, None, None)
    assert (b.path, b.content, b.ignored) == ("src/b.js", None, True)
    assert source_map.names == ("x",)
    assert source_map.diagnostics == []
    assert source_map.heap_size > 0


def test_text_input_and_escaped_content():
    text = u'{"version":3,"sources":["\\u00e9.js"],"sourcesContent":["l1\\nl2 \\ud83d\\ude00"],"mappings":"AAAA"}'
    source_map = mapback.SourceMap.from_bytes(text)
    source = source_map.sources[0]
    assert source.name == u"\u00e9.js"
    assert source.content == u"l1\nl2 \U0001F600"


def test_index_map():
    data = (
        b'{"version":3,"sections":['
        b'{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":["f"],"mappings":"AAAAA"}},'
        b'{"offset":{"line":0,"column":10},"map":{"version":3,"sources":["b.js"],"names":["g"],"mappings":"AAAAA;AACA"}}]}'
    )
    source_map = mapback.SourceMap.from_bytes(data)
    assert source_map.is_index_map
    second = source_map.lookup(0, 12)
    assert (second.source.name, second.name, second.generated_column) == ("b.js", "g", 10)
    next_line = source_map.lookup(1, 0)
    assert (next_line.source.name, next_line.original_line, next_line.generated_column) == ("b.js", 1, 0)


def test_close_and_context_manager(demo_map_bytes):
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)
    with source_map as entered:
        assert entered is source_map
        assert len(source_map) > 0
    assert source_map.closed
    with pytest.raises(mapback.ClosedError) as raised:
        source_map.lookup(0, 0)
    assert raised.value.code == 903
    source_map.close()  # closing twice is harmless


def test_finalizer_releases_without_close(demo_map_bytes):
    source_map = mapback.SourceMap.from_bytes(demo_map_bytes)
    reference = weakref.ref(source_map)
    del source_map
    gc.collect()
    assert reference() is None


def test_tokens_keep_their_map_alive(demo_map_bytes):
    token = mapback.SourceMap.from_bytes(demo_map_bytes).lookup(0, 1610)
    gc.collect()
    assert token.name == "applyCoupon"
    assert "import { applyCoupon" in token.source.content


def test_direct_construction_is_refused():
    with pytest.raises(TypeError):
        mapback.SourceMap()


def test_lookup_batch_columns(demo_map):
    lines = [frame[0][0] for frame in DEMO_FRAMES] + [999]
    columns = [frame[0][1] for frame in DEMO_FRAMES] + [0]
    batch = demo_map.lookup_batch(array.array("I", lines), array.array("I", columns))
    assert len(batch) == len(lines)
    assert batch.found == len(lines) - 1
    for i, (line, column) in enumerate(zip(lines, columns)):
        token = demo_map.lookup(line, column)
        assert batch.token(i) == token
        if token is None:
            assert batch.token_index[i] == batch.NONE
            assert batch.original_line[i] == mapback.LookupBatch.NONE
        else:
            assert batch.token_index[i] == token.index
            assert batch.generated_column[i] == token.generated_column
            assert batch.source_index[i] == token.source_index
            assert (batch.original_line[i], batch.original_column[i]) == (
                token.original_line,
                token.original_column,
            )
            assert batch.name_index[i] == (batch.NONE if token.name_index is None else token.name_index)
    assert isinstance(batch.original_column, array.array)
    assert batch.column("original_line") is batch.original_line
    with pytest.raises(KeyError):
        batch.column("nope")
    with pytest.raises(IndexError):
        batch.token(len(lines))
    assert len(demo_map.lookup_batch([], [])) == 0
