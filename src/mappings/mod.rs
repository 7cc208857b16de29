//! Storage for decoded mappings, shaped by what lookups touch.
//!
//! Generated positions are plain arrays: `line_starts[l]` is the index of the first
//! token on generated line `l`, and `generated_columns` holds one `u32` per token. A
//! lookup binary-searches a short line's columns; a long line (a minified bundle's)
//! has a column table ([`column_index`]) that narrows the search to the few tokens
//! near the column in one step. The rest of a token (source, original line and column,
//! name) is packed 32 tokens to a block ([`block`]), about 4 to 6 bytes a token instead
//! of 16, and decoded for the one token a lookup returns. The whole structure is a
//! third of a plain one's size, which keeps more of a large map in the CPU caches that
//! random lookups depend on.
//!
//! [`MappingsView`] borrows the storage; the lookups in [`crate::lookup`] are written
//! against the [`MappingStore`] trait it implements, which a cache file's packed
//! mappings implement too.

mod block;
mod builder;
mod column_index;

use std::ops::Range;

use self::block::{Block, BLOCK};
use self::column_index::{ColumnIndex, ColumnIndexView};
use crate::lookup::{LookupOptions, MappingStore};

pub(crate) use self::builder::{BuilderMark, MappingsBuilder};

/// Marks "no value" in the source and name arrays (and the original position fields of
/// a token with no original position).
pub const NONE: u32 = u32::MAX;

/// Columns compared at once, without a loop, when a search has narrowed to this many
/// tokens: one or two cache lines.
const RUN: usize = 16;

/// One decoded mapping, by value. Indices refer to the map's sources and names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawToken {
    /// Index of this token in generated order.
    pub index: u32,
    /// 0-based generated line.
    pub generated_line: u32,
    /// 0-based generated column, in UTF-16 code units.
    pub generated_column: u32,
    /// Index into the map's sources, or [`NONE`] when the token has no original position.
    pub source: u32,
    /// 0-based original line, or [`NONE`].
    pub original_line: u32,
    /// 0-based original column in UTF-16 code units, or [`NONE`].
    pub original_column: u32,
    /// Index into the map's names, or [`NONE`].
    pub name: u32,
    /// Whether the mapping is a range mapping (ECMA-426 range mappings proposal): it
    /// maps every position from its own up to the next mapping's, each to its original
    /// position plus the same offset. A lookup that lands inside one returns the
    /// looked-up generated position and the original position with the offset applied
    /// (see [`Token::is_range`](crate::Token::is_range)); the mapping itself is
    /// [`RawToken::index`].
    pub is_range: bool,
}

impl RawToken {
    /// Whether the token maps to an original position.
    pub fn has_original(&self) -> bool {
        self.source != NONE
    }
}

/// Owned mappings in the layout described in the module docs.
#[derive(Clone, Debug)]
pub struct Mappings {
    pub(crate) line_starts: Vec<u32>,
    pub(crate) generated_columns: Vec<u32>,
    /// Column tables of the long lines.
    pub(crate) column_index: ColumnIndex,
    pub(crate) blocks: Vec<Block>,
    /// The blocks' records, followed by [`block::PADDING`] zero bytes.
    pub(crate) records: Vec<u8>,
    /// Indices of the tokens that are range mappings, ascending (empty for nearly
    /// every map, so a plain map pays nothing for them).
    pub(crate) range_tokens: Vec<u32>,
}

impl Default for Mappings {
    fn default() -> Mappings {
        Mappings {
            line_starts: vec![0, 0],
            generated_columns: Vec::new(),
            column_index: ColumnIndex::default(),
            blocks: Vec::new(),
            records: vec![0; block::PADDING],
            range_tokens: Vec::new(),
        }
    }
}

