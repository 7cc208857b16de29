//! Reading a Sentry artifact bundle, treating the zip as hostile.
//!
//! The format (sentry-cli's `build_artifact_bundle`, symbolic's `SourceBundleWriter`):
//! a zip whose `manifest.json` is `{"files": {<zip path>: {"type": ..., "url": ...,
//! "headers": {...}}}, <attributes>}`; files live at `files/_/_/<path>` for `~/<path>`
//! URLs. `type` is `source`, `minified_source`, `source_map` or `indexed_ram_bundle`;
//! header names are case-insensitive (`debug-id`, `sourcemap`, legacy `x-sourcemap`).
//!
//! Nothing from the archive is ever written to disk under its own name. Before the
//! central directory is parsed its entry count is bounded; entry names that are
//! absolute, climb with `..`, or hold `\` or NUL are refused, as are symbolic links
//! and duplicate names; every entry's decompressed size is counted as it is read
//! (never trusted from the headers), per file, per add, and against its compressed
//! size.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::{Map, Value};

use super::input::{kind_of, Budget, FileKind, InputFile};
use super::summary::{SkipReason, SkippedFile};
use crate::cache::writer::io_error;
use crate::error::{excerpt, Error, ErrorCode, Result};

/// The end-of-central-directory record: signature, and where its entry count sits.
const EOCD_SIGNATURE: [u8; 4] = *b"PK\x05\x06";
const EOCD_LEN: usize = 22;
/// The record may be followed by a comment of up to 65,535 bytes.
const EOCD_SEARCH: u64 = EOCD_LEN as u64 + 65_535;
/// Bytes every entry may decompress to before the ratio limit applies.
const RATIO_FREE_BYTES: u64 = 1024 * 1024;

/// Reads the artifact bundle at `path` into memory: its scripts and maps, with their
/// manifest URLs and headers. Any hostile trait fails the whole read with a typed
/// error; files of other types are reported in `skipped`.
pub(crate) fn read_artifact_bundle(
    path: &Path,
    budget: &mut Budget,
    skipped: &mut Vec<SkippedFile>,
) -> Result<Vec<InputFile>> {
    let label = path.to_string_lossy().into_owned();
    let mut file = File::open(path).map_err(|e| io_error("open", path, &e))?;
    let declared_entries = central_directory_entries(&mut file, path)?;
    if declared_entries > budget.limits.max_archive_entries as u64 {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            format!(
                "archive has {declared_entries} entries, more than {}",
                budget.limits.max_archive_entries
            ),
        ));
    }
    file.seek(SeekFrom::Start(0))
        .map_err(|e| io_error("read", path, &e))?;
    let mut archive = zip::ZipArchive::new(file).map_err(invalid_archive)?;
    // The reader keys entries by name, so duplicates collapse: a count below the one
    // the archive declares means two entries shared a name.
    if (archive.len() as u64) != declared_entries {
        return Err(Error::new(
            ErrorCode::DuplicateArchiveEntry,
            format!(
                "archive declares {declared_entries} entries but has {} distinct names",
                archive.len()
            ),
        ));
    }
    let mut names = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let entry = archive.by_index_raw(index).map_err(invalid_archive)?;
        let name = entry.name().to_owned();
        check_entry_name(&name)?;
        if entry.is_symlink() {
            return Err(Error::new(
                ErrorCode::ArchiveSymlink,
                format!("archive entry \"{}\" is a symbolic link", excerpt(&name)),
            ));
        }
        if !entry.is_dir() {
            names.push(name);
        }
    }

    let manifest_limit = budget.limits.max_manifest_bytes;
    let manifest_bytes = read_entry(&mut archive, "manifest.json", budget, manifest_limit)?
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidManifest,
                "archive has no manifest.json (not an artifact bundle)",
            )
        })?;
    let manifest = parse_manifest(&manifest_bytes)?;

    let mut files = Vec::new();
    for name in &names {
        if name == "manifest.json" {
            continue;
        }
        let origin = format!("{label}!{name}");
        let Some(info) = manifest.get(name.as_str()) else {
            skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::NotScriptOrMap,
            });
            continue;
        };
        budget.count_file()?;
        let kind = match info.file_type.as_deref() {
            Some("minified_source") => Some(FileKind::Script),
            Some("source_map") => Some(FileKind::Map),
            Some(_) => None,
            // Untyped files (older bundles): by name.
            None => kind_of(name),
        };
        let (Some(kind), Some(url)) = (kind, info.url.clone()) else {
            skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::NotScriptOrMap,
            });
            continue;
        };
        let limit = budget.limits.max_file_bytes;
        let bytes = read_entry(&mut archive, name, budget, limit)?
            .expect("every name was listed by the archive");
        files.push(InputFile {
            origin,
            url,
            kind,
            bytes,
            debug_id_header: info.header("debug-id"),
            sourcemap_header: info
                .header("sourcemap")
                .or_else(|| info.header("x-sourcemap")),
        });
    }
    for name in manifest.keys() {
        if !names.iter().any(|n| n == name) {
            return Err(Error::new(
                ErrorCode::InvalidManifest,
                format!(
                    "manifest.json names \"{}\", which the archive lacks",
                    excerpt(name)
                ),
            ));
        }
    }
    Ok(files)
}

