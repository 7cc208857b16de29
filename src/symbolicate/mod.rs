//! Symbolication, the main job: a browser or Node stack trace (text, SDK frames, or a
//! whole Sentry event) in, original frames out, with file, line, column, the enclosing
//! function's original name and source context.
//!
//! For each frame: the script's map is found through an [`ArtifactLookup`], by the
//! frame's debug ID first, then by its URL ([`LoaderLookup`] fetches the script through
//! a [`Loader`] and finds its map: `sourceMappingURL` comment, inline `data:` URL, or
//! `<url>.map`), decoded (JSON or cache) and kept in a bounded cache; the frame's
//! position is looked up; the enclosing function is found by parsing the original
//! source (`sourcesContent`), or, without it, by parsing the minified script and
//! mapping its function's name through the map. Frames that cannot be mapped keep
//! their minified data and say why.
//!
//! The parts: `artifacts.rs` is the lookup seam; `scripts.rs` caches scripts and their
//! maps; `rules.rs` holds the engine and minifier position rules; `inlining.rs`
//! rebuilds the frames of functions a minifier inlined; `frames.rs` and `event.rs`
//! take frames and events as SDKs send them (`event_json.rs` writes an event's JSON
//! text); `result.rs` holds what comes back and its
//! JSON. This file ties them together, one frame at a time, innermost first.

mod artifacts;
mod event;
mod event_json;
mod frames;
mod inlining;
mod loader;
mod result;
mod rules;
mod scripts;
mod store_lookup;
mod tokens;

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::decode::DecodeLimits;
use crate::discovery;
use crate::error::Result;
use crate::original_scopes::frames_at;
use crate::position::{Position, SourcePosition};
use crate::scopes::ScopeId;
use crate::stacktrace::{parse_stack_trace, Frame, StackTrace, TraceFormat, TraceLimits};

use self::inlining::Inlining;
use self::rules::display_name;
use self::scripts::{Script, ScriptCache};

pub use self::artifacts::{normalize_debug_id, Artifact, ArtifactLookup, FoundBy, LoaderLookup};
pub use self::event::detect_engine;
pub use self::frames::{DebugImage, EventFrame};
pub use self::loader::{DirectoryLoader, Loader, DEFAULT_MAX_FILE_BYTES};
pub use self::result::{NameOrigin, OriginalFrame, SymbolicatedFrame, SymbolicatedTrace, Unmapped};

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
    /// The most frames [`Symbolicator::symbolicate_event`] symbolicates in one event,
    /// all stack traces together (default 4,096); frames past it are left as sent.
    pub max_event_frames: usize,
    /// The largest event [`Symbolicator::symbolicate_event_json`] reads (default
    /// 16 MiB).
    pub max_event_bytes: usize,
    /// The most JSON objects and arrays in an event [`Symbolicator::symbolicate_event_json`]
    /// reads (default 131,072: 100,000 frames and their event fit). Each takes up to
    /// about 2 KiB while the event is symbolicated, so this bounds its memory where
    /// `max_event_bytes` alone does not (16 MiB of `{}` is 5 million objects).
    pub max_event_values: usize,
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
            max_event_frames: 4096,
            max_event_bytes: 16 << 20,
            max_event_values: 1 << 17,
        }
    }
}

/// Symbolicates traces. Thread-safe: share one across threads; scripts' maps are
/// decoded once and kept (up to `max_cached_scripts`).
///
/// A child process forked from a process using it keeps working, without the cache:
/// it decodes the maps it needs again.
pub struct Symbolicator {
    lookup: Box<dyn ArtifactLookup>,
    options: SymbolicateOptions,
    cache: Mutex<ScriptCache>,
    /// The process that owns the cache (see `Symbolicator::script`).
    process: u32,
}

/// Where the original frames of one runtime frame are, innermost first.
struct Mapped {
    script: Arc<Script>,
    positions: Vec<SourcePosition>,
}

/// The script the previous frame of a trace was found in, with the debug ID and URL
/// that found it: a trace's frames are mostly of one script, and finding it again took
/// a lock, a key built and hashed per frame. Only scripts found are kept.
#[derive(Default)]
struct LastScript(Option<FoundScript>);

