//! The C ABI: `extern "C"` functions named `mapback_<object>_<verb>`, opaque typed
//! handles, `(pointer, length)` inputs and an error struct as the last parameter.
//!
//! This module only converts and delegates; logic belongs in the core. The plumbing is
//! written once: `boundary` (the panic landing pad every export's body runs in),
//! `handle` (boxing, borrowing and freeing handles), `args` (reading pointer
//! arguments), `buffer` (owned byte buffers). Exports are filed by the object they act
//! on, one file each.
//!
//! `include/mapback.h` is generated from this module by cbindgen (`make header`;
//! `make check-header` fails on drift). cbindgen keeps source order (`sort_by = "None"`),
//! and reads this file's items first, then the modules in the order they are declared
//! below: so the order of the `mod` lines is the order of the header, written for a C
//! reader (the first calls of every program first).

#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // Each export documents its contract in prose.

// The header's order (one group per line, so that rustfmt keeps it).
// Constants and plain structs.
mod types;
// The map: parse, lookup, free first, then every query.
mod sourcemap;
// Versions, error codes, `mapback_error_clear`.
mod library;
// Opening and writing caches.
mod cache;
// Owned byte buffers.
mod buffer;
// Building, composing, concatenating, rewriting.
mod builder;
// What fetch callbacks give back.
mod fetched;
// Stack traces.
mod symbolicator;
// The artifact store: open, add, find (as a map), list, verify, collect.
mod store;
mod validate;
// The inspector page.
mod inspect;

// Plumbing (no exports).
mod args;
pub(crate) mod boundary;
mod handle;

pub use self::boundary::mapback_error;
pub use self::buffer::*;
pub use self::builder::*;
pub use self::cache::*;
pub use self::fetched::*;
pub use self::inspect::*;
pub use self::library::*;
pub use self::sourcemap::*;
pub use self::store::*;
pub use self::symbolicator::*;
pub use self::types::*;
pub use self::validate::*;

// build.rs writes these four into the header, first, with their docs (and reads the
// ABI version from here for the SONAME): keep each on one line.

/// Major version of the library (semantic versioning of the crate).
pub const MAPBACK_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const MAPBACK_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const MAPBACK_VERSION_PATCH: u32 = 0;
/// Version of the C ABI. It changes only when a signature, struct layout or constant
/// changes incompatibly; compare it with `mapback_abi_version()` at run time.
pub const MAPBACK_ABI_VERSION: u32 = 3;
