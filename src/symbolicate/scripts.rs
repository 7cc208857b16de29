//! Scripts and their maps as the symbolicator keeps them: each [`Artifact`] an
//! [`ArtifactLookup`] returns becomes a [`Script`], kept in a bounded cache shared by
//! all threads and keyed by what found it (a debug ID or a URL). A script's function
//! scopes and minified lines are worked out on first use and kept with it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, MutexGuard, OnceLock, Weak};

use crate::position::{Position, SourcePosition};
use crate::scopes::FunctionScopes;
use crate::view::SourceMapView;

use super::artifacts::{normalize_debug_id, Artifact, FoundBy};
use super::{Symbolicator, Unmapped};

#[cfg(doc)]
use super::ArtifactLookup;

/// A script's map, decoded once, with lazily parsed function scopes.
pub(super) struct Script {
    pub(super) map: Box<dyn SourceMapView>,
    /// Where the map came from, when the lookup said.
    pub(super) map_url: Option<String>,
    /// The map's debug ID, normalized.
    pub(super) debug_id: Option<String>,
    /// The minified script's text, when it was fetched.
    minified: Option<String>,
    /// The minified script's lines, indexed on first use.
    minified_lines: OnceLock<MinifiedLines>,
    minified_scopes: OnceLock<FunctionScopes>,
    /// Scopes of each original source, parsed on first use. Boxed: a map may have a
    /// million sources, and an empty slot must cost a word, not a `FunctionScopes`.
    source_scopes: Vec<OnceLock<Option<Box<FunctionScopes>>>>,
}

/// What the cache holds for a key: a script, or why there is none.
pub(super) type Loaded = std::result::Result<Arc<Script>, Unmapped>;

/// What a lookup is asked with.
#[derive(Clone, Copy, Debug)]
pub(super) enum Key<'k> {
    /// A normalized debug ID.
    DebugId(&'k str),
    /// A script URL.
    Url(&'k str),
}

impl Key<'_> {
    /// The cache key: debug IDs and URLs never collide.
    fn cache_key(self) -> String {
        match self {
            Key::DebugId(id) => format!("debug-id:{id}"),
            Key::Url(url) => format!("url:{url}"),
        }
    }
}

/// The decoded scripts by key, the least recently added dropped first. A script that
/// two keys found (its debug ID, its URL) is kept once: `by_debug_id` finds a live
/// script with the same debug ID, so its parsed scopes are shared.
#[derive(Default)]
pub(super) struct ScriptCache {
    entries: HashMap<String, Loaded>,
    order: VecDeque<String>,
    by_debug_id: HashMap<String, Weak<Script>>,
}

impl ScriptCache {
    /// Keeps `loaded` for `key` unless another thread did first (then returns that
    /// one); a script whose debug ID a live script already has is replaced by it. Then
    /// drops the oldest entries down to `capacity` (at least one).
    fn insert(&mut self, key: String, loaded: Loaded, capacity: usize) -> Loaded {
        if let Some(found) = self.entries.get(&key) {
            return found.clone();
        }
        let loaded = match loaded {
            Ok(script) => Ok(self.shared(script)),
            Err(e) => Err(e),
        };
        self.entries.insert(key.clone(), loaded.clone());
        self.order.push_back(key);
        while self.order.len() > capacity.max(1) {
            if let Some(oldest) = self.order.pop_front() {
                self.entries.remove(&oldest);
            }
        }
        self.by_debug_id
            .retain(|_, script| script.strong_count() > 0);
        loaded
    }

    /// The live script with `script`'s debug ID, or `script` (then remembered).
    fn shared(&mut self, script: Arc<Script>) -> Arc<Script> {
        let Some(id) = script.debug_id.clone() else {
            return script;
        };
        if let Some(live) = self.by_debug_id.get(&id).and_then(Weak::upgrade) {
            return live;
        }
        self.by_debug_id.insert(id, Arc::downgrade(&script));
        script
    }
}

