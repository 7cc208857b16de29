//! Symbolication, the main job: a browser or Node stack trace in, original frames out,
//! with file, line, column, the enclosing function's original name and source context.
//!
//! For each frame: the script at the frame's URL is fetched through a [`Loader`], its
//! map found (`sourceMappingURL` comment, inline `data:` URL, or `<url>.map`), decoded
//! (JSON or cache) and kept in a bounded cache; the frame's position is looked up; the
//! enclosing function is found by parsing the original source (`sourcesContent`), or,
//! without it, by parsing the minified script and mapping its function's name through
//! the map. Frames that cannot be mapped keep their minified data and say why.

mod inlining;
mod loader;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Value};

use crate::cache::Cache;
use crate::decode::{DecodeLimits, DecodeOptions};
use crate::discovery;
use crate::error::{excerpt, Result};
use crate::lookup::{Bias, LookupOptions};
use crate::map::SourceMap;
use crate::scopes::{Enclosing, FunctionScopes, ScopeId};

use self::inlining::SourcePosition;
use crate::stacktrace::{parse_stack_trace, Frame, StackTrace, TraceFormat, TraceLimits};
use crate::view::SourceMapView;

pub use self::loader::{DirectoryLoader, Loader, DEFAULT_MAX_FILE_BYTES};

/// How the symbolicator works.
#[derive(Clone, Debug)]
pub struct SymbolicateOptions {
    /// Lines of context before and after the frame's line (default 5).
    pub context_lines: u32,
    /// Context lines longer than this many characters are cut around the column
    /// (default 150), as error trackers display them.
    pub max_line_chars: usize,
    /// How many scripts' maps are kept decoded (default 64); the least recently added
    /// is dropped first.
    pub max_cached_scripts: usize,
    /// The largest decoded inline (`data:`) map (default 64 MiB).
    pub max_data_url_bytes: usize,
    /// Limits for parsing the trace text.
    pub trace_limits: TraceLimits,
    /// Limits for decoding each JSON map (see [`DecodeLimits`]).
    pub decode_limits: DecodeLimits,
    /// Sources and minified scripts larger than this many bytes are not parsed for
    /// function names and inlined frames (default 32 MiB): a JavaScript syntax tree
    /// takes several times its text, and such frames keep the map's answer alone.
    pub max_parse_bytes: usize,
    /// Rebuild the frames of functions the minifier inlined (default true): when a
    /// frame's position maps into a function other than the one its minified function
    /// stands for, and the original sources show a chain of calls between the two,
    /// the callers are added as frames (see [`SymbolicatedFrame::inlined`]).
    pub inlined_frames: bool,
}

impl Default for SymbolicateOptions {
    fn default() -> SymbolicateOptions {
        SymbolicateOptions {
            context_lines: 5,
            max_line_chars: 150,
            max_cached_scripts: 64,
            max_data_url_bytes: discovery::DEFAULT_MAX_DATA_URL_BYTES,
            trace_limits: TraceLimits::default(),
            decode_limits: DecodeLimits::default(),
            max_parse_bytes: 32 << 20,
            inlined_frames: true,
        }
    }
}

/// Why a frame kept its minified data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unmapped {
    /// The frame has no URL, line or column (a native or anonymous frame).
    NoLocation,
    /// The loader found neither the script nor a map for its URL.
    NotFound {
        /// The frame's URL.
        url: String,
    },
    /// The script was found but it names no source map, and `<url>.map` does not exist.
    NoSourceMap {
        /// The frame's URL.
        url: String,
    },
    /// The script names a map that the loader did not find.
    MapNotFound {
        /// The map's URL, resolved against the script's.
        map_url: String,
    },
    /// The loader failed (an I/O error, a callback error). Not cached: the next
    /// trace tries again.
    LoaderFailed {
        /// What went wrong.
        message: String,
    },
    /// The map could not be decoded; the message says how.
    Failed {
        /// What went wrong.
        message: String,
    },
    /// The map has no token at or before the position on its line.
    NoMapping,
    /// The position's token has no original position.
    NoOriginal,
}

impl fmt::Display for Unmapped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unmapped::NoLocation => f.write_str("the frame has no location"),
            Unmapped::NotFound { url } => write!(f, "nothing found for {}", excerpt(url)),
            Unmapped::NoSourceMap { url } => write!(f, "{} names no source map", excerpt(url)),
            Unmapped::MapNotFound { map_url } => {
                write!(f, "source map {} not found", excerpt(map_url))
            }
            Unmapped::LoaderFailed { message } | Unmapped::Failed { message } => {
                f.write_str(message)
            }
            Unmapped::NoMapping => f.write_str("no mapping at this position"),
            Unmapped::NoOriginal => f.write_str("the position maps to no original source"),
        }
    }
}

impl Unmapped {
    /// A short stable identifier (for JSON and bindings).
    pub fn kind(&self) -> &'static str {
        match self {
            Unmapped::NoLocation => "no_location",
            Unmapped::NotFound { .. } => "not_found",
            Unmapped::NoSourceMap { .. } => "no_source_map",
            Unmapped::MapNotFound { .. } => "map_not_found",
            Unmapped::LoaderFailed { .. } => "loader_failed",
            Unmapped::Failed { .. } => "failed",
            Unmapped::NoMapping => "no_mapping",
            Unmapped::NoOriginal => "no_original",
        }
    }
}

