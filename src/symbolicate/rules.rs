//! Engine position rules: where engines report a frame, and how minifiers map those
//! places, so that a frame's minified position becomes the original position an engine
//! would have reported running the original code.
//!
//! One function per rule; each says which engine or minifier behaviour it answers.
//! [`Symbolicator::frame_position`] applies the rules about where a frame stopped
//! (`callee_name_of_call`, `best_of_tokens_at`, `call_of_unnamed_callee`,
//! `await_keyword`); the symbolicator then applies `call_for_closing_paren` to the
//! result, names functions with `display_name`, and renames a V8 callee's frame with
//! `name_as_v8_would` once it sees the caller's.

use std::collections::HashMap;
use std::sync::Arc;

use crate::lookup::{Bias, LookupOptions};
use crate::position::{Position, SourcePosition};
use crate::scopes::{Enclosing, FunctionScopes, ScopeId};
use crate::stacktrace::{Frame, TraceFormat};
use crate::view::Token;

use super::scripts::Script;
use super::tokens;
use super::{SymbolicatedFrame, Symbolicator, Unmapped};

/// Where a frame is in the original sources, and how its column was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Located {
    pub(super) at: SourcePosition,
    /// The position fell between two segments of the map, and the column is the
    /// reported token's, found by walking the minified and original tokens in step
    /// from the segment before it (`tokens.rs`).
    pub(super) column_refined: bool,
}

impl Located {
    const fn mapped(at: SourcePosition) -> Located {
        Located {
            at,
            column_refined: false,
        }
    }
}

impl Symbolicator {
    /// Where a frame at `position` of the minified script is in the original sources,
    /// as engines would report it there.
    pub(super) fn frame_position(
        &self,
        script: &Script,
        position: Position,
    ) -> Result<Located, Unmapped> {
        let position = self
            .callee_name_of_call(script, position)
            .unwrap_or(position);
        let token = script
            .map
            .lookup(position.line, position.column)
            .ok_or(Unmapped::NoMapping)?;
        let found = token.original_position().ok_or(Unmapped::NoOriginal)?;
        if token.generated_position() == position {
            let best = self.best_of_tokens_at(script, position).unwrap_or(found);
            // terser may map an `await` to another part of the statement it folded
            // the `await` into (`const r = await f(); return {r}` → `return{r:await
            // f()}` maps the `await` to `r`): V8 reports the frame at the `await`.
            if !starts_with_word(script, best, "await") {
                if let Some(keyword) = self.await_keyword(script, position) {
                    return Ok(Located::mapped(keyword));
                }
            }
            // A `(` of a callee without a name (`o[k](…)`) that the map takes to
            // something other than a call (terser folds a variable into the callee and
            // maps the `(` to the variable's initializer): the call around the
            // arguments, as when the `(` has no segment.
            if !self.is_call_site(script, best) {
                if let Some(call) = self.call_of_unnamed_callee(script, position) {
                    return Ok(Located::mapped(call));
                }
            }
            return Ok(Located::mapped(best));
        }
        let unmapped = self
            .call_of_unnamed_callee(script, position)
            .or_else(|| self.await_keyword(script, position));
        if let Some(at) = unmapped {
            return Ok(Located::mapped(at));
        }
        // Between two segments: the reported token's own column when the tokens from
        // the segment to it are the same in both texts (engines report calls at tokens
        // minifiers give no segment, SpiderMonkey at others than V8), else the segment's.
        Ok(match tokens::walk_from_segments(script, position) {
            Some(at) => Located {
                at,
                column_refined: true,
            },
            None => Located::mapped(found),
        })
    }

