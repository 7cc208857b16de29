//! Splitting source text into lines the way JavaScript engines count them, for context
//! lines: `\r\n`, `\n`, `\r`, U+2028 and U+2029 end a line (ECMA-262 LineTerminator).

/// Byte offsets where each line starts (the first is 0). A text of n terminators has
/// n + 1 lines; the last may be empty.
pub(crate) fn line_starts(text: &str) -> Vec<u32> {
    std::iter::once(0)
        .chain(later_line_starts(text).map(|start| start as u32))
        .collect()
}

/// Byte offsets where the second and every later line start: one per terminator.
pub(crate) fn later_line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    i += 1;
                    return Some(i);
                }
                b'\r' => {
                    i += if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                    return Some(i);
                }
                // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
                0xE2 if bytes.get(i + 1) == Some(&0x80)
                    && matches!(bytes.get(i + 2), Some(0xA8 | 0xA9)) =>
                {
                    i += 3;
                    return Some(i);
                }
                _ => i += 1,
            }
        }
        None
    })
}

/// Line `index` of `text` without its terminator, given its line starts.
///
/// Returns `None` when the index is past the last line or the starts do not fit the text
/// (a corrupt cache), never panicking.
pub(crate) fn line<'t>(text: &'t str, starts: &[u32], index: usize) -> Option<&'t str> {
    let length = line_bytes(text.as_bytes(), starts, index)?.len();
    // `text` is UTF-8 already: only the two bounds need checking (bounds that split a
    // character fail here), in O(1). Minified lines run to megabytes.
    let start = *starts.get(index)? as usize;
    text.get(start..start + length)
}

/// Bytes of line `index` of `text` without its terminator (no UTF-8 check).
pub(crate) fn line_bytes<'t>(text: &'t [u8], starts: &[u32], index: usize) -> Option<&'t [u8]> {
    let start = *starts.get(index)? as usize;
    let end = starts
        .get(index + 1)
        .map_or(text.len(), |&end| end as usize);
    let line = text.get(start..end)?;
    Some(strip_terminator(line))
}

fn strip_terminator(line: &[u8]) -> &[u8] {
    for terminator in ["\r\n", "\n", "\r", "\u{2028}", "\u{2029}"] {
        if let Some(stripped) = line.strip_suffix(terminator.as_bytes()) {
            return stripped;
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_terminators() {
        let text = "a\nb\r\nc\rd\u{2028}e\u{2029}f";
        let starts = line_starts(text);
        assert_eq!(starts.len(), 6);
        let lines: Vec<&str> = (0..6).map(|i| line(text, &starts, i).unwrap()).collect();
        assert_eq!(lines, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(line(text, &starts, 6), None);
    }

    #[test]
    fn trailing_terminator_gives_an_empty_last_line() {
        let starts = line_starts("x\n");
        assert_eq!(starts, [0, 2]);
        assert_eq!(line("x\n", &starts, 1), Some(""));
        assert_eq!(line_starts(""), [0]);
    }

    #[test]
    fn inconsistent_starts_do_not_panic() {
        assert_eq!(line("abc", &[0, 99], 1), None);
        assert_eq!(line("héllo", &[2], 0), None);
    }
}
