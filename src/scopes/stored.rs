//! The binary form of [`FunctionScopes`] that a cache stores, so that a symbolicator
//! reading a cache answers function names without parsing any source.
//!
//! Positions are written as two little-endian `u32` (0-based line, UTF-16 column); the
//! layout is part of the cache format and must not change.

use super::{CallSite, FunctionScopes, Scope, NONE};
use crate::position::{Position, Span};

impl FunctionScopes {
    /// A compact binary form, for storing scopes in a cache: `[count u32]`, then per
    /// scope seven u32 (start line, start column, end line, end column, parent, name
    /// line, name column; `u32::MAX` for none), the name and the context (each
    /// `[length u32][UTF-8]`, length `u32::MAX` for none). Then the calls:
    /// `[count u32]`, per call seven u32 (line, column, enclosing scope or `u32::MAX`,
    /// the call expression's start line and column, its end line and column) and the
    /// callee (`[length u32][UTF-8]`, empty for a callee without a name); left out when
    /// there are none. Then, when any anonymous function has a V8-inferred name, those
    /// names: `[count u32]`, per name its scope's index (u32) and the name
    /// (`[length u32][UTF-8]`); the calls' count is then written even when it is 0.
    /// Little-endian. A reader of the scopes alone stops before the calls, one of the
    /// calls before the names, and a form without them has none.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + self.scopes.len() * 36);
        let put = |value: u32, out: &mut Vec<u8>| out.extend_from_slice(&value.to_le_bytes());
        put(self.scopes.len() as u32, &mut out);
        for scope in &self.scopes {
            let name = scope.name_position.unwrap_or(Position::new(NONE, NONE));
            for value in [
                scope.extent.start.line,
                scope.extent.start.column,
                scope.extent.end.line,
                scope.extent.end.column,
                scope.parent.unwrap_or(NONE),
                name.line,
                name.column,
            ] {
                put(value, &mut out);
            }
            for text in [&scope.name, &scope.context] {
                match text {
                    Some(text) => {
                        put(text.len() as u32, &mut out);
                        out.extend_from_slice(text.as_bytes());
                    }
                    None => put(NONE, &mut out),
                }
            }
        }
        let v8_names: Vec<(u32, &str)> = (self.scopes.iter().enumerate())
            .filter_map(|(i, scope)| Some((i as u32, scope.v8_name.as_deref()?)))
            .collect();
        // Without calls or V8 names the trailer is left out: the bytes are then exactly
        // the form written before calls were stored.
        if self.calls.is_empty() && v8_names.is_empty() {
            return out;
        }
        put(self.calls.len() as u32, &mut out);
        for call in &self.calls {
            for value in [
                call.position.line,
                call.position.column,
                call.scope.unwrap_or(NONE),
                call.span.start.line,
                call.span.start.column,
                call.span.end.line,
                call.span.end.column,
                call.callee.len() as u32,
            ] {
                put(value, &mut out);
            }
            out.extend_from_slice(call.callee.as_bytes());
        }
        if !v8_names.is_empty() {
            put(v8_names.len() as u32, &mut out);
            for (scope, name) in v8_names {
                put(scope, &mut out);
                put(name.len() as u32, &mut out);
                out.extend_from_slice(name.as_bytes());
            }
        }
        out
    }

    /// Reads [`FunctionScopes::encode`]'s form back; `None` for anything malformed
    /// (truncated, a parent that is not an earlier scope, a name that is not UTF-8).
    pub(crate) fn decode(bytes: &[u8]) -> Option<FunctionScopes> {
        let mut input = Cursor { bytes, at: 0 };
        let count = input.word()? as usize;
        // Each scope takes at least 36 bytes: never allocate past what the input holds.
        if count > bytes.len() / 36 {
            return None;
        }
        let mut scopes = Vec::with_capacity(count);
        for index in 0..count as u32 {
            let mut values = [0u32; 7];
            for value in &mut values {
                *value = input.word()?;
            }
            let [start_line, start_column, end_line, end_column, parent, name_line, name_column] =
                values;
            let parent = (parent != NONE).then_some(parent);
            if parent.is_some_and(|p| p >= index) {
                return None;
            }
            let name = input.text()?;
            let context = input.text()?;
            scopes.push(Scope {
                v8_name: None,
                extent: Span::new(
                    Position::new(start_line, start_column),
                    Position::new(end_line, end_column),
                ),
                parent,
                name,
                name_position: (name_line != NONE).then_some(Position::new(name_line, name_column)),
                context,
            });
        }
        let mut calls = Vec::new();
        if input.at < bytes.len() {
            let count = input.word()? as usize;
            // Each call takes at least 32 bytes.
            if count > (bytes.len() - input.at) / 32 {
                return None;
            }
            calls.reserve(count);
            for _ in 0..count {
                let mut values = [0u32; 7];
                for value in &mut values {
                    *value = input.word()?;
                }
                let [line, column, scope, start_line, start_column, end_line, end_column] = values;
                let scope = (scope != NONE).then_some(scope);
                if scope.is_some_and(|s| s as usize >= scopes.len()) {
                    return None;
                }
                let callee = input.text()??;
                calls.push(CallSite {
                    position: Position::new(line, column),
                    callee,
                    scope,
                    span: Span::new(
                        Position::new(start_line, start_column),
                        Position::new(end_line, end_column),
                    ),
                });
            }
            // Queries binary-search calls by position.
            if calls.windows(2).any(|w| w[0].position > w[1].position) {
                return None;
            }
        }
        if input.at < bytes.len() {
            let count = input.word()? as usize;
            // Each name takes at least 8 bytes.
            if count > (bytes.len() - input.at) / 8 {
                return None;
            }
            for _ in 0..count {
                let index = input.word()? as usize;
                let name = input.text()??;
                let scope = scopes.get_mut(index)?;
                if scope.name.is_some() || scope.v8_name.is_some() {
                    return None;
                }
                scope.v8_name = Some(name);
            }
            if input.at != bytes.len() {
                return None;
            }
        }
        Some(FunctionScopes::new(scopes, calls))
    }
}

