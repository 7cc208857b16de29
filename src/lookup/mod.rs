//! Position lookups over any [`MappingStore`], in both directions.
//!
//! Generated → original searches one generated line's columns (the per-line index makes
//! this a binary search over a handful of tokens). Original → generated uses a
//! [`ReverseIndex`]: token indices sorted by (source, original line, original column,
//! generated order), built once on first use.
//!
//! ECMA-426 defines no lookup algorithm; these follow what error trackers and debuggers
//! expect, and every choice is an option rather than a hidden rule.
//!
//! # One path for every generated → original lookup
//!
//! ```text
//! SourceMapView::lookup, lookup_with, raw_lookup_batch, ...        src/view.rs
//!   │ raw_lookup, raw_lookup_each, raw_lookup_batch, raw_tokens_at: one-line
//!   │ delegates (`delegate_lookups!`) to the storage's MappingStore
//!   ▼
//! find, find_each, find_batch, find_all                          here: the options
//!   │                                                            are checked once
//!   ├─ default options: MappingStore::fast_default_lookup(_each), the storage's own
//!   │  search (MappingsView's column tables, lockstep batches) ── or, when it has
//!   │  none (returns `None` / `false`) ──┐
//!   └─ any other options ────────────────┴─▶ find_general: MappingStore primitives only
//! ```
//!
//! A default lookup passes through three places: the view, [`find`], the storage's
//! search. It used to pass through five (the view, the delegate macro, the trait's
//! provided `lookup_default` and `lookup`, the in-memory override, `lookup_any`), with
//! the options compared up to three times; and the trait's provided `lookup_default`
//! called `lookup`, so a storage that, like the in-memory one, sent its default
//! options from `lookup` to `lookup_default` without overriding both recursed forever.
//!
//! Range mappings (ECMA-426 range mappings proposal) are applied after the search, in
//! one place, [`through_ranges`], and only for a storage whose
//! [`MappingStore::has_ranges`] says it has some: a plain map pays one check per lookup.
//!
//! No default can recurse, by construction: [`find_general`] calls only the
//! primitives of [`MappingStore`] (the required accessors and the partition searches,
//! whose defaults probe `generated_column`), never a lookup; the fast-path hooks'
//! defaults answer "no fast path" without calling anything. A storage that implements
//! only the required methods answers every lookup correctly (a test below holds one).

mod batch;

use std::ops::Range;

pub(crate) use self::batch::batch_order;
use crate::mappings::{RawToken, NONE};

/// Which token a position between two tokens resolves to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Bias {
    /// The closest token at or before the position (what stack traces need).
    #[default]
    GreatestLowerBound,
    /// The closest token at or after the position.
    LeastUpperBound,
}

/// How a lookup searches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LookupOptions {
    /// Which neighbour to take when no token starts exactly at the position.
    pub bias: Bias,
    /// Stay on the requested line (default). When `false`, a lookup that finds nothing
    /// on its line continues to the previous line (lower bound) or the next line
    /// (upper bound), as a debugger stepping over unmapped code would.
    pub same_line: bool,
}

impl Default for LookupOptions {
    fn default() -> LookupOptions {
        LookupOptions {
            bias: Bias::GreatestLowerBound,
            same_line: true,
        }
    }
}

impl LookupOptions {
    /// Options with the given bias, staying on the line.
    pub fn with_bias(bias: Bias) -> LookupOptions {
        LookupOptions {
            bias,
            same_line: true,
        }
    }
}

/// Read access to decoded mappings, whatever their storage: the in-memory
/// struct-of-arrays ([`MappingsView`](crate::MappingsView)) or a cache file's packed
/// blocks.
///
/// A storage implements the required accessors; the lookups themselves are decided in
/// one place, this module's `find` functions, which reach a storage only through these
/// methods. The provided methods are a storage's optional speed-ups: searches suited to
/// its layout, and a fast path for the default lookup. None of them calls a lookup, so
/// no combination of overrides can loop.
///
/// Implementations must not panic on inconsistent data (a corrupt cache): ranges are
/// validated, and out-of-range reads yield neutral values.
pub trait MappingStore {
    /// Number of tokens.
    fn len(&self) -> usize;

