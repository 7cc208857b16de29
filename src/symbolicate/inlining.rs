//! Frames of inlined functions.
//!
//! A minifier that inlines `parse` into its caller `load` leaves one runtime frame
//! where the original program had two: the frame's position maps into `parse`'s body,
//! but the minified function it stopped in stands for `load`. Error trackers then show
//! `parse` and lose `load`, and every frame below is off by one from the original
//! trace.
//!
//! The frames are rebuilt from the original sources: the minified function's own
//! start maps to the function it stands for (the *home*); when that is not the
//! function the position maps into (the *target*), the home must have called the
//! target, directly or through other inlined functions. The calls are found by name in
//! the original sources ([`FunctionScopes::calls_in`]). Only a chain of calls that
//! really leads from home to target is used, so a map whose function starts map
//! somewhere odd gives no extra frames rather than wrong ones.

use std::collections::VecDeque;

use crate::lookup::{Bias, LookupOptions};
use crate::position::{Position, SourcePosition};
use crate::scopes::{FunctionScopes, ScopeId};
use crate::stacktrace::TraceFormat;

use super::rules::{is_keyword, is_name_char, next_original};
use super::scripts::Script;
use super::{OriginalFrame, Symbolicator};

/// A function in a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) struct FunctionRef {
    /// Index into the map's `sources`.
    pub(super) source: u32,
    /// The function among that source's scopes.
    pub(super) scope: ScopeId,
}

impl FunctionRef {
    pub(super) const fn new(source: u32, scope: ScopeId) -> FunctionRef {
        FunctionRef { source, scope }
    }
}

/// How the search reached a function: the index of the visited entry that called it,
/// and where that call is (in the caller's source).
type ReachedBy = Option<(usize, Position)>;

/// One call of a reconstructed chain: `caller` calls the next function at `position`
/// of the caller's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct InlinedCall {
    pub(super) caller: FunctionRef,
    pub(super) position: Position,
}

impl InlinedCall {
    /// Where the call is in the original sources.
    pub(super) fn site(&self) -> SourcePosition {
        SourcePosition::new(self.caller.source, self.position)
    }
}

/// How a frame's position relates to inlined code.
pub(super) enum Inlining {
    /// The calls through which the frame's function was inlined (outermost first),
    /// and whether the position maps to the inlined function's closing `}`.
    Chain {
        calls: Vec<InlinedCall>,
        at_closing_brace: bool,
    },
    /// The position maps to an inlined function's closing `}` and is really the call
    /// of that function at `call`, in function `caller` (`None`: top level) of the
    /// call's source.
    CallOf {
        call: SourcePosition,
        caller: Option<ScopeId>,
    },
}

impl Symbolicator {
    /// How the frame at `position` of the minified script, which maps to `original`,
    /// relates to inlined code, if it does: a chain of calls from the function its
    /// minified function stands for down to the function the position maps into; or,
    /// for a position at an inlined function's closing `}` outside any such chain, the
    /// call of that function.
    pub(super) fn inlining(
        &self,
        script: &Script,
        position: Position,
        original: SourcePosition,
    ) -> Option<Inlining> {
        let target_scopes = self.source_scopes(script, original.source)?;
        let target = target_scopes.innermost(original.position)?;
        let target_ref = FunctionRef::new(original.source, target);
        let end = target_scopes.extent(target)?.end;
        let after = Position::new(original.position.line, original.position.column + 1);
        let at_closing_brace = after == end;
        let minified_scopes = self.minified_scopes(script)?;
        let chain = minified_scopes
            .innermost(position)
            .and_then(|enclosing| self.home_function(script, minified_scopes, enclosing))
            .and_then(|(home, home_position)| {
                if home == target_ref {
                    return None;
                }
                // A minifier that turns an inlined call into an immediately called
                // function maps that function's start into the original call: it
                // stands for the function called there, not for the one calling.
                let target_name = target_scopes.callee_name(target)?;
                let calls_target = self
                    .source_scopes(script, home_position.source)?
                    .call_containing(home_position.position, Some(target_name))
                    .is_some();
                if calls_target {
                    return None;
                }
                call_chain(&|index| self.source_scopes(script, index), home, target_ref)
            });
        if let Some(calls) = chain {
            return Some(Inlining::Chain {
                calls,
                at_closing_brace,
            });
        }
        if !at_closing_brace {
            return None;
        }
        // The call's arguments follow the position: the next token maps into them, in
        // the caller's source.
        let callee = target_scopes.callee_name(target)?;
        let next = next_original(script, position)?;
        let (call, caller) = self
            .source_scopes(script, next.source)?
            .call_containing(next.position, Some(callee))?;
        Some(Inlining::CallOf {
            call: SourcePosition::new(next.source, call),
            caller,
        })
    }