/// Where a frame comes from in the original sources.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginalFrame {
    /// The `sources` entry as written, `sourceRoot`-prefixed.
    pub filename: Option<String>,
    /// The resolved URL when there is one, else `filename`.
    pub abs_path: Option<String>,
    /// 1-based line.
    pub lineno: u32,
    /// 1-based column (UTF-16 code units).
    pub colno: u32,
    /// The enclosing function's original name; `<anonymous>` inside an anonymous
    /// function; `None` at top level or when it cannot be told.
    pub function: Option<String>,
    /// The frame's line of the original source (cut to `max_line_chars`).
    pub context_line: Option<String>,
    /// Lines before it.
    pub pre_context: Vec<String>,
    /// Lines after it.
    pub post_context: Vec<String>,
    /// False for sources the map's `ignoreList` names (third-party code).
    pub in_app: bool,
}

/// One frame of a symbolicated trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolicatedFrame {
    /// The frame as the runtime printed it.
    pub minified: Frame,
    /// The original location, when the frame could be mapped.
    pub original: Option<OriginalFrame>,
    /// Why not, otherwise.
    pub unmapped: Option<Unmapped>,
    /// The runtime had no frame of its own for this one: the minifier inlined this
    /// function into its caller, and the frame was rebuilt from the original sources.
    /// It shares `minified` with the frame after it (its caller), which the runtime
    /// did print, and whose position is then the call in the original source.
    pub inlined: bool,
}

/// A symbolicated stack trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SymbolicatedTrace {
    /// The error's type (`TypeError`), when the trace has a header line.
    pub error_type: Option<String>,
    /// The error's message.
    pub message: Option<String>,
    /// The frames, innermost first as printed.
    pub frames: Vec<SymbolicatedFrame>,
    /// Whether the trace had more frames than the limit and was cut.
    pub truncated: bool,
}

impl SymbolicatedTrace {
    /// The trace as JSON, in the field names error trackers use.
    pub fn to_json(&self) -> Value {
        json!({
            "error_type": self.error_type,
            "message": self.message,
            "truncated": self.truncated,
            "frames": self.frames.iter().map(SymbolicatedFrame::to_json).collect::<Vec<_>>(),
        })
    }
}

impl SymbolicatedFrame {
    /// The frame as JSON: the original fields (null when unmapped), `unmapped_reason`,
    /// and the untouched minified frame under `minified`.
    pub fn to_json(&self) -> Value {
        let m = &self.minified;
        let minified = json!({
            "raw": m.raw, "function": m.function, "abs_path": m.url,
            "lineno": m.line, "colno": m.column,
            "is_async": m.is_async, "is_constructor": m.is_constructor,
            "is_native": m.is_native, "is_eval": m.is_eval,
        });
        let mut frame = match &self.original {
            Some(o) => json!({
                "filename": o.filename, "abs_path": o.abs_path,
                "lineno": o.lineno, "colno": o.colno, "function": o.function,
                "context_line": o.context_line, "pre_context": o.pre_context,
                "post_context": o.post_context, "in_app": o.in_app,
                "unmapped_reason": Value::Null, "inlined": self.inlined,
            }),
            None => json!({
                "filename": Value::Null, "abs_path": m.url,
                "lineno": m.line, "colno": m.column, "function": m.function,
                "context_line": Value::Null, "pre_context": [], "post_context": [],
                "in_app": true,
                "unmapped_reason": self.unmapped.as_ref().map(|u| json!({"kind": u.kind(), "message": u.to_string()})),
                "inlined": false,
            }),
        };
        frame["minified"] = minified;
        frame
    }
}

/// A script's map, decoded once, with lazily parsed function scopes.
struct Script {
    map: Box<dyn SourceMapView>,
    /// The minified script's text, when it was fetched.
    minified: Option<String>,
    /// The minified script's lines, indexed on first use.
    minified_lines: OnceLock<MinifiedLines>,
    minified_scopes: OnceLock<FunctionScopes>,
    /// Scopes of each original source, parsed on first use.
    source_scopes: Vec<OnceLock<Option<FunctionScopes>>>,
}

/// Where the original frames of one runtime frame are, innermost first.
struct Mapped {
    script: Arc<Script>,
    positions: Vec<SourcePosition>,
}

/// How a frame's position relates to inlined code.
enum Inlining {
    /// The calls through which the frame's function was inlined (outermost first),
    /// and whether the position maps to the inlined function's closing `}`.
    Chain {
        calls: Vec<inlining::InlinedCall>,
        at_closing_brace: bool,
    },
    /// The position maps to an inlined function's closing `}` and is really the call
    /// of that function at `position` of `source`, in function `caller` (`None`: top
    /// level).
    CallOf {
        source: u32,
        position: (u32, u32),
        caller: Option<ScopeId>,
    },
}

/// What the cache holds for a URL: a script, or why there is none.
type Loaded = std::result::Result<Arc<Script>, Unmapped>;

