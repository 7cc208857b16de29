//! Whole events, as Sentry's SDKs send them: every JavaScript stack trace of
//! `exception.values[]` and `threads.values[]` symbolicated in place, the frames as
//! sent kept as `raw_stacktrace`, and what went wrong per frame added to the event's
//! `errors` list with the codes docs/symbolication.md lists. The engine (which decides
//! the column rules) comes from the event's contexts or its User-Agent.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorCode, Result};
use crate::stacktrace::TraceFormat;

use super::event_json;
use super::frames::type_name;
use super::{DebugImage, EventFrame, SymbolicatedFrame, Symbolicator, Unmapped};

/// The engine that ran the event's code: `contexts.browser.name`, else
/// `contexts.runtime.name`, else the `User-Agent` request header (browser SDKs send
/// no browser context; Sentry derives it from this header); [`TraceFormat::Unknown`]
/// when none says.
pub fn detect_engine(event: &Value) -> TraceFormat {
    let contexts = event.get("contexts");
    let name = |context: &str| {
        contexts
            .and_then(|c| c.get(context))
            .and_then(|c| c.get("name"))
            .and_then(Value::as_str)
    };
    name("browser")
        .and_then(engine_of_browser)
        .or_else(|| name("runtime").and_then(engine_of_runtime))
        .or_else(|| user_agent(event).and_then(engine_of_user_agent))
        .unwrap_or(TraceFormat::Unknown)
}

/// Whether the event comes from React Native running Hermes bytecode without debug
/// info: `contexts.react_native_context` with `js_engine: "hermes"` and
/// `hermes_debug_info: false`, which Sentry's React Native SDK sets when a frame of the
/// event is on line 1 without a platform. Hermes then prints a bytecode offset where a
/// column would be, and the SDK keeps it as `colno`.
fn runs_hermes_bytecode(event: &Value) -> bool {
    let Some(context) = event
        .get("contexts")
        .and_then(|c| c.get("react_native_context"))
    else {
        return false;
    };
    context.get("js_engine").and_then(Value::as_str) == Some("hermes")
        && context.get("hermes_debug_info").and_then(Value::as_bool) == Some(false)
}

/// The engine of a browser by the name Sentry's contexts give it.
fn engine_of_browser(name: &str) -> Option<TraceFormat> {
    let name = name.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if has(&["ios", "iphone", "ipad"]) {
        // Every iOS browser runs WebKit.
        return Some(TraceFormat::JavaScriptCore);
    }
    if has(&["firefox", "seamonkey", "waterfox", "librewolf"]) {
        return Some(TraceFormat::SpiderMonkey);
    }
    if has(&[
        "chrome", "chromium", "edge", "opera", "brave", "vivaldi", "samsung", "yandex", "electron",
    ]) {
        return Some(TraceFormat::V8);
    }
    if has(&["safari", "webkit"]) {
        return Some(TraceFormat::JavaScriptCore);
    }
    None
}

/// The engine of a server-side runtime by its context name.
fn engine_of_runtime(name: &str) -> Option<TraceFormat> {
    match name.to_ascii_lowercase().as_str() {
        "node" | "nodejs" | "node.js" | "deno" | "electron" | "vercel-edge" | "workerd"
        | "cloudflare" => Some(TraceFormat::V8),
        "bun" => Some(TraceFormat::JavaScriptCore),
        _ => None,
    }
}

/// The engine of a browser by its User-Agent. Order matters: Chromium's UAs also say
/// `Safari/`, and iOS browsers say `CriOS`/`FxiOS` but run WebKit.
fn engine_of_user_agent(agent: &str) -> Option<TraceFormat> {
    let has = |word: &str| agent.contains(word);
    if has("iPhone") || has("iPad") || has("iPod") {
        return Some(TraceFormat::JavaScriptCore);
    }
    if has("Firefox/") {
        return Some(TraceFormat::SpiderMonkey);
    }
    if has("Chrome/") || has("Chromium/") || has("Edg/") || has("OPR/") {
        return Some(TraceFormat::V8);
    }
    if has("AppleWebKit/") {
        return Some(TraceFormat::JavaScriptCore);
    }
    None
}

/// `request.headers`' User-Agent: headers are an object or, after Sentry's
/// normalization, a list of `[name, value]` pairs; names in any case.
fn user_agent(event: &Value) -> Option<&str> {
    let headers = event.get("request")?.get("headers")?;
    let is_agent = |name: &str| name.eq_ignore_ascii_case("user-agent");
    match headers {
        Value::Object(map) => map
            .iter()
            .find(|(name, _)| is_agent(name))
            .and_then(|(_, value)| value.as_str()),
        Value::Array(pairs) => pairs
            .iter()
            .find_map(|pair| match pair.as_array()?.as_slice() {
                [Value::String(name), Value::String(value)] if is_agent(name) => {
                    Some(value.as_str())
                }
                _ => None,
            }),
        _ => None,
    }
}

/// The `errors` entries of one event, each added once.
struct Errors {
    entries: Vec<Value>,
    /// Entries' indices by a hash of their content: frames of one script repeat the
    /// same entry, and writing each out as text to compare them cost a tenth of a
    /// warm event.
    seen: HashMap<u64, Vec<usize>>,
    /// The `js_missing_sources_content` entries' indices by a hash of their source
    /// and URL (see [`Errors::missing_sources_content`]).
    missing_content: HashMap<u64, Vec<usize>>,
}

