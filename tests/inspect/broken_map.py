"""Writes a derivative of the demo map with problems the validator reports at generated
positions (for the inspector's browser test: clicking such a diagnostic must move the
view): one segment past the end of the script's second line, and one naming a source
that does not exist. Made at test time from examples/demo; never committed.

usage: broken_map.py DEMO_MAP OUT_MAP
"""

from __future__ import print_function

import json
import sys

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value):
    rest = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit = rest & 31
        rest >>= 5
        out += ALPHABET[digit | (32 if rest else 0)]
        if not rest:
            return out


def main(source, target):
    with open(source) as handle:
        document = json.load(handle)
    lines = document["mappings"].split(";")
    # Line 2 (0-based 1): a 1-field segment far past the line's end (the generated column
    # restarts at 0 on each line, so the delta from its last segment is enough).
    lines[1] += "," + vlq(5000)
    # Line 3 (0-based 2) has no mappings in the demo: one whose source index (a delta
    # from the last segment's) lands past the five sources.
    lines[2:] = [vlq(3) + vlq(99) + vlq(0) + vlq(0)]
    document["mappings"] = ";".join(lines)
    with open(target, "w") as handle:
        json.dump(document, handle)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
