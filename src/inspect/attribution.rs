//! Size attribution: which original file (and which npm package) each byte of the
//! generated script comes from, by the map's own segments.
//!
//! A segment covers its generated line from its column up to the next segment's column;
//! the last segment of a line covers the rest of the line. Bytes before a line's first
//! segment, bytes a segment without an original position covers, bytes of lines without
//! segments and the line terminators count as unmapped, so the parts always add up to
//! the script's size in UTF-8 bytes.

use crate::lines::line_starts;
use crate::mappings::NONE;
use crate::view::SourceMapView;

/// Bytes of the generated script per source, and the unmapped rest.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attribution {
    /// The script's size in UTF-8 bytes: the sum of everything below.
    pub total: u64,
    /// Bytes attributed to each source, by source index.
    pub per_source: Vec<u64>,
    /// Bytes no segment with an original position covers (line terminators included).
    pub unmapped: u64,
    /// Of `unmapped`, the line terminators.
    pub line_terminators: u64,
}

/// An npm package's share: `name` is the path after the last `node_modules/` (one
/// component, two for a scoped `@scope/name`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageShare {
    /// The package name.
    pub name: String,
    /// Bytes of its sources in the script.
    pub bytes: u64,
    /// How many of the map's sources belong to it.
    pub sources: u32,
}

/// Attributes every byte of `script` to a source of `map`.
pub fn attribute(map: &dyn SourceMapView, script: &str) -> Attribution {
    let mut result = Attribution {
        total: script.len() as u64,
        per_source: vec![0; map.source_count()],
        ..Attribution::default()
    };
    let starts = line_starts(script);
    let mut tokens = (0..map.token_count())
        .filter_map(|i| map.raw_token(i))
        .peekable();
    // (column, source) of the current line's segments, reused across lines.
    let mut segments: Vec<(u32, u32)> = Vec::new();
    for (line, &start) in starts.iter().enumerate() {
        let start = start as usize;
        let next = starts.get(line + 1).map_or(script.len(), |&s| s as usize);
        let text = trim_terminator(&script[start..next]);
        result.line_terminators += (next - start - text.len()) as u64;
        segments.clear();
        while let Some(token) = tokens.next_if(|t| t.generated_line as usize <= line) {
            if token.generated_line as usize == line {
                segments.push((token.generated_column, token.source));
            }
        }
        let offsets = byte_offsets(text, segments.iter().map(|s| s.0));
        let mut covered = 0;
        for (i, &(_, source)) in segments.iter().enumerate() {
            let from = offsets[i];
            let to = offsets.get(i + 1).copied().unwrap_or(text.len());
            let bytes = (to - from) as u64;
            match result.per_source.get_mut(source as usize) {
                Some(share) if source != NONE => {
                    *share += bytes;
                    covered += bytes;
                }
                _ => {}
            }
        }
        result.unmapped += text.len() as u64 - covered;
    }
    result.unmapped += result.line_terminators;
    result
}

/// The package a source belongs to: the component(s) after the last `node_modules/`.
pub fn package_of(source: &str) -> Option<&str> {
    let at = source.rfind("node_modules/")? + "node_modules/".len();
    let rest = &source[at..];
    let mut parts = rest.split('/');
    let first = parts.next().filter(|part| !part.is_empty())?;
    if !first.starts_with('@') {
        return Some(first);
    }
    // A scoped package: `@scope/name`, both parts present.
    let second = parts.next().filter(|part| !part.is_empty())?;
    Some(&rest[..first.len() + 1 + second.len()])
}