    /// Whether there are no tokens.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of generated lines (the last may be empty).
    fn line_count(&self) -> usize;

    /// Token indices of generated line `line`; empty past the end or when the stored
    /// line index is inconsistent.
    fn line_range(&self, line: u32) -> Range<usize>;

    /// The generated line of token `index`.
    fn line_of(&self, index: usize) -> u32;

    /// The generated column of token `index`.
    fn generated_column(&self, index: usize) -> u32;

    /// The token at `index`, whose generated line is already known.
    fn token_on_line(&self, index: usize, line: u32) -> RawToken;

    /// (source, original line, original column) of token `index`; the source is
    /// [`NONE`] for a token without an original position.
    fn original_key(&self, index: usize) -> (u32, u32, u32);

    /// The first index in `range` whose generated column is above `column`
    /// (`inclusive`) or at least `column` (not `inclusive`). The columns in `range`
    /// must be sorted, as they are within a line. Storages override this with a search
    /// suited to their layout; this default probes `generated_column`.
    fn partition_columns(&self, range: Range<usize>, column: u32, inclusive: bool) -> usize {
        if inclusive {
            partition(range, |i| self.generated_column(i) <= column)
        } else {
            partition(range, |i| self.generated_column(i) < column)
        }
    }

    /// [`MappingStore::partition_columns`] over the whole of generated line `line`,
    /// whose tokens are `range` (its [`MappingStore::line_range`]); storages with
    /// per-line search structures override it.
    fn partition_line(
        &self,
        _line: u32,
        range: Range<usize>,
        column: u32,
        inclusive: bool,
    ) -> usize {
        self.partition_columns(range, column, inclusive)
    }

    /// Whether token `index` is a range mapping (ECMA-426 range mappings proposal).
    /// A storage without range mappings keeps this default.
    fn is_range(&self, _index: usize) -> bool {
        false
    }

    /// Whether any token is a range mapping: when not (this default), lookups skip the
    /// range rules altogether.
    fn has_ranges(&self) -> bool {
        false
    }

    /// The token at `index`, or `None` past the end.
    fn token(&self, index: usize) -> Option<RawToken> {
        (index < self.len()).then(|| self.token_on_line(index, self.line_of(index)))
    }

    /// A storage's own search for a lookup with the default options (greatest lower
    /// bound on the line), which stack traces make millions of times: `Some(answer)`,
    /// which must be what the general path answers, or `None` (this default) to take
    /// the general path. Must not call back into a lookup.
    #[inline(always)]
    fn fast_default_lookup(&self, _line: u32, _column: u32) -> Option<Option<RawToken>> {
        None
    }

    /// Default-options lookups of each (`lines[i]`, `columns[i]`) (equal lengths),
    /// answered in order through `answer(i, token)`, done together (overlapping their
    /// memory accesses) by a storage that can. Returns `false`, having answered
    /// nothing, to have them looked up one at a time (this default). Must not call back
    /// into a lookup.
    fn fast_default_lookup_each(
        &self,
        _lines: &[u32],
        _columns: &[u32],
        _answer: &mut dyn FnMut(usize, Option<RawToken>),
    ) -> bool {
        false
    }
}

