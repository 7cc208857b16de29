//! The JSON layer: one validating pass over the document ([`scan`]), then values kept
//! as borrowed raw slices of it, plus typed readers for those slices.
//!
//! Keeping values raw lets the decoder report byte offsets, look at a field's JSON type
//! before deciding what to do (strict error or lenient recovery), and leave
//! `sourcesContent` escaped until somebody asks for it. serde_json is the authority on
//! invalid documents: when the scanner rejects one, serde_json says why.

mod scan;

use std::borrow::Cow;

use serde_json::value::RawValue;

use crate::error::{Error, ErrorCode, Result};

/// The JSON type of a raw value, judged by its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonType {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

/// A complete JSON value as it appears in the (validated) document.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Raw<'a>(&'a str);

impl<'a> Raw<'a> {
    /// The value's text.
    pub(crate) fn get(&self) -> &'a str {
        self.0
    }
}

impl JsonType {
    pub(crate) fn of(raw: Raw<'_>) -> JsonType {
        match raw.get().as_bytes().first() {
            Some(b'"') => JsonType::String,
            Some(b'[') => JsonType::Array,
            Some(b'{') => JsonType::Object,
            Some(b'n') => JsonType::Null,
            Some(b't') | Some(b'f') => JsonType::Bool,
            _ => JsonType::Number,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            JsonType::Null => "null",
            JsonType::Bool => "a boolean",
            JsonType::Number => "a number",
            JsonType::String => "a string",
            JsonType::Array => "an array",
            JsonType::Object => "an object",
        }
    }
}

/// A parsed JSON object: its members in document order, values still raw.
///
/// Duplicate keys are kept; [`JsonObject::get`] returns the last one, as `JSON.parse`
/// does.
pub(crate) struct JsonObject<'a> {
    members: Vec<(Cow<'a, str>, Raw<'a>)>,
    /// Each member's items (of an array value) or keys and values (of an object
    /// value), as the validator outlined them; `None` for other values.
    children: Vec<Option<Vec<Raw<'a>>>>,
}

