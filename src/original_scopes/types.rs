//! The records of the scopes proposal (ECMA-426 Stage 3, `proposal-scopes` branch and
//! ecma426 #266): original scopes, generated ranges and bindings, as decoded.
//!
//! Names are kept as indices into the map's `names` rather than as strings: a hostile
//! map may name one long string a million times, and an index costs four bytes
//! whatever the string. [`crate::SourceMapView::name`] turns one into text.

use crate::position::{Position, SourcePosition};

/// Which encoding a map's scopes came in (they decode to the same records).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ScopesFormat {
    /// One `"scopes"` string: original scope trees (one per source, `A` for none), then
    /// the generated ranges; a range names its definition by its index in the
    /// pre-order of all sources' scopes (the `proposal-scopes` branch).
    Combined,
    /// `"scopes"` a list with one string (or `null`) per source, each a list of root
    /// scopes, and the generated ranges in `"ranges"`; a range names its definition by
    /// source and index in that source's pre-order (ecma426 #266).
    PerSource,
}

/// A scope of an original source (the spec's Original Scope Record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalScope {
    /// Where the scope starts (inclusive), in the original source.
    pub start: Position,
    /// Where it ends (exclusive).
    pub end: Position,
    /// Its original name (a function's or class's), as an index into `names`.
    pub name: Option<u32>,
    /// What kind of scope it is (`"function"`, `"block"`, ...), as an index into
    /// `names`; informative only.
    pub kind: Option<u32>,
    /// Whether running it makes a stack frame (a function, a method).
    pub is_stack_frame: bool,
    /// The variables it declares, as indices into `names`; `None` where the map named
    /// an index past `names` (the spec keeps the slot, as `""`, so that bindings still
    /// line up).
    pub variables: Vec<Option<u32>>,
    /// Its child scopes, in source order.
    pub children: Vec<OriginalScope>,
}

impl OriginalScope {
    /// A scope with no name, kind, variables or children.
    pub fn new(start: Position, end: Position) -> OriginalScope {
        OriginalScope {
            start,
            end,
            name: None,
            kind: None,
            is_stack_frame: false,
            variables: Vec::new(),
            children: Vec::new(),
        }
    }

    /// This scope and every scope inside it, in pre-order (the order definitions count
    /// them in).
    pub fn pre_order(&self) -> PreOrder<'_, OriginalScope> {
        PreOrder::new(std::slice::from_ref(self))
    }
}

/// Which original scope a generated range stands for: the scope at `index` in the
/// pre-order of source `source`'s root scopes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScopeRef {
    /// Index into the map's `sources`.
    pub source: u32,
    /// Pre-order index among that source's scopes.
    pub index: u32,
}

/// Whether a generated range is a function of the generated code, and whether its
/// frames are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StackFrameType {
    /// Not a function of the generated code (a block, or an inlined body).
    #[default]
    None,
    /// A function of the generated code that stands for its original scope.
    Original,
    /// A function the compiler added (an original block turned into a function):
    /// its frames are left out of original stack traces.
    Hidden,
}

impl StackFrameType {
    /// `"none"`, `"original"` or `"hidden"`, as the golden files spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            StackFrameType::None => "none",
            StackFrameType::Original => "original",
            StackFrameType::Hidden => "hidden",
        }
    }
}

/// How to read one variable from some position of a generated range on (the spec's
/// Binding Record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    /// From where (in the generated code) the expression applies, up to the next
    /// binding's `from` or the range's end.
    pub from: Position,
    /// The JavaScript expression giving the variable's value, as an index into
    /// `names`; `None` where the variable is unavailable.
    pub expression: Option<u32>,
}

/// A stretch of the generated code and the original scope it stands for (the spec's
/// Generated Range Record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedRange {
    /// Where the range starts (inclusive), in the generated code.
    pub start: Position,
    /// Where it ends (exclusive).
    pub end: Position,
    /// The original scope it stands for.
    pub definition: Option<ScopeRef>,
    /// Whether it is a function of the generated code (see [`StackFrameType`]).
    pub stack_frame_type: StackFrameType,
    /// One list per variable of the definition: how to read it in each part of the
    /// range.
    pub bindings: Vec<Vec<Binding>>,
    /// Set when the range is the body of a function inlined here: where the original
    /// code called it.
    pub call_site: Option<SourcePosition>,
    /// The ranges inside it, in generated order.
    pub children: Vec<GeneratedRange>,
}

impl GeneratedRange {
    /// A range standing for nothing, with no bindings, call site or children.
    pub fn new(start: Position, end: Position) -> GeneratedRange {
        GeneratedRange {
            start,
            end,
            definition: None,
            stack_frame_type: StackFrameType::None,
            bindings: Vec::new(),
            call_site: None,
            children: Vec::new(),
        }
    }
}

/// The decoded scopes of a map: each source's root scopes, and the generated ranges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopeInfo {
    /// The encoding the map used.
    pub format: ScopesFormat,
    /// By source index: the source's root scopes, or `None` when the map gives none
    /// for it. The combined format has at most one root per source; it may list more
    /// trees than there are sources (those past the last source belong to none).
    pub sources: Vec<Option<Vec<OriginalScope>>>,
    /// The root generated ranges, in generated order.
    pub ranges: Vec<GeneratedRange>,
}

impl ScopeInfo {
    /// The root scopes of source `source`, when the map gives them.
    pub fn source_scopes(&self, source: u32) -> Option<&[OriginalScope]> {
        self.sources.get(source as usize)?.as_deref()
    }

    /// The original scope a range's definition names, when it exists.
    pub fn definition(&self, definition: ScopeRef) -> Option<&OriginalScope> {
        let roots = self.source_scopes(definition.source)?;
        PreOrder::new(roots).nth(definition.index as usize)
    }

    /// How many scopes source `source` has (all depths).
    pub fn scope_count(&self, source: u32) -> usize {
        self.source_scopes(source)
            .map_or(0, |roots| PreOrder::new(roots).count())
    }
}

/// Something with children, walked in pre-order.
pub trait Tree {
    /// The node's children.
    fn children(&self) -> &[Self]
    where
        Self: Sized;
}

impl Tree for OriginalScope {
    fn children(&self) -> &[OriginalScope] {
        &self.children
    }
}

impl Tree for GeneratedRange {
    fn children(&self) -> &[GeneratedRange] {
        &self.children
    }
}

/// A pre-order walk over a forest, without recursion (trees may be deep).
pub struct PreOrder<'t, T> {
    stack: Vec<std::slice::Iter<'t, T>>,
}

impl<'t, T: Tree> PreOrder<'t, T> {
    /// The walk over `roots` and everything inside them.
    pub fn new(roots: &'t [T]) -> PreOrder<'t, T> {
        PreOrder {
            stack: vec![roots.iter()],
        }
    }
}

impl<'t, T: Tree> Iterator for PreOrder<'t, T> {
    type Item = &'t T;

    fn next(&mut self) -> Option<&'t T> {
        loop {
            let top = self.stack.last_mut()?;
            match top.next() {
                Some(node) => {
                    self.stack.push(node.children().iter());
                    return Some(node);
                }
                None => {
                    self.stack.pop();
                }
            }
        }
    }
}
