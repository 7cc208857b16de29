//! Writing [`ScopeInfo`] in either encoding of the scopes proposal: the combined
//! `"scopes"` string (`proposal-scopes` branch) or the per-source `"scopes"` list and
//! `"ranges"` string (ecma426 #266). The inverse of `decode.rs`: every relative value
//! is taken from the same accumulators the decoder keeps.

use crate::error::{Error, ErrorCode, Result};
use crate::position::Position;
use crate::vlq::{encode_signed, encode_unsigned};

use super::decode::MAX_SCOPE_DEPTH;
use super::types::{GeneratedRange, OriginalScope, PreOrder, ScopeInfo, ScopeRef, StackFrameType};

/// The per-source encoding: one string (or `None`) per source, and the ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedPerSource {
    /// The `"scopes"` list: for each of the map's sources, its root scopes, or `None`.
    pub scopes: Vec<Option<String>>,
    /// The `"ranges"` string.
    pub ranges: String,
}

/// The combined `"scopes"` string for a map of `source_count` sources: one tree or `A`
/// per source, then the ranges. Fails (`InvalidArgument`) on what the encoding cannot
/// hold: a source with more than one root scope, positions that go backwards
/// (children must lie in order inside their parent), nesting deeper than
/// [`MAX_SCOPE_DEPTH`], a definition naming no scope.
pub fn encode_combined(info: &ScopeInfo, source_count: usize) -> Result<String> {
    let mut out = Vec::new();
    let mut names = NameWriter::default();
    let count = source_count.max(info.sources.len());
    let mut first_flat = Vec::with_capacity(count);
    let mut flat = 0usize;
    for source in 0..count {
        first_flat.push(flat);
        if source > 0 {
            out.push(b',');
        }
        match info.sources.get(source).and_then(|s| s.as_deref()) {
            None | Some([]) => out.push(b'A'),
            Some([root]) => {
                names.position = Position::default();
                write_scope(root, &mut names, &mut out)?;
                flat += PreOrder::new(std::slice::from_ref(root)).count();
            }
            Some(_) => {
                return Err(invalid(format!(
                    "source {source} has several root scopes, which the combined format cannot hold (use the per-source format)"
                )))
            }
        }
    }
    let mut ranges = RangeWriter::new(Definitions::Flat(&first_flat), info);
    for range in &info.ranges {
        if !out.is_empty() {
            out.push(b',');
        }
        ranges.write(range, &mut out)?;
    }
    Ok(String::from_utf8(out).expect("Base64 and commas"))
}

/// The per-source encoding for a map of `source_count` sources (see
/// [`encode_combined`] for what fails).
pub fn encode_per_source(info: &ScopeInfo, source_count: usize) -> Result<EncodedPerSource> {
    let mut scopes = Vec::with_capacity(source_count);
    for source in 0..source_count.max(info.sources.len()) {
        let Some(roots) = info.sources.get(source).and_then(|s| s.as_deref()) else {
            scopes.push(None);
            continue;
        };
        let mut out = Vec::new();
        let mut names = NameWriter::default();
        for (i, root) in roots.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            write_scope(root, &mut names, &mut out)?;
        }
        scopes.push(Some(String::from_utf8(out).expect("Base64 and commas")));
    }
    let mut out = Vec::new();
    let mut ranges = RangeWriter::new(Definitions::PerSource, info);
    for range in &info.ranges {
        if !out.is_empty() {
            out.push(b',');
        }
        ranges.write(range, &mut out)?;
    }
    Ok(EncodedPerSource {
        scopes,
        ranges: String::from_utf8(out).expect("Base64 and commas"),
    })
}

fn invalid(what: String) -> Error {
    Error::new(ErrorCode::InvalidArgument, format!("scopes: {what}"))
}

