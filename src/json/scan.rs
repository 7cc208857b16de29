//! A validating JSON scanner and, for text it has validated, value splitting.
//!
//! Source maps are mostly a few huge strings (`mappings`, `sourcesContent`), so the
//! scanner's cost is string scanning, done eight bytes at a time ([`find`]). Containers are
//! tracked on an explicit stack, so nesting depth costs heap, not call stack.
//!
//! [`is_valid`] accepts exactly the documents `serde_json` accepts as a raw value (the
//! JSON grammar, lone surrogate escapes allowed). When it says no, the caller asks
//! serde_json again, for the error message; a false "no" would only cost time.

/// A byte range of the scanned text.
pub(crate) type Span = (usize, usize);

/// What the validator records of the first two levels of a document whose root is an
/// object, so that the decoder splits them without a second pass over their strings.
#[derive(Debug, Default)]
pub(crate) struct Outline {
    /// Each root member: key, value, and (when the value is a container) the range of
    /// `children` that holds its items, or its keys and values alternating.
    pub(crate) members: Vec<(Span, Span, Option<std::ops::Range<usize>>)>,
    pub(crate) children: Vec<Span>,
}

/// Whether `text` is one JSON value, optionally surrounded by whitespace.
#[cfg(test)]
pub(crate) fn is_valid(text: &[u8]) -> bool {
    outline(text).is_some()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Container {
    Array,
    Object,
}

/// Validates `text` as one JSON value (optionally surrounded by whitespace) and, when
/// the root is an object, outlines its first two levels. `None`: not valid JSON.
pub(crate) fn outline(text: &[u8]) -> Option<Outline> {
    let mut outline = Outline::default();
    let mut recorder = Recorder {
        outline: &mut outline,
        root_is_object: false,
    };
    // Open containers, with where each started.
    let mut stack: Vec<(Container, usize)> = Vec::new();
    let mut pos = skip_whitespace(text, 0);
    recorder.root_is_object = text.get(pos) == Some(&b'{');
    loop {
        // A value starts at `pos`, at depth `stack.len()`.
        let start = pos;
        match *text.get(pos)? {
            open @ (b'{' | b'[') => {
                pos = skip_whitespace(text, pos + 1);
                let close = if open == b'{' { b'}' } else { b']' };
                if text.get(pos) == Some(&close) {
                    pos += 1;
                    recorder.opened(stack.len());
                } else {
                    recorder.opened(stack.len());
                    if open == b'{' {
                        stack.push((Container::Object, start));
                        pos = member_key(text, pos, stack.len(), &mut recorder)?;
                    } else {
                        stack.push((Container::Array, start));
                    }
                    continue;
                }
            }
            b'"' => pos = string_end(text, pos)?,
            b't' => pos = literal(text, pos, b"true")?,
            b'f' => pos = literal(text, pos, b"false")?,
            b'n' => pos = literal(text, pos, b"null")?,
            b'-' | b'0'..=b'9' => pos = number_end(text, pos)?,
            _ => return None,
        }
        recorder.value(stack.len(), (start, pos));
        // A value ended at `pos`: close containers until one continues.
        loop {
            pos = skip_whitespace(text, pos);
            let Some(&(container, container_start)) = stack.last() else {
                return (pos == text.len()).then_some(outline);
            };
            match (container, *text.get(pos)?) {
                (_, b',') => {
                    pos = skip_whitespace(text, pos + 1);
                    if container == Container::Object {
                        pos = member_key(text, pos, stack.len(), &mut recorder)?;
                    }
                    break;
                }
                (Container::Array, b']') | (Container::Object, b'}') => {
                    stack.pop();
                    pos += 1;
                    recorder.value(stack.len(), (container_start, pos));
                }
                _ => return None,
            }
        }
    }
}

/// Builds an [`Outline`] from the validator's events.
struct Recorder<'o> {
    outline: &'o mut Outline,
    root_is_object: bool,
}