impl Errors {
    fn add(&mut self, entry: Value) {
        let mut hasher = DefaultHasher::new();
        hash_value(&entry, &mut hasher);
        let same_hash = self.seen.entry(hasher.finish()).or_default();
        if same_hash.iter().any(|&i| self.entries[i] == entry) {
            return;
        }
        same_hash.push(self.entries.len());
        self.entries.push(entry);
    }

    /// `js_missing_sources_content` for `source` of the script at `url`: every frame
    /// of a map without sources reports it, so it is looked for before it is built.
    fn missing_sources_content(&mut self, source: Option<&str>, url: Option<&str>) {
        let mut hasher = DefaultHasher::new();
        (source, url).hash(&mut hasher);
        let same_hash = self.missing_content.entry(hasher.finish()).or_default();
        let entries = &self.entries;
        let found = same_hash.iter().any(|&i| {
            let text = |field: &str| entries[i].get(field).and_then(Value::as_str);
            text("source") == source && text("url") == url
        });
        if found {
            return;
        }
        same_hash.push(self.entries.len());
        self.entries.push(json!({
            "type": "js_missing_sources_content", "source": source, "url": url,
        }));
    }

    fn invalid(&mut self, name: &str, reason: String) {
        self.add(json!({"type": "invalid_data", "name": name, "reason": reason}));
    }
}

/// What the stack traces of one event share while they are symbolicated.
struct EventScope<'e> {
    images: &'e [DebugImage],
    engine: TraceFormat,
    javascript_event: bool,
    /// React Native on Hermes without debug info: frames on line 1 are bytecode.
    hermes_bytecode: bool,
    budget: usize,
    errors: Errors,
    /// For the JSON text path: the new frames of each changed stack trace, written
    /// (the event then holds a placeholder for them); `None`: as values.
    texts: Option<StackTraceTexts>,
}

/// The new frames of an event's stack traces as JSON text, by section and index of
/// the exception or thread, in the order `symbolicate_event` reaches them (which is
/// the order of the event's keys, `exception` before `threads`).
#[derive(Default)]
pub(super) struct StackTraceTexts(Vec<(u8, usize, Vec<u8>)>);

impl StackTraceTexts {
    const SECTIONS: [&'static str; 2] = ["exception", "threads"];

    fn section(name: &str) -> u8 {
        Self::SECTIONS
            .iter()
            .position(|s| *s == name)
            .unwrap_or(u8::MAX as usize) as u8
    }

    fn push(&mut self, section: &str, index: usize, text: Vec<u8>) {
        self.0.push((Self::section(section), index, text));
    }

    /// The bytes of all the frames' texts.
    fn len(&self) -> usize {
        self.0.iter().map(|(_, _, text)| text.len()).sum()
    }

    /// The frames of value `index` of `section`, when they were written.
    pub(super) fn get(&self, section: &str, index: usize) -> Option<&[u8]> {
        let key = (Self::section(section), index);
        let found = self.0.binary_search_by(|(s, i, _)| (*s, *i).cmp(&key));
        found.ok().map(|at| self.0[at].2.as_slice())
    }
}

impl Symbolicator {
    /// Symbolicates a Sentry event: every JavaScript stack trace in
    /// `exception.values[].stacktrace` and `threads.values[].stacktrace` (an
    /// `exception` sent as a bare list too), each frame's map found by its image's
    /// debug ID (`debug_meta.images[]`) first, then by URL. The frames as sent are kept
    /// as the stack trace's `raw_stacktrace`; per-frame problems are added to the
    /// event's `errors` (codes in docs/symbolication.md). A stack trace that already
    /// has a `raw_stacktrace` was symbolicated before and is left alone.
    ///
    /// The event must be a JSON object (`InvalidArgument` otherwise); any other bad
    /// part (a frame of the wrong type, a bad image) is skipped with an `invalid_data`
    /// entry in `errors`. At most `max_event_frames` frames are symbolicated.
    pub fn symbolicate_event(&self, event: Value) -> Result<Value> {
        Ok(self.symbolicate_event_as(event, None)?.0)
    }

