//! Structured frames, as error trackers' SDKs send them (Sentry's event format):
//! [`EventFrame`]s in Sentry's order, outermost caller first and the crashing frame
//! last, with [`DebugImage`]s naming each script's debug ID.
//!
//! The symbolicator's trace path works innermost first (as engines print) and
//! rebuilds inlined frames from caller/callee pairs in that order; this module only
//! converts at the edge: it reverses the frames, matches each to its image, runs that
//! path, and reverses the result back.

use serde_json::Value;

use crate::error::{Error, ErrorCode, Result};
use crate::stacktrace::{Frame, TraceFormat};

use super::artifacts::normalize_debug_id;
use super::FoundBy;
use super::{FrameToMap, SymbolicatedFrame, Symbolicator};

/// A stack frame as an SDK sends it (1-based `lineno`/`colno`, as printed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EventFrame {
    /// The script's URL or path as the SDK reports it (Sentry's SDKs send only this).
    pub filename: Option<String>,
    /// The script's absolute URL or path; `filename` when the SDK sent none, as
    /// Sentry's ingestion does.
    pub abs_path: Option<String>,
    /// 1-based line.
    pub lineno: Option<u32>,
    /// 1-based column (UTF-16 code units).
    pub colno: Option<u32>,
    /// The function name as the SDK reports it (`?` for none, `async y.m`, ...).
    pub function: Option<String>,
    /// The module (Node SDKs send one).
    pub module: Option<String>,
    /// Whether the SDK counts the frame as the application's.
    pub in_app: Option<bool>,
    /// A Hermes bytecode frame: `colno` is the bytecode offset (counting from 0) that
    /// Hermes printed. Not a field of the frame's JSON: an event's React Native context
    /// says it (see `Symbolicator::symbolicate_event`).
    pub is_bytecode: bool,
}

impl EventFrame {
    /// A frame from its JSON object. Fields of the wrong type (a string `lineno`, a
    /// line past `u32`) are an error naming the field; unknown fields are ignored.
    pub fn from_json(value: &Value) -> Result<EventFrame, String> {
        let object = value
            .as_object()
            .ok_or_else(|| format!("a frame must be an object, not {}", type_name(value)))?;
        // The fields read, found in one pass over the object's keys rather than a
        // search of them per field.
        const FIELDS: [&str; 7] = [
            "abs_path", "colno", "filename", "function", "in_app", "lineno", "module",
        ];
        let mut found: [Option<&Value>; 7] = [None; 7];
        for (key, value) in object {
            let slot = match key.as_str() {
                "abs_path" => 0,
                "colno" => 1,
                "filename" => 2,
                "function" => 3,
                "in_app" => 4,
                "lineno" => 5,
                "module" => 6,
                _ => continue,
            };
            found[slot] = Some(value);
        }
        let get = |field: &str| {
            FIELDS
                .iter()
                .position(|f| *f == field)
                .and_then(|i| found[i])
        };
        let text = |field: &str| -> Result<Option<String>, String> {
            match get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(format!(
                    "\"{field}\" must be a string, not {}",
                    type_name(other)
                )),
            }
        };
        let number = |field: &str| -> Result<Option<u32>, String> {
            match get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => n
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| format!("\"{field}\" must be a line or column, not {n}")),
                Some(other) => Err(format!(
                    "\"{field}\" must be a number, not {}",
                    type_name(other)
                )),
            }
        };
        let in_app = match get("in_app") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(format!(
                    "\"in_app\" must be a boolean, not {}",
                    type_name(other)
                ))
            }
        };
        let filename = text("filename")?;
        let abs_path = text("abs_path")?.or_else(|| filename.clone());
        Ok(EventFrame {
            filename,
            abs_path,
            lineno: number("lineno")?,
            colno: number("colno")?,
            function: text("function")?,
            module: text("module")?,
            in_app,
            is_bytecode: false,
        })
    }

    /// The runtime frame the trace path takes: the script at `abs_path` (else
    /// `filename`), the 1-based position, and the function name without the
    /// decorations V8's frames carry (`async `, `new `, ` [as alias]`; `?` is none).
    fn to_runtime_frame(&self) -> Frame {
        let mut function = self
            .function
            .as_deref()
            .filter(|f| !f.is_empty() && *f != "?");
        let is_async = function.is_some_and(|f| f.starts_with("async "));
        let is_constructor = function.is_some_and(|f| f.starts_with("new "));
        function = function.map(|f| f.trim_start_matches("async ").trim_start_matches("new "));
        let mut alias = None;
        // `contains('[')` first: a substring search is set up for every call.
        if let Some(f) = function.filter(|f| f.contains('[')) {
            if let Some((name, rest)) = f.split_once(" [as ") {
                alias = rest.strip_suffix(']').map(str::to_owned);
                function = Some(name);
            }
        }
        Frame {
            raw: String::new(),
            function: function.map(str::to_owned),
            url: self.script_url().map(str::to_owned),
            line: self.lineno,
            column: self.colno,
            is_async,
            is_constructor,
            is_bytecode: self.is_bytecode,
            alias,
            ..Frame::default()
        }
    }

    /// The script the frame ran in: `abs_path`, else `filename`.
    pub fn script_url(&self) -> Option<&str> {
        self.abs_path.as_deref().or(self.filename.as_deref())
    }
}

