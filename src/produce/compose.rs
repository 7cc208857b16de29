//! Composition: the map of the last build step, traced back through the maps of the
//! steps before it, down to the original sources.
//!
//! The steps form a tree: the outermost map's sources may each have a map of their own
//! (a loader says which), whose sources may again, and so on. Every mapping of the
//! outermost map is followed down the tree by greatest-lower-bound lookups on the same
//! line, as a debugger would resolve it step by step. The innermost name seen wins
//! (a minifier's name is the least useful). A mapping whose trace falls off an inner
//! map (no mapping at or before that column on that line) or lands on an unmapped
//! segment becomes an unmapped segment, so that its generated range maps to nothing
//! instead of to the previous mapping's original position.
//!
//! Source names are relative to the map that lists them, and an inner map is the map of
//! a file named by its parent; so each inner map's source names are resolved against
//! that file's name (`bundle.js`'s `../src/a.ts`, with `bundle.js` at `dist/bundle.js`,
//! is `src/a.ts`). The loader and the output see names relative to the outermost map.

use std::collections::HashMap;

use crate::error::{Error, ErrorCode, Result};
use crate::lookup::{Bias, LookupOptions};
use crate::mappings::{RawToken, NONE};
use crate::view::SourceMapView;

use super::builder::SourceMapBuilder;

/// How deep a chain of maps may be; deeper means the loader runs in a cycle.
pub const MAX_COMPOSE_DEPTH: usize = 64;

/// A map in the tree: borrowed from the caller or owned from the loader.
pub enum StepMap<'a> {
    /// A map the caller keeps.
    Borrowed(&'a dyn SourceMapView),
    /// A map the loader returned.
    Owned(Box<dyn SourceMapView>),
}

impl StepMap<'_> {
    fn view(&self) -> &dyn SourceMapView {
        match self {
            StepMap::Borrowed(map) => *map,
            StepMap::Owned(map) => map.as_view(),
        }
    }
}

/// Finds the map of a source, by its name (`sourceRoot` applied, resolved against the
/// file the listing map belongs to: see the module docs); `Ok(None)` when the source is
/// an original. `depth` is 1 for the sources of the outermost map.
pub type MapLoader<'l, 'a> = dyn FnMut(&str, usize) -> Result<Option<StepMap<'a>>> + 'l;

struct Node<'a> {
    map: StepMap<'a>,
    /// The resolved name of the file this is the map of (`None` for the outermost).
    file: Option<String>,
    /// Per source of `map`: the node of its own map, or `None` for an original.
    children: Vec<Option<usize>>,
}

/// Composes `chain` (outermost map first; each further map is the map of the single
/// source of the one before it) and whatever `loader` returns for the sources of the
/// last one, recursively. An empty `chain` is an `InvalidArgument` error, as is a map
/// in the middle of the chain with other than one source.
pub fn compose<'a>(
    chain: &[&'a dyn SourceMapView],
    loader: &mut MapLoader<'_, 'a>,
) -> Result<SourceMapBuilder> {
    let Some(outer) = chain.first() else {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            "compose needs at least one map",
        ));
    };
    let mut nodes: Vec<Node<'a>> = Vec::new();
    build_tree(
        StepMap::Borrowed(*outer),
        None,
        &chain[1..],
        0,
        loader,
        &mut nodes,
    )?;
    Ok(trace_all(&nodes))
}

