//! Stack trace parsing: `error.stack` text (and log output that contains it) from V8,
//! SpiderMonkey and JavaScriptCore, read into [`StackTrace`] and [`Frame`]s whose
//! positions can be looked up in a source map.
//!
//! # Formats
//!
//! **V8** (Chrome, Edge, Node.js, Deno). A header, then indented `at` lines:
//!
//! ```text
//! TypeError: Cannot read properties of undefined (reading 'id')
//!     at Cart.addItem [as add] (https://shop.example/app.js:10:15)
//!     at new Cart (https://shop.example/app.js:3:9)
//!     at async Promise.all (index 0)
//!     at eval (eval at run (https://shop.example/app.js:40:5), <anonymous>:1:7)
//!     at Array.map (<anonymous>)
//!     at https://shop.example/app.js:99:1
//! ```
//!
//! The header is `Name: message`; the message may span several lines, up to the first
//! frame. Node's code-decorated names (`TypeError [ERR_INVALID_ARG_TYPE]: …`) keep the
//! bracket in [`StackTrace::error_type`]; the console prefixes `Uncaught `,
//! `Uncaught (in promise) ` and Deno's `error: Uncaught ` are dropped. A location is
//! `URL:LINE:COLUMN`, `native`, `<anonymous>`, `index N`, or `eval at ORIGIN, LOCATION`.
//! Hermes's bytecode frames, `NAME (address at URL:LINE:OFFSET)`, are read too: the
//! frame is marked [`Frame::is_bytecode`], and its column is the bytecode offset.
//!
//! **SpiderMonkey** (Firefox). No header (Firefox's `error.stack` has no
//! `Error: message` line, though logs often print one before it), one frame a line:
//!
//! ```text
//! Cart.prototype.addItem@https://shop.example/app.js:10:15
//! outer/inner<@https://shop.example/app.js:1:2
//! async*checkout@https://shop.example/app.js:20:3
//! fn@https://shop.example/app.js line 2 > eval:1:5
//! @https://shop.example/app.js:99:1
//! ```
//!
//! **JavaScriptCore** (Safari). Like SpiderMonkey, plus its own labels, and an empty
//! location for code from `eval` or `new Function`:
//!
//! ```text
//! addItem@https://shop.example/app.js:10:15
//! evaluated@
//! eval code@
//! forEach@[native code]
//! global code@https://shop.example/app.js:99:1
//! ```
//!
//! # Positions
//!
//! [`Frame::line`] and [`Frame::column`] are stored **1-based, as printed**: V8,
//! SpiderMonkey and JavaScriptCore all print 1-based lines and columns.
//! [`Frame::lookup_position`] converts them to the 0-based [`Position`] a source map
//! lookup takes. A number too large for a `u32` is `None`, never a panic; `0` is kept as
//! printed (and gives no lookup position).
//!
//! # How the text is read
//!
//! Lines end at `\n` or `\r\n`; each is trimmed before it is parsed as a frame.
//!
//! - **Family.** Before the first frame every line is tried as a V8 frame, then as a
//!   `name@location` frame. The first frame fixes the family: after it only frames of
//!   that family are recognised.
//! - **Header.** Lines before the first frame form the header. Its first unindented
//!   `Name: message` line (or a lone `Name` right before the frames) gives
//!   [`StackTrace::error_type`], and the rest of the header from there is the
//!   [`StackTrace::message`] (lines joined with `\n`, trailing blank lines dropped). So
//!   Node's uncaught-exception preamble (`/app/x.js:3`, the source line, `^`) before
//!   `Error: boom` is skipped. When no line looks like that, `error_type` is `None` and
//!   `message` is the whole header, trimmed.
//! - **After the first frame**, a line that is not a frame is ignored when it is blank
//!   or indented (Node's `    ... 4 lines matching cause stack trace ...`), and ends the
//!   trace when it starts at column 0: that is a `Caused by:` line, the header of a
//!   second trace, or unrelated log output. Text holding several traces therefore
//!   yields the first one. (SpiderMonkey traces have no header, so two of them printed
//!   back to back without anything between read as one.)
//! - **Format.** [`TraceFormat::V8`] for `at` frames. For `name@location` frames,
//!   [`TraceFormat::SpiderMonkey`] or [`TraceFormat::JavaScriptCore`] when some frame
//!   carries decoration only that engine prints (SpiderMonkey: `/`, a trailing `<` or
//!   `.prototype.` in a name, `cause*`, an eval chain, `self-hosted`; JavaScriptCore:
//!   `[native code]`, an empty location as in `evaluated@`, `global code`, `eval code`,
//!   `module code`), and [`TraceFormat::Unknown`] when none does (or both do):
//!   `f@https://a/b.js:1:2` is valid for either engine. `Unknown` also when there is no
//!   frame at all.
//! - **Guarding against prose.** `at least one item` is no frame (a bare V8 location
//!   needs a position); a `name@location` line whose name contains `: ` is no frame;
//!   nor is one whose name contains a space unless its location is a URL (`scheme:` or
//!   `/…`), `[native code]` or an eval chain; nor a location without a position (except
//!   `[native code]` and JavaScriptCore's empty location).
//!
//! # Limits and cost
//!
//! Parsing is linear in the input: hand-written scanners, no regular expressions, no
//! backtracking. Eval origins nested deeper than 8 are cut (the outer frames keep the
//! text in `raw`), which also bounds the memory a frame takes to a few times its line.
//! [`TraceLimits`] bounds the rest: input over `max_input_bytes` fails with
//! [`ErrorCode::TraceTooLarge`]; a line over `max_line_bytes` is never parsed as a
//! frame (in the header it contributes its first `max_line_bytes` bytes to the
//! message; after the first frame it is treated like any other non-frame line); frames
//! past `max_frames` are dropped and [`StackTrace::truncated`] is set.
//!
//! ```
//! use mapback::{parse_stack_trace, Position, TraceFormat, TraceLimits};
//!
//! let text = "TypeError: x is undefined\n    at l (https://a.example/app.min.js:1:1036)\n";
//! let trace = parse_stack_trace(text, &TraceLimits::default()).unwrap();
//! assert_eq!(trace.format, TraceFormat::V8);
//! assert_eq!(trace.error_type.as_deref(), Some("TypeError"));
//! assert_eq!(trace.message.as_deref(), Some("x is undefined"));
//! let frame = &trace.frames[0];
//! assert_eq!(frame.function.as_deref(), Some("l"));
//! assert_eq!(frame.url.as_deref(), Some("https://a.example/app.min.js"));
//! assert_eq!(frame.lookup_position(), Some(Position::new(0, 1035)));
//! ```

