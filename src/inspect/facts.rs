//! The map's facts for the page: its top-level fields as written, the index map's
//! sections, the ignore list, the debug ID, range mappings and scopes, and the script's
//! own comments. Read from the document itself, so a field the decoder ignores is
//! still shown.

use serde_json::{json, Map, Value};

use crate::decode::prefix_length;
use crate::discovery;
use crate::json::{integer, string, InputPositions, JsonObject, JsonType};
use crate::view::SourceMapView;

/// At most this many index-map sections are listed; the rest are counted.
const MAX_LISTED_SECTIONS: usize = 1000;

/// The facts as JSON: `{"fields": [{"key", "type", "bytes"}], "sections": [...] | null,
/// "sections_total", "debug_id", "file", "is_index_map", "token_count", "line_count",
/// "name_count", "source_count", "ignored_count", "range_mappings", "scopes",
/// "script": {...} | null}`.
pub fn facts(map_json: &[u8], map: Option<&dyn SourceMapView>, script: Option<&str>) -> Value {
    let mut facts = Map::new();
    let document = std::str::from_utf8(&map_json[prefix_length(map_json)..]).ok();
    let object = document.and_then(|text| JsonObject::parse(text, &InputPositions::default()).ok());
    if let Some(object) = &object {
        facts.insert("fields".into(), fields(object));
        facts.insert("scopes".into(), json!(object.contains("scopes")));
        let mut ignore_list = ignore_list_field(object).map(str::to_owned);
        if let Some((listed, total)) = sections(object) {
            // An index map's ignore lists are in its sections' maps.
            if ignore_list.is_none() {
                ignore_list = (listed.iter())
                    .find_map(|section| section["ignore_list_field"].as_str())
                    .map(|field| format!("{field} (in sections)"));
            }
            facts.insert("sections".into(), Value::Array(listed));
            facts.insert("sections_total".into(), json!(total));
        }
        facts.insert("ignore_list_field".into(), json!(ignore_list));
    }
    if let Some(map) = map {
        let ranges = (0..map.token_count())
            .filter_map(|i| map.raw_token(i))
            .filter(|t| t.is_range)
            .count();
        let ignored = (0..map.source_count() as u32)
            .filter(|&i| map.source_is_ignored(i))
            .count();
        facts.insert("file".into(), json!(map.file()));
        facts.insert("debug_id".into(), json!(map.debug_id()));
        facts.insert("is_index_map".into(), json!(map.is_index_map()));
        facts.insert("token_count".into(), json!(map.token_count()));
        facts.insert("line_count".into(), json!(map.line_count()));
        facts.insert("name_count".into(), json!(map.name_count()));
        facts.insert("source_count".into(), json!(map.source_count()));
        facts.insert("ignored_count".into(), json!(ignored));
        facts.insert("range_mappings".into(), json!(ranges));
    }
    facts.insert(
        "script".into(),
        script.map_or(Value::Null, |script| {
            json!({
                "bytes": script.len(),
                "source_mapping_url": discovery::source_mapping_url(script)
                    .map(|url| shorten(url, 200)),
                "debug_id": discovery::debug_id(script),
            })
        }),
    );
    facts.insert("map_bytes".into(), json!(map_json.len()));
    Value::Object(facts)
}

/// Every top-level key, its JSON type and its size in bytes, in document order.
fn fields(object: &JsonObject<'_>) -> Value {
    let mut seen: Vec<&str> = Vec::new();
    let mut fields = Vec::new();
    for (key, value) in object.members() {
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        let value = object.get(key).unwrap_or(value);
        let mut field = json!({
            "key": key,
            "type": JsonType::of(value).name(),
            "bytes": value.get().len(),
        });
        let small = matches!(
            JsonType::of(value),
            JsonType::Number | JsonType::Bool | JsonType::Null | JsonType::String
        ) && value.get().len() <= 200;
        if small {
            field["value"] = serde_json::from_str(value.get()).unwrap_or(Value::Null);
        }
        fields.push(field);
    }
    Value::Array(fields)
}

