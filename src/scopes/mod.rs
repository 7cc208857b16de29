//! Function scopes of original sources: which function encloses a position, and the
//! name a debugger would show for it.
//!
//! Stack frames name the *minified* function (`l`, `x`); error trackers want the
//! original one. The map's `names` at a frame's position is usually the callee, not the
//! enclosing function. So the original source (from `sourcesContent`) is parsed, every
//! function-like node is recorded with its extent and an inferred name, and a position
//! is answered with the innermost function that encloses it.
//!
//! Extents are kept as [`Position`]s (0-based line, UTF-16 column), the source map's
//! units, so scopes answer queries without the source text and can be stored in a cache
//! (`stored.rs` writes and reads that form). Named calls are kept too, and queried in
//! `calls.rs`, for rebuilding the frames of inlined functions.

mod calls;
mod js;
mod nesting;
mod stored;
mod v8_names;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::position::{Position, Span};

/// One function-like node of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Scope {
    /// Where the node starts, and where it ends (exclusive).
    extent: Span,
    /// The innermost enclosing scope, if any (always an earlier index).
    parent: Option<u32>,
    /// What a debugger would show; `None` for an anonymous function.
    name: Option<String>,
    /// Where the identifier the name comes from is (`f` in `function f`, `x` in
    /// `const x = () =>`), if any: in minified code, the map's name at that position is
    /// the original function's name.
    name_position: Option<Position>,
    /// For an anonymous function, the binding its expression flows into
    /// (`var sortBy = wrap(function …)` → `sortBy`), which SpiderMonkey uses to name it
    /// (`sortBy<`); bindings outside the enclosing function do not count.
    context: Option<String>,
    /// For an anonymous function, the name V8 infers for it from the code around it
    /// (`v8_names.rs`), which V8 prints in its traces.
    v8_name: Option<String>,
}

/// A call in a source whose callee has a name (`f()`, `o.m()`, `new C()`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct CallSite {
    /// Where engines report a frame stopped at this call (the callee's identifier or
    /// property, or `new`).
    position: Position,
    /// The callee's last identifier.
    callee: String,
    /// The innermost function containing the call, if any.
    scope: Option<u32>,
    /// Where the call expression starts and ends (exclusive), arguments included.
    span: Span,
}

/// The function scopes of one source, ready for position queries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionScopes {
    /// In order of start (pre-order), so parents come before children.
    scopes: Vec<Scope>,
    /// Named calls, in order of position (empty for scopes parsed without calls, and
    /// for caches written before calls were stored).
    calls: Vec<CallSite>,
    /// Indexes derived from `scopes` and `calls`.
    index: QueryIndex,
}

/// The name a call uses for a function called `name`: its last member (`o.m` → `m`);
/// none for getters and setters, which are not called by name.
fn callee_name(name: &str) -> Option<&str> {
    let last = name.rsplit('.').next().unwrap_or(name);
    (!last.starts_with("get ") && !last.starts_with("set ")).then_some(last)
}

/// Indexes derived from [`FunctionScopes::scopes`] and [`FunctionScopes::calls`], so
/// that the queries made per frame run in logarithmic or constant time, not in scans of
/// every call or function of a large source (a bundled library has tens of thousands).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct QueryIndex {
    /// Functions by [`FunctionScopes::callee_name`]: the index of their group in
    /// `callee_groups`.
    by_callee_name: HashMap<String, u32>,
    /// The functions of each callee name, in order of ID.
    callee_groups: Vec<Vec<ScopeId>>,
    /// For each call, the group of the functions it may call (`NONE`: none), worked
    /// out on the first search for inlined calls: that search follows every call of
    /// up to hundreds of functions, and a name's hash per call was most of its time.
    call_groups: CallGroups,
    /// For each group of `callee_groups`, the functions making a call that names it,
    /// each once, in order; worked out with `call_groups`.
    callers: CallGroups<Vec<Vec<ScopeId>>>,
    /// Every function's name position and start, with its ID, sorted: the functions a
    /// minifier's position can stand for, found without a scan of every function.
    by_anchor: Vec<(Position, ScopeId)>,
    /// Call indices by (enclosing function, position); top-level calls first.
    by_scope: Vec<u32>,
    /// Call indices by (end, start).
    by_end: Vec<u32>,
    /// Call indices by start, the longer of two calls with one start first.
    by_start: Vec<u32>,
    /// For each entry of `by_start`, the entry of the innermost call containing it
    /// (always an earlier one), or `NONE`.
    parent: Vec<u32>,
}