/// Writes the step from `previous` to `position` as the decoder's AccumulatePosition
/// reads it: a line step, then the column (absolute after a line step, else relative).
fn position_step(previous: &mut Position, position: Position) -> Result<(u32, u32)> {
    let step = if position.line == previous.line {
        let Some(column) = position.column.checked_sub(previous.column) else {
            return Err(invalid(format!(
                "position {}:{} comes before {}:{}, which the encoding cannot hold",
                position.line, position.column, previous.line, previous.column
            )));
        };
        (0, column)
    } else if position.line > previous.line {
        (position.line - previous.line, position.column)
    } else {
        return Err(invalid(format!(
            "position {}:{} comes before {}:{}, which the encoding cannot hold",
            position.line, position.column, previous.line, previous.column
        )));
    };
    *previous = position;
    Ok(step)
}

/// The accumulators of one scopes string.
#[derive(Default)]
struct NameWriter {
    position: Position,
    name: u32,
    kind: u32,
    variable: u32,
}

fn relative(accumulator: &mut u32, index: u32, out: &mut Vec<u8>) {
    encode_signed(i64::from(index) - i64::from(*accumulator), out);
    *accumulator = index;
}

fn write_scope(root: &OriginalScope, names: &mut NameWriter, out: &mut Vec<u8>) -> Result<()> {
    // (scope, index of the next child to write)
    let mut stack: Vec<(&OriginalScope, usize)> = Vec::new();
    start_scope(root, names, out)?;
    stack.push((root, 0));
    while let Some((scope, next)) = stack.last_mut() {
        match scope.children.get(*next) {
            Some(child) => {
                *next += 1;
                if stack.len() >= MAX_SCOPE_DEPTH {
                    return Err(invalid(format!(
                        "scopes nest deeper than {MAX_SCOPE_DEPTH}"
                    )));
                }
                out.push(b',');
                start_scope(child, names, out)?;
                stack.push((child, 0));
            }
            None => {
                let end = scope.end;
                stack.pop();
                let (line, column) = position_step(&mut names.position, end)?;
                out.extend_from_slice(b",C");
                encode_unsigned(line, out);
                encode_unsigned(column, out);
            }
        }
    }
    Ok(())
}

fn start_scope(scope: &OriginalScope, names: &mut NameWriter, out: &mut Vec<u8>) -> Result<()> {
    let mut flags = 0;
    if scope.name.is_some() {
        flags |= 0x1;
    }
    if scope.kind.is_some() {
        flags |= 0x2;
    }
    if scope.is_stack_frame {
        flags |= 0x4;
    }
    let (line, column) = position_step(&mut names.position, scope.start)?;
    out.push(b'B');
    encode_unsigned(flags, out);
    encode_unsigned(line, out);
    encode_unsigned(column, out);
    if let Some(name) = scope.name {
        relative(&mut names.name, name, out);
    }
    if let Some(kind) = scope.kind {
        relative(&mut names.kind, kind, out);
    }
    if !scope.variables.is_empty() {
        out.extend_from_slice(b",D");
        for variable in &scope.variables {
            let Some(index) = variable else {
                return Err(invalid("a variable has no name".to_owned()));
            };
            relative(&mut names.variable, *index, out);
        }
    }
    Ok(())
}

enum Definitions<'f> {
    /// The flat index of each source's first scope.
    Flat(&'f [usize]),
    PerSource,
}

struct RangeWriter<'f> {
    definitions: Definitions<'f>,
    /// How many scopes each source has (all depths), counted once.
    scope_counts: Vec<usize>,
    position: Position,
    definition: u32,
    definition_source: u32,
}