impl Mappings {
    /// A borrowed view for lookups.
    pub fn view(&self) -> MappingsView<'_> {
        MappingsView {
            line_starts: &self.line_starts,
            generated_columns: &self.generated_columns,
            column_index: self.column_index.view(),
            blocks: &self.blocks,
            records: &self.records,
            range_tokens: &self.range_tokens,
        }
    }

    /// Bytes of heap memory held.
    pub fn heap_size(&self) -> usize {
        4 * (self.line_starts.capacity()
            + self.generated_columns.capacity()
            + self.range_tokens.capacity())
            + self.column_index.heap_size()
            + std::mem::size_of::<Block>() * self.blocks.capacity()
            + self.records.capacity()
    }
}

/// Borrowed mappings: what every lookup works on.
///
/// Generated lines and columns are plain arrays, which lookups binary-search; the other
/// fields are packed 32 tokens to a block and decoded per token.
#[derive(Clone, Copy, Debug)]
pub struct MappingsView<'a> {
    /// `line_starts[l]..line_starts[l + 1]` are the tokens of generated line `l`; the
    /// slice has one entry more than there are lines.
    pub(crate) line_starts: &'a [u32],
    /// Generated column per token.
    pub(crate) generated_columns: &'a [u32],
    /// Column tables of the long lines.
    pub(crate) column_index: ColumnIndexView<'a>,
    pub(crate) blocks: &'a [Block],
    pub(crate) records: &'a [u8],
    /// Indices of the range mappings, ascending.
    pub(crate) range_tokens: &'a [u32],
}

impl MappingsView<'_> {
    /// (source, original line, original column, name) of token `index`, each
    /// [`NONE`] when absent (or past the end).
    #[inline]
    pub fn originals(&self, index: usize) -> [u32; 4] {
        match self.blocks.get(index / BLOCK) {
            Some(block) => block.read(self.records, index % BLOCK),
            None => [NONE; 4],
        }
    }

    /// The generated column of token `index` (0 past the end).
    pub fn generated_column(&self, index: usize) -> u32 {
        self.generated_columns.get(index).copied().unwrap_or(0)
    }

    /// The source index of token `index`, or [`NONE`].
    pub fn source(&self, index: usize) -> u32 {
        self.originals(index)[0]
    }

    /// The name index of token `index`, or [`NONE`].
    pub fn name(&self, index: usize) -> u32 {
        self.originals(index)[3]
    }

    /// Whether token `index` is a range mapping.
    #[inline]
    pub fn is_range(&self, index: usize) -> bool {
        is_range_in(self.range_tokens, index)
    }
}

/// Whether `index` is in the ascending list `range_tokens`; free when the list is
/// empty, as it is for nearly every map.
#[inline(always)]
pub(crate) fn is_range_in(range_tokens: &[u32], index: usize) -> bool {
    !range_tokens.is_empty()
        && u32::try_from(index).is_ok_and(|index| range_tokens.binary_search(&index).is_ok())
}

/// Token indices of line `line` given line starts, or an empty range (at the end) when
/// the line is past the last one or the stored starts are inconsistent.
pub(crate) fn checked_line_range(
    line_starts: &[u32],
    line: u32,
    token_count: usize,
) -> std::ops::Range<usize> {
    let line = line as usize;
    match (
        line_starts.get(line),
        line.checked_add(1).and_then(|next| line_starts.get(next)),
    ) {
        (Some(&start), Some(&end)) if start <= end && end as usize <= token_count => {
            start as usize..end as usize
        }
        _ => token_count..token_count,
    }
}

/// The generated line of token `index`: the last line whose start is at or before it
/// (skipping empty lines that start there too).
pub(crate) fn line_of(line_starts: &[u32], index: usize) -> u32 {
    let after = line_starts.partition_point(|&start| start as usize <= index);
    after.saturating_sub(1) as u32
}

