//! Decoding the scopes proposal's fields into [`ScopeInfo`]: the combined `"scopes"`
//! string of the `proposal-scopes` branch, or the per-source `"scopes"` list and the
//! `"ranges"` string of ecma426 #266.
//!
//! Each string is a comma-separated list of items, an item a tag then VLQs. The trees
//! are read with explicit stacks (never recursion) and at most [`MAX_SCOPE_DEPTH`]
//! deep. The spec's rules, as both drafts give them:
//! - a grammar error (an item out of place, a wrong count of VLQs, a tree left open, a
//!   character outside Base64) drops what that string decodes to (the whole field for
//!   the combined format; one source's scopes, or the ranges, for #266): an optional
//!   error;
//! - a VLQ of 2^32 or more is fatal, as in `mappings`;
//! - a relative index that goes below 0 (it is set to 0), a name index past `names`, a
//!   definition naming no scope, a call site in no source and a sub-range binding of a
//!   variable the range has no binding for are optional errors; lenient decoding keeps
//!   the rest;
//! - vendor items (`/` then VLQs) and items of unknown tags are read and skipped.

use crate::error::{excerpt, Error, ErrorCode, Result};
use crate::position::{Position, SourcePosition};
use crate::vlq::{self, VlqError};

use super::types::{
    Binding, GeneratedRange, OriginalScope, PreOrder, ScopeInfo, ScopeRef, ScopesFormat,
    StackFrameType,
};

/// The deepest a scope or range tree may nest. Deeper trees are an optional error (the
/// string is dropped): each level costs two levels of JSON when the scopes are printed,
/// and consumers' JSON readers stop at about a thousand.
pub const MAX_SCOPE_DEPTH: usize = 256;

/// Optional errors reported one by one before the rest are only counted (a hostile
/// field could otherwise name millions of bad indices, a diagnostic each).
const REPORTED_PROBLEMS: usize = 16;

/// Where the decoded scopes go in the map (an index-map section has its own sources,
/// names and place in the generated code).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScopesTarget {
    /// The map's first source in the whole map.
    pub(crate) source_base: u32,
    /// How many sources the map has.
    pub(crate) source_count: u32,
    /// The map's first name in the whole map.
    pub(crate) name_base: u32,
    /// How many names the map has.
    pub(crate) name_count: u32,
    /// Where the map starts in the generated code (a section's offset).
    pub(crate) line_offset: u32,
    pub(crate) column_offset: u32,
    /// Byte offset of the field in the input, for error messages.
    pub(crate) field_offset: usize,
}

/// Optional errors found while decoding, reported when the string turned out to be
/// grammatical (a grammar error drops the string and is then the only one reported).
pub(crate) struct Problems {
    target: ScopesTarget,
    reported: Vec<Error>,
    counted: usize,
}

impl Problems {
    pub(crate) fn new(target: ScopesTarget) -> Problems {
        Problems {
            target,
            reported: Vec::new(),
            counted: 0,
        }
    }

    fn add(&mut self, what: String) {
        self.counted += 1;
        if self.reported.len() < REPORTED_PROBLEMS {
            self.reported.push(self.error(what));
        }
    }

    fn error(&self, what: String) -> Error {
        Error::at(ErrorCode::InvalidScopes, self.target.field_offset, what)
    }

    /// The optional errors to report, the ones past the first 16 as one summary.
    pub(crate) fn into_errors(self) -> Vec<Error> {
        let mut errors = self.reported;
        if self.counted > errors.len() {
            let rest = self.counted - errors.len();
            let what = format!("scopes: {rest} more problems of the same kinds");
            errors.push(Error::at(
                ErrorCode::InvalidScopes,
                self.target.field_offset,
                what,
            ));
        }
        errors
    }
}

/// Why a string could not be decoded at all.
#[derive(Debug)]
pub(crate) enum Failure {
    /// It breaks the grammar: an optional error, the string is dropped.
    Grammar(Error),
    /// A fatal error (a VLQ of 2^32 or more).
    Fatal(Error),
}

type Decoded<T> = std::result::Result<T, Failure>;

