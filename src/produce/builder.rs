//! [`SourceMapBuilder`]: collects sources, names and mappings in any order, and encodes
//! them as one deterministic ECMA-426 map.

use std::collections::HashMap;

use crate::error::{Error, ErrorCode, Result};
use crate::function_maps::{FunctionMap, HermesFunctionOffsets};
use crate::map::SourceMap;
use crate::mappings::NONE;
use crate::original_scopes::{
    encode_combined, encode_per_source, PreOrder, ScopeInfo, ScopesFormat,
};
use crate::view::SourceMapView;

use super::json_text::{push_json_string, push_optional_json_string};

/// The largest line, column or index a map can carry: VLQ fields are 32-bit signed, so
/// a difference between two values must stay within ±(2^31 - 1).
pub const MAX_POSITION: u32 = i32::MAX as u32;

/// Where a mapping points in an original source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OriginalPosition {
    /// Index of the source (from [`SourceMapBuilder::add_source`]).
    pub source: u32,
    /// 0-based line in the source.
    pub line: u32,
    /// 0-based column in the source, in UTF-16 code units.
    pub column: u32,
    /// Index of the name (from [`SourceMapBuilder::add_name`]), if any.
    pub name: Option<u32>,
}

/// What [`SourceMapBuilder::to_json`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeOptions {
    /// Write `sourcesContent` (when at least one source has content). Default true.
    pub include_contents: bool,
    /// Write the names and the name field of segments. Default true.
    pub include_names: bool,
}

impl Default for EncodeOptions {
    fn default() -> EncodeOptions {
        EncodeOptions {
            include_contents: true,
            include_names: true,
        }
    }
}

/// One source entry of a builder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct SourceEntry {
    pub(crate) name: Option<String>,
    pub(crate) content: Option<String>,
    pub(crate) ignored: bool,
    /// Metro's function map of the source (`x_facebook_sources`).
    pub(crate) function_map: Option<FunctionMap>,
}

/// A mapping as stored: generated line and column, then source, original line,
/// original column and name ([`NONE`] when absent), then 1 for a range mapping (else 0).
pub(crate) type Segment = [u32; 7];

/// Where a [`Segment`] says whether it is a range mapping.
pub(crate) const RANGE: usize = 6;

/// Builds a source map: add sources, names and mappings, then [`to_json`] or [`build`].
///
/// Sources and names given by string are deduplicated; mappings may be added in any
/// order (they are sorted by generated position when encoded; mappings at one position
/// keep the order they were added in). The output is deterministic: the same calls
/// give the same bytes. A builder is not `Sync`-safe to mutate from two threads (it
/// needs `&mut`); the C and Python wrappers say so.
///
/// [`to_json`]: SourceMapBuilder::to_json
/// [`build`]: SourceMapBuilder::build
#[derive(Clone, Debug, Default)]
pub struct SourceMapBuilder {
    file: Option<String>,
    source_root: Option<String>,
    debug_id: Option<String>,
    hermes_function_offsets: Option<HermesFunctionOffsets>,
    pub(crate) sources: Vec<SourceEntry>,
    source_by_name: HashMap<String, u32>,
    pub(crate) names: Vec<String>,
    name_by_text: HashMap<String, u32>,
    pub(crate) segments: Vec<Segment>,
    /// Generated lines the encoded `mappings` spans at least (trailing `;`s), so that a
    /// map read in and written out keeps its line count.
    line_count: u32,
    /// The scopes proposal's records, written in their own format.
    scopes: Option<ScopeInfo>,
}

impl SourceMapBuilder {
    /// An empty builder.
    pub fn new() -> SourceMapBuilder {
        SourceMapBuilder::default()
    }

