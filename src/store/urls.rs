//! URL keys, with Sentry's `~/path` matching: a URL stored as `~/static/js/app.js`
//! matches that path on any scheme and host; a URL stored whole matches only itself.
//! Query strings and fragments never take part. Scheme and host are compared without
//! case; paths are compared exactly (no percent-decoding).

use crate::url::strip_query;

/// A stored URL's index key: `path:/static/js/app.js` for `~/…` URLs, bare paths and
/// bare names (a file added from disk), `url:https://host/…` for absolute URLs.
pub(crate) fn index_key(url: &str) -> String {
    match split(url) {
        Split::Tilde(path) | Split::Path(path) => format!("path:{path}"),
        Split::Absolute { origin, path } => format!("url:{origin}{path}"),
    }
}

/// The keys a lookup tries, best first: the exact URL, then its path (which a `~/`
/// upload matches).
pub(crate) fn lookup_keys(url: &str) -> Vec<String> {
    match split(url) {
        Split::Tilde(path) | Split::Path(path) => vec![format!("path:{path}")],
        Split::Absolute { origin, path } => {
            vec![format!("url:{origin}{path}"), format!("path:{path}")]
        }
    }
}

/// The path part of a URL (`/static/js/app.js`), without query or fragment.
pub(crate) fn path_of(url: &str) -> String {
    match split(url) {
        Split::Tilde(path) | Split::Path(path) => path,
        Split::Absolute { path, .. } => path,
    }
}

/// Resolves a `sourceMappingURL` against the URL of the script that names it, giving
/// a path (`app.js.map` beside `~/static/js/app.js` is `/static/js/app.js.map`).
pub(crate) fn resolve_path(script_url: &str, reference: &str) -> String {
    let reference_is_absolute = reference.starts_with("~/")
        || reference.starts_with("//")
        || scheme_end(reference).is_some();
    let joined = if reference_is_absolute || reference.starts_with('/') {
        path_of(reference)
    } else {
        let base = path_of(script_url);
        let directory = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        path_of(&format!("{directory}{reference}"))
    };
    normalise_dots(&joined)
}

enum Split {
    Tilde(String),
    Path(String),
    Absolute { origin: String, path: String },
}

fn split(url: &str) -> Split {
    let url = strip_query(url);
    if let Some(rest) = url.strip_prefix("~/") {
        return Split::Tilde(normalise_dots(&format!("/{rest}")));
    }
    if let Some(authority_and_path) = url.strip_prefix("//") {
        // Protocol-relative: a host without a scheme.
        let slash = authority_and_path
            .find('/')
            .unwrap_or(authority_and_path.len());
        return Split::Absolute {
            origin: format!("//{}", authority_and_path[..slash].to_ascii_lowercase()),
            path: normalise_dots(&ensure_slash(&authority_and_path[slash..])),
        };
    }
    if let Some(end) = scheme_end(url) {
        let scheme = url[..end].to_ascii_lowercase();
        let rest = &url[end + 1..];
        if let Some(authority_and_path) = rest.strip_prefix("//") {
            let slash = authority_and_path
                .find('/')
                .unwrap_or(authority_and_path.len());
            let host = authority_and_path[..slash].to_ascii_lowercase();
            let path = normalise_dots(&ensure_slash(&authority_and_path[slash..]));
            return Split::Absolute {
                origin: format!("{scheme}://{host}"),
                path,
            };
        }
        // `scheme:path` with no authority (rare for scripts): the whole URL is the key.
        return Split::Absolute {
            origin: format!("{scheme}:"),
            path: normalise_dots(&ensure_slash(rest)),
        };
    }
    Split::Path(normalise_dots(&ensure_slash(url)))
}

/// The index of the `:` that ends a URL scheme (`[A-Za-z][A-Za-z0-9+.-]*:`), if any.
/// A single letter is not taken as a scheme, so `C:/x` stays a path.
fn scheme_end(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (scheme.len() > 1
        && first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(colon)
}

fn ensure_slash(path: &str) -> String {
    if path.starts_with('/') {
        path.to_owned()
    } else {
        format!("/{path}")
    }
}

/// Removes `.` and `..` segments (never climbing above the root).
fn normalise_dots(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let trailing_slash = path.ends_with('/') && path.len() > 1;
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let mut out = format!("/{}", segments.join("/"));
    if trailing_slash && out.len() > 1 {
        out.push('/');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tilde_urls_match_any_host_and_ignore_query_and_fragment() {
        let stored = index_key("~/static/js/app.js");
        for url in [
            "https://any.host/static/js/app.js",
            "http://localhost:3000/static/js/app.js",
            "https://x.io/static/js/app.js?v=3#top",
            "/static/js/app.js",
        ] {
            assert!(lookup_keys(url).contains(&stored), "{url}");
        }
        assert!(!lookup_keys("https://x.io/static/app.js").contains(&stored));
    }

    #[test]
    fn absolute_urls_match_only_themselves() {
        let stored = index_key("https://CDN.example.com/app.js");
        assert_eq!(lookup_keys("https://cdn.example.com/app.js?x")[0], stored);
        assert!(!lookup_keys("https://other.example.com/app.js").contains(&stored));
        assert_eq!(index_key("app:///index.bundle"), "url:app:///index.bundle");
        assert_eq!(index_key("C:/x.js"), "path:/C:/x.js");
        assert_eq!(
            lookup_keys("//CDN.io/a/app.js"),
            vec!["url://cdn.io/a/app.js", "path:/a/app.js"]
        );
    }

    #[test]
    fn references_resolve_against_the_script() {
        assert_eq!(
            resolve_path("~/static/js/app.js", "app.js.map"),
            "/static/js/app.js.map"
        );
        assert_eq!(
            resolve_path("~/static/js/app.js", "../maps/app.js.map?x"),
            "/static/maps/app.js.map"
        );
        assert_eq!(
            resolve_path("~/a/app.js", "https://cdn.io/m/app.js.map"),
            "/m/app.js.map"
        );
        assert_eq!(resolve_path("~/a/app.js", "/root.map"), "/root.map");
        assert_eq!(resolve_path("app.js", "../../x.map"), "/x.map");
    }
}