mod at_sign;
mod scan;
mod v8;

use crate::error::{Error, ErrorCode, Result};
use crate::position::Position;

use self::at_sign::Hints;
use self::scan::{is_indented, prefix};

/// Eval origins nested deeper than this are not parsed (the chain is cut). Real traces
/// nest two or three deep; the cap also bounds the copies of a line that a frame's
/// origins hold (each origin keeps its text in `raw`).
const MAX_EVAL_DEPTH: usize = 8;

/// A parsed stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackTrace {
    /// The error's name from the header (`"TypeError"`), if a header was found.
    pub error_type: Option<String>,
    /// The message from the header; several lines are joined with `\n`. `None` when
    /// empty.
    pub message: Option<String>,
    /// The frames, innermost (where the error was thrown) first, as printed.
    pub frames: Vec<Frame>,
    /// The engine whose syntax the frames use.
    pub format: TraceFormat,
    /// True when frames past [`TraceLimits::max_frames`] were dropped.
    pub truncated: bool,
}

/// Which engine printed a trace. See the module documentation for how it is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TraceFormat {
    /// `    at fn (url:line:col)`: Chrome, Edge, Node.js, Deno.
    V8,
    /// `fn@url:line:col` with Firefox's decoration (`outer/inner<`, `async*`, eval chains).
    SpiderMonkey,
    /// `fn@url:line:col` with Safari's decoration (`[native code]`, `global code`).
    JavaScriptCore,
    /// No frames, or `fn@url:line:col` frames that either engine could have printed.
    Unknown,
}