    /// [`Symbolicator::symbolicate_event`], the new frames as values (`texts`: `None`)
    /// or written as JSON text into `texts`, a placeholder in the event for each.
    fn symbolicate_event_as(
        &self,
        mut event: Value,
        texts: Option<StackTraceTexts>,
    ) -> Result<(Value, Option<StackTraceTexts>)> {
        if !event.is_object() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!("an event must be a JSON object, not {}", type_name(&event)),
            ));
        }
        let mut errors = Errors {
            entries: Vec::new(),
            seen: HashMap::new(),
            missing_content: HashMap::new(),
        };
        let images = event_images(&event, &mut errors);
        let javascript_event = match event.get("platform") {
            Some(Value::String(platform)) => is_javascript(platform),
            _ => true,
        };
        let mut scope = EventScope {
            images: &images,
            engine: detect_engine(&event),
            javascript_event,
            hermes_bytecode: runs_hermes_bytecode(&event),
            budget: self.options.max_event_frames,
            errors,
            texts,
        };
        for section in ["exception", "threads"] {
            let Some(container) = event.get_mut(section) else {
                continue;
            };
            let values = match container {
                Value::Null => continue,
                Value::Array(values) => values,
                Value::Object(object) => match object.get_mut("values") {
                    None | Some(Value::Null) => continue,
                    Some(Value::Array(values)) => values,
                    Some(other) => {
                        let reason = format!("must be a list, not {}", type_name(other));
                        scope.errors.invalid(&format!("{section}.values"), reason);
                        continue;
                    }
                },
                other => {
                    let reason = format!("must be an object, not {}", type_name(other));
                    scope.errors.invalid(section, reason);
                    continue;
                }
            };
            for (i, value) in values.iter_mut().enumerate() {
                let path = format!("{section}.values.{i}");
                match value {
                    Value::Object(object) => {
                        let frames = self.symbolicate_stacktrace(object, &path, &mut scope);
                        if let (Some(texts), Some(frames)) = (&mut scope.texts, frames) {
                            texts.push(section, i, frames);
                        }
                    }
                    Value::Null => {}
                    other => {
                        let reason = format!("must be an object, not {}", type_name(other));
                        scope.errors.invalid(&path, reason);
                    }
                }
            }
        }
        if !scope.errors.entries.is_empty() {
            let new = scope.errors.entries;
            match event.get_mut("errors") {
                Some(Value::Array(existing)) => existing.extend(new),
                _ => event["errors"] = Value::Array(new),
            }
        }
        Ok((event, scope.texts))
    }

    /// [`Symbolicator::symbolicate_event`] on an event's JSON text, the result as JSON
    /// text: what bindings call. An event over `max_event_bytes`, or holding more than
    /// `max_event_values` JSON objects and arrays, is refused (`InputTooLarge`), and JSON that does not parse (nested deeper than 128 levels
    /// included) is `InvalidJson`.
    pub fn symbolicate_event_json(&self, event: &[u8]) -> Result<Vec<u8>> {
        let limit = self.options.max_event_bytes;
        if event.len() > limit {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "the event is {} bytes, over the limit of {limit}",
                    event.len()
                ),
            ));
        }
        // Each object or array costs up to ~650 bytes as a `Value` (a B-tree node) and
        // is held up to three times while symbolicated: counted before parsing, so
        // that 16 MiB of `{}` cannot take gigabytes.
        let values = count_json_containers(event);
        let limit = self.options.max_event_values;
        if values > limit {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "the event has {values} JSON objects and arrays, over the limit of {limit}"
                ),
            ));
        }
        // serde_json refuses nesting deeper than 128 levels, so neither parsing nor
        // the clones and drops below recurse without bound.
        let value: Value = serde_json::from_slice(event).map_err(|e| {
            Error::new(
                ErrorCode::InvalidJson,
                format!("the event is not JSON: {e}"),
            )
        })?;
        let texts = Some(StackTraceTexts::default());
        let (out, texts) = self.symbolicate_event_as(value, texts)?;
        let (Value::Object(out), Some(texts)) = (&out, texts) else {
            unreachable!("symbolicate_event_as returns an object, and the texts it was given");
        };
        // The event as sent, its frames again as `raw_stacktrace`, and the new frames.
        let mut text = Vec::with_capacity(event.len() * 2 + texts.len());
        event_json::write_event(&mut text, out, &texts);
        Ok(text)
    }

    /// Symbolicates the `stacktrace` of one exception or thread (`holder`) in place.
    /// In the JSON text path (`scope.texts`), the new frames are returned as text and
    /// the stack trace holds a placeholder for them.
    fn symbolicate_stacktrace(
        &self,
        holder: &mut Map<String, Value>,
        path: &str,
        scope: &mut EventScope<'_>,
    ) -> Option<Vec<u8>> {
        if holder
            .get("raw_stacktrace")
            .is_some_and(|raw| !raw.is_null())
        {
            return None;
        }
        let stacktrace = match holder.get("stacktrace") {
            None | Some(Value::Null) => return None,
            Some(Value::Object(stacktrace)) => stacktrace,
            Some(other) => {
                let reason = format!("must be an object, not {}", type_name(other));
                scope.errors.invalid(&format!("{path}.stacktrace"), reason);
                return None;
            }
        };
        let frames = match stacktrace.get("frames") {
            None | Some(Value::Null) => return None,
            Some(Value::Array(frames)) => frames,
            Some(other) => {
                let reason = format!("must be a list, not {}", type_name(other));
                scope
                    .errors
                    .invalid(&format!("{path}.stacktrace.frames"), reason);
                return None;
            }
        };
        // Frames to leave alone (another platform's, malformed, or past the budget)
        // become frames without a location: they are not symbolicated, and they keep
        // the frames on either side from being taken for caller and callee.
        let mut parsed = Vec::with_capacity(frames.len());
        let mut eligible = Vec::with_capacity(frames.len());
        for (i, raw) in frames.iter().enumerate() {
            match EventFrame::from_json(raw) {
                Ok(mut frame) => {
                    let platform = raw.get("platform").and_then(Value::as_str);
                    let javascript = match platform {
                        Some(platform) => is_javascript(platform),
                        None => scope.javascript_event,
                    };
                    // The SDK's own test for a bytecode frame: line 1, no platform.
                    frame.is_bytecode =
                        scope.hermes_bytecode && platform.is_none() && frame.lineno == Some(1);
                    let builtin = frame.script_url().is_some_and(is_runtime_builtin);
                    parsed.push(frame);
                    eligible.push(javascript && !builtin);
                }
                Err(reason) => {
                    let name = format!("{path}.stacktrace.frames.{i}");
                    scope.errors.invalid(&name, reason);
                    parsed.push(EventFrame::default());
                    eligible.push(false);
                }
            }
        }
        // The budget goes to the innermost frames first (the last ones: the crash).
        for (frame, take) in parsed.iter_mut().zip(eligible.iter_mut()).rev() {
            if !*take {
                continue;
            }
            if scope.budget == 0 {
                let limit = self.options.max_event_frames;
                scope
                    .errors
                    .add(json!({"type": "js_too_many_frames", "limit": limit}));
                *take = false;
                *frame = EventFrame::default();
            } else {
                scope.budget -= 1;
            }
        }
        for (frame, take) in parsed.iter_mut().zip(&eligible) {
            if !*take {
                *frame = EventFrame::default();
            }
        }
        let symbolicated = self.symbolicate_frames_indexed(&parsed, scope.images, scope.engine);
        let as_text = scope.texts.is_some();
        let mut out = Vec::with_capacity(if as_text { 0 } else { symbolicated.len() });
        // About what a frame with context takes, so that the text seldom grows.
        let mut text = Vec::with_capacity(if as_text { frames.len() * 768 } else { 0 });
        let add = |text: &mut Vec<u8>, write: &dyn Fn(&mut Vec<u8>)| {
            text.push(if text.is_empty() { b'[' } else { b',' });
            write(text);
        };
        let mut changed = false;
        for (index, frame) in symbolicated {
            let raw = &frames[index];
            if !eligible[index] {
                if !frame.inlined {
                    if as_text {
                        add(&mut text, &|text| event_json::write_value(text, raw));
                    } else {
                        out.push(raw.clone());
                    }
                }
                continue;
            }
            let sent = &parsed[index];
            let debug_id = DebugImage::find(scope.images, sent);
            changed |= frame.original.is_some();
            report(&frame, sent, debug_id, &mut scope.errors);
            if as_text {
                add(&mut text, &|text| {
                    event_json::write_frame(text, raw, sent, &frame)
                });
            } else {
                out.push(event_frame_json(raw, sent, &frame));
            }
        }
        if !changed {
            return None;
        }
        // The frames as sent move to `raw_stacktrace` (not cloned: they may be many),
        // beside a copy of the stack trace's other fields.
        let Some(Value::Object(stacktrace)) = holder.get_mut("stacktrace") else {
            return None;
        };
        let sent_frames = stacktrace.remove("frames");
        let mut raw_stacktrace = stacktrace.clone();
        let new_frames = if as_text {
            Value::Null // The text takes its place when the event is written.
        } else {
            Value::Array(out)
        };
        stacktrace.insert("frames".to_owned(), new_frames);
        if let Some(sent_frames) = sent_frames {
            raw_stacktrace.insert("frames".to_owned(), sent_frames);
        }
        holder.insert("raw_stacktrace".to_owned(), Value::Object(raw_stacktrace));
        as_text.then(|| {
            if text.is_empty() {
                text.push(b'[');
            }
            text.push(b']');
            text
        })
    }
}

