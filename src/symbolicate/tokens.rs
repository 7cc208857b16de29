//! Columns between segments: the original column of the token a runtime reported, when
//! the map has no segment there.
//!
//! A map gives positions only where a segment starts; an engine may report a frame at
//! a token a few tokens after one (SpiderMonkey and V8 stop calls at different tokens
//! of the same call). The greatest-lower-bound segment then gives the column of an
//! earlier token. A minifier copies the tokens between two segments as they are,
//! identifiers renamed aside, so with the source's content the reported token is found
//! by walking the minified line and the original text in step from the segment: the
//! n-th token after the segment in one is the n-th in the other. Where the two walks
//! disagree (a different keyword, operator or kind of token: the minifier rewrote the
//! code there), there is no answer and the segment's position stands.

use crate::position::{Position, SourcePosition};

use super::scripts::Script;

/// How many tokens a walk may take (segments are rarely further apart in minified
/// code; a longer walk is more likely to cross rewritten code).
const MAX_TOKENS: usize = 64;
/// How many original lines a walk may cross (a minified line's tokens may come from
/// several lines of the original).
const MAX_LINES: u32 = 16;

/// The kind of a token: what must agree between the two walks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An identifier or keyword.
    Word,
    /// A numeric literal (minifiers rewrite `1000` as `1e3`: any number matches any).
    Number,
    /// A string literal (minifiers change quotes: any string matches any).
    Text,
    /// One punctuation character.
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Token<'t> {
    kind: Kind,
    text: &'t str,
    /// Byte offset in the line.
    at: usize,
}

/// The tokens of `line` from byte `from`, at most `limit`, and whether they go to the
/// line's end. They stop early where a walk cannot go on safely: a template or regular
/// expression literal, a `/` (division and regular expression cannot be told apart
/// here), a string or block comment that goes on past the line.
fn tokens(line: &str, from: usize, limit: usize) -> (Vec<Token<'_>>, bool) {
    let mut found = Vec::new();
    let mut at = from;
    while found.len() < limit {
        let Some(rest) = line.get(at..) else {
            return (found, false);
        };
        let rest_trimmed = rest.trim_start();
        at += rest.len() - rest_trimmed.len();
        let rest = rest_trimmed;
        if rest.is_empty() || rest.starts_with("//") {
            return (found, true);
        }
        if let Some(comment) = rest.strip_prefix("/*") {
            match comment.find("*/") {
                Some(end) => at += 2 + end + 2,
                None => return (found, false),
            }
            continue;
        }
        let Some(first) = rest.chars().next() else {
            return (found, true);
        };
        let (kind, length) = if is_word_char(first) && !first.is_ascii_digit() {
            let length = rest.len() - rest.trim_start_matches(is_word_char).len();
            (Kind::Word, length)
        } else if first.is_ascii_digit()
            || (first == '.' && rest[1..].starts_with(|c: char| c.is_ascii_digit()))
        {
            let length = rest.len()
                - rest
                    .trim_start_matches(|c: char| c.is_alphanumeric() || c == '.' || c == '_')
                    .len();
            (Kind::Number, length)
        } else if first == '\'' || first == '"' {
            match string_length(rest, first) {
                Some(length) => (Kind::Text, length),
                None => return (found, false),
            }
        } else if first == '`' || first == '/' {
            return (found, false);
        } else {
            (Kind::Punct, first.len_utf8())
        };
        found.push(Token {
            kind,
            text: &rest[..length],
            at,
        });
        at += length;
    }
    (found, false)
}

