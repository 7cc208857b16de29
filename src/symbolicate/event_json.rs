//! An event's JSON text, written from the symbolicated stack traces: the frames straight
//! from the results, without building each one as a `serde_json` value (cloning the frame
//! as sent, inserting a dozen fields, writing it out and freeing it were two fifths of a
//! warm event). The text is byte for byte what `serde_json` writes for the event
//! [`Symbolicator::symbolicate_event`] returns: objects' keys in order, the same escapes
//! and numbers; the parts of the event other than the new frames are written by
//! `serde_json` itself.

use serde_json::{Map, Value};

use super::event::{data_fields, frame_fields, Field, StackTraceTexts};
use super::{EventFrame, SymbolicatedFrame};

#[cfg(doc)]
use super::Symbolicator;

/// Writes `event` (an object) to `out`, with the frames of each stack trace that
/// `texts` holds written as `texts` has them (the event holds a placeholder there).
pub(super) fn write_event(out: &mut Vec<u8>, event: &Map<String, Value>, texts: &StackTraceTexts) {
    write_object(out, event, |out, key, value| match (key, value) {
        ("exception" | "threads", Value::Array(values)) => {
            write_values(out, key, values, texts);
            true
        }
        ("exception" | "threads", Value::Object(container)) => {
            write_object(out, container, |out, inner, value| match (inner, value) {
                ("values", Value::Array(values)) => {
                    write_values(out, key, values, texts);
                    true
                }
                _ => false,
            });
            true
        }
        _ => false,
    });
}

/// The `values` of an event's `exception` or `threads` section.
fn write_values(out: &mut Vec<u8>, section: &str, values: &[Value], texts: &StackTraceTexts) {
    out.push(b'[');
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let frames = match value {
            Value::Object(holder) => texts.get(section, i).map(|frames| (holder, frames)),
            _ => None,
        };
        let Some((holder, frames)) = frames else {
            write_value(out, value);
            continue;
        };
        write_object(out, holder, |out, key, value| match (key, value) {
            ("stacktrace", Value::Object(stacktrace)) => {
                write_object(out, stacktrace, |out, key, _| {
                    let here = key == "frames";
                    if here {
                        out.extend_from_slice(frames);
                    }
                    here
                });
                true
            }
            _ => false,
        });
    }
    out.push(b']');
}

/// Writes an object, each value by `special` when it returns true (having written
/// it), else as `serde_json` does.
fn write_object(
    out: &mut Vec<u8>,
    object: &Map<String, Value>,
    mut special: impl FnMut(&mut Vec<u8>, &str, &Value) -> bool,
) {
    out.push(b'{');
    for (i, (key, value)) in object.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        if !special(out, key, value) {
            write_value(out, value);
        }
    }
    out.push(b'}');
}

/// A value as `serde_json` writes it.
pub(super) fn write_value(out: &mut Vec<u8>, value: &Value) {
    // Writing to a `Vec` cannot fail, and a `Value` always serialises.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// A string as `serde_json` writes it: a string without a byte it escapes (`"`, `\\`,
/// control characters) is copied as it is, in one pass that the compiler vectorises;
/// any other goes through `serde_json`.
fn write_str(out: &mut Vec<u8>, text: &str) {
    let escapes = text.bytes().fold(false, |any, b| {
        any | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if escapes {
        let _ = serde_json::to_writer(&mut *out, text);
        return;
    }
    out.reserve(text.len() + 2);
    out.push(b'"');
    out.extend_from_slice(text.as_bytes());
    out.push(b'"');
}

/// The frame as the event carries it (what `event_frame_json` builds), written.
pub(super) fn write_frame(
    out: &mut Vec<u8>,
    raw: &Value,
    sent: &EventFrame,
    frame: &SymbolicatedFrame,
) {
    let empty = Map::new();
    let raw = match raw {
        Value::Object(object) => object,
        _ => &empty,
    };
    let raw_data = match raw.get("data") {
        Some(Value::Object(data)) => data,
        _ => &empty,
    };
    let mut fields = frame_fields(sent, frame);
    fields.push(("data", Field::Data));
    write_merged(out, raw, &mut fields, |out| {
        let mut data = data_fields(frame);
        write_merged(out, raw_data, &mut data, |_| {});
    });
}

/// Writes object `raw` with `fields` set (replacing `raw`'s values of the same keys),
/// keys in order, as a `serde_json` map would hold them. `data` writes the
/// [`Field::Data`] field.
fn write_merged(
    out: &mut Vec<u8>,
    raw: &Map<String, Value>,
    fields: &mut [(&str, Field<'_>)],
    mut data: impl FnMut(&mut Vec<u8>),
) {
    fields.sort_unstable_by(|a, b| a.0.cmp(b.0));
    out.push(b'{');
    let mut first = true;
    let mut separate = |out: &mut Vec<u8>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
    };
    let mut set = fields.iter().peekable();
    for (key, value) in raw {
        while let Some((name, field)) = set.next_if(|(name, _)| *name < key.as_str()) {
            separate(out);
            write_field(out, name, field, &mut data);
        }
        if set.peek().is_some_and(|(name, _)| *name == key.as_str()) {
            continue; // Replaced: written in its turn above or below.
        }
        separate(out);
        write_str(out, key);
        out.push(b':');
        write_value(out, value);
    }
    for (name, field) in set {
        separate(out);
        write_field(out, name, field, &mut data);
    }
    out.push(b'}');
}

fn write_field(
    out: &mut Vec<u8>,
    name: &str,
    field: &Field<'_>,
    data: &mut impl FnMut(&mut Vec<u8>),
) {
    write_str(out, name);
    out.push(b':');
    match field {
        Field::Text(Some(text)) => write_str(out, text),
        Field::Text(None) => out.extend_from_slice(b"null"),
        Field::Number(n) => {
            let mut digits = itoa_buffer();
            out.extend_from_slice(format_u32(&mut digits, *n));
        }
        Field::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Field::Lines(lines) => {
            out.push(b'[');
            for (i, line) in lines.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, line);
            }
            out.push(b']');
        }
        Field::Data => data(out),
    }
}

fn itoa_buffer() -> [u8; 10] {
    [0; 10]
}

/// `n` in decimal, as `serde_json` writes integers.
fn format_u32(buffer: &mut [u8; 10], mut n: u32) -> &[u8] {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buffer[at..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in [
            "",
            "plain",
            "é ü 😀",
            "a\"b",
            "back\\slash",
            "\n\t\u{1}\u{1f}",
            "\u{7f}",
            "{snip} x",
        ] {
            let mut out = Vec::new();
            write_str(&mut out, text);
            assert_eq!(out, serde_json::to_vec(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        for n in [0, 7, 10, 99, 1_000, 65_535, u32::MAX] {
            let mut buffer = itoa_buffer();
            assert_eq!(format_u32(&mut buffer, n), n.to_string().as_bytes());
        }
    }
}