/// Which ignore-list field the map uses, if any (`ignoreList` wins, as in the decoder).
fn ignore_list_field(object: &JsonObject<'_>) -> Option<&'static str> {
    ["ignoreList", "x_google_ignoreList"]
        .into_iter()
        .find(|key| object.contains(key))
}

/// The index map's sections (`offset`, `url` or the inner map's source count), at most
/// [`MAX_LISTED_SECTIONS`], and how many there are.
fn sections(object: &JsonObject<'_>) -> Option<(Vec<Value>, usize)> {
    let raw = object.get("sections")?;
    let items = object.items("sections", raw).ok()?;
    let listed = items
        .iter()
        .take(MAX_LISTED_SECTIONS)
        .map(|&item| {
            let Ok(section) = JsonObject::from_raw(item) else {
                return json!({"invalid": true});
            };
            let offset = section
                .get("offset")
                .and_then(|raw| JsonObject::from_raw(raw).ok());
            let coordinate = |key: &str| {
                offset
                    .as_ref()
                    .and_then(|o| o.get(key))
                    .and_then(integer)
                    .map(|n| n as i64)
            };
            let inner = section
                .get("map")
                .and_then(|raw| JsonObject::from_raw(raw).ok());
            let sources = inner
                .as_ref()
                .and_then(|m| m.get("sources"))
                .and_then(|raw| crate::json::array_items(raw).ok())
                .map(|items| items.len());
            json!({
                "line": coordinate("line"),
                "column": coordinate("column"),
                "url": section.get("url").and_then(string).map(|url| shorten(&url, 200)),
                "sources": sources,
                "ignore_list_field": inner.as_ref().and_then(ignore_list_field),
                "bytes": item.get().len(),
            })
        })
        .collect();
    Some((listed, items.len()))
}

/// `text`, cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceMap;

    #[test]
    fn index_map_sections_and_fields() {
        let map = br#"{"version":3,"debugId":"85314830-023f-4cf1-a267-535f4e37bb17","sections":[
            {"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js","b.js"],"mappings":"AAAA"}},
            {"offset":{"line":1,"column":5},"map":{"version":3,"sources":["c.js"],"x_google_ignoreList":[0],"mappings":"AAAA"}}]}"#;
        let decoded = SourceMap::from_slice(map).unwrap();
        let facts = facts(
            map,
            Some(&decoded),
            Some("x\n//# debugId=85314830-023f-4cf1-a267-535f4e37bb17\n"),
        );
        assert_eq!(facts["is_index_map"], true);
        assert_eq!(facts["sections_total"], 2);
        assert_eq!(facts["sections"][1]["line"], 1);
        assert_eq!(facts["sections"][1]["column"], 5);
        assert_eq!(facts["sections"][0]["sources"], 2);
        assert_eq!(facts["ignored_count"], 1);
        assert_eq!(facts["debug_id"], "85314830-023f-4cf1-a267-535f4e37bb17");
        assert_eq!(
            facts["script"]["debug_id"],
            "85314830-023f-4cf1-a267-535f4e37bb17"
        );
        let keys: Vec<&str> = facts["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["key"].as_str().unwrap())
            .collect();
        assert_eq!(keys, ["version", "debugId", "sections"]);
        assert_eq!(facts["fields"][0]["value"], 3);
        assert_eq!(facts["scopes"], false);
        assert_eq!(
            facts["ignore_list_field"],
            "x_google_ignoreList (in sections)"
        );
        assert_eq!(
            facts["sections"][1]["ignore_list_field"],
            "x_google_ignoreList"
        );
    }

    #[test]
    fn range_mappings_and_scopes_are_noticed() {
        let map = br#"{"version":3,"sources":["a.js"],"mappings":"AAAA,CAAC","rangeMappings":"A","scopes":"AAA","ignoreList":[0]}"#;
        let decoded = SourceMap::from_slice(map).unwrap();
        let facts = facts(map, Some(&decoded), None);
        assert_eq!(facts["range_mappings"], 1);
        assert_eq!(facts["scopes"], true);
        assert_eq!(facts["ignore_list_field"], "ignoreList");
        assert_eq!(facts["script"], Value::Null);
    }
}