impl Symbolicator {
    /// The script a frame's map is in, and which key found it: by the frame's debug
    /// ID first, then by its URL. A map found by URL whose own debug ID differs from
    /// the frame's is of another build and refused.
    pub(super) fn script_for(
        &self,
        debug_id: Option<&str>,
        url: Option<&str>,
    ) -> std::result::Result<(Arc<Script>, FoundBy), Unmapped> {
        if let Some(id) = debug_id {
            match self.script_by(Key::DebugId(id)) {
                Ok(script) => return Ok((script, FoundBy::DebugId)),
                Err(Unmapped::DebugIdNotFound { .. }) if url.is_some() => {}
                Err(e) => return Err(e),
            }
        }
        let Some(url) = url else {
            return Err(Unmapped::NoLocation);
        };
        let script = self.script_by(Key::Url(url))?;
        if let (Some(expected), Some(found)) = (debug_id, script.debug_id.as_deref()) {
            if expected != found {
                return Err(Unmapped::DebugIdMismatch {
                    url: url.to_owned(),
                    expected: expected.to_owned(),
                    found: found.to_owned(),
                });
            }
        }
        Ok((script, FoundBy::Url))
    }

    /// The script for `url`, from the cache or loaded now.
    #[cfg(test)]
    pub(super) fn script(&self, url: &str) -> Loaded {
        self.script_by(Key::Url(url))
    }

    /// The script `key` finds, from the cache or looked up now.
    fn script_by(&self, key: Key<'_>) -> Loaded {
        // In a child forked while another thread of the parent held the cache's lock,
        // or was parsing a script's scopes, that lock or parse is never released: the
        // child loads its own scripts and touches nothing the parent shared.
        if std::process::id() != self.process {
            return self.load(key);
        }
        let cache_key = key.cache_key();
        if let Some(found) = self.lock().entries.get(&cache_key) {
            return found.clone();
        }
        // Loaded outside the lock: other threads keep symbolicating meanwhile (two
        // threads may load the same script once each; the second result is dropped).
        let loaded = self.load(key);
        // A loader failure may be transient (storage down): don't remember it.
        if matches!(loaded, Err(Unmapped::LoaderFailed { .. })) {
            return loaded;
        }
        self.lock()
            .insert(cache_key, loaded, self.options.max_cached_scripts)
    }

    fn lock(&self) -> MutexGuard<'_, ScriptCache> {
        // A panic while holding the lock cannot leave the cache inconsistent (inserts
        // and removals are single operations), so a poisoned lock is still usable.
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn load(&self, key: Key<'_>) -> Loaded {
        let artifact = match key {
            Key::DebugId(id) => self.lookup.by_debug_id(id)?,
            Key::Url(url) => self.lookup.by_url(url)?,
        };
        Ok(Arc::new(Script::new(artifact)))
    }

    /// The function scopes of the minified script, parsed on first use; `None` when
    /// the script was not fetched or is larger than `max_parse_bytes`.
    pub(super) fn minified_scopes<'s>(&self, script: &'s Script) -> Option<&'s FunctionScopes> {
        let minified = script
            .minified
            .as_deref()
            .filter(|m| m.len() <= self.options.max_parse_bytes)?;
        Some(
            script
                .minified_scopes
                .get_or_init(|| FunctionScopes::parse_functions(minified, None)),
        )
    }

    /// The function scopes of source `index`: stored in a cache, or parsed from its
    /// content on first use; `None` without content or when nothing parses.
    pub(super) fn source_scopes<'s>(
        &self,
        script: &'s Script,
        index: u32,
    ) -> Option<&'s FunctionScopes> {
        script
            .source_scopes
            .get(index as usize)?
            .get_or_init(|| {
                let map = script.map.as_ref();
                let scopes = map.stored_scopes(index).or_else(|| {
                    let content = map
                        .source_content(index)
                        .filter(|c| c.len() <= self.options.max_parse_bytes)?;
                    Some(FunctionScopes::parse(
                        content,
                        map.source_prefixed_name(index),
                    ))
                })?;
                (!scopes.is_empty()).then(|| Box::new(scopes))
            })
            .as_deref()
    }
}

