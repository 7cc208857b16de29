"""The producer side from Python: Builder, concat, compose, rewrite, flatten."""

from __future__ import absolute_import

import collections
import json
import threading

import pytest

import mapback
from conftest import TextOut

DEBUG_ID = "85314830-023f-4cf1-a267-535f4e37bb17"


def small_map(name="a.js", content="let x = 1;\n"):
    builder = mapback.Builder(file="out.js")
    source = builder.add_source(name, content=content)
    builder.add_mappings([(0, 0, source, 0, 0, "x"), (0, 5, source, 0, 4), (1, 0)])
    return builder.build()


def test_builder_encodes_sorted_deterministic_json():
    builder = mapback.Builder(file="out.js", source_root="src/")
    a = builder.add_source("a.ts", content="A")
    b = builder.add_source("b.ts", ignored=True)
    assert builder.add_source("a.ts") == a  # deduplicated
    builder.add_mapping(1, 2, b, 3, 4, "fn")
    builder.add_mapping(0, 0, "a.ts", 0, 0)
    builder.add_mapping(0, 9)
    builder.set_debug_id(DEBUG_ID)
    text = builder.to_json()
    assert text == builder.to_json()
    data = json.loads(text, object_pairs_hook=collections.OrderedDict)
    assert list(data) == [
        "version", "file", "sourceRoot", "sources", "sourcesContent", "names", "mappings",
        "ignoreList", "debugId",
    ]
    assert data["sources"] == ["a.ts", "b.ts"]
    assert data["sourcesContent"] == ["A", None]
    assert data["ignoreList"] == [1]
    assert data["mappings"] == "AAAA,S;ECGIA"
    assert len(builder) == 3
    built = builder.build()
    token = built.lookup(1, 2)
    assert (token.source.name, token.original_line, token.original_column, token.name) == (
        "b.ts", 3, 4, "fn"
    )
    assert token.source.path == "src/b.ts"
    assert "sourcesContent" not in json.loads(builder.to_json(include_contents=False))


def test_builder_refuses_bad_input_and_adds_nothing():
    builder = mapback.Builder()
    builder.add_source("a.js")
    with pytest.raises(mapback.IndexOutOfRangeError):
        builder.add_mappings([(0, 0, 0, 0, 0), (0, 1, 5, 0, 0)])
    assert len(builder) == 0
    with pytest.raises(mapback.InvalidArgumentError):
        builder.add_mapping(0, 2 ** 31, 0, 0, 0)
    with pytest.raises(mapback.InvalidDebugIdError):
        builder.set_debug_id("nope")
    with pytest.raises(ValueError):
        builder.add_mapping(0, 0, 0)


def test_builder_refuses_a_second_thread():
    builder = mapback.Builder()
    errors = []
    # Hold the builder as a call in progress on this thread would.
    builder._lock.acquire()
    try:
        worker = threading.Thread(target=lambda: errors.append(_try(builder.add_name, "x")))
        worker.start()
        worker.join()
    finally:
        builder._lock.release()
    assert isinstance(errors[0], mapback.ConcurrentUseError)
    assert "another thread" in str(errors[0])
    assert builder.add_name("x") == 0


def test_builder_used_by_racing_threads_never_corrupts():
    builder = mapback.Builder()
    source = builder.add_source("a.js")
    added = []

    def work(offset):
        count = 0
        for i in range(2000):
            try:
                builder.add_mapping(offset, i, source, i, 0)
                count += 1
            except mapback.ConcurrentUseError:
                pass
        added.append(count)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builder) == sum(added)
    assert len(builder.build()) == sum(added)


def _try(function, *args):
    try:
        function(*args)
    except Exception as error:
        return error
    return None


def test_to_json_and_flatten_an_index_map():
    index = json.dumps({
        "version": 3,
        "sections": [
            {"offset": {"line": 0, "column": 0}, "map": json.loads(small_map().to_json())},
            {"offset": {"line": 5, "column": 0}, "map": json.loads(small_map("b.js").to_json())},
        ],
    })
    source_map = mapback.SourceMap.from_bytes(index)
    flat = source_map.flatten()
    assert source_map.is_index_map and not flat.is_index_map
    assert [t.as_dict() for t in flat] == [t.as_dict() for t in source_map]
    assert "sections" not in source_map.to_json()