impl MappingsView<'_> {
    /// How many tokens of `range`, line `line`'s, have a column at or before `column`:
    /// the line's columns are sorted, so this is where a token after `column` would
    /// go. A long line's column table narrows the search first.
    #[inline(always)]
    fn count_at_or_before(&self, line: u32, range: Range<usize>, column: u32) -> usize {
        let Range { start, end } = self.candidates(line, &range, column);
        start - range.start + self.count_in(start..end, range.end, column)
    }

    /// The tokens of line `line` (`range`) whose columns a search for `column` must
    /// still compare: a long line's column table narrows them to a handful; a short
    /// line's are all of them.
    #[inline(always)]
    fn candidates(&self, line: u32, range: &Range<usize>, column: u32) -> Range<usize> {
        self.column_index
            .narrow(line, range, column)
            .unwrap_or_else(|| range.clone())
    }

    /// How many of the (sorted) columns of tokens `range` are at or before `column`,
    /// where every token from `range.end` up to `limit` is known to be after `column`.
    #[inline(always)]
    fn count_in(&self, range: Range<usize>, limit: usize, column: u32) -> usize {
        if range.len() <= RUN && range.start + RUN <= limit {
            // A whole run from the range's start, compared at once with vector
            // instructions, without a loop: every lane past the range is after
            // `column`, so it counts nothing.
            let run = self.generated_columns.get(range.start..range.start + RUN);
            if let Some(run) = run.and_then(|run| <&[u32; RUN]>::try_from(run).ok()) {
                return run.iter().map(|&c| usize::from(c <= column)).sum();
            }
        }
        let columns = self.generated_columns.get(range).unwrap_or(&[]);
        columns.partition_point(|&c| c <= column)
    }

    /// The token a default lookup at `column` on line `line` (tokens from `start` on)
    /// returns, once the search found `after` (the number of the line's tokens at or
    /// before `column`). `likely` is a block header loaded while the search ran, and
    /// the index of a token it holds: used when the found token is in it too.
    #[inline(always)]
    fn found_token(
        &self,
        start: usize,
        line: u32,
        column: u32,
        after: usize,
        likely: (usize, Option<Block>),
    ) -> Option<RawToken> {
        let columns = self.generated_columns;
        let mut index = start + after.checked_sub(1)?;
        let found = *columns.get(index)?;
        if found == column {
            // An exact match names the first token at the position; a column inside
            // the code the group starts, the last (see `crate::lookup::find`).
            while index > start && columns.get(index - 1) == Some(&found) {
                index -= 1;
            }
        }
        let block = match likely.1 {
            Some(block) if index / BLOCK == likely.0 / BLOCK => block,
            _ => *self.blocks.get(index / BLOCK)?,
        };
        let [source, original_line, original_column, name] =
            block.read(self.records, index % BLOCK);
        Some(RawToken {
            index: index as u32,
            generated_line: line,
            generated_column: found,
            source,
            original_line,
            original_column,
            name,
            is_range: self.is_range(index),
        })
    }
}