/// [`QueryIndex::call_groups`]: derived from the calls, so two indexes of the same
/// calls are equal whether or not either has worked them out yet.
#[derive(Clone, Debug)]
struct CallGroups<T = Vec<u32>>(OnceLock<T>);

impl<T> Default for CallGroups<T> {
    fn default() -> Self {
        CallGroups(OnceLock::new())
    }
}

impl<T> PartialEq for CallGroups<T> {
    fn eq(&self, _: &CallGroups<T>) -> bool {
        true
    }
}

impl<T> Eq for CallGroups<T> {}

impl QueryIndex {
    fn new(scopes: &[Scope], calls: &[CallSite]) -> QueryIndex {
        let mut by_callee_name: HashMap<String, u32> = HashMap::new();
        let mut callee_groups: Vec<Vec<ScopeId>> = Vec::new();
        for (id, scope) in scopes.iter().enumerate() {
            if let Some(name) = scope.name.as_deref().and_then(callee_name) {
                let group = *by_callee_name.entry(name.to_owned()).or_insert_with(|| {
                    callee_groups.push(Vec::new());
                    (callee_groups.len() - 1) as u32
                });
                callee_groups[group as usize].push(id as ScopeId);
            }
        }
        let mut by_anchor: Vec<(Position, ScopeId)> = scopes
            .iter()
            .enumerate()
            .flat_map(|(id, scope)| {
                let id = id as ScopeId;
                let name = scope.name_position.map(|at| (at, id));
                std::iter::once((scope.extent.start, id)).chain(name)
            })
            .collect();
        by_anchor.sort_unstable();
        let mut by_scope: Vec<u32> = (0..calls.len() as u32).collect();
        by_scope.sort_by_key(|&i| (calls[i as usize].scope, calls[i as usize].position));
        let mut by_end: Vec<u32> = (0..calls.len() as u32).collect();
        by_end.sort_by_key(|&i| {
            let span = calls[i as usize].span;
            (span.end, span.start)
        });
        let mut by_start = by_end.clone();
        by_start.sort_by_key(|&i| {
            let span = calls[i as usize].span;
            (span.start, std::cmp::Reverse(span.end))
        });
        // Spans of calls nest like the expressions they are: walk them keeping the chain
        // of calls that contain the current one.
        let mut parent = Vec::with_capacity(by_start.len());
        let mut open: Vec<u32> = Vec::new();
        for (entry, &call) in by_start.iter().enumerate() {
            let span = calls[call as usize].span;
            while let Some(&outer) = open.last() {
                if calls[by_start[outer as usize] as usize].span.encloses(span) {
                    break;
                }
                open.pop();
            }
            parent.push(open.last().copied().unwrap_or(NONE));
            open.push(entry as u32);
        }
        QueryIndex {
            by_callee_name,
            callee_groups,
            call_groups: CallGroups::default(),
            callers: CallGroups::default(),
            by_anchor,
            by_scope,
            by_end,
            by_start,
            parent,
        }
    }
}

/// A function scope of a [`FunctionScopes`], by index.
pub type ScopeId = u32;

/// The enclosing function of a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enclosing<'s> {
    /// Inside a named function.
    Named(&'s str),
    /// Inside a function that has no name (a callback, an IIFE).
    Anonymous,
    /// Top-level code, outside any function.
    TopLevel,
}

impl FunctionScopes {
    /// Parses `text` (JavaScript, TypeScript, JSX or TSX, chosen by `file_name`'s
    /// extension; JavaScript with JSX when unknown; the other dialect is tried when the
    /// first does not parse) and collects its functions. A source that parses in
    /// neither gives no scopes.
    ///
    /// Named calls are collected too, for reconstructing frames of inlined functions
    /// ([`FunctionScopes::calls_in`]).
    pub fn parse(text: &str, file_name: Option<&str>) -> FunctionScopes {
        FunctionScopes::parse_with(text, file_name, true)
    }

    /// Like [`FunctionScopes::parse`] without collecting calls: for minified scripts,
    /// where only the functions' extents and names are needed.
    pub fn parse_functions(text: &str, file_name: Option<&str>) -> FunctionScopes {
        FunctionScopes::parse_with(text, file_name, false)
    }