def test_concat_flat_and_index():
    first, second = small_map("a.js"), small_map("b.js")
    code, builder = mapback.concat([("abc", first), ("x\ny", None), ("zz", second.to_json())])
    assert code == "abc\nx\ny\nzz"
    joined = builder.build()
    assert joined.lookup(0, 1).source.name == "a.js"
    assert not joined.lookup(1, 0).has_original  # the piece without a map
    assert joined.lookup(3, 1).source.name == "b.js"
    code, index = mapback.concat([("abc", first), ("zz", second)], index_map=True, file="all.js")
    index_map = mapback.SourceMap.from_bytes(index)
    assert index_map.is_index_map and index_map.file == "all.js"
    assert index_map.lookup(1, 1).source.name == "b.js"
    assert mapback.text_end_position(u"ab\r\nc\u00e9\U0001F600") == (1, 4)


def test_compose_through_a_loader():
    outer = small_map("bundle.js")
    inner = b'{"version":3,"sources":["src.ts"],"names":["total"],"mappings":"AAIMA"}'
    asked = []

    def loader(name):
        asked.append(name)
        return inner if name == "bundle.js" else None

    composed = mapback.compose([outer], loader=loader).build()
    assert asked == ["bundle.js", "src.ts"]
    token = composed.lookup(0, 5)
    assert (token.source.name, token.original_line, token.original_column, token.name) == (
        "src.ts", 4, 6, "total"
    )
    chain = mapback.compose([outer, mapback.SourceMap.from_bytes(inner)]).build()
    assert [t.as_dict() for t in chain] == [t.as_dict() for t in composed]


def test_compose_loader_errors_propagate():
    def loader(name):
        raise KeyError(name)

    with pytest.raises(KeyError):
        mapback.compose([small_map()], loader=loader)
    with pytest.raises(mapback.InvalidArgumentError):
        mapback.compose([])


def test_an_interrupted_loader_interrupts_the_operation():
    def loader(name):
        raise KeyboardInterrupt(name)

    with pytest.raises(KeyboardInterrupt):
        mapback.compose([small_map()], loader=loader)
    with pytest.raises(KeyboardInterrupt):
        small_map(content=None).rewrite(sources_content="inline", loader=loader)


def test_rewrite():
    source_map = small_map("webpack:///./src/a.js", content=None)
    builder = source_map.rewrite(
        drop_names=True,
        sources_content="inline",
        loader=lambda name: "// " + name,
        prefixes=[("webpack:///./", "")],
        source_root="/app/",
        debug_id=DEBUG_ID,
    )
    data = json.loads(builder.to_json())
    assert data["sourceRoot"] == "/app/"
    assert data["sources"] == ["src/a.js"]
    assert data["sourcesContent"] == ["// webpack:///./src/a.js"]
    assert data["names"] == []
    assert data["debugId"] == DEBUG_ID
    dropped = json.loads(small_map().rewrite(sources_content="drop").to_json())
    assert "sourcesContent" not in dropped
    with pytest.raises(ValueError):
        source_map.rewrite(sources_content="maybe")


def test_debug_id_comment():
    code = mapback.add_debug_id_comment("f();\n//# sourceMappingURL=f.js.map\n", DEBUG_ID)
    assert code == "f();\n//# debugId=%s\n//# sourceMappingURL=f.js.map\n" % DEBUG_ID
    with pytest.raises(mapback.InvalidDebugIdError):
        mapback.add_debug_id_comment("f();", "x")


