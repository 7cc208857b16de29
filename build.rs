//! Build script.
//! - Generates the C header from `src/ffi` with cbindgen when `MAPBACK_HEADER_OUT` names
//!   a file to write (`make header` / `make check-header`); ordinary builds skip it.
//! - Notes whether the tc39 conformance suite is present, so its tests are reported as
//!   ignored (never as passed) when it is not.

use std::path::Path;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this");
    generate_header(&manifest_dir);
    detect_conformance_suite(&manifest_dir);
}

fn generate_header(manifest_dir: &str) {
    println!("cargo:rerun-if-env-changed=MAPBACK_HEADER_OUT");
    let Ok(out) = std::env::var("MAPBACK_HEADER_OUT") else {
        return;
    };
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=include/cbindgen.toml");
    let config = cbindgen::Config::from_file(format!("{manifest_dir}/include/cbindgen.toml"))
        .expect("include/cbindgen.toml is valid");
    cbindgen::Builder::new()
        .with_crate(manifest_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate the header")
        .write_to_file(out);
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
