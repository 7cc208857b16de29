//! Calls in an original source: which call engines report at a position, which call
//! holds a position in its arguments or ends at it, and which calls a function makes
//! (for rebuilding the frames of inlined functions).
//!
//! The queries a symbolicator makes per frame run in logarithmic time over the
//! indexes of `QueryIndex`, not in scans of every call.

use super::{CallSite, FunctionScopes, ScopeId, NONE};
use crate::position::Position;

impl FunctionScopes {
    /// The named calls made directly in function `id` (not in functions nested in it),
    /// in order of position: (callee, where engines report the call).
    pub fn calls_in(&self, id: ScopeId) -> impl Iterator<Item = (&str, Position)> + '_ {
        let by_scope = &self.index.by_scope;
        let scope_of = move |i: u32| self.calls[i as usize].scope;
        let first = by_scope.partition_point(|&i| scope_of(i) < Some(id));
        by_scope[first..]
            .iter()
            .take_while(move |&&i| scope_of(i) == Some(id))
            .map(move |&i| {
                let call = &self.calls[i as usize];
                (call.callee.as_str(), call.position)
            })
            // Calls of no name (`o[k]()`) lead to no function by name.
            .filter(|(callee, _)| !callee.is_empty())
    }

    /// [`FunctionScopes::calls_in`], each call with the functions of this source it
    /// may call ([`FunctionScopes::functions_called`]), resolved once per source
    /// rather than by a lookup of the name per call.
    pub fn calls_in_resolved(
        &self,
        id: ScopeId,
    ) -> impl Iterator<Item = (&str, Position, &[ScopeId])> + '_ {
        let index = &self.index;
        let groups = self.call_groups();
        let by_scope = &index.by_scope;
        let scope_of = move |i: u32| self.calls[i as usize].scope;
        let first = by_scope.partition_point(|&i| scope_of(i) < Some(id));
        by_scope[first..]
            .iter()
            .take_while(move |&&i| scope_of(i) == Some(id))
            .filter(move |&&i| !self.calls[i as usize].callee.is_empty())
            .map(move |&i| {
                let call = &self.calls[i as usize];
                let functions = match groups[i as usize] {
                    NONE => &[][..],
                    group => index.callee_groups[group as usize].as_slice(),
                };
                (call.callee.as_str(), call.position, functions)
            })
    }

    /// Each call's group of functions in `callee_groups` (`NONE`: none).
    fn call_groups(&self) -> &[u32] {
        let index = &self.index;
        index.call_groups.0.get_or_init(|| {
            let group = |call: &CallSite| index.by_callee_name.get(call.callee.as_str());
            self.calls
                .iter()
                .map(|call| group(call).copied().unwrap_or(NONE))
                .collect()
        })
    }

    /// The functions that make a call naming `callee` (directly, not in functions
    /// nested in them), each once, in order of ID: known for the names of this
    /// source's functions ([`FunctionScopes::callee_name`]); empty for other names.
    pub fn callers_naming(&self, callee: &str) -> &[ScopeId] {
        let index = &self.index;
        let Some(&group) = index.by_callee_name.get(callee) else {
            return &[];
        };
        let callers = index.callers.0.get_or_init(|| {
            let groups = self.call_groups();
            let mut callers = vec![Vec::new(); index.callee_groups.len()];
            // `by_scope` is in order of function: each function is pushed once.
            for &i in &index.by_scope {
                let (group, scope) = (groups[i as usize], self.calls[i as usize].scope);
                let (Some(scope), Some(list)) = (scope, callers.get_mut(group as usize)) else {
                    continue;
                };
                if list.last() != Some(&scope) {
                    list.push(scope);
                }
            }
            callers
        });
        &callers[group as usize]
    }

    /// The callee of the call engines report at exactly `position`, if any (empty for
    /// a callee without a name, `o[k](…)`, reported at its `(`).
    pub fn call_at(&self, position: Position) -> Option<&str> {
        self.call_reported_at(position).map(|c| c.callee.as_str())
    }

    /// The call engines report at exactly `position` (calls are sorted by it).
    fn call_reported_at(&self, position: Position) -> Option<&CallSite> {
        let first = self.calls.partition_point(|c| c.position < position);
        self.calls.get(first).filter(|c| c.position == position)
    }

    /// The callee of the member call (`o.m()`, not `f()` or `new C()`) that engines
    /// report at exactly `position`, if any.
    pub fn member_call_at(&self, position: Position) -> Option<&str> {
        self.call_reported_at(position)
            // A member call's expression starts at its object, before the property.
            .filter(|c| c.span.start < c.position && !c.callee.is_empty())
            .map(|c| c.callee.as_str())
    }

    /// Where the call engines report at exactly `position` starts and ends, if any.
    pub fn call_span_at(&self, position: Position) -> Option<crate::position::Span> {
        self.call_reported_at(position).map(|c| c.span)
    }

    /// The innermost call whose expression contains `position` and, when `callee` is
    /// given, calls that name: (where engines report it, the function it is in, if
    /// any).
    pub fn call_containing(
        &self,
        position: Position,
        callee: Option<&str>,
    ) -> Option<(Position, Option<ScopeId>)> {
        let spans = &self.index;
        // The last call starting at or before the position (the shortest of those
        // starting together); the calls containing the position are it or its
        // ancestors, innermost first.
        let first_after = spans
            .by_start
            .partition_point(|&i| self.calls[i as usize].span.start <= position);
        let mut entry = first_after.checked_sub(1)? as u32;
        loop {
            let call = &self.calls[spans.by_start[entry as usize] as usize];
            if call.span.contains(position) && callee.is_none_or(|name| call.callee == name) {
                return Some((call.position, call.scope));
            }
            entry = spans.parent[entry as usize];
            if entry == NONE {
                return None;
            }
        }
    }

    /// The innermost call that `position` lies in after the call's start, i.e. in its
    /// callee's tail or its arguments, not at the call's own first token: (where
    /// engines report it, the function it is in, if any).
    pub fn call_around(&self, position: Position) -> Option<(Position, Option<ScopeId>)> {
        let spans = &self.index;
        // The last call starting before the position; if it ends before it too, the
        // innermost call around the position is one of the calls around that one.
        let first_after = spans
            .by_start
            .partition_point(|&i| self.calls[i as usize].span.start < position);
        let mut entry = first_after.checked_sub(1)? as u32;
        loop {
            let call = &self.calls[spans.by_start[entry as usize] as usize];
            if position < call.span.end {
                return Some((call.position, call.scope));
            }
            entry = spans.parent[entry as usize];
            if entry == NONE {
                return None;
            }
        }
    }

    /// The call whose closing `)` is at `position`, i.e. whose expression ends just
    /// after it: (where engines report it, the function it is in).
    pub fn call_ending_at(&self, position: Position) -> Option<(Position, Option<ScopeId>)> {
        let end = Position::new(position.line, position.column + 1);
        // The last of the calls ending there is the one that starts last.
        let after = self
            .index
            .by_end
            .partition_point(|&i| self.calls[i as usize].span.end <= end);
        let call = &self.calls[self.index.by_end[after.checked_sub(1)?] as usize];
        (call.span.end == end).then_some((call.position, call.scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every position of a source with nested functions and calls gets the same
    /// answers from the indexed queries as from a scan of every function and call.
    #[test]
    fn indexed_queries_agree_with_full_scans() {
        let source = "function a(x) { return b(c(x), function d() { return e.f(g(1)(2)); }); }\n\
            const h = (y) => i(j(y, () => k(l(y))), m.n(o()));\n\
            class P { q(r) { return s(this.t(r), u => v(u)); } static w() { x(y(z())); } }\n\
            var aa = bb(function () { cc(dd(ee(), ff(gg())), hh); }), ii = jj(kk)(ll);\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        assert!(scopes.calls.len() > 20, "{}", scopes.calls.len());
        let scan_function_at = |position: Position| {
            scopes
                .scopes
                .iter()
                .rposition(|s| s.name_position == Some(position) || s.extent.start == position)
                .map(|i| i as ScopeId)
                .or_else(|| scopes.innermost(position))
        };
        let scan_call_containing = |position: Position, callee: Option<&str>| {
            scopes
                .calls
                .iter()
                .filter(|c| c.span.contains(position))
                .filter(|c| callee.is_none_or(|name| c.callee == name))
                .max_by_key(|c| (c.span.start, std::cmp::Reverse(c.span.end)))
                .map(|c| (c.position, c.scope))
        };
        let callees: Vec<&str> = scopes.calls.iter().map(|c| c.callee.as_str()).collect();
        let mut checked = 0;
        for (line, text) in source.lines().enumerate() {
            for column in 0..=text.len() as u32 + 1 {
                let at = Position::new(line as u32, column);
                assert_eq!(scopes.function_at(at), scan_function_at(at), "{at:?}");
                assert_eq!(
                    scopes.call_containing(at, None),
                    scan_call_containing(at, None),
                    "{at:?}"
                );
                for &callee in &callees {
                    assert_eq!(
                        scopes.call_containing(at, Some(callee)),
                        scan_call_containing(at, Some(callee)),
                        "{at:?} {callee}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 200);
    }

    #[test]
    fn calls_of_unnamed_callees_are_reported_at_their_paren() {
        let source = "function f(o, k) {\n  o[k](1); g()(2); (0, o.m)?.(3); o.m(4);\n}\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        let at = |needle: &str| {
            Position::new(
                1,
                source.lines().nth(1).unwrap().find(needle).unwrap() as u32,
            )
        };
        for paren in ["(1)", ")(2)", "(3)"] {
            let position = if paren.starts_with(')') {
                Position::new(at(paren).line, at(paren).column + 1)
            } else {
                at(paren)
            };
            assert_eq!(scopes.call_at(position), Some(""), "{paren}");
            // No name: not a member call to rename by, no call to follow by name.
            assert_eq!(scopes.member_call_at(position), None, "{paren}");
        }
        assert_eq!(scopes.member_call_at(at("m(4)")), Some("m"));
        let function = scopes.innermost(at("(1)")).unwrap();
        let named: Vec<&str> = scopes.calls_in(function).map(|(name, _)| name).collect();
        assert_eq!(named, ["g", "m"]);
    }

    #[test]
    fn span_queries_equal_a_scan_of_every_call() {
        let source = "function f(a) {\n  return g(h(a, k(1)), m(n(o(2)))(p(3)), q.r(s(t)));\n}\n\
                      f(g(1))(h(2)); new C(d(e(f(0))), x.y(z()));\nfoo((bar)(baz(1)), qux());\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        assert!(scopes.calls.len() > 15);
        let calls = &scopes.calls;
        for line in 0..4 {
            for column in 0..70 {
                let position = Position::new(line, column);
                let around = calls
                    .iter()
                    .filter(|c| c.span.start < position && position < c.span.end)
                    .max_by_key(|c| (c.span.start, std::cmp::Reverse(c.span.end)))
                    .map(|c| (c.position, c.scope));
                assert_eq!(scopes.call_around(position), around, "{line}:{column}");
                let ending = calls
                    .iter()
                    .filter(|c| c.span.end == Position::new(line, column + 1))
                    .max_by_key(|c| c.span.start)
                    .map(|c| (c.position, c.scope));
                assert_eq!(scopes.call_ending_at(position), ending, "{line}:{column}");
            }
        }
    }

    #[test]
    fn call_around_is_the_call_whose_arguments_hold_a_position() {
        let scopes =
            FunctionScopes::parse("function f() {\n  return compiled(g(data), x);\n}\n", None);
        let at = Position::new;
        // In `g`'s arguments: `g(…)`; at `g` itself: the call `g` is an argument of.
        assert_eq!(scopes.call_around(at(1, 20)), Some((at(1, 18), Some(0))));
        assert_eq!(scopes.call_around(at(1, 18)), Some((at(1, 9), Some(0))));
        assert_eq!(scopes.call_around(at(1, 27)), Some((at(1, 9), Some(0))));
        assert_eq!(scopes.call_around(at(1, 9)), None);
    }
}
