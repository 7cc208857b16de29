//! The native peers behind one interface: parse to a lookup-ready map, look up, and say
//! what the parsed map keeps on the heap.
//!
//! "Lookup-ready" means the next lookup does no more preparation: for oxc_sourcemap that
//! includes `generate_lookup_table`, which its lookups need.

use crate::alloc_counter::live_bytes;

#[derive(Clone, Copy)]
pub enum Peer {
    Mapback,
    Sourcemap,
    Oxc,
    Srcmap,
}

/// One lookup's answer, comparable across peers: source name, original line and column,
/// name (None when the token has no name).
pub type Answer = (Option<String>, u32, u32, Option<String>);

pub enum Parsed<'a> {
    Mapback(mapback::SourceMap),
    Sourcemap(sourcemap::DecodedMap),
    Oxc(oxc_sourcemap::SourceMap<'a>),
    Srcmap(srcmap_sourcemap::SourceMap),
}

impl Peer {
    pub fn named(name: &str) -> Result<Peer, String> {
        match name {
            "mapback" => Ok(Peer::Mapback),
            "sourcemap" => Ok(Peer::Sourcemap),
            "oxc" => Ok(Peer::Oxc),
            "srcmap" => Ok(Peer::Srcmap),
            _ => Err(format!("unknown peer {name:?}")),
        }
    }

    /// Parses to a lookup-ready map. For oxc the lookup table is built (and dropped, a
    /// single free) here so that its cost is counted.
    pub fn parse<'a>(&self, bytes: &'a [u8]) -> Result<Parsed<'a>, String> {
        match self {
            Peer::Mapback => mapback::SourceMap::from_slice(bytes)
                .map(Parsed::Mapback)
                .map_err(|e| e.to_string()),
            Peer::Sourcemap => sourcemap::decode_slice(bytes)
                .map(Parsed::Sourcemap)
                .map_err(|e| e.to_string()),
            Peer::Oxc => {
                let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
                let map = oxc_sourcemap::SourceMap::from_json_string(text)
                    .map_err(|e| format!("{e:?}"))?;
                std::hint::black_box(map.generate_lookup_table().len());
                Ok(Parsed::Oxc(map))
            }
            // srcmap builds its sorted mappings and line offsets while parsing: nothing
            // is left for the first lookup.
            Peer::Srcmap => {
                let text = std::str::from_utf8(bytes).map_err(|e| e.to_string())?;
                srcmap_sourcemap::SourceMap::from_json(text)
                    .map(Parsed::Srcmap)
                    .map_err(|e| e.to_string())
            }
        }
    }

    /// Heap bytes that a parsed, lookup-ready map keeps once its input is gone, and its
    /// token count. oxc's map borrows its input, so it is made owned first (what a
    /// long-lived holder does) and its lookup table counted.
    pub fn retained(&self, bytes: Vec<u8>) -> Result<(usize, usize), String> {
        let baseline = live_bytes() - bytes.len();
        match self {
            Peer::Mapback | Peer::Sourcemap | Peer::Srcmap => {
                let parsed = self.parse(&bytes)?;
                let parsed: Parsed<'static> = match parsed {
                    Parsed::Mapback(m) => Parsed::Mapback(m),
                    Parsed::Sourcemap(m) => Parsed::Sourcemap(m),
                    Parsed::Srcmap(m) => Parsed::Srcmap(m),
                    Parsed::Oxc(_) => unreachable!(),
                };
                drop(bytes);
                let tokens = parsed.token_count();
                Ok((live_bytes() - baseline, tokens))
            }
            Peer::Oxc => {
                let text = String::from_utf8(bytes).map_err(|e| e.to_string())?;
                let map = oxc_sourcemap::SourceMap::from_json_string(&text)
                    .map_err(|e| format!("{e:?}"))?
                    .into_owned();
                drop(text);
                let table = map.generate_lookup_table();
                let kept = live_bytes() - baseline;
                let tokens = map.get_tokens().len();
                drop(table);
                Ok((kept, tokens))
            }
        }
    }
}

