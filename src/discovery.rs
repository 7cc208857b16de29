//! Finding a script's source map: the `sourceMappingURL` comment (ECMA-426
//! JavaScriptExtractSourceMapURL, the method "without parsing"), the `debugId` comment,
//! and decoding `data:` URLs that embed the map.
//!
//! The comment scan follows the spec: lines are split on every JavaScript line
//! terminator; a `//` comment, or a `/* … */` comment on one line, whose text matches
//! `[@#] sourceMappingURL=<url>` (both `//#` and the legacy `//@`) records a URL; any other
//! code after it resets the result. So the answer is the last matching comment that is
//! followed only by whitespace and comments. Lines are scanned from the end, so a
//! multi-megabyte bundle costs only its tail.

use crate::error::{excerpt, Error, ErrorCode, Result};

/// The URL in the last `sourceMappingURL` comment that only whitespace and comments
/// follow, if any. Empty URLs (`//# sourceMappingURL=`) count as none.
pub fn source_mapping_url(source: &str) -> Option<&str> {
    last_comment_value(source, "sourceMappingURL").filter(|url| !url.is_empty())
}

/// The value of the last `//# debugId=<id>` comment that only whitespace and comments
/// follow (the debug-ID proposal's convention), if any.
pub fn debug_id(source: &str) -> Option<&str> {
    last_comment_value(source, "debugId").filter(|id| !id.is_empty())
}

/// Scans lines from the end. Each line is classified: blank, comment-only (possibly
/// recording a value for `key`), or code (which ends the scan: nothing before it
/// counts). Within a line, a later matching comment wins, as in the spec's forward scan.
fn last_comment_value<'s>(source: &'s str, key: &str) -> Option<&'s str> {
    let mut end = source.len();
    loop {
        let start = line_start_before(source, end);
        let line = &source[start..end];
        match scan_line(line, key) {
            LineKind::Code => return None,
            LineKind::Comments(Some(value)) => return Some(value),
            LineKind::Comments(None) => {}
        }
        if start == 0 {
            return None;
        }
        // Step over the terminator that ends the previous line.
        end = terminator_start(source, start);
    }
}

/// The start of the line that ends at `end`.
fn line_start_before(source: &str, end: usize) -> usize {
    let bytes = source.as_bytes();
    let mut i = end;
    while i > 0 {
        let b = bytes[i - 1];
        if b == b'\n' || b == b'\r' {
            return i;
        }
        // U+2028 / U+2029 are E2 80 A8 / E2 80 A9.
        if i >= 3 && bytes[i - 3] == 0xE2 && bytes[i - 2] == 0x80 && matches!(b, 0xA8 | 0xA9) {
            return i;
        }
        i -= 1;
    }
    0
}

/// Where the terminator that precedes `line_start` begins (`\r\n` counts as one).
fn terminator_start(source: &str, line_start: usize) -> usize {
    let bytes = source.as_bytes();
    match bytes[line_start - 1] {
        b'\n' if line_start >= 2 && bytes[line_start - 2] == b'\r' => line_start - 2,
        b'\n' | b'\r' => line_start - 1,
        _ => line_start - 3,
    }
}

enum LineKind<'s> {
    Code,
    /// Only whitespace and comments; the value of the last matching one.
    Comments(Option<&'s str>),
}

fn scan_line<'s>(line: &'s str, key: &str) -> LineKind<'s> {
    let mut found = None;
    let mut rest = line;
    loop {
        rest = rest.trim_start_matches(is_js_whitespace);
        if rest.is_empty() {
            return LineKind::Comments(found);
        }
        if let Some(comment) = rest.strip_prefix("//") {
            if let Some(value) = match_comment(comment, key) {
                found = Some(value);
            }
            return LineKind::Comments(found);
        }
        if let Some(after) = rest.strip_prefix("/*") {
            let Some(close) = after.find("*/") else {
                // An unclosed block comment: the rest of the line is comment text
                // without a match (the spec does not track comments across lines).
                return LineKind::Comments(found);
            };
            if let Some(value) = match_comment(&after[..close], key) {
                found = Some(value);
            }
            rest = &after[close + 2..];
            continue;
        }
        return LineKind::Code;
    }
}

/// `^[@#]\s*<key>=(\S*?)\s*$` on a comment's text.
fn match_comment<'s>(comment: &'s str, key: &str) -> Option<&'s str> {
    let rest = comment.strip_prefix(['#', '@'])?;
    let rest = rest.trim_start_matches(is_js_whitespace);
    let value = rest.strip_prefix(key)?.strip_prefix('=')?;
    let value = value.trim_end_matches(is_js_whitespace);
    (!value.contains(is_js_whitespace)).then_some(value)
}

/// JavaScript WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP and Zs), as `\s` in the spec's
/// regular expression matches them.
fn is_js_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | ' ' | '\u{a0}' | '\u{feff}')
        || (c > '\u{7f}' && c.is_whitespace())
}

/// The largest decoded `data:` URL accepted by default (a map embedded in a script).
pub const DEFAULT_MAX_DATA_URL_BYTES: usize = 64 * 1024 * 1024;

/// Decodes a `data:` URL (`data:[<type>][;charset=…][;base64],<data>`): base64 or
/// percent-encoded. Returns `None` when `url` is not a `data:` URL; an error when it is
/// malformed or decodes to more than `max_bytes`.
pub fn decode_data_url(url: &str, max_bytes: usize) -> Option<Result<Vec<u8>>> {
    let rest = url.strip_prefix("data:").or_else(|| {
        url.get(..5)
            .filter(|p| p.eq_ignore_ascii_case("data:"))
            .map(|_| &url[5..])
    })?;
    Some(decode_data_body(rest, max_bytes))
}

