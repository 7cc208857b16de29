//! [`SourceMapView`]: the one query API over every storage of a decoded map (parsed
//! JSON, a cache file), and the borrowed [`Token`] and [`Source`] it hands out.
//!
//! Storages implement the required accessors; lookups, iteration, source search and
//! context lines are provided once, here.

use crate::error::Diagnostic;
use crate::lookup::LookupOptions;
use crate::mappings::{RawToken, NONE};
use crate::position::{Position, SourcePosition};

/// Read access to a decoded source map. Implemented by [`crate::SourceMap`] (decoded
/// JSON) and [`crate::Cache`] (a cache file); callers need not care which they hold.
///
/// Lines and columns are 0-based; columns count UTF-16 code units.
pub trait SourceMapView: Send + Sync {
    /// This map as a trait object (tokens and sources borrow the map through it).
    fn as_view(&self) -> &dyn SourceMapView;

    /// Number of tokens (decoded segments).
    fn token_count(&self) -> usize;
    /// Number of generated lines covered by the mappings.
    fn line_count(&self) -> usize;
    /// The token at `index` in generated order.
    fn raw_token(&self, index: usize) -> Option<RawToken>;
    /// See [`SourceMapView::lookup_with`].
    fn raw_lookup(&self, line: u32, column: u32, options: LookupOptions) -> Option<RawToken>;
    /// [`SourceMapView::raw_lookup`] of each position, in order, through `answer`.
    fn raw_lookup_each(
        &self,
        lines: &[u32],
        columns: &[u32],
        options: LookupOptions,
        answer: &mut dyn FnMut(usize, Option<RawToken>),
    );
    /// Looks up `lines[i]`, `columns[i]` for every `i` (the slices have equal lengths)
    /// and calls `answer(i, token)` with each result. Large batches on large maps are
    /// looked up in generated order, so the answers come in no particular order.
    fn raw_lookup_batch(
        &self,
        lines: &[u32],
        columns: &[u32],
        options: LookupOptions,
        answer: &mut dyn FnMut(usize, Option<RawToken>),
    );
    /// See [`SourceMapView::original_positions`].
    fn raw_tokens_at(&self, line: u32, column: u32, options: LookupOptions) -> Vec<RawToken>;
    /// See [`SourceMapView::generated_position`].
    fn raw_generated_position(
        &self,
        source: u32,
        line: u32,
        column: u32,
        options: LookupOptions,
    ) -> Option<RawToken>;
    /// See [`SourceMapView::generated_positions`].
    fn raw_generated_positions(&self, source: u32, line: u32, column: Option<u32>)
        -> Vec<RawToken>;

    /// The `file` field.
    fn file(&self) -> Option<&str>;
    /// The debug ID (a UUID), when the map has a valid one.
    fn debug_id(&self) -> Option<&str>;
    /// Whether the map was an index map.
    fn is_index_map(&self) -> bool;
    /// Problems recovered from while decoding, and notes (none for a cache).
    fn diagnostics(&self) -> &[Diagnostic];

    /// Number of sources.
    fn source_count(&self) -> usize;
    /// The `sources` entry as written (`None`: null entry or out of range).
    fn source_name(&self, index: u32) -> Option<&str>;
    /// `sourceRoot` prefix + the `sources` entry.
    fn source_prefixed_name(&self, index: u32) -> Option<&str>;
    /// The resolved URL (`None` when the entry does not resolve).
    fn source_url(&self, index: u32) -> Option<&str>;
    /// The `sourcesContent` entry.
    fn source_content(&self, index: u32) -> Option<&str>;
    /// Whether `ignoreList` names the source.
    fn source_is_ignored(&self, index: u32) -> bool;
    /// Line `line` (0-based) of the source's content, without its terminator.
    fn source_line(&self, index: u32, line: u32) -> Option<&str>;
    /// Number of lines of the source's content (0 without content).
    fn source_line_count(&self, index: u32) -> usize;
    /// Whether line `line` of the source's content is known to be ASCII, so that its
    /// UTF-16 columns are its byte offsets (false when not known).
    fn source_line_is_ascii(&self, _index: u32, _line: u32) -> bool {
        false
    }