/// Symbolicates traces. Thread-safe: share one across threads; scripts' maps are
/// decoded once and kept (up to `max_cached_scripts`).
///
/// A child process forked from a process using it keeps working, without the cache:
/// it decodes the maps it needs again.
pub struct Symbolicator {
    loader: Box<dyn Loader>,
    options: SymbolicateOptions,
    cache: Mutex<ScriptCache>,
    /// The process that owns the cache (see [`Symbolicator::script`]).
    process: u32,
}

#[derive(Default)]
struct ScriptCache {
    entries: HashMap<String, Loaded>,
    order: VecDeque<String>,
}

impl Symbolicator {
    /// A symbolicator that fetches scripts and maps through `loader`.
    pub fn new(loader: impl Loader + 'static, options: SymbolicateOptions) -> Symbolicator {
        Symbolicator {
            loader: Box::new(loader),
            options,
            cache: Mutex::new(ScriptCache::default()),
            process: std::process::id(),
        }
    }

    /// Parses `trace` (V8, SpiderMonkey or JavaScriptCore text) and symbolicates it.
    pub fn symbolicate(&self, trace: &str) -> Result<SymbolicatedTrace> {
        let parsed = parse_stack_trace(trace, &self.options.trace_limits)?;
        Ok(self.symbolicate_parsed(&parsed))
    }

    /// Symbolicates an already parsed trace.
    pub fn symbolicate_parsed(&self, trace: &StackTrace) -> SymbolicatedTrace {
        let mut frames = Vec::with_capacity(trace.frames.len());
        // Where the previous runtime frame's outermost original frame is.
        let mut previous: Option<(Arc<Script>, SourcePosition)> = None;
        for frame in &trace.frames {
            let (group, mapped) = self.symbolicate_group(frame, trace.format);
            if let (true, Some((inner_script, inner)), Some(mapped)) =
                (self.options.inlined_frames, &previous, &mapped)
            {
                if Arc::ptr_eq(inner_script, &mapped.script) {
                    let first = mapped.positions[0];
                    if trace.format == TraceFormat::V8 {
                        self.name_as_v8_would(&mapped.script, first, frames.last_mut());
                    }
                    let skipped = self
                        .skipped_inlined(&mapped.script, *inner, first)
                        .unwrap_or_default();
                    for call in skipped.iter().rev() {
                        frames.push(SymbolicatedFrame {
                            minified: frame.clone(),
                            original: Some(self.call_frame(&mapped.script, call, trace.format)),
                            unmapped: None,
                            inlined: true,
                        });
                    }
                }
            }
            previous = mapped.map(|m| {
                let last = *m.positions.last().unwrap_or(&(0, (0, 0)));
                (m.script, last)
            });
            frames.extend(group);
        }
        SymbolicatedTrace {
            error_type: trace.error_type.clone(),
            message: trace.message.clone(),
            frames,
            truncated: trace.truncated,
        }
    }

    /// The calls a minifier inlined between two runtime frames: `call` (a caller's
    /// frame) calls a function other than the one `inner` (the callee's frame) is in,
    /// and the original sources show a chain from the function called there down to
    /// it. Outermost first.
    fn skipped_inlined(
        &self,
        script: &Script,
        inner: SourcePosition,
        call: SourcePosition,
    ) -> Option<Vec<inlining::InlinedCall>> {
        let callee = self
            .source_scopes(script, call.0)?
            .call_at(call.1 .0, call.1 .1)?;
        let inner_scopes = self.source_scopes(script, inner.0)?;
        let target = inner_scopes.innermost(inner.1 .0, inner.1 .1)?;
        if inner_scopes.callee_name(target)? == callee {
            return None;
        }
        let mut sources = vec![call.0];
        if inner.0 != call.0 {
            sources.push(inner.0);
        }
        for source in sources {
            let scopes = self.source_scopes(script, source)?;
            for called in scopes.functions_called(callee) {
                if (source, called) == (inner.0, target) {
                    continue;
                }
                let chain = inlining::call_chain(
                    &|index| self.source_scopes(script, index),
                    (source, called),
                    (inner.0, target),
                );
                if chain.is_some() {
                    return chain;
                }
            }
        }
        None
    }

    /// V8 names an anonymous function called as a method (`def.fn(x)`) after the
    /// property (`Object.fn`): so does the frame of an anonymous function whose caller's
    /// frame is at such a call.
    fn name_as_v8_would(
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
            .source_scopes(script, call.0)
            .and_then(|scopes| scopes.member_call_at(call.1 .0, call.1 .1))
            // `f.call(…)` and `f.apply(…)` call `f` itself, which V8 does not rename.
            .filter(|property| !matches!(*property, "call" | "apply"))
        {
            original.function = Some(property.to_owned());
        }
    }

    /// The original frame of one call of a rebuilt chain: in the caller, at the call.
    fn call_frame(
        &self,
        script: &Script,
        call: &inlining::InlinedCall,
        format: TraceFormat,
    ) -> OriginalFrame {
        let (source, caller) = call.caller;
        self.frame_in(script, source, call.position, Some(caller), format)
    }

