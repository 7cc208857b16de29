//! Column tables for long generated lines: a lookup on a minified bundle's line of
//! thousands of tokens goes from its column straight to the handful of tokens near it,
//! instead of binary-searching the whole line.
//!
//! A long line's columns, from its first token's to its last, are cut into equal
//! buckets, about one per [`TOKENS_PER_BUCKET`] tokens. The table stores, for every
//! bucket, the index of the first token in it or after it. The bucket of a column is one
//! multiplication away (`(column - base) * scale >> 32`, a fixed-point division by the
//! bucket width), so a lookup reads two neighbouring entries and then compares the few
//! columns between them. Minified code spreads its tokens evenly enough that on the
//! benchmark's bundles 80–99% of tokens sit in buckets of at most 16; denser buckets are
//! still searched correctly, only with a binary search.
//!
//! The tables cost 4 bytes per 8 tokens of the long lines, plus 8 bytes per long line
//! to find them. Bundles have few long lines (often one), so a lookup finds its line's
//! table by a binary search of the long lines' numbers, and lookups on short lines never
//! touch the index (a per-line array would cost them a cache miss on a large map).

use std::ops::Range;

/// Lines with more tokens than this get a table; shorter ones are searched directly, in
/// at most 7 probes over a few cache lines, which a table would not beat by much. The
/// threshold also keeps the long lines few: unminified code such as babel.js has tens
/// of thousands of lines of 33 to 128 tokens, which would make every lookup's search
/// for its line's table longer.
pub(crate) const INDEXED_LINE_MIN: usize = 128;

/// Tokens per bucket on average.
const TOKENS_PER_BUCKET: usize = 8;

/// Words before a table's bucket entries: the line's first column, its span and the
/// scale.
const HEADER: usize = 3;

/// The column tables of a map's long lines.
#[derive(Clone, Debug, Default)]
pub(crate) struct ColumnIndex {
    /// The long lines' numbers, ascending.
    long_lines: Vec<u32>,
    /// Where each long line's table starts in `tables`, and one entry more: the table of
    /// `long_lines[k]` is `tables[table_starts[k]..table_starts[k + 1]]`.
    table_starts: Vec<u32>,
    /// Per table: first column, span (last column - first column + 1), scale, then
    /// one entry per bucket and a last one that is the line's end.
    tables: Vec<u32>,
}

impl ColumnIndex {
    /// Tables for the lines of `line_starts` (one entry more than there are lines) with
    /// more than [`INDEXED_LINE_MIN`] tokens. Each line's `columns` must be sorted.
    pub(crate) fn build(line_starts: &[u32], columns: &[u32]) -> ColumnIndex {
        let mut index = ColumnIndex::default();
        for (line, pair) in line_starts.windows(2).enumerate() {
            if pair[1].saturating_sub(pair[0]) as usize <= INDEXED_LINE_MIN {
                continue;
            }
            if let Some(tokens) = columns.get(pair[0] as usize..pair[1] as usize) {
                if index.table_starts.is_empty() {
                    index.table_starts.push(0);
                }
                index.push_table(pair[0], tokens);
                index.long_lines.push(line as u32);
                index.table_starts.push(index.tables.len() as u32);
            }
        }
        index.long_lines.shrink_to_fit();
        index.table_starts.shrink_to_fit();
        index.tables.shrink_to_fit();
        index
    }

    /// Appends the table of one line whose first token has index `start`.
    fn push_table(&mut self, start: u32, line: &[u32]) {
        let (Some(&base), Some(&last)) = (line.first(), line.last()) else {
            return;
        };
        let span = u64::from(last - base) + 1;
        // No more buckets than columns, so that the scale fits 32 bits.
        let buckets = ((line.len() / TOKENS_PER_BUCKET) as u64).clamp(1, span);
        // Below `buckets << 32 / span`, so the last column's bucket is `buckets - 1`
        // at most.
        let scale = ((buckets << 32) - 1) / span;
        self.tables
            .extend([base, span.min(u64::from(u32::MAX)) as u32, scale as u32]);
        let mut next_bucket = 0u64;
        for (i, &column) in line.iter().enumerate() {
            let bucket = (u64::from(column - base) * scale) >> 32;
            // Buckets up to this token's own begin here (empty ones included).
            while next_bucket <= bucket {
                self.tables.push(start + i as u32);
                next_bucket += 1;
            }
        }
        while next_bucket <= buckets {
            self.tables.push(start + line.len() as u32);
            next_bucket += 1;
        }
    }