/// Feeds a JSON value to `hasher`; equal values hash alike (objects are ordered maps).
/// Only the entries built here are hashed: their depth is fixed.
fn hash_value(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => {
            (2u8, n.as_i64(), n.as_u64(), n.as_f64().map(f64::to_bits)).hash(hasher)
        }
        Value::String(s) => (3u8, s).hash(hasher),
        Value::Array(items) => {
            (4u8, items.len()).hash(hasher);
            items.iter().for_each(|item| hash_value(item, hasher));
        }
        Value::Object(object) => {
            (5u8, object.len()).hash(hasher);
            for (key, item) in object {
                key.hash(hasher);
                hash_value(item, hasher);
            }
        }
    }
}

/// The objects and arrays of a JSON text (its `{` and `[` outside strings), counted
/// without parsing it, jumping from one byte that matters to the next (`memchr`: a
/// byte at a time was a twentieth of a warm event). Malformed text gives some count;
/// the parser refuses it after.
fn count_json_containers(json: &[u8]) -> usize {
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr3(b'"', b'{', b'[', &json[at..]) {
        let i = at + found;
        if json[i] != b'"' {
            count += 1;
            at = i + 1;
            continue;
        }
        // A string: to its closing quote, each escape taking the byte after it.
        let mut inside = i + 1;
        loop {
            let Some(found) = json
                .get(inside..)
                .and_then(|s| memchr::memchr2(b'"', b'\\', s))
            else {
                return count; // Not closed: the rest is in the string.
            };
            let j = inside + found;
            if json[j] == b'"' {
                at = j + 1;
                break;
            }
            inside = j + 2;
        }
    }
    count
}