/// The token covering a generated position, or `None`: the one place that decides how
/// a lookup searches.
///
/// Several tokens may share a generated position (a minifier that compresses
/// `new X(` to `X(` maps that column to both). On an exact match the first one is
/// returned; for a position after them (inside the expression they start) the last
/// one, which is the most specific. [`find_all`] returns all of them.
///
/// `store` makes the storage's view (a few words, borrowed from the map) for the
/// branch taken. A view made before the branch would be written to the stack for the
/// general path's sake on every call: 13 % more instructions for the default lookup.
#[inline(always)]
pub(crate) fn find<M: MappingStore>(
    store: impl Fn() -> M,
    line: u32,
    column: u32,
    options: LookupOptions,
) -> Option<RawToken> {
    // Compared here and nowhere else: the default options take the storage's fast path
    // with nothing of the general one set up.
    let found = if options == LookupOptions::default() {
        find_default(&store(), line, column)
    } else {
        find_general(&store(), line, column, options)
    };
    // A point mapping is the answer as found. Only a range mapping, or no answer (a
    // range mapping may run on from an earlier line), needs another look, which makes
    // its own view: a view kept alive for it, or passed by reference, is written to
    // the stack on every call (measured: +73 instructions a lookup on jquery's map;
    // this way +14, within the timing noise).
    match found {
        Some(token) if !token.is_range => found,
        // A throwaway view: only its range count is read, so nothing is spilled.
        _ if !store().has_ranges() => found,
        _ => find_in_range(&store, line, column, options, found),
    }
}

/// The rest of [`find`] for a range mapping or no answer: [`through_ranges`], for a
/// storage with range mappings. Out of line, as it is rarely taken.
#[cold]
#[inline(never)]
fn find_in_range<M: MappingStore>(
    store: &impl Fn() -> M,
    line: u32,
    column: u32,
    options: LookupOptions,
    found: Option<RawToken>,
) -> Option<RawToken> {
    through_ranges(&store(), line, column, options, found)
}

/// [`find`] with the default options: the storage's fast path if it has one.
#[inline(always)]
fn find_default<M: MappingStore + ?Sized>(store: &M, line: u32, column: u32) -> Option<RawToken> {
    match store.fast_default_lookup(line, column) {
        Some(answer) => answer,
        None => find_general(store, line, column, LookupOptions::default()),
    }
}

/// [`find`] of each (`lines[i]`, `columns[i]`), answered in order through
/// `answer(i, token)`.
pub(crate) fn find_each<M: MappingStore + ?Sized>(
    store: &M,
    lines: &[u32],
    columns: &[u32],
    options: LookupOptions,
    answer: &mut dyn FnMut(usize, Option<RawToken>),
) {
    if store.has_ranges() {
        let mut ranged = |i: usize, found: Option<RawToken>| {
            answer(
                i,
                through_ranges(store, lines[i], columns[i], options, found),
            )
        };
        return find_each_point(store, lines, columns, options, &mut ranged);
    }
    find_each_point(store, lines, columns, options, answer)
}

/// [`find_each`] before range mappings are applied.
fn find_each_point<M: MappingStore + ?Sized>(
    store: &M,
    lines: &[u32],
    columns: &[u32],
    options: LookupOptions,
    answer: &mut dyn FnMut(usize, Option<RawToken>),
) {
    let count = lines.len().min(columns.len());
    let (lines, columns) = (&lines[..count], &columns[..count]);
    if options == LookupOptions::default() && store.fast_default_lookup_each(lines, columns, answer)
    {
        return;
    }
    find_at(store, 0..count, lines, columns, options, answer);
}

/// [`find`] of each (`lines[i]`, `columns[i]`), through `answer(i, token)`: large
/// batches on large maps in generated order ([`batch_order`]), so that the answers
/// come in no particular order; the others as [`find_each`] does.
pub(crate) fn find_batch<M: MappingStore + ?Sized>(
    store: &M,
    lines: &[u32],
    columns: &[u32],
    options: LookupOptions,
    answer: &mut dyn FnMut(usize, Option<RawToken>),
) {
    let count = lines.len().min(columns.len());
    let (lines, columns) = (&lines[..count], &columns[..count]);
    match batch_order(lines, columns, store.len()) {
        Some(order) => {
            let positions = order.into_iter().map(|i| i as usize);
            if store.has_ranges() {
                let mut ranged = |i: usize, found: Option<RawToken>| {
                    answer(
                        i,
                        through_ranges(store, lines[i], columns[i], options, found),
                    )
                };
                return find_at(store, positions, lines, columns, options, &mut ranged);
            }
            find_at(store, positions, lines, columns, options, answer);
        }
        None => find_each(store, lines, columns, options, answer),
    }
}