    /// A builder holding everything `map` holds (a parsed map or a cache): its file,
    /// debugId, sources with contents and ignore flags, names and mappings, indices
    /// unchanged. An index map comes out flattened. When every source shares one
    /// `sourceRoot` prefix it is kept as `sourceRoot`; otherwise (index map sections
    /// with different roots) the sources carry their prefixes.
    pub fn from_view(map: &dyn SourceMapView) -> SourceMapBuilder {
        let mut builder = SourceMapBuilder {
            file: map.file().map(str::to_owned),
            debug_id: map.debug_id().map(str::to_owned),
            hermes_function_offsets: map.hermes_function_offsets().cloned(),
            line_count: u32::try_from(map.line_count()).unwrap_or(u32::MAX),
            scopes: map.original_scopes().cloned(),
            ..SourceMapBuilder::default()
        };
        let count = map.source_count() as u32;
        let root = shared_source_root(map);
        builder.source_root = root.filter(|r| !r.is_empty()).map(str::to_owned);
        for index in 0..count {
            let name = if root.is_some() {
                map.source_name(index)
            } else {
                map.source_prefixed_name(index)
            };
            builder.push_source(SourceEntry {
                name: name.map(str::to_owned),
                content: map.source_content(index).map(str::to_owned),
                ignored: map.source_is_ignored(index),
                function_map: map.function_map(index).cloned(),
            });
        }
        for index in 0..map.name_count() as u32 {
            builder.push_name(map.name(index).unwrap_or_default().to_owned());
        }
        builder.segments.reserve(map.token_count());
        for index in 0..map.token_count() {
            if let Some(t) = map.raw_token(index) {
                builder.segments.push([
                    t.generated_line,
                    t.generated_column,
                    t.source,
                    t.original_line,
                    t.original_column,
                    t.name,
                    u32::from(t.is_range),
                ]);
            }
        }
        builder
    }

    /// Sets (or with `None` removes) the `file` field.
    pub fn set_file(&mut self, file: Option<&str>) {
        self.file = file.map(str::to_owned);
    }

    /// Sets (or with `None` removes) the `sourceRoot` field. It is written as given;
    /// readers put it, plus a `/` when it lacks one, in front of every source.
    pub fn set_source_root(&mut self, root: Option<&str>) {
        self.source_root = root.filter(|r| !r.is_empty()).map(str::to_owned);
    }

    /// Sets (or with `None` removes) the `debugId`; it must be a UUID
    /// (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`), else `InvalidDebugId`.
    pub fn set_debug_id(&mut self, debug_id: Option<&str>) -> Result<()> {
        if let Some(id) = debug_id {
            check_debug_id(id)?;
        }
        self.debug_id = debug_id.map(str::to_owned);
        Ok(())
    }

    /// The `file` field.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The `sourceRoot` field.
    pub fn source_root(&self) -> Option<&str> {
        self.source_root.as_deref()
    }

    /// The `debugId` field.
    pub fn debug_id(&self) -> Option<&str> {
        self.debug_id.as_deref()
    }

    /// Sets Metro's function map of source `index` (written as `x_facebook_sources`);
    /// `InvalidArgument` when there is no such source.
    pub fn set_source_function_map(
        &mut self,
        index: u32,
        function_map: Option<FunctionMap>,
    ) -> Result<()> {
        self.source_mut(index)?.function_map = function_map;
        Ok(())
    }

    /// Gives source `index` the function map `function_map` when it has none yet (a
    /// composed or concatenated map takes each source's from the map that lists it).
    pub(crate) fn adopt_function_map(&mut self, index: u32, function_map: Option<&FunctionMap>) {
        if let Some(entry) = self.sources.get_mut(index as usize) {
            if entry.function_map.is_none() {
                entry.function_map = function_map.cloned();
            }
        }
    }

    /// Sets Hermes's function offsets (written as `x_hermes_function_offsets`).
    pub fn set_hermes_function_offsets(&mut self, offsets: Option<HermesFunctionOffsets>) {
        self.hermes_function_offsets = offsets;
    }

    /// The index of source `name`, added if new (the first source of that name wins).
    pub fn add_source(&mut self, name: &str) -> u32 {
        if let Some(&index) = self.source_by_name.get(name) {
            return index;
        }
        self.push_source(SourceEntry {
            name: Some(name.to_owned()),
            ..SourceEntry::default()
        })
    }

    /// Adds a `null` source (never deduplicated) and returns its index.
    pub fn add_null_source(&mut self) -> u32 {
        self.push_source(SourceEntry::default())
    }

