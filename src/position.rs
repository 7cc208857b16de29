//! Positions: the units every module speaks.
//!
//! Inside mapback a line and a column are always 0-based, and a column counts UTF-16
//! code units, as ECMA-426 counts them. People and error trackers count from 1 (trace
//! text, Sentry's `lineno`/`colno`); those values exist only at the edges, and cross
//! into and out of these types through [`Position::from_one_based`] and
//! [`Position::to_one_based`], nowhere else.

/// A place in generated or original code: a 0-based line and a 0-based column in UTF-16
/// code units. Positions order by line, then column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based column, in UTF-16 code units.
    pub column: u32,
}

impl Position {
    /// The position at 0-based `line` and `column`.
    pub const fn new(line: u32, column: u32) -> Position {
        Position { line, column }
    }

    /// The position of a 1-based line and column as engines print them; `None` when
    /// either is 0, which no engine prints.
    pub fn from_one_based(line: u32, column: u32) -> Option<Position> {
        Some(Position::new(line.checked_sub(1)?, column.checked_sub(1)?))
    }

    /// (line, column), both 1-based, as people and error trackers count them.
    pub fn to_one_based(self) -> (u64, u64) {
        (u64::from(self.line) + 1, u64::from(self.column) + 1)
    }
}

/// A half-open stretch of code: from `start` up to, not including, `end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The first position inside.
    pub start: Position,
    /// The first position after.
    pub end: Position,
}

impl Span {
    /// The span from `start` to `end` (exclusive).
    pub const fn new(start: Position, end: Position) -> Span {
        Span { start, end }
    }

    /// Whether `position` lies inside.
    pub fn contains(&self, position: Position) -> bool {
        self.start <= position && position < self.end
    }

    /// Whether `other` lies wholly inside (a span contains itself).
    pub fn encloses(&self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

/// A position in one original source: the index into the map's `sources` and the
/// place in that source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourcePosition {
    /// Index into the map's `sources`.
    pub source: u32,
    /// The place in that source.
    pub position: Position,
}

impl SourcePosition {
    /// `position` in source `source`.
    pub const fn new(source: u32, position: Position) -> SourcePosition {
        SourcePosition { source, position }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_line_then_column() {
        assert!(Position::new(0, 9) < Position::new(1, 0));
        assert!(Position::new(2, 3) < Position::new(2, 4));
    }

    #[test]
    fn one_based_values_convert_at_the_edge_only() {
        assert_eq!(Position::from_one_based(1, 1), Some(Position::new(0, 0)));
        assert_eq!(Position::from_one_based(0, 5), None);
        assert_eq!(Position::from_one_based(5, 0), None);
        assert_eq!(Position::new(u32::MAX, 0).to_one_based(), (1 << 32, 1));
    }

    #[test]
    fn spans_are_half_open() {
        let span = Span::new(Position::new(1, 2), Position::new(3, 0));
        assert!(span.contains(Position::new(1, 2)));
        assert!(span.contains(Position::new(2, 900)));
        assert!(!span.contains(Position::new(3, 0)));
        assert!(span.encloses(span));
        assert!(!span.encloses(Span::new(Position::new(1, 1), Position::new(2, 0))));
    }
}
