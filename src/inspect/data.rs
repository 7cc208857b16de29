//! The page's data, computed ahead: everything the inspector shows, as one JSON
//! document (schema in docs/inspect.md). The browser only decodes the lines it draws.

use serde_json::{json, Value};

use crate::decode::DecodeOptions;
use crate::map::SourceMap;
use crate::validate::validate;
use crate::view::SourceMapView;

use super::attribution::{attribute, packages};
use super::encode::{generated_lines, original_lines};
use super::facts::facts;
use super::functions::functions;

/// Bytes of the map shown on each side of a problem's offset.
const EXCERPT_RADIUS: usize = 60;

/// What to inspect: a map, and optionally the script it maps and display names.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inspection<'a> {
    /// The source map document (JSON, regular or index map), as read.
    pub map: &'a [u8],
    /// The generated script the map describes, when known.
    pub script: Option<&'a str>,
    /// How the page names the map (a file name, say).
    pub map_name: Option<&'a str>,
    /// How the page names the script.
    pub script_name: Option<&'a str>,
}

impl Inspection<'_> {
    /// The page's data as JSON. Never fails: a map that cannot be decoded gives the
    /// validator's report and the facts that can be read, with no mappings.
    pub fn data(&self) -> Value {
        let decoded = SourceMap::from_slice_with(self.map, &DecodeOptions::default()).ok();
        let view = decoded.as_ref().map(|m| m as &dyn SourceMapView);
        let mut validation = validate(self.map, self.script).to_json();
        for list in ["errors", "warnings"] {
            if let Some(problems) = validation[list].as_array_mut() {
                for problem in problems {
                    if let Some(offset) = problem["offset"].as_u64() {
                        problem["excerpt"] = json!(excerpt(self.map, offset as usize));
                    }
                }
            }
        }
        let script_lines = self
            .script
            .map_or(0, |s| crate::lines::line_starts(s).len());
        let mut data = json!({
            "format": 1,
            "generator": format!("mapback {}", crate::VERSION),
            "map_name": self.map_name,
            "script_name": self.script_name,
            "script": self.script,
            "decoded": view.is_some(),
            "validation": validation,
            "facts": facts(self.map, view, self.script),
        });
        let Some(map) = view else {
            return data;
        };
        let sources: Vec<Value> = (0..map.source_count() as u32)
            .map(|i| {
                json!({
                    "name": map.source_prefixed_name(i).or(map.source_name(i)),
                    "url": map.source_url(i),
                    "ignored": map.source_is_ignored(i),
                    "content": map.source_content(i),
                })
            })
            .collect();
        data["sources"] = Value::Array(sources);
        data["names"] = json!(map.names());
        data["generated"] = json!(generated_lines(map, script_lines.max(map.line_count())));
        data["original"] = json!(original_lines(map));
        data["functions"] = functions(map);
        if let Some(script) = self.script {
            let shares = attribute(map, script);
            let names: Vec<Option<&str>> = (0..map.source_count() as u32)
                .map(|i| map.source_prefixed_name(i).or(map.source_name(i)))
                .collect();
            let packages: Vec<Value> = packages(&shares, &names)
                .into_iter()
                .map(|p| json!({"name": p.name, "bytes": p.bytes, "sources": p.sources}))
                .collect();
            data["attribution"] = json!({
                "total": shares.total,
                "unmapped": shares.unmapped,
                "line_terminators": shares.line_terminators,
                "per_source": shares.per_source,
                "packages": packages,
            });
        }
        data
    }
}

/// The map's text around byte `offset`, lossily decoded, on one line.
fn excerpt(map: &[u8], offset: usize) -> String {
    let offset = offset.min(map.len());
    let from = offset.saturating_sub(EXCERPT_RADIUS);
    let to = (offset + EXCERPT_RADIUS).min(map.len());
    let before = String::from_utf8_lossy(&map[from..offset]);
    let after = String::from_utf8_lossy(&map[offset..to]);
    format!("{before}⟨here⟩{after}").replace(['\n', '\r'], " ")
}