impl<'f> RangeWriter<'f> {
    fn new(definitions: Definitions<'f>, info: &ScopeInfo) -> RangeWriter<'f> {
        let scope_counts = info
            .sources
            .iter()
            .map(|roots| roots.as_deref().map_or(0, |r| PreOrder::new(r).count()))
            .collect();
        RangeWriter {
            definitions,
            scope_counts,
            position: Position::default(),
            definition: 0,
            definition_source: 0,
        }
    }

    fn write(&mut self, root: &GeneratedRange, out: &mut Vec<u8>) -> Result<()> {
        let mut stack: Vec<(&GeneratedRange, usize)> = Vec::new();
        self.start(root, out)?;
        stack.push((root, 0));
        while let Some((range, next)) = stack.last_mut() {
            match range.children.get(*next) {
                Some(child) => {
                    *next += 1;
                    if stack.len() >= MAX_SCOPE_DEPTH {
                        return Err(invalid(format!(
                            "ranges nest deeper than {MAX_SCOPE_DEPTH}"
                        )));
                    }
                    out.push(b',');
                    self.start(child, out)?;
                    stack.push((child, 0));
                }
                None => {
                    let end = range.end;
                    stack.pop();
                    let (line, column) = position_step(&mut self.position, end)?;
                    out.extend_from_slice(b",F");
                    if line != 0 {
                        encode_unsigned(line, out);
                    }
                    encode_unsigned(column, out);
                }
            }
        }
        Ok(())
    }

    fn start(&mut self, range: &GeneratedRange, out: &mut Vec<u8>) -> Result<()> {
        let (line, column) = position_step(&mut self.position, range.start)?;
        let mut flags = 0;
        if line != 0 {
            flags |= 0x1;
        }
        if range.definition.is_some() {
            flags |= 0x2;
        }
        flags |= match range.stack_frame_type {
            StackFrameType::None => 0,
            StackFrameType::Original => 0x4,
            StackFrameType::Hidden => 0xc,
        };
        out.push(b'E');
        encode_unsigned(flags, out);
        if line != 0 {
            encode_unsigned(line, out);
        }
        encode_unsigned(column, out);
        if let Some(definition) = range.definition {
            self.definition(definition, out)?;
        }
        self.bindings(range, out)?;
        if let Some(site) = range.call_site {
            out.extend_from_slice(b",I");
            encode_unsigned(site.source, out);
            encode_unsigned(site.position.line, out);
            encode_unsigned(site.position.column, out);
        }
        Ok(())
    }

    fn definition(&mut self, definition: ScopeRef, out: &mut Vec<u8>) -> Result<()> {
        let exists = self
            .scope_counts
            .get(definition.source as usize)
            .is_some_and(|&count| (definition.index as usize) < count);
        if !exists {
            return Err(invalid(format!(
                "a range's definition (source {}, scope {}) names no original scope",
                definition.source, definition.index
            )));
        }
        match self.definitions {
            Definitions::Flat(first_flat) => {
                let flat = first_flat[definition.source as usize] + definition.index as usize;
                relative(&mut self.definition, flat as u32, out);
            }
            Definitions::PerSource => {
                let source_step = i64::from(definition.source) - i64::from(self.definition_source);
                encode_signed(source_step, out);
                self.definition_source = definition.source;
                if source_step == 0 {
                    relative(&mut self.definition, definition.index, out);
                } else {
                    encode_unsigned(definition.index, out);
                    self.definition = definition.index;
                }
            }
        }
        Ok(())
    }

    /// `G` with each variable's first expression when it starts at the range's start
    /// (else 0, unavailable), then an `H` item for each variable's later changes.
    fn bindings(&mut self, range: &GeneratedRange, out: &mut Vec<u8>) -> Result<()> {
        if range.bindings.is_empty() {
            return Ok(());
        }
        out.extend_from_slice(b",G");
        let mut rest: Vec<(usize, &[super::types::Binding])> = Vec::new();
        for (variable, list) in range.bindings.iter().enumerate() {
            match list.split_first() {
                Some((first, later)) if first.from == range.start => {
                    encode_unsigned(first.expression.map_or(0, |e| e + 1), out);
                    if !later.is_empty() {
                        rest.push((variable, later));
                    }
                }
                _ => {
                    encode_unsigned(0, out);
                    if !list.is_empty() {
                        rest.push((variable, list));
                    }
                }
            }
        }
        for (variable, list) in rest {
            out.extend_from_slice(b",H");
            encode_unsigned(variable as u32, out);
            let mut from = range.start;
            for binding in list {
                let (line, column) = position_step(&mut from, binding.from)?;
                encode_unsigned(line, out);
                encode_unsigned(column, out);
                encode_unsigned(binding.expression.map_or(0, |e| e + 1), out);
            }
        }
        Ok(())
    }
}