    /// The original function a minified function stands for, and where the map takes
    /// it: where the map takes its name identifier or its start (exact tokens), else
    /// the first token inside it.
    fn home_function(
        &self,
        script: &Script,
        minified_scopes: &FunctionScopes,
        id: ScopeId,
    ) -> Option<(FunctionRef, SourcePosition)> {
        let map = script.map.as_ref();
        let extent = minified_scopes.extent(id)?;
        let exact = [minified_scopes.name_position(id), Some(extent.start)]
            .into_iter()
            .flatten()
            .find_map(|at| {
                let token = map.lookup(at.line, at.column)?;
                (token.generated_position() == at).then_some(token)
            });
        let token = exact.or_else(|| {
            let options = LookupOptions {
                bias: Bias::LeastUpperBound,
                same_line: false,
            };
            let token = map.lookup_with(extent.start.line, extent.start.column, options)?;
            (token.generated_position() < extent.end).then_some(token)
        })?;
        let original = token.original_position()?;
        let function = self
            .source_scopes(script, original.source)?
            .function_at(original.position)?;
        Some((FunctionRef::new(original.source, function), original))
    }

    /// The calls a minifier inlined between two runtime frames: `call` (a caller's
    /// frame) calls a function other than the one `inner` (the callee's frame) is in,
    /// the original sources show a chain from the function called there down to it,
    /// and the minified code proves the original call is gone (see
    /// [`Symbolicator::minified_call_skips_to`]). Outermost first.
    ///
    /// `minified_call` and `minified_inner` are where the runtime printed the two
    /// frames in the minified script.
    pub(super) fn skipped_inlined(
        &self,
        script: &Script,
        inner: SourcePosition,
        call: SourcePosition,
        minified_inner: Position,
        minified_call: Position,
    ) -> Option<Vec<InlinedCall>> {
        let callee = self
            .source_scopes(script, call.source)?
            .call_at(call.position)?;
        let inner_scopes = self.source_scopes(script, inner.source)?;
        let target = FunctionRef::new(inner.source, inner_scopes.innermost(inner.position)?);
        if inner_scopes.callee_name(target.scope)? == callee {
            return None;
        }
        if !self.minified_call_skips_to(script, minified_call, minified_inner, callee) {
            return None;
        }
        let mut sources = vec![call.source];
        if inner.source != call.source {
            sources.push(inner.source);
        }
        for source in sources {
            let scopes = self.source_scopes(script, source)?;
            for called in scopes.functions_called(callee) {
                let called = FunctionRef::new(source, called);
                if called == target {
                    continue;
                }
                let chain = call_chain(&|index| self.source_scopes(script, index), called, target);
                if chain.is_some() {
                    return chain;
                }
            }
        }
        None
    }

    /// Whether the minified code proves that the original call of `original_callee`
    /// at the caller's frame (`call`) is gone: the minified code there calls, by its
    /// name, the very minified function the callee's frame (`inner`) is in, and that
    /// name is not the original callee's. A call that still names what the original
    /// named (`t.run(x)` for `this.run(x)`) was not inlined, whatever function holds
    /// `run` at run time (`inst.run = inst.parse`, an alias, a bound or wrapped
    /// replacement): the runtime printed the frames there are. Without the minified
    /// script nothing is proven, and nothing is rebuilt.
    fn minified_call_skips_to(
        &self,
        script: &Script,
        call: Position,
        inner: Position,
        original_callee: &str,
    ) -> bool {
        let Some(called) = minified_callee_at(script, call) else {
            return false;
        };
        if called == original_callee {
            return false;
        }
        let Some(scopes) = self.minified_scopes(script) else {
            return false;
        };
        scopes
            .innermost(inner)
            .and_then(|function| scopes.callee_name(function))
            .is_some_and(|name| name == called)
    }