    /// An original frame at `position` of `source`, named after function `function`
    /// (`None`: top level).
    fn frame_in(
        &self,
        script: &Script,
        source: u32,
        position: (u32, u32),
        function: Option<ScopeId>,
        format: TraceFormat,
    ) -> OriginalFrame {
        let name = self
            .source_scopes(script, source)
            .and_then(|scopes| display_name(scopes, function, format));
        self.original_frame(script.map.as_ref(), source, position, name)
    }

    /// Symbolicates one frame (of unknown origin): the frame, preceded by the frames
    /// of functions inlined into it when they can be rebuilt (innermost first).
    pub fn symbolicate_frame(&self, frame: &Frame) -> Vec<SymbolicatedFrame> {
        self.symbolicate_frame_from(frame, TraceFormat::Unknown)
    }

    /// Symbolicates one frame of a trace printed by `format`: names of anonymous
    /// functions follow that engine's convention (SpiderMonkey names them after the
    /// binding they flow into, `sortBy<`; the others print none). One frame, or more
    /// when functions inlined into it are rebuilt: innermost first, all but the last
    /// marked [`SymbolicatedFrame::inlined`].
    pub fn symbolicate_frame_from(
        &self,
        frame: &Frame,
        format: TraceFormat,
    ) -> Vec<SymbolicatedFrame> {
        self.symbolicate_group(frame, format).0
    }

    /// The frames of one runtime frame (see [`Symbolicator::symbolicate_frame_from`])
    /// and, when it was mapped, where each of them is.
    fn symbolicate_group(
        &self,
        frame: &Frame,
        format: TraceFormat,
    ) -> (Vec<SymbolicatedFrame>, Option<Mapped>) {
        match self.map_frame(frame, format) {
            Ok((originals, mapped)) => {
                let last = originals.len().saturating_sub(1);
                let frames = originals
                    .into_iter()
                    .enumerate()
                    .map(|(i, original)| SymbolicatedFrame {
                        minified: frame.clone(),
                        original: Some(original),
                        unmapped: None,
                        inlined: i < last,
                    })
                    .collect();
                (frames, Some(mapped))
            }
            Err(reason) => (
                vec![SymbolicatedFrame {
                    minified: frame.clone(),
                    original: None,
                    unmapped: Some(reason),
                    inlined: false,
                }],
                None,
            ),
        }
    }

    /// The frame's original location, then those of the functions it was inlined
    /// into (see [`inlining`]).
    fn map_frame(
        &self,
        frame: &Frame,
        format: TraceFormat,
    ) -> std::result::Result<(Vec<OriginalFrame>, Mapped), Unmapped> {
        let (Some(url), Some((line, column))) = (frame.url.as_deref(), frame.lookup_position())
        else {
            return Err(Unmapped::NoLocation);
        };
        let script = self.script(url)?;
        let map = script.map.as_ref();
        let (source, mut original) = self.frame_position(&script, line, column)?;
        // Some minifiers (swc) map a call to its closing `)`, where no engine reports a
        // frame: the frame is the call, reported where engines report calls.
        if let Some((call, _)) = self
            .source_scopes(&script, source)
            .and_then(|scopes| scopes.call_ending_at(original.0, original.1))
        {
            original = call;
        }
        let function = self.function_name(&script, format, source, original, (line, column));
        let mut frames = vec![self.original_frame(map, source, original, function)];
        let mut positions = vec![(source, original)];
        if self.options.inlined_frames {
            match self.inlining(&script, (line, column), (source, original)) {
                Some(Inlining::Chain {
                    calls,
                    at_closing_brace,
                }) => {
                    if at_closing_brace {
                        // The frame is the call of the inlined function (some
                        // minifiers map it to the callee's closing `}`, where nothing
                        // can throw or call); the chain's last call is that call.
                        frames.clear();
                        positions.clear();
                    }
                    for call in calls.iter().rev() {
                        frames.push(self.call_frame(&script, call, format));
                        positions.push((call.caller.0, call.position));
                    }
                }
                Some(Inlining::CallOf {
                    source,
                    position,
                    caller,
                }) => {
                    frames = vec![self.frame_in(&script, source, position, caller, format)];
                    positions = vec![(source, position)];
                }
                None => {}
            }
        }
        Ok((frames, Mapped { script, positions }))
    }

    /// Where a frame's position is in the original sources, as engines would report it
    /// there.
    fn frame_position(
        &self,
        script: &Script,
        line: u32,
        column: u32,
    ) -> std::result::Result<SourcePosition, Unmapped> {
        let map = script.map.as_ref();
        let column = self.callee_column(script, line, column).unwrap_or(column);
        let token = map.lookup(line, column).ok_or(Unmapped::NoMapping)?;
        let found = token_position(&token).ok_or(Unmapped::NoOriginal)?;
        if (token.generated_line(), token.generated_column()) == (line, column) {
            // Several tokens may start at the frame's column: swc maps the end of one
            // construct and the start of the next there (`{` of a loop body and the
            // call in it), and `new X(` compressed to `X(` to both `X` and `new`.
            // Engines stop frames at calls, so the first token that is where the
            // original source reports a call (its callee, property or `new`) is the
            // frame's; next best, one at other code (a function body's `{` or a
            // statement's `;` is never where a frame stops); else the first token.
            let tokens = map.original_positions(line, column, LookupOptions::default());
            if tokens.len() > 1 {
                let best = tokens
                    .iter()
                    .filter_map(token_position)
                    .min_by_key(|&position| self.frame_rank(script, position));
                return Ok(best.unwrap_or(found));
            }
            return Ok(found);
        }
        Ok(self.unmapped_keyword(script, line, column).unwrap_or(found))
    }

