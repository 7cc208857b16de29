"""A small, independent source map reader for the ground truth (neither mapback nor symbolic).

Only what the reference bundles need: version-3 maps with `mappings`, `sources`,
`sourcesContent` and `names` (no index maps). Lookups are the usual greatest-lower-bound
on one generated line; `exact` says whether a segment starts at the queried column.
"""

import bisect
import json
import re

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_DECL_BEFORE = re.compile(r"(?:\bfunction\*?|\bclass)\s+$")
_DECL_AFTER = re.compile(r"\s*=\s*(?:async\s+)?(?:function\b|class\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")
_SELF_CLASS = re.compile(r"\b([A-Za-z_$][\w$]*) = class (_\1)\b")


def _vlq(segment):
    values, shift, value = [], 0, 0
    for ch in segment:
        digit = _B64[ch]
        value += (digit & 31) << shift
        if digit & 32:
            shift += 5
        else:
            values.append(-(value >> 1) if value & 1 else value >> 1)
            shift, value = 0, 0
    return values


class RefMap(object):
    def __init__(self, path, generated_path=None):
        with open(path, "r", encoding="utf-8") as f:
            data = json.load(f)
        self.sources = data["sources"]
        self.contents = data.get("sourcesContent") or [None] * len(self.sources)
        self.names = data.get("names") or []
        self.lines = []  # per generated line: sorted list of (gen_col, src, line, col, name)
        src = line = col = name = 0
        for text in data["mappings"].split(";"):
            gen_col = 0
            row = []
            for seg in text.split(","):
                if not seg:
                    continue
                v = _vlq(seg)
                gen_col += v[0]
                if len(v) >= 4:
                    src += v[1]
                    line += v[2]
                    col += v[3]
                    nm = None
                    if len(v) >= 5:
                        name += v[4]
                        nm = name
                    row.append((gen_col, src, line, col, nm))
                else:
                    row.append((gen_col, None, None, None, None))
            row.sort(key=lambda r: r[0])
            self.lines.append(row)
        self._cols = [[r[0] for r in row] for row in self.lines]
        self._content_lines = {}
        self.generated = None
        if generated_path:
            with open(generated_path, "r", encoding="utf-8") as f:
                self.generated = f.read().split("\n")

    def lookup(self, line0, col0, last=False):
        """(source, line0, col0, exact) of the segment covering a 0-based position, or None.

        Several segments may start at the same generated column (swc emits such runs); the
        first one is taken, as mozilla/source-map does, or the last one with `last=True`."""
        if line0 >= len(self.lines):
            return None
        cols = self._cols[line0]
        i = bisect.bisect_right(cols, col0) - 1
        if i < 0:
            return None
        if not last:
            i = bisect.bisect_left(cols, cols[i])
        gen_col, src, line, col, _ = self.lines[line0][i]
        if src is None:
            return None
        return self.sources[src], line, col, gen_col == col0

    def candidates(self, line0, col0):
        """How many segments start at the generated column that covers a 0-based position."""
        if line0 >= len(self.lines):
            return 0
        cols = self._cols[line0]
        i = bisect.bisect_right(cols, col0) - 1
        if i < 0:
            return 0
        return i + 1 - bisect.bisect_left(cols, cols[i])

    def source_line(self, source, line0):
        idx = self.sources.index(source)
        if idx not in self._content_lines:
            content = self.contents[idx] or ""
            self._content_lines[idx] = content.split("\n")
        lines = self._content_lines[idx]
        return lines[line0] if 0 <= line0 < len(lines) else None

    def renames(self):
        """{generated identifier: original identifier} for identifiers the bundler renamed.

        esbuild gives a renamed identifier a `names` entry (a second top-level `parse`
        becomes `parse2`). For each named segment, the identifier at the generated position
        is compared with the identifier at the ORIGINAL position in `sourcesContent` (not with
        the `names` entry: names composed from a library's own map can be its bundler's
        aliases, e.g. markdown-it's `r_inline` for `function inline`). A generated identifier
        with several different originals is left out.
        """
        table = {}
        if self.generated is None:
            return table
        for line0, row in enumerate(self.lines):
            text = self.generated[line0] if line0 < len(self.generated) else ""
            for gen_col, src, line, col, nm in row:
                if nm is None or src is None:
                    continue
                m = _IDENT.match(text, gen_col)
                orig_text = self.source_line(self.sources[src], line)
                o = _IDENT.match(orig_text, col) if orig_text is not None else None
                if not m or not o:
                    continue
                generated, original = m.group(0), o.group(0)
                # only where a function or class gets its name: `function NAME`, `class NAME`
                before = text[:gen_col]
                after = text[m.end():]
                if not (_DECL_BEFORE.search(before) or _DECL_AFTER.match(after)):
                    continue
                table.setdefault(generated, set()).add(original)
        # A class that refers to itself is emitted as `var Foo = class _Foo {`: the inner name
        # has no mapping of its own.
        for text in self.generated:
            for m in _SELF_CLASS.finditer(text):
                table.setdefault(m.group(2), set()).add(m.group(1))
        return {g: next(iter(o)) for g, o in table.items() if len(o) == 1 and g not in o}
