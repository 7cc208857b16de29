//! The cache file layout (specified in docs/cache-format.md): header, section table,
//! string tables. Everything is little-endian; every section starts 8-byte aligned.
//!
//! Parsing here is O(number of sections): the header and the table are validated with
//! checked arithmetic, section bodies are only range-checked, never scanned.

use std::ops::Range;

use crate::error::{Error, ErrorCode, Result};

/// First 8 bytes of every cache file.
pub(crate) const MAGIC: [u8; 8] = *b"MAPBACKC";
/// The format version this library writes and reads.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// Written as a little-endian u32; reads back differently on a big-endian host.
pub(crate) const ENDIAN_CHECK: u32 = 0x0A0B_0C0D;
/// Size of the fixed header.
pub(crate) const HEADER_LEN: usize = 64;
/// Size of one section table entry.
pub(crate) const SECTION_ENTRY_LEN: usize = 24;
/// Every section and the section table start at a multiple of this.
pub(crate) const ALIGNMENT: usize = 8;
/// Tokens per packed block.
pub(crate) const BLOCK_TOKENS: usize = 32;
/// Marks a null entry in a string table.
pub(crate) const NULL_SPAN: (u32, u32) = (u32::MAX, 0);
/// Section table entry flag: a reader that does not know this kind must refuse the file.
pub(crate) const SECTION_REQUIRED: u32 = 1;

/// Header flag: the map was an index map.
pub(crate) const FLAG_INDEX_MAP: u32 = 1;
/// Header flag: source contents (and their line index) are present.
pub(crate) const FLAG_CONTENTS: u32 = 2;
/// Header flag: names are present (otherwise every token's name is absent).
pub(crate) const FLAG_NAMES: u32 = 4;
/// Header flag: function scopes are present.
pub(crate) const FLAG_SCOPES: u32 = 8;
/// Header flag: some tokens are range mappings; the RangeMappings section lists them.
pub(crate) const FLAG_RANGE_MAPPINGS: u32 = 16;

/// The kinds of section. Numbers are part of the format; never reuse one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub(crate) enum SectionKind {
    /// u32 × (line_count + 1): first token index of each generated line.
    LineStarts = 1,
    /// `BlockHeader` × ceil(token_count / 32).
    BlockHeaders = 2,
    /// u64 words holding the bit-packed token fields, plus one zero word.
    BlockBits = 3,
    /// String table: `sources` entries as written.
    SourceNames = 4,
    /// String table: `sourceRoot`-prefixed names.
    SourcePrefixedNames = 5,
    /// String table: resolved URLs.
    SourceUrls = 6,
    /// u8 per source: bit 0 = ignored.
    SourceFlags = 7,
    /// String table: `names`.
    Names = 8,
    /// Compressed `sourcesContent`: a string table whose entries are
    /// `[uncompressed length u32][LZ4 block]` (see `encode_content`).
    Contents = 9,
    // 10 is reserved: an uncompressed line index, dropped before v1 was released.
    /// String table: [file, debug id].
    Meta = 11,
    /// u32 × block count: the generated column of each block's first token.
    BlockFirstColumns = 12,
    /// Function scopes of each source (for original function names): a byte table
    /// whose entries are compressed like `Contents`, holding `FunctionScopes`' encoding.
    FunctionScopes = 13,
    /// u32 × count, ascending: the indices of the tokens that are range mappings.
    /// Written only for a map that has some, and required (a reader that ignored it
    /// would answer positions inside ranges wrongly).
    RangeMappings = 14,
    /// The scopes proposal's original scopes and generated ranges, compressed like
    /// `Contents` (one entry, `original_scopes::stored`'s form). Optional: a reader
    /// without it answers everything else, and symbolicates by parsing sources.
    OriginalScopes = 15,
    /// Metro's function map of each source (`x_facebook_sources`): a byte table whose
    /// entries are compressed like `Contents`, holding the function map's JSON. Written
    /// only for a map that has some, and optional (a reader without it names functions
    /// from the sources instead).
    FunctionMaps = 16,
}

