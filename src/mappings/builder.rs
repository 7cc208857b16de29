//! [`MappingsBuilder`]: appends tokens in generated order, packing every 32 into a
//! block as it goes, and can roll back to a mark (lenient decoding drops a map's
//! mappings after a grammar error; index maps drop a bad section).

use super::block::{self, Block, BLOCK};
use super::column_index::ColumnIndex;
use super::Mappings;
#[cfg(test)]
use super::NONE;

/// Accumulates tokens in generated order while decoding.
#[derive(Debug)]
pub(crate) struct MappingsBuilder {
    line_starts: Vec<u32>,
    generated_columns: Vec<u32>,
    blocks: Vec<Block>,
    records: Vec<u8>,
    /// Originals of the tokens after the last full block: `pending[field][slot]`.
    pending: [[u32; BLOCK]; 4],
    /// Lines whose columns went backwards and need sorting at the end.
    unsorted_lines: Vec<u32>,
    last_column: u32,
    /// More tokens than this are refused (`DecodeLimits::max_mappings`).
    token_limit: usize,
    /// Indices (in push order) of the tokens marked as range mappings, ascending.
    range_tokens: Vec<u32>,
}

/// A point the builder can be rolled back to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BuilderMark {
    tokens: usize,
    lines: usize,
    unsorted: usize,
    ranges: usize,
    last_column: u32,
}

impl MappingsBuilder {
    /// A builder without a token limit.
    pub(crate) fn new() -> MappingsBuilder {
        MappingsBuilder::with_token_limit(usize::MAX)
    }

    /// A builder that refuses to grow past `token_limit` tokens (see [`Self::make_room`]).
    pub(crate) fn with_token_limit(token_limit: usize) -> MappingsBuilder {
        MappingsBuilder {
            line_starts: vec![0],
            generated_columns: Vec::new(),
            blocks: Vec::new(),
            records: vec![0; block::PADDING],
            pending: [[0; BLOCK]; 4],
            unsorted_lines: Vec::new(),
            last_column: 0,
            token_limit,
            range_tokens: Vec::new(),
        }
    }

    /// Makes room for the tokens still to come when the arrays are full, projecting
    /// from the tokens decoded so far and the part of the text (`consumed` of `total`
    /// bytes) they took. A large map then grows its arrays once or twice instead of
    /// copying them at every doubling, and nothing is reserved that the text has not
    /// shown it needs.
    ///
    /// False when one more token would pass the token limit: nothing is reserved then,
    /// and the caller stops decoding.
    #[inline]
    #[must_use]
    pub(crate) fn make_room(&mut self, consumed: usize, total: usize) -> bool {
        if self.generated_columns.len() == self.generated_columns.capacity() {
            return self.grow(consumed, total);
        }
        true
    }

    /// The tokens added so far.
    pub(crate) fn token_count(&self) -> usize {
        self.generated_columns.len()
    }

    /// The most tokens this builder accepts.
    pub(crate) fn token_limit(&self) -> usize {
        self.token_limit
    }

    #[cold]
    fn grow(&mut self, consumed: usize, total: usize) -> bool {
        let done = self.generated_columns.len();
        if done >= self.token_limit {
            return false;
        }
        let remaining = total.saturating_sub(consumed);
        let projected = if done < 1024 || consumed == 0 {
            1024
        } else {
            // A quarter more than the projection (the spare is given back at the end),
            // and at least half again what there is, so growth stays geometric.
            let rest = (done as u128 * remaining as u128 / consumed as u128) as usize;
            (rest + rest / 4).max(done / 2)
        };
        // A segment takes at least two bytes with its separator.
        let tokens = projected
            .min(remaining / 2 + 1)
            .min(self.token_limit - done);
        self.generated_columns.reserve_exact(tokens);
        let blocks = (done + tokens)
            .div_ceil(BLOCK)
            .saturating_sub(self.blocks.len());
        self.blocks.reserve_exact(blocks);
        // Records take about as many bytes per token as so far.
        let per_token = self.records.len().div_ceil(done.max(1)).clamp(4, 16);
        self.records.reserve_exact(tokens * per_token);
        true
    }

    /// The current generated line (0-based).
    pub(crate) fn current_line(&self) -> u32 {
        (self.line_starts.len() - 1) as u32
    }