impl<'a> JsonObject<'a> {
    /// Parses `text` as an object. Fails with `InvalidJson` on a syntax error and
    /// `NotAnObject` when the document is valid JSON of another type. `positions` maps
    /// positions in `text` back to the input, so error offsets refer to the input.
    pub(crate) fn parse(text: &'a str, positions: &InputPositions) -> Result<JsonObject<'a>> {
        if let Some(outline) = scan::outline(text.as_bytes()) {
            let root = Raw(text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')));
            if JsonType::of(root) != JsonType::Object {
                return JsonObject::from_raw(root);
            }
            return Ok(JsonObject::from_outline(text, outline));
        }
        // serde_json names the problem (and has the last word should the two disagree).
        let raw: &'a RawValue =
            serde_json::from_str(text).map_err(|e| json_error(text, positions, &e))?;
        JsonObject::from_raw(Raw(raw.get()))
    }

    /// Reads the members of a raw value that is known to be an object.
    pub(crate) fn from_raw(raw: Raw<'a>) -> Result<JsonObject<'a>> {
        if JsonType::of(raw) != JsonType::Object {
            return Err(Error::new(
                ErrorCode::NotAnObject,
                format!("expected a JSON object, found {}", JsonType::of(raw).name()),
            ));
        }
        let text = raw.get();
        // The outline splits the items of array members in the same pass: an index
        // map's sections would otherwise scan their `sourcesContent` twice more.
        if let Some(outline) = scan::outline(text.as_bytes()) {
            return Ok(JsonObject::from_outline(text, outline));
        }
        let members = scan::spans(text.as_bytes())
            .chunks_exact(2)
            .map(|pair| {
                let (key, value) = (pair[0], pair[1]);
                (
                    unescape_token(&text[key.0..key.1]),
                    Raw(&text[value.0..value.1]),
                )
            })
            .collect();
        Ok(JsonObject {
            members,
            children: Vec::new(),
        })
    }

    /// The object `outline` describes, its spans taken in `text`.
    fn from_outline(text: &'a str, outline: scan::Outline) -> JsonObject<'a> {
        let raw = |(start, end): scan::Span| Raw(&text[start..end]);
        let mut members = Vec::with_capacity(outline.members.len());
        let mut children = Vec::with_capacity(outline.members.len());
        for (key, value, items) in outline.members {
            members.push((unescape_token(raw(key).get()), raw(value)));
            children
                .push(items.map(|range| outline.children[range].iter().map(|&c| raw(c)).collect()));
        }
        JsonObject { members, children }
    }

    /// The items of `key`'s value, an array: outlined already when the object was,
    /// split from `value` otherwise.
    pub(crate) fn items(&self, key: &str, value: Raw<'a>) -> Result<Vec<Raw<'a>>> {
        let outlined = self
            .members
            .iter()
            .rposition(|(name, _)| name == key)
            .and_then(|index| self.children.get(index))
            .and_then(Option::as_ref);
        match outlined {
            Some(items) => Ok(items.clone()),
            None => array_items(value),
        }
    }

    /// The members in document order, repeated keys included.
    pub(crate) fn members(&self) -> impl Iterator<Item = (&str, Raw<'a>)> + '_ {
        self.members
            .iter()
            .map(|(key, value)| (key.as_ref(), *value))
    }

    /// The value of `key` (the last one if the key repeats).
    pub(crate) fn get(&self, key: &str) -> Option<Raw<'a>> {
        self.members
            .iter()
            .rev()
            .find(|(name, _)| name == key)
            .map(|(_, value)| *value)
    }

    /// Whether `key` is present at all, whatever its value.
    pub(crate) fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The first key that appears more than once, if any.
    pub(crate) fn duplicate_key(&self) -> Option<&str> {
        // Objects in source maps have a dozen keys at most: quadratic is cheapest here.
        for (i, (name, _)) in self.members.iter().enumerate() {
            if self.members[..i].iter().any(|(other, _)| other == name) {
                return Some(name);
            }
        }
        None
    }
}

/// Reads the items of a raw value that is known to be an array.
pub(crate) fn array_items(raw: Raw<'_>) -> Result<Vec<Raw<'_>>> {
    let text = raw.get();
    Ok(scan::spans(text.as_bytes())
        .into_iter()
        .map(|(start, end)| Raw(&text[start..end]))
        .collect())
}

/// Reads a JSON number as f64 (JSON numbers are doubles, as in `JSON.parse`).
pub(crate) fn number(raw: Raw<'_>) -> Option<f64> {
    if JsonType::of(raw) != JsonType::Number {
        return None;
    }
    // Rust's float grammar includes JSON's, and rounds the same way.
    raw.get().parse::<f64>().ok()
}

/// Reads a JSON number that is integral ("an integral Number" in the spec).
pub(crate) fn integer(raw: Raw<'_>) -> Option<f64> {
    number(raw).filter(|n| n.is_finite() && n.fract() == 0.0)
}

/// The string inside a raw JSON string token, unescaped.
///
/// Borrowed when the token has no escapes. Lone surrogate escapes (which `JSON.parse`
/// accepts) become U+FFFD, since Rust strings are UTF-8.
pub(crate) fn string(raw: Raw<'_>) -> Option<Cow<'_, str>> {
    let token = raw.get();
    if JsonType::of(raw) != JsonType::String {
        return None;
    }
    Some(unescape_token(token))
}

/// Unescapes a complete JSON string token (with its quotes) that serde_json already
/// validated.
pub(crate) fn unescape_token(token: &str) -> Cow<'_, str> {
    let inner = &token[1..token.len() - 1];
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Cow::Borrowed(inner);
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.char_indices();
    while let Some((_, ch)) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some((_, escape)) = chars.next() else {
            break;
        };
        match escape {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'u' => {
                let unit = read_hex4(&mut chars);
                if (0xd800..0xdc00).contains(&unit) {
                    // A high surrogate: pair it with a following \uDC00-\uDFFF if present.
                    let rest = chars.as_str();
                    if rest.len() >= 6 && rest.starts_with("\\u") {
                        let low = u32::from_str_radix(&rest[2..6], 16).unwrap_or(0);
                        if (0xdc00..0xe000).contains(&low) {
                            chars.next();
                            chars.next();
                            read_hex4(&mut chars);
                            let code = 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
                            out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                            continue;
                        }
                    }
                    out.push('\u{fffd}');
                } else {
                    out.push(char::from_u32(unit).unwrap_or('\u{fffd}'));
                }
            }
            other => out.push(other),
        }
    }
    Cow::Owned(out)
}

fn read_hex4(chars: &mut std::str::CharIndices<'_>) -> u32 {
    let mut value = 0;
    for _ in 0..4 {
        let digit = chars.next().and_then(|(_, c)| c.to_digit(16)).unwrap_or(0);
        value = value * 16 + digit;
    }
    value
}

/// Maps byte positions in the decoded text back to byte offsets in the input: the text
/// may start after a skipped prefix, and lenient decoding replaces invalid UTF-8 with
/// U+FFFD (3 bytes), which moves everything after it.
#[derive(Clone, Debug, Default)]
pub(crate) struct InputPositions {
    /// Input bytes before the text (BOM, `)]}'` line).
    pub(crate) skipped: usize,
    /// (text position just after a replacement, bytes the text has gained so far).
    pub(crate) growth: Vec<(usize, usize)>,
}

impl InputPositions {
    /// The input offset of a position in the text.
    pub(crate) fn to_input(&self, text_position: usize) -> usize {
        let after = self
            .growth
            .partition_point(|&(end, _)| end <= text_position);
        let gained = if after == 0 {
            0
        } else {
            self.growth[after - 1].1
        };
        self.skipped + text_position - gained
    }

    /// Whether positions in `range` of the text map one-to-one onto the input.
    pub(crate) fn is_contiguous(&self, range: std::ops::Range<usize>) -> bool {
        !self
            .growth
            .iter()
            .any(|&(end, _)| end > range.start && end <= range.end)
    }
}

/// Decodes bytes as UTF-8, replacing each invalid sequence with U+FFFD as browsers do,
/// and records where the text grew. Returns the byte offset of the first invalid
/// sequence too (`None` when the input was valid).
pub(crate) fn repair_utf8(bytes: &[u8], positions: &mut InputPositions) -> (String, Option<usize>) {
    let mut text = String::with_capacity(bytes.len() + 8);
    let mut rest = bytes;
    let mut consumed = 0;
    let mut first_invalid = None;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                return (text, first_invalid);
            }
            Err(error) => {
                let valid_len = error.valid_up_to();
                let bad_len = error.error_len().unwrap_or(rest.len() - valid_len);
                // The prefix is valid UTF-8 by construction.
                text.push_str(std::str::from_utf8(&rest[..valid_len]).unwrap_or_default());
                text.push('\u{fffd}');
                first_invalid.get_or_insert(consumed + valid_len);
                // Invalid sequences are 1 to 3 bytes, so the text never shrinks.
                let gained = positions.growth.last().map_or(0, |g| g.1) + 3 - bad_len;
                positions.growth.push((text.len(), gained));
                consumed += valid_len + bad_len;
                rest = &rest[valid_len + bad_len..];
            }
        }
    }
}

/// Turns a serde_json error into an `InvalidJson` error at a byte offset of the input.
fn json_error(text: &str, positions: &InputPositions, error: &serde_json::Error) -> Error {
    let offset = positions.to_input(line_column_to_offset(text, error.line(), error.column()));
    // serde_json appends "at line L column C" relative to `text`; the offset replaces it.
    let full = error.to_string();
    let reason = full
        .rfind(" at line ")
        .map_or(full.as_str(), |at| &full[..at]);
    Error::at(
        ErrorCode::InvalidJson,
        offset,
        format!("invalid JSON at byte {offset}: {reason}"),
    )
}

fn line_column_to_offset(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut offset = 0;
    for (index, piece) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            return (offset + column.saturating_sub(1)).min(text.len());
        }
        offset += piece.len();
    }
    text.len()
}