    /// Number of names.
    fn name_count(&self) -> usize;
    /// Heap bytes the map holds (a mapped cache file is not counted).
    fn heap_size(&self) -> usize;

    /// Checks the integrity of the underlying storage in full (a cache's checksum);
    /// decoded JSON has nothing to check.
    fn verify(&self) -> crate::error::Result<()> {
        Ok(())
    }

    /// Whether this map is a cache.
    fn is_cache(&self) -> bool {
        false
    }

    /// Function scopes of source `index` computed ahead of time (a cache stores them),
    /// if any. Symbolication uses them instead of parsing the source.
    fn stored_scopes(&self, _index: u32) -> Option<crate::scopes::FunctionScopes> {
        None
    }

    /// Metro's function map of source `index` (`x_facebook_sources`), if the map has one:
    /// the names React Native tooling gives the functions of that source.
    fn function_map(&self, _index: u32) -> Option<&crate::function_maps::FunctionMap> {
        None
    }

    /// Hermes's function offsets (`x_hermes_function_offsets`), if the map has them.
    fn hermes_function_offsets(&self) -> Option<&crate::function_maps::HermesFunctionOffsets> {
        None
    }

    /// The scopes proposal's original scopes and generated ranges the map carries, if
    /// any (not [`Self::stored_scopes`], which mapback finds by parsing sources).
    fn original_scopes(&self) -> Option<&crate::original_scopes::ScopeInfo> {
        None
    }

    /// The name at `index`.
    fn name(&self, index: u32) -> Option<&str>;

    /// The token for a generated position with the default options (greatest lower
    /// bound, same line).
    fn lookup(&self, line: u32, column: u32) -> Option<Token<'_>> {
        self.lookup_with(line, column, LookupOptions::default())
    }

    /// The token for a generated position. With several tokens at the found position,
    /// the first; [`SourceMapView::original_positions`] returns all of them.
    fn lookup_with(&self, line: u32, column: u32, options: LookupOptions) -> Option<Token<'_>> {
        let raw = self.raw_lookup(line, column, options)?;
        Some(Token::new(self.as_view(), raw))
    }

    /// Every token at the generated position a lookup finds.
    fn original_positions(&self, line: u32, column: u32, options: LookupOptions) -> Vec<Token<'_>> {
        let view = self.as_view();
        self.raw_tokens_at(line, column, options)
            .into_iter()
            .map(|raw| Token::new(view, raw))
            .collect()
    }

    /// The best generated token for an original position of source `source`. The first
    /// reverse lookup may build an index (O(n log n)).
    fn generated_position(
        &self,
        source: u32,
        line: u32,
        column: u32,
        options: LookupOptions,
    ) -> Option<Token<'_>> {
        let raw = self.raw_generated_position(source, line, column, options)?;
        Some(Token::new(self.as_view(), raw))
    }

    /// All generated tokens for an original line; with a column, those at it or at the
    /// closest column after it on that line.
    fn generated_positions(&self, source: u32, line: u32, column: Option<u32>) -> Vec<Token<'_>> {
        let view = self.as_view();
        self.raw_generated_positions(source, line, column)
            .into_iter()
            .map(|raw| Token::new(view, raw))
            .collect()
    }

    /// The token at `index` in generated order.
    fn token(&self, index: usize) -> Option<Token<'_>> {
        Some(Token::new(self.as_view(), self.raw_token(index)?))
    }

    /// All tokens in generated order.
    fn tokens(&self) -> Tokens<'_> {
        Tokens {
            map: self.as_view(),
            next: 0,
            count: self.token_count(),
        }
    }

    /// The source at `index`.
    fn source(&self, index: u32) -> Option<Source<'_>> {
        ((index as usize) < self.source_count()).then(|| Source {
            map: self.as_view(),
            index,
        })
    }

    /// All sources, in order.
    fn sources(&self) -> Sources<'_> {
        Sources {
            map: self.as_view(),
            next: 0,
            count: self.source_count() as u32,
        }
    }

    /// The index of the first source whose raw name, `sourceRoot`-prefixed name or
    /// resolved URL equals `name`.
    fn find_source(&self, name: &str) -> Option<u32> {
        (0..self.source_count() as u32).find(|&i| {
            self.source_name(i) == Some(name)
                || self.source_prefixed_name(i) == Some(name)
                || self.source_url(i) == Some(name)
        })
    }

    /// All names, in order.
    fn names(&self) -> Vec<&str> {
        (0..self.name_count() as u32)
            .map(|i| self.name(i).unwrap_or(""))
            .collect()
    }
}