/// The entry count of the end-of-central-directory record, found in the file's tail.
/// Zip64 archives are refused: they exist for sizes and counts beyond the limits.
fn central_directory_entries(file: &mut File, path: &Path) -> Result<u64> {
    let length = file
        .seek(SeekFrom::End(0))
        .map_err(|e| io_error("read", path, &e))?;
    let tail_start = length.saturating_sub(EOCD_SEARCH);
    file.seek(SeekFrom::Start(tail_start))
        .map_err(|e| io_error("read", path, &e))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail)
        .map_err(|e| io_error("read", path, &e))?;
    let position = tail
        .windows(4)
        .rposition(|w| w == EOCD_SIGNATURE)
        .filter(|&p| p + EOCD_LEN <= tail.len())
        .ok_or_else(|| {
            Error::new(
                ErrorCode::InvalidArchive,
                "not a zip archive (no end-of-central-directory record)",
            )
        })?;
    let record = &tail[position..position + EOCD_LEN];
    let entries_here = u16::from_le_bytes([record[8], record[9]]);
    let entries_total = u16::from_le_bytes([record[10], record[11]]);
    if entries_total == u16::MAX || entries_here != entries_total {
        return Err(Error::new(
            ErrorCode::InputTooLarge,
            "zip64 and multi-disk archives are refused (beyond the archive limits)",
        ));
    }
    Ok(u64::from(entries_total))
}

/// Refuses names that would mean something outside the archive if ever used as paths.
fn check_entry_name(name: &str) -> Result<()> {
    let unsafe_name = name.is_empty()
        || name.starts_with('/')
        || name.contains('\\')
        || name.contains('\0')
        || name.split('/').any(|segment| segment == "..")
        || (name.len() >= 2 && name.as_bytes()[1] == b':');
    if unsafe_name {
        return Err(Error::new(
            ErrorCode::UnsafeArchivePath,
            format!("archive entry name \"{}\" is unsafe", excerpt(name)),
        ));
    }
    Ok(())
}

/// Decompresses one entry, counting the bytes actually produced against `limit`, the
/// add's total budget and the compression ratio. `None` if there is no such entry.
fn read_entry(
    archive: &mut zip::ZipArchive<File>,
    name: &str,
    budget: &mut Budget,
    limit: u64,
) -> Result<Option<Vec<u8>>> {
    let mut entry = match archive.by_name(name) {
        Ok(entry) => entry,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(error) => return Err(invalid_archive(error)),
    };
    let ratio_limit = entry
        .compressed_size()
        .saturating_mul(budget.limits.max_compression_ratio)
        .max(RATIO_FREE_BYTES);
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let read = entry.read(&mut chunk).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArchive,
                format!("archive entry \"{}\" is damaged: {e}", excerpt(name)),
            )
        })?;
        if read == 0 {
            break;
        }
        bytes.extend_from_slice(&chunk[..read]);
        budget.count_bytes(read as u64)?;
        let size = bytes.len() as u64;
        if size > limit {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "archive entry \"{}\" decompresses to more than {limit} bytes",
                    excerpt(name)
                ),
            ));
        }
        if size > ratio_limit {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "archive entry \"{}\" decompresses to more than {} times its compressed size (a zip bomb?)",
                    excerpt(name),
                    budget.limits.max_compression_ratio
                ),
            ));
        }
    }
    Ok(Some(bytes))
}

