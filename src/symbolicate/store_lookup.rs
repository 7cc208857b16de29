//! The artifact store as the symbolicator's [`ArtifactLookup`]: a frame's map found by
//! its image's debug ID or by its script URL (Sentry's `~/path` matching) among the
//! bundles a [`Store`] holds, and handed over as the entry's memory-mapped cache.

use crate::error::{excerpt, ErrorCode};
use crate::store::{Store, StoreEntry};

use super::{Artifact, ArtifactLookup, Unmapped};

impl ArtifactLookup for Store {
    fn by_debug_id(&self, debug_id: &str) -> Result<Artifact, Unmapped> {
        match self.find_by_debug_id(debug_id) {
            Ok(Some(entry)) => Ok(artifact(entry)),
            Ok(None) => Err(Unmapped::DebugIdNotFound {
                debug_id: debug_id.to_owned(),
            }),
            Err(error) => Err(read_failure(debug_id, error)),
        }
    }

    fn by_url(&self, url: &str) -> Result<Artifact, Unmapped> {
        match self.find_by_url(url) {
            Ok(Some(entry)) => Ok(artifact(entry)),
            Ok(None) => Err(Unmapped::NotFound {
                url: url.to_owned(),
            }),
            Err(error) => Err(read_failure(url, error)),
        }
    }
}

fn artifact(entry: StoreEntry) -> Artifact {
    // The symbolicator keeps the text beside the decoded map for as long as it caches
    // the script; copying it once keeps the seam free of the store's lifetimes.
    let minified = entry
        .script_bytes()
        .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
    let map_url = entry.map_url().or(entry.script_url()).map(str::to_owned);
    let minified_scopes = entry.script_scopes();
    Artifact {
        map: Box::new(entry.into_cache()),
        minified,
        map_url,
        minified_scopes,
    }
}

/// An I/O error may pass (a disk or a network file system hiccup): it is reported as
/// a loader failure, which the symbolicator does not cache. A damaged entry will not
/// mend itself, so it is reported and cached as a failure of that map.
fn read_failure(key: &str, error: crate::Error) -> Unmapped {
    let message = format!("artifact store, {}: {}", excerpt(key), error.message());
    if error.code() == ErrorCode::Io {
        Unmapped::LoaderFailed { message }
    } else {
        Unmapped::Failed { message }
    }
}
