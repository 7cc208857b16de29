//! Metro's function maps and Hermes's function offsets: the React Native extensions of a
//! source map.
//!
//! **Function maps** (`x_facebook_sources`, written by Metro): per source, which function
//! encloses each original position, named as Metro names it (`Checkout#total`,
//! `cart.map$argument_0`, `<global>` at top level). The field is a list aligned with
//! `sources`; an entry is `null` or a list of metadata whose first item is the function
//! map `{"names": [...], "mappings": "..."}`. Its `mappings` is a string of Base64 VLQ
//! segments, each starting a function's range: a `;` starts a new original line (one
//! `;` whatever the distance), `,` separates segments on a line. A segment is the column
//! (relative to the previous segment on the line, reset to 0 on a new line) and the name
//! index (relative to the previous segment), and the first segment after a `;` (or the
//! very first) adds the line delta (lines count from 1). A name covers its segment's
//! position up to the next segment.
//!
//! **Function offsets** (`x_hermes_function_offsets`, written by hermesc): per bytecode
//! segment, each function's start as a bytecode virtual offset. Hermes crash reports
//! give a frame as function ID + offset in the function; this table turns that into the
//! virtual offset the map's columns are. Kept as read, so that composing a Hermes map
//! with Metro's keeps it.

use serde_json::Value;

use crate::position::Position;
use crate::vlq;

/// The function map of one source: function names by original position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionMap {
    names: Vec<String>,
    /// Where each name starts, sorted by position; the index is into `names`.
    starts: Vec<(Position, u32)>,
}

/// Metro's name for the top level of a module: no function.
const TOP_LEVEL: &str = "<global>";

impl FunctionMap {
    /// A function map from Metro's `{names, mappings}`. Fails with a message when the
    /// mappings do not decode or name no entry of `names`.
    pub fn decode(names: Vec<String>, mappings: &str) -> Result<FunctionMap, String> {
        let bytes = mappings.as_bytes();
        let mut starts = Vec::new();
        let (mut line, mut column, mut name) = (1i64, 0i64, 0i64);
        let mut at = 0;
        for (group_index, group) in bytes.split(|&b| b == b';').enumerate() {
            if group_index > 0 {
                column = 0;
            }
            for (segment_index, segment) in group.split(|&b| b == b',').enumerate() {
                let start = at;
                at += segment.len() + 1;
                if segment.is_empty() {
                    continue;
                }
                let mut pos = 0;
                let mut field = || {
                    vlq::decode_signed(segment, &mut pos)
                        .map_err(|e| format!("segment at byte {start}: {}", vlq_problem(e)))
                };
                column += field()?;
                name += field()?;
                if segment_index == 0 {
                    line += field()?;
                }
                if pos != segment.len() {
                    return Err(format!("segment at byte {start} has extra fields"));
                }
                let position = u32::try_from(line - 1)
                    .ok()
                    .zip(u32::try_from(column).ok())
                    .map(|(line, column)| Position::new(line, column));
                let Some(position) = position else {
                    return Err(format!(
                        "segment at byte {start} starts before line 1 or column 0"
                    ));
                };
                let index = u32::try_from(name)
                    .ok()
                    .filter(|&n| (n as usize) < names.len())
                    .ok_or_else(|| {
                        format!(
                            "segment at byte {start} names entry {name} of {} names",
                            names.len()
                        )
                    })?;
                starts.push((position, index));
            }
        }
        // Metro writes them in order; a map that does not is still read by position.
        starts.sort_by_key(|&(position, _)| position);
        Ok(FunctionMap { names, starts })
    }

    /// The function map of a JSON value `{"names": [...], "mappings": "..."}`.
    pub fn from_json(value: &Value) -> Result<FunctionMap, String> {
        let object = value
            .as_object()
            .ok_or("a function map must be an object with names and mappings")?;
        let names = object
            .get("names")
            .and_then(Value::as_array)
            .ok_or("a function map's \"names\" must be a list")?
            .iter()
            .map(|n| n.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or("a function map's \"names\" must be strings")?;
        let mappings = object
            .get("mappings")
            .and_then(Value::as_str)
            .ok_or("a function map's \"mappings\" must be a string")?;
        FunctionMap::decode(names, mappings)
    }

    /// The name of the function enclosing `position` (0-based line and column of the
    /// original source): the last range starting at or before it. `None` at top level
    /// (Metro's `<global>`) and before the first range.
    pub fn name_at(&self, position: Position) -> Option<&str> {
        let after = self.starts.partition_point(|&(start, _)| start <= position);
        let (_, index) = *self.starts.get(after.checked_sub(1)?)?;
        let name = self.names[index as usize].as_str();
        (name != TOP_LEVEL).then_some(name)
    }

    /// The ranges: where each starts (0-based) and its name, in order.
    pub fn ranges(&self) -> impl Iterator<Item = (Position, &str)> + '_ {
        self.starts
            .iter()
            .map(|&(position, index)| (position, self.names[index as usize].as_str()))
    }