/// Reads [`FunctionScopes::decode`]'s input front to back.
struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Cursor<'b> {
    fn take(&mut self, n: usize) -> Option<&'b [u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn word(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// `[length u32][UTF-8]`; `Some(None)` for the length `u32::MAX`.
    fn text(&mut self) -> Option<Option<String>> {
        let length = self.word()?;
        if length == NONE {
            return Some(None);
        }
        let raw = self.take(length as usize)?;
        Some(Some(std::str::from_utf8(raw).ok()?.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_round_trips_and_refuses_damage() {
        let source = "class A { m() { const f = () => g(1); } }\nfunction g() { new A(); }\nx.y = function () { this.z(); };\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        assert_eq!(scopes.len(), 4);
        assert_eq!(scopes.calls.len(), 3);
        let bytes = scopes.encode();
        assert_eq!(FunctionScopes::decode(&bytes), Some(scopes.clone()));
        // The form without calls (caches written before calls were stored) ends where
        // the calls would start; every other cut is refused.
        let without_calls = FunctionScopes::new(scopes.scopes.clone(), Vec::new());
        let calls_start = without_calls.encode().len();
        for cut in 0..bytes.len() {
            let expected = (cut == calls_start).then(|| without_calls.clone());
            assert_eq!(
                FunctionScopes::decode(&bytes[..cut]),
                expected,
                "cut at {cut}"
            );
        }
        // Calls out of position order or naming a scope that does not exist are refused.
        let mut unordered = scopes.clone();
        unordered.calls.swap(0, 2);
        assert_eq!(FunctionScopes::decode(&unordered.encode()), None);
        let mut dangling = scopes.clone();
        dangling.calls[0].scope = Some(9);
        assert_eq!(FunctionScopes::decode(&dangling.encode()), None);
        let mut huge = bytes.clone();
        huge[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(FunctionScopes::decode(&huge), None);
        // SpiderMonkey-style contexts survive the round trip too.
        let firefox = FunctionScopes::parse("var sortBy = wrap(function () {});\n", Some("a.js"));
        assert_eq!(
            FunctionScopes::decode(&firefox.encode()),
            Some(firefox.clone())
        );
        assert_eq!(
            firefox.anonymous_context(Position::new(0, 30)),
            Some("sortBy")
        );
        // V8's inferred names survive it, with or without calls.
        for source in ["var t = [() => 1];\n", "var t = [() => f()];\n"] {
            let v8 = FunctionScopes::parse(source, Some("a.js"));
            assert_eq!(v8.v8_name_of(0), Some("t"));
            let bytes = v8.encode();
            assert_eq!(FunctionScopes::decode(&bytes), Some(v8.clone()));
            // Cut inside the names, or with bytes after them: refused.
            assert_eq!(FunctionScopes::decode(&bytes[..bytes.len() - 1]), None);
            assert_eq!(FunctionScopes::decode(&[&bytes[..], &[0]].concat()), None);
        }
        // A parent that is not an earlier scope is refused (it could loop).
        let mut looped = bytes.clone();
        looped[4 + 16..4 + 20].copy_from_slice(&0u32.to_le_bytes());
        assert_eq!(FunctionScopes::decode(&looped), None);
    }
}