/// A script found, with the debug ID and URL it was found by.
struct FoundScript {
    debug_id: Option<String>,
    url: Option<String>,
    script: Arc<Script>,
    found_by: FoundBy,
}

impl LastScript {
    fn find(
        &mut self,
        symbolicator: &Symbolicator,
        debug_id: Option<&str>,
        url: Option<&str>,
    ) -> std::result::Result<(Arc<Script>, FoundBy), Unmapped> {
        if let Some(found) = &self.0 {
            if found.debug_id.as_deref() == debug_id && found.url.as_deref() == url {
                return Ok((found.script.clone(), found.found_by));
            }
        }
        let (script, found_by) = symbolicator.script_for(debug_id, url)?;
        self.0 = Some(FoundScript {
            debug_id: debug_id.map(str::to_owned),
            url: url.map(str::to_owned),
            script: script.clone(),
            found_by,
        });
        Ok((script, found_by))
    }
}

/// A runtime frame to symbolicate, and the debug ID of its script when known.
struct FrameToMap<'f> {
    frame: &'f Frame,
    debug_id: Option<&'f str>,
}

impl Symbolicator {
    /// A symbolicator that fetches scripts and maps through `loader` (by URL: see
    /// [`LoaderLookup`]).
    pub fn new(loader: impl Loader + 'static, options: SymbolicateOptions) -> Symbolicator {
        let lookup = LoaderLookup::new(loader, &options);
        Symbolicator::with_lookup(lookup, options)
    }

    /// A symbolicator that finds scripts and maps through `lookup`, by debug ID and
    /// by URL (an artifact store, or a [`LoaderLookup`]).
    pub fn with_lookup(
        lookup: impl ArtifactLookup + 'static,
        options: SymbolicateOptions,
    ) -> Symbolicator {
        Symbolicator {
            lookup: Box::new(lookup),
            options,
            cache: Mutex::new(ScriptCache::default()),
            process: std::process::id(),
        }
    }

    /// A symbolicator over an artifact store: each frame's map is found by its image's
    /// debug ID first, then by its script URL (`~/path` uploads match any host). The
    /// store is shared: several symbolicators (threads, pools) may read one.
    pub fn from_store(
        store: std::sync::Arc<crate::store::Store>,
        options: SymbolicateOptions,
    ) -> Symbolicator {
        Symbolicator::with_lookup(store, options)
    }

    /// Parses `trace` (V8, SpiderMonkey or JavaScriptCore text) and symbolicates it.
    pub fn symbolicate(&self, trace: &str) -> Result<SymbolicatedTrace> {
        let parsed = parse_stack_trace(trace, &self.options.trace_limits)?;
        Ok(self.symbolicate_parsed(&parsed))
    }

    /// Symbolicates an already parsed trace.
    pub fn symbolicate_parsed(&self, trace: &StackTrace) -> SymbolicatedTrace {
        let frames: Vec<FrameToMap<'_>> = trace
            .frames
            .iter()
            .map(|frame| FrameToMap {
                frame,
                debug_id: None,
            })
            .collect();
        SymbolicatedTrace {
            error_type: trace.error_type.clone(),
            message: trace.message.clone(),
            frames: self.symbolicate_innermost_first(&frames, trace.format),
            truncated: trace.truncated,
        }
    }