/// The answer for (`line`, `column`) once range mappings are applied to `found`, the
/// token the point search found (ECMA-426 range mappings proposal, GetOriginalPositions
/// with GetRangeMappedPosition). Only a greatest-lower-bound search has a range to be
/// inside of.
///
/// - A range mapping covers every position from its own up to the next mapping's, line
///   ends included. So when the line holds nothing at or before the column, the token
///   just before the line starts answers if it is a range mapping (the same-line rule
///   stops only point mappings).
/// - Inside a range the answer is the mapping seen from the looked-up position: that
///   generated position, and the original position moved by as much. On the range's
///   first line the original column moves by the column difference; on a later line
///   the original line moves by the line difference and the original column is the
///   looked-up column (the text is the same character for character, newlines
///   included: what the proposal's explainer, its newline test and WebKit's inspector
///   do; the spec draft's GetRangeMappedPosition keeps the mapping's column there,
///   which the tests contradict).
/// - A name belongs to the mapping's own position: it is dropped elsewhere in the range.
fn through_ranges<M: MappingStore + ?Sized>(
    store: &M,
    line: u32,
    column: u32,
    options: LookupOptions,
    found: Option<RawToken>,
) -> Option<RawToken> {
    if options.bias != Bias::GreatestLowerBound {
        return found;
    }
    let token = match found {
        Some(token) => token,
        None => {
            let previous = store.line_range(line).start.checked_sub(1)?;
            if !store.is_range(previous) {
                return None;
            }
            store.token(previous)?
        }
    };
    Some(range_shifted(token, line, column))
}

/// `token` seen from (`line`, `column`), at or after it: itself unless it is a range
/// mapping with an original position (see [`through_ranges`]). Positions that would
/// not fit leave the token as it is.
fn range_shifted(token: RawToken, line: u32, column: u32) -> RawToken {
    let at = (token.generated_line, token.generated_column);
    if !token.is_range || !token.has_original() || (line, column) <= at {
        return token;
    }
    let shifted = if line == token.generated_line {
        let columns = column - token.generated_column;
        (
            Some(token.original_line),
            token.original_column.checked_add(columns),
        )
    } else {
        (
            token.original_line.checked_add(line - token.generated_line),
            Some(column),
        )
    };
    match shifted {
        (Some(original_line), Some(original_column))
            if original_line != NONE && original_column != NONE =>
        {
            RawToken {
                generated_line: line,
                generated_column: column,
                original_line,
                original_column,
                name: NONE,
                ..token
            }
        }
        _ => token,
    }
}

/// [`find`] of the positions `positions` of `lines`/`columns`, one after the other, the
/// options compared once for all of them.
fn find_at<M: MappingStore + ?Sized>(
    store: &M,
    positions: impl Iterator<Item = usize>,
    lines: &[u32],
    columns: &[u32],
    options: LookupOptions,
    answer: &mut dyn FnMut(usize, Option<RawToken>),
) {
    if options == LookupOptions::default() {
        for i in positions {
            answer(i, find_default(store, lines[i], columns[i]));
        }
    } else {
        for i in positions {
            answer(i, find_general(store, lines[i], columns[i], options));
        }
    }
}

/// All tokens at the generated position that [`find`] lands on: the spec allows
/// several segments at one position, each with its own original.
pub(crate) fn find_all<M: MappingStore + ?Sized>(
    store: &M,
    line: u32,
    column: u32,
    options: LookupOptions,
) -> Vec<RawToken> {
    let ranges = store.has_ranges() && options.bias == Bias::GreatestLowerBound;
    let (first, found_line, only_ranges) = match find_group(store, line, column, options) {
        Some((first, found_line)) => (first, found_line, false),
        // A range mapping before the line runs on into it (see `through_ranges`): the
        // range mappings at its position answer.
        None if ranges => {
            let Some(previous) = store.line_range(line).start.checked_sub(1) else {
                return Vec::new();
            };
            if !store.is_range(previous) {
                return Vec::new();
            }
            let previous_line = store.line_of(previous);
            let line_start = store.line_range(previous_line).start.min(previous);
            (
                group_start(store, line_start, previous),
                previous_line,
                true,
            )
        }
        None => return Vec::new(),
    };
    let end = store.line_range(found_line).end;
    let target = store.generated_column(first);
    (first..end)
        .take_while(|&i| store.generated_column(i) == target)
        .map(|i| store.token_on_line(i, found_line))
        .filter(|token| !only_ranges || token.is_range)
        .map(|token| {
            if ranges {
                range_shifted(token, line, column)
            } else {
                token
            }
        })
        .collect()
}