    /// The index of a source with this name, content and ignore flag: an existing one
    /// when its name matches and its content does not conflict (missing content is
    /// filled in), else a new entry, so that two different files of one name keep their
    /// own contents.
    pub(crate) fn intern_source(
        &mut self,
        name: Option<&str>,
        content: Option<&str>,
        ignored: bool,
    ) -> u32 {
        if let Some(name) = name {
            if let Some(&index) = self.source_by_name.get(name) {
                let entry = &mut self.sources[index as usize];
                let compatible = match (&entry.content, content) {
                    (Some(have), Some(new)) => have == new,
                    _ => true,
                };
                if compatible && entry.ignored == ignored {
                    if entry.content.is_none() {
                        entry.content = content.map(str::to_owned);
                    }
                    return index;
                }
            }
        }
        self.push_source(SourceEntry {
            name: name.map(str::to_owned),
            content: content.map(str::to_owned),
            ignored,
            function_map: None,
        })
    }

    fn push_source(&mut self, entry: SourceEntry) -> u32 {
        let index = self.sources.len() as u32;
        if let Some(name) = &entry.name {
            self.source_by_name.entry(name.clone()).or_insert(index);
        }
        self.sources.push(entry);
        index
    }

    /// Number of sources.
    pub fn source_count(&self) -> usize {
        self.sources.len()
    }

    /// The name of source `index` (`None` for a null source or a bad index).
    pub fn source_name(&self, index: u32) -> Option<&str> {
        self.sources.get(index as usize)?.name.as_deref()
    }

    /// The content of source `index`, if set.
    pub fn source_content(&self, index: u32) -> Option<&str> {
        self.sources.get(index as usize)?.content.as_deref()
    }

    /// Sets (or with `None` removes) the content of source `index`.
    pub fn set_source_content(&mut self, index: u32, content: Option<&str>) -> Result<()> {
        self.source_mut(index)?.content = content.map(str::to_owned);
        Ok(())
    }

    /// Puts source `index` on (or takes it off) the `ignoreList`.
    pub fn set_source_ignored(&mut self, index: u32, ignored: bool) -> Result<()> {
        self.source_mut(index)?.ignored = ignored;
        Ok(())
    }

    /// Renames source `index` (`None`: a null source).
    pub(crate) fn rename_source(&mut self, index: u32, name: Option<String>) {
        self.sources[index as usize].name = name;
    }

    fn source_mut(&mut self, index: u32) -> Result<&mut SourceEntry> {
        let count = self.sources.len();
        self.sources
            .get_mut(index as usize)
            .ok_or_else(|| out_of_range("source", index, count))
    }

    /// The index of name `text`, added if new.
    pub fn add_name(&mut self, text: &str) -> u32 {
        match self.name_by_text.get(text) {
            Some(&index) => index,
            None => self.push_name(text.to_owned()),
        }
    }

    fn push_name(&mut self, text: String) -> u32 {
        let index = self.names.len() as u32;
        self.name_by_text.entry(text.clone()).or_insert(index);
        self.names.push(text);
        index
    }

    /// Number of names.
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// Number of mappings added.
    pub fn mapping_count(&self) -> usize {
        self.segments.len()
    }

    /// Adds a mapping from a generated position (0-based line and UTF-16 column) to an
    /// original position, or with `None` a mapping that marks the generated position as
    /// unmapped. Positions above [`MAX_POSITION`] and unknown source or name indices are
    /// refused (`InvalidArgument`, `IndexOutOfRange`); nothing is added then.
    pub fn add_mapping(
        &mut self,
        generated_line: u32,
        generated_column: u32,
        original: Option<OriginalPosition>,
    ) -> Result<()> {
        self.add(generated_line, generated_column, original, false)
    }

    /// Adds a range mapping (ECMA-426 range mappings proposal): like
    /// [`add_mapping`](SourceMapBuilder::add_mapping), and every generated position
    /// from this one up to the next mapping maps to `original` moved by as much (on
    /// later lines: the line moved by the line difference, the column the generated
    /// column). For code copied unchanged. It is written in the `rangeMappings` field.
    pub fn add_range_mapping(
        &mut self,
        generated_line: u32,
        generated_column: u32,
        original: OriginalPosition,
    ) -> Result<()> {
        self.add(generated_line, generated_column, Some(original), true)
    }