/// The combined format: one string of original scope trees then generated ranges.
pub(crate) fn decode_combined(
    text: &[u8],
    target: ScopesTarget,
    problems: &mut Problems,
) -> Decoded<ScopeInfo> {
    let mut items = Items::new(text, target);
    let mut names = NameReader::new(target);
    let mut scope_sizes = Capacities::scan(text, SCOPE_START, SCOPE_END);
    let mut range_sizes = Capacities::scan(text, RANGE_START, RANGE_END);
    let mut sources: Vec<Option<Vec<OriginalScope>>> = Vec::with_capacity(scope_sizes.top);
    // Each tree item and the first flat (all-sources pre-order) index of its scopes.
    let mut first_flat: Vec<u64> = Vec::new();
    let mut tree_sizes: Vec<u64> = Vec::new();
    let mut flat_count: u64 = 0;
    let mut ranges = Vec::with_capacity(range_sizes.top);
    let mut range_state = RangeState::new(ScopesFormat::Combined);
    let mut in_ranges = false;
    while let Some(tag) = items.next_item()? {
        if !in_ranges {
            match tag {
                Tag::Code(EMPTY) if items.values.is_empty() => {
                    sources.push(None);
                    first_flat.push(flat_count);
                    tree_sizes.push(0);
                    continue;
                }
                Tag::Code(SCOPE_START) => {
                    // Each top-level tree counts its positions from 0:0.
                    names.position = Position::default();
                    let tree = read_scope_tree(
                        &mut items,
                        &mut names,
                        problems,
                        Format::Combined,
                        &mut scope_sizes,
                    )?;
                    let size = PreOrder::new(std::slice::from_ref(&tree)).count() as u64;
                    first_flat.push(flat_count);
                    tree_sizes.push(size);
                    flat_count += size;
                    sources.push(Some(vec![tree]));
                    continue;
                }
                _ => in_ranges = true,
            }
        }
        let resolve = |flat: u64| -> Option<ScopeRef> {
            let tree = first_flat
                .partition_point(|&first| first <= flat)
                .checked_sub(1)?;
            let index = flat - first_flat[tree];
            (index < tree_sizes[tree]).then(|| ScopeRef {
                source: target.source_base + tree as u32,
                index: index as u32,
            })
        };
        match tag {
            Tag::Code(RANGE_START) => {
                let range = read_range_tree(
                    &mut items,
                    &mut range_state,
                    &names,
                    problems,
                    &Definitions::Flat(&resolve),
                    &mut range_sizes,
                )?;
                ranges.push(range);
            }
            Tag::Vendor => {}
            Tag::Code(code) if code > CALL_SITE => {}
            Tag::Code(_) => return Err(items.grammar("is out of place among the generated ranges")),
        }
    }
    Ok(ScopeInfo {
        format: ScopesFormat::Combined,
        sources,
        ranges,
    })
}

/// One source's string of the per-source format: its root scopes.
pub(crate) fn decode_source_scopes(
    text: &[u8],
    target: ScopesTarget,
    problems: &mut Problems,
) -> Decoded<Vec<OriginalScope>> {
    let mut items = Items::new(text, target);
    let mut names = NameReader::new(target);
    let mut sizes = Capacities::scan(text, SCOPE_START, SCOPE_END);
    let mut roots = Vec::with_capacity(sizes.top);
    while let Some(tag) = items.next_item()? {
        match tag {
            Tag::Code(SCOPE_START) => roots.push(read_scope_tree(
                &mut items,
                &mut names,
                problems,
                Format::PerSource,
                &mut sizes,
            )?),
            _ => return Err(items.grammar("is not the start of a scope")),
        }
    }
    Ok(roots)
}

/// The `"ranges"` string of the per-source format. `scope_counts[s]` is how many
/// scopes source `s` of the map has (all depths).
pub(crate) fn decode_ranges(
    text: &[u8],
    target: ScopesTarget,
    scope_counts: &[usize],
    problems: &mut Problems,
) -> Decoded<Vec<GeneratedRange>> {
    let mut items = Items::new(text, target);
    let names = NameReader::new(target);
    let mut state = RangeState::new(ScopesFormat::PerSource);
    let mut sizes = Capacities::scan(text, RANGE_START, RANGE_END);
    let mut ranges = Vec::with_capacity(sizes.top);
    while let Some(tag) = items.next_item()? {
        match tag {
            Tag::Code(RANGE_START) => ranges.push(read_range_tree(
                &mut items,
                &mut state,
                &names,
                problems,
                &Definitions::PerSource(scope_counts),
                &mut sizes,
            )?),
            Tag::Vendor => {}
            Tag::Code(code) if !(RANGE_END..=CALL_SITE).contains(&code) => {}
            Tag::Code(_) => return Err(items.grammar("is out of place among the generated ranges")),
        }
    }
    Ok(ranges)
}

