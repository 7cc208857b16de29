//! V8 frames (Chrome, Edge, Node.js, Deno): `at [async ][new ]NAME[ [as ALIAS]] (LOCATION)`
//! or `at [async ]LOCATION`.
//!
//! A LOCATION is `URL:LINE:COLUMN` (or `URL:LINE`), `native`, `<anonymous>`,
//! `index N` (`Promise.all`), or `eval at ORIGIN, LOCATION` where ORIGIN is itself
//! `NAME (LOCATION)`. Hermes's `address at URL:LINE:OFFSET` is read as `URL:LINE:COLUMN`, the
//! frame marked as bytecode.

use super::scan::{is_digits, split_position};
use super::{Frame, MAX_EVAL_DEPTH};

/// Parses one trimmed line as a V8 frame; `None` when it is not one.
pub(super) fn parse_frame(line: &str) -> Option<Frame> {
    let body = line.strip_prefix("at ")?.trim_start();
    let mut frame = parse_body(body, 0)?;
    frame.raw = line.to_owned();
    Some(frame)
}

/// The text after `at ` (or after `eval at `): either `NAME (LOCATION)` or `LOCATION`.
/// `raw` is left empty for the caller.
fn parse_body(body: &str, depth: usize) -> Option<Frame> {
    if body.ends_with(')') {
        if let Some(open) = location_open(body) {
            let location = &body[open + 1..body.len() - 1];
            if let Some(mut frame) = parse_location(location, depth, true) {
                apply_name(&mut frame, &body[..open]);
                return Some(frame);
            }
        }
    }
    // `at async file:///a.mjs:1:2`: an anonymous async frame.
    let (is_async, location) = match body.strip_prefix("async ") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, body),
    };
    let mut frame = parse_location(location, depth, false)?;
    frame.is_async |= is_async;
    Some(frame)
}

/// The byte index of the `(` that opens the location of `NAME (LOCATION)`, for a body
/// that ends with `)`.
///
/// First the balanced match of the final `)`, counted from the right (so
/// `C:\Program Files (x86)\a.js:1:2` and eval origins stay whole), accepted only when it
/// starts the body or follows a space, as V8 prints it. When the parentheses do not
/// balance that way (`https://h/a(.js:1:2`), the first ` (` is used instead.
fn location_open(body: &str) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    for i in (0..bytes.len()).rev() {
        match bytes[i] {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    if i == 0 || bytes[i - 1] == b' ' {
                        return Some(i);
                    }
                    break;
                }
            }
            _ => {}
        }
    }
    memchr::memmem::find(bytes, b" (").map(|i| i + 1)
}

/// Parses a LOCATION. `in_parens`: it came from `NAME (LOCATION)`, where V8 also prints
/// locations without a position; a bare `at LOCATION` needs a position (or `://`) so
/// that message text such as `at least one item` is not taken for a frame.
fn parse_location(location: &str, depth: usize, in_parens: bool) -> Option<Frame> {
    let location = location.trim();
    let bytecode = location.strip_prefix("address at ");
    let location = bytecode.unwrap_or(location);
    let mut frame = Frame {
        is_bytecode: bytecode.is_some(),
        ..Frame::default()
    };
    if location == "<anonymous>" {
        return Some(frame);
    }
    if in_parens && location == "native" {
        frame.is_native = true;
        return Some(frame);
    }
    if in_parens && location.strip_prefix("index ").is_some_and(is_digits) {
        return Some(frame); // `Promise.all (index 0)`: no source position
    }
    if let Some(rest) = location.strip_prefix("eval at ") {
        frame.is_eval = true;
        let (origin, position) = split_eval(rest);
        if depth < MAX_EVAL_DEPTH {
            frame.eval_origin = parse_body(origin, depth + 1).map(|mut o| {
                // `eval at outer (url:1:2)`: the origin as printed.
                o.raw = location[.."eval at ".len() + origin.len()].to_owned();
                Box::new(o)
            });
        }
        if let Some(position) = position.and_then(split_position) {
            frame.url = non_anonymous(position.url);
            frame.line = position.line;
            frame.column = position.column;
        }
        return Some(frame);
    }
    match split_position(location) {
        Some(position) if !position.url.is_empty() => {
            frame.url = non_anonymous(position.url);
            frame.line = position.line;
            frame.column = position.column;
        }
        Some(_) => return None,
        None => {
            let plausible = !location.is_empty()
                && !location.contains(char::is_whitespace)
                && (in_parens || location.contains("://"));
            if !plausible {
                return None;
            }
            // `wasm://wasm/1a2b:wasm-function[3]:0x8f` and other position-less URLs.
            frame.url = Some(location.to_owned());
        }
    }
    Some(frame)
}

/// Splits `ORIGIN, LOCATION` (after `eval at `) at the first `, ` outside parentheses.
fn split_eval(text: &str) -> (&str, Option<&str>) {
    let bytes = text.as_bytes();
    let mut depth = 0isize;
    for (i, &byte) in bytes.iter().enumerate() {
        match byte {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b',' if depth == 0 && bytes.get(i + 1) == Some(&b' ') => {
                return (&text[..i], Some(&text[i + 2..]));
            }
            _ => {}
        }
    }
    (text, None)
}

/// `<anonymous>` (V8's name for code without a script URL) is no URL.
fn non_anonymous(url: &str) -> Option<String> {
    (url != "<anonymous>").then(|| url.to_owned())
}

/// Reads `[async ][new ]NAME[ [as ALIAS]]` into the frame.
fn apply_name(frame: &mut Frame, name: &str) {
    let mut name = name.trim();
    loop {
        if let Some(rest) = name.strip_prefix("async ") {
            frame.is_async = true;
            name = rest.trim_start();
        } else if let Some(rest) = name.strip_prefix("new ") {
            frame.is_constructor = true;
            name = rest.trim_start();
        } else {
            break;
        }
    }
    if let Some(inner) = name.strip_suffix(']') {
        if let Some(at) = inner.rfind(" [as ") {
            frame.alias = Some(inner[at + " [as ".len()..].to_owned());
            name = inner[..at].trim_end();
        }
    }
    if !name.is_empty() && name != "<anonymous>" {
        frame.function = Some(name.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_open_prefers_the_balanced_paren_after_a_space() {
        assert_eq!(location_open("f (a.js:1:2)"), Some(2));
        assert_eq!(location_open("f (C:\\P (x86)\\a.js:1:2)"), Some(2));
        assert_eq!(location_open("f (https://h/a(.js:1:2)"), Some(2));
        assert_eq!(location_open("(a.js:1:2)"), Some(0));
        assert_eq!(location_open("x)"), None);
        assert_eq!(location_open(")"), None);
    }

    #[test]
    fn eval_split_skips_nested_commas() {
        assert_eq!(
            split_eval("f (eval at g (a.js:1:2), <anonymous>:3:4), <anonymous>:5:6"),
            (
                "f (eval at g (a.js:1:2), <anonymous>:3:4)",
                Some("<anonymous>:5:6")
            )
        );
        assert_eq!(split_eval("f (a.js:1:2)"), ("f (a.js:1:2)", None));
    }
}
