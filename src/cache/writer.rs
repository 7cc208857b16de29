//! Writing caches: any [`SourceMapView`] → cache bytes, and atomic publication to a
//! file (a temporary file in the same directory, synced, then renamed over the target),
//! so a reader never maps a half-written or later-modified file.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::format::{
    encode_byte_table, encode_compressed, encode_content, encode_string_table, limit, Header,
    SectionKind, ALIGNMENT, BLOCK_TOKENS, FLAG_CONTENTS, FLAG_INDEX_MAP, FLAG_NAMES,
    FLAG_RANGE_MAPPINGS, FLAG_SCOPES, HEADER_LEN, SECTION_ENTRY_LEN,
};
use super::packed::BlockWriter;
use crate::error::{excerpt, Error, ErrorCode, Result};
use crate::mappings::NONE;
use crate::scopes::FunctionScopes;
use crate::view::SourceMapView;

/// What a cache includes besides the mappings and sources.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheOptions {
    /// Store `sourcesContent` (LZ4-compressed), for contents and context lines.
    pub include_contents: bool,
    /// Store `names` (otherwise tokens have no names).
    pub include_names: bool,
    /// Store each source's function scopes (parsed from its content), so that
    /// symbolication names functions without parsing, even without the contents.
    pub include_scopes: bool,
}

impl Default for CacheOptions {
    fn default() -> CacheOptions {
        CacheOptions {
            include_contents: true,
            include_names: true,
            include_scopes: true,
        }
    }
}

/// Serialises `map` into the cache format.
///
/// Refuses with `CacheLimitExceeded` anything the format cannot hold (more than 2^32-2
/// tokens or lines, a string table over 4 GiB); everything a decoded map holds fits.
pub fn to_cache_bytes(map: &dyn SourceMapView, options: CacheOptions) -> Result<Vec<u8>> {
    let token_count = map.token_count();
    let line_count = map.line_count();
    if token_count >= NONE as usize || line_count >= NONE as usize {
        return Err(limit("more tokens or lines than a cache can hold"));
    }

    let mut line_starts: Vec<u32> = Vec::with_capacity(line_count + 1);
    line_starts.push(0);
    let mut blocks = BlockWriter::new();
    let mut fields = [[0u32; BLOCK_TOKENS]; 5];
    let mut filled = 0;
    let mut current_line = 0u32;
    let mut range_tokens: Vec<u32> = Vec::new();
    for (index, token) in map.tokens().enumerate() {
        let raw = token.raw();
        if raw.is_range {
            range_tokens.push(index as u32);
        }
        while current_line < raw.generated_line {
            line_starts.push(index as u32);
            current_line += 1;
        }
        fields[0][filled] = raw.generated_column;
        fields[1][filled] = raw.source.wrapping_add(1);
        fields[2][filled] = raw.original_line.wrapping_add(1);
        fields[3][filled] = raw.original_column.wrapping_add(1);
        fields[4][filled] = if options.include_names {
            raw.name.wrapping_add(1)
        } else {
            0
        };
        filled += 1;
        if filled == BLOCK_TOKENS {
            blocks
                .push_block(&fields, filled)
                .ok_or_else(|| limit("mappings too large"))?;
            filled = 0;
        }
    }
    if filled > 0 {
        blocks
            .push_block(&fields, filled)
            .ok_or_else(|| limit("mappings too large"))?;
    }
    // Reads load one unaligned u64 from a field's first byte; this word keeps that load
    // in bounds for the last fields.
    blocks.words.push(0);
    while line_starts.len() < line_count + 1 {
        line_starts.push(token_count as u32);
    }

    let sources = 0..map.source_count() as u32;
    let mut sections: Vec<(SectionKind, Vec<u8>)> = vec![
        (
            SectionKind::LineStarts,
            bytemuck::cast_slice(&line_starts).to_vec(),
        ),
        (
            SectionKind::BlockHeaders,
            bytemuck::cast_slice(&blocks.headers).to_vec(),
        ),
        (
            SectionKind::BlockBits,
            bytemuck::cast_slice(&blocks.words).to_vec(),
        ),
        (
            SectionKind::BlockFirstColumns,
            bytemuck::cast_slice(&blocks.first_columns).to_vec(),
        ),
        (
            SectionKind::SourceNames,
            encode_string_table(sources.clone().map(|i| map.source_name(i)))?,
        ),
        (
            SectionKind::SourcePrefixedNames,
            encode_string_table(sources.clone().map(|i| map.source_prefixed_name(i)))?,
        ),
        (
            SectionKind::SourceUrls,
            encode_string_table(sources.clone().map(|i| map.source_url(i)))?,
        ),
        (
            SectionKind::SourceFlags,
            sources
                .clone()
                .map(|i| u8::from(map.source_is_ignored(i)))
                .collect(),
        ),
        (
            SectionKind::Meta,
            encode_string_table([map.file(), map.debug_id()].into_iter())?,
        ),
    ];
    let mut flags = 0;
    if map.is_index_map() {
        flags |= FLAG_INDEX_MAP;
    }
    if !range_tokens.is_empty() {
        flags |= FLAG_RANGE_MAPPINGS;
        sections.push((
            SectionKind::RangeMappings,
            bytemuck::cast_slice(&range_tokens).to_vec(),
        ));
    }
    if options.include_names {
        flags |= FLAG_NAMES;
        let names = (0..map.name_count() as u32).map(|i| map.name(i));
        sections.push((SectionKind::Names, encode_string_table(names)?));
    }
    if options.include_scopes {
        flags |= FLAG_SCOPES;
        let stored = sources
            .clone()
            .map(|i| {
                let scopes = map.stored_scopes(i).or_else(|| {
                    let content = map.source_content(i)?;
                    Some(FunctionScopes::parse(content, map.source_prefixed_name(i)))
                });
                scopes.map(|s| encode_compressed(&s.encode())).transpose()
            })
            .collect::<Result<Vec<Option<Vec<u8>>>>>()?;
        let entries = stored.iter().map(|entry| entry.as_deref());
        sections.push((SectionKind::FunctionScopes, encode_byte_table(entries)?));
    }
    // The map's own scopes name their scopes and variables: kept with the names only.
    if let (Some(info), true) = (map.original_scopes(), options.include_names) {
        let stored = crate::original_scopes::stored::to_stored(info, map.source_count())?;
        sections.push((SectionKind::OriginalScopes, encode_compressed(&stored)?));
    }
    if sources.clone().any(|i| map.function_map(i).is_some()) {
        let stored = sources
            .clone()
            .map(|i| {
                let json = map.function_map(i).map(|f| f.to_json().to_string());
                json.map(|j| encode_compressed(j.as_bytes())).transpose()
            })
            .collect::<Result<Vec<Option<Vec<u8>>>>>()?;
        let entries = stored.iter().map(|entry| entry.as_deref());
        sections.push((SectionKind::FunctionMaps, encode_byte_table(entries)?));
    }
    if options.include_contents {
        flags |= FLAG_CONTENTS;
        let stored = sources
            .clone()
            .map(|i| map.source_content(i).map(encode_content).transpose())
            .collect::<Result<Vec<Option<Vec<u8>>>>>()?;
        let contents = stored.iter().map(|entry| entry.as_deref());
        sections.push((SectionKind::Contents, encode_byte_table(contents)?));
    }
    assemble(flags, token_count as u32, line_count as u32, sections)
}

