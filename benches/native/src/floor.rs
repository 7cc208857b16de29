//! The physical floor: what any decoder has to pay, done as plainly as possible.
//!
//! `typed_parse` is serde_json's derive-generated parse of every field into owned Rust
//! values (sourcesContent included, unescaped). `vlq_loop` decodes every VLQ of the
//! mappings into a running sum with a table lookup per byte and no validation or
//! storage. No decoder that checks its input and builds a lookup structure can be much
//! faster than the two together.

use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)] // the fields exist to be parsed, not read
pub struct TypedMap {
    pub version: Option<u32>,
    pub file: Option<String>,
    #[serde(rename = "sourceRoot")]
    pub source_root: Option<String>,
    #[serde(default)]
    pub sources: Vec<Option<String>>,
    #[serde(rename = "sourcesContent")]
    pub sources_content: Option<Vec<Option<String>>>,
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub mappings: String,
    #[serde(rename = "ignoreList")]
    pub ignore_list: Option<Vec<u32>>,
    #[serde(rename = "debugId")]
    pub debug_id: Option<String>,
    pub sections: Option<Vec<Section>>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Section {
    pub offset: Offset,
    pub map: TypedMap,
}

#[derive(Deserialize)]
#[allow(dead_code)]
pub struct Offset {
    pub line: u32,
    pub column: u32,
}

impl TypedMap {
    /// The `mappings` of the map and of all its sections, in order.
    pub fn all_mappings(&self) -> Vec<String> {
        let mut out = vec![self.mappings.clone()];
        for section in self.sections.iter().flatten() {
            out.extend(section.map.all_mappings());
        }
        out
    }
}

pub fn typed_parse(bytes: &[u8]) -> Result<TypedMap, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

const INVALID: u8 = 0xff;

const DIGITS: [u8; 256] = {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Decodes every VLQ in `mappings`, summing the values; separators are skipped.
pub fn vlq_loop(mappings: &[String]) -> i64 {
    let mut sum = 0i64;
    for text in mappings {
        let mut value = 0u64;
        let mut shift = 0u32;
        for &byte in text.as_bytes() {
            let digit = DIGITS[byte as usize];
            if digit == INVALID {
                continue; // ',' or ';'
            }
            value |= u64::from(digit & 0x1f) << (shift & 63);
            if digit & 0x20 != 0 {
                shift += 5;
            } else {
                let magnitude = (value >> 1) as i64;
                sum = sum.wrapping_add(if value & 1 == 1 {
                    -magnitude
                } else {
                    magnitude
                });
                value = 0;
                shift = 0;
            }
        }
    }
    sum
}