    /// Metro's JSON form, `{"names":[...],"mappings":"..."}`.
    pub fn to_json(&self) -> Value {
        let mut mappings = Vec::new();
        let (mut line, mut column, mut name) = (0u32, 0i64, 0i64);
        for (i, &(position, index)) in self.starts.iter().enumerate() {
            let new_line = i == 0 || position.line > line;
            if i > 0 && new_line {
                mappings.push(b';');
                column = 0;
            } else if i > 0 {
                mappings.push(b',');
            }
            vlq::encode_signed(i64::from(position.column) - column, &mut mappings);
            vlq::encode_signed(i64::from(index) - name, &mut mappings);
            if new_line {
                let previous = if i == 0 { 0 } else { line };
                vlq::encode_signed(
                    i64::from(position.line) - i64::from(previous),
                    &mut mappings,
                );
            }
            line = position.line;
            column = i64::from(position.column);
            name = i64::from(index);
        }
        serde_json::json!({
            "names": self.names,
            "mappings": String::from_utf8(mappings).expect("VLQ is ASCII"),
        })
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.names.iter().map(|n| n.capacity()).sum::<usize>()
            + self.names.capacity() * std::mem::size_of::<String>()
            + self.starts.capacity() * std::mem::size_of::<(Position, u32)>()
    }
}

fn vlq_problem(error: vlq::VlqError) -> &'static str {
    match error {
        vlq::VlqError::InvalidDigit(_) => "a character is not Base64",
        vlq::VlqError::Truncated(_) => "a value ends while its continuation bit is set",
        vlq::VlqError::Overflow(_) => "a value does not fit in 32 bits",
    }
}

/// One `x_facebook_sources` entry: `null`, or a list whose first item is the function
/// map (`null` there too means none). `Ok(None)` when the entry has no function map.
pub fn function_map_of_entry(entry: &Value) -> Result<Option<FunctionMap>, String> {
    match entry {
        Value::Null => Ok(None),
        Value::Array(items) => match items.first() {
            None | Some(Value::Null) => Ok(None),
            Some(map) => FunctionMap::from_json(map).map(Some),
        },
        _ => Err("an x_facebook_sources entry must be null or a list".to_owned()),
    }
}

/// Hermes's function offsets: per bytecode segment ID, each function's start (bytecode
/// virtual offset), by function ID.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HermesFunctionOffsets {
    segments: Vec<(u32, Vec<u32>)>,
}

impl HermesFunctionOffsets {
    /// The table of a JSON object `{"SEGMENT": [OFFSET, ...], ...}`.
    pub fn from_json(value: &Value) -> Result<HermesFunctionOffsets, String> {
        let object = value
            .as_object()
            .ok_or("x_hermes_function_offsets must be an object")?;
        let mut segments = Vec::with_capacity(object.len());
        for (key, offsets) in object {
            let segment = key.parse::<u32>().map_err(|_| {
                format!("x_hermes_function_offsets key \"{key}\" is not a segment number")
            })?;
            let offsets = offsets
                .as_array()
                .and_then(|items| {
                    items
                        .iter()
                        .map(|o| o.as_u64().and_then(|o| u32::try_from(o).ok()))
                        .collect::<Option<Vec<u32>>>()
                })
                .ok_or_else(|| {
                    format!("x_hermes_function_offsets[\"{key}\"] must be a list of offsets")
                })?;
            segments.push((segment, offsets));
        }
        segments.sort_by_key(|&(segment, _)| segment);
        Ok(HermesFunctionOffsets { segments })
    }