impl MappingsView<'_> {
    /// The token covering a generated position, or `None` (see
    /// [`SourceMapView::lookup_with`](crate::SourceMapView::lookup_with)).
    pub fn lookup(&self, line: u32, column: u32, options: LookupOptions) -> Option<RawToken> {
        crate::lookup::find(|| *self, line, column, options)
    }

    /// Every token at the generated position that [`MappingsView::lookup`] finds.
    pub fn tokens_at(&self, line: u32, column: u32, options: LookupOptions) -> Vec<RawToken> {
        crate::lookup::find_all(self, line, column, options)
    }

    /// The default lookup (greatest lower bound on the line), what stack traces ask
    /// millions of times, straight over the columns and the column tables. Other
    /// options take the general path, which gives the same answers.
    #[inline(always)]
    fn default_lookup(&self, line: u32, column: u32) -> Option<RawToken> {
        let range = checked_line_range(self.line_starts, line, self.len());
        let Range { start, end } = self.candidates(line, &range, column);
        // The found token is most likely in the block of the first candidate: load its
        // header now, so that the load overlaps the search instead of following it.
        let likely_block = self.blocks.get(start / BLOCK).copied();
        let after = start - range.start + self.count_in(start..end, range.end, column);
        self.found_token(range.start, line, column, after, (start, likely_block))
    }

    /// Default lookups [`LANES`] at a time (for maps of at least
    /// [`LOCKSTEP_MIN_TOKENS`]), their binary searches in lockstep: each
    /// search waits on a memory load per probe, and on a map larger than the CPU's
    /// caches independent searches side by side wait for their loads together.
    fn default_lookups_in_lockstep(
        &self,
        lines: &[u32],
        columns: &[u32],
        answer: &mut dyn FnMut(usize, Option<RawToken>),
    ) {
        let count = lines.len().min(columns.len());
        let mut first = 0;
        while first < count {
            let lanes = LANES.min(count - first);
            let mut line_start = [0usize; LANES];
            let mut likely = [(0usize, None); LANES];
            let mut base = [0usize; LANES];
            let mut size = [0usize; LANES];
            for lane in 0..lanes {
                let (line, column) = (lines[first + lane], columns[first + lane]);
                let range = checked_line_range(self.line_starts, line, self.len());
                let candidates = self.candidates(line, &range, column);
                let likely_block = self.blocks.get(candidates.start / BLOCK).copied();
                line_start[lane] = range.start;
                likely[lane] = (candidates.start, likely_block);
                (base[lane], size[lane]) = (candidates.start, candidates.len());
            }
            // `partition_point` for every lane at once: the same probes, in lockstep,
            // each a conditional move rather than a branch that random columns would
            // mispredict half the time.
            loop {
                let mut searching = false;
                for lane in 0..lanes {
                    if size[lane] > 1 {
                        let half = size[lane] / 2;
                        let middle = base[lane] + half;
                        let before = self.generated_columns[middle] <= columns[first + lane];
                        base[lane] = if before { middle } else { base[lane] };
                        size[lane] -= half;
                        searching = true;
                    }
                }
                if !searching {
                    break;
                }
            }
            for lane in 0..lanes {
                let (line, column) = (lines[first + lane], columns[first + lane]);
                let at_or_before = size[lane] == 1 && self.generated_columns[base[lane]] <= column;
                let after = base[lane] - line_start[lane] + usize::from(at_or_before);
                answer(
                    first + lane,
                    self.found_token(line_start[lane], line, column, after, likely[lane]),
                );
            }
            first += lanes;
        }
    }
}

/// Lookups done side by side by [`MappingsView::default_lookups_in_lockstep`].
const LANES: usize = 8;
/// Below this many tokens (about 1 MB of columns) the searches stay in the CPU caches
/// and gain nothing from lockstep.
const LOCKSTEP_MIN_TOKENS: usize = 1 << 17;

impl MappingStore for MappingsView<'_> {
    fn len(&self) -> usize {
        self.generated_columns.len()
    }

    fn line_count(&self) -> usize {
        self.line_starts.len().saturating_sub(1)
    }

    fn line_range(&self, line: u32) -> Range<usize> {
        checked_line_range(self.line_starts, line, self.len())
    }

    fn line_of(&self, index: usize) -> u32 {
        line_of(self.line_starts, index)
    }

    #[inline]
    fn generated_column(&self, index: usize) -> u32 {
        MappingsView::generated_column(self, index)
    }

    #[inline]
    fn token_on_line(&self, index: usize, line: u32) -> RawToken {
        let [source, original_line, original_column, name] = self.originals(index);
        RawToken {
            index: index as u32,
            generated_line: line,
            generated_column: MappingsView::generated_column(self, index),
            source,
            original_line,
            original_column,
            name,
            is_range: self.is_range(index),
        }
    }

    fn original_key(&self, index: usize) -> (u32, u32, u32) {
        let [source, line, column, _] = self.originals(index);
        (source, line, column)
    }

    #[inline]
    fn is_range(&self, index: usize) -> bool {
        MappingsView::is_range(self, index)
    }

    #[inline(always)]
    fn has_ranges(&self) -> bool {
        !self.range_tokens.is_empty()
    }

    #[inline(always)]
    fn fast_default_lookup(&self, line: u32, column: u32) -> Option<Option<RawToken>> {
        Some(self.default_lookup(line, column))
    }

    fn fast_default_lookup_each(
        &self,
        lines: &[u32],
        columns: &[u32],
        answer: &mut dyn FnMut(usize, Option<RawToken>),
    ) -> bool {
        if self.len() < LOCKSTEP_MIN_TOKENS {
            return false;
        }
        self.default_lookups_in_lockstep(lines, columns, answer);
        true
    }

    fn partition_columns(&self, range: Range<usize>, column: u32, inclusive: bool) -> usize {
        let limit = range.end;
        range.start
            + count_by_bound(column, inclusive, |bound| {
                self.count_in(range.clone(), limit, bound)
            })
    }

    fn partition_line(
        &self,
        line: u32,
        range: Range<usize>,
        column: u32,
        inclusive: bool,
    ) -> usize {
        range.start
            + count_by_bound(column, inclusive, |bound| {
                self.count_at_or_before(line, range.clone(), bound)
            })
    }
}

