//! The `NAME@LOCATION` frames of SpiderMonkey (Firefox) and JavaScriptCore (Safari).
//!
//! Both engines print `NAME@URL:LINE:COLUMN`. Names and URLs can both contain `@`
//! (`on@click`, `node_modules/@babel/…`): the separator is the first `@` followed by a
//! URL (`scheme:` or `/`) or `[native code]`, else the first `@`.
//!
//! What tells the engines apart is decoration:
//!
//! - SpiderMonkey: nested names (`outer/inner<`, `fn/<`), names of functions assigned
//!   to prototype properties (`Cart.prototype.addItem`; JavaScriptCore prints
//!   `addItem`), async causes before a `*` (`async*fn@…`, `promise callback*fn@…`), eval
//!   chains in the URL (`URL line 2 > eval:1:5`, `URL line 3 > Function:1:1`), and
//!   `self-hosted` frames. (Old versions print no column, `fn@URL:12`; such frames are
//!   read, but say nothing about the engine.)
//! - JavaScriptCore: `[native code]` (alone or as a location), frames with an empty
//!   location (`evaluated@`, `anonymous@`: code from `eval` or `new Function`, which
//!   has no URL), and the labels `global code`, `eval code` and `module code` instead
//!   of a function name.

use super::scan::{is_digits, parse_u32, split_position};
use super::{Frame, MAX_EVAL_DEPTH};

/// Which engine a frame's decoration points to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Hints {
    pub spidermonkey: bool,
    pub javascriptcore: bool,
}

impl std::ops::BitOrAssign for Hints {
    fn bitor_assign(&mut self, other: Hints) {
        self.spidermonkey |= other.spidermonkey;
        self.javascriptcore |= other.javascriptcore;
    }
}

/// JavaScriptCore's labels for code that is not inside a function.
const JSC_LABELS: [&str; 3] = ["global code", "eval code", "module code"];

const NATIVE_CODE: &str = "[native code]";

/// Parses one trimmed line as a `NAME@LOCATION` frame (or one of JavaScriptCore's bare
/// lines, or Safari 7's bare `URL:LINE:COLUMN`); `None` when it is not one.
pub(super) fn parse_frame(line: &str) -> Option<(Frame, Hints)> {
    let mut frame = Frame {
        raw: line.to_owned(),
        ..Frame::default()
    };
    let mut hints = Hints::default();
    let Some(at) = location_at(line) else {
        return parse_bare(line, frame);
    };
    let (name, location) = (&line[..at], &line[at + 1..]);
    if name.contains(": ") {
        return None; // a message line such as `Error: mail bob@host:25`
    }

    // The location.
    let mut url_like = false;
    if location == NATIVE_CODE {
        frame.is_native = true;
        hints.javascriptcore = true;
        url_like = true;
    } else if location.is_empty() {
        // JavaScriptCore prints code without a source URL (eval, `new Function`) as
        // `evaluated@`, `anonymous@`, `eval code@`.
        if name.is_empty() {
            return None;
        }
        hints.javascriptcore = true;
    } else {
        let position = split_position(location)?;
        frame.line = position.line;
        frame.column = position.column;
        if !position.url.is_empty() {
            let (url, origin) = eval_chain(position.url, 0);
            if origin.is_some() {
                frame.is_eval = true;
                frame.eval_origin = origin;
                hints.spidermonkey = true;
                url_like = true;
            }
            if url.as_deref() == Some("self-hosted") {
                hints.spidermonkey = true;
            }
            url_like |= url.as_deref().is_some_and(looks_like_url);
            frame.url = url;
        }
    }

    // The name: `[CAUSE*]NAME`, where NAME may be a JavaScriptCore label.
    let mut name = name;
    if let Some(star) = name.find('*').filter(|&star| star > 0) {
        frame.is_async = true;
        hints.spidermonkey = true;
        name = &name[star + 1..];
    }
    if JSC_LABELS.contains(&name) {
        hints.javascriptcore = true;
        frame.is_eval |= name == "eval code";
        return Some((frame, hints));
    }
    if name.contains(char::is_whitespace) && !url_like {
        // Names rarely have spaces (`get x`); with a URL that is not one, the line is
        // more likely prose that happens to contain `@`.
        return None;
    }
    if name.contains('/') || name.ends_with('<') || name.contains(".prototype.") {
        hints.spidermonkey = true;
    }
    if !name.is_empty() {
        frame.function = Some(name.to_owned());
    }
    Some((frame, hints))
}

