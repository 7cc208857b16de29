//! Gathering an `add`'s inputs into memory: single files, directories walked
//! recursively (symbolic links followed only inside the root, and never to a
//! directory), and artifact bundles (`bundle.rs`). Every byte read counts against the
//! `IngestLimits`; nothing is written anywhere.

use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use super::bundle::read_artifact_bundle;
use super::options::IngestLimits;
use super::summary::{SkipReason, SkippedFile};
use crate::cache::writer::io_error;
use crate::error::{Error, ErrorCode, Result};

/// What a file is, by its name or its bundle's manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileKind {
    Script,
    Map,
}

/// One file of an `add`, in memory.
#[derive(Clone, Debug)]
pub(crate) struct InputFile {
    /// For messages: a path, or `archive.zip!name`.
    pub(crate) origin: String,
    /// The URL it is indexed by: `~/` and its path relative to the directory added (or
    /// its file name), or the `url` an artifact bundle's manifest gives.
    pub(crate) url: String,
    pub(crate) kind: FileKind,
    pub(crate) bytes: Vec<u8>,
    /// An artifact bundle's `debug-id` header.
    pub(crate) debug_id_header: Option<String>,
    /// An artifact bundle's `sourcemap` (or `x-sourcemap`) header.
    pub(crate) sourcemap_header: Option<String>,
}

/// Counts what one `add` has read so far.
pub(crate) struct Budget {
    pub(crate) limits: IngestLimits,
    pub(crate) files: usize,
    pub(crate) bytes: u64,
}

impl Budget {
    pub(crate) fn new(limits: IngestLimits) -> Budget {
        Budget {
            limits,
            files: 0,
            bytes: 0,
        }
    }

    /// Counts one more file; more than `max_files` fails the whole add.
    pub(crate) fn count_file(&mut self) -> Result<()> {
        self.files += 1;
        if self.files > self.limits.max_files {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!("more than {} files in one add", self.limits.max_files),
            ));
        }
        Ok(())
    }

    /// Counts bytes read; more than `max_total_bytes` fails the whole add.
    pub(crate) fn count_bytes(&mut self, bytes: u64) -> Result<()> {
        self.bytes += bytes;
        if self.bytes > self.limits.max_total_bytes {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!("more than {} bytes in one add", self.limits.max_total_bytes),
            ));
        }
        Ok(())
    }
}

/// Reads every input. A hostile or unreadable archive, or an input over the add's
/// total limits, fails the whole add; a single bad file of a directory is skipped.
pub(crate) fn gather<P: AsRef<Path>>(
    paths: &[P],
    budget: &mut Budget,
    skipped: &mut Vec<SkippedFile>,
) -> Result<Vec<InputFile>> {
    let mut files = Vec::new();
    for path in paths {
        let path = path.as_ref();
        let metadata = fs::metadata(path).map_err(|e| io_error("read", path, &e))?;
        if metadata.is_dir() {
            let root = fs::canonicalize(path).map_err(|e| io_error("resolve", path, &e))?;
            walk(&root, &root, "", 0, budget, &mut files, skipped)?;
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if is_archive(path)? {
            budget.count_file()?;
            files.extend(read_artifact_bundle(path, budget, skipped)?);
            continue;
        }
        budget.count_file()?;
        let origin = path.to_string_lossy().into_owned();
        match kind_of(&name) {
            None => skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::NotScriptOrMap,
            }),
            Some(kind) => {
                let bytes = match read_bounded(path, budget)? {
                    FileRead::Whole(bytes) => bytes,
                    // A file named on its own fails the add, as an archive would.
                    FileRead::TooLarge(error) => return Err(error),
                };
                files.push(InputFile {
                    origin,
                    url: format!("~/{name}"),
                    kind,
                    bytes,
                    debug_id_header: None,
                    sourcemap_header: None,
                });
            }
        }
    }
    Ok(files)
}