fn build_tree<'a>(
    map: StepMap<'a>,
    file: Option<String>,
    rest_of_chain: &[&'a dyn SourceMapView],
    depth: usize,
    loader: &mut MapLoader<'_, 'a>,
    nodes: &mut Vec<Node<'a>>,
) -> Result<usize> {
    if depth >= MAX_COMPOSE_DEPTH {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("the chain of maps is deeper than {MAX_COMPOSE_DEPTH}: does the loader return maps in a cycle?"),
        ));
    }
    let index = nodes.len();
    let source_count = map.view().source_count();
    nodes.push(Node {
        map,
        file,
        children: vec![None; source_count],
    });
    if let Some((next, rest)) = rest_of_chain.split_first() {
        let named: Vec<u32> = (0..source_count as u32)
            .filter(|&s| nodes[index].map.view().source_name(s).is_some())
            .collect();
        if named.len() != 1 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "map {depth} of the chain has {} sources; a map followed by another in the chain must have exactly one (use a loader for several)",
                    named.len()
                ),
            ));
        }
        let name = nodes[index].source_name(named[0]);
        let child = build_tree(
            StepMap::Borrowed(*next),
            name,
            rest,
            depth + 1,
            loader,
            nodes,
        )?;
        nodes[index].children[named[0] as usize] = Some(child);
        return Ok(index);
    }
    for source in 0..source_count as u32 {
        let Some(name) = nodes[index].source_name(source) else {
            continue;
        };
        if let Some(map) = loader(&name, depth + 1)? {
            let child = build_tree(map, Some(name), &[], depth + 1, loader, nodes)?;
            nodes[index].children[source as usize] = Some(child);
        }
    }
    Ok(index)
}

impl Node<'_> {
    /// The name of source `index` of this node's map, resolved against `file`.
    fn source_name(&self, index: u32) -> Option<String> {
        let name = self.map.view().source_prefixed_name(index)?;
        Some(match &self.file {
            Some(file) => resolve_against(file, name),
            None => name.to_owned(),
        })
    }
}

/// `name` relative to the directory of `file`, with `.` and `..` segments folded (a
/// `..` above the start is kept). Names with a URL scheme or a leading `/` are
/// absolute and kept as they are.
fn resolve_against(file: &str, name: &str) -> String {
    if name.starts_with('/') || has_scheme(name) {
        return name.to_owned();
    }
    let directory = file.rfind('/').map_or("", |slash| &file[..=slash]);
    // A "scheme://authority/" start of the directory is kept whole.
    let (fixed, path) = match directory.find("://") {
        Some(at) => {
            let rest = &directory[at + 3..];
            let split = at + 3 + rest.find('/').map_or(rest.len(), |slash| slash + 1);
            directory.split_at(split)
        }
        None if directory.starts_with('/') => ("/", &directory[1..]),
        None => ("", directory),
    };
    let mut segments: Vec<&str> = Vec::new();
    let joined = format!("{path}{name}");
    let parts: Vec<&str> = joined.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {}
            "" if i + 1 < parts.len() => {}
            ".." if segments.last().is_some_and(|last| *last != "..") => {
                segments.pop();
            }
            ".." if !fixed.is_empty() => {}
            other => segments.push(other),
        }
    }
    format!("{fixed}{}", segments.join("/"))
}

fn has_scheme(name: &str) -> bool {
    let Some(colon) = name.find(':') else {
        return false;
    };
    let scheme = &name[..colon];
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// Where a trace ends.
enum Traced<'n> {
    /// At an original source: (node, source index in that node's map), with a position.
    Original {
        node: usize,
        source: u32,
        line: u32,
        column: u32,
        name: Option<&'n str>,
    },
    /// Nowhere: an inner map has no mapping there, or an unmapped one.
    Unmapped,
}

fn trace<'n>(
    nodes: &'n [Node<'_>],
    mut node: usize,
    mut source: u32,
    mut line: u32,
    mut column: u32,
    mut name: Option<&'n str>,
) -> Traced<'n> {
    loop {
        let Some(child) = nodes[node].children[source as usize] else {
            return Traced::Original {
                node,
                source,
                line,
                column,
                name,
            };
        };
        let map = nodes[child].map.view();
        let Some(token) = map.raw_lookup(line, column, LookupOptions::default()) else {
            return Traced::Unmapped;
        };
        if !token.has_original() {
            return Traced::Unmapped;
        }
        if token.name != NONE {
            name = map.name(token.name).or(name);
        }
        node = child;
        source = token.source;
        line = token.original_line;
        column = token.original_column;
    }
}