def test_cli_producer_commands(tmp_path):

    from mapback.cli import main

    def run(argv):
        out = TextOut()
        return main(argv, out=out), out.getvalue()

    inner = tmp_path / "bundle.js.map"
    inner.write_text(u'{"version":3,"sources":["src.ts"],"names":["total"],"mappings":"AAIMA"}')
    outer = tmp_path / "bundle.min.js.map"
    outer.write_text(small_map("bundle.js").to_json())
    composed = tmp_path / "composed.map"
    assert run(["compose", str(outer), str(inner), "-o", str(composed)])[0] == 0
    assert mapback.SourceMap.from_path(str(composed)).lookup(0, 5).source.name == "src.ts"
    maps_dir = tmp_path / "maps"
    maps_dir.mkdir()
    (maps_dir / "bundle.js.map").write_text(inner.read_text())
    assert run(["compose", str(outer), "--maps-dir", str(maps_dir), "-o", str(composed)])[0] == 0
    assert mapback.SourceMap.from_path(str(composed)).lookup(0, 5).name == "total"

    (tmp_path / "a.js").write_text(u"abc\n//# sourceMappingURL=a.js.map\n")
    (tmp_path / "a.js.map").write_text(small_map("a.ts").to_json())
    (tmp_path / "b.js").write_text(u"x\ny")
    joined = tmp_path / "all.js"
    assert run(["concat", str(tmp_path / "a.js"), str(tmp_path / "b.js"), "-o", str(joined)])[0] == 0
    assert joined.read_text() == u"abc\nx\ny\n//# sourceMappingURL=all.js.map\n"
    joined_map = mapback.SourceMap.from_path(str(joined) + ".map")
    assert joined_map.lookup(0, 1).source.name == "a.ts"
    assert not joined_map.lookup(1, 0).has_original
    assert run(["concat", str(tmp_path / "a.js"), "--index-map", "-o", str(joined)])[0] == 0
    index_map = mapback.SourceMap.from_path(str(joined) + ".map")
    assert index_map.is_index_map
    flat = tmp_path / "flat.map"
    assert run(["flatten", str(joined) + ".map", "-o", str(flat)])[0] == 0
    assert not mapback.SourceMap.from_path(str(flat)).is_index_map

    sources = tmp_path / "srcdir"
    (sources / "src").mkdir(parents=True)
    (sources / "src" / "a.js").write_text(u"// a\n")
    (tmp_path / "secret.txt").write_text(u"secret")
    builder = mapback.Builder()
    builder.add_source("webpack:///./src/a.js")
    builder.add_source("../secret.txt")
    builder.add_mappings([(0, 0, 0, 0, 0, "n"), (0, 1, 1, 0, 0)])
    original = tmp_path / "w.map"
    original.write_text(builder.to_json())
    script = tmp_path / "w.js"
    script.write_text(u"w();\n//# sourceMappingURL=w.map\n")
    rewritten = tmp_path / "w.out.map"
    status, _ = run([
        "rewrite", str(original), "-o", str(rewritten), "--drop-names",
        "--inline-contents", str(sources), "--strip-prefix", "webpack:///./",
        "--debug-id", "auto", "--add-debug-id-comment", str(script),
    ])
    assert status == 0
    data = json.loads(rewritten.read_text())
    assert data["sources"] == ["src/a.js", "../secret.txt"]
    assert data["sourcesContent"] == ["// a\n", None]  # never read outside the directory
    assert data["names"] == []
    assert "//# debugId=%s\n//# sourceMappingURL=w.map" % data["debugId"] in script.read_text()
    again = tmp_path / "w.again.map"
    run(["rewrite", str(original), "-o", str(again), "--debug-id", "auto"])
    assert json.loads(again.read_text())["debugId"] == data["debugId"]  # derived, stable
    assert run(["rewrite", str(original), "-o", str(again), "--replace-prefix", "nope"])[0] == 1


def test_range_mappings_are_written_read_and_looked_up():
    builder = mapback.Builder()
    source = builder.add_source("a.js")
    builder.add_range_mapping(0, 4, source, 0, 0, "copied")
    builder.add_mappings([(0, 0, source, 9, 9), (0, 8)])
    builder.add_range_mappings([(2, 1, source, 3, 0)])
    text = builder.to_json()
    assert json.loads(text)["rangeMappings"] == "B;;A"
    source_map = mapback.SourceMap.from_bytes(text.encode("utf-8"), strict=True)
    assert [token.is_range for token in source_map] == [False, True, False, True]
    # The mapping's own position keeps its name; inside the range the position moves.
    start = source_map.lookup(0, 4)
    assert (start.original_column, start.name, start.is_range) == (0, "copied", True)
    inside = source_map.lookup(0, 6)
    assert (inside.generated_column, inside.original_column, inside.name) == (6, 2, None)
    assert inside.is_range and inside.index == start.index
    # The last range runs on over later lines: line moved, column the looked-up one.
    later = source_map.lookup(4, 7)
    assert (later.generated_line, later.original_line, later.original_column) == (4, 5, 7)
    # The cache answers the same, and flattening keeps the field.
    cache = mapback.Cache.from_bytes(source_map.to_cache())
    assert [token.is_range for token in cache] == [False, True, False, True]
    assert cache.lookup(0, 6).as_dict() == inside.as_dict()
    assert json.loads(source_map.flatten().to_json())["rangeMappings"] == "B;;A"
    with pytest.raises(ValueError):
        builder.add_range_mapping(0, 1, None, 0, 0)
    with pytest.raises(IndexError):
        source_map.token_is_range(99)
