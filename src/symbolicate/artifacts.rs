//! Where the symbolicator finds a frame's script and map: an [`ArtifactLookup`],
//! asked by debug ID and by URL, answers with an [`Artifact`] (the map, the minified
//! text when known). [`LoaderLookup`] is the lookup over a [`Loader`]: it fetches the
//! script at a URL and discovers its map (`sourceMappingURL` comment, inline `data:`
//! URL, or `<url>.map`). An artifact store implements the trait with its indexes.

use crate::cache::Cache;
use crate::decode::{is_uuid, DecodeLimits, DecodeOptions};
use crate::discovery;
use crate::error::{excerpt, ErrorCode, Result};
use crate::map::SourceMap;
use crate::scopes::FunctionScopes;
use crate::url::strip_query;
use crate::view::SourceMapView;

use super::{Loader, SymbolicateOptions, Unmapped};

/// Which key found a frame's map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FoundBy {
    /// The debug ID of the frame's image (`debug_meta.images[]`).
    DebugId,
    /// The frame's script URL (`abs_path`).
    Url,
}

impl FoundBy {
    /// A short stable identifier for JSON: `debug_id` or `url`.
    pub fn as_str(self) -> &'static str {
        match self {
            FoundBy::DebugId => "debug_id",
            FoundBy::Url => "url",
        }
    }
}

/// A script's map as a lookup found it.
pub struct Artifact {
    /// The decoded map (a [`SourceMap`], a [`Cache`], or any other view).
    pub map: Box<dyn SourceMapView>,
    /// The minified script's text, when known: it names functions when the map has no
    /// `sourcesContent`, and places frames that stop at a call's `(` or an `await`.
    pub minified: Option<String>,
    /// Where the map came from (its URL, or the script's for an inline map), to
    /// explain the choice; `None` when the lookup has no such name.
    pub map_url: Option<String>,
    /// The minified script's function scopes when the lookup has them ready (an
    /// artifact store parses them at ingest); `None`: parsed from `minified` on first
    /// use.
    pub minified_scopes: Option<FunctionScopes>,
}

/// Finds scripts and their maps by debug ID and by URL. Called from any thread the
/// symbolicator is used on; the symbolicator caches what it returns (up to
/// `max_cached_scripts`), so each key is asked about once while its answer is cached.
///
/// Not found is an answer (`Err(Unmapped::DebugIdNotFound)`, `Err(Unmapped::NotFound)`,
/// ...), cached like an artifact; `Err(Unmapped::LoaderFailed)` means "try again later"
/// and is not cached.
pub trait ArtifactLookup: Send + Sync {
    /// The artifact whose map has debug ID `debug_id` (lowercase, hyphenated, as
    /// [`normalize_debug_id`] writes it).
    fn by_debug_id(&self, debug_id: &str) -> std::result::Result<Artifact, Unmapped>;

    /// The artifact for the script at `url`.
    fn by_url(&self, url: &str) -> std::result::Result<Artifact, Unmapped>;
}

/// A shared lookup (one store read by several symbolicators).
impl<L: ArtifactLookup + ?Sized> ArtifactLookup for std::sync::Arc<L> {
    fn by_debug_id(&self, debug_id: &str) -> std::result::Result<Artifact, Unmapped> {
        (**self).by_debug_id(debug_id)
    }

    fn by_url(&self, url: &str) -> std::result::Result<Artifact, Unmapped> {
        (**self).by_url(url)
    }
}

/// The lookup over a [`Loader`]: by URL, it fetches the script and discovers its map.
///
/// It cannot search by debug ID (a loader only answers URLs), so
/// [`ArtifactLookup::by_debug_id`] always answers `DebugIdNotFound`; the symbolicator
/// then loads by URL and, when the frame's image has a debug ID, refuses a map whose
/// own `debugId` differs (a map of another build).
pub struct LoaderLookup {
    loader: Box<dyn Loader>,
    max_data_url_bytes: usize,
    decode_limits: DecodeLimits,
}

