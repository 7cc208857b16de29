//! Where the symbolicator gets scripts and maps: a [`Loader`] turns a URL into bytes.
//!
//! [`DirectoryLoader`] serves files from local directories, chosen by URL prefix or by
//! file name, and never opens anything outside its directories: no `..`, no absolute
//! paths, no backslashes or NUL bytes, no symlink that leads out.

use std::path::{Path, PathBuf};

use crate::error::{excerpt, Error, ErrorCode, Result};
use crate::url::strip_query;

/// Fetches the bytes at a URL: a script, or a source map (JSON or cache).
///
/// Called from any thread the symbolicator is used on.
pub trait Loader: Send + Sync {
    /// The bytes at `url`, or `Ok(None)` when there is nothing there.
    fn fetch(&self, url: &str) -> Result<Option<Vec<u8>>>;
}

impl<F> Loader for F
where
    F: Fn(&str) -> Result<Option<Vec<u8>>> + Send + Sync,
{
    fn fetch(&self, url: &str) -> Result<Option<Vec<u8>>> {
        self(url)
    }
}

/// The largest file a [`DirectoryLoader`] reads by default.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// Serves URLs from local directories.
///
/// Rules are tried longest prefix first: `with_prefix("https://cdn.example.com/static/",
/// dir)` maps `https://cdn.example.com/static/js/app.js` to `dir/js/app.js`. Directories
/// added with [`DirectoryLoader::with_file_names`] serve any URL by its last path
/// segment alone (`…/app.min.js?v=3` → `dir/app.min.js`).
#[derive(Clone, Debug, Default)]
pub struct DirectoryLoader {
    prefixes: Vec<(String, PathBuf)>,
    file_name_dirs: Vec<PathBuf>,
    max_file_bytes: u64,
}

impl DirectoryLoader {
    /// A loader with no rules (it finds nothing).
    pub fn new() -> DirectoryLoader {
        DirectoryLoader {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            ..DirectoryLoader::default()
        }
    }

    /// Serves URLs starting with `prefix` from `directory`.
    pub fn with_prefix(
        mut self,
        prefix: &str,
        directory: impl AsRef<Path>,
    ) -> Result<DirectoryLoader> {
        let root = canonical_dir(directory.as_ref())?;
        self.prefixes.push((prefix.to_owned(), root));
        // Longest prefix first, so the most specific rule wins.
        self.prefixes
            .sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
        Ok(self)
    }

    /// Serves any URL from `directory` by its last path segment.
    pub fn with_file_names(mut self, directory: impl AsRef<Path>) -> Result<DirectoryLoader> {
        self.file_name_dirs.push(canonical_dir(directory.as_ref())?);
        Ok(self)
    }

    /// Sets the largest file that will be read (larger ones are refused).
    pub fn with_max_file_bytes(mut self, bytes: u64) -> DirectoryLoader {
        self.max_file_bytes = bytes;
        self
    }

    fn read(&self, root: &Path, segments: &[String]) -> Result<Option<Vec<u8>>> {
        let mut path = root.to_path_buf();
        for segment in segments {
            path.push(segment);
        }
        // Resolve symlinks, then insist the result is still inside the root.
        let Ok(real) = path.canonicalize() else {
            return Ok(None);
        };
        if !real.starts_with(root) || !real.is_file() {
            return Ok(None);
        }
        let size = std::fs::metadata(&real).map(|m| m.len()).unwrap_or(0);
        if size > self.max_file_bytes {
            return Err(Error::new(
                ErrorCode::InputTooLarge,
                format!(
                    "\"{}\" is {size} bytes, over the loader's limit of {}",
                    excerpt(&real.to_string_lossy()),
                    self.max_file_bytes
                ),
            ));
        }
        std::fs::read(&real).map(Some).map_err(|e| {
            Error::new(
                ErrorCode::Io,
                format!(
                    "could not read \"{}\": {e}",
                    excerpt(&real.to_string_lossy())
                ),
            )
        })
    }
}