impl SectionKind {
    pub(crate) const ALL: [SectionKind; 15] = [
        SectionKind::LineStarts,
        SectionKind::BlockHeaders,
        SectionKind::BlockBits,
        SectionKind::SourceNames,
        SectionKind::SourcePrefixedNames,
        SectionKind::SourceUrls,
        SectionKind::SourceFlags,
        SectionKind::Names,
        SectionKind::Contents,
        SectionKind::Meta,
        SectionKind::BlockFirstColumns,
        SectionKind::FunctionScopes,
        SectionKind::RangeMappings,
        SectionKind::OriginalScopes,
        SectionKind::FunctionMaps,
    ];

    fn from_u32(value: u32) -> Option<SectionKind> {
        SectionKind::ALL.into_iter().find(|k| *k as u32 == value)
    }

    /// The section table flags a writer gives this kind: required, except for sections
    /// a reader can do without (it then answers everything else), so that a reader
    /// from before the kind existed skips them instead of refusing the file.
    pub(crate) fn table_flags(self) -> u32 {
        match self {
            SectionKind::FunctionScopes
            | SectionKind::OriginalScopes
            | SectionKind::FunctionMaps => 0,
            _ => SECTION_REQUIRED,
        }
    }

    /// Position in [`SectionMap`]'s table.
    fn slot(self) -> usize {
        SectionKind::ALL
            .iter()
            .position(|k| *k == self)
            .unwrap_or(0)
    }
}

/// The decoded fixed header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Header {
    pub(crate) flags: u32,
    pub(crate) section_count: u32,
    pub(crate) section_table_offset: u64,
    pub(crate) file_length: u64,
    pub(crate) token_count: u32,
    pub(crate) line_count: u32,
    pub(crate) section_table_crc: u32,
    pub(crate) body_crc: u32,
}

