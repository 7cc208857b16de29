//! The inspector (`mapback::Inspection`): the page's data for the demo map and its
//! script (every byte attributed once, the compact per-line mappings decodable back to
//! the map's tokens, the validator's report, the facts), a map that cannot be decoded,
//! and a page that carries everything inline and references nothing outside itself.

use std::path::Path;

use mapback::{attribute, Inspection, SourceMap, SourceMapView};
use serde_json::Value;

fn demo() -> (Vec<u8>, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo");
    let map = std::fs::read(dir.join("bundle.min.js.map")).unwrap();
    let script = std::fs::read_to_string(dir.join("bundle.min.js")).unwrap();
    (map, script)
}

fn demo_data() -> Value {
    let (map, script) = demo();
    Inspection {
        map: &map,
        script: Some(&script),
        map_name: Some("bundle.min.js.map"),
        script_name: Some("bundle.min.js"),
    }
    .data()
}

/// The page's VLQ (unsigned values; the signed ones are decoded by the caller).
fn vlq_values(text: &str) -> Vec<u64> {
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut values = Vec::new();
    let (mut value, mut shift) = (0u64, 0);
    for c in text.chars() {
        let digit = alphabet.find(c).unwrap() as u64;
        value += (digit & 31) << shift;
        shift += 5;
        if digit & 32 == 0 {
            values.push(value);
            (value, shift) = (0, 0);
        }
    }
    values
}

fn signed(raw: u64) -> i64 {
    let half = (raw >> 1) as i64;
    if raw & 1 == 1 {
        -half
    } else {
        half
    }
}

#[test]
fn every_byte_of_the_demo_is_attributed_once() {
    let data = demo_data();
    let attribution = &data["attribution"];
    let (_, script) = demo();
    assert_eq!(attribution["total"], script.len());
    let per_source: u64 = (attribution["per_source"].as_array().unwrap().iter())
        .map(|n| n.as_u64().unwrap())
        .sum();
    let unmapped = attribution["unmapped"].as_u64().unwrap();
    assert_eq!(per_source + unmapped, script.len() as u64);
    // Three lines, each ending in "\n"; the last is the sourceMappingURL comment, which
    // no segment covers.
    assert_eq!(attribution["line_terminators"], 3);
    let comment = script.lines().last().unwrap().len() as u64;
    assert!(unmapped >= comment + 3, "{unmapped}");
    // Every one of the five app files has bytes; none is under node_modules.
    assert!(attribution["per_source"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n.as_u64().unwrap() > 0));
    assert_eq!(attribution["packages"], Value::Array(vec![]));
}

#[test]
fn the_generated_lines_decode_back_to_the_maps_tokens() {
    let (map, _) = demo();
    let decoded = SourceMap::from_slice(&map).unwrap();
    let data = demo_data();
    let lines: Vec<&str> = data["generated"].as_str().unwrap().split(';').collect();
    // The script has three lines and an empty fourth after its final "\n"; the
    // mappings cover two.
    assert_eq!(lines.len(), 4);
    let mut tokens = decoded.tokens();
    for (line, text) in lines.iter().enumerate() {
        let values = vlq_values(text);
        let mut at = 0;
        let (mut column, mut source, mut original_line, mut original_column, mut name) =
            (0u64, 0i64, 0i64, 0i64, 0i64);
        while at < values.len() {
            column += values[at];
            let flags = values[at + 1];
            at += 2;
            let token = tokens.next().expect("as many segments as tokens");
            assert_eq!(token.generated_line() as usize, line);
            assert_eq!(u64::from(token.generated_column()), column);
            assert_eq!(flags & 1 == 1, token.has_original());
            if flags & 1 == 1 {
                source += signed(values[at]);
                original_line += signed(values[at + 1]);
                original_column += signed(values[at + 2]);
                at += 3;
                assert_eq!(token.source_index(), Some(source as u32));
                assert_eq!(token.original_line(), Some(original_line as u32));
                assert_eq!(token.original_column(), Some(original_column as u32));
            }
            if flags & 2 == 2 {
                name += signed(values[at]);
                at += 1;
                assert_eq!(token.name_index(), Some(name as u32));
            } else {
                assert_eq!(token.name_index(), None);
            }
        }
    }
    assert!(tokens.next().is_none(), "every token is on the page");
}