/// [`find`] for any storage and any options, from the storage's primitives alone:
/// never a fast-path hook, so it cannot loop back into a lookup.
pub(crate) fn find_general<M: MappingStore + ?Sized>(
    store: &M,
    line: u32,
    column: u32,
    options: LookupOptions,
) -> Option<RawToken> {
    let (first, found_line) = find_group(store, line, column, options)?;
    let group_column = store.generated_column(first);
    let exact = (found_line, group_column) == (line, column);
    let index = if options.bias == Bias::GreatestLowerBound && !exact {
        let end = store.line_range(found_line).end;
        (first..end)
            .take_while(|&i| store.generated_column(i) == group_column)
            .last()
            .unwrap_or(first)
    } else {
        first
    };
    Some(store.token_on_line(index, found_line))
}

/// The first index in `range` for which `is_before` is false (`is_before` must be
/// true for a prefix of the range, as for `slice::partition_point`).
///
/// Branch-free like `partition_point`: the probe decides a conditional move, not a
/// jump, so random lookups do not pay a misprediction per probe.
#[inline(always)]
pub(crate) fn partition(range: Range<usize>, mut is_before: impl FnMut(usize) -> bool) -> usize {
    let mut size = range.end.saturating_sub(range.start);
    if size == 0 {
        return range.start;
    }
    let mut base = range.start;
    while size > 1 {
        let half = size / 2;
        let middle = base + half;
        base = if is_before(middle) { middle } else { base };
        size -= half;
    }
    base + usize::from(is_before(base))
}

/// Index and line of the first token of the group a lookup lands on.
fn find_group<M: MappingStore + ?Sized>(
    store: &M,
    line: u32,
    column: u32,
    options: LookupOptions,
) -> Option<(usize, u32)> {
    let range = store.line_range(line);
    match options.bias {
        Bias::GreatestLowerBound => {
            let after = store.partition_line(line, range.clone(), column, true);
            if after > range.start {
                return Some((group_start(store, range.start, after - 1), line));
            }
            if options.same_line || range.start == 0 {
                return None;
            }
            // The token just before this line starts, wherever it is.
            let previous = range.start - 1;
            let previous_line = store.line_of(previous);
            let line_start = store.line_range(previous_line).start.min(previous);
            Some((group_start(store, line_start, previous), previous_line))
        }
        Bias::LeastUpperBound => {
            let at = store.partition_line(line, range.clone(), column, false);
            if at < range.end {
                return Some((at, line));
            }
            if options.same_line || range.end >= store.len() {
                return None;
            }
            let next = range.end;
            Some((next, store.line_of(next)))
        }
    }
}

/// The first token at the same generated column as `index`, searching back to `start`.
/// Tokens rarely share a position, so look at the neighbour before searching.
fn group_start<M: MappingStore + ?Sized>(store: &M, start: usize, index: usize) -> usize {
    let target = store.generated_column(index);
    if index == start || store.generated_column(index - 1) < target {
        return index;
    }
    store.partition_columns(start..index, target, false)
}

/// Token indices ordered by original position, for original → generated lookups.
#[derive(Clone, Debug, Default)]
pub struct ReverseIndex {
    order: Box<[u32]>,
}

impl ReverseIndex {
    /// Sorts the tokens that have an original position.
    pub fn build<M: MappingStore + ?Sized>(store: &M) -> ReverseIndex {
        let mut keyed: Vec<((u32, u32, u32), u32)> = (0..store.len())
            .map(|i| (store.original_key(i), i as u32))
            .filter(|((source, _, _), _)| *source != NONE)
            .collect();
        // Token index last: among equal originals, generated order.
        keyed.sort_unstable();
        ReverseIndex {
            order: keyed.into_iter().map(|(_, index)| index).collect(),
        }
    }

