//! Engine position rules: where engines report a frame, and how minifiers map those
//! places, so that a frame's minified position becomes the original position an engine
//! would have reported running the original code.
//!
//! One function per rule; each says which engine or minifier behaviour it answers.
//! [`Symbolicator::frame_position`] applies them in order.

use crate::lookup::{Bias, LookupOptions};
use crate::position::{Position, SourcePosition};
use crate::scopes::{Enclosing, FunctionScopes, ScopeId};
use crate::stacktrace::TraceFormat;
use crate::view::Token;

use super::scripts::{utf16_offset, Script};
use super::{SymbolicatedFrame, Symbolicator, Unmapped};

impl Symbolicator {
    /// Where a frame at `position` of the minified script is in the original sources,
    /// as engines would report it there.
    pub(super) fn frame_position(
        &self,
        script: &Script,
        position: Position,
    ) -> Result<SourcePosition, Unmapped> {
        let position = self
            .callee_name_of_call(script, position)
            .unwrap_or(position);
        let token = script
            .map
            .lookup(position.line, position.column)
            .ok_or(Unmapped::NoMapping)?;
        let found = token.original_position().ok_or(Unmapped::NoOriginal)?;
        if token.generated_position() == position {
            return Ok(self.best_of_tokens_at(script, position).unwrap_or(found));
        }
        let unmapped = self
            .call_of_unnamed_callee(script, position)
            .or_else(|| self.await_keyword(script, position));
        Ok(unmapped.unwrap_or(found))
    }

    /// V8 reports a call whose callee ends in a name (`f(`, `o.m(`) at that name;
    /// SpiderMonkey reports some of them (an arrow function's expression body) at the
    /// `(`, which a minifier may map elsewhere (swc maps it to the call of the function
    /// it inlined there). For a frame at such a `(`: the position of the name, so that
    /// the call is the name's, whichever engine printed it.
    fn callee_name_of_call(&self, script: &Script, position: Position) -> Option<Position> {
        let (text, at) = script.minified_at(position)?;
        if !text[at..].starts_with('(') {
            return None;
        }
        let before = &text[..at];
        let name = &before[before.trim_end_matches(is_name_char).len()..];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(name) {
            return None;
        }
        let column = position.column - name.encode_utf16().count() as u32;
        Some(Position::new(position.line, column))
    }

    /// Several tokens may start at the frame's column: swc maps the end of one
    /// construct and the start of the next there (`{` of a loop body and the call in
    /// it), and `new X(` compressed to `X(` to both `X` and `new`. Engines stop frames
    /// at calls, so of the original positions of those tokens the best
    /// [`Symbolicator::frame_rank`] wins (the first on ties); `None` with one token.
    fn best_of_tokens_at(&self, script: &Script, position: Position) -> Option<SourcePosition> {
        let tokens =
            script
                .map
                .original_positions(position.line, position.column, LookupOptions::default());
        if tokens.len() <= 1 {
            return None;
        }
        tokens
            .iter()
            .filter_map(Token::original_position)
            .min_by_key(|&at| self.frame_rank(script, at))
    }

    /// How likely an original position is where an engine stopped a frame: 0 at a
    /// call's reported position (its callee, property or `new`), 1 at other code (a
    /// call's closing `)` included, where swc maps calls), 2 at punctuation that
    /// nothing stops at (a function body's `{`, a statement's `;`).
    fn frame_rank(&self, script: &Script, at: SourcePosition) -> u8 {
        let SourcePosition { source, position } = at;
        let scopes = self.source_scopes(script, source);
        if scopes.is_some_and(|s| s.call_at(position).is_some()) {
            return 0;
        }
        let text = script.map.source_line(source, position.line);
        let first = text
            .and_then(|t| Some(&t[utf16_offset(t, position.column)?..]))
            .and_then(|rest| rest.chars().next());
        match first {
            Some(')') if scopes.is_some_and(|s| s.call_ending_at(position).is_some()) => 1,
            Some('{' | '}' | '(' | ')' | '[' | ']' | ';' | ',') => 2,
            _ => 1,
        }
    }

