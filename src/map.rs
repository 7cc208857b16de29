//! [`SourceMap`]: a decoded map, immutable once built, and its borrowed views
//! ([`Token`], [`Source`]).

use std::sync::OnceLock;

use crate::decode::{decode, DecodeOptions};
use crate::error::{Diagnostic, Result};
use crate::lookup::{LookupOptions, ReverseIndex};
use crate::mappings::{Mappings, MappingsView, RawToken, NONE};
use crate::sources::Sources;
use crate::strings::StringTable;

/// A decoded source map (regular or index map, flattened into one table).
///
/// Immutable after decoding and `Send + Sync`: share it across threads freely. The
/// original → generated index is built on the first reverse lookup.
#[derive(Debug)]
pub struct SourceMap {
    file: Option<String>,
    debug_id: Option<String>,
    is_index_map: bool,
    sources: Sources,
    names: StringTable,
    mappings: Mappings,
    reverse: OnceLock<ReverseIndex>,
    diagnostics: Vec<Diagnostic>,
}

impl SourceMap {
    pub(crate) fn from_parts(
        file: Option<String>,
        debug_id: Option<String>,
        is_index_map: bool,
        sources: Sources,
        names: StringTable,
        mappings: Mappings,
        diagnostics: Vec<Diagnostic>,
    ) -> SourceMap {
        SourceMap {
            file,
            debug_id,
            is_index_map,
            sources,
            names,
            mappings,
            reverse: OnceLock::new(),
            diagnostics,
        }
    }

    /// Decodes a map leniently with no base URL.
    pub fn from_slice(input: &[u8]) -> Result<SourceMap> {
        decode(input, &DecodeOptions::default())
    }

    /// Decodes a map with options (strict mode, base URL).
    pub fn from_slice_with(input: &[u8], options: &DecodeOptions) -> Result<SourceMap> {
        decode(input, options)
    }

    /// The `file` field.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The `debugId` (or legacy `debug_id`) field, when it is a valid UUID.
    pub fn debug_id(&self) -> Option<&str> {
        self.debug_id.as_deref()
    }

    /// Whether the input was an index map (with `sections`).
    pub fn is_index_map(&self) -> bool {
        self.is_index_map
    }

    /// Problems the lenient decoder recovered from, and notes (duplicate keys, sorted
    /// lines) that are not errors in either mode.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The mappings as borrowed slices.
    pub fn mappings(&self) -> MappingsView<'_> {
        self.mappings.view()
    }

    /// Number of tokens (decoded segments).
    pub fn token_count(&self) -> usize {
        self.mappings.view().len()
    }

    /// Number of generated lines covered by the mappings.
    pub fn line_count(&self) -> usize {
        self.mappings.view().line_count()
    }

    /// The token at `index` in generated order.
    pub fn token(&self, index: usize) -> Option<Token<'_>> {
        self.mappings().token(index).map(|raw| self.wrap(raw))
    }

    /// All tokens in generated order.
    pub fn tokens(&self) -> impl ExactSizeIterator<Item = Token<'_>> + '_ {
        let view = self.mappings();
        let mut line = 0u32;
        (0..view.len()).map(move |index| {
            while view.line_starts[line as usize + 1] as usize <= index {
                line += 1;
            }
            self.wrap(view.token_on_line(index, line))
        })
    }

    /// The token for a generated position (0-based line, UTF-16 column), with the
    /// default options: greatest lower bound, same line.
    pub fn lookup(&self, line: u32, column: u32) -> Option<Token<'_>> {
        self.lookup_with(line, column, LookupOptions::default())
    }

    /// The token for a generated position with explicit options.
    pub fn lookup_with(&self, line: u32, column: u32, options: LookupOptions) -> Option<Token<'_>> {
        self.mappings()
            .lookup(line, column, options)
            .map(|raw| self.wrap(raw))
    }

    /// Every token at the generated position a lookup finds.
    pub fn original_positions(
        &self,
        line: u32,
        column: u32,
        options: LookupOptions,
    ) -> Vec<Token<'_>> {
        self.mappings()
            .tokens_at(line, column, options)
            .into_iter()
            .map(|raw| self.wrap(raw))
            .collect()
    }

    fn reverse_index(&self) -> &ReverseIndex {
        self.reverse
            .get_or_init(|| ReverseIndex::build(&self.mappings()))
    }

    /// The best generated token for an original position in source `source`.
    pub fn generated_position(
        &self,
        source: u32,
        line: u32,
        column: u32,
        options: LookupOptions,
    ) -> Option<Token<'_>> {
        self.reverse_index()
            .generated_position(&self.mappings(), source, line, column, options)
            .map(|raw| self.wrap(raw))
    }

    /// All generated tokens for an original line, or for one column of it (see
    /// [`ReverseIndex::generated_positions`]).
    pub fn generated_positions(
        &self,
        source: u32,
        line: u32,
        column: Option<u32>,
    ) -> Vec<Token<'_>> {
        self.reverse_index()
            .generated_positions(&self.mappings(), source, line, column)
            .into_iter()
            .map(|raw| self.wrap(raw))
            .collect()
    }

    /// Number of sources.
    pub fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// The source at `index`.
    pub fn source(&self, index: u32) -> Option<Source<'_>> {
        ((index as usize) < self.sources.len()).then_some(Source { map: self, index })
    }

    /// All sources, in order.
    pub fn sources(&self) -> impl ExactSizeIterator<Item = Source<'_>> + '_ {
        (0..self.sources.len() as u32).map(move |index| Source { map: self, index })
    }

    /// The index of the first source whose raw name, `sourceRoot`-joined path or
    /// resolved URL equals `name`.
    pub fn find_source(&self, name: &str) -> Option<u32> {
        self.sources()
            .find(|s| {
                let joined = self.sources.joined.get(s.index as usize).flatten();
                s.name() == Some(name) || joined == Some(name) || s.url() == Some(name)
            })
            .map(|s| s.index)
    }

    /// Number of names.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// The name at `index`.
    pub fn name(&self, index: u32) -> Option<&str> {
        self.names.get(index as usize).flatten()
    }

    /// All names, in order.
    pub fn names(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.names.len()).map(move |i| self.names.get(i).flatten().unwrap_or(""))
    }

    /// Heap bytes held by the map, split into mappings and everything else
    /// (sources, contents, names, reverse index if built).
    pub fn heap_size(&self) -> (usize, usize) {
        let other = self.sources.heap_size()
            + self.names.heap_size()
            + self.reverse.get().map_or(0, ReverseIndex::heap_size);
        (self.mappings.heap_size(), other)
    }

    fn wrap(&self, raw: RawToken) -> Token<'_> {
        Token { map: self, raw }
    }
}

