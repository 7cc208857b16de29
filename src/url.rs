//! Source URL resolution (ECMA-426 DecodeSourceMapSources).
//!
//! `url = URL-parse(prefix + source, base)`, where `prefix` is `sourceRoot` with a `/`
//! appended when it lacks one. We treat `"sourceRoot": ""` as absent (the literal text
//! would turn every source into a path-absolute one; Chrome and the tc39 tests agree).
//! Parsing is WHATWG URL parsing through the `url` crate, never string joining.

use url::Url;

use crate::error::{Error, ErrorCode, Result};

/// `url` without its query and fragment (`app.js?v=3#x` → `app.js`): what names a file.
pub(crate) fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// The prefix that `sourceRoot` contributes to every source.
pub(crate) fn source_prefix(source_root: Option<&str>) -> String {
    match source_root {
        None | Some("") => String::new(),
        Some(root) if root.ends_with('/') => root.to_owned(),
        Some(root) => format!("{root}/"),
    }
}

/// Resolves `prefix + source` against `base`. Returns `None` when the result is not a
/// valid URL (for a relative source with no base URL, for instance).
pub(crate) fn resolve(joined: &str, base: Option<&Url>) -> Option<String> {
    Url::options()
        .base_url(base)
        .parse(joined)
        .ok()
        .map(String::from)
}

/// Parses a caller-supplied base URL (the map's own URL). It must be absolute.
pub fn parse_base_url(text: &str) -> Result<Url> {
    Url::parse(text).map_err(|e| {
        Error::new(
            ErrorCode::InvalidBaseUrl,
            format!(
                "base URL \"{}\" is not an absolute URL: {e}",
                crate::error::excerpt(text)
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(source_prefix(None), "");
        assert_eq!(source_prefix(Some("")), "");
        assert_eq!(source_prefix(Some("root")), "root/");
        assert_eq!(source_prefix(Some("root/")), "root/");
    }

    #[test]
    fn resolution() {
        let base = parse_base_url("https://cdn.example.com/js/app.min.js.map").unwrap();
        assert_eq!(
            resolve("../src/a.ts", Some(&base)).as_deref(),
            Some("https://cdn.example.com/src/a.ts")
        );
        assert_eq!(
            resolve("webpack://app/./src/a.ts", Some(&base)).as_deref(),
            Some("webpack://app/src/a.ts")
        );
        assert_eq!(resolve("src/a.ts", None), None);
        assert_eq!(
            resolve("file:///x/a.js", None).as_deref(),
            Some("file:///x/a.js")
        );
        assert_eq!(
            parse_base_url("relative/path").unwrap_err().code(),
            ErrorCode::InvalidBaseUrl
        );
    }
}