/// One file's description in the manifest.
#[derive(Debug)]
struct FileInfo {
    file_type: Option<String>,
    url: Option<String>,
    /// Header names lowercased (they are case-insensitive).
    headers: Vec<(String, String)>,
}

impl FileInfo {
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }
}

/// Parses `manifest.json`, with a typed error for each wrong JSON type.
fn parse_manifest(bytes: &[u8]) -> Result<std::collections::BTreeMap<String, FileInfo>> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::new(
            ErrorCode::InvalidJson,
            format!("manifest.json is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(manifest) = value else {
        return Err(Error::new(
            ErrorCode::NotAnObject,
            "manifest.json is not a JSON object",
        ));
    };
    let files = match manifest.get("files") {
        None => return Ok(Default::default()),
        Some(Value::Object(files)) => files,
        Some(_) => return Err(wrong_type("manifest.json \"files\" is not an object")),
    };
    let mut out = std::collections::BTreeMap::new();
    for (name, info) in files {
        let Value::Object(info) = info else {
            return Err(wrong_type(format!(
                "manifest entry \"{}\" is not an object",
                excerpt(name)
            )));
        };
        let headers = match info.get("headers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(headers)) => headers
                .iter()
                .map(|(key, value)| match value {
                    Value::String(text) => Ok((key.to_ascii_lowercase(), text.clone())),
                    _ => Err(wrong_type(format!(
                        "manifest entry \"{}\" header \"{}\" is not a string",
                        excerpt(name),
                        excerpt(key)
                    ))),
                })
                .collect::<Result<_>>()?,
            Some(_) => {
                return Err(wrong_type(format!(
                    "manifest entry \"{}\" headers are not an object",
                    excerpt(name)
                )))
            }
        };
        out.insert(
            name.clone(),
            FileInfo {
                file_type: string_field(info, name, "type")?,
                url: string_field(info, name, "url")?.filter(|u| !u.is_empty()),
                headers,
            },
        );
    }
    Ok(out)
}

fn string_field(info: &Map<String, Value>, name: &str, key: &str) -> Result<Option<String>> {
    match info.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(wrong_type(format!(
            "manifest entry \"{}\" field \"{key}\" is not a string",
            excerpt(name)
        ))),
    }
}

fn wrong_type(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::WrongType, message)
}

fn invalid_archive(error: zip::result::ZipError) -> Error {
    Error::new(
        ErrorCode::InvalidArchive,
        format!("not a readable zip archive: {error}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        for name in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "C:x",
            "a\0b",
            "",
        ] {
            let error = check_entry_name(name).unwrap_err();
            assert_eq!(error.code(), ErrorCode::UnsafeArchivePath, "{name:?}");
        }
        for name in ["files/_/_/app.js", "manifest.json", "a/..b/c"] {
            check_entry_name(name).unwrap();
        }
    }

    #[test]
    fn manifest_types_are_checked() {
        let cases: [(&[u8], ErrorCode); 6] = [
            (b"nope", ErrorCode::InvalidJson),
            (b"[]", ErrorCode::NotAnObject),
            (br#"{"files":[]}"#, ErrorCode::WrongType),
            (br#"{"files":{"a":3}}"#, ErrorCode::WrongType),
            (br#"{"files":{"a":{"url":5}}}"#, ErrorCode::WrongType),
            (
                br#"{"files":{"a":{"headers":{"debug-id":1}}}}"#,
                ErrorCode::WrongType,
            ),
        ];
        for (bytes, code) in cases {
            assert_eq!(parse_manifest(bytes).unwrap_err().code(), code);
        }
        let ok = parse_manifest(
            br#"{"files":{"a":{"type":"source_map","url":"~/a.map","headers":{"Debug-ID":"x"}}},"org":"o"}"#,
        )
        .unwrap();
        assert_eq!(ok["a"].header("debug-id").as_deref(), Some("x"));
    }
}