#[test]
fn the_original_lines_hold_every_mapped_token_once() {
    let (map, _) = demo();
    let decoded = SourceMap::from_slice(&map).unwrap();
    let data = demo_data();
    let original = data["original"].as_array().unwrap();
    assert_eq!(original.len(), decoded.source_count());
    let mut seen = 0;
    for (source, text) in original.iter().enumerate() {
        for (line, text) in text.as_str().unwrap().split(';').enumerate() {
            let values = vlq_values(text);
            let (mut column, mut g_line, mut g_column) = (0u64, 0i64, 0i64);
            for triple in values.chunks(3) {
                column += triple[0];
                g_line += signed(triple[1]);
                g_column += signed(triple[2]);
                let token = decoded.lookup(g_line as u32, g_column as u32).unwrap();
                assert_eq!(token.source_index(), Some(source as u32));
                assert_eq!(token.original_line(), Some(line as u32));
                assert_eq!(u64::from(token.original_column().unwrap()), column);
                seen += 1;
            }
        }
    }
    let mapped = decoded.tokens().filter(|t| t.has_original()).count();
    assert_eq!(seen, mapped);
}

#[test]
fn the_report_and_facts_are_on_the_page() {
    let data = demo_data();
    assert_eq!(data["decoded"], true);
    assert_eq!(data["validation"]["valid"], true);
    assert_eq!(data["facts"]["source_count"], 5);
    assert_eq!(data["facts"]["is_index_map"], false);
    assert_eq!(
        data["facts"]["script"]["source_mapping_url"],
        "bundle.min.js.map"
    );
    assert_eq!(data["sources"][1]["name"], "app/src/pricing.js");
    assert!(data["sources"][1]["content"]
        .as_str()
        .unwrap()
        .contains("applyCoupon"));
    assert!(data["names"]
        .as_array()
        .unwrap()
        .contains(&Value::from("applyCoupon")));
}

#[test]
fn a_map_that_cannot_be_decoded_still_has_a_page() {
    let map = br##"{"version":3,"sources":["a.js"],"mappings":"#"##;
    let inspection = Inspection {
        map,
        ..Inspection::default()
    };
    let data = inspection.data();
    assert_eq!(data["decoded"], false);
    assert_eq!(data["validation"]["errors"][0]["code"], "invalid-json");
    assert!(data["validation"]["errors"][0]["excerpt"]
        .as_str()
        .unwrap()
        .contains("mappings"));
    assert!(inspection.html().contains(r#""decoded":false"#));
}

#[test]
fn the_page_is_self_contained() {
    let (map, script) = demo();
    let page = Inspection {
        map: &map,
        script: Some(&script),
        map_name: Some("bundle.min.js.map"),
        script_name: Some("bundle.min.js"),
    }
    .html();
    let lower = page.to_ascii_lowercase();
    for reference in [
        "src=",
        "href=",
        "@import",
        "url(",
        "fetch(",
        "xmlhttprequest",
    ] {
        assert!(
            !lower.contains(reference),
            "the page references {reference}"
        );
    }
    assert!(page.contains("Content-Security-Policy"));
    // The page is its inputs plus the code and the compact mappings: bounded.
    assert!(
        page.len() < 2 * (map.len() + script.len()) + 64 * 1024,
        "{}",
        page.len()
    );
}

#[test]
fn attribution_uses_utf16_columns() {
    // "é" is one UTF-16 unit and two bytes: the segment at column 2 starts at byte 3.
    let map =
        SourceMap::from_slice(br#"{"version":3,"sources":["a.js","b.js"],"mappings":"AAAA,ECAA"}"#)
            .unwrap();
    let shares = attribute(&map, "éxyz");
    assert_eq!(shares.per_source, [3, 2]);
    assert_eq!(shares.unmapped, 0);
}

#[test]
fn the_trace_box_knows_the_original_functions() {
    let data = demo_data();
    let functions = &data["functions"];
    let names: Vec<&str> = (functions["names"].as_array().unwrap().iter())
        .map(|n| n.as_str().unwrap())
        .collect();
    // pricing.js 36:10 (trace-node.txt's top frame) is inside applyCoupon: the innermost
    // function (the last, in order of start) containing it.
    let pricing = functions["per_source"][1].as_array().unwrap();
    let containing: Vec<&str> = pricing
        .chunks(5)
        .filter(|f| {
            let n = |i: usize| f[i].as_i64().unwrap();
            (n(0), n(1)) <= (36, 10) && (36, 10) < (n(2), n(3))
        })
        .map(|f| names[f[4].as_i64().unwrap() as usize])
        .collect();
    assert_eq!(containing, ["applyCoupon"]);
}
