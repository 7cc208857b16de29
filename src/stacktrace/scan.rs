//! Small scanners shared by the frame parsers: positions read from the right, numbers
//! that may not fit, and cutting a line at a character boundary.
//!
//! Every function here looks at each byte a bounded number of times, so parsing stays
//! linear in the input whatever it contains.

/// A location split into its URL part and the `:line:column` suffix.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Position<'a> {
    /// Everything before the suffix (may be empty, may contain colons).
    pub url: &'a str,
    /// The line as printed; `None` when it does not fit in a `u32`.
    pub line: Option<u32>,
    /// The column as printed; `None` when absent or too large.
    pub column: Option<u32>,
}

/// Splits `text` into a URL and a trailing `:line:column` or `:line`, found from the
/// right so that URLs with colons (`https://host:8080/a.js:1:2`, `C:\a.js:1:2`) work.
///
/// Returns `None` when `text` does not end with `:` followed by at least one ASCII
/// digit. A number too large for a `u32` still counts as a position (so the digits do
/// not end up in the URL) but its value is `None`.
pub(super) fn split_position(text: &str) -> Option<Position<'_>> {
    let (rest, last) = split_number_suffix(text)?;
    Some(match split_number_suffix(rest) {
        Some((url, line)) => Position {
            url,
            line,
            column: last,
        },
        None => Position {
            url: rest,
            line: last,
            column: None,
        },
    })
}

/// `text` = `<before>:<digits>`: returns `<before>` and the number (`None` on
/// overflow). `None` when there are no digits or no colon before them.
fn split_number_suffix(text: &str) -> Option<(&str, Option<u32>)> {
    let bytes = text.as_bytes();
    let digits = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    let start = bytes.len() - digits;
    if digits == 0 || start == 0 || bytes[start - 1] != b':' {
        return None;
    }
    Some((&text[..start - 1], parse_u32(&text[start..])))
}

/// Parses a run of ASCII digits; `None` when it is empty, has another character, or
/// does not fit in a `u32` (`"99999999999999"`).
pub(super) fn parse_u32(digits: &str) -> Option<u32> {
    if digits.is_empty() {
        return None;
    }
    let mut value: u32 = 0;
    for byte in digits.bytes() {
        if !byte.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(u32::from(byte - b'0'))?;
    }
    Some(value)
}

/// True when every byte of a non-empty `text` is an ASCII digit.
pub(super) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// The longest prefix of `text` of at most `max` bytes that ends on a character
/// boundary.
pub(super) fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// True when the line starts with a space or a tab (V8 indents its frames; a header or
/// an unrelated log line does not start that way).
pub(super) fn is_indented(line: &str) -> bool {
    line.starts_with([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(url: &str, line: Option<u32>, column: Option<u32>) -> Option<Position<'_>> {
        Some(Position { url, line, column })
    }

    #[test]
    fn positions_are_found_from_the_right() {
        assert_eq!(
            split_position("https://h:8080/a.js:10:5"),
            pos("https://h:8080/a.js", Some(10), Some(5))
        );
        assert_eq!(split_position("a.js:7"), pos("a.js", Some(7), None));
        assert_eq!(split_position(":1:2"), pos("", Some(1), Some(2)));
        assert_eq!(
            split_position("a.js:99999999999999:3"),
            pos("a.js", None, Some(3))
        );
        assert_eq!(split_position("a.js"), None);
        assert_eq!(split_position("a.js:"), None);
        assert_eq!(split_position("12"), None);
        assert_eq!(split_position("a.js:1:x"), None);
        assert_eq!(split_position("a.js::3"), pos("a.js:", Some(3), None));
    }

    #[test]
    fn numbers_and_prefixes() {
        assert_eq!(parse_u32("4294967295"), Some(u32::MAX));
        assert_eq!(parse_u32("4294967296"), None);
        assert_eq!(parse_u32(""), None);
        assert_eq!(parse_u32("0"), Some(0));
        assert_eq!(parse_u32("1a"), None);
        assert_eq!(prefix("aé", 2), "a");
        assert_eq!(prefix("aé", 3), "aé");
        assert_eq!(prefix("abc", 0), "");
    }
}
