//! docs/architecture.md stays the map of the tree: every module of the core, every file
//! of the C ABI and of the symbolicator, and every module of the Python package is
//! named there. A module added without a line in the page fails here.

use std::path::Path;

fn architecture() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md");
    std::fs::read_to_string(path).expect("docs/architecture.md exists")
}

/// The entries of `dir` (relative to the crate) as the page names them: `name.rs` for
/// files with `extension`, `name/` for folders.
fn entries(dir: &str, extension: &str) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.to_owned();
            if path.is_dir() {
                (!name.starts_with('_') && !name.starts_with('.')).then(|| format!("{name}/"))
            } else {
                name.ends_with(extension).then_some(name)
            }
        })
        .collect();
    names.sort();
    names
}

fn missing(names: &[String], page: &str, ignore: &[&str]) -> Vec<String> {
    names
        .iter()
        .filter(|name| !ignore.contains(&name.as_str()))
        .filter(|name| !page.contains(&format!("`{name}`")) && !page.contains(&format!("`{name}")))
        .cloned()
        .collect()
}

#[test]
fn architecture_page_names_every_module() {
    let page = architecture();
    let mut gaps = Vec::new();
    gaps.extend(missing(&entries("src", ".rs"), &page, &["ffi/"]));
    for dir in ["src/ffi", "src/symbolicate", "src/scopes"] {
        gaps.extend(missing(&entries(dir, ".rs"), &page, &["mod.rs"]));
    }
    gaps.extend(missing(
        &entries("python/mapback", ".py"),
        &page,
        &["__init__.py", "__main__.py"],
    ));
    assert!(
        gaps.is_empty(),
        "docs/architecture.md does not name: {gaps:?}"
    );
}

#[test]
fn the_check_sees_a_module_the_page_lacks() {
    let names = vec!["store/".to_owned(), "view.rs".to_owned()];
    assert_eq!(missing(&names, "`view.rs` owns views", &[]), vec!["store/"]);
}