/// The `sourcemap` images of `debug_meta.images`; bad entries are reported.
fn event_images(event: &Value, errors: &mut Errors) -> Vec<DebugImage> {
    let images = match event.get("debug_meta").and_then(|meta| meta.get("images")) {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(images)) => images,
        Some(other) => {
            let reason = format!("must be a list, not {}", type_name(other));
            errors.invalid("debug_meta.images", reason);
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    for (i, image) in images.iter().enumerate() {
        match DebugImage::from_json(image) {
            Ok(Some(image)) => found.push(image),
            Ok(None) => {}
            Err(reason) => errors.invalid(&format!("debug_meta.images.{i}"), reason),
        }
    }
    found
}

/// Whether a script is one of the runtime's own modules (Node's `node:internal/…`,
/// `internal/…` before Node 16), which no map describes: such frames are left as sent,
/// without an error.
fn is_runtime_builtin(url: &str) -> bool {
    url.starts_with("node:") || url.starts_with("internal/")
}

/// Whether a Sentry platform name is JavaScript's.
fn is_javascript(platform: &str) -> bool {
    matches!(platform, "javascript" | "node")
}

/// The frame as the event carries it: the frame as sent, its location, name and
/// context replaced by the original ones when it was mapped, with `data` saying how.
fn event_frame_json(raw: &Value, sent: &EventFrame, frame: &SymbolicatedFrame) -> Value {
    let mut out = match raw {
        Value::Object(object) => object.clone(),
        _ => Map::new(),
    };
    let mut data = match out.remove("data") {
        Some(Value::Object(data)) => data,
        _ => Map::new(),
    };
    for (name, field) in frame_fields(sent, frame) {
        out.insert(name.to_owned(), field.to_value());
    }
    for (name, field) in data_fields(frame) {
        data.insert(name.to_owned(), field.to_value());
    }
    out.insert("data".to_owned(), Value::Object(data));
    Value::Object(out)
}

/// A field an event frame gets, as [`event_frame_json`] sets it and `event_json.rs`
/// writes it.
pub(super) enum Field<'f> {
    Text(Option<&'f str>),
    Number(u32),
    Bool(bool),
    Lines(&'f [String]),
    /// The frame's `data` object (written by `event_json.rs`).
    Data,
}

impl Field<'_> {
    fn to_value(&self) -> Value {
        match self {
            Field::Text(text) => json!(text),
            Field::Number(n) => json!(n),
            Field::Bool(b) => json!(b),
            Field::Lines(lines) => json!(lines),
            Field::Data => Value::Null,
        }
    }
}

/// The fields a symbolicated frame sets on the frame as sent (its `data` aside).
pub(super) fn frame_fields<'f>(
    sent: &'f EventFrame,
    frame: &'f SymbolicatedFrame,
) -> Vec<(&'static str, Field<'f>)> {
    let Some(original) = &frame.original else {
        let abs_path = sent.abs_path.as_deref();
        return abs_path.map_or_else(Vec::new, |a| vec![("abs_path", Field::Text(Some(a)))]);
    };
    let text = |value: &'f Option<String>| Field::Text(value.as_deref());
    let mut fields = vec![
        ("filename", text(&original.filename)),
        ("abs_path", text(&original.abs_path)),
        ("lineno", Field::Number(original.lineno)),
        ("colno", Field::Number(original.colno)),
        ("function", text(&original.function)),
        ("context_line", text(&original.context_line)),
        ("pre_context", Field::Lines(&original.pre_context)),
        ("post_context", Field::Lines(&original.post_context)),
    ];
    if !original.in_app {
        fields.push(("in_app", Field::Bool(false)));
    }
    fields
}

/// The fields a symbolicated frame sets in the `data` object of the frame as sent.
pub(super) fn data_fields(frame: &SymbolicatedFrame) -> Vec<(&'static str, Field<'_>)> {
    let mut fields = vec![("symbolicated", Field::Bool(frame.original.is_some()))];
    if let Some(found_by) = frame.found_by {
        fields.push(("found_by", Field::Text(Some(found_by.as_str()))));
    }
    if let Some(map_url) = &frame.map_url {
        fields.push(("sourcemap", Field::Text(Some(map_url))));
    }
    if let Some(original) = &frame.original {
        if frame.inlined {
            fields.push(("inlined", Field::Bool(true)));
        }
        if original.column_refined {
            fields.push(("column_refined", Field::Bool(true)));
        }
        if let Some(origin) = original.function_origin {
            fields.push(("function_origin", Field::Text(Some(origin.as_str()))));
        }
    } else if let Some(reason) = &frame.unmapped {
        fields.push(("unmapped_reason", Field::Text(Some(reason.kind()))));
    }
    fields
}