/// One frame of a stack trace.
///
/// Lines and columns are 1-based, as engines print them; use
/// [`Frame::lookup_position`] for the 0-based position a source map lookup takes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The frame's line, trimmed. For an eval origin, the text that describes it as
    /// printed (`eval at outer (url:1:2)` in V8, `url line 2 > eval` in SpiderMonkey).
    pub raw: String,
    /// The function name as printed, minus decorations: `async `, `new ` and
    /// ` [as alias]` in V8; the async cause (`async*`) in SpiderMonkey, whose nesting
    /// text is kept (`outer/inner<`, `Cart.prototype.addItem`). `None` for anonymous
    /// and top-level code, including V8's `<anonymous>` and JavaScriptCore's
    /// `global code`, `eval code` and `module code`.
    pub function: Option<String>,
    /// The script URL or path as printed (`https://…`, `file:///C:/a.js`, `/srv/a.js`,
    /// `node:internal/…`, `webpack://…`). `None` for native frames, for code without a
    /// URL (V8's `<anonymous>`), and for eval code, whose origin is in `eval_origin`.
    pub url: Option<String>,
    /// 1-based line, as printed. `None` when absent or too large for a `u32`.
    pub line: Option<u32>,
    /// 1-based column, as printed (V8, SpiderMonkey and JavaScriptCore print 1-based
    /// columns); for a bytecode frame, the bytecode virtual offset as printed, which
    /// counts from 0. `None` when absent or too large for a `u32`.
    pub column: Option<u32>,
    /// An async frame: V8's `at async fn`, SpiderMonkey's `async*fn` (or another
    /// cause before `*`).
    pub is_async: bool,
    /// V8's `at new C`.
    pub is_constructor: bool,
    /// Native code: V8's `(native)`, JavaScriptCore's `[native code]`.
    pub is_native: bool,
    /// Code created by `eval`, `new Function` or the like: V8's `eval at …`,
    /// SpiderMonkey's `url line N > eval`, JavaScriptCore's `eval code`.
    pub is_eval: bool,
    /// Hermes bytecode: `(address at URL:LINE:OFFSET)`, where `column` is the
    /// bytecode virtual offset (what a Hermes map's generated columns are).
    pub is_bytecode: bool,
    /// V8's `[as alias]`: the property name the function was called through.
    pub alias: Option<String>,
    /// Where the eval code was created: V8's `eval at outer (url:l:c)` (a frame with
    /// function, URL, line and column), SpiderMonkey's `url line N > eval` (a frame with
    /// URL and line only). Nested evals chain through this field.
    pub eval_origin: Option<Box<Frame>>,
}

impl Frame {
    /// The 0-based position to look up in a source map: (`line` - 1, `column` - 1);
    /// for a bytecode frame (`line` - 1, `column`), the offset being 0-based already.
    /// `None` when either is absent or 0 (a bytecode offset may be 0).
    pub fn lookup_position(&self) -> Option<Position> {
        if self.is_bytecode {
            let line = self.line?.checked_sub(1)?;
            return Some(Position::new(line, self.column?));
        }
        Position::from_one_based(self.line?, self.column?)
    }
}

/// Bounds on the work [`parse_stack_trace`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceLimits {
    /// Larger input fails with [`ErrorCode::TraceTooLarge`]. Default 16 MiB.
    pub max_input_bytes: usize,
    /// A longer line (without its line ending) is not parsed as a frame; in the header
    /// its first `max_line_bytes` bytes go into the message. Default 64 KiB.
    pub max_line_bytes: usize,
    /// Frames past this many are dropped and [`StackTrace::truncated`] is set.
    /// Default 10,000.
    pub max_frames: usize,
}

impl Default for TraceLimits {
    fn default() -> TraceLimits {
        TraceLimits {
            max_input_bytes: 16 << 20,
            max_line_bytes: 64 << 10,
            max_frames: 10_000,
        }
    }
}

/// The frame syntax fixed by a trace's first frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Family {
    V8,
    AtSign,
}

/// Parses `error.stack` text (or log output containing it). See the module
/// documentation for the formats and the rules.
///
/// Never fails on content: text with no frames gives an empty `frames` and whatever
/// header it has. The only error is [`ErrorCode::TraceTooLarge`], when `text` is longer
/// than `limits.max_input_bytes`.
pub fn parse_stack_trace(text: &str, limits: &TraceLimits) -> Result<StackTrace> {
    if text.len() > limits.max_input_bytes {
        return Err(Error::new(
            ErrorCode::TraceTooLarge,
            format!(
                "the stack trace is {} bytes, over the limit of {} bytes",
                text.len(),
                limits.max_input_bytes
            ),
        ));
    }
    let mut header: Vec<&str> = Vec::new();
    let mut family = None;
    let mut frames = Vec::new();
    let mut hints = Hints::default();
    let mut truncated = false;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let parsed = if line.len() > limits.max_line_bytes {
            None
        } else {
            parse_frame(line.trim(), family)
        };
        match parsed {
            Some((line_family, frame, frame_hints)) => {
                family = Some(line_family);
                if frames.len() == limits.max_frames {
                    truncated = true;
                    break;
                }
                frames.push(frame);
                hints |= frame_hints;
            }
            None if family.is_none() => header.push(prefix(line, limits.max_line_bytes)),
            None if line.trim().is_empty() || is_indented(line) => {}
            None => break,
        }
    }
    let format = match family {
        Some(Family::V8) => TraceFormat::V8,
        Some(Family::AtSign) => match (hints.spidermonkey, hints.javascriptcore) {
            (true, false) => TraceFormat::SpiderMonkey,
            (false, true) => TraceFormat::JavaScriptCore,
            _ => TraceFormat::Unknown,
        },
        None => TraceFormat::Unknown,
    };
    let (error_type, message) = parse_header(&header);
    Ok(StackTrace {
        error_type,
        message,
        frames,
        format,
        truncated,
    })
}