    fn add(
        &mut self,
        generated_line: u32,
        generated_column: u32,
        original: Option<OriginalPosition>,
        range: bool,
    ) -> Result<()> {
        check_position("generated line", generated_line)?;
        check_position("generated column", generated_column)?;
        let segment = match original {
            None => [generated_line, generated_column, NONE, NONE, NONE, NONE, 0],
            Some(o) => {
                if o.source as usize >= self.sources.len() {
                    return Err(out_of_range("source", o.source, self.sources.len()));
                }
                check_position("original line", o.line)?;
                check_position("original column", o.column)?;
                let name = match o.name {
                    Some(name) if name as usize >= self.names.len() => {
                        return Err(out_of_range("name", name, self.names.len()))
                    }
                    Some(name) => name,
                    None => NONE,
                };
                [
                    generated_line,
                    generated_column,
                    o.source,
                    o.line,
                    o.column,
                    name,
                    u32::from(range),
                ]
            }
        };
        self.segments.push(segment);
        Ok(())
    }

    /// Removes the mappings added after the first `count`.
    pub(crate) fn truncate_mappings(&mut self, count: usize) {
        self.segments.truncate(count);
    }

    /// Adds a segment whose indices and positions the caller has already checked.
    pub(crate) fn push_segment(&mut self, segment: Segment) {
        debug_assert!(segment[2] == NONE || (segment[2] as usize) < self.sources.len());
        debug_assert!(segment[5] == NONE || (segment[5] as usize) < self.names.len());
        self.segments.push(segment);
    }

    /// Sets (or with `None` removes) the scopes proposal's original scopes and
    /// generated ranges, written as `scopes` (and `ranges`) in `info.format`: the
    /// combined string of the `proposal-scopes` branch, or ecma426 #266's per-source
    /// list. Names (scope names, kinds, variables, binding expressions) are indices
    /// from [`add_name`](SourceMapBuilder::add_name), sources (definitions, call
    /// sites) from [`add_source`](SourceMapBuilder::add_source). Refused, with
    /// nothing changed: an unknown name or source index (`IndexOutOfRange`), and what
    /// the encoding cannot hold (`InvalidArgument`: positions out of order, several
    /// root scopes of one source in the combined format, a definition naming no
    /// scope, nesting past [`crate::original_scopes::MAX_SCOPE_DEPTH`]).
    pub fn set_scopes(&mut self, info: Option<ScopeInfo>) -> Result<()> {
        if let Some(info) = &info {
            self.check_scopes(info)?;
        }
        self.scopes = info;
        Ok(())
    }

    /// Sets the scopes from a record in the shape [`scopes_record`] prints (the tc39
    /// golden files' shape: `sources[].scope` or `sources[].rootScopes`, and
    /// `ranges`), names given as text and added as by
    /// [`add_name`](SourceMapBuilder::add_name). Errors as
    /// [`set_scopes`](SourceMapBuilder::set_scopes), plus `InvalidArgument` for a
    /// record of the wrong shape; on error nothing changes (names added for it are
    /// removed again).
    ///
    /// [`scopes_record`]: crate::original_scopes::scopes_record
    pub fn set_scopes_record(&mut self, record: &serde_json::Value) -> Result<()> {
        let names_before = self.names.len();
        let result =
            crate::original_scopes::scopes_from_record(record, &mut |text| self.add_name(text))
                .and_then(|info| self.set_scopes(Some(info)));
        if result.is_err() {
            for text in self.names.drain(names_before..) {
                self.name_by_text.remove(&text);
            }
        }
        result
    }

    /// The scopes set with [`set_scopes`](SourceMapBuilder::set_scopes) (or read by
    /// [`from_view`](SourceMapBuilder::from_view)).
    pub fn scopes(&self) -> Option<&ScopeInfo> {
        self.scopes.as_ref()
    }