    /// V8 reports a call whose callee ends in a name (`f(`, `o.m(`) at that name;
    /// SpiderMonkey reports some of them (an arrow function's expression body) at the
    /// `(`, which a minifier may map elsewhere (swc maps it to the call of the function
    /// it inlined there). For a frame at such a `(`: the position of the name, so that
    /// the call is the name's, whichever engine printed it.
    pub(super) fn callee_name_of_call(
        &self,
        script: &Script,
        position: Position,
    ) -> Option<Position> {
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

    /// SpiderMonkey reports a call with arguments whose callee is a plain name (`f(x)`,
    /// not `o.f(x)`, `new F(x)` or `f()`) at its `(` where the call begins what
    /// SpiderMonkey steps through (an expression statement, a declaration's
    /// initializer, an arrow function's expression body, an `if` or `while` test), and
    /// at the name elsewhere (after `return`, `await`, an assignment's `=`, as an
    /// argument, in a template); `o.m(x)` at `m`, `new F(x)` at `new`, `f()` at `f`,
    /// `o[k](x)` and `f()(x)` at their `(`. So it does running the original program:
    /// the reference runs of the accuracy corpus and tools/capture's kitchen sink in
    /// Firefox 153 (`runCases(…);` and `const doc = composeDoc(…)` at the `(`; `fn();`,
    /// `return format(…)` and `node = composeScalar(…)` at the name). The minified code
    /// puts the same call in other constructs, so the frame's column follows the
    /// original's. For a SpiderMonkey frame at the call reported at `call` (its name):
    /// the `(` when the original puts the call where SpiderMonkey reports it there.
    pub(super) fn call_as_spidermonkey_reports(
        &self,
        script: &Script,
        format: TraceFormat,
        call: SourcePosition,
    ) -> Option<SourcePosition> {
        if format != TraceFormat::SpiderMonkey {
            return None;
        }
        let scopes = self.source_scopes(script, call.source)?;
        let callee = scopes.call_at(call.position)?;
        // A plain name: the call starts at it (a member call starts at its object).
        let (line, start) = script.source_at(call)?;
        if callee.is_empty() {
            return None; // `o[k](…)`, `f()(…)`: at the `(` already, as V8 reports them.
        }
        let span = scopes.call_span_at(call.position)?;
        if span.start != call.position {
            return None;
        }
        let paren = line[start..].strip_prefix(callee)?.trim_start();
        if !paren.starts_with('(') || matches!(callee, "super" | "eval") {
            return None; // `new F(…)` is reported at `new`, and is not a plain name.
        }
        if paren[1..].trim_start().starts_with(')') {
            return None; // Without arguments: at the name (`fn();`).
        }
        let before = line[..start].trim_end();
        let steps_here = if before.is_empty() {
            // The line starts with the call: a statement, unless the line before
            // leaves an expression open (`x =`, `f(`, `,`).
            let previous = call
                .position
                .line
                .checked_sub(1)
                .and_then(|l| script.map.source_line(call.source, l))
                .map_or("", str::trim_end);
            ends_a_statement(previous)
        } else {
            begins_a_step(before)
        };
        if !steps_here {
            return None;
        }
        let column = line[..line.len() - paren.len()].encode_utf16().count() as u32;
        Some(SourcePosition::new(
            call.source,
            Position::new(call.position.line, column),
        ))
    }

    /// Whether engines report a call at `at`.
    fn is_call_site(&self, script: &Script, at: SourcePosition) -> bool {
        self.source_scopes(script, at.source)
            .is_some_and(|scopes| scopes.call_at(at.position).is_some())
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
        let first = script
            .source_at(at)
            .and_then(|(text, offset)| text[offset..].chars().next());
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
    /// is written just before it. When terser inlined the awaited call (`await
    /// reserveStock(lines)` → `await async function(t){…}(e.lines)`), the operand's
    /// start maps into the inlined function; its call's arguments map into the
    /// original call, and the `await` is written before that call.
    fn await_keyword(&self, script: &Script, position: Position) -> Option<SourcePosition> {
        let (text, at) = script.minified_at(position)?;
        let after_keyword = text[at..].strip_prefix("await")?;
        if after_keyword.starts_with(is_name_char) {
            return None;
        }
        let operand = next_original(script, position)?;
        if let Some(keyword) = self.await_before(script, operand) {
            return Some(keyword);
        }
        let operand_column =
            (at + "await".len() + after_keyword.len() - after_keyword.trim_start().len()) as u32;
        let call =
            self.call_of_inlined_operand(script, Position::new(position.line, operand_column))?;
        self.await_before(script, call)
    }

    /// The `await` keyword written just before `operand` in its original source.
    fn await_before(&self, script: &Script, operand: SourcePosition) -> Option<SourcePosition> {
        let (original, at) = script.source_at(operand)?;
        let before = original[..at].trim_end();
        let keyword = before.strip_suffix("await")?;
        if keyword.ends_with(is_name_char) {
            return None;
        }
        let column = keyword.encode_utf16().count() as u32;
        Some(SourcePosition::new(
            operand.source,
            Position::new(operand.position.line, column),
        ))
    }

    /// For a minified operand that is an immediately called function expression
    /// starting at `start` (a call whose callee the minifier inlined): the original
    /// call, found from the first token of the call's arguments.
    fn call_of_inlined_operand(&self, script: &Script, start: Position) -> Option<SourcePosition> {
        let (text, at) = script.minified_at(start)?;
        let rest = &text[at..];
        let keyword = ["async function", "function"]
            .into_iter()
            .find(|k| rest.starts_with(k))?;
        let inside = Position::new(start.line, start.column + keyword.len() as u32);
        let scopes = self.minified_scopes(script)?;
        let function = scopes.innermost(inside)?;
        let extent = scopes.extent(function)?;
        if extent.start < start {
            return None; // Not a function starting at the operand.
        }
        let (after, after_at) = script.minified_at(extent.end)?;
        if !after[after_at..].starts_with('(') {
            return None;
        }
        let argument = next_original(script, extent.end)?;
        let (call, _) = self
            .source_scopes(script, argument.source)?
            .call_around(argument.position)?;
        Some(SourcePosition::new(argument.source, call))
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

    /// V8 prints an anonymous function called as a method as `Type.property`
    /// (`Object.fn` for `def.fn(x)`), a run-time fact that minifiers keep (they do not
    /// rename properties). When the original function is anonymous and the minified
    /// one is too (neither has a name, nor one V8 would infer, so the printed suffix can
    /// only be the property), the frame keeps that property: the caller's call site,
    /// which [`Symbolicator::name_as_v8_would`] reads, is not always in the trace (an
    /// async function resumed after `await`).
    pub(super) fn keep_v8_method_name(
        &self,
        script: &Script,
        frame: &Frame,
        symbolicated: Option<&mut SymbolicatedFrame>,
    ) {
        let Some(original) = symbolicated.and_then(|f| f.original.as_mut()) else {
            return;
        };
        if original.function.as_deref() != Some("<anonymous>") {
            return;
        }
        let Some(property) = frame.function.as_deref().and_then(v8_method_property) else {
            return;
        };
        let minified_anonymous = self.minified_function(script, frame).map(|(scopes, id)| {
            matches!(scopes.name_of(id), Enclosing::Anonymous) && scopes.v8_name_of(id).is_none()
        });
        if minified_anonymous == Some(true) {
            original.function = Some(property.to_owned());
        }
    }

    /// The minified script's innermost function at the position `frame` was printed at.
    fn minified_function<'s>(
        &self,
        script: &'s Script,
        frame: &Frame,
    ) -> Option<(&'s FunctionScopes, ScopeId)> {
        let scopes = self.minified_scopes(script)?;
        let id = scopes.innermost(frame.lookup_position()?)?;
        Some((scopes, id))
    }

    /// V8 prints a constructor call with the function's run-time `name`, which code can
    /// change: a wrapper that calls a class and takes its name
    /// (`Object.defineProperty(wrapper, "name", { value: cls.name })`) prints as
    /// `new N` while its minified source calls it `t`. When another frame of the same
    /// trace printed `new N` from inside the function the minified script calls `N`,
    /// that frame's original name is what `N` stands for, and the wrapper's frame is
    /// shown with it, as V8 shows the original code (`new MarkdownIt` twice).
    /// `frames` are V8 frames: their index in `symbolicated`, their script.
    pub(super) fn name_renamed_constructors(
        &self,
        frames: &[(usize, Arc<Script>, &Frame)],
        symbolicated: &mut [SymbolicatedFrame],
    ) {
        let own_name = |script: &Script, frame: &Frame| -> Option<String> {
            let (scopes, id) = self.minified_function(script, frame)?;
            match scopes.name_of(id) {
                Enclosing::Named(name) => Some(name.to_owned()),
                _ => None,
            }
        };
        let constructed = |frame: &Frame| -> Option<String> {
            let name = frame.function.as_deref().filter(|_| frame.is_constructor)?;
            (!name.is_empty() && !name.contains(['.', ' ', '<'])).then(|| name.to_owned())
        };
        // What each printed constructor name stands for, from frames that are in it.
        let mut meaning: HashMap<String, String> = HashMap::new();
        let mut renamed = Vec::new();
        for (index, script, frame) in frames {
            let Some(name) = constructed(frame) else {
                continue;
            };
            let Some(own) = own_name(script, frame) else {
                continue;
            };
            if own == name {
                let original = symbolicated[*index].original.as_ref();
                if let Some(function) = original.and_then(|o| o.function.clone()) {
                    meaning.entry(name).or_insert(function);
                }
            } else {
                renamed.push((*index, name));
            }
        }
        for (index, name) in renamed {
            if let (Some(function), Some(original)) =
                (meaning.get(&name), symbolicated[index].original.as_mut())
            {
                original.function = Some(function.clone());
            }
        }
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

/// The property of V8's `Type.property` method-call form (`fn` in `Object.fn`), if the
/// printed name has that form: an identifier after the receiver's type, no `[as …]`.
fn v8_method_property(printed: &str) -> Option<&str> {
    let printed = printed.strip_prefix("async ").unwrap_or(printed);
    let (receiver, property) = printed.split_once('.')?;
    let identifier = |s: &str| {
        let mut chars = s.chars();
        chars
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
            && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    };
    (identifier(receiver) && identifier(property)).then_some(property)
}

/// The name to show for function `id` (`None`: top level): its own, or for an
/// anonymous function what the engine that printed the trace would show for the
/// original code: SpiderMonkey names it after the binding it flows into (`sortBy<`), V8
/// after the names around it as its parser infers them (`t` for `var t = [() => …]`),
/// the others print `<anonymous>`.
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
            (TraceFormat::V8, _) => scopes.v8_name_of(id).unwrap_or("<anonymous>").to_owned(),
            _ => "<anonymous>".to_owned(),
        }),
        Enclosing::TopLevel => None,
    }
}