/// A script's debug ID, from a `debug_meta.images[]` entry of type `sourcemap`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebugImage {
    /// The script's URL or path, as frames name it.
    pub code_file: String,
    /// The debug ID, normalized (see [`normalize_debug_id`]).
    pub debug_id: String,
}

impl DebugImage {
    /// The image of a `debug_meta.images[]` entry: `Ok(None)` for an image of another
    /// type (native code), an error naming what is wrong for a `sourcemap` image
    /// without a string `code_file` or with an invalid `debug_id`.
    pub fn from_json(value: &Value) -> Result<Option<DebugImage>, String> {
        let object = value
            .as_object()
            .ok_or_else(|| format!("an image must be an object, not {}", type_name(value)))?;
        if object.get("type").and_then(Value::as_str) != Some("sourcemap") {
            return Ok(None);
        }
        let code_file = object
            .get("code_file")
            .and_then(Value::as_str)
            .ok_or("a sourcemap image needs a string \"code_file\"")?;
        let debug_id = object
            .get("debug_id")
            .and_then(Value::as_str)
            .and_then(normalize_debug_id)
            .ok_or("a sourcemap image needs a \"debug_id\" that is a UUID")?;
        Ok(Some(DebugImage {
            code_file: code_file.to_owned(),
            debug_id,
        }))
    }

    /// The debug ID of the image whose `code_file` is the frame's `abs_path` or
    /// `filename` (exactly: that is how SDKs write both), if any.
    pub fn find<'i>(images: &'i [DebugImage], frame: &EventFrame) -> Option<&'i str> {
        [frame.abs_path.as_deref(), frame.filename.as_deref()]
            .into_iter()
            .flatten()
            .find_map(|url| images.iter().find(|image| image.code_file == url))
            .map(|image| image.debug_id.as_str())
    }
}

impl Symbolicator {
    /// Symbolicates frames as an SDK sends them, outermost caller first and the
    /// crashing frame last; returns them in the same order. Each frame's map is found
    /// by its image's debug ID first (the image whose `code_file` is the frame's
    /// script), then by its URL. `engine` decides the engine position rules (see
    /// [`detect_engine`](super::detect_engine) for events).
    ///
    /// One frame in, one frame out, except for frames of functions a minifier inlined:
    /// those are rebuilt after the frame they were inlined into (the callee after its
    /// caller, Sentry's order) and marked [`SymbolicatedFrame::inlined`].
    pub fn symbolicate_frames(
        &self,
        frames: &[EventFrame],
        images: &[DebugImage],
        engine: TraceFormat,
    ) -> Vec<SymbolicatedFrame> {
        self.symbolicate_frames_indexed(frames, images, engine)
            .into_iter()
            .map(|(_, frame)| frame)
            .collect()
    }