/// How many sorted columns are at or before `column` (`inclusive`) or before it, given
/// `count_at_or_before`: "before `column`" is "at or before `column - 1`".
#[inline(always)]
fn count_by_bound(
    column: u32,
    inclusive: bool,
    count_at_or_before: impl FnOnce(u32) -> usize,
) -> usize {
    match (inclusive, column.checked_sub(1)) {
        (true, _) => count_at_or_before(column),
        (false, Some(before)) => count_at_or_before(before),
        (false, None) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The searches (a short line's run compare, a long line's column table, then a run
    /// or a binary search) count what a plain binary search of the line counts: lines
    /// of every length around the run size and the table threshold, with repeated
    /// columns, for every column up to past the last, singly and in lockstep (which a
    /// map needs [`LOCKSTEP_MIN_TOKENS`] for: the last line makes up the rest), and by
    /// the general lookup path.
    #[test]
    fn line_searches_equal_a_binary_search_of_the_line() {
        let mut builder = MappingsBuilder::new();
        let mut state = 0x9e37_79b9u32;
        for length in (0..5 * RUN).chain([100, 128, 129, 257, 1000, LOCKSTEP_MIN_TOKENS]) {
            let mut column = 0;
            for _ in 0..length {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                column += state % 3; // 0: a column shared with the token before
                builder.push(column, 0, 0, column, NONE);
            }
            builder.new_line();
        }
        let (mappings, _) = builder.finish();
        let view = mappings.view();
        let options = LookupOptions::default();
        for line in 0..view.line_count() as u32 {
            let range = view.line_range(line);
            let columns = &view.generated_columns[range.clone()];
            let last = columns.last().copied().unwrap_or(0);
            let mut lines = Vec::new();
            let mut wanted = Vec::new();
            // Every column of short lines; a sample of the long one's.
            let step = if columns.len() > 1000 { 37 } else { 1 };
            for column in (0..=last + 2).step_by(step) {
                let plain = columns.partition_point(|&c| c <= column);
                assert_eq!(view.count_at_or_before(line, range.clone(), column), plain);
                assert_eq!(view.count_in(range.clone(), range.end, column), plain);
                let strict = columns.partition_point(|&c| c < column);
                assert_eq!(
                    view.partition_columns(range.clone(), column, false),
                    range.start + strict
                );
                assert_eq!(
                    view.partition_line(line, range.clone(), column, false),
                    range.start + strict
                );
                assert_eq!(
                    view.partition_line(line, range.clone(), column, true),
                    range.start + plain
                );
                lines.push(line);
                wanted.push(column);
            }
            let mut each = vec![None; wanted.len()];
            crate::lookup::find_each(&view, &lines, &wanted, options, &mut |i, token| {
                each[i] = token
            });
            for (i, &column) in wanted.iter().enumerate() {
                let single = view.lookup(line, column, options);
                assert_eq!(each[i], single, "{line}:{column}");
                // The fast default path answers what the general one does.
                let general = crate::lookup::find_general(&view, line, column, options);
                assert_eq!(single, general, "{line}:{column}");
            }
        }
    }
}
