//! The decoded sources of a map: raw `sources` strings, their resolved URLs, lazily
//! unescaped `sourcesContent`, the ignore-list flags, and Metro's function maps.

use std::sync::OnceLock;

use crate::function_maps::FunctionMap;
use crate::json::unescape_token;
use crate::strings::StringTable;

/// Marks a source without content.
const NO_CONTENT: (u32, u32) = (u32::MAX, 0);

/// All sources of a map (index maps: of every section, in order).
#[derive(Debug, Default)]
pub(crate) struct SourceTable {
    /// The `sources` entries as written (null stays null).
    pub(crate) raw: StringTable,
    /// `sourceRoot` prefix + raw entry: what to show when there is no URL.
    pub(crate) joined: StringTable,
    /// The WHATWG-resolved URL, null when the source is null or does not resolve.
    pub(crate) urls: StringTable,
    pub(crate) ignored: Vec<bool>,
    /// Metro's function maps (`x_facebook_sources`) by source index, ascending: only
    /// the sources that have one, so maps without them pay nothing per source.
    function_maps: Vec<(u32, FunctionMap)>,
    contents: Contents,
}

impl SourceTable {
    pub(crate) fn len(&self) -> usize {
        self.raw.len()
    }

    /// Appends a source. `content_token` is the raw JSON string token (with quotes).
    pub(crate) fn push(
        &mut self,
        raw: Option<&str>,
        joined: Option<&str>,
        url: Option<&str>,
        content_token: Option<&str>,
    ) {
        self.raw.push(raw);
        self.joined.push(joined);
        self.urls.push(url);
        self.ignored.push(false);
        self.contents.push(content_token);
    }

    pub(crate) fn truncate(&mut self, len: usize) {
        self.raw.truncate(len);
        self.joined.truncate(len);
        self.urls.truncate(len);
        self.ignored.truncate(len);
        self.function_maps
            .retain(|(index, _)| (*index as usize) < len);
        self.contents.truncate(len);
    }

    /// Gives source `index` (the last one with a function map so far, or a later one)
    /// its function map.
    pub(crate) fn set_function_map(&mut self, index: u32, function_map: FunctionMap) {
        debug_assert!(self
            .function_maps
            .last()
            .is_none_or(|(last, _)| *last < index));
        self.function_maps.push((index, function_map));
    }

    /// Source `index`'s function map, if it has one.
    pub(crate) fn function_map(&self, index: u32) -> Option<&FunctionMap> {
        let at = self
            .function_maps
            .binary_search_by_key(&index, |(i, _)| *i)
            .ok()?;
        Some(&self.function_maps[at].1)
    }

    /// The unescaped content of source `index`, if it has any.
    pub(crate) fn content(&self, index: usize) -> Option<&str> {
        self.contents.get(index)
    }

    /// Line `line` of the content of source `index`, without its terminator.
    pub(crate) fn line(&self, index: usize, line: usize) -> Option<&str> {
        let content = self.content(index)?;
        crate::lines::line(content, self.line_starts_of(index, content), line)
    }

    /// Number of lines in the content of source `index` (0 without content).
    pub(crate) fn line_count(&self, index: usize) -> usize {
        self.content(index)
            .map_or(0, |content| self.line_starts_of(index, content).len())
    }

    fn line_starts_of(&self, index: usize, content: &str) -> &[u32] {
        self.contents.line_starts[index].get_or_init(|| crate::lines::line_starts(content).into())
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        self.raw.shrink_to_fit();
        self.joined.shrink_to_fit();
        self.urls.shrink_to_fit();
        self.ignored.shrink_to_fit();
        self.function_maps.shrink_to_fit();
        self.contents.blob.shrink_to_fit();
        self.contents.spans.shrink_to_fit();
        self.contents.unescaped.shrink_to_fit();
        self.contents.line_starts.shrink_to_fit();
    }

    /// Bytes of heap memory held, counting the contents still escaped.
    pub(crate) fn heap_size(&self) -> usize {
        self.raw.heap_size()
            + self.joined.heap_size()
            + self.urls.heap_size()
            + self.ignored.capacity()
            + self.function_maps.capacity() * std::mem::size_of::<(u32, FunctionMap)>()
            + self
                .function_maps
                .iter()
                .map(|(_, m)| m.heap_size())
                .sum::<usize>()
            + self.contents.blob.capacity()
            + self.contents.spans.capacity() * 8
            + self.contents.unescaped.capacity() * std::mem::size_of::<OnceLock<Box<str>>>()
            + self.contents.line_starts.capacity() * std::mem::size_of::<OnceLock<Box<[u32]>>>()
    }
}

/// `sourcesContent`, kept as the JSON string tokens and unescaped on first access.
#[derive(Debug, Default)]
struct Contents {
    /// The raw JSON tokens, quotes included, back to back.
    blob: String,
    spans: Vec<(u32, u32)>,
    /// Filled on first access, only for tokens that contain escapes.
    unescaped: Vec<OnceLock<Box<str>>>,
    /// Line start offsets of each content, computed on first line access.
    line_starts: Vec<OnceLock<Box<[u32]>>>,
}

impl Contents {
    fn push(&mut self, token: Option<&str>) {
        match token {
            Some(token) => {
                let start = self.blob.len() as u32;
                self.blob.push_str(token);
                self.spans.push((start, token.len() as u32));
            }
            None => self.spans.push(NO_CONTENT),
        }
        self.unescaped.push(OnceLock::new());
        self.line_starts.push(OnceLock::new());
    }

    fn truncate(&mut self, len: usize) {
        if let Some(&(start, _)) = self.spans[len.min(self.spans.len())..]
            .iter()
            .find(|span| **span != NO_CONTENT)
        {
            self.blob.truncate(start as usize);
        }
        self.spans.truncate(len);
        self.unescaped.truncate(len);
        self.line_starts.truncate(len);
    }

    fn get(&self, index: usize) -> Option<&str> {
        let &(start, len) = self.spans.get(index)?;
        if (start, len) == NO_CONTENT {
            return None;
        }
        let token = &self.blob[start as usize..(start + len) as usize];
        let inner = &token[1..token.len() - 1];
        if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
            return Some(inner);
        }
        Some(self.unescaped[index].get_or_init(|| unescape_token(token).into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_content() {
        let mut sources = SourceTable::default();
        sources.push(Some("a.js"), Some("a.js"), None, Some(r#""let a = 1;""#));
        sources.push(Some("b.js"), Some("b.js"), None, Some(r#""line\nnext""#));
        sources.push(None, None, None, None);
        assert_eq!(sources.content(0), Some("let a = 1;"));
        assert_eq!(sources.content(1), Some("line\nnext"));
        assert_eq!(sources.content(2), None);
        sources.truncate(1);
        assert_eq!(sources.len(), 1);
        assert_eq!(sources.content(0), Some("let a = 1;"));
        assert_eq!(sources.content(1), None);
    }
}