/// Whether code ending in `before` (trimmed, not empty) makes what follows a place
/// SpiderMonkey steps through: a statement's start, a declaration's initializer, an
/// arrow function's expression body, an `if` or `while` test.
fn begins_a_step(before: &str) -> bool {
    if before.ends_with("${") {
        return false; // In a template literal: an expression's operand.
    }
    if before.ends_with([';', '{', '}']) || before.ends_with("=>") {
        return true;
    }
    if before.ends_with(')') && before.matches('(').count() == before.matches(')').count() {
        return true; // `if (…) f(x)`: the statement `if` runs.
    }
    if let Some(test) = before.strip_suffix('(') {
        let keyword = test.trim_end();
        let word = &keyword[keyword.trim_end_matches(is_name_char).len()..];
        return matches!(word, "if" | "while");
    }
    let Some(assigned) = before.strip_suffix('=') else {
        return false;
    };
    if assigned.ends_with([
        '=', '!', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '?',
    ]) {
        return false; // `==`, `+=`, `??=`…: not a declaration.
    }
    // `const x =`, `let x =`, `var x =`: a declaration's initializer.
    let target = assigned.trim_end();
    let name = target.trim_end_matches(is_name_char);
    if name.len() == target.len() {
        return false;
    }
    let keyword = name.trim_end();
    let word = &keyword[keyword.trim_end_matches(is_name_char).len()..];
    matches!(word, "const" | "let" | "var") && keyword.len() < name.len()
}

