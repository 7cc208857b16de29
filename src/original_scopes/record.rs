//! A map's scopes as JSON in the shape of the tc39 golden files
//! (`decoding/source-map-record.d.ts` with `decoding/scopes/scopes.d.ts` of
//! tc39/source-map-tests): what `mapback scopes MAP --json`, the C export and
//! `SourceMap.scopes()` in Python give.

use serde_json::{json, Map, Value};

use crate::position::Position;
use crate::view::SourceMapView;

use super::types::{GeneratedRange, OriginalScope, PreOrder, ScopeInfo, ScopesFormat};

/// The map's Decoded Source Map Record without its mappings: `file`, `sources` (each
/// `url`, `content`, `ignored` and its scopes) and `ranges`.
///
/// A source's `url` is its resolved URL, else its `sourceRoot`-prefixed name (the
/// goldens are decoded without a base URL). Its scopes are under `scope` (the root
/// scope or `null`) for the combined format the goldens use, and under `rootScopes`
/// (a list, or `null`) for ecma426 #266's per-source format, where a source may have
/// several roots. A range's `definitionIndex` counts in the pre-order of every
/// source's scopes, sources in order, in both. A map without scopes gives `null`
/// scopes and no ranges. Names are resolved through the map's `names`; a variable
/// whose index was past them is `""`, as the spec keeps it.
pub fn scopes_record(map: &dyn SourceMapView) -> Value {
    let info = map.original_scopes();
    let per_source = info.is_some_and(|i| i.format == ScopesFormat::PerSource);
    let name = |index: Option<u32>| index.and_then(|i| map.name(i)).map(str::to_owned);
    let sources: Vec<Value> = (0..map.source_count() as u32)
        .map(|index| {
            let roots = info.and_then(|i| i.source_scopes(index));
            let mut source = Map::new();
            let url = map
                .source_url(index)
                .or_else(|| map.source_prefixed_name(index));
            source.insert("url".into(), json!(url));
            source.insert("content".into(), json!(map.source_content(index)));
            source.insert("ignored".into(), json!(map.source_is_ignored(index)));
            if per_source {
                let list = roots.map(|roots| {
                    roots
                        .iter()
                        .map(|s| scope_json(s, &name))
                        .collect::<Vec<_>>()
                });
                source.insert("rootScopes".into(), json!(list));
            } else {
                let root = roots.and_then(|r| r.first()).map(|s| scope_json(s, &name));
                source.insert("scope".into(), root.unwrap_or(Value::Null));
            }
            Value::Object(source)
        })
        .collect();
    let ranges: Vec<Value> = match info {
        Some(info) => {
            let firsts = first_flat_indices(info);
            info.ranges
                .iter()
                .map(|r| range_json(r, &firsts, &name))
                .collect()
        }
        None => Vec::new(),
    };
    json!({"file": map.file(), "sources": sources, "ranges": ranges})
}

/// For each source of `info`, the flat index of its first scope.
fn first_flat_indices(info: &ScopeInfo) -> Vec<usize> {
    let mut firsts = Vec::with_capacity(info.sources.len());
    let mut next = 0;
    for roots in &info.sources {
        firsts.push(next);
        next += roots.as_deref().map_or(0, |r| PreOrder::new(r).count());
    }
    firsts
}

fn position_json(position: Position) -> Value {
    json!({"line": position.line, "column": position.column})
}

fn scope_json(scope: &OriginalScope, name: &dyn Fn(Option<u32>) -> Option<String>) -> Value {
    let variables: Vec<String> = scope
        .variables
        .iter()
        .map(|&v| name(v).unwrap_or_default())
        .collect();
    let children: Vec<Value> = scope.children.iter().map(|c| scope_json(c, name)).collect();
    json!({
        "start": position_json(scope.start),
        "end": position_json(scope.end),
        "name": name(scope.name),
        "kind": name(scope.kind),
        "isStackFrame": scope.is_stack_frame,
        "variables": variables,
        "children": children,
    })
}

fn range_json(
    range: &GeneratedRange,
    firsts: &[usize],
    name: &dyn Fn(Option<u32>) -> Option<String>,
) -> Value {
    let definition = range
        .definition
        .and_then(|d| Some(firsts.get(d.source as usize)? + d.index as usize));
    let bindings: Vec<Value> = range
        .bindings
        .iter()
        .map(|list| {
            let list: Vec<Value> = list
                .iter()
                .map(|b| json!({"from": position_json(b.from), "binding": name(b.expression)}))
                .collect();
            Value::Array(list)
        })
        .collect();
    let call_site = range.call_site.map(
        |c| json!({"sourceIndex": c.source, "line": c.position.line, "column": c.position.column}),
    );
    let children: Vec<Value> = range
        .children
        .iter()
        .map(|c| range_json(c, firsts, name))
        .collect();
    json!({
        "start": position_json(range.start),
        "end": position_json(range.end),
        "definitionIndex": definition,
        "stackFrameType": range.stack_frame_type.as_str(),
        "bindings": bindings,
        "callSite": call_site,
        "children": children,
    })
}
