//! The binary form a cache keeps a map's scopes in (cache section kind 15,
//! docs/cache-format.md section 5.16): the proposal's own encoding, written by
//! `encode.rs` and read back by `decode.rs`, framed with lengths. Little-endian:
//!
//! - combined format: `[0u8][u32 length][the "scopes" string]`;
//! - per-source format: `[1u8][u32 source count]`, per source `[u32 length][string]`
//!   or `[u32 0xFFFF_FFFF]` for `null`, then `[u32 length][the "ranges" string]`.

use crate::error::Result;

use super::decode::{decode_combined, decode_ranges, decode_source_scopes, Problems, ScopesTarget};
use super::encode::{encode_combined, encode_per_source};
use super::types::{PreOrder, ScopeInfo, ScopesFormat};

const COMBINED: u8 = 0;
const PER_SOURCE: u8 = 1;
const NULL: u32 = u32::MAX;

/// `info` in the stored form, for a map of `source_count` sources.
pub(crate) fn to_stored(info: &ScopeInfo, source_count: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    match info.format {
        ScopesFormat::Combined => {
            out.push(COMBINED);
            push_text(&mut out, &encode_combined(info, source_count)?)?;
        }
        ScopesFormat::PerSource => {
            let encoded = encode_per_source(info, source_count)?;
            out.push(PER_SOURCE);
            out.extend_from_slice(&length(encoded.scopes.len())?.to_le_bytes());
            for scopes in &encoded.scopes {
                match scopes {
                    Some(text) => push_text(&mut out, text)?,
                    None => out.extend_from_slice(&NULL.to_le_bytes()),
                }
            }
            push_text(&mut out, &encoded.ranges)?;
        }
    }
    Ok(out)
}

fn length(len: usize) -> Result<u32> {
    u32::try_from(len)
        .ok()
        .filter(|&l| l != NULL)
        .ok_or_else(|| {
            crate::error::Error::new(
                crate::error::ErrorCode::CacheLimitExceeded,
                "the map's scopes encode to 4 GiB or more",
            )
        })
}

fn push_text(out: &mut Vec<u8>, text: &str) -> Result<()> {
    out.extend_from_slice(&length(text.len())?.to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

/// Reads the stored form back, for a map of `source_count` sources and `name_count`
/// names; `None` when it does not decode (a cache verified by its checksum never
/// gives such bytes; an unverified damaged one only loses its scopes).
pub(crate) fn from_stored(bytes: &[u8], source_count: u32, name_count: u32) -> Option<ScopeInfo> {
    let target = ScopesTarget {
        source_base: 0,
        source_count,
        name_base: 0,
        name_count,
        line_offset: 0,
        column_offset: 0,
        field_offset: 0,
    };
    let mut problems = Problems::new(target);
    let mut reader = Reader { bytes, at: 1 };
    match *bytes.first()? {
        COMBINED => {
            let text = reader.text()?;
            decode_combined(text?, target, &mut problems).ok()
        }
        PER_SOURCE => {
            let count = reader.u32()?;
            let mut sources = Vec::new();
            for _ in 0..count.min(source_count) {
                sources.push(match reader.text()? {
                    Some(text) => Some(decode_source_scopes(text, target, &mut problems).ok()?),
                    None => None,
                });
            }
            let counts: Vec<usize> = sources
                .iter()
                .map(|roots| roots.as_deref().map_or(0, |r| PreOrder::new(r).count()))
                .collect();
            let ranges = reader.text()??;
            let ranges = decode_ranges(ranges, target, &counts, &mut problems).ok()?;
            Some(ScopeInfo {
                format: ScopesFormat::PerSource,
                sources,
                ranges,
            })
        }
        _ => None,
    }
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn u32(&mut self) -> Option<u32> {
        let word = self.bytes.get(self.at..self.at + 4)?;
        self.at += 4;
        Some(u32::from_le_bytes(word.try_into().ok()?))
    }

    /// `Some(None)` for a stored `null`.
    fn text(&mut self) -> Option<Option<&'b [u8]>> {
        let length = self.u32()?;
        if length == NULL {
            return Some(None);
        }
        let text = self
            .bytes
            .get(self.at..self.at.checked_add(length as usize)?)?;
        self.at += length as usize;
        Some(Some(text))
    }
}