    /// A borrowed view for lookups.
    pub(crate) fn view(&self) -> ColumnIndexView<'_> {
        ColumnIndexView {
            long_lines: &self.long_lines,
            table_starts: &self.table_starts,
            tables: &self.tables,
        }
    }

    /// Bytes of heap memory held.
    pub(crate) fn heap_size(&self) -> usize {
        4 * (self.long_lines.capacity() + self.table_starts.capacity() + self.tables.capacity())
    }
}

/// Borrowed column tables.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ColumnIndexView<'a> {
    long_lines: &'a [u32],
    table_starts: &'a [u32],
    tables: &'a [u32],
}

impl ColumnIndexView<'_> {
    /// For generated line `line`, whose tokens are `range`: the tokens `low..high` whose
    /// columns must still be compared with `column`. Every token of `range` before `low`
    /// is at or before `column`, every one from `high` on after it. `None` when the
    /// line has no table (it is short).
    #[inline(always)]
    pub(crate) fn narrow(
        &self,
        line: u32,
        range: &Range<usize>,
        column: u32,
    ) -> Option<Range<usize>> {
        if range.len() <= INDEXED_LINE_MIN {
            return None;
        }
        let k = self.long_lines.partition_point(|&long| long < line);
        if self.long_lines.get(k) != Some(&line) {
            return None;
        }
        let from = *self.table_starts.get(k)? as usize;
        let to = *self.table_starts.get(k + 1)? as usize;
        let table = self.tables.get(from..to)?;
        let (&[base, span, scale], buckets) = table.split_first_chunk::<HEADER>()?;
        let Some(offset) = column.checked_sub(base) else {
            return Some(range.start..range.start);
        };
        if offset >= span {
            return Some(range.end..range.end);
        }
        let bucket = ((u64::from(offset) * u64::from(scale)) >> 32) as usize;
        let low = *buckets.get(bucket)? as usize;
        let high = *buckets.get(bucket + 1)? as usize;
        (range.start <= low && low <= high && high <= range.end).then_some(low..high)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every bucket's bounds hold for every column of lines dense, sparse and uneven.
    #[test]
    fn narrowed_ranges_bracket_the_column() {
        let mut columns: Vec<u32> = Vec::new();
        let mut line_starts = vec![0u32];
        // Uneven: a run of close columns, a gap, repeated columns.
        let lines: Vec<Vec<u32>> = vec![
            (0..140).collect(),
            (0..300).map(|i| i * i).collect(),
            (0..129).map(|i| 1000 + i / 3).collect(),
            (0..10).collect(),
            (0..500)
                .map(|i| if i < 400 { i } else { 100_000 + i })
                .collect(),
            vec![7; 200],
        ];
        for line in &lines {
            columns.extend(line);
            line_starts.push(columns.len() as u32);
        }
        let index = ColumnIndex::build(&line_starts, &columns);
        let view = index.view();
        for (l, line) in lines.iter().enumerate() {
            let range = line_starts[l] as usize..line_starts[l + 1] as usize;
            let narrowed = |column| view.narrow(l as u32, &range, column);
            if line.len() <= INDEXED_LINE_MIN {
                assert_eq!(narrowed(0), None);
                continue;
            }
            let last = *line.last().unwrap();
            for column in (0..=last + 2).chain([u32::MAX]) {
                let found = narrowed(column).expect("a long line has a table");
                assert!(range.start <= found.start && found.end <= range.end);
                assert!(columns[range.start..found.start]
                    .iter()
                    .all(|&c| c <= column));
                assert!(columns[found.end..range.end].iter().all(|&c| c > column));
            }
        }
        assert_eq!(view.narrow(99, &(0..0), 5), None);
    }

    #[test]
    fn maps_without_long_lines_have_no_tables() {
        let index = ColumnIndex::build(&[0, 10, 20], &(0..20).collect::<Vec<_>>());
        assert_eq!(index.heap_size(), 0);
    }
}