    /// Engines report a call whose callee is not a name (`f()(x)`, `(0, o.f)(x)`, a
    /// callee the minifier inlined: `compiled(data)` → `t("…")(e)`) at its `(`, which
    /// has no segment of its own: the segment before it is the callee's end, somewhere
    /// else in the original. The one after it is in the call's arguments, and the call
    /// is the innermost one around them.
    fn call_of_unnamed_callee(
        &self,
        script: &Script,
        position: Position,
    ) -> Option<SourcePosition> {
        let (text, at) = script.minified_at(position)?;
        if !text[at..].starts_with('(') {
            return None;
        }
        let next = next_original(script, position)?;
        let (call, _) = self
            .source_scopes(script, next.source)?
            .call_around(next.position)?;
        Some(SourcePosition::new(next.source, call))
    }

    /// V8 reports an async function's frame at the `await` it is suspended in, which
    /// terser leaves unmapped. The awaited operand is mapped, and the original `await`
    /// is written just before it.
    fn await_keyword(&self, script: &Script, position: Position) -> Option<SourcePosition> {
        let (text, at) = script.minified_at(position)?;
        let after_keyword = text[at..].strip_prefix("await")?;
        if after_keyword.starts_with(is_name_char) {
            return None;
        }
        let next = next_original(script, position)?;
        let original = script.map.source_line(next.source, next.position.line)?;
        let before = original[..utf16_offset(original, next.position.column)?].trim_end();
        let keyword = before.strip_suffix("await")?;
        if keyword.ends_with(is_name_char) {
            return None;
        }
        let column = keyword.encode_utf16().count() as u32;
        Some(SourcePosition::new(
            next.source,
            Position::new(next.position.line, column),
        ))
    }

    /// Some minifiers (swc) map a call to its closing `)`, where no engine reports a
    /// frame: the frame is the call, at the position engines report calls at.
    pub(super) fn call_for_closing_paren(
        &self,
        script: &Script,
        at: SourcePosition,
    ) -> SourcePosition {
        self.source_scopes(script, at.source)
            .and_then(|scopes| scopes.call_ending_at(at.position))
            .map_or(at, |(call, _)| SourcePosition::new(at.source, call))
    }

    /// V8 names an anonymous function called as a method (`def.fn(x)`) after the
    /// property (`Object.fn`): so does the frame of an anonymous function whose
    /// caller's frame is at such a call.
    pub(super) fn name_as_v8_would(
        &self,
        script: &Script,
        call: SourcePosition,
        callee_frame: Option<&mut SymbolicatedFrame>,
    ) {
        let Some(original) = callee_frame.and_then(|f| f.original.as_mut()) else {
            return;
        };
        if original.function.as_deref() != Some("<anonymous>") {
            return;
        }
        if let Some(property) = self
            .source_scopes(script, call.source)
            .and_then(|scopes| scopes.member_call_at(call.position))
            // `f.call(…)` and `f.apply(…)` call `f` itself, which V8 does not rename.
            .filter(|property| !matches!(*property, "call" | "apply"))
        {
            original.function = Some(property.to_owned());
        }
    }
}

/// The name to show for function `id` (`None`: top level): its own, or for an
/// anonymous function what the engine that printed the trace would show:
/// SpiderMonkey names it after the binding it flows into (`sortBy<`), the others print
/// `<anonymous>`.
pub(super) fn display_name(
    scopes: &FunctionScopes,
    id: Option<ScopeId>,
    format: TraceFormat,
) -> Option<String> {
    let id = id?;
    match scopes.name_of(id) {
        Enclosing::Named(name) => Some(name.to_owned()),
        Enclosing::Anonymous => Some(match (format, scopes.context_of(id)) {
            (TraceFormat::SpiderMonkey, Some(context)) => format!("{context}<"),
            _ => "<anonymous>".to_owned(),
        }),
        Enclosing::TopLevel => None,
    }
}

/// The original position of the first token after `position` (on any later column of
/// the line or a later line) that has one.
pub(super) fn next_original(script: &Script, position: Position) -> Option<SourcePosition> {
    let options = LookupOptions::with_bias(Bias::LeastUpperBound);
    let next = script
        .map
        .lookup_with(position.line, position.column + 1, options)?;
    next.original_position()
}

/// Whether `c` can be part of a JavaScript name (ASCII `$` and `_`, or any letter or
/// digit).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Keywords a `(` can follow that are not a callee's name.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "if" | "for"
            | "while"
            | "switch"
            | "catch"
            | "function"
            | "return"
            | "typeof"
            | "void"
            | "delete"
            | "in"
            | "of"
            | "instanceof"
            | "new"
            | "await"
            | "yield"
            | "case"
            | "do"
            | "else"
            | "with"
            | "throw"
            | "async"
    )
}