impl LoaderLookup {
    /// A lookup through `loader`, decoding within `options`' data-URL and map limits.
    pub fn new(loader: impl Loader + 'static, options: &SymbolicateOptions) -> LoaderLookup {
        LoaderLookup {
            loader: Box::new(loader),
            max_data_url_bytes: options.max_data_url_bytes,
            decode_limits: options.decode_limits,
        }
    }

    fn fetch(&self, url: &str) -> std::result::Result<Option<Vec<u8>>, Unmapped> {
        self.loader.fetch(url).map_err(|e| {
            if e.code() == ErrorCode::InputTooLarge {
                Unmapped::TooLarge {
                    url: url.to_owned(),
                    message: e.message().to_owned(),
                }
            } else {
                Unmapped::LoaderFailed {
                    message: format!("loading {}: {}", excerpt(url), e.message()),
                }
            }
        })
    }
}

impl ArtifactLookup for LoaderLookup {
    fn by_debug_id(&self, debug_id: &str) -> std::result::Result<Artifact, Unmapped> {
        Err(Unmapped::DebugIdNotFound {
            debug_id: debug_id.to_owned(),
        })
    }

    fn by_url(&self, url: &str) -> std::result::Result<Artifact, Unmapped> {
        let script = self.fetch(url)?;
        let minified = script.map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let (map_url, map_bytes) = match minified.as_deref().and_then(discovery::source_mapping_url)
        {
            Some(reference) => {
                if let Some(decoded) =
                    discovery::decode_data_url(reference, self.max_data_url_bytes)
                {
                    let bytes = decoded.map_err(|e| Unmapped::Failed {
                        message: format!("inline source map of {}: {}", excerpt(url), e.message()),
                    })?;
                    (url.to_owned(), bytes)
                } else {
                    let map_url = resolve_reference(url, reference);
                    let bytes = self.fetch(&map_url)?.ok_or_else(|| Unmapped::MapNotFound {
                        map_url: map_url.clone(),
                    })?;
                    (map_url, bytes)
                }
            }
            None => {
                // No comment (or no script): the common `<url>.map` convention.
                let map_url = format!("{}.map", strip_query(url));
                match self.fetch(&map_url)? {
                    Some(bytes) => (map_url, bytes),
                    None if minified.is_some() => {
                        return Err(Unmapped::NoSourceMap {
                            url: url.to_owned(),
                        })
                    }
                    None => {
                        return Err(Unmapped::NotFound {
                            url: url.to_owned(),
                        })
                    }
                }
            }
        };
        let map =
            decode_map(&map_bytes, &map_url, self.decode_limits).map_err(|e| Unmapped::Failed {
                message: format!("source map {}: {}", excerpt(&map_url), e.message()),
            })?;
        Ok(Artifact {
            map,
            minified,
            map_url: Some(map_url),
            minified_scopes: None,
        })
    }
}

/// A debug ID in the one form lookups and cache keys use: a UUID written lowercase
/// with hyphens (`8-4-4-4-12`). Accepts the 32 hex digits with or without hyphens, in
/// any case, and an optional Sentry appendix of `-0` (the age field, always 0 for
/// JavaScript). `None` for anything else.
pub fn normalize_debug_id(text: &str) -> Option<String> {
    let text = text.trim();
    let text = text
        .strip_suffix("-0")
        .filter(|t| t.len() >= 32)
        .unwrap_or(text);
    let hex: String = match text.len() {
        36 if is_uuid(text) => text.chars().filter(|&c| c != '-').collect(),
        32 if text.bytes().all(|b| b.is_ascii_hexdigit()) => text.to_owned(),
        _ => return None,
    };
    let hex = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    ))
}

