//! Rewriting a map's metadata: names, contents, source paths, `sourceRoot`, debugId;
//! and the `//# debugId=` comment of the generated code.

use crate::error::Result;
use crate::view::SourceMapView;

use super::builder::SourceMapBuilder;

/// What to do with `sourcesContent`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ContentsAction {
    /// Keep the contents the map has.
    #[default]
    Keep,
    /// Remove every content.
    Drop,
    /// Keep the contents the map has, and ask the loader for the missing ones.
    Inline,
}

/// How [`rewrite`] changes a map. The default changes nothing.
#[derive(Clone, Debug, Default)]
pub struct RewriteOptions {
    /// Remove `names` and the names of all mappings.
    pub drop_names: bool,
    /// What to do with `sourcesContent`.
    pub contents: ContentsAction,
    /// Rules applied in order to each source name (with the old `sourceRoot` applied):
    /// the first rule whose `from` prefixes the name replaces that prefix by `to`
    /// (an empty `to` strips it).
    pub prefix_rules: Vec<(String, String)>,
    /// `Some(root)`: write this `sourceRoot` (`Some("")` for none) in front of the
    /// rewritten names. `None`: keep the map's `sourceRoot` when no prefix rule is
    /// given; with prefix rules the names carry the old root and none is written.
    pub source_root: Option<String>,
    /// Set this debugId (a UUID).
    pub debug_id: Option<String>,
}

/// Finds the content of a source by its name (with the old `sourceRoot` applied), for
/// [`ContentsAction::Inline`]. It is never asked for anything but the map's own source
/// names; whether it reads files, and from where, is the caller's decision.
pub type ContentLoader<'l> = dyn FnMut(&str) -> Result<Option<String>> + 'l;

/// Rewrites `map` (mappings unchanged) into a builder, ready to encode.
pub fn rewrite(
    map: &dyn SourceMapView,
    options: &RewriteOptions,
    loader: Option<&mut ContentLoader<'_>>,
) -> Result<SourceMapBuilder> {
    let mut builder = SourceMapBuilder::from_view(map);
    if options.drop_names {
        builder.drop_names();
    }
    match options.contents {
        ContentsAction::Keep => {}
        ContentsAction::Drop => {
            for index in 0..builder.source_count() as u32 {
                builder.set_source_content(index, None)?;
            }
        }
        ContentsAction::Inline => {
            if let Some(loader) = loader {
                for index in 0..map.source_count() as u32 {
                    if builder.source_content(index).is_some() {
                        continue;
                    }
                    let Some(name) = map.source_prefixed_name(index) else {
                        continue;
                    };
                    if let Some(content) = loader(name)? {
                        builder.set_source_content(index, Some(&content))?;
                    }
                }
            }
        }
    }
    if !options.prefix_rules.is_empty() || options.source_root.is_some() {
        for index in 0..map.source_count() as u32 {
            let renamed = map
                .source_prefixed_name(index)
                .map(|name| apply_prefix_rules(name, &options.prefix_rules));
            builder.rename_source(index, renamed);
        }
        builder.set_source_root(options.source_root.as_deref());
    }
    if let Some(id) = &options.debug_id {
        builder.set_debug_id(Some(id))?;
    }
    Ok(builder)
}

fn apply_prefix_rules(name: &str, rules: &[(String, String)]) -> String {
    for (from, to) in rules {
        if let Some(rest) = name.strip_prefix(from.as_str()) {
            return format!("{to}{rest}");
        }
    }
    name.to_owned()
}

/// `code` with a `//# debugId=<id>` comment: an existing debugId comment line is
/// replaced; otherwise the comment goes on its own line before a trailing
/// `//# sourceMappingURL=` comment, or at the end. `debug_id` must be a UUID.
pub fn add_debug_id_comment(code: &str, debug_id: &str) -> Result<String> {
    super::builder::check_debug_id(debug_id)?;
    let comment = format!("//# debugId={debug_id}");
    let is_comment_of = |line: &str, key: &str| {
        let line = line.trim();
        (line.starts_with("//#") || line.starts_with("//@"))
            && line[3..].trim_start().starts_with(key)
    };
    let mut lines: Vec<&str> = code.split('\n').collect();
    if let Some(line) = lines.iter_mut().find(|l| is_comment_of(l, "debugId=")) {
        *line = &comment;
        return Ok(lines.join("\n"));
    }
    // The last non-blank line, if it is the sourceMappingURL comment.
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    if let Some(last) = last.filter(|&i| is_comment_of(lines[i], "sourceMappingURL=")) {
        lines.insert(last, &comment);
        return Ok(lines.join("\n"));
    }
    let mut out = code.to_owned();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&comment);
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::SourceMap;

    const ID: &str = "85314830-023f-4cf1-a267-535f4e37bb17";

    #[test]
    fn debug_id_comment_goes_before_the_source_mapping_url() {
        let with_url = add_debug_id_comment("a();\n//# sourceMappingURL=a.js.map\n", ID).unwrap();
        assert_eq!(
            with_url,
            format!("a();\n//# debugId={ID}\n//# sourceMappingURL=a.js.map\n")
        );
        // Readers find both comments where it puts them.
        assert_eq!(crate::discovery::debug_id(&with_url), Some(ID));
        assert_eq!(
            crate::discovery::source_mapping_url(&with_url),
            Some("a.js.map")
        );
        assert_eq!(
            add_debug_id_comment("a();", ID).unwrap(),
            format!("a();\n//# debugId={ID}\n")
        );
        let once = add_debug_id_comment("a();\n", ID).unwrap();
        let other = "00000000-0000-0000-0000-000000000000";
        assert_eq!(
            add_debug_id_comment(&once, other).unwrap(),
            format!("a();\n//# debugId={other}\n")
        );
        assert!(add_debug_id_comment("a();", "nope").is_err());
    }

    #[test]
    fn prefixes_roots_names_and_contents() {
        let map = SourceMap::from_slice(
            br#"{"version":3,"sourceRoot":"webpack://","sources":["./src/a.js","lib/b.js"],"sourcesContent":["A",null],"names":["x"],"mappings":"AAAAA,CCAA"}"#,
        )
        .unwrap();
        let options = RewriteOptions {
            drop_names: true,
            contents: ContentsAction::Inline,
            prefix_rules: vec![("webpack://./".into(), "".into())],
            source_root: Some("/app/".into()),
            debug_id: Some(ID.into()),
        };
        let mut asked = Vec::new();
        let mut loader = |name: &str| -> Result<Option<String>> {
            asked.push(name.to_owned());
            Ok(Some("B".into()))
        };
        let out = rewrite(&map, &options, Some(&mut loader))
            .unwrap()
            .build()
            .unwrap();
        assert_eq!(asked, ["webpack://lib/b.js"]);
        assert_eq!(out.source_prefixed_name(0), Some("/app/src/a.js"));
        assert_eq!(out.source_prefixed_name(1), Some("/app/webpack://lib/b.js"));
        assert_eq!(
            (out.source_content(0), out.source_content(1)),
            (Some("A"), Some("B"))
        );
        assert_eq!(out.name_count(), 0);
        assert_eq!(out.lookup(0, 0).unwrap().name(), None);
        assert_eq!(out.debug_id(), Some(ID));
    }
}
