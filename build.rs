//! Build script.
//! - Generates the C header from `src/ffi` with cbindgen when `MAPBACK_HEADER_OUT` names
//!   a file to write (`make header` / `make check-header`); ordinary builds skip it.
//!   The header opens with the version macros and the `MAPBACK_ERROR_*` codes, written
//!   here: the codes from the one list in src/error.rs (a macro, which cbindgen cannot
//!   expand), the versions from src/ffi/mod.rs, each with its doc.
//! - Notes whether the tc39 conformance suite is present, so its tests are reported as
//!   ignored (never as passed) when it is not.
//! - Gives the shared library the SONAME `libmapback.so.<ABI major>` on Linux, with the
//!   ABI version read from `MAPBACK_ABI_VERSION` in src/ffi/mod.rs (one source of truth).

use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this");
    generate_header(&manifest_dir);
    detect_conformance_suite(&manifest_dir);
    set_soname(&manifest_dir);
}

fn set_soname(manifest_dir: &str) {
    println!("cargo:rerun-if-changed=src/ffi/mod.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    let source = std::fs::read_to_string(format!("{manifest_dir}/src/ffi/mod.rs"))
        .expect("src/ffi/mod.rs is readable");
    let abi = source
        .lines()
        .find_map(|line| line.strip_prefix("pub const MAPBACK_ABI_VERSION: u32 = "))
        .and_then(|rest| rest.strip_suffix(';'))
        .expect("src/ffi/mod.rs defines MAPBACK_ABI_VERSION");
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libmapback.so.{abi}");
}

fn generate_header(manifest_dir: &str) {
    println!("cargo:rerun-if-env-changed=MAPBACK_HEADER_OUT");
    let Ok(out) = std::env::var("MAPBACK_HEADER_OUT") else {
        return;
    };
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=src/error.rs");
    println!("cargo:rerun-if-changed=include/cbindgen.toml");
    let mut config = cbindgen::Config::from_file(format!("{manifest_dir}/include/cbindgen.toml"))
        .expect("include/cbindgen.toml is valid");
    let read = |path: &str| {
        std::fs::read_to_string(format!("{manifest_dir}/{path}"))
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let ffi = read("src/ffi/mod.rs");
    let mut opening = String::from("\n");
    for name in [
        "MAPBACK_VERSION_MAJOR",
        "MAPBACK_VERSION_MINOR",
        "MAPBACK_VERSION_PATCH",
        "MAPBACK_ABI_VERSION",
    ] {
        let (doc, value) = documented_constant(&ffi, name);
        opening.push_str(&define(&doc, name, &value));
    }
    for (name, value, doc) in error_codes(&read("src/error.rs")) {
        opening.push_str(&define(&[doc], &name, &value));
    }
    config.after_includes = Some(opening.trim_end().to_owned());
    cbindgen::Builder::new()
        .with_crate(manifest_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write_to_file(out);
}

/// `pub const NAME: T = VALUE;` in `source`, with the `///` lines above it.
fn documented_constant(source: &str, name: &str) -> (Vec<String>, String) {
    let lines: Vec<&str> = source.lines().collect();
    let prefix = format!("pub const {name}: ");
    let at = lines
        .iter()
        .position(|line| line.starts_with(&prefix))
        .unwrap_or_else(|| panic!("src/ffi/mod.rs: no `{prefix}...;` line"));
    let value = lines[at]
        .split_once(" = ")
        .and_then(|(_, value)| value.strip_suffix(';'))
        .unwrap_or_else(|| panic!("src/ffi/mod.rs: cannot read {name}"))
        .to_owned();
    let mut doc: Vec<String> = lines[..at]
        .iter()
        .rev()
        .map_while(|line| line.strip_prefix("///"))
        .map(|line| line.trim().to_owned())
        .collect();
    doc.reverse();
    (doc, value)
}

/// `(C name, value, description)` of each code in the `for_each_error_code!` list: the
/// entries `Variant = VALUE, C_NAME, "description";`, `//` comments between them.
fn error_codes(source: &str) -> Vec<(String, String, String)> {
    let start = source
        .find("macro_rules! for_each_error_code")
        .expect("src/error.rs defines for_each_error_code!");
    let body_start = start + source[start..].find("$then! {").expect("the list") + 8;
    let body_end = body_start + source[body_start..].find("\n        }").expect("its end");
    let body: String = source[body_start..body_end]
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join(" ");
    let codes: Vec<(String, String, String)> = body
        .split("\";")
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (head, description) = entry.split_once('"').expect("a description");
            let mut parts = head.split(',').map(str::trim);
            let value = parts
                .next()
                .and_then(|p| p.split_once('='))
                .expect("Variant = N");
            let name = parts.next().expect("a C name");
            (
                name.to_owned(),
                value.1.trim().to_owned(),
                description.to_owned(),
            )
        })
        .collect();
    assert!(codes.len() >= 40, "read only {} error codes", codes.len());
    codes
}

/// A `#define` with its doc comment, in the style cbindgen writes (`doxy`).
fn define(doc: &[String], name: &str, value: &str) -> String {
    let mut out = String::from("/**\n");
    for line in doc {
        out.push_str(format!(" * {line}").trim_end());
        out.push('\n');
    }
    out.push_str(&format!(" */\n#define {name} {value}\n\n"));
    out
}

fn detect_conformance_suite(manifest_dir: &str) {
    println!("cargo:rustc-check-cfg=cfg(mapback_no_tc39)");
    println!("cargo:rerun-if-env-changed=MAPBACK_TC39_DIR");
    let suite = std::env::var("MAPBACK_TC39_DIR")
        .unwrap_or_else(|_| format!("{manifest_dir}/../shared/conformance/tc39-source-map-tests"));
    println!("cargo:rerun-if-changed={suite}");
    if !Path::new(&suite)
        .join("source-map-spec-tests.json")
        .exists()
    {
        println!(
            "cargo:warning=tc39 conformance suite not found at {suite}: those tests are IGNORED"
        );
        println!("cargo:rustc-cfg=mapback_no_tc39");
    }
}
