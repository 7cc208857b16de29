//! Storage for decoded mappings: struct-of-arrays plus a per-generated-line index.
//!
//! Each token is five `u32`s in five parallel arrays (generated column, source, original
//! line, original column, name), with no per-token allocation. `line_starts[l]` is the
//! index of the first token on generated line `l`, so a lookup binary-searches one
//! line's columns only. Tokens are kept in generated order.
//!
//! [`MappingsView`] borrows the arrays; lookups are written against it so that any
//! storage that can present these slices (the in-memory map, a mapped cache file) shares
//! one implementation.

/// Marks "no value" in the source and name arrays (and the original position fields of
/// a token with no original position).
pub const NONE: u32 = u32::MAX;

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
}

impl RawToken {
    /// Whether the token maps to an original position.
    pub fn has_original(&self) -> bool {
        self.source != NONE
    }
}

/// Owned mappings in the layout described in the module docs.
#[derive(Clone, Debug, Default)]
pub struct Mappings {
    pub(crate) line_starts: Vec<u32>,
    pub(crate) generated_columns: Vec<u32>,
    pub(crate) sources: Vec<u32>,
    pub(crate) original_lines: Vec<u32>,
    pub(crate) original_columns: Vec<u32>,
    pub(crate) names: Vec<u32>,
}

impl Mappings {
    /// A borrowed view for lookups.
    pub fn view(&self) -> MappingsView<'_> {
        MappingsView {
            line_starts: &self.line_starts,
            generated_columns: &self.generated_columns,
            sources: &self.sources,
            original_lines: &self.original_lines,
            original_columns: &self.original_columns,
            names: &self.names,
        }
    }

    /// Bytes of heap memory held.
    pub fn heap_size(&self) -> usize {
        4 * (self.line_starts.capacity()
            + self.generated_columns.capacity()
            + self.sources.capacity()
            + self.original_lines.capacity()
            + self.original_columns.capacity()
            + self.names.capacity())
    }
}

/// Borrowed mappings: the slices every lookup works on.
#[derive(Clone, Copy, Debug)]
pub struct MappingsView<'a> {
    /// `line_starts[l]..line_starts[l + 1]` are the tokens of generated line `l`; the
    /// slice has one entry more than there are lines.
    pub line_starts: &'a [u32],
    /// Generated column per token.
    pub generated_columns: &'a [u32],
    /// Source index per token, or [`NONE`].
    pub sources: &'a [u32],
    /// Original line per token ([`NONE`] without a source).
    pub original_lines: &'a [u32],
    /// Original column per token ([`NONE`] without a source).
    pub original_columns: &'a [u32],
    /// Name index per token, or [`NONE`].
    pub names: &'a [u32],
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

/// Accumulates tokens in generated order while decoding.
#[derive(Debug, Default)]
pub(crate) struct MappingsBuilder {
    mappings: Mappings,
    /// Lines whose columns went backwards and need sorting at the end.
    unsorted_lines: Vec<u32>,
    last_column: u32,
}

/// A point the builder can be rolled back to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BuilderMark {
    tokens: usize,
    lines: usize,
    unsorted: usize,
    last_column: u32,
}

impl MappingsBuilder {
    pub(crate) fn new() -> MappingsBuilder {
        let mut builder = MappingsBuilder::default();
        builder.mappings.line_starts.push(0);
        builder
    }

    /// The current generated line (0-based).
    pub(crate) fn current_line(&self) -> u32 {
        (self.mappings.line_starts.len() - 1) as u32
    }

    /// Starts a new generated line.
    #[inline]
    pub(crate) fn new_line(&mut self) {
        self.mappings
            .line_starts
            .push(self.mappings.generated_columns.len() as u32);
        self.last_column = 0;
    }

    /// Advances to generated line `line` if the builder is before it.
    pub(crate) fn advance_to_line(&mut self, line: u32) {
        while self.current_line() < line {
            self.new_line();
        }
    }

    /// Appends a token on the current line.
    #[inline]
    pub(crate) fn push(&mut self, column: u32, source: u32, line: u32, original: u32, name: u32) {
        if column < self.last_column {
            let current = self.current_line();
            if self.unsorted_lines.last() != Some(&current) {
                self.unsorted_lines.push(current);
            }
        }
        self.last_column = column;
        let m = &mut self.mappings;
        m.generated_columns.push(column);
        m.sources.push(source);
        m.original_lines.push(line);
        m.original_columns.push(original);
        m.names.push(name);
    }

    pub(crate) fn len(&self) -> usize {
        self.mappings.generated_columns.len()
    }

    pub(crate) fn mark(&self) -> BuilderMark {
        BuilderMark {
            tokens: self.len(),
            lines: self.mappings.line_starts.len(),
            unsorted: self.unsorted_lines.len(),
            last_column: self.last_column,
        }
    }