pub(crate) fn read_u32(bytes: &[u8], at: usize) -> u32 {
    bytes
        .get(at..at + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

pub(crate) fn read_u64(bytes: &[u8], at: usize) -> u64 {
    bytes.get(at..at + 8).map_or(0, |b| {
        u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
    })
}

fn corrupt(at: usize, what: impl Into<String>) -> Error {
    Error::at(ErrorCode::CorruptCache, at, what)
}

impl Header {
    /// Encodes the header, computing its own checksum.
    pub(crate) fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(&MAGIC);
        out[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&ENDIAN_CHECK.to_le_bytes());
        out[16..20].copy_from_slice(&self.flags.to_le_bytes());
        out[20..24].copy_from_slice(&self.section_count.to_le_bytes());
        out[24..32].copy_from_slice(&self.section_table_offset.to_le_bytes());
        out[32..40].copy_from_slice(&self.file_length.to_le_bytes());
        out[40..44].copy_from_slice(&self.token_count.to_le_bytes());
        out[44..48].copy_from_slice(&self.line_count.to_le_bytes());
        out[48..52].copy_from_slice(&self.section_table_crc.to_le_bytes());
        out[52..56].copy_from_slice(&self.body_crc.to_le_bytes());
        let crc = crc32fast::hash(&out[..60]);
        out[60..64].copy_from_slice(&crc.to_le_bytes());
        out
    }

    /// Decodes and checks the header of `bytes` (the whole file).
    pub(crate) fn decode(bytes: &[u8]) -> Result<Header> {
        if bytes.len() < HEADER_LEN || bytes[..8] != MAGIC {
            return Err(Error::at(
                ErrorCode::NotACache,
                0,
                "not a mapback cache (missing the MAPBACKC magic bytes)",
            ));
        }
        if cfg!(target_endian = "big") {
            return Err(Error::new(
                ErrorCode::UnsupportedPlatform,
                "cache files are little-endian and this host is big-endian",
            ));
        }
        let version = read_u32(bytes, 8);
        if version != FORMAT_VERSION {
            return Err(Error::at(
                ErrorCode::UnsupportedCacheVersion,
                8,
                format!("cache format version {version}; this library reads {FORMAT_VERSION}"),
            ));
        }
        if read_u32(bytes, 12) != ENDIAN_CHECK {
            return Err(corrupt(12, "cache endianness marker is wrong"));
        }
        if crc32fast::hash(&bytes[..60]) != read_u32(bytes, 60) {
            return Err(corrupt(60, "cache header checksum does not match"));
        }
        let header = Header {
            flags: read_u32(bytes, 16),
            section_count: read_u32(bytes, 20),
            section_table_offset: read_u64(bytes, 24),
            file_length: read_u64(bytes, 32),
            token_count: read_u32(bytes, 40),
            line_count: read_u32(bytes, 44),
            section_table_crc: read_u32(bytes, 48),
            body_crc: read_u32(bytes, 52),
        };
        if header.file_length != bytes.len() as u64 {
            return Err(Error::at(
                ErrorCode::TruncatedCache,
                32,
                format!(
                    "cache is {} bytes but its header records {}",
                    bytes.len(),
                    header.file_length
                ),
            ));
        }
        Ok(header)
    }
}

/// Where each known section lies in the file (validated ranges).
#[derive(Clone, Debug, Default)]
pub(crate) struct SectionMap {
    ranges: [Option<Range<usize>>; SectionKind::ALL.len()],
}

impl SectionMap {
    pub(crate) fn get(&self, kind: SectionKind) -> Option<Range<usize>> {
        self.ranges[kind.slot()].clone()
    }

    /// Reads and checks the section table: entries in bounds, aligned, not
    /// overlapping the header or the table, no kind twice, required unknown kinds
    /// refused, unknown optional kinds skipped.
    pub(crate) fn decode(bytes: &[u8], header: &Header) -> Result<SectionMap> {
        let count = header.section_count as usize;
        let table_start = usize::try_from(header.section_table_offset)
            .map_err(|_| corrupt(24, "section table offset out of range"))?;
        let table_len = count
            .checked_mul(SECTION_ENTRY_LEN)
            .ok_or_else(|| corrupt(20, "section count out of range"))?;
        let table_end = table_start
            .checked_add(table_len)
            .filter(|&end| end <= bytes.len())
            .ok_or_else(|| corrupt(24, "section table lies outside the file"))?;
        if table_start < HEADER_LEN || table_start % ALIGNMENT != 0 {
            return Err(corrupt(24, "section table is misplaced"));
        }
        let table = &bytes[table_start..table_end];
        if crc32fast::hash(table) != header.section_table_crc {
            return Err(corrupt(48, "section table checksum does not match"));
        }
        let mut map = SectionMap::default();
        for index in 0..count {
            let at = index * SECTION_ENTRY_LEN;
            let entry_at = table_start + at;
            let kind_value = read_u32(table, at);
            let flags = read_u32(table, at + 4);
            let offset = read_u64(table, at + 8);
            let length = read_u64(table, at + 16);
            let start = usize::try_from(offset).map_err(|_| corrupt(entry_at, "bad offset"))?;
            let len = usize::try_from(length).map_err(|_| corrupt(entry_at, "bad length"))?;
            let end = start
                .checked_add(len)
                .filter(|&end| end <= bytes.len())
                .ok_or_else(|| {
                    corrupt(
                        entry_at,
                        format!("section {kind_value} lies outside the file"),
                    )
                })?;
            let overlaps_table = start < table_end && end > table_start;
            if start < HEADER_LEN || start % ALIGNMENT != 0 || overlaps_table {
                return Err(corrupt(
                    entry_at,
                    format!("section {kind_value} is misplaced"),
                ));
            }
            let Some(kind) = SectionKind::from_u32(kind_value) else {
                if flags & SECTION_REQUIRED != 0 {
                    return Err(Error::at(
                        ErrorCode::UnsupportedCacheVersion,
                        entry_at,
                        format!("cache needs section kind {kind_value}, unknown to this library"),
                    ));
                }
                continue;
            };
            let slot = &mut map.ranges[kind.slot()];
            if slot.is_some() {
                return Err(corrupt(
                    entry_at,
                    format!("section {kind_value} appears twice"),
                ));
            }
            *slot = Some(start..end);
        }
        Ok(map)
    }
}

/// Serialises a list of optional strings: `[count u32][pad u32][(start, len) × count][bytes]`.
pub(crate) fn encode_string_table<'s>(
    entries: impl ExactSizeIterator<Item = Option<&'s str>>,
) -> Result<Vec<u8>> {
    encode_byte_table(entries.map(|entry| entry.map(str::as_bytes)))
}