/// A line without `@`: JavaScriptCore's `[native code]` and bare labels, or a bare
/// `URL:LINE:COLUMN` without spaces (Safari 7's anonymous frames).
fn parse_bare(line: &str, mut frame: Frame) -> Option<(Frame, Hints)> {
    let jsc = Hints {
        spidermonkey: false,
        javascriptcore: true,
    };
    if line == NATIVE_CODE {
        frame.is_native = true;
        return Some((frame, jsc));
    }
    if JSC_LABELS.contains(&line) {
        frame.is_eval = line == "eval code";
        return Some((frame, jsc));
    }
    if line.contains(char::is_whitespace) {
        return None;
    }
    let position = split_position(line)?;
    if position.url.is_empty() || position.column.is_none() || position.line.is_none() {
        return None;
    }
    frame.url = Some(position.url.to_owned());
    frame.line = position.line;
    frame.column = position.column;
    Some((frame, Hints::default()))
}

/// Reads SpiderMonkey's eval chain: `OUTER line N > KIND` is code created by `eval`,
/// `Function` (or another KIND) at line N of OUTER, where OUTER is a URL or another
/// chain. Returns the frame's own URL (`None` for eval code) and the origin.
fn eval_chain(url: &str, depth: usize) -> (Option<String>, Option<Box<Frame>>) {
    let plain = || (Some(url.to_owned()), None);
    let Some(arrow) = url.rfind(" > ") else {
        return plain();
    };
    let before = &url[..arrow];
    let (outer, digits) = match before.rfind(" line ") {
        Some(at) => (&before[..at], &before[at + " line ".len()..]),
        None => match before.strip_prefix("line ") {
            Some(digits) => ("", digits),
            None => return plain(),
        },
    };
    if !is_digits(digits) {
        return plain();
    }
    let mut origin = Frame {
        raw: url.to_owned(), // `OUTER line N > KIND`, as printed
        line: parse_u32(digits),
        ..Frame::default()
    };
    if !outer.is_empty() && depth < MAX_EVAL_DEPTH {
        let (outer_url, outer_origin) = eval_chain(outer, depth + 1);
        origin.is_eval = outer_url.is_none();
        origin.url = outer_url;
        origin.eval_origin = outer_origin;
    }
    (None, Some(Box::new(origin)))
}

/// The `@` that separates name and location: the first one followed by a URL (so a
/// name may contain `@`, as in Firefox's `on@click@https://…`, and a URL may too, as in
/// `fn@webpack:///./node_modules/@babel/…`), else the first one.
fn location_at(line: &str) -> Option<usize> {
    let first = memchr::memchr(b'@', line.as_bytes())?;
    let chosen = memchr::memchr_iter(b'@', line.as_bytes()).find(|&at| {
        let rest = &line[at + 1..];
        rest.starts_with(NATIVE_CODE) || looks_like_url(rest)
    });
    Some(chosen.unwrap_or(first))
}

/// `scheme:…` or an absolute path.
fn looks_like_url(url: &str) -> bool {
    if url.starts_with('/') {
        return true;
    }
    let scheme_len = url
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    scheme_len > 0 && url.as_bytes().get(scheme_len) == Some(&b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eval_chains_nest() {
        let (url, origin) = eval_chain("http://h/a.js line 26 > eval line 2 > eval", 0);
        assert_eq!(url, None);
        let origin = origin.unwrap();
        assert_eq!((origin.line, origin.url.as_deref()), (Some(2), None));
        assert!(origin.is_eval);
        let outer = origin.eval_origin.unwrap();
        assert_eq!(
            (outer.line, outer.url.as_deref(), outer.is_eval),
            (Some(26), Some("http://h/a.js"), false)
        );
        assert_eq!(eval_chain("a > b", 0), (Some("a > b".to_owned()), None));
        assert_eq!(
            eval_chain("a line x > eval", 0),
            (Some("a line x > eval".to_owned()), None)
        );
    }

    #[test]
    fn url_shapes() {
        assert!(looks_like_url("https://h/a.js"));
        assert!(looks_like_url("/srv/a.js"));
        assert!(looks_like_url("moz-extension://x/a.js"));
        assert!(!looks_like_url("example.com"));
        assert!(!looks_like_url(":x"));
    }
}