    /// The token indices, ordered by original position.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// Bytes of heap memory held.
    pub fn heap_size(&self) -> usize {
        self.order.len() * 4
    }

    /// The original key of the token at `position` of the order ([`NONE`] fields for a
    /// corrupt entry, which sorts last).
    fn key<M: MappingStore + ?Sized>(store: &M, index: u32) -> (u32, u32, u32) {
        if (index as usize) < store.len() {
            store.original_key(index as usize)
        } else {
            (NONE, NONE, NONE)
        }
    }

    /// Positions in `order` of the tokens on (source, line).
    fn line_span<M: MappingStore + ?Sized>(
        &self,
        store: &M,
        source: u32,
        line: u32,
    ) -> Range<usize> {
        let order = &self.order;
        let start = order.partition_point(|&i| Self::key(store, i) < (source, line, 0));
        let end = start
            + order[start..].partition_point(|&i| {
                let (s, l, _) = Self::key(store, i);
                (s, l) <= (source, line)
            });
        start..end
    }

    /// The best generated token for an original position.
    pub fn generated_position<M: MappingStore + ?Sized>(
        &self,
        store: &M,
        source: u32,
        line: u32,
        column: u32,
        options: LookupOptions,
    ) -> Option<RawToken> {
        let span = self.line_span(store, source, line);
        let on_line = &self.order[span.clone()];
        let column_of = |i: u32| Self::key(store, i).2;
        let source_of = |i: u32| Self::key(store, i).0;
        let position = match options.bias {
            Bias::GreatestLowerBound => {
                let after = on_line.partition_point(|&i| column_of(i) <= column);
                if after > 0 {
                    let target = column_of(on_line[after - 1]);
                    Some(span.start + on_line[..after].partition_point(|&i| column_of(i) < target))
                } else if !options.same_line && span.start > 0 {
                    let previous = self.order[span.start - 1];
                    (source_of(previous) == source).then(|| span.start - 1)
                } else {
                    None
                }
            }
            Bias::LeastUpperBound => {
                let at = on_line.partition_point(|&i| column_of(i) < column);
                if at < on_line.len() {
                    Some(span.start + at)
                } else if !options.same_line && span.end < self.order.len() {
                    let next = self.order[span.end];
                    (source_of(next) == source).then_some(span.end)
                } else {
                    None
                }
            }
        }?;
        store.token(self.order[position] as usize)
    }