/// How many children each tree node has, in the pre-order of the start items, counted
/// by a pass over the tags alone, so that the decoder allocates every list at its final
/// size: a list grown by doubling may hold twice its length, and a hostile map of
/// millions of items would take twice the memory. Only a hint: a string that breaks the
/// grammar fails in the decoder whatever the counts say.
struct Capacities {
    top: usize,
    counts: Vec<u32>,
    next: usize,
}

impl Capacities {
    fn scan(text: &[u8], start: u32, end: u32) -> Capacities {
        let tags = || {
            text.split(|&b| b == b',').map(|item| {
                let mut at = 0;
                vlq::decode_unsigned(item, &mut at).ok()
            })
        };
        // Counted first, so the counts are allocated once, at their size.
        let starts = tags().filter(|&tag| tag == Some(start)).count();
        let mut counts = Vec::with_capacity(starts);
        let mut open: Vec<usize> = Vec::new();
        let mut top = 0;
        for tag in tags() {
            if tag == Some(start) {
                match open.last() {
                    Some(&parent) => counts[parent] += 1,
                    None => top += 1,
                }
                if open.len() > MAX_SCOPE_DEPTH {
                    break;
                }
                open.push(counts.len());
                counts.push(0u32);
            } else if tag == Some(end) {
                open.pop();
            }
        }
        Capacities {
            top,
            counts,
            next: 0,
        }
    }

    /// The child count of the next node to start.
    fn take(&mut self) -> usize {
        let count = self.counts.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        count as usize
    }
}

// The item tags (the first VLQ of an item, unsigned; `/` is the vendor tag).
const EMPTY: u32 = 0; // A
const SCOPE_START: u32 = 1; // B
const SCOPE_END: u32 = 2; // C
const SCOPE_VARIABLES: u32 = 3; // D
const RANGE_START: u32 = 4; // E
const RANGE_END: u32 = 5; // F
const RANGE_BINDINGS: u32 = 6; // G
const SUB_RANGE_BINDING: u32 = 7; // H
const CALL_SITE: u32 = 8; // I

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tag {
    Code(u32),
    Vendor,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Combined,
    PerSource,
}

/// The items of one string, read one at a time; `values` holds the current item's
/// VLQs after its tag, unsigned.
struct Items<'t> {
    text: &'t [u8],
    pos: usize,
    /// Where the current item starts.
    item_start: usize,
    values: Vec<u32>,
    target: ScopesTarget,
    done: bool,
}