    fn check_scopes(&self, info: &ScopeInfo) -> Result<()> {
        let names = self.names.len();
        let sources = self.sources.len();
        let name_ok = |index: Option<u32>| match index {
            Some(i) if i as usize >= names => Err(out_of_range("name", i, names)),
            _ => Ok(()),
        };
        if info.sources.len() > sources {
            return Err(out_of_range(
                "source",
                info.sources.len() as u32 - 1,
                sources,
            ));
        }
        for roots in info.sources.iter().flatten() {
            for scope in PreOrder::new(roots) {
                name_ok(scope.name)?;
                name_ok(scope.kind)?;
                for &variable in &scope.variables {
                    name_ok(variable)?;
                }
            }
        }
        for range in PreOrder::new(&info.ranges) {
            if let Some(site) = range.call_site {
                if site.source as usize >= sources {
                    return Err(out_of_range("source", site.source, sources));
                }
            }
            for binding in range.bindings.iter().flatten() {
                name_ok(binding.expression)?;
            }
        }
        // Whatever else the encoding cannot hold, encoding finds.
        self.encode_scopes(info).map(|_| ())
    }

    /// `,"scopes":...` (and `,"ranges":...`) for `info`.
    fn encode_scopes(&self, info: &ScopeInfo) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        match info.format {
            ScopesFormat::Combined => {
                out.extend_from_slice(b",\"scopes\":");
                push_json_string(&mut out, &encode_combined(info, self.sources.len())?);
            }
            ScopesFormat::PerSource => {
                let encoded = encode_per_source(info, self.sources.len())?;
                out.extend_from_slice(b",\"scopes\":");
                push_array(&mut out, &encoded.scopes, |out, s| {
                    push_optional_json_string(out, s.as_deref())
                });
                out.extend_from_slice(b",\"ranges\":");
                push_json_string(&mut out, &encoded.ranges);
            }
        }
        Ok(out)
    }

    /// Removes every name, and the name of every mapping (and the scopes, which name
    /// their scopes and variables).
    pub(crate) fn drop_names(&mut self) {
        self.scopes = None;
        self.names.clear();
        self.name_by_text.clear();
        for segment in &mut self.segments {
            segment[5] = NONE;
        }
    }

    /// Encodes the map as ECMA-426 JSON: keys in a fixed order (`version`, `file`,
    /// `sourceRoot`, `sources`, `sourcesContent`, `names`, `mappings`, `rangeMappings`,
    /// `scopes`, `ranges`, `ignoreList`, `debugId`, then React Native's
    /// `x_facebook_sources` and `x_hermes_function_offsets`), optional ones only when set
    /// (`rangeMappings` when a mapping is a range mapping; `scopes` when scopes were
    /// set and names are written, `ranges` with the per-source format), mappings
    /// sorted by generated position.
    pub fn to_json(&self, options: &EncodeOptions) -> String {
        let mut out = Vec::with_capacity(64 + self.segments.len() * 6);
        out.extend_from_slice(b"{\"version\":3");
        if let Some(file) = &self.file {
            out.extend_from_slice(b",\"file\":");
            push_json_string(&mut out, file);
        }
        if let Some(root) = &self.source_root {
            out.extend_from_slice(b",\"sourceRoot\":");
            push_json_string(&mut out, root);
        }
        out.extend_from_slice(b",\"sources\":");
        push_array(&mut out, &self.sources, |out, s| {
            push_optional_json_string(out, s.name.as_deref())
        });
        if options.include_contents && self.sources.iter().any(|s| s.content.is_some()) {
            out.extend_from_slice(b",\"sourcesContent\":");
            push_array(&mut out, &self.sources, |out, s| {
                push_optional_json_string(out, s.content.as_deref())
            });
        }
        out.extend_from_slice(b",\"names\":");
        let names: &[String] = if options.include_names {
            &self.names
        } else {
            &[]
        };
        push_array(&mut out, names, |out, name| push_json_string(out, name));
        out.extend_from_slice(b",\"mappings\":\"");
        let ranges = self.encode_mappings(options.include_names, &mut out);
        out.push(b'"');
        if let Some(ranges) = ranges {
            out.extend_from_slice(b",\"rangeMappings\":\"");
            out.extend_from_slice(&ranges);
            out.push(b'"');
        }
        if let (Some(info), true) = (&self.scopes, options.include_names) {
            // Checked by `set_scopes`; sources and names only grow since.
            if let Ok(scopes) = self.encode_scopes(info) {
                out.extend_from_slice(&scopes);
            }
        }
        let ignored: Vec<usize> = (0..self.sources.len())
            .filter(|&i| self.sources[i].ignored)
            .collect();
        if !ignored.is_empty() {
            out.extend_from_slice(b",\"ignoreList\":");
            push_array(&mut out, &ignored, |out, index| {
                out.extend_from_slice(index.to_string().as_bytes())
            });
        }
        if let Some(id) = &self.debug_id {
            out.extend_from_slice(b",\"debugId\":");
            push_json_string(&mut out, id);
        }
        if self.sources.iter().any(|s| s.function_map.is_some()) {
            out.extend_from_slice(b",\"x_facebook_sources\":");
            push_array(&mut out, &self.sources, |out, s| match &s.function_map {
                // Metro's source metadata: a list whose first item is the function map.
                Some(map) => out.extend_from_slice(format!("[{}]", map.to_json()).as_bytes()),
                None => out.extend_from_slice(b"null"),
            });
        }
        if let Some(offsets) = &self.hermes_function_offsets {
            out.extend_from_slice(b",\"x_hermes_function_offsets\":");
            out.extend_from_slice(offsets.to_json().to_string().as_bytes());
        }
        out.push(b'}');
        // Only whole UTF-8 strings and ASCII were written.
        String::from_utf8(out).expect("the encoder writes UTF-8")
    }

    /// Writes the `mappings` string (without quotes): relative VLQ, `;` between lines.
    /// Returns the `rangeMappings` string when a mapping is a range mapping: per line,
    /// the 0-based position of the first range mapping among the line's mappings, then
    /// the distance from each to the next, unsigned VLQ (ecma426 #252).
    fn encode_mappings(&self, include_names: bool, out: &mut Vec<u8>) -> Option<Vec<u8>> {
        let any_range = self.segments.iter().any(|s| s[RANGE] != 0);
        let mut ranges: Vec<u8> = Vec::new();
        // Position of the current segment on its line, and of the line's last range.
        let (mut on_line, mut last_range): (u32, Option<u32>) = (0, None);
        let sorted = self
            .segments
            .windows(2)
            .all(|pair| (pair[0][0], pair[0][1]) <= (pair[1][0], pair[1][1]));
        let order: Option<Vec<u32>> = (!sorted).then(|| {
            let mut order: Vec<u32> = (0..self.segments.len() as u32).collect();
            // Stable: mappings at one position keep the order they were added in.
            order.sort_by_key(|&i| {
                let s = &self.segments[i as usize];
                (s[0], s[1])
            });
            order
        });
        let segment_at = |n: usize| match &order {
            Some(order) => &self.segments[order[n] as usize],
            None => &self.segments[n],
        };
        let (mut line, mut column) = (0u32, 0i64);
        let (mut source, mut original_line, mut original_column, mut name) =
            (0i64, 0i64, 0i64, 0i64);
        let mut first_on_line = true;
        for n in 0..self.segments.len() {
            let s = segment_at(n);
            if s[0] > line {
                out.resize(out.len() + (s[0] - line) as usize, b';');
                if any_range {
                    ranges.resize(ranges.len() + (s[0] - line) as usize, b';');
                }
                line = s[0];
                column = 0;
                first_on_line = true;
                (on_line, last_range) = (0, None);
            }
            if !first_on_line {
                out.push(b',');
                on_line += 1;
            }
            first_on_line = false;
            // A range mapping needs an original position; without one it is a point.
            if s[RANGE] != 0 && s[2] != NONE {
                let value = on_line - last_range.unwrap_or(0);
                crate::vlq::encode_unsigned(value, &mut ranges);
                last_range = Some(on_line);
            }
            crate::vlq::encode_signed(i64::from(s[1]) - column, out);
            column = i64::from(s[1]);
            if s[2] == NONE {
                continue;
            }
            crate::vlq::encode_signed(i64::from(s[2]) - source, out);
            crate::vlq::encode_signed(i64::from(s[3]) - original_line, out);
            crate::vlq::encode_signed(i64::from(s[4]) - original_column, out);
            source = i64::from(s[2]);
            original_line = i64::from(s[3]);
            original_column = i64::from(s[4]);
            if include_names && s[5] != NONE {
                crate::vlq::encode_signed(i64::from(s[5]) - name, out);
                name = i64::from(s[5]);
            }
        }
        if self.line_count > line + 1 {
            out.resize(out.len() + (self.line_count - line - 1) as usize, b';');
        }
        any_range.then_some(ranges)
    }

    /// Decodes [`to_json`](SourceMapBuilder::to_json)'s output (contents and names
    /// included) into a queryable map.
    pub fn build(&self) -> Result<SourceMap> {
        SourceMap::from_slice(self.to_json(&EncodeOptions::default()).as_bytes())
    }
}