/// Replaces commas that directly precede `}` or `]` (ignoring whitespace) with spaces.
///
/// Used only by the lenient decoder after a syntax error; byte offsets stay the same.
/// Returns `None` when there was no such comma.
pub(crate) fn blank_trailing_commas(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut changed = false;
    let mut in_string = false;
    let mut escaped = false;
    let mut pending_comma: Option<usize> = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                pending_comma = None;
            }
            b',' => pending_comma = Some(i),
            b'}' | b']' => {
                if let Some(at) = pending_comma.take() {
                    out[at] = b' ';
                    changed = true;
                }
            }
            b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => pending_comma = None,
        }
    }
    // Only ASCII commas were replaced by ASCII spaces, so the text stays UTF-8.
    changed.then(|| String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
fn is_valid_json(text: &str) -> bool {
    serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_members_and_duplicates() {
        let obj = JsonObject::parse(
            r#"{"a": 1, "b": "x", "a": [2]}"#,
            &InputPositions::default(),
        )
        .unwrap();
        assert_eq!(obj.get("a").unwrap().get(), "[2]");
        assert_eq!(obj.duplicate_key(), Some("a"));
        assert!(obj.contains("b"));
        assert!(!obj.contains("c"));
    }

    #[test]
    fn not_an_object() {
        let err = JsonObject::parse("[1]", &InputPositions::default())
            .err()
            .unwrap();
        assert_eq!(err.code(), ErrorCode::NotAnObject);
        let err = JsonObject::parse("{", &InputPositions::default())
            .err()
            .unwrap();
        assert_eq!(err.code(), ErrorCode::InvalidJson);
    }

    #[test]
    fn unescape() {
        assert_eq!(unescape_token(r#""plain""#), "plain");
        assert_eq!(unescape_token(r#""a\nb\"c\\d\/""#), "a\nb\"c\\d/");
        assert_eq!(unescape_token(r#""\u00e9\ud83d\ude00""#), "é😀");
        assert_eq!(unescape_token(r#""x\ud800y""#), "x\u{fffd}y");
        assert_eq!(unescape_token(r#""\udc00""#), "\u{fffd}");
    }

    #[test]
    fn utf8_repair_keeps_input_positions() {
        let mut positions = InputPositions::default();
        let (text, first) = repair_utf8(b"ab\xffcd\xfe\xfeZ", &mut positions);
        assert_eq!(text, "ab\u{fffd}cd\u{fffd}\u{fffd}Z");
        assert_eq!(first, Some(2));
        // 'c' is at input 3; 'Z' at input 7.
        assert_eq!(positions.to_input(text.find('c').unwrap()), 3);
        assert_eq!(positions.to_input(text.find('Z').unwrap()), 7);
        assert_eq!(positions.to_input(1), 1);
        assert!(positions.is_contiguous(0..2));
        assert!(!positions.is_contiguous(0..6));
    }

    #[test]
    fn trailing_commas() {
        let fixed = blank_trailing_commas("{\"a\": [1, 2,], \"s\": \",}\",\n}").unwrap();
        assert_eq!(fixed, "{\"a\": [1, 2 ], \"s\": \",}\" \n}");
        assert!(is_valid_json(&fixed));
        assert_eq!(blank_trailing_commas("{\"a\": 1}"), None);
    }

    #[test]
    fn error_offsets() {
        let err = JsonObject::parse("{\n  \"a\": x}", &InputPositions::default())
            .err()
            .unwrap();
        assert_eq!(err.offset(), Some(9));
        let skipped = InputPositions {
            skipped: 3,
            growth: Vec::new(),
        };
        let err = JsonObject::parse("{\n  \"a\": x}", &skipped).err().unwrap();
        assert_eq!(err.offset(), Some(12));
        assert!(
            err.message().starts_with("invalid JSON at byte 12: "),
            "{}",
            err.message()
        );
        assert!(!err.message().contains("line"), "{}", err.message());
    }
}
