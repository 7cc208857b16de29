//! Where everything lives in a store directory, content addresses, publication by
//! rename, and the writers' lock. The layout is described file by file in
//! docs/store.md.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::cache::writer::{io_error, write_atomically_via};
use crate::error::{excerpt, Error, ErrorCode, Result};

/// The first line of `STORE/format`; a store with another line is refused.
pub(crate) const FORMAT_LINE: &str = "mapback-store 1\n";

/// Every name a store's directory holds.
pub(crate) const OWN_NAMES: [&str; 6] = ["format", "lock", "tmp", "objects", "entries", "index"];

/// The paths of one store.
#[derive(Clone, Debug)]
pub(crate) struct Layout {
    root: PathBuf,
}

impl Layout {
    pub(crate) fn new(root: &Path) -> Layout {
        Layout {
            root: root.to_path_buf(),
        }
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    pub(crate) fn format_file(&self) -> PathBuf {
        self.root.join("format")
    }

    pub(crate) fn lock_file(&self) -> PathBuf {
        self.root.join("lock")
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub(crate) fn objects_dir(&self) -> PathBuf {
        self.root.join("objects")
    }

    pub(crate) fn entries_dir(&self) -> PathBuf {
        self.root.join("entries")
    }

    pub(crate) fn debug_id_dir(&self) -> PathBuf {
        self.root.join("index").join("debug-id")
    }

    pub(crate) fn url_dir(&self) -> PathBuf {
        self.root.join("index").join("url")
    }

    /// `objects/<first two hex digits>/<sha256 hex>`: the fan-out keeps directories small.
    pub(crate) fn object(&self, sha256: &str) -> PathBuf {
        self.objects_dir().join(&sha256[..2]).join(sha256)
    }

    pub(crate) fn entry(&self, id: &str) -> PathBuf {
        self.entries_dir().join(id)
    }

    pub(crate) fn debug_id_index(&self, debug_id: &str) -> PathBuf {
        self.debug_id_dir().join(debug_id)
    }

    /// URL keys are arbitrary text; the file is named by the key's hash and holds the
    /// key itself, checked on read.
    pub(crate) fn url_index(&self, key: &str) -> PathBuf {
        self.url_dir().join(sha256_hex(key.as_bytes()))
    }

    /// Every directory a store needs.
    pub(crate) fn directories(&self) -> [PathBuf; 5] {
        [
            self.tmp_dir(),
            self.objects_dir(),
            self.entries_dir(),
            self.debug_id_dir(),
            self.url_dir(),
        ]
    }

    /// Publishes `bytes` at `path`: a temporary file in `tmp/`, synced, renamed. A
    /// reader sees the old file, or the new one whole; a writer killed half-way leaves
    /// only debris in `tmp/`.
    pub(crate) fn publish(&self, path: &Path, bytes: &[u8]) -> Result<()> {
        if let Some(parent) = path.parent() {
            create_dir(parent)?;
        }
        write_atomically_via(&self.tmp_dir(), path, bytes)
    }

    /// Takes the writers' lock (blocking). The kernel drops an `flock` when its holder
    /// dies, so a writer killed with SIGKILL never leaves the store locked.
    pub(crate) fn lock(&self) -> Result<WriterLock> {
        let path = self.lock_file();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io_error("open", &path, &e))?;
        file.lock().map_err(|e| io_error("lock", &path, &e))?;
        Ok(WriterLock { _file: file })
    }
}

/// Held while a writer changes the store; released on drop (or by the kernel when the
/// process dies).
#[derive(Debug)]
pub(crate) struct WriterLock {
    _file: File,
}

pub(crate) fn create_dir(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| io_error("create the directory", path, &e))
}

/// The lowercase hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    out
}

/// Whether `name` could be a content address (64 lowercase hex digits): names from a
/// directory listing are checked before they are joined to a path.
pub(crate) fn is_sha256_hex(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Reads a small store file whole; `None` when it does not exist (an entry evicted or
/// collected between a reader's steps is simply not there).
pub(crate) fn read_small(path: &Path, max_bytes: u64) -> Result<Option<Vec<u8>>> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_error("open", path, &error)),
    };
    let mut bytes = Vec::new();
    file.take(max_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_error("read", path, &e))?;
    if bytes.len() as u64 > max_bytes {
        return Err(Error::new(
            ErrorCode::CorruptStore,
            format!(
                "store file \"{}\" is larger than {max_bytes} bytes",
                excerpt(&path.to_string_lossy())
            ),
        ));
    }
    Ok(Some(bytes))
}

/// The names in `dir`, sorted; an absent directory has none.
pub(crate) fn list(dir: &Path) -> Result<Vec<String>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io_error("list", dir, &error)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| io_error("list", dir, &e))?;
        if let Some(name) = entry.file_name().to_str() {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Removes a file; one already gone counts as removed by someone else.
pub(crate) fn remove(path: &Path) -> Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(io_error("remove", path, &error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_addresses_are_sha256_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex("../../etc/passwd"));
        assert!(!is_sha256_hex(&"A".repeat(64)));
    }

    #[test]
    fn objects_fan_out_by_their_first_two_digits() {
        let layout = Layout::new(Path::new("/s"));
        let id = sha256_hex(b"x");
        assert_eq!(
            layout.object(&id),
            Path::new("/s/objects").join(&id[..2]).join(&id)
        );
    }
}