    /// The bytecode virtual offset of `offset` bytes into function `function` of
    /// segment `segment` (a Hermes crash report's frame), as the map's columns count.
    pub fn virtual_offset(&self, segment: u32, function: u32, offset: u32) -> Option<u32> {
        let index = self
            .segments
            .binary_search_by_key(&segment, |&(s, _)| s)
            .ok()?;
        self.segments[index]
            .1
            .get(function as usize)?
            .checked_add(offset)
    }

    /// The JSON form, as read.
    pub fn to_json(&self) -> Value {
        Value::Object(
            self.segments
                .iter()
                .map(|(segment, offsets)| (segment.to_string(), serde_json::json!(offsets)))
                .collect(),
        )
    }

    /// Bytes held on the heap.
    pub fn heap_size(&self) -> usize {
        self.segments
            .iter()
            .map(|(_, offsets)| offsets.capacity() * 4)
            .sum::<usize>()
            + self.segments.capacity() * std::mem::size_of::<(u32, Vec<u32>)>()
    }
}

/// The first 8 bytes of a Hermes bytecode file (its magic number, little-endian).
const HERMES_BYTECODE_MAGIC: [u8; 8] = 0x1F19_03C1_03BC_1FC6u64.to_le_bytes();

/// Whether `bytes` is Hermes bytecode (React Native's release bundle, whatever its
/// name): no text, no comments, its map found by name.
pub fn is_hermes_bytecode(bytes: &[u8]) -> bool {
    bytes.starts_with(&HERMES_BYTECODE_MAGIC)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn decodes_metro_function_maps() {
        // Metro's map of app/pricing.js (tests/data/hermes): `applyCoupon` is an arrow
        // assigned on line 3, `priceCart` a declaration on line 10 with a callback on 11.
        let map = FunctionMap::decode(
            names(&[
                "<global>",
                "applyCoupon",
                "priceCart",
                "cart.reduce$argument_0",
            ]),
            "AAA;oBCE;CDK;AEE;+BCC,0CD;CFE",
        )
        .unwrap();
        let ranges: Vec<_> = map
            .ranges()
            .map(|(p, n)| (p.line + 1, p.column, n))
            .collect();
        assert_eq!(
            ranges,
            [
                (1, 0, "<global>"),
                (3, 20, "applyCoupon"),
                (8, 1, "<global>"),
                (10, 0, "priceCart"),
                (11, 31, "cart.reduce$argument_0"),
                (11, 73, "priceCart"),
                (13, 1, "<global>"),
            ]
        );
        assert_eq!(map.name_at(Position::new(4, 4)), Some("applyCoupon"));
        assert_eq!(
            map.name_at(Position::new(10, 40)),
            Some("cart.reduce$argument_0")
        );
        assert_eq!(
            map.name_at(Position::new(10, 72)),
            Some("cart.reduce$argument_0")
        );
        assert_eq!(map.name_at(Position::new(10, 73)), Some("priceCart"));
        assert_eq!(map.name_at(Position::new(0, 5)), None, "top level");
        assert_eq!(map.to_json()["mappings"], "AAA;oBCE;CDK;AEE;+BCC,0CD;CFE");
    }

    #[test]
    fn rejects_bad_function_maps() {
        let bad = |mappings: &str| FunctionMap::decode(names(&["a"]), mappings).unwrap_err();
        assert!(bad("ACA").contains("names entry 1"), "{}", bad("ACA"));
        assert!(bad("A!A").contains("segment at byte 0"));
        assert!(bad("AAD").contains("before line 1"));
        assert!(bad("AAAA").contains("extra fields"));
        assert!(function_map_of_entry(&serde_json::json!(7)).is_err());
        assert_eq!(function_map_of_entry(&serde_json::json!([null])), Ok(None));
    }

    #[test]
    fn hermes_function_offsets_give_virtual_offsets() {
        let offsets =
            HermesFunctionOffsets::from_json(&serde_json::json!({"0": [0, 346, 628]})).unwrap();
        assert_eq!(offsets.virtual_offset(0, 2, 10), Some(638));
        assert_eq!(offsets.virtual_offset(0, 3, 0), None);
        assert_eq!(offsets.virtual_offset(1, 0, 0), None);
        assert_eq!(offsets.to_json(), serde_json::json!({"0": [0, 346, 628]}));
        assert!(HermesFunctionOffsets::from_json(&serde_json::json!({"x": []})).is_err());
    }
}