/// Lays out header, sections (8-aligned) and the section table, with checksums.
fn assemble(
    flags: u32,
    token_count: u32,
    line_count: u32,
    sections: Vec<(SectionKind, Vec<u8>)>,
) -> Result<Vec<u8>> {
    let body_len: usize = sections.iter().map(|(_, b)| b.len() + ALIGNMENT).sum();
    let mut out = Vec::with_capacity(HEADER_LEN + body_len + sections.len() * SECTION_ENTRY_LEN);
    out.resize(HEADER_LEN, 0);
    let mut table = Vec::with_capacity(sections.len() * SECTION_ENTRY_LEN);
    for (kind, bytes) in &sections {
        let offset = out.len() as u64;
        out.extend_from_slice(bytes);
        out.resize(out.len().next_multiple_of(ALIGNMENT), 0);
        table.extend_from_slice(&(*kind as u32).to_le_bytes());
        table.extend_from_slice(&kind.table_flags().to_le_bytes());
        table.extend_from_slice(&offset.to_le_bytes());
        table.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    }
    let section_table_offset = out.len() as u64;
    out.extend_from_slice(&table);
    let header = Header {
        flags,
        section_count: sections.len() as u32,
        section_table_offset,
        file_length: out.len() as u64,
        token_count,
        line_count,
        section_table_crc: crc32fast::hash(&table),
        body_crc: crc32fast::hash(&out[HEADER_LEN..]),
    };
    out[..HEADER_LEN].copy_from_slice(&header.encode());
    Ok(out)
}

/// Writes `bytes` to `path` atomically: a new temporary file in the same directory,
/// flushed to disk, then renamed over `path`. Readers that mapped the old file keep
/// seeing the old file; nobody ever sees a partial one.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    write_atomically_via(&directory, path, bytes)
}

/// [`write_atomically`] with the temporary file in `temp_directory`, which must be on
/// the same file system as `path` (the artifact store keeps its debris in one `tmp/`
/// folder, which `gc` empties).
pub(crate) fn write_atomically_via(temp_directory: &Path, path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().ok_or_else(|| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "\"{}\" is not a file path",
                excerpt(&path.to_string_lossy())
            ),
        )
    })?;
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut attempt = 0u32;
    loop {
        let temp = temp_directory.join(format!(
            ".{}.{}.{}.tmp",
            name.to_string_lossy(),
            std::process::id(),
            unique_suffix(attempt)
        ));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(mut file) => {
                let written = file
                    .write_all(bytes)
                    .and_then(|()| file.sync_all())
                    .and_then(|()| fs::rename(&temp, path));
                if let Err(error) = written {
                    let _ = fs::remove_file(&temp);
                    return Err(io_error("write", path, &error));
                }
                // Make the rename itself durable; not every platform can sync a directory.
                if let Ok(dir) = fs::File::open(&directory) {
                    let _ = dir.sync_all();
                }
                return Ok(());
            }
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => {
                attempt += 1;
            }
            Err(error) => return Err(io_error("create a temporary file for", path, &error)),
        }
    }
}

/// A per-call suffix for temporary names: the time, and the attempt number. Two
/// writers that pick the same name are told apart by `create_new`, which fails for the
/// second one, who retries (no global state, no thread handles).
fn unique_suffix(attempt: u32) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{nanos:x}-{attempt}")
}

pub(crate) fn io_error(action: &str, path: &Path, error: &std::io::Error) -> Error {
    Error::new(
        ErrorCode::Io,
        format!(
            "could not {action} \"{}\": {error}",
            excerpt(&path.to_string_lossy())
        ),
    )
}