    /// The original frame of one call of a rebuilt chain: in the caller, at the call.
    pub(super) fn call_frame(
        &self,
        script: &Script,
        call: &InlinedCall,
        format: TraceFormat,
    ) -> OriginalFrame {
        self.frame_in(script, call.site(), Some(call.caller.scope), format)
    }
}

/// The name a call written at `position` of the minified script calls, where
/// engines report calls: at the callee's last name (`f(`, `o.f(`, `new F(`; V8) or at
/// the call's `(` (SpiderMonkey in some places). `None` when no call with a named
/// callee is written there.
fn minified_callee_at(script: &Script, position: Position) -> Option<&str> {
    let (text, at) = script.minified_at(position)?;
    let rest = &text[at..];
    if rest.starts_with('(') {
        let before = text[..at].trim_end_matches(is_name_char);
        let name = &text[before.len()..at];
        return is_callee_name(name).then_some(name);
    }
    let rest = rest.strip_prefix("new ").map_or(rest, str::trim_start);
    let rest = rest
        .strip_prefix("?.")
        .or_else(|| rest.strip_prefix('.'))
        .unwrap_or(rest);
    let length = rest.len() - rest.trim_start_matches(is_name_char).len();
    let (name, after) = rest.split_at(length);
    let after = after.trim_start();
    let calls = after.starts_with('(') || after.starts_with("?.(") || after.starts_with('`');
    (is_callee_name(name) && calls).then_some(name)
}

/// Whether `word` can name a callee (not empty, not a number, not a keyword a `(`
/// follows).
fn is_callee_name(word: &str) -> bool {
    !word.is_empty() && !word.starts_with(|c: char| c.is_ascii_digit()) && !is_keyword(word)
}

/// How many calls deep a chain may be (inlining deeper than this is rare, and each
/// level widens the search).
const MAX_DEPTH: usize = 4;
/// How many functions the search may visit, so that a source full of same-named
/// functions cannot make it slow.
const MAX_VISITED: usize = 512;

/// The calls from `home` down to `target`, outermost first, when a shortest chain
/// exists: `home` calls the next function at the first call's position, and so on,
/// until a call of `target`. Callees are resolved by name among the functions of
/// `sources` (the home's and the target's sources: inlining across more files than
/// these is not followed). `scopes_of` gives a source's scopes.
pub(super) fn call_chain<'s>(
    scopes_of: &dyn Fn(u32) -> Option<&'s FunctionScopes>,
    home: FunctionRef,
    target: FunctionRef,
) -> Option<Vec<InlinedCall>> {
    let target_name = scopes_of(target.source)?
        .callee_name(target.scope)?
        .to_owned();
    let mut sources = vec![home.source];
    if target.source != home.source {
        sources.push(target.source);
    } else if !may_reach(scopes_of(home.source)?, home.scope, &target_name) {
        return None; // No chain of calls leads there: the search below would fail.
    }
    // Breadth first, so the shortest chain wins; each entry remembers how it was
    // reached (index of the previous entry and the call). Functions seen are marked
    // in one bit set per source (a hash set's hashing was a third of a search).
    let mut visited: Vec<(FunctionRef, ReachedBy)> = vec![(home, None)];
    let mut seen: Vec<Vec<u64>> = sources
        .iter()
        .map(|&source| {
            vec![
                0;
                scopes_of(source)
                    .map_or(0, FunctionScopes::len)
                    .div_ceil(64)
            ]
        })
        .collect();
    let mut mark = |slot: usize, id: ScopeId| -> bool {
        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
        match seen[slot].get_mut(word) {
            Some(bits) if *bits & bit == 0 => {
                *bits |= bit;
                true
            }
            Some(_) => false,
            // Not a function of the source (corrupt scopes): never followed.
            None => false,
        }
    };
    mark(0, home.scope);
    // Whether a call of the target's name reaches the target: the same for every call.
    let mut resolves = None;
    let mut queue = VecDeque::from([(0usize, 0usize)]);
    while let Some((entry, depth)) = queue.pop_front() {
        let (function, _) = visited[entry];
        let scopes = scopes_of(function.source)?;
        for (callee, position, same_source) in scopes.calls_in_resolved(function.scope) {
            if callee == target_name
                && *resolves.get_or_insert_with(|| {
                    target_calls_resolve(scopes_of, &sources, callee, target)
                })
            {
                let mut chain = vec![InlinedCall {
                    caller: function,
                    position,
                }];
                let mut at = entry;
                while let Some((previous, call)) = visited[at].1 {
                    chain.push(InlinedCall {
                        caller: visited[previous].0,
                        position: call,
                    });
                    at = previous;
                }
                chain.reverse();
                return Some(chain);
            }
            if depth + 1 >= MAX_DEPTH || visited.len() >= MAX_VISITED {
                continue;
            }
            for (slot, &source) in sources.iter().enumerate() {
                let called = if source == function.source {
                    same_source
                } else {
                    match scopes_of(source) {
                        Some(source_scopes) => source_scopes.functions_named(callee),
                        None => continue,
                    }
                };
                for &next in called {
                    if mark(slot, next) {
                        visited.push((FunctionRef::new(source, next), Some((entry, position))));
                        queue.push_back((visited.len() - 1, depth + 1));
                    }
                }
            }
        }
    }
    None
}