    /// [`Symbolicator::symbolicate_frames`] on JSON text, the result as JSON text: what
    /// bindings call. `frames` is a JSON array of frame objects as SDKs send them
    /// (`filename`, `abs_path`, `lineno`, `colno`, `function`, `in_app`, `module`;
    /// other fields are ignored), outermost first; `images`, when given, a JSON array
    /// of `debug_meta.images[]` entries (those not of type `sourcemap` are ignored).
    /// The result is a JSON array of [`SymbolicatedFrame::to_json`] objects in the
    /// same order.
    ///
    /// Refused: text over `max_event_bytes` (both together) or more frames than
    /// `max_event_frames` (`InputTooLarge`); text that is not JSON (`InvalidJson`); a
    /// value of the wrong shape, a frame with a field of the wrong type or a bad
    /// `sourcemap` image (`InvalidArgument`, naming the index and field).
    pub fn symbolicate_frames_json(
        &self,
        frames: &[u8],
        images: Option<&[u8]>,
        engine: TraceFormat,
    ) -> Result<Vec<u8>> {
        let total = frames.len() + images.map_or(0, <[u8]>::len);
        let limit = self.options.max_event_bytes;
        if total > limit {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!("the frames and images are {total} bytes, over the limit of {limit}"),
            ));
        }
        let parse = |text: &[u8], what: &str| -> Result<Vec<Value>> {
            match serde_json::from_slice(text) {
                Ok(Value::Array(values)) => Ok(values),
                Ok(other) => Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("{what} must be a JSON array, not {}", type_name(&other)),
                )),
                Err(e) => Err(Error::new(
                    ErrorCode::InvalidJson,
                    format!("{what} are not JSON: {e}"),
                )),
            }
        };
        let frame_values = parse(frames, "the frames")?;
        if frame_values.len() > self.options.max_event_frames {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "{} frames, over the limit of {}",
                    frame_values.len(),
                    self.options.max_event_frames
                ),
            ));
        }
        let frames = frame_values
            .iter()
            .enumerate()
            .map(|(i, value)| {
                EventFrame::from_json(value).map_err(|reason| {
                    Error::new(ErrorCode::InvalidArgument, format!("frames[{i}]: {reason}"))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mut debug_images = Vec::new();
        if let Some(images) = images {
            for (i, value) in parse(images, "the images")?.iter().enumerate() {
                let image = DebugImage::from_json(value).map_err(|reason| {
                    Error::new(ErrorCode::InvalidArgument, format!("images[{i}]: {reason}"))
                })?;
                debug_images.extend(image);
            }
        }
        let out: Vec<Value> = self
            .symbolicate_frames(&frames, &debug_images, engine)
            .iter()
            .map(SymbolicatedFrame::to_json)
            .collect();
        serde_json::to_vec(&out).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("the frames cannot be written: {e}"),
            )
        })
    }

    /// [`Symbolicator::symbolicate_frames`], each frame with the index of the input
    /// frame it comes from.
    pub(super) fn symbolicate_frames_indexed(
        &self,
        frames: &[EventFrame],
        images: &[DebugImage],
        engine: TraceFormat,
    ) -> Vec<(usize, SymbolicatedFrame)> {
        let runtime: Vec<Frame> = frames.iter().map(EventFrame::to_runtime_frame).collect();
        let innermost_first: Vec<FrameToMap<'_>> = frames
            .iter()
            .zip(&runtime)
            .rev()
            .map(|(frame, runtime)| FrameToMap {
                frame: runtime,
                debug_id: DebugImage::find(images, frame),
            })
            .collect();
        let mut symbolicated = self.symbolicate_innermost_first(&innermost_first, engine);
        symbolicated.reverse();
        // Each input frame gives one frame that is not inlined, followed (in this
        // order) by the frames rebuilt for functions inlined into it.
        let mut index = 0usize;
        let mut out = Vec::with_capacity(symbolicated.len());
        for frame in symbolicated {
            if !frame.inlined {
                index += 1;
            }
            out.push((index.saturating_sub(1), resolve_source_path(frame)));
        }
        debug_assert_eq!(index, frames.len());
        out
    }
}

/// The original frame's `abs_path` as error trackers resolve it. A map found by URL
/// had its sources resolved against its own URL when decoded; a relative path left
/// over (Node's maps are read from paths, not URLs) is resolved against the map's
/// path. A map found by debug ID has no URL that means anything to the event (an
/// artifact store keeps its own names), so its sources are resolved against the
/// frame's script URL, as Sentry does.
fn resolve_source_path(mut frame: SymbolicatedFrame) -> SymbolicatedFrame {
    let script_url = frame.minified.url.as_deref();
    let Some(original) = frame.original.as_mut() else {
        return frame;
    };
    let resolved = match frame.found_by {
        Some(FoundBy::DebugId) => original
            .filename
            .as_deref()
            .zip(script_url)
            .and_then(|(name, base)| resolve_against(base, name)),
        _ => {
            let base = frame.map_url.as_deref().or(script_url);
            original
                .abs_path
                .as_deref()
                .zip(base)
                .and_then(|(path, base)| join_relative_path(base, path))
        }
    };
    if let Some(resolved) = resolved {
        original.abs_path = Some(resolved);
    }
    frame
}

/// `name` (a `sources` entry) resolved against `base`: a URL join when `base` is a
/// URL, a path join when it is an absolute path; `None` when `name` is a URL already
/// (`webpack://…`) or nothing can be joined.
fn resolve_against(base: &str, name: &str) -> Option<String> {
    if url::Url::parse(name).is_ok() {
        return None;
    }
    if let Ok(base) = url::Url::parse(base) {
        return base.join(name).ok().map(String::from);
    }
    join_relative_path(base, name)
}

/// `relative` resolved against the directory of `base`, an absolute path; `None` when
/// `relative` is not a relative path or `base` not an absolute path.
fn join_relative_path(base: &str, relative: &str) -> Option<String> {
    let is_url = |s: &str| url::Url::parse(s).is_ok();
    // The URL parse last: it is the costly test, and most bases are URLs.
    if relative.starts_with('/') || !base.starts_with('/') || is_url(relative) {
        return None;
    }
    let directory = &base[..base.rfind('/')?];
    let mut segments: Vec<&str> = directory.split('/').skip(1).collect();
    for segment in relative.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    Some(format!("/{}", segments.join("/")))
}

