//! [`SourceMap`]: a map decoded from JSON, immutable once built. Its query API is
//! [`SourceMapView`].

use std::sync::OnceLock;

use crate::decode::{decode, DecodeOptions};
use crate::error::{Diagnostic, Result};
use crate::function_maps::{FunctionMap, HermesFunctionOffsets};
use crate::lookup::{MappingStore, ReverseIndex};
use crate::mappings::{Mappings, MappingsView};
use crate::original_scopes::ScopeInfo;
use crate::sources::SourceTable;
use crate::strings::StringTable;
use crate::view::SourceMapView;

/// A decoded source map (regular or index map, flattened into one table).
///
/// Immutable after decoding and `Send + Sync`: share it across threads freely. Query
/// it through [`SourceMapView`]. The original → generated index is built on the first
/// reverse lookup.
#[derive(Debug)]
pub struct SourceMap {
    file: Option<String>,
    debug_id: Option<String>,
    is_index_map: bool,
    sources: SourceTable,
    names: StringTable,
    mappings: Mappings,
    reverse: OnceLock<ReverseIndex>,
    scopes: Option<Box<ScopeInfo>>,
    diagnostics: Vec<Diagnostic>,
    hermes_function_offsets: Option<HermesFunctionOffsets>,
}

impl SourceMap {
    pub(crate) fn from_parts(
        file: Option<String>,
        debug_id: Option<String>,
        is_index_map: bool,
        sources: SourceTable,
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
            scopes: None,
            diagnostics,
            hermes_function_offsets: None,
        }
    }

    /// The map with Hermes's function offsets (`x_hermes_function_offsets`).
    pub(crate) fn with_hermes_function_offsets(
        mut self,
        offsets: Option<HermesFunctionOffsets>,
    ) -> SourceMap {
        self.hermes_function_offsets = offsets;
        self
    }

    /// The map with the scopes proposal's records the decoder found.
    pub(crate) fn with_scopes(mut self, scopes: Option<ScopeInfo>) -> SourceMap {
        self.scopes = scopes.map(Box::new);
        self
    }

    /// Decodes a map leniently with no base URL.
    pub fn from_slice(input: &[u8]) -> Result<SourceMap> {
        decode(input, &DecodeOptions::default())
    }

    /// Decodes a map with options (strict mode, base URL).
    pub fn from_slice_with(input: &[u8], options: &DecodeOptions) -> Result<SourceMap> {
        decode(input, options)
    }

    /// The mappings as borrowed slices.
    pub fn mappings(&self) -> MappingsView<'_> {
        self.mappings.view()
    }

    /// The scopes proposal's original scopes and generated ranges, when the map has
    /// them (see [`crate::original_scopes`]); the same as
    /// [`SourceMapView::original_scopes`].
    pub fn scopes(&self) -> Option<&ScopeInfo> {
        self.scopes.as_deref()
    }

    /// The original → generated index (built on first use).
    pub fn reverse_index(&self) -> &ReverseIndex {
        self.reverse
            .get_or_init(|| ReverseIndex::build(&self.mappings()))
    }

    /// Heap bytes held by the map, split into mappings and everything else
    /// (sources, contents, names, reverse index if built).
    pub fn heap_size_parts(&self) -> (usize, usize) {
        let other = self.sources.heap_size()
            + self.names.heap_size()
            + self.reverse.get().map_or(0, ReverseIndex::heap_size)
            + self
                .hermes_function_offsets
                .as_ref()
                .map_or(0, HermesFunctionOffsets::heap_size);
        (self.mappings.heap_size(), other)
    }
}

impl SourceMapView for SourceMap {
    fn as_view(&self) -> &dyn SourceMapView {
        self
    }

    fn token_count(&self) -> usize {
        self.mappings().len()
    }

    fn line_count(&self) -> usize {
        self.mappings().line_count()
    }

    crate::view::delegate_lookups!(mappings);

    fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    fn debug_id(&self) -> Option<&str> {
        self.debug_id.as_deref()
    }

    fn is_index_map(&self) -> bool {
        self.is_index_map
    }

    fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    fn source_count(&self) -> usize {
        self.sources.len()
    }

    fn source_name(&self, index: u32) -> Option<&str> {
        self.sources.raw.get(index as usize).flatten()
    }

    fn source_prefixed_name(&self, index: u32) -> Option<&str> {
        self.sources.joined.get(index as usize).flatten()
    }

    fn source_url(&self, index: u32) -> Option<&str> {
        self.sources.urls.get(index as usize).flatten()
    }

    fn source_content(&self, index: u32) -> Option<&str> {
        self.sources.content(index as usize)
    }

    fn source_is_ignored(&self, index: u32) -> bool {
        self.sources
            .ignored
            .get(index as usize)
            .copied()
            .unwrap_or(false)
    }

    fn source_line(&self, index: u32, line: u32) -> Option<&str> {
        self.sources.line(index as usize, line as usize)
    }

    fn function_map(&self, index: u32) -> Option<&FunctionMap> {
        self.sources.function_map(index)
    }

    fn hermes_function_offsets(&self) -> Option<&HermesFunctionOffsets> {
        self.hermes_function_offsets.as_ref()
    }

    fn source_line_count(&self, index: u32) -> usize {
        self.sources.line_count(index as usize)
    }

    fn name_count(&self) -> usize {
        self.names.len()
    }

    fn name(&self, index: u32) -> Option<&str> {
        self.names.get(index as usize).flatten()
    }

    fn original_scopes(&self) -> Option<&ScopeInfo> {
        self.scopes()
    }

    fn heap_size(&self) -> usize {
        let (mappings, other) = self.heap_size_parts();
        mappings + other
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

    #[test]
    fn context_lines() {
        let map = SourceMap::from_slice(
            br#"{"version":3,"sources":["a.js"],"sourcesContent":["l0\nl1\r\nl2\nl3"],"mappings":"AAAA"}"#,
        )
        .unwrap();
        let source = map.source(0).unwrap();
        assert_eq!(source.line_count(), 4);
        let context = source.context(1, 5, 1).unwrap();
        assert_eq!(context.pre, ["l0"]);
        assert_eq!(context.line, "l1");
        assert_eq!(context.post, ["l2"]);
        assert_eq!(source.context(3, 1, 5).unwrap().post, Vec::<&str>::new());
        assert!(source.context(4, 1, 1).is_none());
    }
}
