//! The entry record: one small JSON file per bundle, `entries/<sha256 of its bytes>`,
//! naming the bundle's objects by content address, its debug ID and its URLs. It is
//! published last (after its objects), so a visible record always has whole objects.

use serde_json::{json, Map, Value};

use crate::error::{Error, ErrorCode, Result};

/// The largest entry record read back (records are a few hundred bytes; URLs are
/// bounded by the ingest limits).
pub(crate) const MAX_RECORD_BYTES: u64 = 1024 * 1024;

/// A content-addressed file that an entry uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ObjectRef {
    pub(crate) sha256: String,
    pub(crate) bytes: u64,
}

/// What `entries/<id>` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EntryRecord {
    /// The map's binary cache.
    pub(crate) cache: ObjectRef,
    /// The minified script, whole and as uploaded, if the bundle had one.
    pub(crate) script: Option<ObjectRef>,
    /// The minified script's function scopes in their cache form, parsed at ingest so
    /// that a symbolicator's first event does not parse a megabyte script.
    pub(crate) script_scopes: Option<ObjectRef>,
    pub(crate) debug_id: Option<String>,
    pub(crate) script_url: Option<String>,
    /// `None` for a map that was inline in its script (a `data:` URL).
    pub(crate) map_url: Option<String>,
}

impl EntryRecord {
    /// The record's bytes: JSON with sorted keys, so the same bundle always gives the
    /// same bytes and therefore the same entry ID (re-adding is idempotent).
    pub(crate) fn encode(&self) -> Vec<u8> {
        let object = |o: &ObjectRef| json!({"sha256": o.sha256, "bytes": o.bytes});
        let value = json!({
            "format": 1,
            "cache": object(&self.cache),
            "script": self.script.as_ref().map(object),
            "debug_id": self.debug_id,
            "script_url": self.script_url,
            "map_url": self.map_url,
        });
        let mut value = value;
        if let Some(scopes) = &self.script_scopes {
            // Only when present: records without one keep their bytes (and their IDs).
            value["script_scopes"] = object(scopes);
        }
        let mut bytes = serde_json::to_vec(&value).expect("a JSON value serialises");
        bytes.push(b'\n');
        bytes
    }

    pub(crate) fn decode(bytes: &[u8]) -> Result<EntryRecord> {
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|e| corrupt(format!("entry record is not JSON: {e}")))?;
        let record = value
            .as_object()
            .ok_or_else(|| corrupt("entry record is not a JSON object"))?;
        if record.get("format").and_then(Value::as_u64) != Some(1) {
            return Err(corrupt("entry record has an unknown format"));
        }
        let cache = object_ref(record.get("cache"))?
            .ok_or_else(|| corrupt("entry record has no cache object"))?;
        Ok(EntryRecord {
            cache,
            script: object_ref(record.get("script"))?,
            script_scopes: object_ref(record.get("script_scopes"))?,
            debug_id: optional_string(record, "debug_id")?,
            script_url: optional_string(record, "script_url")?,
            map_url: optional_string(record, "map_url")?,
        })
    }

    /// The URLs the entry is indexed by: the script's, then the map's.
    pub(crate) fn urls(&self) -> Vec<String> {
        self.script_url
            .iter()
            .chain(self.map_url.iter())
            .cloned()
            .collect()
    }

    pub(crate) fn objects(&self) -> impl Iterator<Item = &ObjectRef> {
        std::iter::once(&self.cache)
            .chain(self.script.iter())
            .chain(self.script_scopes.iter())
    }
}

fn object_ref(value: Option<&Value>) -> Result<Option<ObjectRef>> {
    let object = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(corrupt("entry record object is not a JSON object")),
    };
    let sha256 = object
        .get("sha256")
        .and_then(Value::as_str)
        .filter(|s| super::layout::is_sha256_hex(s))
        .ok_or_else(|| corrupt("entry record object has no valid sha256"))?;
    let bytes = object
        .get("bytes")
        .and_then(Value::as_u64)
        .ok_or_else(|| corrupt("entry record object has no byte count"))?;
    Ok(Some(ObjectRef {
        sha256: sha256.to_owned(),
        bytes,
    }))
}

fn optional_string(record: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    match record.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(corrupt(format!("entry record field {key} is not a string"))),
    }
}

pub(crate) fn corrupt(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::CorruptStore, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_encode_deterministically() {
        let record = EntryRecord {
            cache: ObjectRef {
                sha256: "a".repeat(64),
                bytes: 10,
            },
            script: None,
            script_scopes: None,
            debug_id: Some("85314830-023f-4cf1-a267-535f4e37bb17".into()),
            script_url: Some("~/app.js".into()),
            map_url: None,
        };
        let bytes = record.encode();
        assert_eq!(bytes, record.clone().encode());
        assert_eq!(EntryRecord::decode(&bytes).unwrap(), record);
        assert_eq!(record.urls(), vec!["~/app.js".to_owned()]);
    }

    #[test]
    fn damaged_records_are_corrupt_store_errors() {
        for bad in [
            &b"{"[..],
            b"[]",
            b"{\"format\":2}",
            b"{\"format\":1}",
            b"{\"format\":1,\"cache\":{\"sha256\":\"../x\",\"bytes\":1}}",
            b"{\"format\":1,\"cache\":{\"sha256\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"bytes\":1},\"debug_id\":3}",
        ] {
            let error = EntryRecord::decode(bad).unwrap_err();
            assert_eq!(error.code(), ErrorCode::CorruptStore, "{bad:?}");
        }
    }
}