/// A position in a file: (line, column), 0-based.
type Pos = (u32, u32);

/// The position as far from `base` as `to` is from `from` (at or after it), under the
/// range mapping rule: on `from`'s line the columns add up; on a later line the line
/// moves by the line difference and the column is `to`'s. `None` when it does not fit.
fn carry(from: Pos, to: Pos, base: Pos) -> Option<Pos> {
    if to.0 == from.0 {
        Some((base.0, base.1.checked_add(to.1.checked_sub(from.1)?)?))
    } else {
        Some((base.0.checked_add(to.0.checked_sub(from.0)?)?, to.1))
    }
}

/// Part of a range traced down: from `at` (in the coordinates of the file the range
/// was traced into) up to the next piece, `traced` with the offset rule if `range`.
struct Piece<'n> {
    at: Pos,
    traced: Traced<'n>,
    range: bool,
}

/// Traces a range of source `source` of `node`'s map, `start` up to `end` (`None`: the
/// end of the file), which the map above copies unchanged: cut where the map of that
/// source has a mapping inside it, each part traced on; a part whose own mapping is a
/// range mapping again is traced as a range (an outer range over an inner range stays
/// a range mapping), any other part as a point (the mapping covers the part, so the
/// point's original is the whole part's). Names: a part keeps the name of a mapping
/// that starts exactly where it does, and the first part the name from above.
fn split<'n>(
    nodes: &'n [Node<'_>],
    node: usize,
    source: u32,
    start: Pos,
    end: Option<Pos>,
    name: Option<&'n str>,
    out: &mut Vec<Piece<'n>>,
) {
    let Some(child) = nodes[node].children[source as usize] else {
        let traced = Traced::Original {
            node,
            source,
            line: start.0,
            column: start.1,
            name,
        };
        out.push(Piece {
            at: start,
            traced,
            range: true,
        });
        return;
    };
    let map = nodes[child].map.view();
    let position = |t: &RawToken| (t.generated_line, t.generated_column);
    let inside = |at: Pos| end.is_none_or(|end| at < end);
    let mut part_start = start;
    let mut covering = map.raw_lookup(start.0, start.1, LookupOptions::default());
    // The child's mappings after `start`, in generated order.
    let mut next = match covering {
        Some(t) => t.index as usize + 1,
        None => map
            .raw_lookup(start.0, start.1, after_anywhere())
            .map_or(map.token_count(), |t| t.index as usize),
    };
    loop {
        let boundary = (next..map.token_count())
            .filter_map(|i| map.raw_token(i))
            .find(|t| position(t) > part_start)
            .filter(|t| inside(position(t)));
        let part_end = boundary.as_ref().map(position).or(end);
        let first = part_start == start;
        match covering {
            Some(t) if t.has_original() => {
                let own = (t.name != NONE && position(&t) == part_start)
                    .then(|| map.name(t.name))
                    .flatten();
                let part_name = own.or(if first { name } else { None });
                let original = (t.original_line, t.original_column);
                if t.is_range {
                    let original_end = match part_end {
                        Some(e) => carry(part_start, e, original),
                        None => None,
                    };
                    let mut below = Vec::new();
                    split(
                        nodes,
                        child,
                        t.source,
                        original,
                        original_end,
                        part_name,
                        &mut below,
                    );
                    for piece in below {
                        if let Some(at) = carry(original, piece.at, part_start) {
                            out.push(Piece { at, ..piece });
                        }
                    }
                } else {
                    let traced = trace(nodes, child, t.source, original.0, original.1, part_name);
                    out.push(Piece {
                        at: part_start,
                        traced,
                        range: false,
                    });
                }
            }
            _ => out.push(Piece {
                at: part_start,
                traced: Traced::Unmapped,
                range: false,
            }),
        }
        let Some(boundary) = boundary else {
            return;
        };
        part_start = position(&boundary);
        covering = map.raw_lookup(part_start.0, part_start.1, LookupOptions::default());
        next = boundary.index as usize + 1;
    }
}