impl Loader for DirectoryLoader {
    fn fetch(&self, url: &str) -> Result<Option<Vec<u8>>> {
        let path = strip_query(url);
        for (prefix, root) in &self.prefixes {
            if let Some(rest) = path.strip_prefix(prefix.as_str()) {
                if let Some(segments) = safe_segments(rest) {
                    if let Some(bytes) = self.read(root, &segments)? {
                        return Ok(Some(bytes));
                    }
                }
            }
        }
        let file_name = path.rsplit('/').next().unwrap_or(path);
        if let Some(segments) = safe_segments(file_name).filter(|s| s.len() == 1) {
            for root in &self.file_name_dirs {
                if let Some(bytes) = self.read(root, &segments)? {
                    return Ok(Some(bytes));
                }
            }
        }
        Ok(None)
    }
}

fn canonical_dir(directory: &Path) -> Result<PathBuf> {
    let root = directory.canonicalize().map_err(|e| {
        Error::new(
            ErrorCode::Io,
            format!(
                "directory \"{}\": {e}",
                excerpt(&directory.to_string_lossy())
            ),
        )
    })?;
    if !root.is_dir() {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "\"{}\" is not a directory",
                excerpt(&root.to_string_lossy())
            ),
        ));
    }
    Ok(root)
}

/// The percent-decoded path segments of a relative URL path, or `None` when any would
/// leave the directory: `..`, an absolute path, a backslash, a NUL, a drive letter.
fn safe_segments(relative: &str) -> Option<Vec<String>> {
    if relative.is_empty() || relative.starts_with('/') {
        return None;
    }
    let mut segments = Vec::new();
    for raw in relative.split('/') {
        let segment = percent_decode_utf8(raw)?;
        if segment.is_empty() || segment == "." {
            continue;
        }
        let forbidden =
            segment == ".." || segment.contains(['\\', '\0', '/']) || segment.contains(':');
        if forbidden {
            return None;
        }
        segments.push(segment);
    }
    (!segments.is_empty()).then_some(segments)
}

fn percent_decode_utf8(input: &str) -> Option<String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = input.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_never_leave_the_root() {
        assert_eq!(
            safe_segments("js/app.js"),
            Some(vec!["js".into(), "app.js".into()])
        );
        assert_eq!(
            safe_segments("./js//app.js"),
            Some(vec!["js".into(), "app.js".into()])
        );
        for bad in [
            "../x",
            "js/../../x",
            "/etc/passwd",
            "a\\b",
            "%2e%2e/x",
            "a%2Fb",
            "a%00b",
            "C:/x",
            "",
            "%zz",
        ] {
            assert_eq!(safe_segments(bad), None, "{bad}");
        }
    }

    #[test]
    fn prefixes_file_names_and_confinement() {
        let root = std::env::temp_dir().join(format!("mapback-loader-{}", std::process::id()));
        let static_dir = root.join("static");
        std::fs::create_dir_all(static_dir.join("js")).unwrap();
        std::fs::write(static_dir.join("js/app.js"), b"app").unwrap();
        std::fs::write(root.join("secret.txt"), b"secret").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("secret.txt"), static_dir.join("link.js")).unwrap();

        let loader = DirectoryLoader::new()
            .with_prefix("https://cdn.example.com/static/", &static_dir)
            .unwrap()
            .with_file_names(static_dir.join("js"))
            .unwrap();
        let fetch = |url: &str| loader.fetch(url).unwrap();
        assert_eq!(
            fetch("https://cdn.example.com/static/js/app.js?v=2").as_deref(),
            Some(&b"app"[..])
        );
        assert_eq!(
            fetch("https://elsewhere.example.com/any/path/app.js").as_deref(),
            Some(&b"app"[..])
        );
        assert_eq!(fetch("https://cdn.example.com/static/../secret.txt"), None);
        assert_eq!(
            fetch("https://cdn.example.com/static/js/%2e%2e/%2e%2e/secret.txt"),
            None
        );
        assert_eq!(
            fetch("https://cdn.example.com/static/link.js"),
            None,
            "symlink out of the root"
        );
        assert_eq!(fetch("https://cdn.example.com/static/missing.js"), None);
        let small = loader.clone().with_max_file_bytes(1);
        assert_eq!(
            small
                .fetch("https://cdn.example.com/static/js/app.js")
                .unwrap_err()
                .code(),
            ErrorCode::InputTooLarge
        );
        assert!(DirectoryLoader::new()
            .with_prefix("x", root.join("nope"))
            .is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }
}