    fn parse_with(text: &str, file_name: Option<&str>, with_calls: bool) -> FunctionScopes {
        let js::Collected { scopes: raw, calls } = js::collect(text, file_name, with_calls);
        // Convert every byte offset to a position in one pass over the text.
        let mut offsets: Vec<u32> = raw
            .iter()
            .flat_map(|s| [Some(s.start), Some(s.end), s.name_start])
            .flatten()
            .chain(calls.iter().flat_map(|c| [c.at, c.span.start, c.span.end]))
            .collect();
        offsets.sort_unstable();
        offsets.dedup();
        let positions = positions_of(text, &offsets);
        let at = |offset: u32| {
            let index = offsets.partition_point(|&o| o < offset);
            positions.get(index).copied().unwrap_or_default()
        };
        let scopes = raw
            .into_iter()
            .map(|s| Scope {
                extent: Span::new(at(s.start), at(s.end)),
                parent: s.parent,
                name: s.name,
                name_position: s.name_start.map(at),
                context: s.context,
                v8_name: s.v8_name,
            })
            .collect();
        let mut calls: Vec<CallSite> = calls
            .into_iter()
            .map(|c| CallSite {
                position: at(c.at),
                callee: c.callee,
                scope: c.scope,
                span: Span::new(at(c.span.start), at(c.span.end)),
            })
            .collect();
        // Visiting order is not position order (`f(g())` visits `f` first).
        calls.sort_by_key(|c| c.position);
        FunctionScopes::new(scopes, calls)
    }

    fn new(scopes: Vec<Scope>, calls: Vec<CallSite>) -> FunctionScopes {
        let index = QueryIndex::new(&scopes, &calls);
        FunctionScopes {
            scopes,
            calls,
            index,
        }
    }

    /// Number of function-like nodes found.
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// Whether no function was found.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// The scopes enclosing `position`, innermost first, with their indices.
    fn enclosing_scopes(&self, position: Position) -> impl Iterator<Item = (ScopeId, &Scope)> + '_ {
        let after = self.scopes.partition_point(|s| s.extent.start <= position);
        let mut candidate = after.checked_sub(1).map(|i| i as u32);
        std::iter::from_fn(move || {
            while let Some(index) = candidate {
                let scope = self.scopes.get(index as usize)?;
                // Parents are earlier entries; anything else is corrupt input: stop.
                candidate = scope.parent.filter(|&p| p < index);
                if position < scope.extent.end {
                    return Some((index, scope));
                }
            }
            None
        })
    }

    /// The innermost function enclosing `position`.
    pub fn enclosing(&self, position: Position) -> Enclosing<'_> {
        match self.enclosing_scopes(position).next().map(|(_, s)| s) {
            Some(Scope {
                name: Some(name), ..
            }) => Enclosing::Named(name),
            Some(_) => Enclosing::Anonymous,
            None => Enclosing::TopLevel,
        }
    }

    /// For a position whose innermost enclosing function is anonymous: the binding that
    /// function flows into, as SpiderMonkey names it (`sortBy` for
    /// `var sortBy = wrap(function …)`), if there is one.
    pub fn anonymous_context(&self, position: Position) -> Option<&str> {
        let (_, scope) = self.enclosing_scopes(position).next()?;
        if scope.name.is_some() {
            return None;
        }
        scope.context.as_deref()
    }

    /// The name of the innermost *named* function enclosing the position (skipping
    /// anonymous callbacks), if any.
    pub fn enclosing_named(&self, position: Position) -> Option<&str> {
        self.enclosing_scopes(position)
            .find_map(|(_, scope)| scope.name.as_deref())
    }

    /// Where the name identifier is of the innermost function that encloses `position`
    /// and has one: where to look up the original name of a minified function in its
    /// source map.
    pub fn enclosing_name_position(&self, position: Position) -> Option<Position> {
        self.enclosing_scopes(position)
            .find_map(|(_, scope)| scope.name_position)
    }

    /// The innermost function enclosing `position`.
    pub fn innermost(&self, position: Position) -> Option<ScopeId> {
        self.enclosing_scopes(position).next().map(|(id, _)| id)
    }

    /// Where the function `id` starts and ends (exclusive).
    pub fn extent(&self, id: ScopeId) -> Option<Span> {
        self.scopes.get(id as usize).map(|s| s.extent)
    }

    /// Where function `id`'s name identifier is, if it has one.
    pub fn name_position(&self, id: ScopeId) -> Option<Position> {
        self.scopes.get(id as usize)?.name_position
    }

    /// The function that an original position a minifier gave a function's start or
    /// name stands for: the function whose name identifier or start is exactly there
    /// (`x` of `const x = () =>` lies outside the arrow; a method's key outside its
    /// function), else the innermost one enclosing it.
    pub fn function_at(&self, position: Position) -> Option<ScopeId> {
        // Of the functions named or starting exactly there, the last (the innermost).
        let anchors = &self.index.by_anchor;
        let after = anchors.partition_point(|&(at, _)| at <= position);
        let exact = after
            .checked_sub(1)
            .map(|i| anchors[i])
            .filter(|&(at, _)| at == position)
            .map(|(_, id)| id);
        exact.or_else(|| self.innermost(position))
    }

    /// Function `id`'s name as [`FunctionScopes::enclosing`] gives it.
    pub fn name_of(&self, id: ScopeId) -> Enclosing<'_> {
        match self.scopes.get(id as usize) {
            Some(Scope {
                name: Some(name), ..
            }) => Enclosing::Named(name),
            Some(_) => Enclosing::Anonymous,
            None => Enclosing::TopLevel,
        }
    }

    /// For an anonymous function `id`: the binding it flows into (see
    /// [`FunctionScopes::anonymous_context`]).
    pub fn context_of(&self, id: ScopeId) -> Option<&str> {
        let scope = self.scopes.get(id as usize)?;
        scope.name.is_none().then_some(())?;
        scope.context.as_deref()
    }

    /// For an anonymous function `id`: the name V8 infers for it from the code around
    /// it (`a.b.c` for `a.b.c = function () {}`, `t` for `var t = [() => …]`), if any.
    pub fn v8_name_of(&self, id: ScopeId) -> Option<&str> {
        let scope = self.scopes.get(id as usize)?;
        scope.name.is_none().then_some(())?;
        scope.v8_name.as_deref()
    }

    /// The identifier a call of function `id` would name: the last part of its name
    /// (`addItem` of `Cart.addItem`, `Cart` for its constructor); `None` for anonymous
    /// functions and accessors (which no call names).
    pub fn callee_name(&self, id: ScopeId) -> Option<&str> {
        callee_name(self.scopes.get(id as usize)?.name.as_deref()?)
    }

    /// The functions a call naming `callee` may call: those whose
    /// [`FunctionScopes::callee_name`] it is.
    pub fn functions_called(&self, callee: &str) -> impl Iterator<Item = ScopeId> + '_ {
        self.functions_named(callee).iter().copied()
    }

    /// [`FunctionScopes::functions_called`] as a slice.
    pub fn functions_named(&self, callee: &str) -> &[ScopeId] {
        let index = &self.index;
        let group = index.by_callee_name.get(callee);
        group.map_or(&[], |&g| index.callee_groups[g as usize].as_slice())
    }
}