/// One trimmed line as a frame of `family` (or of either family before the first
/// frame).
fn parse_frame(line: &str, family: Option<Family>) -> Option<(Family, Frame, Hints)> {
    if family != Some(Family::AtSign) {
        if let Some(frame) = v8::parse_frame(line) {
            return Some((Family::V8, frame, Hints::default()));
        }
    }
    if family != Some(Family::V8) {
        if let Some((frame, hints)) = at_sign::parse_frame(line) {
            return Some((Family::AtSign, frame, hints));
        }
    }
    None
}

/// Error type and message from the lines before the first frame.
fn parse_header(lines: &[&str]) -> (Option<String>, Option<String>) {
    let last_text = lines.iter().rposition(|line| !line.trim().is_empty());
    let Some(last_text) = last_text else {
        return (None, None);
    };
    for (i, line) in lines[..=last_text].iter().enumerate() {
        let Some((name, first)) = header_line(line) else {
            continue;
        };
        // A lone `Name` is a header only right before the frames (an empty message).
        if first.is_none() && i != last_text {
            continue;
        }
        let mut message = first.unwrap_or("").to_owned();
        for line in &lines[i + 1..=last_text] {
            message.push('\n');
            message.push_str(line);
        }
        let message = message.trim_end();
        let message = (!message.is_empty()).then(|| message.to_owned());
        return (Some(name.to_owned()), message);
    }
    let message = lines[..=last_text].join("\n");
    let message = message.trim();
    (None, (!message.is_empty()).then(|| message.to_owned()))
}

/// `Name: message` or `Name` at column 0: the name and the first message line
/// (`None` for a lone name). Name is an identifier, dots allowed (`firebase.Error`),
/// optionally followed by Node's ` [ERR_CODE]`.
fn header_line(line: &str) -> Option<(&str, Option<&str>)> {
    if is_indented(line) {
        return None;
    }
    let mut line = line.trim_end();
    for console_prefix in ["error: Uncaught ", "Uncaught ", "(in promise) "] {
        line = line.strip_prefix(console_prefix).unwrap_or(line);
    }
    let bytes = line.as_bytes();
    let starts_identifier = |b: &u8| b.is_ascii_alphabetic() || matches!(b, b'_' | b'$');
    if !bytes.first().is_some_and(starts_identifier) {
        return None;
    }
    let mut end = bytes
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.'))
        .count();
    if line[end..].starts_with(" [") {
        if let Some(close) = line[end..].find(']') {
            end += close + 1;
        }
    }
    let (name, rest) = line.split_at(end);
    if rest.is_empty() {
        return Some((name, None));
    }
    let message = rest.strip_prefix(':')?;
    Some((name, Some(message.strip_prefix(' ').unwrap_or(message))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines() {
        assert_eq!(header_line("Error: a: b"), Some(("Error", Some("a: b"))));
        assert_eq!(header_line("Error"), Some(("Error", None)));
        assert_eq!(header_line("Error:"), Some(("Error", Some(""))));
        assert_eq!(
            header_line("Uncaught (in promise) TypeError: x"),
            Some(("TypeError", Some("x")))
        );
        assert_eq!(
            header_line("TypeError [ERR_X]: bad"),
            Some(("TypeError [ERR_X]", Some("bad")))
        );
        assert_eq!(header_line("  Error: x"), None);
        assert_eq!(header_line("/app/x.js:3"), None);
        assert_eq!(header_line("Some words"), None);
        assert_eq!(header_line(""), None);
    }

    #[test]
    fn lookup_positions() {
        let frame = |line, column| Frame {
            line,
            column,
            ..Frame::default()
        };
        assert_eq!(
            frame(Some(1), Some(1)).lookup_position(),
            Some(Position::new(0, 0))
        );
        assert_eq!(frame(Some(0), Some(1)).lookup_position(), None);
        assert_eq!(frame(Some(1), Some(0)).lookup_position(), None);
        assert_eq!(frame(Some(3), None).lookup_position(), None);
        let bytecode = |column| Frame {
            is_bytecode: true,
            ..frame(Some(1), column)
        };
        assert_eq!(
            bytecode(Some(0)).lookup_position(),
            Some(Position::new(0, 0))
        );
        assert_eq!(
            bytecode(Some(2271)).lookup_position(),
            Some(Position::new(0, 2271))
        );
    }
}