impl Recorder<'_> {
    /// A key of an object at `depth` (1: a root member).
    #[inline]
    fn key(&mut self, depth: usize, span: Span) {
        match depth {
            1 if self.root_is_object => self.outline.members.push((span, (0, 0), None)),
            2 if self.root_is_object => self.outline.children.push(span),
            _ => {}
        }
    }

    /// A container value at `depth` opened (its children follow).
    #[inline]
    fn opened(&mut self, depth: usize) {
        if depth == 1 && self.root_is_object {
            let first = self.outline.children.len();
            if let Some(member) = self.outline.members.last_mut() {
                member.2 = Some(first..first);
            }
        }
    }

    /// A complete value at `depth` (0: the root).
    #[inline]
    fn value(&mut self, depth: usize, span: Span) {
        match depth {
            1 if self.root_is_object => {
                let end = self.outline.children.len();
                if let Some(member) = self.outline.members.last_mut() {
                    member.1 = span;
                    if let Some(children) = &mut member.2 {
                        children.end = end;
                    }
                }
            }
            2 if self.root_is_object => self.outline.children.push(span),
            _ => {}
        }
    }
}

/// Reads `"key" :` at `pos` in an object at `depth` and returns where the member's
/// value starts.
fn member_key(text: &[u8], pos: usize, depth: usize, recorder: &mut Recorder<'_>) -> Option<usize> {
    if text.get(pos) != Some(&b'"') {
        return None;
    }
    let end = string_end(text, pos)?;
    recorder.key(depth, (pos, end));
    let pos = skip_whitespace(text, end);
    (text.get(pos) == Some(&b':')).then(|| skip_whitespace(text, pos + 1))
}

#[inline]
fn skip_whitespace(text: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = text.get(pos) {
        pos += 1;
    }
    pos
}

fn literal(text: &[u8], pos: usize, word: &[u8]) -> Option<usize> {
    text.get(pos..)?
        .starts_with(word)
        .then_some(pos + word.len())
}