/// Adds the `errors` entry that explains `frame`, if any.
fn report(
    frame: &SymbolicatedFrame,
    sent: &EventFrame,
    debug_id: Option<&str>,
    errors: &mut Errors,
) {
    let url = sent.script_url();
    if let Some(original) = &frame.original {
        if !original.has_source_content {
            let source = original.abs_path.as_ref().or(original.filename.as_ref());
            errors.missing_sources_content(source.map(String::as_str), url);
        }
        return;
    }
    let Some(reason) = &frame.unmapped else {
        return;
    };
    let mut entry = match reason {
        Unmapped::NoLocation => {
            if url.is_none() || sent.lineno.is_none() {
                return; // A native or anonymous frame: nothing to map, nothing wrong.
            }
            json!({"type": "js_no_column", "url": url})
        }
        Unmapped::NotFound { url } => json!({"type": "js_no_source", "url": url}),
        Unmapped::NoSourceMap { url } => json!({"type": "js_no_sourcemap", "url": url}),
        Unmapped::MapNotFound { map_url } => {
            json!({"type": "js_sourcemap_not_found", "url": url, "sourcemap": map_url})
        }
        Unmapped::LoaderFailed { message } => {
            json!({"type": "js_generic_fetch_error", "url": url, "message": message})
        }
        Unmapped::Failed { message } => {
            json!({"type": "js_invalid_source", "url": url, "message": message})
        }
        Unmapped::TooLarge { url, message } => {
            json!({"type": "js_too_large", "url": url, "message": message})
        }
        Unmapped::NoMapping | Unmapped::NoOriginal => json!({
            "type": "js_invalid_sourcemap_location", "url": url,
            "row": sent.lineno, "column": sent.colno,
        }),
        Unmapped::DebugIdNotFound { debug_id } => {
            json!({"type": "js_debug_id_not_found", "debug_id": debug_id})
        }
        Unmapped::DebugIdMismatch {
            url,
            expected: _,
            found,
        } => json!({
            "type": "js_debug_id_mismatch", "url": url, "sourcemap_debug_id": found,
        }),
    };
    if let Some(id) = debug_id {
        entry["debug_id"] = json!(id);
    }
    errors.add(entry);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::produce::{EncodeOptions, OriginalPosition, SourceMapBuilder};
    use crate::symbolicate::SymbolicateOptions;

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    const CHROME_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1";

    #[test]
    fn the_engine_comes_from_contexts_then_the_user_agent() {
        let engine = |event: Value| detect_engine(&event);
        assert_eq!(
            engine(json!({"contexts": {"browser": {"name": "Firefox"}}})),
            TraceFormat::SpiderMonkey
        );
        assert_eq!(
            engine(json!({"contexts": {"browser": {"name": "Mobile Safari"}}})),
            TraceFormat::JavaScriptCore
        );
        assert_eq!(
            engine(json!({"contexts": {"browser": {"name": "Chrome Mobile iOS"}}})),
            TraceFormat::JavaScriptCore
        );
        assert_eq!(
            engine(json!({"contexts": {"runtime": {"name": "node", "version": "v20"}}})),
            TraceFormat::V8
        );
        assert_eq!(
            engine(json!({"contexts": {"runtime": {"name": "bun"}}})),
            TraceFormat::JavaScriptCore
        );
        // The browser context wins over the header.
        assert_eq!(
            engine(json!({"contexts": {"browser": {"name": "Firefox"}},
                          "request": {"headers": {"User-Agent": CHROME}}})),
            TraceFormat::SpiderMonkey
        );
        for (agent, expected) in [
            (CHROME, TraceFormat::V8),
            (FIREFOX, TraceFormat::SpiderMonkey),
            (SAFARI, TraceFormat::JavaScriptCore),
            (CHROME_IOS, TraceFormat::JavaScriptCore),
            ("curl/8.0", TraceFormat::Unknown),
        ] {
            assert_eq!(
                engine(json!({"request": {"headers": {"user-agent": agent}}})),
                expected,
                "{agent}"
            );
            assert_eq!(
                engine(json!({"request": {"headers": [["User-Agent", agent]]}})),
                expected,
                "{agent} in pairs"
            );
        }
        assert_eq!(engine(json!({})), TraceFormat::Unknown);
        assert_eq!(
            engine(json!({"contexts": {"browser": {"name": 3}}, "request": {"headers": 5}})),
            TraceFormat::Unknown
        );
    }

    const URL: &str = "https://x.example/app.min.js";

    /// A one-line script `a();b();c()` whose three calls map to lines 1, 2 and 3 of
    /// `app.js`, served with its map.
    fn symbolicator(options: SymbolicateOptions) -> Symbolicator {
        let mut builder = SourceMapBuilder::new();
        let source = builder.add_source("app.js");
        for (column, line) in [(0, 0), (4, 1), (8, 2)] {
            let at = OriginalPosition {
                source,
                line,
                column: 2,
                name: None,
            };
            builder.add_mapping(0, column, Some(at)).unwrap();
        }
        let map = builder.to_json(&EncodeOptions::default()).into_bytes();
        let loader = move |url: &str| -> crate::Result<Option<Vec<u8>>> {
            Ok(match url {
                URL => Some(b"a();b();c()\n//# sourceMappingURL=app.min.js.map\n".to_vec()),
                "https://x.example/app.min.js.map" => Some(map.clone()),
                _ => None,
            })
        };
        Symbolicator::new(loader, options)
    }

    fn frame(column: u32) -> Value {
        json!({"filename": URL, "lineno": 1, "colno": column + 1, "function": "x"})
    }

    fn lines(frames: &Value) -> Vec<Value> {
        frames
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["lineno"].clone())
            .collect()
    }

    #[test]
    fn frames_keep_sentry_order_and_the_raw_stacktrace() {
        let symbolicator = symbolicator(SymbolicateOptions::default());
        let sent = json!([frame(8), frame(4), frame(0)]);
        let event = json!({
            "platform": "javascript",
            "exception": {"values": [{"type": "Error", "stacktrace": {"frames": sent}}]},
        });
        let out = symbolicator.symbolicate_event(event).unwrap();
        let value = &out["exception"]["values"][0];
        assert_eq!(
            lines(&value["stacktrace"]["frames"]),
            [json!(3), json!(2), json!(1)]
        );
        assert_eq!(value["raw_stacktrace"]["frames"], sent);
        let first = &value["stacktrace"]["frames"][0];
        assert_eq!(first["abs_path"], "https://x.example/app.js");
        assert_eq!(first["data"]["found_by"], "url");
        assert_eq!(
            first["data"]["sourcemap"],
            "https://x.example/app.min.js.map"
        );
        // No sourcesContent in this map: the documented code says so, once.
        let errors = out["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["type"], "js_missing_sources_content");
        // Symbolicated again, it is left alone.
        let again = symbolicator.symbolicate_event(out.clone()).unwrap();
        assert_eq!(again["exception"], out["exception"]);
    }

    #[test]
    fn hostile_events_get_errors_not_panics() {
        let symbolicator = symbolicator(SymbolicateOptions::default());
        assert_eq!(
            symbolicator
                .symbolicate_event(json!([1]))
                .unwrap_err()
                .code(),
            ErrorCode::InvalidArgument
        );
        let event = json!({
            "exception": {"values": [
                {"stacktrace": {"frames": [{"lineno": "x"}, 7, frame(0), {"filename": URL, "lineno": 1}]}},
                {"stacktrace": "nope"},
                {"stacktrace": {"frames": {"0": {}}}},
                3,
            ]},
            "threads": 4,
            "debug_meta": {"images": [{"type": "sourcemap", "code_file": URL, "debug_id": 12}]},
            "errors": "not a list",
        });
        let out = symbolicator.symbolicate_event(event).unwrap();
        let types: Vec<(&str, Option<&str>)> = out["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["type"].as_str().unwrap(), e["name"].as_str()))
            .collect();
        for expected in [
            ("invalid_data", Some("debug_meta.images.0")),
            (
                "invalid_data",
                Some("exception.values.0.stacktrace.frames.0"),
            ),
            (
                "invalid_data",
                Some("exception.values.0.stacktrace.frames.1"),
            ),
            ("js_no_column", None),
            ("invalid_data", Some("exception.values.1.stacktrace")),
            ("invalid_data", Some("exception.values.2.stacktrace.frames")),
            ("invalid_data", Some("exception.values.3")),
            ("invalid_data", Some("threads")),
        ] {
            assert!(types.contains(&expected), "{expected:?} in {types:?}");
        }
        // The good frame is symbolicated; the bad ones stay as sent.
        let frames = &out["exception"]["values"][0]["stacktrace"]["frames"];
        assert_eq!(frames[0], json!({"lineno": "x"}));
        assert_eq!(frames[1], json!(7));
        assert_eq!(frames[2]["lineno"], 1);
        assert_eq!(frames[2]["data"]["symbolicated"], true);
    }

    #[test]
    fn frames_past_the_limit_are_left_as_sent() {
        let options = SymbolicateOptions {
            max_event_frames: 2,
            ..SymbolicateOptions::default()
        };
        let symbolicator = symbolicator(options);
        let frames: Vec<Value> = (0..100_000).map(|_| frame(4)).collect();
        let event = json!({"exception": {"values": [{"stacktrace": {"frames": frames}}]}});
        let out = symbolicator.symbolicate_event(event).unwrap();
        let frames = out["exception"]["values"][0]["stacktrace"]["frames"]
            .as_array()
            .unwrap();
        assert_eq!(frames.len(), 100_000);
        let done = frames
            .iter()
            .filter(|f| f["data"]["symbolicated"] == true)
            .count();
        assert_eq!(done, 2);
        assert_eq!(frames[99_998]["data"]["symbolicated"], true);
        assert_eq!(frames[0], frame(4));
        let errors = out["errors"].as_array().unwrap();
        assert!(errors
            .iter()
            .any(|e| e["type"] == "js_too_many_frames" && e["limit"] == 2));
    }

    #[test]
    fn event_text_is_bounded_and_checked() {
        let options = SymbolicateOptions {
            max_event_bytes: 1 << 20,
            ..SymbolicateOptions::default()
        };
        let symbolicator = symbolicator(options);
        let code = |text: &[u8]| {
            symbolicator
                .symbolicate_event_json(text)
                .unwrap_err()
                .code()
        };
        let deep = format!(
            "{{\"exception\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(code(deep.as_bytes()), ErrorCode::InvalidJson);
        assert_eq!(code(b"{\"exception\": "), ErrorCode::InvalidJson);
        assert_eq!(code(&vec![b' '; (1 << 20) + 1]), ErrorCode::InputTooLarge);
        assert_eq!(code(b"[]"), ErrorCode::InvalidArgument);
        let event = json!({"exception": {"values": [{"stacktrace": {"frames": [frame(0)]}}]}});
        let out = symbolicator
            .symbolicate_event_json(event.to_string().as_bytes())
            .unwrap();
        let out: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            out["exception"]["values"][0]["stacktrace"]["frames"][0]["lineno"],
            1
        );
        assert_eq!(
            out["exception"]["values"][0]["raw_stacktrace"]["frames"][0],
            frame(0)
        );
    }

    /// [`count_json_containers`] a byte at a time.
    fn count_by_walking(json: &[u8]) -> usize {
        let (mut count, mut in_string, mut escaped) = (0, false, false);
        for &byte in json {
            if in_string {
                if escaped {
                    escaped = false;
                } else if byte == b'\\' {
                    escaped = true;
                } else if byte == b'"' {
                    in_string = false;
                }
            } else {
                match byte {
                    b'"' => in_string = true,
                    b'{' | b'[' => count += 1,
                    _ => {}
                }
            }
        }
        count
    }

    #[test]
    fn objects_and_arrays_are_counted_before_parsing() {
        assert_eq!(count_json_containers(br#"{"a":[{},[]],"b":"{[\"{"}"#), 4);
        assert_eq!(count_json_containers(br#""\\" {"#), 1);
        // Every text made of the bytes that matter, up to 6 long, counts alike.
        let alphabet = [b'"', b'\\', b'{', b'[', b'x'];
        let mut texts: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..6 {
            let longer: Vec<Vec<u8>> = texts
                .iter()
                .filter(|t| t.len() == texts.last().map_or(0, Vec::len))
                .flat_map(|t| alphabet.iter().map(move |&b| [t.as_slice(), &[b]].concat()))
                .collect();
            texts.extend(longer);
        }
        assert!(texts.len() > 15_000);
        for text in &texts {
            assert_eq!(
                count_json_containers(text),
                count_by_walking(text),
                "{text:?}"
            );
        }
        let options = SymbolicateOptions {
            max_event_values: 10,
            ..SymbolicateOptions::default()
        };
        let symbolicator = symbolicator(options);
        // Root, exception, values, the value, stacktrace, frames: 6, then the frames.
        let event = |frames: usize| {
            let frames: Vec<Value> = (0..frames).map(|_| json!({})).collect();
            json!({"exception": {"values": [{"stacktrace": {"frames": frames}}]}}).to_string()
        };
        symbolicator
            .symbolicate_event_json(event(4).as_bytes())
            .unwrap();
        let error = symbolicator
            .symbolicate_event_json(event(5).as_bytes())
            .unwrap_err();
        assert_eq!(error.code(), ErrorCode::InputTooLarge);
        // Braces inside strings are text, not objects.
        let text = json!({"message": "{".repeat(100)}).to_string();
        symbolicator
            .symbolicate_event_json(text.as_bytes())
            .unwrap();
    }

    #[test]
    fn the_json_text_path_writes_what_serde_json_writes_for_the_value_path() {
        let symbolicator = symbolicator(SymbolicateOptions::default());
        let frames = json!([
            {"filename": URL, "lineno": 1, "colno": 5, "function": "x", "in_app": false,
             "data": {"keep": 1, "zz": [1, {"b": 2, "a": null}]}, "aaa": "\u{e9}\n\"",
             "vars": {"z": 1.5, "a": -3}, "pre_context": "replaced", "zzz": true},
            {"filename": "https://other.example/x.js", "lineno": 1, "colno": 1},
            {"lineno": "x"},
            7,
            {"platform": "python", "filename": URL, "lineno": 1, "colno": 1},
            {"filename": "node:internal/x", "lineno": 1, "colno": 1},
            {"abs_path": URL, "lineno": 1, "colno": 9, "data": "not an object"},
            {"filename": URL, "lineno": 1},
        ]);
        let events = [
            json!({"platform": "javascript", "b": {"y": 1, "x": [2]},
                   "exception": {"values": [{"stacktrace": {"frames": frames, "a": 1}},
                                            null, 3, {"stacktrace": {"frames": []}}],
                                 "other": "kept"},
                   "threads": {"values": [{"id": 1, "stacktrace": {"frames": [frame(4)]}},
                                          {"stacktrace": {"frames": [frame(0)]},
                                           "raw_stacktrace": {"frames": []}}]},
                   "errors": [{"type": "earlier"}]}),
            json!({"exception": [{"stacktrace": {"frames": [frame(8), frame(4)]}}],
                   "threads": 4}),
            json!({"exception": {"values": [{"stacktrace": {"frames": [{"lineno": 2}]}}]}}),
            json!({"message": "no stack traces"}),
        ];
        for event in events {
            let text = symbolicator
                .symbolicate_event_json(&serde_json::to_vec(&event).unwrap())
                .unwrap();
            let value = symbolicator.symbolicate_event(event).unwrap();
            assert_eq!(
                String::from_utf8(text).unwrap(),
                serde_json::to_string(&value).unwrap()
            );
        }
    }

    #[test]
    fn other_platforms_are_left_alone() {
        let symbolicator = symbolicator(SymbolicateOptions::default());
        let event = json!({
            "platform": "python",
            "exception": {"values": [{"stacktrace": {"frames": [frame(0)]}}]},
        });
        let out = symbolicator.symbolicate_event(event.clone()).unwrap();
        assert_eq!(out, event);
    }
}