    /// How likely an original position is where an engine stopped a frame: 0 at a
    /// call's reported position, 1 at other code (a call's closing `)` included, where
    /// swc maps calls), 2 at punctuation that nothing stops at.
    fn frame_rank(&self, script: &Script, (source, (line, column)): SourcePosition) -> u8 {
        let scopes = self.source_scopes(script, source);
        if scopes.is_some_and(|s| s.call_at(line, column).is_some()) {
            return 0;
        }
        let text = script.map.source_line(source, line);
        let first = text
            .and_then(|t| Some(&t[utf16_offset(t, column)?..]))
            .and_then(|rest| rest.chars().next());
        match first {
            Some(')') if scopes.is_some_and(|s| s.call_ending_at(line, column).is_some()) => 1,
            Some('{' | '}' | '(' | ')' | '[' | ']' | ';' | ',') => 2,
            _ => 1,
        }
    }

    /// For a frame at a token the map gives no segment of its own, where that token
    /// is in the original source, found from the token after it:
    ///
    /// - `(`: engines report a call whose callee is not a name (`f()(x)`, `(0, o.f)(x)`,
    ///   a callee the minifier inlined: `compiled(data)` → `t("…")(e)`) at its `(`.
    ///   The segment before it is the callee's end, somewhere else in the original; the
    ///   one after it is in the call's arguments, and the call is the innermost one
    ///   around them.
    /// - `await`: V8 reports an async function's frame at the `await` it is suspended
    ///   in, which terser leaves unmapped; the awaited operand is mapped, and the
    ///   original `await` is written just before it.
    fn unmapped_keyword(&self, script: &Script, line: u32, column: u32) -> Option<SourcePosition> {
        let (text, at) = self.minified_at(script, line, column)?;
        let rest = &text[at..];
        let is_await = rest.starts_with("await") && !rest[5..].starts_with(is_name_char);
        if !rest.starts_with('(') && !is_await {
            return None;
        }
        let options = LookupOptions::with_bias(Bias::LeastUpperBound);
        let next = script.map.lookup_with(line, column + 1, options)?;
        let (source, (next_line, next_column)) = token_position(&next)?;
        if is_await {
            let original = script.map.source_line(source, next_line)?;
            let before = original[..utf16_offset(original, next_column)?].trim_end();
            let keyword = before.strip_suffix("await")?;
            if keyword.ends_with(is_name_char) {
                return None;
            }
            let at = keyword.encode_utf16().count() as u32;
            return Some((source, (next_line, at)));
        }
        let (call, _) = self
            .source_scopes(script, source)?
            .call_around(next_line, next_column)?;
        Some((source, call))
    }