/// The end of a number at `pos`, per the JSON grammar.
fn number_end(text: &[u8], mut pos: usize) -> Option<usize> {
    let digits = |pos: usize| {
        pos + text.get(pos..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    if text.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match text.get(pos)? {
        b'0' => pos += 1,
        b'1'..=b'9' => pos = digits(pos),
        _ => return None,
    }
    if text.get(pos) == Some(&b'.') {
        let end = digits(pos + 1);
        if end == pos + 1 {
            return None;
        }
        pos = end;
    }
    if let Some(b'e' | b'E') = text.get(pos) {
        pos += 1;
        if let Some(b'+' | b'-') = text.get(pos) {
            pos += 1;
        }
        let end = digits(pos);
        if end == pos {
            return None;
        }
        pos = end;
    }
    Some(pos)
}

/// The position after the closing quote of the string at `pos`, checking escapes and
/// control characters.
fn string_end(text: &[u8], pos: usize) -> Option<usize> {
    let mut at = pos + 1;
    loop {
        // Eight bytes at a time up to the next quote, backslash or control character;
        // escapes are frequent in code, so the loop resumes right after each one.
        match text.get(at..at + 8) {
            Some(chunk) => {
                let flagged = flags::<true>(u64::from_le_bytes(chunk.try_into().ok()?));
                if flagged == 0 {
                    at += 8;
                    continue;
                }
                at += flagged.trailing_zeros() as usize / 8;
            }
            None => {
                at += text
                    .get(at..)?
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            }
        }
        match text[at] {
            b'"' => return Some(at + 1),
            b'\\' => match text.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => at += 2,
                b'u' => {
                    let hex = text.get(at + 2..at + 6)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    at += 6;
                }
                _ => return None,
            },
            _ => return None, // a control character
        }
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is `"`, `\\` or (when `CONTROL`) below
/// 0x20. Bytes above the lowest flagged one may be flagged wrongly (borrows), never
/// below it, so the lowest set bit is exact.
#[inline(always)]
fn flags<const CONTROL: bool>(word: u64) -> u64 {
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = zero_byte(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(word ^ (ONES * u64::from(b'\\')));
    let control = if CONTROL {
        word.wrapping_sub(ONES * 0x20) & !word
    } else {
        0
    };
    (quote | backslash | control) & HIGH_BITS
}

/// The index of the first `"`, `\\` or (when `CONTROL`) control character in `bytes`.
/// Source map strings are either long runs without escapes (`mappings`) or code with
/// an escape every few dozen bytes (`sourcesContent`): eight bytes at a time (SWAR)
/// suits both, where `memchr` pays a call per escape.
#[inline(always)]
fn find<const CONTROL: bool>(bytes: &[u8]) -> Option<usize> {
    let word = |chunk: &[u8]| u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
    let mut pairs = bytes.chunks_exact(16);
    let mut base = 0;
    for pair in &mut pairs {
        let (low, high) = (
            flags::<CONTROL>(word(&pair[..8])),
            flags::<CONTROL>(word(&pair[8..])),
        );
        if low | high != 0 {
            let bit = if low != 0 {
                low.trailing_zeros()
            } else {
                64 + high.trailing_zeros()
            };
            return Some(base + bit as usize / 8);
        }
        base += 16;
    }
    pairs
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || (CONTROL && b < 0x20))
        .map(|i| base + i)
}

// ------------------------------------------------------------------------------------
// Splitting text that `is_valid` accepted.

/// The end of the value that starts at `pos` (no leading whitespace) in valid JSON.
pub(crate) fn value_end(text: &[u8], pos: usize) -> usize {
    match text.get(pos) {
        Some(b'"') => skip_string(text, pos),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut at = pos;
            while let Some(&byte) = text.get(at) {
                match byte {
                    b'"' => {
                        at = skip_string(text, at);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return at + 1;
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
            text.len()
        }
        _ => {
            let mut at = pos;
            while let Some(&byte) = text.get(at) {
                if matches!(byte, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                at += 1;
            }
            at
        }
    }
}

/// The position after the closing quote of a valid string at `pos`.
fn skip_string(text: &[u8], pos: usize) -> usize {
    let mut at = pos + 1;
    while let Some(special) = text.get(at..).and_then(find::<false>) {
        at += special;
        if text[at] == b'"' {
            return at + 1;
        }
        at += 2;
    }
    text.len()
}

/// The (start, end) spans of the items of a valid array, or of the keys and values of
/// a valid object (key, value, key, value, ...), given the container's text.
pub(crate) fn spans(text: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut pos = skip_whitespace(text, 1);
    let is_object = text.first() == Some(&b'{');
    while let Some(&byte) = text.get(pos) {
        if byte == b']' || byte == b'}' {
            break;
        }
        if is_object {
            let key_end = skip_string(text, pos);
            spans.push((pos, key_end));
            // Past the whitespace and the colon.
            pos = skip_whitespace(text, key_end);
            pos = skip_whitespace(text, pos + 1);
        }
        let end = value_end(text, pos);
        spans.push((pos, end));
        pos = skip_whitespace(text, end);
        if text.get(pos) == Some(&b',') {
            pos = skip_whitespace(text, pos + 1);
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_accepts(text: &str) -> bool {
        serde_json::from_str::<&serde_json::value::RawValue>(text).is_ok()
    }

    const CASES: &[&str] = &[
        "{}",
        "[]",
        " { \"a\" : [1, -2.5e+3, true, false, null, \"x\"] } ",
        "\"\\ud800\"",
        "\"\\uDC00x\"",
        "\"a\u{7f}\"",
        "\"\t\"",
        "\"\u{1}\"",
        "1.",
        "01",
        "-0",
        "1e",
        "1E+2",
        "\"\\x\"",
        " 1 ",
        "1 2",
        "",
        " ",
        "[1,]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:2}",
        "tru",
        "nulll",
        "[\"\\/\"]",
        "1.5e-3",
        "-",
        "\"\\u00G0\"",
        "\"\\u00e\"",
        "\u{feff}1",
        "\"\u{2028}\"",
        "[[[[]]]]",
        "[[[[]]]",
        "[]]",
        "{\"a\":{\"b\":[{}]}}",
        "\"unterminated",
        "\"ends with backslash\\",
        "[1 2]",
        "{\"a\":1 \"b\":2}",
        ".5",
        "+1",
        "1.e5",
        "[-]",
        "{\"k\\\"ey\":\"v\\\\\"}",
    ];

    #[test]
    fn agrees_with_serde() {
        for case in CASES {
            assert_eq!(is_valid(case.as_bytes()), serde_accepts(case), "{case:?}");
        }
    }

    #[test]
    fn agrees_with_serde_on_mutations() {
        // Every one-byte deletion and every replacement by a JSON-significant byte of a
        // document with every kind of value.
        let base = r#"{"v":3,"s":["a\"b\\c\u00e9",null],"n":[0,-1.5e-3,10],"t":true,"f":false,"o":{"x":[[]]}}"#;
        let bytes = base.as_bytes();
        let replacements = b"{}[]\",:\\ 0-.e+tfnu\x01\n";
        let mut cases = 0;
        for i in 0..bytes.len() {
            let mut deleted = bytes.to_vec();
            deleted.remove(i);
            let mut variants = vec![deleted];
            for &r in replacements {
                let mut replaced = bytes.to_vec();
                replaced[i] = r;
                variants.push(replaced);
            }
            for variant in variants {
                let Ok(text) = std::str::from_utf8(&variant) else {
                    continue;
                };
                assert_eq!(is_valid(text.as_bytes()), serde_accepts(text), "{text:?}");
                cases += 1;
            }
        }
        assert!(cases > 1000);
    }

    #[test]
    fn deep_nesting_uses_no_recursion() {
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert!(is_valid(deep.as_bytes()));
        assert!(!is_valid(&deep.as_bytes()[1..]));
    }

    #[test]
    fn control_characters_in_long_strings() {
        let mut long = format!("\"{}\"", "x".repeat(100));
        assert!(is_valid(long.as_bytes()));
        long.replace_range(70..71, "\u{1f}");
        assert!(!is_valid(long.as_bytes()));
    }

    #[test]
    fn outlines_two_levels() {
        let text = br#" {"a" : [1, "x]"], "b":{"c":"}", "d":[{}]}, "e":null, "f":[], "g":{}} "#;
        let outline = outline(text).unwrap();
        let show = |(s, e): Span| std::str::from_utf8(&text[s..e]).unwrap();
        let members: Vec<(&str, &str, Option<Vec<&str>>)> = outline
            .members
            .iter()
            .map(|(k, v, children)| {
                let children = children
                    .clone()
                    .map(|range| outline.children[range].iter().map(|&c| show(c)).collect());
                (show(*k), show(*v), children)
            })
            .collect();
        assert_eq!(
            members,
            [
                ("\"a\"", "[1, \"x]\"]", Some(vec!["1", "\"x]\""])),
                (
                    "\"b\"",
                    "{\"c\":\"}\", \"d\":[{}]}",
                    Some(vec!["\"c\"", "\"}\"", "\"d\"", "[{}]"])
                ),
                ("\"e\"", "null", None),
                ("\"f\"", "[]", Some(vec![])),
                ("\"g\"", "{}", Some(vec![])),
            ]
        );
        assert!(super::outline(b"[1]").unwrap().members.is_empty());
    }

    #[test]
    fn splits_containers() {
        let text = br#"{"a" : [1, "x]"], "b\"":{"c":"}"} , "d":null}"#;
        let members = spans(text);
        let parts: Vec<&str> = members
            .iter()
            .map(|&(s, e)| std::str::from_utf8(&text[s..e]).unwrap())
            .collect();
        assert_eq!(
            parts,
            [
                "\"a\"",
                "[1, \"x]\"]",
                "\"b\\\"\"",
                "{\"c\":\"}\"}",
                "\"d\"",
                "null"
            ]
        );
        let items = spans(br#"[ "a" , 2,{"k":[3]} ]"#);
        assert_eq!(items.len(), 3);
        assert!(spans(b"[]").is_empty());
        assert!(spans(b"{ }").is_empty());
    }
}