/// One source's content as stored: its length, then the LZ4 block. A content of 4 GiB
/// or more does not fit the length field and is refused.
pub(crate) fn encode_content(text: &str) -> Result<Vec<u8>> {
    encode_compressed(text.as_bytes())
}

/// Bytes as stored compressed: their length, then the LZ4 block.
pub(crate) fn encode_compressed(bytes: &[u8]) -> Result<Vec<u8>> {
    let length =
        u32::try_from(bytes.len()).map_err(|_| limit("an entry to compress exceeds 4 GiB"))?;
    let compressed = lz4_flex::block::compress(bytes);
    let mut out = Vec::with_capacity(4 + compressed.len());
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&compressed);
    Ok(out)
}

/// The largest expansion an LZ4 block allows (a 1-byte token can stand for 255 bytes),
/// used to refuse a forged length before allocating for it.
const LZ4_MAX_RATIO: usize = 255;

/// Decodes one stored content: `None` when the length is implausible for the block,
/// the block does not decode to exactly that length, or the text is not UTF-8.
pub(crate) fn decode_content(stored: &[u8]) -> Option<String> {
    String::from_utf8(decode_compressed(stored)?).ok()
}

/// Decodes [`encode_compressed`]'s form: `None` when the length is implausible for the
/// block or the block does not decode to exactly that length.
pub(crate) fn decode_compressed(stored: &[u8]) -> Option<Vec<u8>> {
    let length = read_u32(stored, 0) as usize;
    let block = stored.get(4..)?;
    if length > block.len().saturating_mul(LZ4_MAX_RATIO).saturating_add(16) {
        return None;
    }
    let mut bytes = vec![0u8; length];
    match lz4_flex::block::decompress_into(block, &mut bytes) {
        Ok(written) if written == length => Some(bytes),
        _ => None,
    }
}