const NONE: u32 = u32::MAX;

/// The (line, UTF-16 column) of each of `offsets` (sorted byte offsets) in `text`, in
/// one pass. Lines end at the ECMAScript line terminators.
fn positions_of(text: &str, offsets: &[u32]) -> Vec<Position> {
    let mut positions = Vec::with_capacity(offsets.len());
    let mut wanted = offsets.iter().peekable();
    let (mut line, mut column) = (0u32, 0u32);
    let mut chars = text.char_indices().peekable();
    loop {
        let offset = chars.peek().map_or(text.len(), |&(i, _)| i) as u32;
        while wanted.next_if(|&&o| o <= offset).is_some() {
            positions.push(Position::new(line, column));
        }
        let Some((_, ch)) = chars.next() else {
            break;
        };
        match ch {
            '\r' => {
                chars.next_if(|&(_, next)| next == '\n');
                line += 1;
                column = 0;
            }
            '\n' | '\u{2028}' | '\u{2029}' => {
                line += 1;
                column = 0;
            }
            other => column += other.len_utf16() as u32,
        }
    }
    // Offsets past the end (none, from a parser) land at the end.
    positions.resize(offsets.len(), Position::new(line, column));
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deeply_nested_sources_parse_on_their_own_stack_or_not_at_all() {
        // Each kind nests once per repetition; the test thread's 2 MiB stack would not
        // hold the parse of even the shallow ones in a debug build.
        let kinds: [(&str, &str, &str); 6] = [
            ("var x = ", "[", "]"),
            ("var x = ", "f(", ")"),
            ("var x = ", "() => ", ""),
            ("var x = ", "function () { return ", "}"),
            ("var x = ", "!", ""),
            ("", "if (a) ", ""),
        ];
        for (prefix, open, close) in kinds {
            let source = |n: usize| format!("{prefix}{}1{};", open.repeat(n), close.repeat(n));
            let shallow = FunctionScopes::parse(&source(900), Some("a.js"));
            let deep = FunctionScopes::parse(&source(100_000), Some("a.js"));
            if open.contains("=>") || open.contains("function") {
                assert_eq!(shallow.len(), 900, "{open}");
            }
            assert_eq!(deep.len(), 0, "{open}");
        }
    }

    fn name_at(scopes: &FunctionScopes, line: u32, column: u32) -> Option<String> {
        match scopes.enclosing(Position::new(line, column)) {
            Enclosing::Named(name) => Some(name.to_owned()),
            Enclosing::Anonymous => Some("<anonymous>".to_owned()),
            Enclosing::TopLevel => None,
        }
    }

    /// Finds `marker` (a unique comment) and returns the name enclosing it.
    fn name_of(source: &str, marker: &str, file: &str) -> Option<String> {
        let scopes = FunctionScopes::parse(source, Some(file));
        let offset = source.find(marker).expect("marker");
        let line = source[..offset].matches('\n').count() as u32;
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].encode_utf16().count() as u32;
        name_at(&scopes, line, column)
    }

    #[test]
    fn declarations_and_inferred_names() {
        let source = r#"
function plain() { /*A*/ }
const arrow = () => { /*B*/ };
let expr = function () { /*C*/ };
var named = function inner() { /*D*/ };
obj.method = function () { /*E*/ };
Cart.prototype.total = function () { /*F*/ };
exports.run = async () => { /*G*/ };
const money = {
  format() { /*H*/ },
  symbol: () => { /*I*/ },
  get rate() { return 1; /*J*/ },
  nested: { deep() { /*K*/ } },
};
class Cart {
  constructor() { /*L*/ }
  addItem(x) { /*M*/ }
  static empty() { /*N*/ }
  get count() { return 0; /*O*/ }
  handler = () => { /*P*/ };
}
const Klass = class { run() { /*Q*/ } };
items.map(function (item) { /*R*/ });
items.map((item) => { /*S*/ });
/*T*/
export default function () { /*U*/ }
async function* gen() { /*V*/ }
"#;
        let expect = [
            ("/*A*/", Some("plain")),
            ("/*B*/", Some("arrow")),
            ("/*C*/", Some("expr")),
            ("/*D*/", Some("inner")),
            ("/*E*/", Some("obj.method")),
            ("/*F*/", Some("Cart.total")),
            ("/*G*/", Some("exports.run")),
            ("/*H*/", Some("money.format")),
            ("/*I*/", Some("money.symbol")),
            ("/*J*/", Some("money.get rate")),
            ("/*K*/", Some("money.nested.deep")),
            ("/*L*/", Some("Cart")),
            ("/*M*/", Some("Cart.addItem")),
            ("/*N*/", Some("Cart.empty")),
            ("/*O*/", Some("Cart.get count")),
            ("/*P*/", Some("Cart.handler")),
            ("/*Q*/", Some("Klass.run")),
            ("/*R*/", Some("<anonymous>")),
            ("/*S*/", Some("<anonymous>")),
            ("/*T*/", None),
            ("/*U*/", Some("default")),
            ("/*V*/", Some("gen")),
        ];
        for (marker, name) in expect {
            assert_eq!(
                name_of(source, marker, "a.mjs").as_deref(),
                name,
                "at {marker}"
            );
        }
    }

    #[test]
    fn name_positions_for_minified_code() {
        let minified = "function l(a){throw new Error(a)}var m=function(){l(1)},o={p:()=>{m()}};";
        let scopes = FunctionScopes::parse(minified, Some("bundle.min.js"));
        let at = |needle: &str| minified.find(needle).unwrap() as u32;
        // Inside l: its name is at `l`.
        assert_eq!(
            scopes.enclosing_name_position(Position::new(0, at("throw"))),
            Some(Position::new(0, at("l(")))
        );
        // Inside the function bound to m: the name is the binding `m`.
        assert_eq!(
            scopes.enclosing_name_position(Position::new(0, at("l(1)"))),
            Some(Position::new(0, at("m=")))
        );
        // Inside an arrow that is an object property: the key `p`.
        assert_eq!(
            scopes.enclosing_name_position(Position::new(0, at("m()"))),
            Some(Position::new(0, at("p:")))
        );
    }

    #[test]
    fn positions_count_utf16_and_all_terminators() {
        let text = "a😀b\r\nc\u{2028}d";
        let offsets: Vec<u32> = (0..=text.len() as u32)
            .filter(|&o| text.is_char_boundary(o as usize))
            .collect();
        let positions = positions_of(text, &offsets);
        assert_eq!(positions[0], Position::new(0, 0));
        assert_eq!(positions[2], Position::new(0, 3)); // after the emoji: 1 + 2 UTF-16 units
        assert_eq!(*positions.last().unwrap(), Position::new(2, 1));
    }

    #[test]
    fn anonymous_functions_take_the_binding_they_flow_into() {
        let source = r#"
var sortBy = baseRest(function (collection) { /*A*/ });
const Slug = z.string().refine((value) => { /*B*/ });
function outer() { items.forEach(function () { /*C*/ }); }
var criteria = arrayMap(list, function (x) { return y(function () { /*D*/ }); });
obj.handler = register(() => { /*E*/ });
const options = { onError: wrap(() => { /*F*/ }) };
items.map(() => { /*G*/ });
"#;
        let context_at = |marker: &str| {
            let scopes = FunctionScopes::parse(source, Some("a.js"));
            let offset = source.find(marker).unwrap();
            let line = source[..offset].matches('\n').count() as u32;
            let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
            let column = source[start..offset].encode_utf16().count() as u32;
            scopes
                .anonymous_context(Position::new(line, column))
                .map(str::to_owned)
        };
        assert_eq!(context_at("/*A*/").as_deref(), Some("sortBy"));
        assert_eq!(context_at("/*B*/").as_deref(), Some("Slug"));
        // Inside a named function, outer bindings do not count (Firefox: `outer/<`).
        assert_eq!(context_at("/*C*/"), None);
        assert_eq!(context_at("/*D*/"), None);
        assert_eq!(context_at("/*E*/").as_deref(), Some("obj.handler"));
        assert_eq!(context_at("/*F*/").as_deref(), Some("onError"));
        assert_eq!(context_at("/*G*/"), None);
    }

    #[test]
    fn innermost_named_skips_anonymous_callbacks() {
        let source =
            "function outer() {\n  items.forEach(() => {\n    throw new Error('x');\n  });\n}\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        let at = Position::new;
        assert_eq!(scopes.enclosing(at(2, 4)), Enclosing::Anonymous);
        assert_eq!(scopes.enclosing_named(at(2, 4)), Some("outer"));
        // A declaration's span starts at `function`; after its `}` is top level.
        assert_eq!(scopes.enclosing(at(0, 0)), Enclosing::Named("outer"));
        assert_eq!(scopes.enclosing(at(4, 0)), Enclosing::Named("outer"));
        assert_eq!(scopes.enclosing(at(5, 0)), Enclosing::TopLevel);
    }

    #[test]
    fn typescript_and_jsx() {
        let ts = "class Service {\n  private load(id: number): Promise<void> {\n    return fetch(`/x/${id}`) as any; /*A*/\n  }\n}\n";
        assert_eq!(
            name_of(ts, "/*A*/", "service.ts").as_deref(),
            Some("Service.load")
        );
        let tsx = "export const Button = (props: { label: string }) => {\n  return <b>{props.label /*B*/}</b>;\n};\n";
        assert_eq!(
            name_of(tsx, "/*B*/", "button.tsx").as_deref(),
            Some("Button")
        );
        let jsx = "function App() { return <div onClick={() => go(/*C*/)} />; }\n";
        assert_eq!(
            name_of(jsx, "/*C*/", "app.jsx").as_deref(),
            Some("<anonymous>")
        );
        assert_eq!(
            name_of(jsx, "/*C*/", "unknown").as_deref(),
            Some("<anonymous>")
        );
    }

    #[test]
    fn utf16_columns_and_broken_sources() {
        let source = "const s = '😀😀'; function f() { /*A*/ }\n";
        assert_eq!(name_of(source, "/*A*/", "a.js").as_deref(), Some("f"));
        // A source that does not parse gives no scopes (the parser stops at a fatal error).
        let broken = "function ok() { /*A*/ }\nfunction bad( {\n";
        assert!(FunctionScopes::parse(broken, Some("a.js")).is_empty());
        // TypeScript in a file named .js still parses (the other dialect is tried).
        let typed = "function typed(x: number): number { return x; /*B*/ }\n";
        assert_eq!(name_of(typed, "/*B*/", "a.js").as_deref(), Some("typed"));
        let scopes = FunctionScopes::parse("", None);
        assert!(scopes.is_empty());
        assert_eq!(scopes.enclosing(Position::new(5, 5)), Enclosing::TopLevel);
    }
}
