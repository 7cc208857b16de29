//! Build script: generates `include/mapback.h` with cbindgen (when asked) and notes
//! whether the tc39 conformance suite is present for the tests.

use std::path::Path;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(mapback_no_tc39)");
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets this");
    let suite = std::env::var("MAPBACK_TC39_DIR")
        .unwrap_or_else(|_| format!("{manifest_dir}/../shared/conformance/tc39-source-map-tests"));
    println!("cargo::rerun-if-env-changed=MAPBACK_TC39_DIR");
    println!("cargo::rerun-if-changed={suite}");
    if !Path::new(&suite)
        .join("source-map-spec-tests.json")
        .exists()
    {
        println!("cargo::warning=tc39 conformance suite not found at {suite}: those tests will be IGNORED");
        println!("cargo::rustc-cfg=mapback_no_tc39");
    }
}