/// How many functions [`may_reach`] follows back before it leaves the question to the
/// search.
const MAX_CALLERS_FOLLOWED: usize = 4096;

/// Whether, within one source, a chain of at most `MAX_DEPTH` functions from `home`
/// may end in a call naming `target_name`: followed back from the functions making
/// such a call, through the functions calling them, as [`call_chain`] follows calls
/// forward. False only when no such chain exists; true when one may (or when the
/// functions to follow back are too many to tell).
fn may_reach(scopes: &FunctionScopes, home: ScopeId, target_name: &str) -> bool {
    let mut seen = vec![0u64; scopes.len().div_ceil(64)];
    let mut count = 0;
    let mut level: Vec<ScopeId> = Vec::new();
    let mut visit = |id: ScopeId, next: &mut Vec<ScopeId>| -> Option<bool> {
        let (word, bit) = (id as usize / 64, 1u64 << (id % 64));
        let bits = seen.get_mut(word)?;
        if *bits & bit != 0 {
            return None;
        }
        *bits |= bit;
        count += 1;
        if id == home || count > MAX_CALLERS_FOLLOWED {
            return Some(true);
        }
        next.push(id);
        None
    };
    for &caller in scopes.callers_naming(target_name) {
        if visit(caller, &mut level).is_some() {
            return true;
        }
    }
    // `home` at depth d of the search makes the call when it is d calls back.
    for _ in 1..MAX_DEPTH {
        let mut next = Vec::new();
        for &function in &level {
            let Some(name) = scopes.callee_name(function) else {
                continue;
            };
            for &caller in scopes.callers_naming(name) {
                if visit(caller, &mut next).is_some() {
                    return true;
                }
            }
        }
        if next.is_empty() {
            return false;
        }
        level = next;
    }
    false
}

