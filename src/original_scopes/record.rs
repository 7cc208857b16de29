//! A map's scopes as JSON in the shape of the tc39 golden files
//! (`decoding/source-map-record.d.ts` with `decoding/scopes/scopes.d.ts` of
//! tc39/source-map-tests): what `mapback scopes MAP --json`, the C export and
//! `SourceMap.scopes()` in Python give.

use serde_json::{json, Map, Value};

use crate::position::Position;
use crate::view::SourceMapView;

use super::types::{GeneratedRange, OriginalScope, PreOrder, ScopeInfo, ScopeRef, ScopesFormat};

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

/// The inverse of [`scopes_record`]: scopes and ranges read from a record of that
/// shape (other keys, `mappings` among them, are ignored), names interned through
/// `name`. Sources with `rootScopes` make the per-source format, else the combined
/// one. A range's `definitionIndex` counts in the pre-order of every source's scopes.
/// Fails (`InvalidArgument`) on a missing or mistyped field, a definition index past
/// the scopes, or nesting past [`MAX_SCOPE_DEPTH`](super::MAX_SCOPE_DEPTH).
pub fn scopes_from_record(
    record: &Value,
    name: &mut dyn FnMut(&str) -> u32,
) -> crate::error::Result<ScopeInfo> {
    let sources = field(record, "sources")?
        .as_array()
        .ok_or_else(|| invalid("\"sources\" must be a list"))?;
    let mut info = ScopeInfo {
        format: ScopesFormat::Combined,
        sources: Vec::with_capacity(sources.len()),
        ranges: Vec::new(),
    };
    for source in sources {
        let roots = if let Some(list) = source.get("rootScopes") {
            info.format = ScopesFormat::PerSource;
            match list {
                Value::Null => None,
                Value::Array(roots) => Some(
                    roots
                        .iter()
                        .map(|r| scope_from(r, name, 0))
                        .collect::<crate::error::Result<Vec<_>>>()?,
                ),
                _ => return Err(invalid("\"rootScopes\" must be a list or null")),
            }
        } else {
            match source.get("scope") {
                None | Some(Value::Null) => None,
                Some(scope) => Some(vec![scope_from(scope, name, 0)?]),
            }
        };
        info.sources.push(roots);
    }
    let firsts = first_flat_indices(&info);
    let total = firsts.last().copied().unwrap_or(0)
        + info
            .sources
            .last()
            .and_then(|r| r.as_deref())
            .map_or(0, |r| PreOrder::new(r).count());
    if let Some(ranges) = record.get("ranges") {
        let ranges = ranges
            .as_array()
            .ok_or_else(|| invalid("\"ranges\" must be a list"))?;
        let resolve = |flat: usize| -> Option<ScopeRef> {
            if flat >= total {
                return None;
            }
            let source = firsts.partition_point(|&first| first <= flat) - 1;
            Some(ScopeRef {
                source: source as u32,
                index: (flat - firsts[source]) as u32,
            })
        };
        for range in ranges {
            info.ranges.push(range_from(range, name, &resolve, 0)?);
        }
    }
    Ok(info)
}

fn invalid(what: &str) -> crate::error::Error {
    crate::error::Error::new(
        crate::error::ErrorCode::InvalidArgument,
        format!("scopes record: {what}"),
    )
}

fn field<'v>(value: &'v Value, key: &str) -> crate::error::Result<&'v Value> {
    value
        .get(key)
        .ok_or_else(|| invalid(&format!("\"{key}\" is missing")))
}

fn u32_of(value: &Value, what: &str) -> crate::error::Result<u32> {
    value
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| invalid(&format!("{what} must be an integer from 0 to 2^32 - 1")))
}

fn position_from(value: &Value, key: &str) -> crate::error::Result<Position> {
    let position = field(value, key)?;
    Ok(Position::new(
        u32_of(field(position, "line")?, "a line")?,
        u32_of(field(position, "column")?, "a column")?,
    ))
}

fn optional_name(
    value: Option<&Value>,
    name: &mut dyn FnMut(&str) -> u32,
) -> crate::error::Result<Option<u32>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(name(text))),
        Some(_) => Err(invalid("a name must be a string or null")),
    }
}

fn list<'v>(value: &'v Value, key: &str) -> crate::error::Result<&'v [Value]> {
    match value.get(key) {
        None => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(_) => Err(invalid(&format!("\"{key}\" must be a list"))),
    }
}

fn check_depth(depth: usize) -> crate::error::Result<()> {
    if depth >= super::MAX_SCOPE_DEPTH {
        return Err(invalid(&format!(
            "nesting deeper than {}",
            super::MAX_SCOPE_DEPTH
        )));
    }
    Ok(())
}

fn scope_from(
    value: &Value,
    name: &mut dyn FnMut(&str) -> u32,
    depth: usize,
) -> crate::error::Result<OriginalScope> {
    check_depth(depth)?;
    let mut scope =
        OriginalScope::new(position_from(value, "start")?, position_from(value, "end")?);
    scope.name = optional_name(value.get("name"), name)?;
    scope.kind = optional_name(value.get("kind"), name)?;
    scope.is_stack_frame = value
        .get("isStackFrame")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    for variable in list(value, "variables")? {
        let text = variable
            .as_str()
            .ok_or_else(|| invalid("a variable must be a string"))?;
        scope.variables.push(Some(name(text)));
    }
    for child in list(value, "children")? {
        scope.children.push(scope_from(child, name, depth + 1)?);
    }
    Ok(scope)
}

fn range_from(
    value: &Value,
    name: &mut dyn FnMut(&str) -> u32,
    resolve: &dyn Fn(usize) -> Option<ScopeRef>,
    depth: usize,
) -> crate::error::Result<GeneratedRange> {
    use super::types::{Binding, StackFrameType};
    check_depth(depth)?;
    let mut range =
        GeneratedRange::new(position_from(value, "start")?, position_from(value, "end")?);
    range.definition = match value.get("definitionIndex") {
        None | Some(Value::Null) => None,
        Some(index) => {
            let flat = u32_of(index, "definitionIndex")? as usize;
            Some(resolve(flat).ok_or_else(|| {
                invalid(&format!("definitionIndex {flat} names no original scope"))
            })?)
        }
    };
    range.stack_frame_type = match value.get("stackFrameType").and_then(Value::as_str) {
        None | Some("none") => StackFrameType::None,
        Some("original") => StackFrameType::Original,
        Some("hidden") => StackFrameType::Hidden,
        Some(other) => {
            return Err(invalid(&format!(
                "stackFrameType {other:?} is not none, original or hidden"
            )))
        }
    };
    for bindings in list(value, "bindings")? {
        let items = bindings
            .as_array()
            .ok_or_else(|| invalid("each bindings entry must be a list"))?;
        let mut parsed = Vec::with_capacity(items.len());
        for item in items {
            parsed.push(Binding {
                from: position_from(item, "from")?,
                expression: optional_name(item.get("binding"), name)?,
            });
        }
        range.bindings.push(parsed);
    }
    range.call_site = match value.get("callSite") {
        None | Some(Value::Null) => None,
        Some(site) => Some(crate::position::SourcePosition::new(
            u32_of(field(site, "sourceIndex")?, "sourceIndex")?,
            Position::new(
                u32_of(field(site, "line")?, "a line")?,
                u32_of(field(site, "column")?, "a column")?,
            ),
        )),
    };
    for child in list(value, "children")? {
        range
            .children
            .push(range_from(child, name, resolve, depth + 1)?);
    }
    Ok(range)
}