impl<'t> Items<'t> {
    fn new(text: &'t [u8], target: ScopesTarget) -> Items<'t> {
        Items {
            text,
            pos: 0,
            item_start: 0,
            values: Vec::new(),
            target,
            // An empty string has no items (not one empty item).
            done: text.is_empty(),
        }
    }

    fn next_item(&mut self) -> Decoded<Option<Tag>> {
        if self.done {
            return Ok(None);
        }
        self.item_start = self.pos;
        self.values.clear();
        let end =
            memchr::memchr(b',', &self.text[self.pos..]).map_or(self.text.len(), |i| self.pos + i);
        if end == self.pos {
            return Err(self.grammar("is empty"));
        }
        let tag = if self.text[self.pos] == b'/' {
            self.pos += 1;
            Tag::Vendor
        } else {
            Tag::Code(self.vlq(end)?)
        };
        while self.pos < end {
            let value = self.vlq(end)?;
            self.values.push(value);
        }
        if tag == Tag::Vendor && self.values.is_empty() {
            return Err(self.grammar("(a vendor item) has no name"));
        }
        if end == self.text.len() {
            self.done = true;
        } else {
            self.pos = end + 1;
        }
        Ok(Some(tag))
    }

    fn vlq(&mut self, end: usize) -> Decoded<u32> {
        let item = &self.text[..end];
        vlq::decode_unsigned(item, &mut self.pos).map_err(|problem| match problem {
            VlqError::Overflow(at) => Failure::Fatal(Error::at(
                ErrorCode::VlqOverflow,
                self.target.field_offset,
                format!("scopes: the VLQ at character {at} is 2^32 or more"),
            )),
            VlqError::Truncated(at) => Failure::Grammar(self.error(format!(
                "the VLQ at character {at} ends with its continuation bit set"
            ))),
            VlqError::InvalidDigit(at) => {
                let found = String::from_utf8_lossy(&self.text[at..(at + 1).min(self.text.len())])
                    .into_owned();
                Failure::Grammar(self.error(format!(
                    "character {at} ({:?}) is neither Base64 nor ','",
                    excerpt(&found)
                )))
            }
        })
    }

    /// A grammar error about the current item.
    fn grammar(&self, what: &str) -> Failure {
        let end = self.text[self.item_start..]
            .iter()
            .position(|&b| b == b',')
            .map_or(self.text.len(), |i| self.item_start + i);
        let item = String::from_utf8_lossy(&self.text[self.item_start..end]).into_owned();
        Failure::Grammar(self.error(format!(
            "the item {:?} at character {} {what}",
            excerpt(&item),
            self.item_start
        )))
    }

    fn error(&self, what: String) -> Error {
        Error::at(
            ErrorCode::InvalidScopes,
            self.target.field_offset,
            format!("scopes: {what}; the field was ignored"),
        )
    }
}

/// The relative indices and position an original scope string accumulates.
struct NameReader {
    target: ScopesTarget,
    position: Position,
    name: u32,
    kind: u32,
    variable: u32,
}

impl NameReader {
    fn new(target: ScopesTarget) -> NameReader {
        NameReader {
            target,
            position: Position::default(),
            name: 0,
            kind: 0,
            variable: 0,
        }
    }

    /// The spec's RelativeName: the accumulator moved by a signed VLQ, then the name
    /// there (`None` past `names`).
    fn relative(
        accumulator: &mut u32,
        raw: u32,
        target: ScopesTarget,
        problems: &mut Problems,
    ) -> Option<u32> {
        let index = accumulate(accumulator, signed(raw), problems, "a name index");
        absolute_name(index, target, problems)
    }