/// Whether a call naming `callee` can reach `target` (it is one of the functions of
/// that name in `sources`).
fn target_calls_resolve<'s>(
    scopes_of: &dyn Fn(u32) -> Option<&'s FunctionScopes>,
    sources: &[u32],
    callee: &str,
    target: FunctionRef,
) -> bool {
    sources.contains(&target.source)
        && scopes_of(target.source)
            .is_some_and(|scopes| scopes.functions_called(callee).any(|id| id == target.scope))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position_of(source: &str, needle: &str) -> Position {
        let offset = source.find(needle).expect("needle");
        let line = source[..offset].matches('\n').count() as u32;
        let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        Position::new(line, (offset - start) as u32)
    }

    /// The function containing the first `needle` of `source` (source index 0).
    fn function_at(scopes: &FunctionScopes, source: &str, needle: &str) -> FunctionRef {
        FunctionRef::new(0, scopes.innermost(position_of(source, needle)).unwrap())
    }

    #[test]
    fn the_minified_callee_is_read_where_engines_report_calls() {
        let minified = "a(1);o.run(2);o?.go(3);new Foo(4);x.y?.(5);if(q)z;b (6);9(7);n`t`";
        let (_, script) = crate::symbolicate::rules::tests::load("x", minified, &[(0, 0, 0)]);
        let callee = |needle: &str| {
            let column = minified.find(needle).expect("needle") as u32;
            minified_callee_at(&script, Position::new(0, column))
        };
        // V8: at the callee's last name; SpiderMonkey sometimes at the `(`.
        assert_eq!(callee("a(1)"), Some("a"));
        assert_eq!(callee("(1)"), Some("a"));
        assert_eq!(callee("run(2)"), Some("run"));
        assert_eq!(callee(".run(2)"), Some("run"));
        assert_eq!(callee("go(3)"), Some("go"));
        assert_eq!(callee("new Foo"), Some("Foo"));
        assert_eq!(callee("y?.(5)"), Some("y"));
        assert_eq!(callee("b (6)"), Some("b"));
        assert_eq!(callee("n`t`"), Some("n"));
        // Not a call of a named callee: a keyword's `(`, a plain name, a number.
        assert_eq!(callee("(q)"), None);
        assert_eq!(callee("z;"), None);
        assert_eq!(callee("(7)"), None);
        assert_eq!(callee("o.run"), None);
    }

    #[test]
    fn finds_direct_and_nested_calls() {
        let source = "function load(x) {\n  return parse(x);\n}\nfunction parse(x) {\n  return check(x);\n}\nfunction check(x) {\n  throw new Error(x);\n}\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        let of = |_: u32| Some(&scopes);
        let id = |needle: &str| function_at(&scopes, source, needle);
        let (load, parse, check) = (id("return parse"), id("return check"), id("throw"));
        let direct = call_chain(&of, load, parse).unwrap();
        assert_eq!(direct.len(), 1);
        assert_eq!(direct[0].caller, load);
        assert_eq!(direct[0].position, position_of(source, "parse(x);"));
        let nested = call_chain(&of, load, check).unwrap();
        assert_eq!(
            nested,
            vec![
                InlinedCall {
                    caller: load,
                    position: position_of(source, "parse(x);")
                },
                InlinedCall {
                    caller: parse,
                    position: position_of(source, "check(x);")
                },
            ]
        );
        // No call leads back up.
        assert_eq!(call_chain(&of, check, load), None);
    }

    #[test]
    fn method_calls_and_constructors_resolve_by_their_last_name() {
        let source = "class Store {\n  constructor() { this.reset(); }\n  reset() { throw 1; }\n}\nconst make = () => new Store();\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        let of = |_: u32| Some(&scopes);
        let at = |needle: &str| function_at(&scopes, source, needle);
        let chain = call_chain(&of, at("new Store"), at("throw 1")).unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[0].position, position_of(source, "new Store"));
        assert_eq!(chain[1].position, position_of(source, "reset();"));
    }

    #[test]
    fn searches_that_cannot_succeed_are_told_apart_before_they_run() {
        let source = "function a() { b(); }\nfunction b() { c(); }\nfunction c() { d(); }\nfunction d() { e(); }\nfunction e() { t(); }\nfunction t() { throw 1; }\nfunction lone() { nothing(); }\nfunction also() { t(0); }\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        let of = |_: u32| Some(&scopes);
        let id = |needle: &str| function_at(&scopes, source, needle);
        let (a, b, e, t, lone, also) = (
            id("b();"),
            id("c();"),
            id("t(); }\nfunction t"),
            id("throw"),
            id("nothing"),
            id("t(0)"),
        );
        let mut callers = scopes.callers_naming("t").to_vec();
        callers.sort_unstable();
        assert_eq!(callers, [e.scope, also.scope]);
        assert!(
            scopes.callers_naming("nothing").is_empty(),
            "no function of that name"
        );
        // `t` is called 4 calls down from `a`, past the search's depth; 3 from `b`.
        for (home, reachable) in [
            (a, false),
            (b, true),
            (e, true),
            (lone, false),
            (also, true),
        ] {
            assert_eq!(may_reach(&scopes, home.scope, "t"), reachable, "{home:?}");
            assert_eq!(call_chain(&of, home, t).is_some(), reachable, "{home:?}");
        }
    }

    #[test]
    fn anonymous_targets_and_unrelated_functions_give_nothing() {
        let source =
            "function a() { b(); }\nfunction b() {}\nconst c = [1].map(() => { throw 1; });\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        let of = |_: u32| Some(&scopes);
        let at = |needle: &str| function_at(&scopes, source, needle);
        assert_eq!(call_chain(&of, at("b();"), at("throw 1")), None);
        assert_eq!(call_chain(&of, at("b() {}"), at("b();")), None);
    }
}