    pub(crate) fn rollback(&mut self, mark: BuilderMark) {
        let m = &mut self.mappings;
        m.line_starts.truncate(mark.lines);
        m.generated_columns.truncate(mark.tokens);
        m.sources.truncate(mark.tokens);
        m.original_lines.truncate(mark.tokens);
        m.original_columns.truncate(mark.tokens);
        m.names.truncate(mark.tokens);
        self.unsorted_lines.truncate(mark.unsorted);
        self.last_column = mark.last_column;
    }

    /// The greatest generated position among tokens added since `mark`.
    pub(crate) fn last_position_since(&self, mark: BuilderMark) -> Option<(u32, u32)> {
        let m = &self.mappings;
        let last = self
            .len()
            .checked_sub(1)
            .filter(|&last| last >= mark.tokens)?;
        let line = m
            .line_starts
            .partition_point(|&start| start as usize <= last)
            - 1;
        let first = (m.line_starts[line] as usize).max(mark.tokens);
        let column = m.generated_columns[first..].iter().copied().max()?;
        Some((line as u32, column))
    }

    /// Drops trailing lines that hold no token, down to `min_line`, so that the next
    /// index-map section may start on a line the previous one only ended with `;`.
    pub(crate) fn trim_empty_lines(&mut self, min_line: u32) {
        let tokens = self.len() as u32;
        while self.current_line() > min_line && self.mappings.line_starts.last() == Some(&tokens) {
            self.mappings.line_starts.pop();
        }
        let line_start = *self.mappings.line_starts.last().unwrap_or(&0) as usize;
        self.last_column = if self.len() > line_start {
            self.mappings.generated_columns[line_start..]
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
        } else {
            0
        };
    }

    /// Closes the last line, sorts lines whose columns went backwards (stable, so
    /// tokens at one column keep their order) and trims spare capacity.
    ///
    /// Returns the mappings and how many lines had to be sorted.
    pub(crate) fn finish(mut self) -> (Mappings, usize) {
        let m = &mut self.mappings;
        m.line_starts.push(m.generated_columns.len() as u32);
        let sorted_lines = self.unsorted_lines.len();
        for &line in &self.unsorted_lines {
            let range =
                m.line_starts[line as usize] as usize..m.line_starts[line as usize + 1] as usize;
            sort_line(m, range);
        }
        m.line_starts.shrink_to_fit();
        m.generated_columns.shrink_to_fit();
        m.sources.shrink_to_fit();
        m.original_lines.shrink_to_fit();
        m.original_columns.shrink_to_fit();
        m.names.shrink_to_fit();
        (self.mappings, sorted_lines)
    }
}

fn sort_line(m: &mut Mappings, range: std::ops::Range<usize>) {
    let mut order: Vec<usize> = range.clone().collect();
    order.sort_by_key(|&i| m.generated_columns[i]);
    fn permute(values: &mut [u32], range: &std::ops::Range<usize>, order: &[usize]) {
        let sorted: Vec<u32> = order.iter().map(|&i| values[i]).collect();
        values[range.clone()].copy_from_slice(&sorted);
    }
    permute(&mut m.generated_columns, &range, &order);
    permute(&mut m.sources, &range, &order);
    permute(&mut m.original_lines, &range, &order);
    permute(&mut m.original_columns, &range, &order);
    permute(&mut m.names, &range, &order);
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::lookup::MappingStore;

    #[test]
    fn lines_and_tokens() {
        let mut b = MappingsBuilder::new();
        b.push(0, 0, 0, 0, NONE);
        b.push(5, 0, 0, 4, 1);
        b.new_line();
        b.new_line();
        b.push(2, NONE, NONE, NONE, NONE);
        let (m, sorted) = b.finish();
        assert_eq!(sorted, 0);
        let v = m.view();
        assert_eq!(v.line_count(), 3);
        assert_eq!(v.line_range(0), 0..2);
        assert_eq!(v.line_range(1), 2..2);
        assert_eq!(v.line_range(2), 2..3);
        assert_eq!(v.line_range(9), 3..3);
        assert_eq!(v.line_of(2), 2);
        assert_eq!(v.token(1).unwrap().name, 1);
        assert!(!v.token(2).unwrap().has_original());
        assert_eq!(v.token(3), None);
    }

    #[test]
    fn unsorted_line_is_sorted_stably() {
        let mut b = MappingsBuilder::new();
        b.push(9, 0, 0, 0, NONE);
        b.push(3, 0, 1, 0, NONE);
        b.push(3, 0, 2, 0, NONE);
        let (m, sorted) = b.finish();
        assert_eq!(sorted, 1);
        assert_eq!(m.generated_columns, vec![3, 3, 9]);
        assert_eq!(m.original_lines, vec![1, 2, 0]);
    }

    #[test]
    fn rollback_restores_state() {
        let mut b = MappingsBuilder::new();
        b.push(1, 0, 0, 0, NONE);
        let mark = b.mark();
        b.new_line();
        b.push(0, 0, 0, 0, NONE);
        b.rollback(mark);
        let (m, _) = b.finish();
        assert_eq!(m.view().line_count(), 1);
        assert_eq!(m.view().len(), 1);
    }
}