/// A JSON value's type, for error messages.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sdk_frames_copy_filename_into_abs_path() {
        let frame = EventFrame::from_json(&json!({
            "filename": "http://x/app.js", "lineno": 1, "colno": 20,
            "function": "async y.placeOrder", "in_app": true, "vars": {}
        }))
        .unwrap();
        assert_eq!(frame.abs_path.as_deref(), Some("http://x/app.js"));
        let runtime = frame.to_runtime_frame();
        assert_eq!(runtime.function.as_deref(), Some("y.placeOrder"));
        assert!(runtime.is_async);
        assert_eq!(runtime.url.as_deref(), Some("http://x/app.js"));
        let aliased = EventFrame {
            function: Some("Timeout.t [as _onTimeout]".into()),
            ..EventFrame::default()
        }
        .to_runtime_frame();
        assert_eq!(aliased.function.as_deref(), Some("Timeout.t"));
        assert_eq!(aliased.alias.as_deref(), Some("_onTimeout"));
        let unnamed = EventFrame {
            function: Some("?".into()),
            ..EventFrame::default()
        };
        assert_eq!(unnamed.to_runtime_frame().function, None);
    }

    #[test]
    fn wrong_types_are_errors_that_name_the_field() {
        for (frame, field) in [
            (json!({"lineno": "1"}), "lineno"),
            (json!({"colno": -3}), "colno"),
            (json!({"colno": 1.5}), "colno"),
            (json!({"lineno": 5_000_000_000u64}), "lineno"),
            (json!({"filename": 7}), "filename"),
            (json!({"in_app": "yes"}), "in_app"),
        ] {
            let error = EventFrame::from_json(&frame).unwrap_err();
            assert!(error.contains(field), "{error}");
        }
        assert!(EventFrame::from_json(&json!([1])).is_err());
        assert!(EventFrame::from_json(&json!({"lineno": null})).is_ok());
    }

    #[test]
    fn images_match_frames_by_code_file() {
        let images: Vec<DebugImage> = [
            json!({"type": "sourcemap", "code_file": "http://x/app.js",
                   "debug_id": "869A7777-576F-454E-BD77-0B6AA3A52D82"}),
            json!({"type": "sourcemap", "code_file": "/srv/b.js",
                   "debug_id": "01b1896899d946cc82028fec926aa261"}),
            json!({"type": "macho", "code_file": "/usr/lib/x.dylib"}),
        ]
        .iter()
        .filter_map(|image| DebugImage::from_json(image).unwrap())
        .collect();
        assert_eq!(images.len(), 2);
        let frame = |filename: &str, abs_path: Option<&str>| EventFrame {
            filename: Some(filename.into()),
            abs_path: abs_path.map(str::to_owned),
            ..EventFrame::default()
        };
        assert_eq!(
            DebugImage::find(&images, &frame("http://x/app.js", None)),
            Some("869a7777-576f-454e-bd77-0b6aa3a52d82")
        );
        assert_eq!(
            DebugImage::find(&images, &frame("b.js", Some("/srv/b.js"))),
            Some("01b18968-99d9-46cc-8202-8fec926aa261")
        );
        assert_eq!(
            DebugImage::find(&images, &frame("http://x/app.js?v=2", None)),
            None
        );
        for bad in [
            json!({"type": "sourcemap", "debug_id": "869a7777-576f-454e-bd77-0b6aa3a52d82"}),
            json!({"type": "sourcemap", "code_file": "a.js", "debug_id": "nope"}),
            json!("sourcemap"),
        ] {
            assert!(DebugImage::from_json(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn relative_sources_resolve_against_paths_only() {
        assert_eq!(
            join_relative_path("/tmp/e/dist/server.cjs.map", "../app/node.js").as_deref(),
            Some("/tmp/e/app/node.js")
        );
        assert_eq!(
            join_relative_path("/a/b.js", "./c/../d.js").as_deref(),
            Some("/a/d.js")
        );
        assert_eq!(join_relative_path("/a/b.js", "/abs.js"), None);
        assert_eq!(join_relative_path("/a/b.js", "webpack://x/y.js"), None);
        assert_eq!(join_relative_path("http://x/b.js", "y.js"), None);
        assert_eq!(
            resolve_against("http://h:1/assets/app.js", "../src/a.js").as_deref(),
            Some("http://h:1/src/a.js")
        );
        assert_eq!(
            resolve_against("/srv/dist/a.js", "../src/a.js").as_deref(),
            Some("/srv/src/a.js")
        );
        assert_eq!(resolve_against("http://h/a.js", "webpack://app/a.js"), None);
    }
}