/// Each package's share, largest first (ties by name).
pub fn packages(attribution: &Attribution, source_names: &[Option<&str>]) -> Vec<PackageShare> {
    let mut shares: Vec<PackageShare> = Vec::new();
    for (index, name) in source_names.iter().enumerate() {
        let Some(package) = name.and_then(package_of) else {
            continue;
        };
        let bytes = attribution.per_source.get(index).copied().unwrap_or(0);
        match shares.iter_mut().find(|share| share.name == package) {
            Some(share) => {
                share.bytes += bytes;
                share.sources += 1;
            }
            None => shares.push(PackageShare {
                name: package.to_owned(),
                bytes,
                sources: 1,
            }),
        }
    }
    shares.sort_by(|a, b| b.bytes.cmp(&a.bytes).then_with(|| a.name.cmp(&b.name)));
    shares
}

/// A line without its terminator (`\r\n`, `\n`, `\r`, U+2028, U+2029).
fn trim_terminator(line: &str) -> &str {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    line.strip_suffix(['\u{2028}', '\u{2029}']).unwrap_or(line)
}

/// The byte offset in `text` of each UTF-16 column of `columns` (non-decreasing), clamped
/// to the text's end; a column inside a surrogate pair rounds up to the next character.
pub(crate) fn byte_offsets(text: &str, columns: impl Iterator<Item = u32>) -> Vec<usize> {
    if text.is_ascii() {
        return columns.map(|c| (c as usize).min(text.len())).collect();
    }
    let mut offsets = Vec::new();
    let mut chars = text.char_indices().peekable();
    let mut column = 0u32;
    for wanted in columns {
        while column < wanted {
            match chars.next() {
                Some((_, c)) => column += c.len_utf16() as u32,
                None => break,
            }
        }
        offsets.push(chars.peek().map_or(text.len(), |&(at, _)| at));
    }
    offsets
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceMap;

    #[test]
    fn packages_are_named_after_the_last_node_modules() {
        assert_eq!(package_of("../node_modules/react/index.js"), Some("react"));
        assert_eq!(
            package_of("node_modules/.pnpm/a@1/node_modules/@iconify/utils/lib/x.js"),
            Some("@iconify/utils")
        );
        assert_eq!(package_of("src/node_modules_like/x.js"), None);
        assert_eq!(package_of("src/app.js"), None);
        assert_eq!(package_of("node_modules/@scope"), None);
        assert_eq!(package_of("node_modules/"), None);
    }

    #[test]
    fn columns_count_utf16_units() {
        // "é" is 2 bytes and 1 unit; "😀" is 4 bytes and 2 units.
        let text = "aé😀b";
        assert_eq!(
            byte_offsets(text, [0, 1, 2, 3, 4, 5, 9].into_iter()),
            [0, 1, 3, 7, 7, 8, 8]
        );
        assert_eq!(byte_offsets("abc", [1, 7].into_iter()), [1, 3]);
    }

    #[test]
    fn every_byte_is_counted_once() {
        // Line 0: "xx" unmapped, then a.js from column 2, b.js from 4 to the end.
        // Line 1: a 1-field segment at 0 (unmapped), b.js from 3. Line 2: no segments.
        let map = SourceMap::from_slice(
            br#"{"version":3,"sources":["a.js","node_modules/b/i.js"],"mappings":"EAAA,ECAA;A,GAAA;"}"#,
        )
        .unwrap();
        let script = "xxaabbbb\r\nzzzcc\né";
        let shares = attribute(&map, script);
        assert_eq!(shares.per_source, [2, 4 + 2]);
        assert_eq!(shares.line_terminators, 3);
        assert_eq!(shares.unmapped, 2 + 3 + 2 + 3);
        assert_eq!(shares.total, script.len() as u64);
        let sum: u64 = shares.per_source.iter().sum::<u64>() + shares.unmapped;
        assert_eq!(sum, shares.total);
        let names = [Some("a.js"), Some("node_modules/b/i.js")];
        let packages = packages(&shares, &names);
        assert_eq!(packages.len(), 1);
        assert_eq!(
            (
                packages[0].name.as_str(),
                packages[0].bytes,
                packages[0].sources
            ),
            ("b", 6, 1)
        );
    }
}
