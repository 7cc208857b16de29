//! Mapping a cache file into memory: the one place outside `ffi` with `unsafe` code.
//!
//! SIGBUS hazard: if another process truncates a file while it is mapped, touching the
//! lost pages kills the process with SIGBUS; no check can prevent it. mapback itself
//! never modifies a cache in place: it writes a new file and renames it over the old
//! one, so existing mappings keep the old inode intact. Tools that publish caches must
//! do the same (write, then rename), never truncate or rewrite a cache that may be open.

#![allow(unsafe_code)]

use std::fs::File;
use std::path::Path;

use crate::cache::writer::io_error;
use crate::error::Result;

/// A read-only mapping of a whole file.
#[derive(Debug)]
pub(crate) struct MappedFile {
    map: memmap2::Mmap,
}

impl MappedFile {
    pub(crate) fn open(path: &Path) -> Result<MappedFile> {
        let file = File::open(path).map_err(|e| io_error("open", path, &e))?;
        MappedFile::map(&file, path)
    }

    /// Maps the file and advises the kernel that reads will be random, so touching one
    /// page does not pull in megabytes of readahead: a cold open of a large cache then
    /// costs the pages it reads (the header, the section table), not O(file size).
    /// Returns the open file too, for reads that are cheaper with `pread` than through
    /// the mapping (a page fault costs ~3 µs in a VM, a `pread` ~0.6 µs): words scattered
    /// over the file, read once. The file is advised random access as well.
    pub(crate) fn open_random_access_with_file(path: &Path) -> Result<(MappedFile, File)> {
        let file = File::open(path).map_err(|e| io_error("open", path, &e))?;
        advise_file_random(&file);
        let mapped = MappedFile::map(&file, path)?;
        mapped.advise_random();
        Ok((mapped, file))
    }

    fn map(file: &File, path: &Path) -> Result<MappedFile> {
        // SAFETY: the mapping is read-only and private to this object. Its contents can
        // change only if another process modifies or truncates the file, which the
        // cache publishing protocol (write a new file, then rename) rules out; see the
        // module docs for the SIGBUS hazard this leaves to callers.
        let map = unsafe { memmap2::Mmap::map(file) }.map_err(|e| io_error("map", path, &e))?;
        Ok(MappedFile { map })
    }

    /// Advises random access from now on (see [`MappedFile::open_random_access_with_file`]).
    pub(crate) fn advise_random(&self) {
        #[cfg(unix)]
        self.advise(memmap2::Advice::Random);
    }

    /// Advises sequential access from now on: for a pass over the whole file.
    pub(crate) fn advise_sequential(&self) {
        #[cfg(unix)]
        self.advise(memmap2::Advice::Sequential);
    }

    #[cfg(unix)]
    fn advise(&self, advice: memmap2::Advice) {
        // Advice is a hint: a kernel that refuses it still serves every read correctly.
        // An empty file has no mapping to advise.
        if !self.map.is_empty() {
            let _ = self.map.advise(advice);
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.map
    }
}

/// Advises the kernel that reads through `file` (`pread`) will be random: without it, a
/// 4-byte read of a cold file reads ahead several pages more. Advice is a hint: its
/// failure changes nothing but speed. (Only Linux has `posix_fadvise` among the Unix
/// targets; elsewhere the reads keep the default readahead.)
fn advise_file_random(file: &File) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        use std::os::unix::io::AsRawFd;
        // SAFETY: posix_fadvise reads only its integer arguments; the descriptor is
        // borrowed from `file`, open for the whole call.
        let _ = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_RANDOM) };
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = file;
}