    /// The frames of a trace, innermost first, with the frames of inlined functions
    /// rebuilt between and inside them (innermost first too).
    fn symbolicate_innermost_first(
        &self,
        trace: &[FrameToMap<'_>],
        format: TraceFormat,
    ) -> Vec<SymbolicatedFrame> {
        let mut frames = Vec::with_capacity(trace.len());
        // Where the previous runtime frame's outermost original frame is, and where the
        // runtime printed it in the minified script.
        let mut previous: Option<(Arc<Script>, SourcePosition, Position)> = None;
        // V8 frames by their index in `frames`, with their script.
        let mut printed: Vec<(usize, Arc<Script>, &Frame)> = Vec::new();
        let mut last = LastScript::default();
        for to_map in trace {
            let frame = to_map.frame;
            let (mut group, mapped) =
                self.symbolicate_group(frame, to_map.debug_id, format, &mut last);
            if let (true, Some((inner_script, inner, minified_inner)), Some(mapped), Some(at)) = (
                self.options.inlined_frames,
                &previous,
                &mapped,
                frame.lookup_position(),
            ) {
                // A map with scopes said which frames were inlined: nothing to rebuild.
                let has_scopes = mapped.script.map.original_scopes().is_some();
                if Arc::ptr_eq(inner_script, &mapped.script) && !has_scopes {
                    let first = mapped.positions[0];
                    if format == TraceFormat::V8 {
                        self.name_as_v8_would(&mapped.script, first, frames.last_mut());
                    }
                    let skipped = self
                        .skipped_inlined(&mapped.script, *inner, first, *minified_inner, at)
                        .unwrap_or_default();
                    let found = group.last().map(|g| (g.found_by, g.map_url.clone()));
                    let (found_by, map_url) = found.unwrap_or_default();
                    for call in skipped.iter().rev() {
                        let mut original = self.call_frame(&mapped.script, call, format);
                        self.show_as_engine_reports(
                            &mapped.script,
                            format,
                            frame,
                            &mut original,
                            call.site(),
                        );
                        frames.push(SymbolicatedFrame {
                            minified: frame.clone(),
                            original: Some(original),
                            unmapped: None,
                            inlined: true,
                            found_by,
                            map_url: map_url.clone(),
                        });
                    }
                }
            }
            if let (TraceFormat::V8, Some(mapped)) = (format, &mapped) {
                self.keep_v8_method_name(&mapped.script, frame, group.last_mut());
                if !group.is_empty() {
                    printed.push((frames.len() + group.len() - 1, mapped.script.clone(), frame));
                }
            }
            previous = mapped.zip(frame.lookup_position()).map(|(m, at)| {
                let last = m.positions.last().copied().unwrap_or_default();
                (m.script, last, at)
            });
            frames.extend(group);
        }
        self.name_renamed_constructors(&printed, &mut frames);
        frames
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
        self.symbolicate_group(frame, None, format, &mut LastScript::default())
            .0
    }

    /// The frames of one runtime frame (see [`Symbolicator::symbolicate_frame_from`])
    /// and, when it was mapped, where each of them is.
    fn symbolicate_group(
        &self,
        frame: &Frame,
        debug_id: Option<&str>,
        format: TraceFormat,
        last: &mut LastScript,
    ) -> (Vec<SymbolicatedFrame>, Option<Mapped>) {
        match self.map_frame(frame, debug_id, format, last) {
            Ok((originals, mapped, found_by)) => {
                let last = originals.len().saturating_sub(1);
                let frames = originals
                    .into_iter()
                    .enumerate()
                    .map(|(i, original)| SymbolicatedFrame {
                        minified: frame.clone(),
                        original: Some(original),
                        unmapped: None,
                        inlined: i < last,
                        found_by: Some(found_by),
                        map_url: mapped.script.map_url.clone(),
                    })
                    .collect();
                (frames, Some(mapped))
            }
            Err((reason, found)) => (
                vec![SymbolicatedFrame {
                    minified: frame.clone(),
                    original: None,
                    unmapped: Some(reason),
                    inlined: false,
                    found_by: found.as_ref().map(|(found_by, _)| *found_by),
                    map_url: found.and_then(|(_, map_url)| map_url),
                }],
                None,
            ),
        }
    }

    /// The frame's original location, then those of the functions it was inlined
    /// into (see `inlining.rs`), and which key found the map. When the frame cannot
    /// be mapped: why, and which key found the map when one was found.
    #[allow(clippy::type_complexity)]
    fn map_frame(
        &self,
        frame: &Frame,
        debug_id: Option<&str>,
        format: TraceFormat,
        last: &mut LastScript,
    ) -> std::result::Result<
        (Vec<OriginalFrame>, Mapped, FoundBy),
        (Unmapped, Option<(FoundBy, Option<String>)>),
    > {
        let Some(position) = frame.lookup_position() else {
            return Err((Unmapped::NoLocation, None));
        };
        if frame.url.is_none() && debug_id.is_none() {
            return Err((Unmapped::NoLocation, None));
        }
        let (script, found_by) = last
            .find(self, debug_id, frame.url.as_deref())
            .map_err(|e| (e, None))?;
        if frame.is_bytecode {
            return self
                .map_bytecode_frame(script, position, format, found_by)
                .map_err(|(e, script_url)| (e, Some((found_by, script_url))));
        }
        let located = self
            .frame_position(&script, position)
            .map_err(|e| (e, Some((found_by, script.map_url.clone()))))?;
        let original = self.call_for_closing_paren(&script, located.at);
        if let Some((mut frames, positions)) = self.frames_from_scopes(&script, position, original)
        {
            frames[0].column_refined = located.column_refined && original == located.at;
            for (original, at) in frames.iter_mut().zip(&positions) {
                self.show_as_engine_reports(&script, format, frame, original, *at);
            }
            return Ok((frames, Mapped { script, positions }, found_by));
        }
        let (function, origin) = self.function_name(&script, format, original, position);
        let map = script.map.as_ref();
        let mut first = result::original_frame(map, original, function, origin, &self.options);
        first.column_refined = located.column_refined && original == located.at;
        let mut frames = vec![first];
        let mut positions = vec![original];
        if self.options.inlined_frames {
            match self.inlining(&script, position, original) {
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
                        positions.push(call.site());
                    }
                }
                Some(Inlining::CallOf { call, caller }) => {
                    frames = vec![self.frame_in(&script, call, caller, format)];
                    positions = vec![call];
                }
                None => {}
            }
        }
        for (original, at) in frames.iter_mut().zip(&positions) {
            self.show_as_engine_reports(&script, format, frame, original, *at);
        }
        Ok((frames, Mapped { script, positions }, found_by))
    }

    /// A Hermes bytecode frame: its offset is looked up as it is. The minified text
    /// the JavaScript rules read (calls, tokens, inlined functions) is not there to read,
    /// so none of them applies; the name comes from the map's function map or the
    /// original source.
    #[allow(clippy::type_complexity)]
    fn map_bytecode_frame(
        &self,
        script: Arc<Script>,
        position: Position,
        format: TraceFormat,
        found_by: FoundBy,
    ) -> std::result::Result<(Vec<OriginalFrame>, Mapped, FoundBy), (Unmapped, Option<String>)>
    {
        let fail = |reason| (reason, script.map_url.clone());
        let token = script
            .map
            .lookup(position.line, position.column)
            .ok_or_else(|| fail(Unmapped::NoMapping))?;
        let original = token
            .original_position()
            .ok_or_else(|| fail(Unmapped::NoOriginal))?;
        let (function, origin) = self
            .original_function_name(&script, format, original, None)
            .unwrap_or_default();
        let map = script.map.as_ref();
        let frame = result::original_frame(map, original, function, origin, &self.options);
        let mapped = Mapped {
            script,
            positions: vec![original],
        };
        Ok((vec![frame], mapped, found_by))
    }

    /// A frame at original position `at` shown where the trace's engine reports it
    /// running the original: `at` stays the frame's position for what follows (calls
    /// are found by their name); only the frame's column moves.
    ///
    /// A `name@location` trace without the decorations that tell SpiderMonkey's from
    /// JavaScriptCore's ([`TraceFormat::Unknown`]) follows SpiderMonkey's call columns:
    /// JavaScriptCore reports every call at its `(` (tools/capture's kitchen sink), so
    /// the calls SpiderMonkey reports at the `(` it reports there too.
    fn show_as_engine_reports(
        &self,
        script: &Script,
        format: TraceFormat,
        minified: &Frame,
        frame: &mut OriginalFrame,
        at: SourcePosition,
    ) {
        let printed_with_at_sign = !minified.raw.is_empty() && !minified.raw.starts_with("at ");
        let format = match format {
            TraceFormat::Unknown if printed_with_at_sign => TraceFormat::SpiderMonkey,
            format => format,
        };
        if let Some(paren) = self.call_as_spidermonkey_reports(script, format, at) {
            let function = frame.function.take();
            let (refined, origin) = (frame.column_refined, frame.function_origin);
            let map = script.map.as_ref();
            *frame = result::original_frame(map, paren, function, origin, &self.options);
            frame.column_refined = refined;
        }
    }

    /// The frames the map's own scopes (the scopes proposal) give at `position` of the
    /// minified script, which maps to `original`, innermost first, with where each is:
    /// the innermost at `original`, each caller of an inlined body at its call site.
    /// `None` when the map has no scopes, no range covers the position, or the ranges
    /// name no original scope (then the sources are parsed as without scopes).
    fn frames_from_scopes(
        &self,
        script: &Script,
        position: Position,
        original: SourcePosition,
    ) -> Option<(Vec<OriginalFrame>, Vec<SourcePosition>)> {
        let map = script.map.as_ref();
        let info = map.original_scopes()?;
        let mut chain = frames_at(info, position)?;
        if chain.iter().all(|f| f.definition.is_none()) {
            return None;
        }
        if !self.options.inlined_frames {
            chain.truncate(1);
        }
        let mut frames = Vec::with_capacity(chain.len());
        let mut positions = Vec::with_capacity(chain.len());
        for link in chain {
            let at = link.at.unwrap_or(original);
            let scope = link.definition.and_then(|d| info.definition(d));
            let function = scope.and_then(|scope| match scope.name.and_then(|n| map.name(n)) {
                Some(name) => Some(name.to_owned()),
                None => scope.is_stack_frame.then(|| "<anonymous>".to_owned()),
            });
            let origin = Some(NameOrigin::Scopes);
            let frame = result::original_frame(map, at, function, origin, &self.options);
            frames.push(frame);
            positions.push(at);
        }
        Some((frames, positions))
    }

    /// The original name of the function enclosing the frame at `position` of the
    /// minified script, which maps to `original`, and where it came from: the original
    /// source's scopes; failing that, the minified script's function name mapped
    /// through the map.
    fn function_name(
        &self,
        script: &Script,
        format: TraceFormat,
        original: SourcePosition,
        position: Position,
    ) -> (Option<String>, Option<NameOrigin>) {
        if let Some(told) = self.original_function_name(script, format, original, None) {
            return told;
        }
        let name = self.minified_scopes(script).and_then(|scopes| {
            let name = scopes.enclosing_name_position(position)?;
            let token = script.map.lookup(name.line, name.column)?;
            token.name().map(str::to_owned)
        });
        let origin = name.is_some().then_some(NameOrigin::MinifiedScript);
        (name, origin)
    }

    /// The name of the function around original position `at` and where it came from,
    /// from what the map knows of the original: its function map for the source
    /// (Metro's, which React Native's tools show), else the source's parsed scopes
    /// (`function`: the scope to name, when the caller knows it; else the innermost at
    /// `at`). `None` when neither is there.
    fn original_function_name(
        &self,
        script: &Script,
        format: TraceFormat,
        at: SourcePosition,
        function: Option<Option<ScopeId>>,
    ) -> Option<(Option<String>, Option<NameOrigin>)> {
        if let Some(functions) = script.map.function_map(at.source) {
            let name = functions.name_at(at.position).map(str::to_owned);
            return Some((name, Some(NameOrigin::FunctionMap)));
        }
        let scopes = self.source_scopes(script, at.source)?;
        let scope = function.unwrap_or_else(|| scopes.innermost(at.position));
        let name = display_name(scopes, scope, format);
        let origin = name.is_some().then_some(NameOrigin::OriginalSource);
        Some((name, origin))
    }

    /// An original frame at `at`, named after function `function` of its source
    /// (`None`: top level).
    fn frame_in(
        &self,
        script: &Script,
        at: SourcePosition,
        function: Option<ScopeId>,
        format: TraceFormat,
    ) -> OriginalFrame {
        let (name, origin) = self
            .original_function_name(script, format, at, Some(function))
            .unwrap_or_default();
        result::original_frame(script.map.as_ref(), at, name, origin, &self.options)
    }
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
}