/// A map from bytes: a mapback cache (by its magic bytes) or JSON, with sources
/// resolved against the map's own URL when that is an absolute URL.
pub(super) fn decode_map(
    bytes: &[u8],
    map_url: &str,
    limits: DecodeLimits,
) -> Result<Box<dyn SourceMapView>> {
    if bytes.starts_with(b"MAPBACKC") {
        return Ok(Box::new(Cache::from_slice(bytes)?));
    }
    let mut options = DecodeOptions::new().limits(limits);
    if let Ok(with_base) = options.clone().base_url(map_url) {
        options = with_base;
    }
    Ok(Box::new(SourceMap::from_slice_with(bytes, &options)?))
}

/// Resolves a map reference against the script's URL: as a URL when the script's is
/// one, else as a path relative to the script's directory (Node prints paths).
pub(super) fn resolve_reference(script_url: &str, reference: &str) -> String {
    if let Ok(base) = url::Url::parse(script_url) {
        if let Ok(resolved) = base.join(reference) {
            return resolved.into();
        }
    }
    if url::Url::parse(reference).is_ok() || reference.starts_with('/') {
        return reference.to_owned();
    }
    match strip_query(script_url).rfind('/') {
        Some(slash) => format!("{}/{}", &script_url[..slash], reference),
        None => reference.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_against_urls_and_paths() {
        assert_eq!(
            resolve_reference("https://x.com/js/app.js", "app.js.map"),
            "https://x.com/js/app.js.map"
        );
        assert_eq!(
            resolve_reference("https://x.com/js/app.js", "/maps/a.map"),
            "https://x.com/maps/a.map"
        );
        assert_eq!(
            resolve_reference("/srv/app/dist/app.js", "app.js.map"),
            "/srv/app/dist/app.js.map"
        );
        assert_eq!(
            resolve_reference("file:///srv/app.js", "app.js.map"),
            "file:///srv/app.js.map"
        );
        assert_eq!(resolve_reference("app.js", "app.js.map"), "app.js.map");
    }

    #[test]
    fn lookups_are_object_safe_and_shareable() {
        fn usable<L: ArtifactLookup + 'static>(lookup: L) -> super::super::Symbolicator {
            super::super::Symbolicator::with_lookup(lookup, SymbolicateOptions::default())
        }
        let loader = |_: &str| -> Result<Option<Vec<u8>>> { Ok(None) };
        let shared: std::sync::Arc<dyn ArtifactLookup> =
            std::sync::Arc::new(LoaderLookup::new(loader, &SymbolicateOptions::default()));
        assert!(matches!(
            shared.by_url("https://x/a.js"),
            Err(Unmapped::NotFound { .. })
        ));
        assert!(matches!(
            shared.by_debug_id("869a7777-576f-454e-bd77-0b6aa3a52d82"),
            Err(Unmapped::DebugIdNotFound { .. })
        ));
        let _one = usable(std::sync::Arc::clone(&shared));
        let _two = usable(shared);
    }

    #[test]
    fn debug_ids_normalize_to_one_form() {
        let canonical = "869a7777-576f-454e-bd77-0b6aa3a52d82";
        for form in [
            canonical,
            "869A7777-576F-454E-BD77-0B6AA3A52D82",
            "869a7777576f454ebd770b6aa3a52d82",
            " 869a7777-576f-454e-bd77-0b6aa3a52d82-0 ",
        ] {
            assert_eq!(
                normalize_debug_id(form).as_deref(),
                Some(canonical),
                "{form}"
            );
        }
        for bad in [
            "",
            "869a7777-576f-454e-bd77-0b6aa3a52d8",
            "869a7777-576f-454e-bd77-0b6aa3a52d8z",
            "869a777-7576f-454e-bd77-0b6aa3a52d82",
            "869a7777-576f-454e-bd77-0b6aa3a52d82-1",
            "not a debug id",
        ] {
            assert_eq!(normalize_debug_id(bad), None, "{bad}");
        }
    }
}