    /// Starts a new generated line.
    #[inline]
    pub(crate) fn new_line(&mut self) {
        self.line_starts.push(self.generated_columns.len() as u32);
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
            self.note_unsorted();
        }
        self.last_column = column;
        let slot = self.generated_columns.len() % BLOCK;
        self.generated_columns.push(column);
        self.pending[0][slot] = source;
        self.pending[1][slot] = line;
        self.pending[2][slot] = original;
        self.pending[3][slot] = name;
        if slot == BLOCK - 1 {
            let block = block::pack(&self.pending, BLOCK, &mut self.records);
            self.blocks.push(block);
        }
    }

    /// Marks token `index` (already pushed) as a range mapping. Marks must come in
    /// ascending order of index; a repeated or earlier index is ignored.
    pub(crate) fn mark_range(&mut self, index: usize) {
        let Ok(index) = u32::try_from(index) else {
            return;
        };
        if (index as usize) < self.len() && self.range_tokens.last().is_none_or(|&l| l < index) {
            self.range_tokens.push(index);
        }
    }

    /// The source index of token `index` (already pushed), or [`NONE`](super::NONE).
    pub(crate) fn source_of(&self, index: usize) -> u32 {
        if index >= self.len() {
            return super::NONE;
        }
        match self.blocks.get(index / BLOCK) {
            Some(block) => block.read(&self.records, index % BLOCK)[0],
            None => self.pending[0][index % BLOCK],
        }
    }

    /// The start of generated line `line` (a token index), if the line exists.
    pub(crate) fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts.get(line as usize).map(|&s| s as usize)
    }

    #[cold]
    fn note_unsorted(&mut self) {
        let current = self.current_line();
        if self.unsorted_lines.last() != Some(&current) {
            self.unsorted_lines.push(current);
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.generated_columns.len()
    }

    pub(crate) fn mark(&self) -> BuilderMark {
        BuilderMark {
            tokens: self.len(),
            lines: self.line_starts.len(),
            unsorted: self.unsorted_lines.len(),
            ranges: self.range_tokens.len(),
            last_column: self.last_column,
        }
    }

    pub(crate) fn rollback(&mut self, mark: BuilderMark) {
        if mark.tokens < self.blocks.len() * BLOCK {
            // The mark is inside a packed block: unpack it into the pending slots.
            let keep = mark.tokens / BLOCK;
            let block = self.blocks[keep];
            self.pending = block::unpack(&block, &self.records, BLOCK);
            self.blocks.truncate(keep);
            self.records.truncate(block.offset());
            self.records.resize(block.offset() + block::PADDING, 0);
        }
        self.line_starts.truncate(mark.lines);
        self.generated_columns.truncate(mark.tokens);
        self.unsorted_lines.truncate(mark.unsorted);
        self.range_tokens.truncate(mark.ranges);
        let tokens = mark.tokens;
        self.range_tokens.retain(|&index| (index as usize) < tokens);
        self.last_column = mark.last_column;
    }

    /// The greatest generated position among tokens added since `mark`.
    pub(crate) fn last_position_since(&self, mark: BuilderMark) -> Option<(u32, u32)> {
        let last = self
            .len()
            .checked_sub(1)
            .filter(|&last| last >= mark.tokens)?;
        let line = self
            .line_starts
            .partition_point(|&start| start as usize <= last)
            - 1;
        let first = (self.line_starts[line] as usize).max(mark.tokens);
        let column = self.generated_columns[first..].iter().copied().max()?;
        Some((line as u32, column))
    }

    /// Drops trailing lines that hold no token, down to `min_line`, so that the next
    /// index-map section may start on a line the previous one only ended with `;`.
    pub(crate) fn trim_empty_lines(&mut self, min_line: u32) {
        let tokens = self.len() as u32;
        while self.current_line() > min_line && self.line_starts.last() == Some(&tokens) {
            self.line_starts.pop();
        }
        let line_start = *self.line_starts.last().unwrap_or(&0) as usize;
        self.last_column = if self.len() > line_start {
            self.generated_columns[line_start..]
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
        let rest = self.len() % BLOCK;
        if rest > 0 {
            let block = block::pack(&self.pending, rest, &mut self.records);
            self.blocks.push(block);
        }
        self.line_starts.push(self.generated_columns.len() as u32);
        let sorted_lines = self.unsorted_lines.len();
        let mut mappings = Mappings {
            line_starts: self.line_starts,
            generated_columns: self.generated_columns,
            column_index: ColumnIndex::default(),
            blocks: self.blocks,
            records: self.records,
            range_tokens: self.range_tokens,
        };
        if sorted_lines > 0 {
            // Packed again by a second builder, whose `finish` builds the column index.
            mappings = sort_lines(&mappings, &self.unsorted_lines);
        } else {
            mappings.column_index =
                ColumnIndex::build(&mappings.line_starts, &mappings.generated_columns);
        }
        mappings.line_starts.shrink_to_fit();
        mappings.generated_columns.shrink_to_fit();
        mappings.blocks.shrink_to_fit();
        mappings.records.shrink_to_fit();
        mappings.range_tokens.shrink_to_fit();
        (mappings, sorted_lines)
    }
}

/// Rebuilds the mappings with the given lines sorted by generated column. Rare (a
/// producer bug), so it simply unpacks every token and packs them again.
fn sort_lines(mappings: &Mappings, lines: &[u32]) -> Mappings {
    let view = mappings.view();
    let count = view.generated_columns.len();
    let mut order: Vec<usize> = (0..count).collect();
    for &line in lines {
        let range = mappings.line_starts[line as usize] as usize
            ..mappings.line_starts[line as usize + 1] as usize;
        order[range].sort_by_key(|&i| view.generated_columns[i]);
    }
    // A range mapping stays one where its token lands (ECMA-426 marks range mappings
    // before it sorts the mappings).
    let mut range_tokens: Vec<u32> = Vec::new();
    if !mappings.range_tokens.is_empty() {
        range_tokens = order
            .iter()
            .enumerate()
            .filter(|&(_, &old)| view.is_range(old))
            .map(|(new, _)| new as u32)
            .collect();
    }
    let mut builder = MappingsBuilder::new();
    builder.line_starts = mappings.line_starts[..mappings.line_starts.len() - 1].to_vec();
    builder.range_tokens = range_tokens;
    for i in order {
        let [source, line, column, name] = view.originals(i);
        // Push without the unsorted check: the lines are sorted now.
        builder.last_column = 0;
        builder.push(view.generated_columns[i], source, line, column, name);
    }
    let (sorted, _) = builder.finish();
    debug_assert_eq!(sorted.generated_columns.len(), count);
    sorted
}

impl Default for MappingsBuilder {
    fn default() -> MappingsBuilder {
        MappingsBuilder::new()
    }
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
        let v = m.view();
        assert_eq!(m.generated_columns, vec![3, 3, 9]);
        let lines: Vec<u32> = (0..3).map(|i| v.originals(i)[1]).collect();
        assert_eq!(lines, vec![1, 2, 0]);
    }

    /// A long line that arrives unsorted is looked up through a column table once
    /// sorted: the index comes from the builder that packs the sorted tokens.
    #[test]
    fn unsorted_long_line_gets_its_column_table() {
        use crate::lookup::LookupOptions;
        let mut b = MappingsBuilder::new();
        let columns: Vec<u32> = (0..500u32).map(|i| (i * 7919) % 1000).collect();
        for &column in &columns {
            b.push(column, 0, column, 0, NONE);
        }
        let (m, sorted) = b.finish();
        assert_eq!(sorted, 1);
        assert!(m.column_index.heap_size() > 0);
        let v = m.view();
        for column in 0..1001 {
            let wanted = columns.iter().filter(|&&c| c <= column).max().copied();
            let found = v.lookup(0, column, LookupOptions::default());
            assert_eq!(found.map(|t| t.generated_column), wanted, "column {column}");
            assert_eq!(found.map(|t| t.original_line), wanted);
        }
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

    /// Many tokens across blocks, rolled back into the middle of a packed block, then
    /// continued: every token reads back as pushed.
    #[test]
    fn rollback_into_a_packed_block() {
        let token = |i: u32| {
            (
                i * 3,
                i % 7,
                i / 2,
                i * 11 % 97,
                if i.is_multiple_of(4) { NONE } else { i },
            )
        };
        let mut b = MappingsBuilder::new();
        for i in 0..40 {
            let (c, s, l, o, n) = token(i);
            b.push(c, s, l, o, n);
        }
        let mark = b.mark();
        for i in 40..100 {
            b.push(i * 3, 99, 99, 99, 99);
        }
        b.rollback(mark);
        assert_eq!(b.len(), 40);
        b.rollback(BuilderMark { tokens: 20, ..mark });
        for i in 20..75 {
            let (c, s, l, o, n) = token(i);
            b.push(c, s, l, o, n);
        }
        let (m, _) = b.finish();
        let v = m.view();
        assert_eq!(v.len(), 75);
        for i in 0..75u32 {
            let t = v.token(i as usize).unwrap();
            let (c, s, l, o, n) = token(i);
            assert_eq!(
                (
                    t.generated_column,
                    t.source,
                    t.original_line,
                    t.original_column,
                    t.name
                ),
                (c, s, l, o, n),
                "token {i}"
            );
        }
    }
}