fn decode_data_body(rest: &str, max_bytes: usize) -> Result<Vec<u8>> {
    let Some(comma) = rest.find(',') else {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "data: URL without a comma before its data",
        ));
    };
    let (meta, data) = (&rest[..comma], &rest[comma + 1..]);
    let is_base64 = meta
        .rsplit(';')
        .next()
        .is_some_and(|last| last.trim().eq_ignore_ascii_case("base64"));
    let too_large = || {
        Error::new(
            ErrorCode::InputTooLarge,
            format!("data: URL decodes to more than {max_bytes} bytes"),
        )
    };
    if is_base64 {
        // Every 4 characters decode to at most 3 bytes: refuse before decoding.
        if data.len() / 4 * 3 > max_bytes.saturating_add(3) {
            return Err(too_large());
        }
        let decoded = decode_base64(&percent_decode(data.as_bytes()))?;
        if decoded.len() > max_bytes {
            return Err(too_large());
        }
        Ok(decoded)
    } else {
        if data.len() > max_bytes.saturating_mul(3) {
            return Err(too_large());
        }
        let decoded = percent_decode(data.as_bytes());
        if decoded.len() > max_bytes {
            return Err(too_large());
        }
        Ok(decoded)
    }
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' && i + 2 < input.len() {
            if let (Some(high), Some(low)) = (hex(input[i + 1]), hex(input[i + 2])) {
                out.push(high * 16 + low);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

/// Forgiving base64 (as `atob`): ASCII whitespace ignored, padding optional, the
/// URL-safe alphabet accepted too.
fn decode_base64(input: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3 + 3);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for (position, &byte) in input.iter().enumerate() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' => continue,
            other => {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "invalid base64 character \"{}\" at {position} in a data: URL",
                        excerpt(&(other as char).to_string())
                    ),
                ))
            }
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_last_trailing_comment() {
        assert_eq!(
            source_mapping_url("a();\n//# sourceMappingURL=a.js.map\n"),
            Some("a.js.map")
        );
        assert_eq!(
            source_mapping_url("a();\n//@ sourceMappingURL=old.map"),
            Some("old.map")
        );
        assert_eq!(
            source_mapping_url("a();\n/*# sourceMappingURL=b.map */\n\n  \n"),
            Some("b.map")
        );
        assert_eq!(
            source_mapping_url("//# sourceMappingURL=first.map\n//# sourceMappingURL=second.map\n"),
            Some("second.map")
        );
        // Code after the comment cancels it.
        assert_eq!(
            source_mapping_url("//# sourceMappingURL=a.map\nb();\n"),
            None
        );
        // Comment-only lines after it are fine; so is \r\n and U+2028.
        assert_eq!(
            source_mapping_url("x;\r\n//# sourceMappingURL=c.map\r\n// license\r\n/* end */"),
            Some("c.map")
        );
        assert_eq!(
            source_mapping_url("x;\u{2028}//# sourceMappingURL=d.map"),
            Some("d.map")
        );
        // Within a line the spec's forward scan keeps the last match.
        assert_eq!(
            source_mapping_url("/*# sourceMappingURL=e.map */ //# sourceMappingURL=f.map"),
            Some("f.map")
        );
        // A URL with spaces does not match; an empty one counts as none.
        assert_eq!(source_mapping_url("//# sourceMappingURL=a b.map"), None);
        assert_eq!(source_mapping_url("//# sourceMappingURL="), None);
        assert_eq!(source_mapping_url(""), None);
        assert_eq!(source_mapping_url("\n\n\n"), None);
        assert_eq!(
            source_mapping_url("let s = '//# sourceMappingURL=in-string.map';"),
            None
        );
    }

    #[test]
    fn debug_id_comment() {
        let source =
            "x();\n//# debugId=85314830-023f-4cf1-a267-535f4e37bb17\n//# sourceMappingURL=x.map\n";
        assert_eq!(
            debug_id(source),
            Some("85314830-023f-4cf1-a267-535f4e37bb17")
        );
        assert_eq!(source_mapping_url(source), Some("x.map"));
    }

    #[test]
    fn data_urls() {
        let json = br#"{"version":3}"#;
        let base64 = "data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozfQ==";
        assert_eq!(decode_data_url(base64, 1024).unwrap().unwrap(), json);
        let plain = "data:application/json,%7B%22version%22%3A3%7D";
        assert_eq!(decode_data_url(plain, 1024).unwrap().unwrap(), json);
        assert!(decode_data_url("https://x/y.map", 1024).is_none());
        let err = decode_data_url(base64, 4).unwrap().unwrap_err();
        assert_eq!(err.code(), ErrorCode::InputTooLarge);
        let bad = decode_data_url("data:application/json;base64,e*", 1024).unwrap();
        assert_eq!(bad.unwrap_err().code(), ErrorCode::InvalidArgument);
        assert!(decode_data_url("data:nocomma", 10).unwrap().is_err());
    }

    #[test]
    fn huge_inputs_scan_only_the_tail() {
        let mut source = "a".repeat(5_000_000);
        source.push_str("\n//# sourceMappingURL=big.map");
        assert_eq!(source_mapping_url(&source), Some("big.map"));
        let lines = "\n".repeat(1_000_000);
        assert_eq!(source_mapping_url(&lines), None);
    }
}