/// Implements the `raw_*` lookups of [`SourceMapView`] for a storage whose `$store()`
/// method returns a [`crate::MappingStore`] and whose `reverse_index()` returns its
/// [`crate::ReverseIndex`]: each hands the store to the one function in
/// [`crate::lookup`] that decides how that lookup is done (see its module docs).
macro_rules! delegate_lookups {
    ($store:ident) => {
        fn raw_token(&self, index: usize) -> Option<crate::mappings::RawToken> {
            crate::lookup::MappingStore::token(&self.$store(), index)
        }

        fn raw_lookup(
            &self,
            line: u32,
            column: u32,
            options: crate::lookup::LookupOptions,
        ) -> Option<crate::mappings::RawToken> {
            crate::lookup::find(|| self.$store(), line, column, options)
        }

        fn raw_lookup_each(
            &self,
            lines: &[u32],
            columns: &[u32],
            options: crate::lookup::LookupOptions,
            answer: &mut dyn FnMut(usize, Option<crate::mappings::RawToken>),
        ) {
            crate::lookup::find_each(&self.$store(), lines, columns, options, answer)
        }

        fn raw_lookup_batch(
            &self,
            lines: &[u32],
            columns: &[u32],
            options: crate::lookup::LookupOptions,
            answer: &mut dyn FnMut(usize, Option<crate::mappings::RawToken>),
        ) {
            crate::lookup::find_batch(&self.$store(), lines, columns, options, answer)
        }

        fn raw_tokens_at(
            &self,
            line: u32,
            column: u32,
            options: crate::lookup::LookupOptions,
        ) -> Vec<crate::mappings::RawToken> {
            crate::lookup::find_all(&self.$store(), line, column, options)
        }

        fn raw_generated_position(
            &self,
            source: u32,
            line: u32,
            column: u32,
            options: crate::lookup::LookupOptions,
        ) -> Option<crate::mappings::RawToken> {
            self.reverse_index()
                .generated_position(&self.$store(), source, line, column, options)
        }

        fn raw_generated_positions(
            &self,
            source: u32,
            line: u32,
            column: Option<u32>,
        ) -> Vec<crate::mappings::RawToken> {
            self.reverse_index()
                .generated_positions(&self.$store(), source, line, column)
        }
    };
}
pub(crate) use delegate_lookups;

/// A mapping, borrowed from its map so that names and sources resolve to strings.
#[derive(Clone, Copy)]
pub struct Token<'m> {
    map: &'m dyn SourceMapView,
    raw: RawToken,
}

impl std::fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("raw", &self.raw).finish()
    }
}

impl<'m> Token<'m> {
    fn new(map: &'m dyn SourceMapView, raw: RawToken) -> Token<'m> {
        Token { map, raw }
    }

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

    /// Whether the mapping is a range mapping (ECMA-426 range mappings proposal). A
    /// lookup that lands inside one answers with the looked-up generated position and
    /// the original position moved by the same offset; [`Token::index`] is then the
    /// range mapping's own index, and [`SourceMapView::token`] gives its start.
    pub fn is_range(&self) -> bool {
        self.raw.is_range
    }

    /// The source index, when the token has an original position.
    pub fn source_index(&self) -> Option<u32> {
        (self.raw.source != NONE).then_some(self.raw.source)
    }

    /// The source, when the token has an original position.
    pub fn source(&self) -> Option<Source<'m>> {
        self.source_index().and_then(|i| {
            ((i as usize) < self.map.source_count()).then_some(Source {
                map: self.map,
                index: i,
            })
        })
    }