impl Script {
    fn new(artifact: Artifact) -> Script {
        let Artifact {
            map,
            minified,
            map_url,
            minified_scopes,
        } = artifact;
        let sources = map.source_count();
        Script {
            debug_id: map.debug_id().and_then(normalize_debug_id),
            map,
            map_url,
            minified,
            minified_lines: OnceLock::new(),
            minified_scopes: minified_scopes.map(OnceLock::from).unwrap_or_default(),
            source_scopes: (0..sources).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The line of the minified script that `position` is on, when the script was
    /// fetched, and the byte offset in it of `position`'s column.
    pub(super) fn minified_at(&self, position: Position) -> Option<(&str, usize)> {
        let text = self.minified.as_deref()?;
        let lines = self.minified_lines.get_or_init(|| MinifiedLines::new(text));
        let Position { line, column } = position;
        let line_text = crate::lines::line(text, &lines.starts, line as usize)?;
        let at = match lines.checkpoints.get(&line) {
            Some(checkpoints) => {
                // Walk from the last checkpoint at or before the column.
                let i = checkpoints.partition_point(|&(units, _)| units <= column);
                let (units, byte) = i.checked_sub(1).map_or((0, 0), |i| checkpoints[i]);
                byte as usize + utf16_offset(&line_text[byte as usize..], column - units)?
            }
            // A long line without checkpoints is ASCII: columns are byte offsets.
            None if line_text.len() > MinifiedLines::STEP as usize => {
                (column as usize <= line_text.len()).then_some(column as usize)?
            }
            None => utf16_offset(line_text, column)?,
        };
        Some((line_text, at))
    }
}

/// The minified script's line starts, and for each long line with non-ASCII text,
/// `(UTF-16 column, byte offset)` checkpoints about every [`Self::STEP`] units: minified
/// lines run to megabytes, and a frame's column becomes a byte offset without walking
/// the whole line before it.
struct MinifiedLines {
    starts: Vec<u32>,
    checkpoints: HashMap<u32, Vec<(u32, u32)>>,
}

impl MinifiedLines {
    const STEP: u32 = 1024;

    fn new(text: &str) -> MinifiedLines {
        let starts = crate::lines::line_starts(text);
        let mut checkpoints = HashMap::new();
        for index in 0..starts.len() {
            let Some(line) = crate::lines::line(text, &starts, index) else {
                continue;
            };
            if line.len() <= Self::STEP as usize || line.is_ascii() {
                continue;
            }
            let mut marks = Vec::new();
            let mut units = 0u32;
            for (offset, ch) in line.char_indices() {
                if units >= (marks.len() as u32 + 1) * Self::STEP {
                    marks.push((units, offset as u32));
                }
                units += ch.len_utf16() as u32;
            }
            checkpoints.insert(index as u32, marks);
        }
        MinifiedLines {
            starts,
            checkpoints,
        }
    }
}

impl Script {
    /// Line `at.position.line` of `at.source`'s content and the byte offset in it of
    /// `at`'s column, if it falls on a character.
    pub(super) fn source_at(&self, at: SourcePosition) -> Option<(&str, usize)> {
        let Position { line, column } = at.position;
        let text = self.map.source_line(at.source, line)?;
        Some((text, self.source_offset(at.source, line, text, column)?))
    }

    /// The byte offset of UTF-16 column `column` of `text`, which is line `line` of
    /// source `source`'s content: the column itself on a line the map knows is ASCII.
    pub(super) fn source_offset(
        &self,
        source: u32,
        line: u32,
        text: &str,
        column: u32,
    ) -> Option<usize> {
        if self.map.source_line_is_ascii(source, line) {
            return (column as usize <= text.len()).then_some(column as usize);
        }
        utf16_offset(text, column)
    }
}

/// The byte offset of UTF-16 column `column` of `line`, if it falls on a character.
pub(super) fn utf16_offset(line: &str, column: u32) -> Option<usize> {
    // Minified lines are long and nearly always ASCII before the column: one
    // vectorised check instead of a walk over every character.
    let prefix = line.as_bytes().get(..column as usize);
    if prefix.is_some_and(|p| p.is_ascii()) {
        return Some(column as usize);
    }
    let mut units = 0u32;
    for (offset, ch) in line.char_indices() {
        if units == column {
            return Some(offset);
        }
        units += ch.len_utf16() as u32;
    }
    (units == column).then_some(line.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::SourceMap;
    use crate::symbolicate::{ArtifactLookup, SymbolicateOptions};
    use std::sync::atomic::{AtomicUsize, Ordering};

    const ID: &str = "869a7777-576f-454e-bd77-0b6aa3a52d82";

    #[test]
    fn an_unparsed_source_costs_a_word_or_two() {
        // A map of a million sources gets a slot each when its script is loaded (the
        // hostile catalogue's event_image_with_a_map_of_1m_sources): 16 MB, not 150.
        assert!(std::mem::size_of::<OnceLock<Option<Box<FunctionScopes>>>>() <= 16);
        let mut map = br#"{"version":3,"names":[],"mappings":"AAAA","sources":["#.to_vec();
        map.extend(
            (0..100_000)
                .map(|i| format!("\"s{i}.js\""))
                .collect::<Vec<_>>()
                .join(",")
                .as_bytes(),
        );
        map.extend_from_slice(b"]}");
        let map = SourceMap::from_slice(&map).unwrap();
        let script = Script::new(Artifact {
            map: Box::new(map),
            minified: None,
            map_url: None,
            minified_scopes: None,
        });
        assert_eq!(script.source_scopes.len(), 100_000);
        assert!(script.source_scopes.iter().all(|slot| slot.get().is_none()));
    }

    /// Answers both keys with the same map (whose debug ID is `ID`), counting calls.
    struct Both(Arc<AtomicUsize>);

    impl ArtifactLookup for Both {
        fn by_debug_id(&self, debug_id: &str) -> std::result::Result<Artifact, Unmapped> {
            self.0.fetch_add(1, Ordering::SeqCst);
            if debug_id != ID {
                return Err(Unmapped::DebugIdNotFound {
                    debug_id: debug_id.to_owned(),
                });
            }
            self.by_url("https://x/app.js")
        }

        fn by_url(&self, _url: &str) -> std::result::Result<Artifact, Unmapped> {
            self.0.fetch_add(1, Ordering::SeqCst);
            let json = format!(
                r#"{{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA","debugId":"{}"}}"#,
                ID.to_uppercase()
            );
            Ok(Artifact {
                map: Box::new(SourceMap::from_slice(json.as_bytes()).unwrap()),
                minified: None,
                map_url: None,
                minified_scopes: None,
            })
        }
    }

    #[test]
    fn a_script_found_by_both_keys_is_kept_once() {
        let count = Arc::new(AtomicUsize::new(0));
        let lookup = Both(Arc::clone(&count));
        let symbolicator = Symbolicator::with_lookup(lookup, SymbolicateOptions::default());
        let url = Some("https://x/app.js");
        let (by_id, found) = symbolicator.script_for(Some(ID), url).unwrap();
        assert_eq!(found, FoundBy::DebugId);
        assert_eq!(by_id.debug_id.as_deref(), Some(ID), "normalized");
        let (by_url, found) = symbolicator.script_for(None, url).unwrap();
        assert_eq!(found, FoundBy::Url);
        assert!(Arc::ptr_eq(&by_id, &by_url), "one script for both keys");
        // Cached: asking again by either key calls the lookup no more.
        let before = count.load(Ordering::SeqCst);
        symbolicator.script_for(Some(ID), url).unwrap();
        symbolicator.script_for(None, url).unwrap();
        assert_eq!(count.load(Ordering::SeqCst), before);
        // An unknown debug ID falls back to the URL, whose map has another debug ID:
        // refused as another build's.
        let other = "00000000-0000-4000-8000-000000000000";
        let refused = symbolicator.script_for(Some(other), url);
        assert!(matches!(refused, Err(Unmapped::DebugIdMismatch { .. })));
        // Without a URL, the debug ID's answer stands.
        let missing = symbolicator.script_for(Some(other), None);
        assert!(matches!(missing, Err(Unmapped::DebugIdNotFound { .. })));
    }

    #[test]
    fn columns_past_checkpoints_find_their_byte() {
        // A long non-ASCII line gets checkpoints; a column far into it still lands on
        // the right character.
        let line = format!("{}x", "é".repeat(3000));
        let map = SourceMap::from_slice(br#"{"version":3,"sources":[],"names":[],"mappings":""}"#)
            .unwrap();
        let script = Script::new(Artifact {
            map: Box::new(map),
            minified: Some(line.clone()),
            map_url: None,
            minified_scopes: None,
        });
        let (text, at) = script.minified_at(Position::new(0, 3000)).unwrap();
        assert_eq!(text, line);
        assert_eq!(&text[at..], "x");
        assert_eq!(script.minified_at(Position::new(1, 0)), None);
    }
}