/// Appends `[item,item,...]`, each item written by `push`.
fn push_array<T>(out: &mut Vec<u8>, items: &[T], mut push: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push(out, item);
    }
    out.push(b']');
}

/// The `sourceRoot` prefix every non-null source of `map` shares (`Some("")` when none
/// has one), or `None` when they differ.
fn shared_source_root(map: &dyn SourceMapView) -> Option<&str> {
    let mut shared: Option<&str> = None;
    for index in 0..map.source_count() as u32 {
        let (Some(raw), Some(joined)) = (map.source_name(index), map.source_prefixed_name(index))
        else {
            continue;
        };
        let prefix = joined.strip_suffix(raw)?;
        match shared {
            None => shared = Some(prefix),
            Some(seen) if seen == prefix => {}
            Some(_) => return None,
        }
    }
    Some(shared.unwrap_or(""))
}

/// `InvalidDebugId` unless `id` is a UUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
pub(crate) fn check_debug_id(id: &str) -> Result<()> {
    if crate::decode::is_uuid(id) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidDebugId,
            format!("debugId \"{id}\" is not a UUID"),
        ))
    }
}

fn check_position(what: &str, value: u32) -> Result<()> {
    if value > MAX_POSITION {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("{what} {value} exceeds the largest a source map can hold ({MAX_POSITION})"),
        ));
    }
    Ok(())
}