/// Serialises a list of optional byte strings (see [`encode_string_table`]).
pub(crate) fn encode_byte_table<'s>(
    entries: impl ExactSizeIterator<Item = Option<&'s [u8]>>,
) -> Result<Vec<u8>> {
    let count = entries.len();
    let mut spans = Vec::with_capacity(count);
    let mut data: Vec<u8> = Vec::new();
    for entry in entries {
        match entry {
            None => spans.push(NULL_SPAN),
            Some(bytes) => {
                // u32::MAX as a start would read back as the null span.
                let start = u32::try_from(data.len()).ok().filter(|&s| s != u32::MAX);
                let len = u32::try_from(bytes.len()).ok();
                let (Some(start), Some(len)) = (start, len) else {
                    return Err(limit("string table data exceeds 4 GiB"));
                };
                data.extend_from_slice(bytes);
                spans.push((start, len));
            }
        }
    }
    if u32::try_from(data.len()).is_err() || u32::try_from(count).is_err() {
        return Err(limit("string table exceeds 4 GiB or 2^32 entries"));
    }
    let mut out = Vec::with_capacity(8 + count * 8 + data.len());
    out.extend_from_slice(&(count as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for (start, len) in spans {
        out.extend_from_slice(&start.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
    }
    out.extend_from_slice(&data);
    Ok(out)
}

pub(crate) fn limit(what: &str) -> Error {
    Error::new(ErrorCode::CacheLimitExceeded, what)
}

/// Number of entries of a string table section, checked against its size.
pub(crate) fn string_table_len(table: &[u8]) -> Option<usize> {
    string_table_len_from(read_u32(table, 0), table.len())
}

/// [`string_table_len`] of a table of `table_len` bytes whose first word is `count`.
pub(crate) fn string_table_len_from(count: u32, table_len: usize) -> Option<usize> {
    let count = count as usize;
    let needed = count.checked_mul(8)?.checked_add(8)?;
    (table_len >= 8 && needed <= table_len).then_some(count)
}

/// Entry `index` of a string table: `None` out of range or malformed, `Some(None)`
/// for a null entry. Validates the entry's UTF-8 (O(length)).
pub(crate) fn string_table_get(table: &[u8], index: usize) -> Option<Option<&str>> {
    match byte_table_get(table, index)? {
        None => Some(None),
        Some(bytes) => std::str::from_utf8(bytes).ok().map(Some),
    }
}

/// Entry `index` of a byte table (see [`string_table_get`]), unchecked bytes.
pub(crate) fn byte_table_get(table: &[u8], index: usize) -> Option<Option<&[u8]>> {
    let count = string_table_len(table)?;
    if index >= count {
        return None;
    }
    let span_at = 8 + index * 8;
    let start = read_u32(table, span_at);
    let len = read_u32(table, span_at + 4);
    if (start, len) == NULL_SPAN {
        return Some(None);
    }
    let data_start = 8 + count * 8;
    let begin = data_start.checked_add(start as usize)?;
    let end = begin.checked_add(len as usize)?;
    table.get(begin..end).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_table_round_trip() {
        let entries = [Some("a"), None, Some(""), Some("héllo")];
        let table = encode_string_table(entries.iter().copied()).unwrap();
        assert_eq!(string_table_len(&table), Some(4));
        for (i, expected) in entries.iter().enumerate() {
            assert_eq!(string_table_get(&table, i), Some(*expected));
        }
        assert_eq!(string_table_get(&table, 4), None);
        // A truncated table answers None, never panics.
        for cut in 0..table.len() {
            for i in 0..4 {
                let _ = string_table_get(&table[..cut], i);
            }
        }
    }

    #[test]
    fn content_round_trip_and_forged_lengths() {
        let text = "function f() {\n  return 42;\n}\n".repeat(50);
        let stored = encode_content(&text).unwrap();
        assert!(stored.len() < text.len() / 2);
        assert_eq!(decode_content(&stored).as_deref(), Some(text.as_str()));
        let mut forged = stored.clone();
        forged[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode_content(&forged), None);
        let mut short = stored.clone();
        short[..4].copy_from_slice(&10u32.to_le_bytes());
        assert_eq!(decode_content(&short), None);
        for cut in 0..stored.len() {
            assert_eq!(decode_content(&stored[..cut]), None, "cut at {cut}");
        }
        assert_eq!(
            decode_content(&encode_content("").unwrap()).as_deref(),
            Some("")
        );
    }

    #[test]
    fn header_round_trip_and_checks() {
        let header = Header {
            flags: 3,
            section_count: 0,
            section_table_offset: 64,
            file_length: 64,
            token_count: 7,
            line_count: 2,
            section_table_crc: crc32fast::hash(&[]),
            body_crc: 0,
        };
        let bytes = header.encode();
        let back = Header::decode(&bytes).unwrap();
        assert_eq!((back.flags, back.token_count, back.line_count), (3, 7, 2));
        let mut flipped = bytes;
        flipped[41] ^= 1;
        assert_eq!(
            Header::decode(&flipped).unwrap_err().code(),
            ErrorCode::CorruptCache
        );
        assert_eq!(
            Header::decode(&bytes[..63]).unwrap_err().code(),
            ErrorCode::NotACache
        );
        let mut longer = bytes.to_vec();
        longer.push(0);
        assert_eq!(
            Header::decode(&longer).unwrap_err().code(),
            ErrorCode::TruncatedCache
        );
    }
}