/// Whether a line ending in `previous` (trimmed) leaves the next line at a statement's
/// start (or an arrow function's expression body): nothing, `;`, a brace, `=>`, or a
/// `)` closing all the line's parentheses (`if (…)`, `for (…)` without braces, or a
/// statement ended without `;`).
fn ends_a_statement(previous: &str) -> bool {
    previous.is_empty()
        || previous.ends_with([';', '{', '}'])
        || previous.ends_with("=>")
        || previous.trim_start().starts_with("else")
        || (previous.ends_with(')')
            && previous.matches('(').count() == previous.matches(')').count())
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

/// Whether the original source has `word` (a whole word) at `at`.
fn starts_with_word(script: &Script, at: SourcePosition, word: &str) -> bool {
    script
        .source_at(at)
        .and_then(|(line, offset)| line[offset..].strip_prefix(word))
        .is_some_and(|rest| !rest.starts_with(is_name_char))
}

/// Whether `c` can be part of a JavaScript name (ASCII `$` and `_`, or any letter or
/// digit).
pub(super) fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Keywords a `(` can follow that are not a callee's name.
pub(super) fn is_keyword(word: &str) -> bool {
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

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::produce::{EncodeOptions, OriginalPosition, SourceMapBuilder};
    use crate::symbolicate::SymbolicateOptions;

    const URL: &str = "https://x.example/app.min.js";

    /// One line of `minified` mapped into `original` by (generated column, original
    /// line, original column) triples, and the symbolicator that loads it.
    pub(in crate::symbolicate) fn load(
        original: &str,
        minified: &str,
        mappings: &[(u32, u32, u32)],
    ) -> (Symbolicator, Arc<Script>) {
        let mut builder = SourceMapBuilder::new();
        let source = builder.add_source("app.js");
        builder.set_source_content(source, Some(original)).unwrap();
        for &(column, line, original_column) in mappings {
            let position = OriginalPosition {
                source,
                line,
                column: original_column,
                name: None,
            };
            builder.add_mapping(0, column, Some(position)).unwrap();
        }
        let map = builder.to_json(&EncodeOptions::default()).into_bytes();
        let text = format!("{minified}\n//# sourceMappingURL=app.min.js.map\n").into_bytes();
        let loader = move |url: &str| -> crate::Result<Option<Vec<u8>>> {
            Ok(match url {
                URL => Some(text.clone()),
                "https://x.example/app.min.js.map" => Some(map.clone()),
                _ => None,
            })
        };
        let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
        let script = symbolicator.script(URL).expect("script loads");
        (symbolicator, script)
    }

    fn col(text: &str, needle: &str) -> u32 {
        text.find(needle).expect("needle") as u32
    }

    fn at(line: u32, column: u32) -> SourcePosition {
        SourcePosition::new(0, Position::new(line, column))
    }

    #[test]
    fn a_call_at_its_paren_is_the_callee_s_name() {
        let minified = "n=>foo(1)+o.bar(2)+(0,g)(3);if(x)y()";
        let (symbolicator, script) = load("x", minified, &[(0, 0, 0)]);
        let rule = |needle: &str| {
            let position = Position::new(0, col(minified, needle));
            symbolicator.callee_name_of_call(&script, position)
        };
        assert_eq!(rule("(1)"), Some(Position::new(0, col(minified, "foo"))));
        assert_eq!(rule("(2)"), Some(Position::new(0, col(minified, "bar"))));
        // No name before the `(`, a keyword, or not at a `(`: the rule does not apply.
        assert_eq!(rule("(3)"), None);
        assert_eq!(rule("(x)"), None);
        assert_eq!(rule("foo"), None);
    }

    #[test]
    fn of_several_tokens_at_a_column_the_call_wins() {
        // `new Store()` compressed to `Store()`, its column mapped both to `Store` and
        // to `new`: V8 reports the call at `new`.
        // (Sources without functions have no scopes, hence the function around.)
        let original = "function f() { const s = new Store(); }\n";
        let minified = "const s=Store();";
        let mappings = [
            (col(minified, "Store"), 0, col(original, "Store")),
            (col(minified, "Store"), 0, col(original, "new")),
        ];
        let (symbolicator, script) = load(original, minified, &mappings);
        let frame = Position::new(0, col(minified, "Store"));
        assert_eq!(
            symbolicator.frame_position(&script, frame).map(|f| f.at),
            Ok(at(0, col(original, "new")))
        );
        // A call ranks first, other code next, punctuation last.
        let punctuation = "function f() { g(); }\n";
        let (symbolicator, script) = load(punctuation, "x", &[(0, 0, 0)]);
        let rank = |needle: &str| symbolicator.frame_rank(&script, at(0, col(punctuation, needle)));
        assert_eq!(rank("g()"), 0);
        assert_eq!(rank("f()"), 1);
        assert_eq!(rank("{ g"), 2);
    }

    #[test]
    fn a_call_of_an_unnamed_callee_is_the_call_around_its_arguments() {
        // `compiled(data)` with `compiled` inlined: `t("x")(e)`, reported at the `(`
        // before `e`, which has no segment of its own.
        let original = "var a = 1;\nfunction f() { compiled(data); }\n";
        let minified = r#"t("x")(e);"#;
        let mappings = [(0, 0, 4), (col(minified, "e)"), 1, 24)];
        let (symbolicator, script) = load(original, minified, &mappings);
        let frame = Position::new(0, col(minified, "(e"));
        assert_eq!(
            symbolicator.frame_position(&script, frame).map(|f| f.at),
            Ok(at(1, 15))
        );
    }

    #[test]
    fn an_unmapped_await_is_the_original_await() {
        // terser leaves `await` unmapped; V8 reports the suspended function there.
        let original = "async function f() {\n  await load();\n}\n";
        let minified = "async function f(){await load()}";
        let mappings = [(0, 0, 0), (col(minified, "load"), 1, 8)];
        let (symbolicator, script) = load(original, minified, &mappings);
        let frame = Position::new(0, col(minified, "await"));
        assert_eq!(
            symbolicator.frame_position(&script, frame).map(|f| f.at),
            Ok(at(1, 2))
        );
        // An identifier that merely starts with `await` is not the keyword.
        let (symbolicator, script) = load("awaited();\n", "awaited()", &[(0, 0, 0)]);
        assert_eq!(
            symbolicator.await_keyword(&script, Position::new(0, 0)),
            None
        );
    }

    #[test]
    fn a_folded_await_of_an_inlined_call_is_the_original_await() {
        // terser folds `const r = await reserve(…); return { r }` into `return{r:await
        // <reserve inlined>(…)}` and maps the `await` to `r`; the inlined function's
        // arguments map into the original call, which the `await` precedes.
        let original = "async function reserve(lines) { return lines; }\nasync function place() {\n  const r = await reserve(this.lines);\n  return { r };\n}\n";
        let minified =
            "async function p(){return{r:await async function(t){return t}(this.lines)}}";
        let line = |n: usize| original.lines().nth(n).unwrap();
        let mappings = [
            (0, 1, 0),
            (col(minified, "return{"), 3, 2),
            (col(minified, "r:"), 3, col(line(3), "r }")),
            (col(minified, "await"), 3, col(line(3), "r }")),
            (col(minified, "async function("), 0, 0),
            (col(minified, "return t"), 0, col(line(0), "return")),
            (col(minified, "this.lines)}"), 2, col(line(2), "this.lines")),
        ];
        let (symbolicator, script) = load(original, minified, &mappings);
        let frame = Position::new(0, col(minified, "await"));
        assert_eq!(
            symbolicator.frame_position(&script, frame).map(|f| f.at),
            Ok(at(2, col(line(2), "await")))
        );
    }

    #[test]
    fn a_paren_of_an_unnamed_callee_mapped_elsewhere_is_the_call() {
        // `table[key](cb)` with `key` folded in: terser maps the `(` to the folded
        // string; V8 reports the call at its `(`, in the original too.
        let original =
            "const table = { run(cb) { cb(); } };\nconst key = 'run';\ntable[key]((e) => e);\n";
        let minified = r#"t["run"](e=>e);"#;
        let line = |n: usize| original.lines().nth(n).unwrap();
        let mappings = [
            (0, 2, 0),
            (col(minified, "\"run"), 1, col(line(1), "'run'")),
            (col(minified, "(e"), 1, col(line(1), "'run'")),
            (col(minified, "e=>"), 2, col(line(2), "e)")),
        ];
        let (symbolicator, script) = load(original, minified, &mappings);
        let frame = Position::new(0, col(minified, "(e"));
        assert_eq!(
            symbolicator.frame_position(&script, frame).map(|f| f.at),
            Ok(at(2, col(line(2), "((e")))
        );
    }

    #[test]
    fn a_call_mapped_to_its_closing_paren_is_the_call() {
        // swc maps a call to its `)`; engines report it at the callee.
        let original = "function f() { run(a, b); }\n";
        let (symbolicator, script) = load(original, "x", &[(0, 0, 0)]);
        let paren = at(0, col(original, ");"));
        assert_eq!(
            symbolicator.call_for_closing_paren(&script, paren),
            at(0, col(original, "run"))
        );
        let elsewhere = at(0, col(original, "a,"));
        assert_eq!(
            symbolicator.call_for_closing_paren(&script, elsewhere),
            elsewhere
        );
    }

    #[test]
    fn spidermonkey_reports_plain_calls_at_their_paren_where_it_steps() {
        // From the corpus's reference runs in Firefox: `(` for a call beginning a
        // statement, an initializer, an arrow's body or an `if` test; the name
        // elsewhere, and always for member calls and `new`.
        let original = "function main(a) {\n  runCases ('x', []);\n  const doc = compose(a);\n  if (each(a) === false) go(1);\n  const f = () => load(a);\n  return format(a);\n  node = scalar(a);\n  a.push(make(a));\n  this.next(a);\n  const v = new Doc(a);\n  x += count(a);\n  done();\n  ok = rules[ i ](state);\n  s = `at ${day(a)}`;\n  revoke(a)\n  die(4)\n  if (a)\n    add(a, 1);\n  if (!ok(a)) die(8);\n}\n";
        let (symbolicator, script) = load(original, "x", &[(0, 0, 0)]);
        let line = |n: usize| original.lines().nth(n).unwrap();
        let rule = |n: usize, name: &str, format| {
            let call = at(n as u32, col(line(n), name));
            symbolicator
                .call_as_spidermonkey_reports(&script, format, call)
                .map(|p| (p.position.line, p.position.column))
        };
        let paren = |n: usize, after: &str| {
            let column = col(line(n), after) + after.trim_end_matches('(').len() as u32;
            Some((n as u32, column))
        };
        let sm = TraceFormat::SpiderMonkey;
        assert_eq!(rule(1, "runCases", sm), paren(1, "runCases "));
        assert_eq!(rule(2, "compose", sm), paren(2, "compose"));
        assert_eq!(rule(3, "each", sm), paren(3, "each"));
        assert_eq!(rule(4, "load", sm), paren(4, "load"));
        assert_eq!(rule(5, "format", sm), None);
        assert_eq!(rule(6, "scalar", sm), None);
        assert_eq!(rule(7, "make", sm), None);
        assert_eq!(rule(8, "next", sm), None);
        assert_eq!(rule(9, "new Doc", sm), None);
        assert_eq!(rule(10, "count", sm), None);
        assert_eq!(rule(11, "done", sm), None);
        // A computed callee: at its `(` already; a template literal's call: at the name.
        assert_eq!(rule(12, "(state)", sm), None);
        assert_eq!(rule(13, "day", sm), None);
        // Each on its own line after a statement left without `;` or an `if (…)`.
        assert_eq!(rule(15, "die", sm), paren(15, "die"));
        assert_eq!(rule(17, "add", sm), paren(17, "add"));
        assert_eq!(rule(18, "die", sm), paren(18, "die"));
        // V8 reports every one of them at the name.
        assert_eq!(rule(1, "runCases", TraceFormat::V8), None);
    }

    #[test]
    fn the_property_of_v8s_method_call_form_is_read_only_from_that_form() {
        assert_eq!(v8_method_property("Object.fn"), Some("fn"));
        assert_eq!(v8_method_property("async Object.fn"), Some("fn"));
        assert_eq!(v8_method_property("Array.<anonymous>"), None);
        assert_eq!(v8_method_property("Object.e [as fn]"), None);
        assert_eq!(v8_method_property("new N"), None);
        assert_eq!(v8_method_property("fn"), None);
        assert_eq!(v8_method_property("a.b.c"), None);
    }

    #[test]
    fn anonymous_functions_are_named_as_each_engine_names_them() {
        let scopes = FunctionScopes::parse("var sortBy = wrap(function () {});\n", None);
        let id = scopes.innermost(Position::new(0, 30));
        assert_eq!(
            display_name(&scopes, id, TraceFormat::SpiderMonkey).as_deref(),
            Some("sortBy<")
        );
        assert_eq!(
            display_name(&scopes, id, TraceFormat::V8).as_deref(),
            Some("<anonymous>")
        );
        assert_eq!(display_name(&scopes, None, TraceFormat::V8), None);
        // V8 names an arrow in an array after the variable the array is bound to; the
        // engines that infer nothing there print `<anonymous>`.
        let scopes = FunctionScopes::parse("var handlers = [() => go()];\n", None);
        let id = scopes.innermost(Position::new(0, 22));
        assert!(id.is_some());
        assert_eq!(
            display_name(&scopes, id, TraceFormat::V8).as_deref(),
            Some("handlers")
        );
        assert_eq!(
            display_name(&scopes, id, TraceFormat::JavaScriptCore).as_deref(),
            Some("<anonymous>")
        );
    }
}
