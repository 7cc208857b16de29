//! Position lookups over a [`MappingsView`], in both directions.
//!
//! Generated → original searches one generated line's columns (the per-line index makes
//! this a binary search over a handful of tokens). Original → generated uses a
//! [`ReverseIndex`]: token indices sorted by (source, original line, original column,
//! generated order), built once on first use.
//!
//! ECMA-426 defines no lookup algorithm; these follow what error trackers and debuggers
//! expect, and every choice is an option rather than a hidden rule.

use std::ops::Range;

use crate::mappings::{MappingsView, RawToken, NONE};

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

impl<'a> MappingsView<'a> {
    /// The token covering a generated position, or `None`.
    ///
    /// When several tokens share the found generated position, the first one is
    /// returned; [`MappingsView::tokens_at`] returns all of them.
    pub fn lookup(&self, line: u32, column: u32, options: LookupOptions) -> Option<RawToken> {
        let (index, found_line) = self.find(line, column, options)?;
        Some(self.token_on_line(index, found_line))
    }

    /// All tokens at the generated position that [`MappingsView::lookup`] finds: the
    /// spec allows several segments at one position, each with its own original.
    pub fn tokens_at(&self, line: u32, column: u32, options: LookupOptions) -> Vec<RawToken> {
        let Some((first, found_line)) = self.find(line, column, options) else {
            return Vec::new();
        };
        let end = self.line_range(found_line).end;
        let target = self.generated_columns[first];
        (first..end)
            .take_while(|&i| self.generated_columns[i] == target)
            .map(|i| self.token_on_line(i, found_line))
            .collect()
    }

    /// Index and line of the first token of the group the lookup lands on.
    fn find(&self, line: u32, column: u32, options: LookupOptions) -> Option<(usize, u32)> {
        let range = self.line_range(line);
        let columns = &self.generated_columns[range.clone()];
        match options.bias {
            Bias::GreatestLowerBound => {
                let after = columns.partition_point(|&c| c <= column);
                if after > 0 {
                    let target = columns[after - 1];
                    let first = columns[..after].partition_point(|&c| c < target);
                    return Some((range.start + first, line));
                }
                if options.same_line || range.start == 0 {
                    return None;
                }
                // The token just before this line starts, wherever it is.
                let previous = range.start - 1;
                let previous_line = self.line_of(previous);
                let line_start = self.line_range(previous_line).start;
                let target = self.generated_columns[previous];
                let first = line_start
                    + self.generated_columns[line_start..=previous]
                        .partition_point(|&c| c < target);
                Some((first, previous_line))
            }
            Bias::LeastUpperBound => {
                let at = columns.partition_point(|&c| c < column);
                if at < columns.len() {
                    return Some((range.start + at, line));
                }
                if options.same_line || range.end >= self.len() {
                    return None;
                }
                let next = range.end;
                Some((next, self.line_of(next)))
            }
        }
    }
}

/// Token indices ordered by original position, for original → generated lookups.
#[derive(Clone, Debug, Default)]
pub struct ReverseIndex {
    order: Box<[u32]>,
}

impl ReverseIndex {
    /// Sorts the tokens that have an original position.
    pub fn build(view: &MappingsView<'_>) -> ReverseIndex {
        let mut order: Vec<u32> = (0..view.len() as u32)
            .filter(|&i| view.sources[i as usize] != NONE)
            .collect();
        // Token index last: among equal originals, generated order.
        order.sort_unstable_by_key(|&i| {
            let i = i as usize;
            (
                view.sources[i],
                view.original_lines[i],
                view.original_columns[i],
                i,
            )
        });
        ReverseIndex {
            order: order.into_boxed_slice(),
        }
    }

    /// Bytes of heap memory held.
    pub fn heap_size(&self) -> usize {
        self.order.len() * 4
    }

    fn key(view: &MappingsView<'_>, index: u32) -> (u32, u32, u32) {
        let i = index as usize;
        (
            view.sources[i],
            view.original_lines[i],
            view.original_columns[i],
        )
    }

    /// Positions in `order` of the tokens on (source, line).
    fn line_span(&self, view: &MappingsView<'_>, source: u32, line: u32) -> Range<usize> {
        let start = self
            .order
            .partition_point(|&i| Self::key(view, i) < (source, line, 0));
        let end = start
            + self.order[start..].partition_point(|&i| {
                let (s, l, _) = Self::key(view, i);
                (s, l) <= (source, line)
            });
        start..end
    }

    /// The best generated token for an original position.
    pub fn generated_position(
        &self,
        view: &MappingsView<'_>,
        source: u32,
        line: u32,
        column: u32,
        options: LookupOptions,
    ) -> Option<RawToken> {
        let span = self.line_span(view, source, line);
        let on_line = &self.order[span.clone()];
        let column_of = |i: u32| view.original_columns[i as usize];
        let position = match options.bias {
            Bias::GreatestLowerBound => {
                let after = on_line.partition_point(|&i| column_of(i) <= column);
                if after > 0 {
                    let target = column_of(on_line[after - 1]);
                    Some(span.start + on_line[..after].partition_point(|&i| column_of(i) < target))
                } else if !options.same_line && span.start > 0 {
                    let previous = self.order[span.start - 1];
                    (view.sources[previous as usize] == source).then(|| span.start - 1)
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
                    (view.sources[next as usize] == source).then_some(span.end)
                } else {
                    None
                }
            }
        }?;
        view.token(self.order[position] as usize)
    }

    /// All generated tokens for an original line; with a column, those at that column,
    /// or (when none is there) at the closest column after it on the same line.
    pub fn generated_positions(
        &self,
        view: &MappingsView<'_>,
        source: u32,
        line: u32,
        column: Option<u32>,
    ) -> Vec<RawToken> {
        let span = self.line_span(view, source, line);
        let on_line = &self.order[span];
        let selected = match column {
            None => on_line,
            Some(column) => {
                let column_of = |i: u32| view.original_columns[i as usize];
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
            .filter_map(|&i| view.token(i as usize))
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
        assert_eq!(v.lookup(0, 4, o).unwrap().index, 1);
        assert_eq!(v.lookup(0, 9, o).unwrap().index, 1);
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