/// A lookup for the first mapping at or after a position, on any later line.
fn after_anywhere() -> LookupOptions {
    LookupOptions {
        bias: Bias::LeastUpperBound,
        same_line: false,
    }
}

fn trace_all<'n>(nodes: &'n [Node<'_>]) -> SourceMapBuilder {
    let outer = nodes[0].map.view();
    let mut builder = SourceMapBuilder::new();
    builder.set_file(outer.file());
    // Hermes's offsets describe the bytecode, which the outermost map is the map of.
    builder.set_hermes_function_offsets(outer.hermes_function_offsets().cloned());
    let mut source_slots: HashMap<(usize, u32), u32> = HashMap::new();
    let mut name_slots: HashMap<&'n str, u32> = HashMap::new();
    let mut emit = |builder: &mut SourceMapBuilder, at: Pos, traced: Traced<'n>, range: bool| {
        let Traced::Original {
            node,
            source,
            line,
            column,
            name,
        } = traced
        else {
            builder.push_segment([at.0, at.1, NONE, NONE, NONE, NONE, 0]);
            return;
        };
        let slot = *source_slots.entry((node, source)).or_insert_with(|| {
            let map = nodes[node].map.view();
            let slot = builder.intern_source(
                nodes[node].source_name(source).as_deref(),
                map.source_content(source),
                map.source_is_ignored(source),
            );
            builder.adopt_function_map(slot, map.function_map(source));
            slot
        });
        let name_slot = match name {
            None => NONE,
            Some(text) => *name_slots
                .entry(text)
                .or_insert_with(|| builder.add_name(text)),
        };
        builder.push_segment([at.0, at.1, slot, line, column, name_slot, u32::from(range)]);
    };
    for index in 0..outer.token_count() {
        let Some(t) = outer.raw_token(index) else {
            break;
        };
        let at = (t.generated_line, t.generated_column);
        if !t.has_original() {
            emit(&mut builder, at, Traced::Unmapped, false);
            continue;
        }
        let name = (t.name != NONE).then(|| outer.name(t.name)).flatten();
        if !t.is_range {
            let traced = trace(nodes, 0, t.source, t.original_line, t.original_column, name);
            emit(&mut builder, at, traced, false);
            continue;
        }
        // A range mapping: traced as a range, cut where the maps below have mappings.
        let original = (t.original_line, t.original_column);
        let end = outer
            .raw_token(index + 1)
            .and_then(|next| carry(at, (next.generated_line, next.generated_column), original));
        let mut pieces = Vec::new();
        split(nodes, 0, t.source, original, end, name, &mut pieces);
        for piece in pieces {
            if let Some(generated) = carry(original, piece.at, at) {
                emit(&mut builder, generated, piece.traced, piece.range);
            }
        }
    }
    builder
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::SourceMap;

    fn map(json: &str) -> SourceMap {
        SourceMap::from_slice(json.as_bytes()).unwrap()
    }

    #[test]
    fn traces_through_a_loaded_map_and_keeps_inner_names() {
        // min.js 0:0 -> bundle.js 1:2 (name "a"); bundle.js 1:0 -> src.ts 4:6 (name "total").
        let outer =
            map(r#"{"version":3,"sources":["bundle.js"],"names":["a"],"mappings":"AACEA,EAAA"}"#);
        let inner = r#"{"version":3,"sources":["src.ts"],"sourcesContent":["x"],"names":["total"],"mappings":";AAIMA"}"#;
        let mut loader = |name: &str, _depth: usize| -> Result<Option<StepMap<'_>>> {
            Ok((name == "bundle.js").then(|| StepMap::Owned(Box::new(map(inner)))))
        };
        let composed = compose(&[&outer], &mut loader).unwrap().build().unwrap();
        let token = composed.lookup(0, 0).unwrap();
        assert_eq!(token.source().unwrap().name(), Some("src.ts"));
        assert_eq!(
            (token.original_line(), token.original_column()),
            (Some(4), Some(6))
        );
        assert_eq!(token.name(), Some("total"));
        assert_eq!(composed.source_content(0), Some("x"));
        // 0:2 -> bundle.js 1:2 -> src.ts 4:6 too (greatest lower bound on line 1).
        assert_eq!(composed.lookup(0, 2).unwrap().original_line(), Some(4));
    }

    #[test]
    fn contents_and_ignore_list_come_from_the_map_listing_the_original() {
        let outer =
            map(r#"{"version":3,"sources":["dist/bundle.js"],"names":[],"mappings":"AAAA,EAAC"}"#);
        // bundle.js maps 0:0 to a vendor file (ignored) and 0:1 to the app (with content).
        let inner = map(
            r#"{"version":3,"sources":["../node_modules/lib.js","../src/app.ts"],"sourcesContent":[null,"app"],"ignoreList":[0],"names":[],"mappings":"AAAA,CCAA"}"#,
        );
        let composed = compose(&[&outer, &inner], &mut |_: &str, _: usize| Ok(None))
            .unwrap()
            .build()
            .unwrap();
        let vendor = composed.lookup(0, 0).unwrap().source().unwrap();
        assert_eq!(vendor.name(), Some("node_modules/lib.js"));
        assert!(vendor.is_ignored() && vendor.content().is_none());
        let app = composed.lookup(0, 2).unwrap().source().unwrap();
        assert_eq!(app.name(), Some("src/app.ts"));
        assert!(!app.is_ignored());
        assert_eq!(app.content(), Some("app"));
    }

    #[test]
    fn a_trace_that_falls_off_becomes_unmapped() {
        let outer =
            map(r#"{"version":3,"sources":["bundle.js"],"names":[],"mappings":"AAAA,EAAE"}"#);
        // bundle.js has a mapping only from 0:2.
        let inner = map(r#"{"version":3,"sources":["src.ts"],"names":[],"mappings":"EAAA"}"#);
        let composed = compose(&[&outer, &inner], &mut |_: &str, _: usize| Ok(None))
            .unwrap()
            .build()
            .unwrap();
        assert!(!composed.lookup(0, 0).unwrap().has_original());
        assert_eq!(
            composed.lookup(0, 2).unwrap().source().unwrap().name(),
            Some("src.ts")
        );
    }

    #[test]
    fn names_resolve_against_the_file_a_map_belongs_to() {
        assert_eq!(resolve_against("dist/bundle.js", "../src/a.ts"), "src/a.ts");
        assert_eq!(resolve_against("bundle.js", "./a.ts"), "a.ts");
        assert_eq!(resolve_against("out/x.js", "../../a.ts"), "../a.ts");
        assert_eq!(resolve_against("out/x.js", "/abs/a.ts"), "/abs/a.ts");
        assert_eq!(
            resolve_against("out/x.js", "webpack:///a.ts"),
            "webpack:///a.ts"
        );
        assert_eq!(
            resolve_against("https://cdn.test/js/app.js", "../src/a.ts"),
            "https://cdn.test/src/a.ts"
        );
        assert_eq!(
            resolve_against("https://cdn.test/app.js", "../a.ts"),
            "https://cdn.test/a.ts"
        );
        assert_eq!(
            resolve_against("/srv/out/x.js", "../src/a.ts"),
            "/srv/src/a.ts"
        );
        assert_eq!(resolve_against("C:/x.js", "a.ts"), "C:/a.ts");
    }

    #[test]
    fn a_cycle_is_an_error_not_a_hang() {
        let outer = map(r#"{"version":3,"sources":["self.js"],"names":[],"mappings":"AAAA"}"#);
        let json = r#"{"version":3,"sources":["self.js"],"names":[],"mappings":"AAAA"}"#;
        let mut loader = |_: &str, _: usize| -> Result<Option<StepMap<'_>>> {
            Ok(Some(StepMap::Owned(Box::new(map(json)))))
        };
        let error = compose(&[&outer], &mut loader).err().unwrap();
        assert_eq!(error.code(), ErrorCode::InvalidArgument);
    }
}