    /// For a frame at the `(` of a call whose callee ends in a name (`f(`, `o.m(`):
    /// the column of that name. V8 reports such calls at the name; SpiderMonkey
    /// reports some of them (an arrow function's expression body) at the `(`, which a
    /// minifier may map elsewhere (swc maps it to the call of the function it inlined
    /// there). The call is the name's, whichever engine printed it.
    fn callee_column(&self, script: &Script, line: u32, column: u32) -> Option<u32> {
        let (text, at) = self.minified_at(script, line, column)?;
        if !text[at..].starts_with('(') {
            return None;
        }
        let before = &text[..at];
        let name = &before[before.trim_end_matches(is_name_char).len()..];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) || is_keyword(name) {
            return None;
        }
        Some(column - name.encode_utf16().count() as u32)
    }

    /// Line `line` of the minified script, when it was fetched, and the byte offset in
    /// it of UTF-16 column `column`.
    fn minified_at<'s>(
        &self,
        script: &'s Script,
        line: u32,
        column: u32,
    ) -> Option<(&'s str, usize)> {
        let text = script.minified.as_deref()?;
        let lines = script
            .minified_lines
            .get_or_init(|| MinifiedLines::new(text));
        let line_text = crate::lines::line(text, &lines.starts, line as usize)?;
        let at = match lines.checkpoints.get(&line) {
            Some(checkpoints) => {
                // Walk from the last checkpoint at or before the column.
                let i = checkpoints.partition_point(|&(units, _)| units <= column);
                let (units, byte) = i.checked_sub(1).map_or((0, 0), |i| checkpoints[i]);
                byte as usize + utf16_offset(&line_text[byte as usize..], column - units)?
            }
            None => utf16_offset(line_text, column)?,
        };
        Some((line_text, at))
    }

    /// An original frame at (0-based line, column) of `source`, with its context.
    fn original_frame(
        &self,
        map: &dyn SourceMapView,
        source: u32,
        (original_line, original_column): (u32, u32),
        function: Option<String>,
    ) -> OriginalFrame {
        let context = map.source(source).and_then(|source| {
            source.context(
                original_line,
                self.options.context_lines,
                self.options.context_lines,
            )
        });
        let (context_line, pre_context, post_context) = match context {
            Some(context) => {
                let cut = |l: &str| cut_line(l, None, self.options.max_line_chars);
                (
                    Some(cut_line(
                        context.line,
                        Some(original_column),
                        self.options.max_line_chars,
                    )),
                    context.pre.iter().map(|l| cut(l)).collect(),
                    context.post.iter().map(|l| cut(l)).collect(),
                )
            }
            None => (None, Vec::new(), Vec::new()),
        };
        let source = map.source(source);
        OriginalFrame {
            filename: source.and_then(|s| s.prefixed_name()).map(str::to_owned),
            abs_path: source.and_then(|s| s.path()).map(str::to_owned),
            lineno: original_line + 1,
            colno: original_column + 1,
            function,
            context_line,
            pre_context,
            post_context,
            in_app: !source.is_some_and(|s| s.is_ignored()),
        }
    }

    /// How the frame's position relates to inlined code (see [`inlining`]), if it
    /// does: a chain of calls from the function its minified function stands for down
    /// to the function the position maps into; or, for a position at an inlined
    /// function's closing `}` outside any such chain, the call of that function.
    fn inlining(
        &self,
        script: &Script,
        (line, column): (u32, u32),
        (source, (original_line, original_column)): (u32, (u32, u32)),
    ) -> Option<Inlining> {
        let target_scopes = self.source_scopes(script, source)?;
        let target = target_scopes.innermost(original_line, original_column)?;
        let (_, end) = target_scopes.extent(target)?;
        let at_closing_brace = (original_line, original_column + 1) == end;
        let minified_scopes = self.minified_scopes(script)?;
        let chain = minified_scopes
            .innermost(line, column)
            .and_then(|enclosing| self.home_function(script, minified_scopes, enclosing))
            .and_then(|(home, (home_source, home_position))| {
                if home == (source, target) {
                    return None;
                }
                // A minifier that turns an inlined call into an immediately called
                // function maps that function's start into the original call: it
                // stands for the function called there, not for the one calling.
                let target_name = target_scopes.callee_name(target)?;
                let calls_target = self
                    .source_scopes(script, home_source)?
                    .call_containing(home_position.0, home_position.1, Some(target_name))
                    .is_some();
                if calls_target {
                    return None;
                }
                inlining::call_chain(
                    &|index| self.source_scopes(script, index),
                    home,
                    (source, target),
                )
            });
        if let Some(calls) = chain {
            return Some(Inlining::Chain {
                calls,
                at_closing_brace,
            });
        }
        if !at_closing_brace {
            return None;
        }
        // The call's arguments follow the position: the next token maps into them, in
        // the caller's source.
        let callee = target_scopes.callee_name(target)?;
        let options = LookupOptions::with_bias(Bias::LeastUpperBound);
        let next = script.map.lookup_with(line, column + 1, options)?;
        let next_source = next.source_index()?;
        let (position, caller) = self.source_scopes(script, next_source)?.call_containing(
            next.original_line()?,
            next.original_column()?,
            Some(callee),
        )?;
        Some(Inlining::CallOf {
            source: next_source,
            position,
            caller,
        })
    }

    /// The original function a minified function stands for: where the map takes
    /// its name identifier or its start (exact tokens), else the first token inside
    /// it.
    fn home_function(
        &self,
        script: &Script,
        minified_scopes: &FunctionScopes,
        id: ScopeId,
    ) -> Option<(inlining::FunctionRef, inlining::SourcePosition)> {
        let map = script.map.as_ref();
        let (start, end) = minified_scopes.extent(id)?;
        let exact = [minified_scopes.name_position(id), Some(start)]
            .into_iter()
            .flatten()
            .find_map(|(l, c)| {
                let token = map.lookup(l, c)?;
                (token.generated_line() == l && token.generated_column() == c).then_some(token)
            });
        let token = exact.or_else(|| {
            let options = LookupOptions {
                bias: Bias::LeastUpperBound,
                same_line: false,
            };
            let token = map.lookup_with(start.0, start.1, options)?;
            ((token.generated_line(), token.generated_column()) < end).then_some(token)
        })?;
        let source = token.source_index()?;
        let position = (token.original_line()?, token.original_column()?);
        let function = self
            .source_scopes(script, source)?
            .function_at(position.0, position.1)?;
        Some(((source, function), (source, position)))
    }

    /// The function scopes of the minified script, parsed on first use; `None` when
    /// the script was not fetched or is larger than `max_parse_bytes`.
    fn minified_scopes<'s>(&self, script: &'s Script) -> Option<&'s FunctionScopes> {
        let minified = script
            .minified
            .as_deref()
            .filter(|m| m.len() <= self.options.max_parse_bytes)?;
        Some(
            script
                .minified_scopes
                .get_or_init(|| FunctionScopes::parse_functions(minified, None)),
        )
    }

    /// The function scopes of source `index`: stored in a cache, or parsed from its
    /// content on first use; `None` without content or when nothing parses.
    fn source_scopes<'s>(&self, script: &'s Script, index: u32) -> Option<&'s FunctionScopes> {
        script
            .source_scopes
            .get(index as usize)?
            .get_or_init(|| {
                let map = script.map.as_ref();
                let scopes = map.stored_scopes(index).or_else(|| {
                    let content = map
                        .source_content(index)
                        .filter(|c| c.len() <= self.options.max_parse_bytes)?;
                    Some(FunctionScopes::parse(
                        content,
                        map.source_prefixed_name(index),
                    ))
                })?;
                (!scopes.is_empty()).then_some(scopes)
            })
            .as_ref()
    }

    /// The original name of the function enclosing the frame: from the original
    /// source's scopes; failing that, from the minified script's function name mapped
    /// through the map.
    fn function_name(
        &self,
        script: &Script,
        format: TraceFormat,
        source: u32,
        (original_line, original_column): (u32, u32),
        (line, column): (u32, u32),
    ) -> Option<String> {
        if let Some(scopes) = self.source_scopes(script, source) {
            let innermost = scopes.innermost(original_line, original_column);
            return display_name(scopes, innermost, format);
        }
        let scopes = self.minified_scopes(script)?;
        let (name_line, name_column) = scopes.enclosing_name_position(line, column)?;
        let token = script.map.lookup(name_line, name_column)?;
        token.name().map(str::to_owned)
    }

    /// The script for `url`, from the cache or loaded now.
    fn script(&self, url: &str) -> std::result::Result<Arc<Script>, Unmapped> {
        // In a child forked while another thread of the parent held the cache's lock,
        // or was parsing a script's scopes, that lock or parse is never released: the
        // child loads its own scripts and touches nothing the parent shared.
        if std::process::id() != self.process {
            return self.load(url);
        }
        if let Some(found) = self.lock().entries.get(url) {
            return found.clone();
        }
        // Loaded outside the lock: other threads keep symbolicating meanwhile (two
        // threads may load the same script once each; the second result is dropped).
        let loaded = self.load(url);
        // A loader failure may be transient (storage down): don't remember it.
        if matches!(loaded, Err(Unmapped::LoaderFailed { .. })) {
            return loaded;
        }
        let mut cache = self.lock();
        if !cache.entries.contains_key(url) {
            cache.entries.insert(url.to_owned(), loaded.clone());
            cache.order.push_back(url.to_owned());
            while cache.order.len() > self.options.max_cached_scripts.max(1) {
                if let Some(oldest) = cache.order.pop_front() {
                    cache.entries.remove(&oldest);
                }
            }
        }
        loaded
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ScriptCache> {
        // A panic while holding the lock cannot leave the cache inconsistent (inserts
        // and removals are single operations), so a poisoned lock is still usable.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn fetch(&self, url: &str) -> std::result::Result<Option<Vec<u8>>, Unmapped> {
        self.loader.fetch(url).map_err(|e| Unmapped::LoaderFailed {
            message: format!("loading {}: {}", excerpt(url), e.message()),
        })
    }

    fn load(&self, url: &str) -> Loaded {
        let script = self.fetch(url)?;
        let minified = script.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let (map_url, map_bytes) = match minified.as_deref().and_then(discovery::source_mapping_url)
        {
            Some(reference) => {
                if let Some(decoded) =
                    discovery::decode_data_url(reference, self.options.max_data_url_bytes)
                {
                    let bytes = decoded.map_err(|e| Unmapped::Failed {
                        message: format!("inline source map of {}: {}", excerpt(url), e.message()),
                    })?;
                    (url.to_owned(), bytes)
                } else {
                    let map_url = resolve_reference(url, reference);
                    let bytes = self.fetch(&map_url)?.ok_or_else(|| Unmapped::MapNotFound {
                        map_url: map_url.clone(),
                    })?;
                    (map_url, bytes)
                }
            }
            None => {
                // No comment (or no script): the common `<url>.map` convention.
                let map_url = format!("{}.map", strip_query(url));
                match self.fetch(&map_url)? {
                    Some(bytes) => (map_url, bytes),
                    None if minified.is_some() => {
                        return Err(Unmapped::NoSourceMap {
                            url: url.to_owned(),
                        })
                    }
                    None => {
                        return Err(Unmapped::NotFound {
                            url: url.to_owned(),
                        })
                    }
                }
            }
        };
        let map = decode_map(&map_bytes, &map_url, self.options.decode_limits).map_err(|e| {
            Unmapped::Failed {
                message: format!("source map {}: {}", excerpt(&map_url), e.message()),
            }
        })?;
        let sources = map.source_count();
        Ok(Arc::new(Script {
            map,
            minified,
            minified_lines: OnceLock::new(),
            minified_scopes: OnceLock::new(),
            source_scopes: (0..sources).map(|_| OnceLock::new()).collect(),
        }))
    }
}

