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

use std::collections::{HashSet, VecDeque};

use crate::scopes::{FunctionScopes, ScopeId};

/// A function in a source: (source index, scope).
pub(super) type FunctionRef = (u32, ScopeId);

/// An original position: (source index, (line, column)).
pub(super) type SourcePosition = (u32, (u32, u32));

/// How the search reached a function: the index of the visited entry that called it,
/// and where that call is.
type ReachedBy = Option<(usize, (u32, u32))>;

/// One call of a reconstructed chain: `caller` calls the next function at
/// (`line`, `column`) of the caller's source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct InlinedCall {
    pub(super) caller: FunctionRef,
    pub(super) position: (u32, u32),
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
    let target_name = scopes_of(target.0)?.callee_name(target.1)?.to_owned();
    let mut sources = vec![home.0];
    if target.0 != home.0 {
        sources.push(target.0);
    }
    // Breadth first, so the shortest chain wins; each entry remembers how it was
    // reached (index of the previous entry and the call).
    let mut visited: Vec<(FunctionRef, ReachedBy)> = vec![(home, None)];
    let mut seen: HashSet<FunctionRef> = HashSet::from([home]);
    let mut queue = VecDeque::from([(0usize, 0usize)]);
    while let Some((entry, depth)) = queue.pop_front() {
        let (function, _) = visited[entry];
        let scopes = scopes_of(function.0)?;
        for (callee, position) in scopes.calls_in(function.1) {
            if callee == target_name && target_calls_resolve(scopes_of, &sources, callee, target) {
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
            for &source in &sources {
                let Some(source_scopes) = scopes_of(source) else {
                    continue;
                };
                for next in source_scopes.functions_called(callee) {
                    let next = (source, next);
                    if seen.insert(next) {
                        visited.push((next, Some((entry, position))));
                        queue.push_back((visited.len() - 1, depth + 1));
                    }
                }
            }
        }
    }
    None
}

/// Whether a call naming `callee` can reach `target` (it is one of the functions of
/// that name in `sources`).
fn target_calls_resolve<'s>(
    scopes_of: &dyn Fn(u32) -> Option<&'s FunctionScopes>,
    sources: &[u32],
    callee: &str,
    target: FunctionRef,
) -> bool {
    sources.contains(&target.0)
        && scopes_of(target.0)
            .is_some_and(|scopes| scopes.functions_called(callee).any(|id| id == target.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position_of(source: &str, needle: &str) -> (u32, u32) {
        let offset = source.find(needle).expect("needle");
        let line = source[..offset].matches('\n').count() as u32;
        let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        (line, (offset - start) as u32)
    }

    /// The function containing the first `needle` of `source` (source index 0).
    fn function_at(scopes: &FunctionScopes, source: &str, needle: &str) -> FunctionRef {
        let (line, column) = position_of(source, needle);
        (0, scopes.innermost(line, column).unwrap())
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