    /// The generated position.
    pub fn generated_position(&self) -> Position {
        Position::new(self.raw.generated_line, self.raw.generated_column)
    }

    /// The original source and position, when the token has one.
    pub fn original_position(&self) -> Option<SourcePosition> {
        let position = Position::new(self.raw.original_line, self.raw.original_column);
        self.has_original()
            .then_some(SourcePosition::new(self.raw.source, position))
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
#[derive(Clone, Copy)]
pub struct Source<'m> {
    map: &'m dyn SourceMapView,
    index: u32,
}

impl std::fmt::Debug for Source<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("index", &self.index)
            .field("path", &self.path())
            .finish()
    }
}

/// Lines around a position of an original source (see [`Source::context`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context<'m> {
    /// Up to `before` lines before the line, oldest first.
    pub pre: Vec<&'m str>,
    /// The line itself.
    pub line: &'m str,
    /// Up to `after` lines after it.
    pub post: Vec<&'m str>,
}

impl<'m> Source<'m> {
    /// Position in the map's sources.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The `sources` entry as written; `None` for a null entry.
    pub fn name(&self) -> Option<&'m str> {
        self.map.source_name(self.index)
    }

    /// The `sourceRoot`-prefixed name.
    pub fn prefixed_name(&self) -> Option<&'m str> {
        self.map.source_prefixed_name(self.index)
    }

    /// The resolved URL (WHATWG parse of `sourceRoot` prefix + name against the base
    /// URL); `None` when the entry is null or does not resolve (a relative name with no
    /// base URL).
    pub fn url(&self) -> Option<&'m str> {
        self.map.source_url(self.index)
    }

    /// The resolved URL when there is one, else the `sourceRoot`-prefixed name: the
    /// best string to show for this source.
    pub fn path(&self) -> Option<&'m str> {
        self.url().or_else(|| self.prefixed_name())
    }

    /// The `sourcesContent` entry.
    pub fn content(&self) -> Option<&'m str> {
        self.map.source_content(self.index)
    }

    /// Whether `ignoreList` names this source (third-party or generated code).
    pub fn is_ignored(&self) -> bool {
        self.map.source_is_ignored(self.index)
    }

    /// Line `line` (0-based) of the content, without its terminator.
    pub fn line(&self, line: u32) -> Option<&'m str> {
        self.map.source_line(self.index, line)
    }

    /// Number of lines of the content (0 without content).
    pub fn line_count(&self) -> usize {
        self.map.source_line_count(self.index)
    }

    /// Line `line` with up to `before` lines before and `after` lines after it, or
    /// `None` when the source has no such line.
    pub fn context(&self, line: u32, before: u32, after: u32) -> Option<Context<'m>> {
        let current = self.line(line)?;
        let first = line.saturating_sub(before);
        let pre = (first..line).filter_map(|l| self.line(l)).collect();
        let last = line.saturating_add(after);
        let post = (line + 1..=last).map_while(|l| self.line(l)).collect();
        Some(Context {
            pre,
            line: current,
            post,
        })
    }
}

/// Iterator over a map's tokens (see [`SourceMapView::tokens`]).
pub struct Tokens<'m> {
    map: &'m dyn SourceMapView,
    next: usize,
    count: usize,
}

impl<'m> Iterator for Tokens<'m> {
    type Item = Token<'m>;

    fn next(&mut self) -> Option<Token<'m>> {
        if self.next >= self.count {
            return None;
        }
        let raw = self.map.raw_token(self.next)?;
        self.next += 1;
        Some(Token::new(self.map, raw))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Tokens<'_> {}

/// Iterator over a map's sources (see [`SourceMapView::sources`]).
pub struct Sources<'m> {
    map: &'m dyn SourceMapView,
    next: u32,
    count: u32,
}

impl<'m> Iterator for Sources<'m> {
    type Item = Source<'m>;

    fn next(&mut self) -> Option<Source<'m>> {
        if self.next >= self.count {
            return None;
        }
        let source = Source {
            map: self.map,
            index: self.next,
        };
        self.next += 1;
        Some(source)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.count - self.next) as usize;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Sources<'_> {}