/// A parsed map with whatever its lookups need beside it (oxc's lookup table).
pub enum Prepared<'p, 'a> {
    Mapback(&'p mapback::SourceMap),
    Sourcemap(&'p sourcemap::DecodedMap),
    Oxc(
        &'p oxc_sourcemap::SourceMap<'a>,
        Vec<&'p [oxc_sourcemap::Token]>,
    ),
    Srcmap(&'p srcmap_sourcemap::SourceMap),
}

impl<'a> Parsed<'a> {
    pub fn prepare(&self) -> Prepared<'_, 'a> {
        match self {
            Parsed::Mapback(m) => Prepared::Mapback(m),
            Parsed::Sourcemap(m) => Prepared::Sourcemap(m),
            Parsed::Oxc(m) => Prepared::Oxc(m, m.generate_lookup_table()),
            Parsed::Srcmap(m) => Prepared::Srcmap(m),
        }
    }

    pub fn token_count(&self) -> usize {
        match self {
            Parsed::Mapback(m) => mapback::SourceMapView::token_count(m),
            Parsed::Sourcemap(m) => decoded_token_count(m),
            Parsed::Oxc(m) => m.get_tokens().len(),
            Parsed::Srcmap(m) => m.mapping_count(),
        }
    }
}

impl Prepared<'_, '_> {
    /// Sum over the positions of the found tokens' original line and column: the timed
    /// loop. Every field it reads is one a caller would read.
    pub fn checksum(&self, positions: &[(u32, u32)]) -> u64 {
        let mut sum = 0u64;
        match self {
            Prepared::Mapback(map) => {
                let options = mapback::LookupOptions::default();
                for &(line, column) in positions {
                    if let Some(t) = mapback::SourceMapView::raw_lookup(*map, line, column, options)
                    {
                        sum = sum.wrapping_add(
                            u64::from(t.original_line) << 20 ^ u64::from(t.original_column),
                        );
                    }
                }
            }
            Prepared::Sourcemap(map) => {
                for &(line, column) in positions {
                    if let Some(t) = map.lookup_token(line, column) {
                        sum = sum.wrapping_add(
                            u64::from(t.get_src_line()) << 20 ^ u64::from(t.get_src_col()),
                        );
                    }
                }
            }
            Prepared::Oxc(map, table) => {
                for &(line, column) in positions {
                    if let Some(t) = map.lookup_token(table, line, column) {
                        sum = sum.wrapping_add(
                            u64::from(t.get_src_line()) << 20 ^ u64::from(t.get_src_col()),
                        );
                    }
                }
            }
            Prepared::Srcmap(map) => {
                for &(line, column) in positions {
                    if let Some(t) = map.original_position_for(line, column) {
                        sum = sum.wrapping_add(u64::from(t.line) << 20 ^ u64::from(t.column));
                    }
                }
            }
        }
        sum
    }

    /// Each position's answer, resolved to strings, for comparing peers (not timed).
    pub fn answers(&self, positions: &[(u32, u32)]) -> Vec<Option<Answer>> {
        match self {
            Prepared::Mapback(map) => positions
                .iter()
                .map(|&(line, column)| {
                    let t = mapback::SourceMapView::lookup(*map, line, column)?;
                    Some((
                        t.source().and_then(|s| s.name().map(str::to_owned)),
                        t.original_line()?,
                        t.original_column()?,
                        t.name().map(str::to_owned),
                    ))
                })
                .collect(),
            Prepared::Sourcemap(map) => positions
                .iter()
                .map(|&(line, column)| {
                    let t = map.lookup_token(line, column)?;
                    if !t.has_source() {
                        return None;
                    }
                    Some((
                        t.get_source().map(str::to_owned),
                        t.get_src_line(),
                        t.get_src_col(),
                        t.get_name().map(str::to_owned),
                    ))
                })
                .collect(),
            Prepared::Oxc(map, table) => positions
                .iter()
                .map(|&(line, column)| {
                    let t = map.lookup_token(table, line, column)?;
                    let source = t.get_source_id().and_then(|id| map.get_source(id));
                    source?;
                    Some((
                        source.map(str::to_owned),
                        t.get_src_line(),
                        t.get_src_col(),
                        t.get_name_id()
                            .and_then(|id| map.get_name(id))
                            .map(str::to_owned),
                    ))
                })
                .collect(),
            // None when nothing is at or before the column, or the mapping found has no
            // source (a 1-field segment), as for the others.
            Prepared::Srcmap(map) => positions
                .iter()
                .map(|&(line, column)| {
                    let t = map.original_position_for(line, column)?;
                    Some((
                        map.get_source(t.source).map(str::to_owned),
                        t.line,
                        t.column,
                        t.name.and_then(|id| map.get_name(id)).map(str::to_owned),
                    ))
                })
                .collect(),
        }
    }
}

fn decoded_token_count(map: &sourcemap::DecodedMap) -> usize {
    match map {
        sourcemap::DecodedMap::Regular(m) => m.get_token_count() as usize,
        sourcemap::DecodedMap::Index(m) => m
            .sections()
            .filter_map(|s| s.get_sourcemap())
            .map(decoded_token_count)
            .sum(),
        _ => 0,
    }
}

/// The fingerprint every worker computes the same way (benches/README.md): one line per
/// position, `original_line original_column name` (name `-` when absent) or `-` when
/// nothing is found, joined with `\n`; the first 16 hex digits of its SHA-256. Sources
/// are left out: each peer spells them differently (raw, prefixed, resolved).
pub fn hash_answers(answers: &[Option<Answer>]) -> String {
    use sha2::{Digest, Sha256};
    let lines: Vec<String> = answers
        .iter()
        .map(|answer| match answer {
            Some((_, line, column, name)) => {
                format!("{line} {column} {}", name.as_deref().unwrap_or("-"))
            }
            None => "-".to_owned(),
        })
        .collect();
    let digest = Sha256::digest(lines.join("\n").as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}
