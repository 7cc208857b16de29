"""A small, independent source map reader for the ground truth (neither mapback nor symbolic).

Only what the reference bundles need: version-3 maps with `mappings`, `sources`,
`sourcesContent` and `names` (no index maps). Lookups are the usual greatest-lower-bound
on one generated line; `exact` says whether a segment starts at the queried column.

`lookup_token` is the lookup the ground truth uses: where a position falls between two
segments, it walks the tokens of the generated line and of the original source in step from
the segment up to the position (the same tokens, renamed identifiers aside), so the answer is
the original column of the very token the runtime reported, as the unminified program run in
that runtime reports it. Where the two token streams differ, the segment's position stands.
"""

import bisect
import json
import re

_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_DECL_BEFORE = re.compile(r"(?:\bfunction\*?|\bclass)\s+$")
_DECL_AFTER = re.compile(r"\s*=\s*(?:async\s+)?(?:function\b|class\b|\([^()]*\)\s*=>|[A-Za-z_$][\w$]*\s*=>)")
_SELF_CLASS = re.compile(r"\b([A-Za-z_$][\w$]*) = class (_\1)\b")


# Words that must be equal in both texts for a walk to go on (identifiers may be renamed).
_KEYWORDS = frozenset(
    "break case catch class const continue debugger default delete do else export extends false finally for "
    "function if import in instanceof let new null return super switch this throw true try typeof var void "
    "while with yield async await of get set static".split()
)
_MAX_WALK = 64
_MAX_STARTS = 4


def _tokens(text, start):
    """(kind, text, offset) of the tokens of `text` from offset `start`; a kind of None marks
    where the tokenizer stops (a template or regular expression literal, a division: what it
    cannot tell apart safely)."""
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if c in " \t\r\n\u2028\u2029\ufeff":
            i += 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return
            i = j + 2
        elif c.isalpha() or c in "_$" or ord(c) > 127:
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_$" or ord(text[j]) > 127):
                j += 1
            yield "word", text[i:j], i
            i = j
        elif c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "._"):
                j += 1
            yield "num", text[i:j], i
            i = j
        elif c in "'\"":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            if j >= n or text[j] != c:
                return
            yield "str", text[i:j + 1], i
            i = j + 1
        elif c in "`/":
            yield None, c, i
            return
        else:
            yield "punct", c, i
            i += 1


def _same_token(a, b):
    (ka, ta, _), (kb, tb, _) = a, b
    if ka != kb or ka is None:
        return False
    if ka == "punct":
        return ta == tb
    if ka == "word" and (ta in _KEYWORDS or tb in _KEYWORDS):
        return ta == tb
    return True


def _utf16_to_index(line, col):
    units = 0
    for i, ch in enumerate(line):
        if units >= col:
            return i if units == col else None
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(line) if units == col else None


def _index_to_utf16(line, index):
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in line[:index])


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

    def lookup_token(self, line0, col0):
        """(source, line0, col0, how) for a 0-based generated position: `how` is "exact" on a
        segment, "walked" when the tokens were walked from the segment before it up to the
        position, "segment" when they could not be (the segment's position stands)."""
        hit = self.lookup(line0, col0)
        if hit is None:
            return None
        src, line, col, exact = hit
        if exact:
            return src, line, col, "exact"
        # From the segment before the position, else from one of the few before it: a
        # segment can itself map its token to a neighbour (markdown-it's own map takes
        # the `]` of `rules[i]` to `i`), and then the walk from it fails at once.
        row = self.lines[line0]
        i = bisect.bisect_right(self._cols[line0], col0) - 1
        for start in range(i, max(-1, i - _MAX_STARTS), -1):
            seg_col, s_src, s_line, s_col, _ = row[start]
            if s_src is None:
                break
            walked = self._walk(line0, col0, seg_col, self.sources[s_src], s_line, s_col)
            if walked is not None:
                return self.sources[s_src], walked[0], walked[1], "walked"
        return src, line, col, "segment"

    def _walk(self, line0, col0, seg_col, src, line, col):
        if self.generated is None or line0 >= len(self.generated):
            return None
        text = self.generated[line0]
        start, target = _utf16_to_index(text, seg_col), _utf16_to_index(text, col0)
        if start is None or target is None:
            return None
        generated = []
        for token in _tokens(text, start):
            if token[2] > target or len(generated) > _MAX_WALK:
                return None
            generated.append(token)
            if token[2] == target:
                break
        else:
            return None
        if generated[-1][2] != target or generated[-1][0] is None:
            return None
        content = self.contents[self.sources.index(src)]
        if content is None:
            return None
        lines = content.split("\n")
        if line >= len(lines):
            return None
        begin = _utf16_to_index(lines[line], col)
        if begin is None:
            return None
        offset = sum(len(l) + 1 for l in lines[:line]) + begin
        original = []
        for token in _tokens(content, offset):
            original.append(token)
            if len(original) == len(generated):
                break
        if len(original) < len(generated) or not all(map(_same_token, generated, original)):
            return None
        at = original[-1][2]
        line_start = content.rfind("\n", 0, at) + 1
        return content.count("\n", 0, at), _index_to_utf16(content[line_start:at], at - line_start)

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