fn out_of_range(what: &str, index: u32, count: usize) -> Error {
    Error::new(
        ErrorCode::IndexOutOfRange,
        format!("{what} index {index} is out of range ({count} {what}s)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_relative_vlq_in_generated_order() {
        let mut b = SourceMapBuilder::new();
        let a = b.add_source("a.js");
        let run = b.add_name("run");
        let at = |line, column, name| {
            Some(OriginalPosition {
                source: a,
                line,
                column,
                name,
            })
        };
        // Added out of order; the encoder sorts by generated position.
        b.add_mapping(2, 0, at(3, 0, None)).unwrap();
        b.add_mapping(0, 4, at(0, 4, Some(run))).unwrap();
        b.add_mapping(0, 0, at(0, 0, None)).unwrap();
        b.add_mapping(0, 9, None).unwrap();
        let json = b.to_json(&EncodeOptions::default());
        assert_eq!(
            json,
            r#"{"version":3,"sources":["a.js"],"names":["run"],"mappings":"AAAA,IAAIA,K;;AAGJ"}"#
        );
    }

    #[test]
    fn refuses_what_a_map_cannot_hold() {
        let mut b = SourceMapBuilder::new();
        assert_eq!(
            b.add_mapping(0, MAX_POSITION + 1, None).unwrap_err().code(),
            ErrorCode::InvalidArgument
        );
        let original = OriginalPosition {
            source: 0,
            line: 0,
            column: 0,
            name: None,
        };
        assert_eq!(
            b.add_mapping(0, 0, Some(original)).unwrap_err().code(),
            ErrorCode::IndexOutOfRange
        );
        assert_eq!(
            b.set_debug_id(Some("not-a-uuid")).unwrap_err().code(),
            ErrorCode::InvalidDebugId
        );
        assert_eq!(b.mapping_count(), 0);
    }

    #[test]
    fn same_name_different_content_stays_apart() {
        let mut b = SourceMapBuilder::new();
        let first = b.intern_source(Some("index.js"), Some("one"), false);
        assert_eq!(b.intern_source(Some("index.js"), None, false), first);
        assert_eq!(b.intern_source(Some("index.js"), Some("one"), false), first);
        assert_ne!(b.intern_source(Some("index.js"), Some("two"), false), first);
    }
}
