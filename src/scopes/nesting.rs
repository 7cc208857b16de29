//! A bound on how deeply a JavaScript source nests, found without parsing it.
//!
//! The parser and the walks over its tree recurse once per level of nesting, so a
//! source nested thousands of levels deep (`[[[[…`, `!!!!…`, `a=b=c=…`, `<a><a>…`,
//! `if (a) if (a) …`) would overflow any thread's stack, and a stack overflow ends the
//! process. Sources come from maps, which come from anywhere: before one is parsed,
//! this linear scan over its text bounds its depth from above, and a source over
//! [`MAX_SOURCE_NESTING`] is not parsed (it then has no function scopes). Real code
//! stays far below it: the deepest source of the bench maps (babel, mermaid, pdf.js, …)
//! scores under a tenth of it.
//!
//! The scan skips comments, strings, template text and regular expressions (a `/` is
//! one where an expression may start), and keeps, per open bracket (`(`, `[`, `{`,
//! `${`), two counts of the tokens that can nest without a bracket: those of
//! expressions (prefix operators, `=`, `=>`, `?`, `**`, `<`, `new`, `typeof`, …),
//! which a `,` or `;` at that level ends, and those of statements (`if`, `else`, `for`,
//! `while`, `do`, `with`), which only a `;` not followed by `else` ends. The bound is
//! the largest sum over the open brackets of one plus both counts.

/// Sources whose nesting bound is over this are not parsed for function scopes.
pub(super) const MAX_SOURCE_NESTING: usize = 1_000;

#[derive(Default)]
struct Level {
    expression_tokens: usize,
    statement_tokens: usize,
    /// Opened by `${` in a template: its `}` goes back to the template's text.
    template: bool,
}

/// An upper bound on how deeply `text` nests (see the module's comment); stops
/// counting once it is over `limit`.
pub(super) fn nesting_bound(text: &str, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let mut levels: Vec<Level> = vec![Level::default()];
    // The sum over `levels` of one plus both counts, kept up to date.
    let mut depth = 1usize;
    let mut deepest = 1usize;
    // Whether an expression may start here (so `/` opens a regular expression and
    // `+`/`-` are prefix operators): after a punctuator or a keyword, not after a
    // name, a number or a closing bracket.
    let mut expression_may_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b'\n' if !expression_may_start && starts_a_statement(bytes, i + 1) => {
                // Automatic semicolon insertion: a line break after a complete
                // expression, before a name, a string or a `}`, ends the statement.
                let level = levels.last_mut().expect("never empty");
                depth -= level.expression_tokens;
                level.expression_tokens = 0;
                if next_word(bytes, i + 1) != b"else" {
                    depth -= level.statement_tokens;
                    level.statement_tokens = 0;
                }
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |n| i + n + 4);
                continue;
            }
            b'/' if expression_may_start => {
                i = skip_regular_expression(bytes, i);
                expression_may_start = false;
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(bytes, i, byte);
                expression_may_start = false;
                continue;
            }
            b'`' => {
                // Template text, up to its end or a `${`, which opens a level.
                match skip_template_text(bytes, i + 1) {
                    (end, false) => {
                        i = end;
                        expression_may_start = false;
                    }
                    (end, true) => {
                        i = end;
                        levels.push(Level {
                            template: true,
                            ..Level::default()
                        });
                        depth += 1;
                        expression_may_start = true;
                    }
                }
                deepest = deepest.max(depth);
                continue;
            }
            b'(' | b'[' | b'{' => {
                levels.push(Level::default());
                depth += 1;
                expression_may_start = true;
            }
            b')' | b']' | b'}' => {
                if levels.len() > 1 {
                    let level = levels.pop().unwrap_or_default();
                    depth -= 1 + level.expression_tokens + level.statement_tokens;
                    // A block ends the statements it is the body of (`if (a) { … }`),
                    // unless an `else` follows.
                    if byte == b'}' && !level.template && next_word(bytes, i + 1) != b"else" {
                        let outer = levels.last_mut().expect("never empty");
                        depth -= outer.statement_tokens;
                        outer.statement_tokens = 0;
                    }
                    if level.template {
                        // Back in the template's text.
                        let (end, reopened) = skip_template_text(bytes, i + 1);
                        i = end;
                        if reopened {
                            levels.push(Level {
                                template: true,
                                ..Level::default()
                            });
                            depth += 1;
                            expression_may_start = true;
                        } else {
                            expression_may_start = false;
                        }
                        continue;
                    }
                }
                expression_may_start = false;
            }
            b',' | b';' => {
                let continues_an_if = byte == b';' && next_word(bytes, i + 1) == b"else";
                let level = levels
                    .last_mut()
                    .expect("the outermost level is never popped");
                depth -= level.expression_tokens;
                level.expression_tokens = 0;
                if byte == b';' && !continues_an_if {
                    depth -= level.statement_tokens;
                    level.statement_tokens = 0;
                }
                expression_may_start = true;
            }
            b'=' | b'?' | b'!' | b'~' | b'<' | b'.' | b'*' | b'+' | b'-' => {
                let run = bytes[i..]
                    .iter()
                    .take_while(|b| b"=?!~<>.*+-&|^%:".contains(b))
                    .count();
                let operator = &bytes[i..i + run];
                let prefix_run = operator.iter().all(|b| b"!~+-".contains(b));
                let nests = match operator {
                    b"=" | b"=>" | b"?" | b"<" | b"**" | b"..." | b"**=" | b"+=" | b"-="
                    | b"*=" | b"||=" | b"&&=" | b"??=" => true,
                    // `a + b` does not nest; `+a`, `!a`, `!!!!a`, `-!-a` nest once each.
                    b"+" | b"-" => expression_may_start,
                    _ => prefix_run,
                };
                if nests {
                    let count = if prefix_run { operator.len() } else { 1 };
                    let level = levels.last_mut().expect("never empty");
                    level.expression_tokens += count;
                    depth += count;
                }
                i += run;
                expression_may_start = !operator.ends_with(b"++") && !operator.ends_with(b"--");
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
                continue;
            }
            _ if is_word_byte(byte) => {
                let start = i;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                let word = &bytes[start..i];
                let level = levels.last_mut().expect("never empty");
                match word {
                    b"if" | b"else" | b"for" | b"while" | b"do" | b"with" => {
                        level.statement_tokens += 1;
                        depth += 1;
                        expression_may_start = true;
                    }
                    b"new" | b"typeof" | b"void" | b"delete" | b"await" | b"yield" | b"return"
                    | b"throw" | b"case" | b"in" | b"of" | b"instanceof" => {
                        if !matches!(
                            word,
                            b"return" | b"throw" | b"case" | b"in" | b"of" | b"instanceof"
                        ) {
                            level.expression_tokens += 1;
                            depth += 1;
                        }
                        expression_may_start = true;
                    }
                    _ => expression_may_start = false,
                }
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
                continue;
            }
            _ => expression_may_start = true,
        }
        i += 1;
        deepest = deepest.max(depth);
        if deepest > limit {
            return deepest;
        }
    }
    deepest
}

