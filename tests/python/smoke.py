"""Smoke test for one interpreter: import the installed wheel and look up the demo
trace. Runs on Python 2.7 and 3.x alike; prints one line and exits non-zero on failure.

Usage: python smoke.py REPO_ROOT
"""

from __future__ import absolute_import, print_function

import os
import platform
import sys


def main(root):
    import mapback

    with open(os.path.join(root, "examples", "demo", "bundle.min.js.map"), "rb") as handle:
        data = handle.read()
    with mapback.SourceMap.from_bytes(data) as source_map:
        token = source_map.lookup(0, 1610)
        found = (token.source.name, token.original_line, token.original_column, token.name)
        assert found == ("app/src/checkout.js", 7, 21, "applyCoupon"), found
        batch = source_map.lookup_many([0, 1], [1035, 411])
        assert [t.source.name for t in batch] == ["app/src/pricing.js", "app/src/main.js"]
        assert "applyCoupon" in source_map.sources[3].content
    # The main job: a real Node trace of the demo bundle, symbolicated.
    with mapback.Symbolicator.from_directories(maps_dirs=[os.path.join(root, "examples", "demo")]) as sym:
        with open(os.path.join(root, "examples", "demo", "trace-node.txt"), "rb") as handle:
            trace = sym.symbolicate(handle.read())
    names = [frame.function for frame in trace.frames]
    assert names == ["applyCoupon", "priceCart", "checkout", "main"], names
    # The producer side: build, compose through a loader, concatenate, rewrite.
    builder = mapback.Builder(file="out.js")
    builder.add_mappings([(0, 0, "bundle.js", 0, 0, "a"), (0, 5, "bundle.js", 0, 4)])
    inner = b'{"version":3,"sources":["src.ts"],"names":["total"],"mappings":"AAIMA"}'
    composed = mapback.compose([builder.build()], loader=lambda name: inner if name == "bundle.js" else None)
    token = composed.build().lookup(0, 5)
    assert (token.source.name, token.original_line, token.name) == ("src.ts", 4, "total"), token
    code, joined = mapback.concat([("ab", composed.to_json()), ("cd", None)])
    assert code == "ab\ncd" and len(joined.build()) == 3, (code, joined.to_json())
    assert '"names":[]' in composed.build().rewrite(drop_names=True).to_json()
    try:
        mapback.SourceMap.from_bytes(b"{", strict=True)
    except mapback.InvalidJsonError as error:
        assert error.code == 101
    else:
        raise AssertionError("invalid JSON was accepted")
    print(
        "ok: %s %s, mapback %s from %s"
        % (
            platform.python_implementation(),
            platform.python_version(),
            mapback.__version__,
            os.path.dirname(mapback.__file__),
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