/// The length in bytes of the string literal `rest` starts with (quote `quote`), when
/// it ends on this line.
fn string_length(rest: &str, quote: char) -> Option<usize> {
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == quote => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Whether `c` can be part of an identifier (ASCII `$` and `_`, letters, digits, and
/// any other non-ASCII character, which in minified code is a name's).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$' || !c.is_ascii()
}

/// Words that must be the same in both walks: keywords and literals, which a minifier
/// does not rename (identifiers it may).
fn is_fixed_word(word: &str) -> bool {
    matches!(
        word,
        "break"
            | "case"
            | "catch"
            | "class"
            | "const"
            | "continue"
            | "debugger"
            | "default"
            | "delete"
            | "do"
            | "else"
            | "export"
            | "extends"
            | "false"
            | "finally"
            | "for"
            | "function"
            | "if"
            | "import"
            | "in"
            | "instanceof"
            | "let"
            | "new"
            | "null"
            | "return"
            | "super"
            | "switch"
            | "this"
            | "throw"
            | "true"
            | "try"
            | "typeof"
            | "var"
            | "void"
            | "while"
            | "with"
            | "yield"
            | "async"
            | "await"
            | "of"
            | "get"
            | "set"
            | "static"
            | "undefined"
    )
}

/// Whether two tokens are the same token of the program, renamed identifiers aside.
fn same_token(minified: &Token<'_>, original: &Token<'_>) -> bool {
    if minified.kind != original.kind {
        return false;
    }
    match minified.kind {
        Kind::Punct => minified.text == original.text,
        Kind::Word if is_fixed_word(minified.text) || is_fixed_word(original.text) => {
            minified.text == original.text
        }
        Kind::Word | Kind::Number | Kind::Text => true,
    }
}

/// How many segments before a position a walk may start from: the segment just
/// before it may map its own token to a neighbour (markdown-it's map takes the `]` of
/// `rules[i]` to `i`), and then a walk from an earlier one goes through.
const MAX_STARTS: usize = 4;

/// For a frame at `position` of the minified script, between two segments: the
/// original position of the reported token, walked from the segment before it or, when
/// that walk fails, from one of the few segments before that one.
pub(super) fn walk_from_segments(script: &Script, position: Position) -> Option<SourcePosition> {
    let mut column = position.column;
    for _ in 0..MAX_STARTS {
        let token = script.map.lookup(position.line, column)?;
        let segment = token.generated_position();
        if segment.line != position.line {
            return None;
        }
        if let Some(original) = token.original_position() {
            if let Some(found) = walk_to(script, segment, position, original) {
                return Some(found);
            }
        }
        column = segment.column.checked_sub(1)?;
    }
    None
}

/// For a frame at `position` of the minified script, after the segment at `segment`
/// (same line) that maps to `original`: the original position of the reported token,
/// found by walking both texts' tokens in step from the segment. `None` when `position`
/// is not at a token's start, when the walks disagree, or without the source's
/// content.
fn walk_to(
    script: &Script,
    segment: Position,
    position: Position,
    original: SourcePosition,
) -> Option<SourcePosition> {
    if segment.line != position.line || segment.column >= position.column {
        return None;
    }
    let (line, from) = script.minified_at(segment)?;
    let (_, target) = script.minified_at(position)?;
    let (minified, _) = tokens(line, from, MAX_TOKENS);
    let steps = minified.iter().position(|t| t.at == target)?;
    let minified = &minified[..=steps];
    let map = script.map.as_ref();
    let mut walked = 0;
    for line_index in original.position.line..original.position.line.saturating_add(MAX_LINES) {
        let text = map.source_line(original.source, line_index)?;
        let from = if line_index == original.position.line {
            script.source_offset(original.source, line_index, text, original.position.column)?
        } else {
            0
        };
        let (found, to_line_end) = tokens(text, from, minified.len() - walked);
        for token in &found {
            if !same_token(&minified[walked], token) {
                return None;
            }
            walked += 1;
            if walked == minified.len() {
                let column = text[..token.at].encode_utf16().count() as u32;
                return Some(SourcePosition::new(
                    original.source,
                    Position::new(line_index, column),
                ));
            }
        }
        if !to_line_end {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(Kind, &str)> {
        tokens(line, 0, MAX_TOKENS)
            .0
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn lines_split_into_the_tokens_a_walk_compares() {
        use Kind::*;
        assert_eq!(
            kinds(r#"rules[i](state, 'a\'b', .5e3) /* c */ && x"#),
            [
                (Word, "rules"),
                (Punct, "["),
                (Word, "i"),
                (Punct, "]"),
                (Punct, "("),
                (Word, "state"),
                (Punct, ","),
                (Text, r"'a\'b'"),
                (Punct, ","),
                (Number, ".5e3"),
                (Punct, ")"),
                (Punct, "&"),
                (Punct, "&"),
                (Word, "x"),
            ]
        );
        // A walk stops before what it cannot tokenize safely.
        assert_eq!(
            tokens("a / b", 0, MAX_TOKENS),
            (
                vec![Token {
                    kind: Kind::Word,
                    text: "a",
                    at: 0
                }],
                false
            )
        );
        assert!(!tokens("f(`x`)", 0, MAX_TOKENS).1);
        assert!(!tokens("g('open", 0, MAX_TOKENS).1);
        assert!(tokens("h(); // done", 0, MAX_TOKENS).1);
    }

    #[test]
    fn a_walk_from_the_segment_finds_the_reported_token_in_the_original() {
        let original =
            "function f(rules, i, state) {\n  return rules[i](state) +\n    g(x.y.z(1));\n}\n";
        let minified = "function f(t,n,e){return t[n](e)+g(x.y.z(1))+t[n+0](e)}";
        let line = |n: usize| original.lines().nth(n).unwrap();
        let ocol = |n: usize, needle: &str| line(n).find(needle).unwrap() as u32;
        let col = |needle: &str| minified.find(needle).unwrap() as u32;
        let mappings = [
            (0, 0, 0),
            (col("t[n]("), 1, ocol(1, "rules[")),
            (col("g("), 2, ocol(2, "g(")),
            (col("t[n+0]"), 1, ocol(1, "rules[")),
        ];
        let (_, script) = crate::symbolicate::rules::tests::load(original, minified, &mappings);
        let walk = |segment: &str, reported: &str| {
            let segment = Position::new(0, col(segment));
            let token = script.map.lookup(0, segment.column).unwrap();
            let found = token.original_position().unwrap();
            walk_to(&script, segment, Position::new(0, col(reported)), found)
        };
        let at = |line: u32, column: u32| Some(SourcePosition::new(0, Position::new(line, column)));
        // `t[n](e)` for `rules[i](state)`: the `(` (V8's column for a computed callee).
        assert_eq!(walk("t[n](", "(e)+"), at(1, ocol(1, "(state)")));
        // On across lines of the original: `z` of `x.y.z(1)`.
        assert_eq!(walk("g(", "z(1)"), at(2, ocol(2, "z(1)")));
        // The minified `n+0` is not the original `i]`: no answer.
        assert_eq!(walk("t[n+0]", "(e)}"), None);
        // The token right after the segment's; at the segment itself the segment answers.
        assert_eq!(walk("g(", "(x.y"), at(2, ocol(2, "(x.y")));
        assert_eq!(walk("t[n](", "t[n]("), None);
    }

    #[test]
    fn a_segment_that_maps_its_token_to_a_neighbour_is_walked_past() {
        // As markdown-it's own map does: the `]` of `t[n]` maps to `i`, not to `]`.
        let original = "function f(rules, i) {\n  rules[i](1);\n}\n";
        let minified = "function f(t,n){t[n](1)}";
        let line = original.lines().nth(1).unwrap();
        let ocol = |needle: &str| line.find(needle).unwrap() as u32;
        let col = |needle: &str| minified.find(needle).unwrap() as u32;
        let mappings = [
            (0, 0, 0),
            (col("t[n]"), 1, ocol("rules")),
            (col("n](1)"), 1, ocol("i]")),
            (col("](1)"), 1, ocol("i]")),
        ];
        let (_, script) = crate::symbolicate::rules::tests::load(original, minified, &mappings);
        let found = walk_from_segments(&script, Position::new(0, col("(1)")));
        assert_eq!(
            found,
            Some(SourcePosition::new(0, Position::new(1, ocol("(1)"))))
        );
    }

    #[test]
    fn renamed_identifiers_match_keywords_and_punctuation_do_not() {
        let token = |kind, text| Token { kind, text, at: 0 };
        assert!(same_token(
            &token(Kind::Word, "t"),
            &token(Kind::Word, "rules")
        ));
        assert!(same_token(
            &token(Kind::Text, "\"a\""),
            &token(Kind::Text, "'a'")
        ));
        assert!(!same_token(
            &token(Kind::Word, "t"),
            &token(Kind::Word, "this")
        ));
        assert!(!same_token(
            &token(Kind::Punct, "("),
            &token(Kind::Punct, "[")
        ));
        assert!(!same_token(
            &token(Kind::Word, "x"),
            &token(Kind::Punct, "(")
        ));
    }
}