/// The name to show for function `id` (`None`: top level): its own, or for an
/// anonymous function what the engine that printed the trace would show
/// (SpiderMonkey names it after the binding it flows into, `sortBy<`).
fn display_name(
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

/// The minified script's line starts, and for each long line with non-ASCII text,
/// `(UTF-16 column, byte offset)` checkpoints about every [`Self::STEP`] units: minified
/// lines run to megabytes, and a frame's column becomes a byte offset without walking
/// the whole line before it.
struct MinifiedLines {
    starts: Vec<u32>,
    checkpoints: HashMap<u32, Vec<(u32, u32)>>,
}

impl MinifiedLines {
    const STEP: u32 = 1024;

    fn new(text: &str) -> MinifiedLines {
        let starts = crate::lines::line_starts(text);
        let mut checkpoints = HashMap::new();
        for index in 0..starts.len() {
            let Some(line) = crate::lines::line(text, &starts, index) else {
                continue;
            };
            if line.len() <= Self::STEP as usize || line.is_ascii() {
                continue;
            }
            let mut marks = Vec::new();
            let mut units = 0u32;
            for (offset, ch) in line.char_indices() {
                if units >= (marks.len() as u32 + 1) * Self::STEP {
                    marks.push((units, offset as u32));
                }
                units += ch.len_utf16() as u32;
            }
            checkpoints.insert(index as u32, marks);
        }
        MinifiedLines {
            starts,
            checkpoints,
        }
    }
}

/// (source, (line, column)) of a token that has an original position.
fn token_position(token: &crate::view::Token<'_>) -> Option<SourcePosition> {
    Some((
        token.source_index()?,
        (token.original_line()?, token.original_column()?),
    ))
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

/// The byte offset of UTF-16 column `column` of `line`, if it falls on a character.
fn utf16_offset(line: &str, column: u32) -> Option<usize> {
    // Minified lines are long and nearly always ASCII before the column: one
    // vectorised check instead of a walk over every character.
    let prefix = line.as_bytes().get(..column as usize);
    if prefix.is_some_and(|p| p.is_ascii()) {
        return Some(column as usize);
    }
    let mut units = 0u32;
    for (offset, ch) in line.char_indices() {
        if units == column {
            return Some(offset);
        }
        units += ch.len_utf16() as u32;
    }
    (units == column).then_some(line.len())
}

/// A map from bytes: a mapback cache (by its magic bytes) or JSON, with sources
/// resolved against the map's own URL when that is an absolute URL.
fn decode_map(bytes: &[u8], map_url: &str, limits: DecodeLimits) -> Result<Box<dyn SourceMapView>> {
    if bytes.starts_with(b"MAPBACKC") {
        return Ok(Box::new(Cache::from_slice(bytes)?));
    }
    let mut options = DecodeOptions::new().limits(limits);
    if let Ok(with_base) = options.clone().base_url(map_url) {
        options = with_base;
    }
    Ok(Box::new(SourceMap::from_slice_with(bytes, &options)?))
}

/// Resolves a map reference against the script's URL: as a URL when the script's is
/// one, else as a path relative to the script's directory (Node prints paths).
fn resolve_reference(script_url: &str, reference: &str) -> String {
    if let Ok(base) = url::Url::parse(script_url) {
        if let Ok(resolved) = base.join(reference) {
            return resolved.into();
        }
    }
    if url::Url::parse(reference).is_ok() || reference.starts_with('/') {
        return reference.to_owned();
    }
    match strip_query(script_url).rfind('/') {
        Some(slash) => format!("{}/{}", &script_url[..slash], reference),
        None => reference.to_owned(),
    }
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Cuts a line longer than `max_chars` characters: around `column` (UTF-16) when given,
/// else its start, marking cuts with `{snip}` as error trackers do.
fn cut_line(line: &str, column: Option<u32>, max_chars: usize) -> String {
    let count = line.chars().count();
    if count <= max_chars || max_chars == 0 {
        return line.to_owned();
    }
    let center = column.map_or(0, |c| {
        // UTF-16 column to char index.
        let mut units = 0u32;
        line.chars()
            .take_while(|ch| {
                units += ch.len_utf16() as u32;
                units <= c
            })
            .count()
    });
    let start = center.saturating_sub(max_chars / 2).min(count - max_chars);
    let end = start + max_chars;
    let middle: String = line.chars().skip(start).take(end - start).collect();
    format!(
        "{}{}{}",
        if start > 0 { "{snip} " } else { "" },
        middle,
        if end < count { " {snip}" } else { "" }
    )
}

impl fmt::Debug for Symbolicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Symbolicator")
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbolicator_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Symbolicator>();
    }

    #[test]
    fn references_resolve_against_urls_and_paths() {
        assert_eq!(
            resolve_reference("https://x.com/js/app.js", "app.js.map"),
            "https://x.com/js/app.js.map"
        );
        assert_eq!(
            resolve_reference("https://x.com/js/app.js", "/maps/a.map"),
            "https://x.com/maps/a.map"
        );
        assert_eq!(
            resolve_reference("/srv/app/dist/app.js", "app.js.map"),
            "/srv/app/dist/app.js.map"
        );
        assert_eq!(
            resolve_reference("file:///srv/app.js", "app.js.map"),
            "file:///srv/app.js.map"
        );
        assert_eq!(resolve_reference("app.js", "app.js.map"), "app.js.map");
    }

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let line = "x".repeat(400);
        let cut = cut_line(&line, Some(200), 150);
        assert!(
            cut.starts_with("{snip} ") && cut.ends_with(" {snip}"),
            "{cut}"
        );
        assert_eq!(cut.chars().filter(|c| *c == 'x').count(), 150);
        assert_eq!(cut_line("short", Some(2), 150), "short");
        assert!(cut_line(&line, None, 150).ends_with(" {snip}"));
    }
}