fn walk(
    root: &Path,
    dir: &Path,
    relative: &str,
    depth: usize,
    budget: &mut Budget,
    files: &mut Vec<InputFile>,
    skipped: &mut Vec<SkippedFile>,
) -> Result<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| io_error("list", dir, &e))?
        .collect::<std::io::Result<_>>()
        .map_err(|e| io_error("list", dir, &e))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let origin = path.to_string_lossy().into_owned();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::NotScriptOrMap,
            });
            continue;
        };
        let relative_name = format!("{relative}{name}");
        let file_type = entry.file_type().map_err(|e| io_error("read", &path, &e))?;
        if file_type.is_symlink() {
            // Followed only to a file inside the root.
            let inside = fs::canonicalize(&path)
                .ok()
                .filter(|target| target.starts_with(root) && target.is_file());
            if inside.is_none() {
                skipped.push(SkippedFile {
                    file: origin,
                    reason: SkipReason::Symlink,
                });
                continue;
            }
        } else if file_type.is_dir() {
            if depth + 1 > budget.limits.max_directory_depth {
                skipped.push(SkippedFile {
                    file: origin,
                    reason: SkipReason::TooDeep,
                });
                continue;
            }
            walk(
                root,
                &path,
                &format!("{relative_name}/"),
                depth + 1,
                budget,
                files,
                skipped,
            )?;
            continue;
        } else if !file_type.is_file() {
            continue;
        }
        budget.count_file()?;
        if name.to_ascii_lowercase().ends_with(".zip") {
            skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::NestedArchive,
            });
            continue;
        }
        let Some(kind) = kind_of(&name) else {
            skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::NotScriptOrMap,
            });
            continue;
        };
        match read_bounded(&path, budget)? {
            FileRead::Whole(bytes) => files.push(InputFile {
                origin,
                url: format!("~/{relative_name}"),
                kind,
                bytes,
                debug_id_header: None,
                sourcemap_header: None,
            }),
            // One oversized file of a build directory is skipped; the add's total
            // budget still bounds the whole walk.
            FileRead::TooLarge(error) => skipped.push(SkippedFile {
                file: origin,
                reason: SkipReason::Invalid(error),
            }),
        }
    }
    Ok(())
}

/// Scripts and maps by file name: `.map`; `.js`, `.mjs`, `.cjs`, `.bundle` (React
/// Native), `.hbc` (Hermes bytecode).
pub(crate) fn kind_of(name: &str) -> Option<FileKind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".map") {
        Some(FileKind::Map)
    } else if [".js", ".mjs", ".cjs", ".bundle", ".hbc"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        Some(FileKind::Script)
    } else {
        None
    }
}

/// A zip archive by its first bytes (a local file header, or the end record of an
/// empty archive), or by its `.zip` name (so a damaged archive gets an archive error).
fn is_archive(path: &Path) -> Result<bool> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
    {
        return Ok(true);
    }
    let mut magic = [0u8; 4];
    let mut file = File::open(path).map_err(|e| io_error("open", path, &e))?;
    let read = file
        .read(&mut magic)
        .map_err(|e| io_error("read", path, &e))?;
    Ok(read == 4 && (magic == *b"PK\x03\x04" || magic == *b"PK\x05\x06"))
}

/// A file read whole, or refused for its size.
enum FileRead {
    Whole(Vec<u8>),
    TooLarge(Error),
}

/// Reads a whole file, refusing (before reading more than the limit) one over
/// `max_file_bytes`. Going over the add's total budget is an error.
fn read_bounded(path: &Path, budget: &mut Budget) -> Result<FileRead> {
    let file = File::open(path).map_err(|e| io_error("open", path, &e))?;
    let limit = budget.limits.max_file_bytes;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("read", path, &e))?;
    if bytes.len() as u64 > limit {
        return Ok(FileRead::TooLarge(Error::new(
            ErrorCode::InputTooLarge,
            format!("file is larger than {limit} bytes"),
        )));
    }
    budget.count_bytes(bytes.len() as u64)?;
    Ok(FileRead::Whole(bytes))
}