    /// A binding expression: 0 for none, else the name at value − 1.
    fn expression(&self, raw: u32, problems: &mut Problems) -> Option<u32> {
        let index = raw.checked_sub(1)?;
        absolute_name(index, self.target, problems)
    }
}

fn absolute_name(index: u32, target: ScopesTarget, problems: &mut Problems) -> Option<u32> {
    if index >= target.name_count {
        problems.add(format!(
            "scopes: name index {index} is past names ({} names)",
            target.name_count
        ));
        return None;
    }
    Some(target.name_base + index)
}

/// The spec's AccumulateIndex: below 0 is an optional error and becomes 0.
fn accumulate(accumulator: &mut u32, increment: i64, problems: &mut Problems, what: &str) -> u32 {
    let value = i64::from(*accumulator) + increment;
    *accumulator = if value < 0 {
        problems.add(format!("scopes: {what} went below 0 (set to 0)"));
        0
    } else {
        u32::try_from(value).unwrap_or(u32::MAX)
    };
    *accumulator
}

/// The spec's AccumulatePosition: a line step of 0 moves the column, any other sets it.
fn accumulate_position(position: &mut Position, line: u32, column: u32) -> Position {
    if line == 0 {
        position.column = position.column.saturating_add(column);
    } else {
        position.line = position.line.saturating_add(line);
        position.column = column;
    }
    *position
}

/// A signed VLQ's value from its unsigned bits (the lowest bit is the sign; "-0" is
/// -2^31, as in `mappings`).
fn signed(raw: u32) -> i64 {
    let magnitude = i64::from(raw >> 1);
    match (raw & 1 == 1, magnitude) {
        (true, 0) => -(1i64 << 31),
        (true, m) => -m,
        (false, m) => m,
    }
}

/// One original scope tree; the items iterator is at its start item.
fn read_scope_tree(
    items: &mut Items<'_>,
    names: &mut NameReader,
    problems: &mut Problems,
    format: Format,
    sizes: &mut Capacities,
) -> Decoded<OriginalScope> {
    // Open scopes, innermost last, and whether each may still take its variables.
    let mut open: Vec<(OriginalScope, bool)> =
        vec![(start_scope(items, names, problems, sizes)?, true)];
    loop {
        let Some(tag) = items.next_item()? else {
            return Err(items.grammar("ends the string with a scope left open"));
        };
        let may_take_variables = std::mem::replace(&mut open.last_mut().expect("open").1, false);
        match tag {
            Tag::Code(SCOPE_START) => {
                if open.len() >= MAX_SCOPE_DEPTH {
                    return Err(
                        items.grammar(&format!("nests scopes deeper than {MAX_SCOPE_DEPTH}"))
                    );
                }
                let scope = start_scope(items, names, problems, sizes)?;
                open.push((scope, true));
            }
            Tag::Code(SCOPE_END) => {
                let [line, column] = items.values[..] else {
                    return Err(items.grammar("(a scope end) needs 2 values"));
                };
                let (mut scope, _) = open.pop().expect("open");
                scope.end = accumulate_position(&mut names.position, line, column);
                scope.children.shrink_to_fit();
                match open.last_mut() {
                    Some((parent, _)) => parent.children.push(scope),
                    None => return Ok(scope),
                }
            }
            Tag::Code(SCOPE_VARIABLES) => {
                if !may_take_variables || items.values.is_empty() {
                    return Err(
                        items.grammar("(variables) must follow a scope start and name one or more")
                    );
                }
                let target = names.target;
                let variables = items
                    .values
                    .iter()
                    .map(|&raw| NameReader::relative(&mut names.variable, raw, target, problems))
                    .collect();
                open.last_mut().expect("open").0.variables = variables;
            }
            Tag::Vendor => {}
            Tag::Code(code) => {
                let unknown = match format {
                    Format::Combined => code > CALL_SITE,
                    Format::PerSource => true,
                };
                if !unknown {
                    return Err(items.grammar("is out of place inside an original scope"));
                }
            }
        }
    }
}

/// The scope an `OriginalScopeStart` item describes (its end is set when it closes).
fn start_scope(
    items: &Items<'_>,
    names: &mut NameReader,
    problems: &mut Problems,
    sizes: &mut Capacities,
) -> Decoded<OriginalScope> {
    let values = &items.values;
    let Some(&flags) = values.first() else {
        return Err(items.grammar("(a scope start) has no flags"));
    };
    let has_name = flags & 0x1 != 0;
    let has_kind = flags & 0x2 != 0;
    let expected = 3 + usize::from(has_name) + usize::from(has_kind);
    if values.len() != expected {
        return Err(items.grammar(&format!("(a scope start) needs {expected} values")));
    }
    let start = accumulate_position(&mut names.position, values[1], values[2]);
    let mut scope = OriginalScope::new(start, start);
    scope.children = Vec::with_capacity(sizes.take());
    let target = names.target;
    if has_name {
        scope.name = NameReader::relative(&mut names.name, values[3], target, problems);
    }
    if has_kind {
        scope.kind = NameReader::relative(&mut names.kind, values[expected - 1], target, problems);
    }
    scope.is_stack_frame = flags & 0x4 != 0;
    Ok(scope)
}

/// How a range names its definition.
enum Definitions<'d> {
    /// One signed VLQ, relative, into the pre-order of every source's scopes.
    Flat(&'d dyn Fn(u64) -> Option<ScopeRef>),
    /// Two VLQs, source then scope (#266); `[s]` is how many scopes source `s` has.
    PerSource(&'d [usize]),
}

/// The accumulators of a ranges string.
struct RangeState {
    format: ScopesFormat,
    position: Position,
    definition: u32,
    definition_source: u32,
}

impl RangeState {
    fn new(format: ScopesFormat) -> RangeState {
        RangeState {
            format,
            position: Position::default(),
            definition: 0,
            definition_source: 0,
        }
    }
}

/// A range being read: the part it is at decides what may come next (bindings, then
/// a call site, then sub-range bindings and children), and its sub-range bindings
/// wait for its end.
struct OpenRange {
    range: GeneratedRange,
    /// 0: just started; 1: after its bindings; 2: after a call site or any later item.
    part: u8,
    sub_ranges: Vec<(u32, Vec<Binding>)>,
}

fn read_range_tree(
    items: &mut Items<'_>,
    state: &mut RangeState,
    names: &NameReader,
    problems: &mut Problems,
    definitions: &Definitions<'_>,
    sizes: &mut Capacities,
) -> Decoded<GeneratedRange> {
    let first = start_range(items, state, problems, definitions, sizes)?;
    let mut open = vec![OpenRange {
        range: first,
        part: 0,
        sub_ranges: Vec::new(),
    }];
    loop {
        let Some(tag) = items.next_item()? else {
            return Err(items.grammar("ends the string with a range left open"));
        };
        let current = open.last_mut().expect("open");
        match tag {
            Tag::Code(RANGE_START) => {
                current.part = 2;
                if open.len() >= MAX_SCOPE_DEPTH {
                    return Err(
                        items.grammar(&format!("nests ranges deeper than {MAX_SCOPE_DEPTH}"))
                    );
                }
                let range = start_range(items, state, problems, definitions, sizes)?;
                open.push(OpenRange {
                    range,
                    part: 0,
                    sub_ranges: Vec::new(),
                });
            }
            Tag::Code(RANGE_END) => {
                let (line, column) = match items.values[..] {
                    [column] => (0, column),
                    [line, column] => (line, column),
                    _ => return Err(items.grammar("(a range end) needs 1 or 2 values")),
                };
                let OpenRange {
                    mut range,
                    sub_ranges,
                    ..
                } = open.pop().expect("open");
                let relative = accumulate_position(&mut state.position, line, column);
                range.end = generated(relative, names.target);
                for (variable, bindings) in sub_ranges {
                    match range.bindings.get_mut(variable as usize) {
                        Some(list) => list.extend(bindings),
                        None => problems.add(format!(
                            "scopes: a sub-range binding names variable {variable}, but the range binds {}",
                            range.bindings.len()
                        )),
                    }
                }
                range.children.shrink_to_fit();
                match open.last_mut() {
                    Some(parent) => parent.range.children.push(range),
                    None => return Ok(range),
                }
            }
            Tag::Code(RANGE_BINDINGS) => {
                if current.part != 0 || items.values.is_empty() {
                    return Err(
                        items.grammar("(bindings) must follow a range start and bind one or more")
                    );
                }
                current.part = 1;
                let start = current.range.start;
                current.range.bindings = items
                    .values
                    .iter()
                    .map(|&raw| {
                        vec![Binding {
                            from: start,
                            expression: names.expression(raw, problems),
                        }]
                    })
                    .collect();
            }
            Tag::Code(CALL_SITE) => {
                if current.part > 1 {
                    return Err(
                        items.grammar("(a call site) must follow a range start or its bindings")
                    );
                }
                current.part = 2;
                let [source, line, column] = items.values[..] else {
                    return Err(items.grammar("(a call site) needs 3 values"));
                };
                let target = names.target;
                current.range.call_site = if source < target.source_count {
                    Some(SourcePosition::new(
                        target.source_base + source,
                        Position::new(line, column),
                    ))
                } else {
                    problems.add(format!(
                        "scopes: a call site names source {source} ({} sources); it was dropped",
                        target.source_count
                    ));
                    None
                };
            }
            Tag::Code(SUB_RANGE_BINDING) => {
                current.part = 2;
                let values = &items.values;
                if values.len() < 4 || !(values.len() - 1).is_multiple_of(3) {
                    return Err(items.grammar("(a sub-range binding) needs a variable and triples of line, column, expression"));
                }
                // The spec's relative positions count from the range's start, afresh
                // for each item, in the map's own coordinates.
                let mut from = relative_of(current.range.start, names.target);
                let bindings = values[1..]
                    .chunks_exact(3)
                    .map(|triple| {
                        let at = accumulate_position(&mut from, triple[0], triple[1]);
                        Binding {
                            from: generated(at, names.target),
                            expression: names.expression(triple[2], problems),
                        }
                    })
                    .collect();
                current.sub_ranges.push((values[0], bindings));
            }
            Tag::Vendor => current.part = 2,
            Tag::Code(code) => {
                let unknown = match state.format {
                    ScopesFormat::Combined => code > CALL_SITE,
                    ScopesFormat::PerSource => !(RANGE_START..=CALL_SITE).contains(&code),
                };
                if !unknown {
                    return Err(items.grammar("is out of place inside a generated range"));
                }
                current.part = 2;
            }
        }
    }
}

/// The range a `GeneratedRangeStart` item describes (its end is set when it closes).
fn start_range(
    items: &Items<'_>,
    state: &mut RangeState,
    problems: &mut Problems,
    definitions: &Definitions<'_>,
    sizes: &mut Capacities,
) -> Decoded<GeneratedRange> {
    let values = &items.values;
    let Some(&flags) = values.first() else {
        return Err(items.grammar("(a range start) has no flags"));
    };
    let has_line = flags & 0x1 != 0;
    let has_definition = flags & 0x2 != 0;
    let definition_values = match definitions {
        Definitions::Flat(_) => 1,
        Definitions::PerSource(_) => 2,
    };
    let expected = 2 + usize::from(has_line) + if has_definition { definition_values } else { 0 };
    if values.len() != expected {
        return Err(items.grammar(&format!("(a range start) needs {expected} values")));
    }
    let (line, column) = if has_line {
        (values[1], values[2])
    } else {
        (0, values[1])
    };
    let target = items.target;
    let relative = accumulate_position(&mut state.position, line, column);
    let start = generated(relative, target);
    let mut range = GeneratedRange::new(start, start);
    range.children = Vec::with_capacity(sizes.take());
    if has_definition {
        let at = 2 + usize::from(has_line);
        range.definition = match definitions {
            Definitions::Flat(resolve) => {
                let flat = accumulate(
                    &mut state.definition,
                    signed(values[at]),
                    problems,
                    "a definition index",
                );
                let found = resolve(u64::from(flat));
                if found.is_none() {
                    problems.add(format!(
                        "scopes: a range's definition {flat} names no original scope"
                    ));
                }
                found
            }
            Definitions::PerSource(counts) => {
                let source_offset = signed(values[at]);
                let source = accumulate(
                    &mut state.definition_source,
                    source_offset,
                    problems,
                    "a definition source",
                );
                let scope_offset = if source_offset == 0 {
                    signed(values[at + 1])
                } else {
                    // Changing source restarts the scope index, absolutely.
                    state.definition = 0;
                    i64::from(values[at + 1])
                };
                let index = accumulate(
                    &mut state.definition,
                    scope_offset,
                    problems,
                    "a definition index",
                );
                let exists = counts
                    .get(source as usize)
                    .is_some_and(|&count| (index as usize) < count);
                if exists {
                    Some(ScopeRef {
                        source: target.source_base + source,
                        index,
                    })
                } else {
                    problems.add(format!(
                        "scopes: a range's definition (source {source}, scope {index}) names no original scope"
                    ));
                    None
                }
            }
        };
    }
    range.stack_frame_type = match (flags & 0x4 != 0, flags & 0x8 != 0) {
        (true, true) => StackFrameType::Hidden,
        (true, false) => StackFrameType::Original,
        (false, hidden) => {
            if hidden {
                problems.add("scopes: a range is marked hidden but not a function".to_owned());
            }
            StackFrameType::None
        }
    };
    Ok(range)
}

/// A position of the map's generated code placed in the whole map (a section starts
/// at its offset; its first line's columns move by the offset's column).
fn generated(relative: Position, target: ScopesTarget) -> Position {
    if relative.line == 0 {
        Position::new(
            target.line_offset,
            relative.column.saturating_add(target.column_offset),
        )
    } else {
        Position::new(
            relative.line.saturating_add(target.line_offset),
            relative.column,
        )
    }
}

/// The inverse of [`generated`], for positions it made.
fn relative_of(placed: Position, target: ScopesTarget) -> Position {
    if placed.line == target.line_offset {
        Position::new(0, placed.column.saturating_sub(target.column_offset))
    } else {
        Position::new(placed.line - target.line_offset, placed.column)
    }
}

/// Reports `problems` (the ones of a string that decoded) through `report`.
pub(crate) fn report_all(
    problems: Problems,
    report: &mut dyn FnMut(Error) -> Result<()>,
) -> Result<()> {
    for error in problems.into_errors() {
        report(error)?;
    }
    Ok(())
}
