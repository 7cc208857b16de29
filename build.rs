//! Build script.
//! - Generates the C header from `src/ffi` with cbindgen when `MAPBACK_HEADER_OUT` names
//!   a file to write (`make header` / `make check-header`); ordinary builds skip it.
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