    /// All generated tokens for an original line; with a column, those at that column,
    /// or (when none is there) at the closest column after it on the same line.
    pub fn generated_positions<M: MappingStore + ?Sized>(
        &self,
        store: &M,
        source: u32,
        line: u32,
        column: Option<u32>,
    ) -> Vec<RawToken> {
        let span = self.line_span(store, source, line);
        let on_line = &self.order[span];
        let selected = match column {
            None => on_line,
            Some(column) => {
                let column_of = |i: u32| Self::key(store, i).2;
                let at = on_line.partition_point(|&i| column_of(i) < column);
                match on_line.get(at) {
                    None => &[],
                    Some(&first) => {
                        let target = column_of(first);
                        let end = at + on_line[at..].partition_point(|&i| column_of(i) == target);
                        &on_line[at..end]
                    }
                }
            }
        };
        selected
            .iter()
            .filter_map(|&i| store.token(i as usize))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mappings::{Mappings, MappingsBuilder};

    /// Line 0: tokens at columns 0, 4, 4, 10; line 1 empty; line 2: column 3 (no source).
    fn sample() -> Mappings {
        let mut b = MappingsBuilder::new();
        b.push(0, 0, 0, 0, NONE);
        b.push(4, 0, 0, 8, 0);
        b.push(4, 1, 5, 0, NONE);
        b.push(10, 0, 1, 2, NONE);
        b.new_line();
        b.new_line();
        b.push(3, NONE, NONE, NONE, NONE);
        b.finish().0
    }

    #[test]
    fn greatest_lower_bound() {
        let m = sample();
        let v = m.view();
        let o = LookupOptions::default();
        assert_eq!(v.lookup(0, 0, o).unwrap().index, 0);
        assert_eq!(v.lookup(0, 3, o).unwrap().index, 0);
        // Exact match on a shared position: the first; inside it: the last.
        assert_eq!(v.lookup(0, 4, o).unwrap().index, 1);
        assert_eq!(v.lookup(0, 9, o).unwrap().index, 2);
        assert_eq!(v.lookup(0, 99, o).unwrap().index, 3);
        assert_eq!(v.lookup(1, 5, o), None);
        assert_eq!(v.lookup(2, 2, o), None);
        assert_eq!(v.lookup(7, 0, o), None);
        let cross = LookupOptions {
            same_line: false,
            ..o
        };
        let t = v.lookup(1, 5, cross).unwrap();
        assert_eq!((t.index, t.generated_line), (3, 0));
        assert_eq!(v.lookup(2, 2, cross).unwrap().index, 3);
        assert_eq!(v.lookup(7, 0, cross).unwrap().index, 4);
    }

    #[test]
    fn least_upper_bound() {
        let m = sample();
        let v = m.view();
        let o = LookupOptions::with_bias(Bias::LeastUpperBound);
        assert_eq!(v.lookup(0, 1, o).unwrap().index, 1);
        assert_eq!(v.lookup(0, 11, o), None);
        let cross = LookupOptions {
            same_line: false,
            ..o
        };
        let t = v.lookup(0, 11, cross).unwrap();
        assert_eq!((t.index, t.generated_line, t.generated_column), (4, 2, 3));
        assert_eq!(v.lookup(2, 4, cross), None);
    }

    #[test]
    fn all_tokens_at_a_position() {
        let m = sample();
        let v = m.view();
        let all = v.tokens_at(0, 6, LookupOptions::default());
        assert_eq!(all.iter().map(|t| t.index).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(all[1].source, 1);
    }

    /// A storage with only the required methods: tokens in a plain vector, no search or
    /// fast path of its own. Everything it answers comes from the general path.
    #[derive(Clone, Copy)]
    struct PlainTokens<'a> {
        line_starts: &'a [u32],
        tokens: &'a [RawToken],
    }

    fn tokens_of<M: MappingStore>(store: &M) -> Vec<RawToken> {
        (0..store.len()).filter_map(|i| store.token(i)).collect()
    }

    impl MappingStore for PlainTokens<'_> {
        fn len(&self) -> usize {
            self.tokens.len()
        }

        fn line_count(&self) -> usize {
            self.line_starts.len() - 1
        }

        fn line_range(&self, line: u32) -> Range<usize> {
            crate::mappings::checked_line_range(self.line_starts, line, self.len())
        }

        fn line_of(&self, index: usize) -> u32 {
            self.tokens[index].generated_line
        }

        fn generated_column(&self, index: usize) -> u32 {
            self.tokens[index].generated_column
        }

        fn token_on_line(&self, index: usize, _line: u32) -> RawToken {
            self.tokens[index]
        }

        fn original_key(&self, index: usize) -> (u32, u32, u32) {
            let t = self.tokens[index];
            (t.source, t.original_line, t.original_column)
        }
    }