/// Whether what follows the line break at `at` starts a new statement after a
/// complete expression: a name, a string or a `}` (not `(`, `[`, a template or an
/// operator, which continue it).
fn starts_a_statement(bytes: &[u8], at: usize) -> bool {
    let next = (at..bytes.len())
        .map(|i| bytes[i])
        .find(|b| !b.is_ascii_whitespace());
    next.is_some_and(|b| is_word_byte(b) || matches!(b, b'"' | b'\'' | b'}'))
}

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'$' || byte >= 0x80
}

/// The identifier-like word after `at` and any blanks.
fn next_word(bytes: &[u8], at: usize) -> &[u8] {
    let start = (at..bytes.len())
        .find(|&i| !bytes[i].is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = (start..bytes.len())
        .find(|&i| !is_word_byte(bytes[i]))
        .unwrap_or(bytes.len());
    &bytes[start..end]
}

/// The index after the string that opens at `at` with `quote` (or the line's end).
fn skip_string(bytes: &[u8], at: usize, quote: u8) -> usize {
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The index after the regular expression that opens at `at`, its flags included.
fn skip_regular_expression(bytes: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    let mut in_class = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            b'[' => {
                in_class = true;
                i += 1
            }
            b']' => {
                in_class = false;
                i += 1
            }
            b'/' if !in_class => {
                i += 1;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                return i;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// From inside a template's text at `at`: the index after its closing backtick
/// (`false`), or after the `${` that opens a substitution (`true`).
fn skip_template_text(bytes: &[u8], at: usize) -> (usize, bool) {
    let mut i = at;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return (i + 1, false),
            b'$' if bytes.get(i + 1) == Some(&b'{') => return (i + 2, true),
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(text: &str) -> usize {
        nesting_bound(text, usize::MAX)
    }

    #[test]
    fn brackets_and_unbracketed_chains_count() {
        assert_eq!(bound("a"), 1);
        assert_eq!(bound("f(g([1]))"), 4);
        assert!(bound(&"[".repeat(500)) >= 500);
        assert!(bound(&"!".repeat(500)) >= 500);
        assert!(bound(&"-".repeat(500)) >= 500);
        assert!(bound(&"a=".repeat(500)) >= 500);
        assert!(bound(&"() => ".repeat(500)) >= 500);
        assert!(bound(&"a ? ".repeat(500)) >= 500);
        assert!(bound(&"new ".repeat(500)) >= 500);
        assert!(bound(&"<a>".repeat(500)) >= 500);
        assert!(bound(&"2 ** ".repeat(500)) >= 500);
        assert!(bound(&"if (a) ".repeat(500)) >= 500);
        assert!(bound(&"if (a) x; else ".repeat(500)) >= 500);
        assert!(bound(&"`${".repeat(500)) >= 500);
        // A statement ended by `;`, a list by `,`: siblings, not nesting.
        assert!(bound(&"a = 1; ".repeat(10_000)) < 5);
        assert!(bound(&format!("var {};", "a = 1, ".repeat(10_000))) < 5);
        assert!(bound(&"x = a + b - c * d; ".repeat(10_000)) < 5);
        assert!(bound(&"if (a) { b(); } ".repeat(10_000)) < 5);
        assert!(bound(&"x = function () {\n}\ny = 1\n".repeat(10_000)) < 5);
        assert!(bound(&"if (a) {} else ".repeat(500)) >= 500);
    }

    #[test]
    fn brackets_in_strings_comments_regexes_and_templates_do_not() {
        let text = r#"var s = "(((", t = '[[[', r = /[(]+\(/g, u = `{{{ ${ "(" } (((`; // (((
/* [[[ */ x = a / b / c; y = (1) / 2;"#;
        assert!(bound(text) <= 4, "{}", bound(text));
        assert!(bound(&"var s = '((((';\n".repeat(1_000)) < 5);
    }

    #[test]
    fn counting_stops_past_the_limit() {
        let text = "[".repeat(1_000_000);
        assert_eq!(nesting_bound(&text, 10), 11);
    }
}