/// A mapping, borrowed from its map so that names and sources resolve to strings.
#[derive(Clone, Copy, Debug)]
pub struct Token<'m> {
    map: &'m SourceMap,
    raw: RawToken,
}

impl<'m> Token<'m> {
    /// The plain indices and positions.
    pub fn raw(&self) -> RawToken {
        self.raw
    }

    /// Index in generated order.
    pub fn index(&self) -> u32 {
        self.raw.index
    }

    /// 0-based generated line.
    pub fn generated_line(&self) -> u32 {
        self.raw.generated_line
    }

    /// 0-based generated column (UTF-16 code units).
    pub fn generated_column(&self) -> u32 {
        self.raw.generated_column
    }

    /// Whether the token has an original position (segments with 1 field do not).
    pub fn has_original(&self) -> bool {
        self.raw.has_original()
    }

    /// The source index, when the token has an original position.
    pub fn source_index(&self) -> Option<u32> {
        (self.raw.source != NONE).then_some(self.raw.source)
    }

    /// The source, when the token has an original position.
    pub fn source(&self) -> Option<Source<'m>> {
        self.source_index().and_then(|i| self.map.source(i))
    }

    /// 0-based original line.
    pub fn original_line(&self) -> Option<u32> {
        self.has_original().then_some(self.raw.original_line)
    }

    /// 0-based original column (UTF-16 code units).
    pub fn original_column(&self) -> Option<u32> {
        self.has_original().then_some(self.raw.original_column)
    }

    /// The name index, when the segment has one.
    pub fn name_index(&self) -> Option<u32> {
        (self.raw.name != NONE).then_some(self.raw.name)
    }

    /// The name, when the segment has one.
    pub fn name(&self) -> Option<&'m str> {
        self.name_index().and_then(|i| self.map.name(i))
    }
}

/// A source of a map, borrowed from it.
#[derive(Clone, Copy, Debug)]
pub struct Source<'m> {
    map: &'m SourceMap,
    index: u32,
}

impl<'m> Source<'m> {
    /// Position in the map's sources.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The `sources` entry as written; `None` for a null entry.
    pub fn name(&self) -> Option<&'m str> {
        self.map.sources.raw.get(self.index as usize).flatten()
    }

    /// The resolved URL (WHATWG parse of `sourceRoot` prefix + name against the base
    /// URL); `None` when the entry is null or does not resolve (a relative name with no
    /// base URL).
    pub fn url(&self) -> Option<&'m str> {
        self.map.sources.urls.get(self.index as usize).flatten()
    }

    /// The resolved URL when there is one, else the `sourceRoot`-prefixed name: the
    /// best string to show for this source.
    pub fn path(&self) -> Option<&'m str> {
        self.url()
            .or_else(|| self.map.sources.joined.get(self.index as usize).flatten())
    }

    /// The `sourcesContent` entry, unescaped on first access.
    pub fn content(&self) -> Option<&'m str> {
        self.map.sources.content(self.index as usize)
    }

    /// Whether the map has content for this source (without unescaping it).
    pub fn has_content(&self) -> bool {
        self.map.sources.has_content(self.index as usize)
    }

    /// Whether `ignoreList` names this source (third-party or generated code).
    pub fn is_ignored(&self) -> bool {
        self.map.sources.ignored[self.index as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn source_map_is_send_and_sync() {
        assert_send_sync::<SourceMap>();
    }
}