    /// The "minimal primitive" claim: the plain storage answers every lookup (both
    /// biases, on and off the line, singly and in batches, all tokens at a position)
    /// as the in-memory view does with its column tables and fast paths, over short
    /// lines, empty lines, shared columns and a line long enough for a column table.
    #[test]
    fn a_storage_with_only_the_required_methods_answers_every_lookup() {
        let mut b = MappingsBuilder::new();
        let mut state = 0x2545_f491u32;
        for length in [0, 1, 2, 5, 0, 17, 3, 300, 0, 40] {
            let mut column = 0;
            for _ in 0..length {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                column += state % 4; // 0: a column shared with the token before
                let source = if state.is_multiple_of(7) {
                    NONE
                } else {
                    state % 3
                };
                b.push(column, source, state % 50, state % 80, NONE);
            }
            b.new_line();
        }
        let m = b.finish().0;
        let view = m.view();
        let tokens = tokens_of(&view);
        let plain = PlainTokens {
            line_starts: view.line_starts,
            tokens: &tokens,
        };
        let all_options = [Bias::GreatestLowerBound, Bias::LeastUpperBound]
            .into_iter()
            .flat_map(|bias| [true, false].map(|same_line| LookupOptions { bias, same_line }));
        let last_column = plain
            .tokens
            .iter()
            .map(|t| t.generated_column)
            .max()
            .unwrap();
        for options in all_options {
            let (mut lines, mut columns) = (Vec::new(), Vec::new());
            for line in 0..plain.line_count() as u32 + 2 {
                for column in 0..last_column + 3 {
                    let expected = view.lookup(line, column, options);
                    let found = find(|| plain, line, column, options);
                    assert_eq!(found, expected, "{line}:{column} {options:?}");
                    assert_eq!(
                        find_all(&plain, line, column, options),
                        view.tokens_at(line, column, options),
                        "{line}:{column} {options:?}"
                    );
                    lines.push(line);
                    columns.push(column);
                }
            }
            let mut each = vec![None; lines.len()];
            find_each(&plain, &lines, &columns, options, &mut |i, t| each[i] = t);
            let mut batch = vec![None; lines.len()];
            find_batch(&plain, &lines, &columns, options, &mut |i, t| batch[i] = t);
            for (i, (&line, &column)) in lines.iter().zip(&columns).enumerate() {
                let expected = view.lookup(line, column, options);
                assert_eq!((each[i], batch[i]), (expected, expected), "{line}:{column}");
            }
        }
        // A few answers spelled out, on the sample of the tests above.
        let m = sample();
        let v = m.view();
        let tokens = tokens_of(&v);
        let plain = PlainTokens {
            line_starts: v.line_starts,
            tokens: &tokens,
        };
        let o = LookupOptions::default();
        assert_eq!(find(|| plain, 0, 4, o).unwrap().index, 1);
        assert_eq!(find(|| plain, 0, 9, o).unwrap().index, 2);
        assert_eq!(find(|| plain, 1, 5, o), None);
        let cross = LookupOptions {
            same_line: false,
            ..o
        };
        assert_eq!(find(|| plain, 7, 0, cross).unwrap().index, 4);
        let lub = LookupOptions::with_bias(Bias::LeastUpperBound);
        assert_eq!(find(|| plain, 0, 1, lub).unwrap().index, 1);
        assert_eq!(find(|| plain, 0, 11, lub), None);
    }

    #[test]
    fn reverse_lookups() {
        let m = sample();
        let v = m.view();
        let r = ReverseIndex::build(&v);
        let o = LookupOptions::default();
        assert_eq!(r.generated_position(&v, 0, 0, 5, o).unwrap().index, 0);
        assert_eq!(r.generated_position(&v, 0, 0, 8, o).unwrap().index, 1);
        let lub = LookupOptions::with_bias(Bias::LeastUpperBound);
        assert_eq!(r.generated_position(&v, 0, 0, 5, lub).unwrap().index, 1);
        assert_eq!(r.generated_position(&v, 0, 0, 9, lub), None);
        let lub_cross = LookupOptions {
            same_line: false,
            ..lub
        };
        assert_eq!(
            r.generated_position(&v, 0, 0, 9, lub_cross).unwrap().index,
            3
        );
        assert_eq!(r.generated_position(&v, 1, 4, 0, o), None);
        let all = r.generated_positions(&v, 0, 0, None);
        assert_eq!(all.len(), 2);
        let at = r.generated_positions(&v, 0, 0, Some(1));
        assert_eq!(at.iter().map(|t| t.index).collect::<Vec<_>>(), vec![1]);
        assert!(r.generated_positions(&v, 0, 0, Some(9)).is_empty());
        assert_eq!(r.generated_positions(&v, 2, 0, None), vec![]);
    }
}
