//! The C ABI: `extern "C"` functions named `mapback_<object>_<verb>`, opaque typed
//! handles, `(pointer, length)` inputs and an error struct as the last parameter.
//!
//! This module only converts and delegates; logic belongs in the core. `include/mapback.h`
//! is generated from it by cbindgen (`make header`); `make check-header` fails on drift.

#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // Each export documents its contract in prose.

pub(crate) mod boundary;
mod cache;
mod produce;
mod sourcemap;
mod symbolicate;
mod types;

use std::ffi::c_char;

use crate::error::{Error, ErrorCode};

pub use self::boundary::mapback_error;
pub use self::cache::*;
pub use self::produce::*;
pub use self::sourcemap::*;
pub use self::symbolicate::*;
pub use self::types::*;

use self::boundary::{ffi_boundary, null_argument};

/// Major version of the library (semantic versioning of the crate).
pub const MAPBACK_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const MAPBACK_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const MAPBACK_VERSION_PATCH: u32 = 0;
/// Version of the C ABI. It changes only when a signature, struct layout or constant
/// changes incompatibly; compare it with `mapback_abi_version()` at run time.
pub const MAPBACK_ABI_VERSION: u32 = 2;

/// "No value": an absent source, name or original position in a `mapback_token`, a
/// source that was not found, or "the whole line" where a column may be given.
pub const MAPBACK_NONE: u32 = u32::MAX;

/// Returns the library version as a static NUL-terminated string such as "0.1.0".
///
/// The string is owned by the library and lives as long as the library is loaded; do not
/// free it. Thread-safe.
#[no_mangle]
pub extern "C" fn mapback_version() -> *const c_char {
    ffi_boundary!({
        Ok(concat!(env!("CARGO_PKG_VERSION"), "\0")
            .as_ptr()
            .cast::<c_char>())
    })
}

/// Returns the C ABI version (`MAPBACK_ABI_VERSION` of the library actually loaded).
///
/// A program compiled against a header whose `MAPBACK_ABI_VERSION` differs must not use
/// the library. Thread-safe.
#[no_mangle]
pub extern "C" fn mapback_abi_version() -> u32 {
    ffi_boundary!({ Ok(MAPBACK_ABI_VERSION) })
}

/// Releases the message held by `err` and resets it to success (code 0, offset -1).
///
/// `err` may be NULL (nothing happens). It must otherwise point to a zero-initialised or
/// previously used `mapback_error`. Not thread-safe for one `err`: each thread should use
/// its own struct.
#[no_mangle]
pub unsafe extern "C" fn mapback_error_clear(err: *mut mapback_error) {
    ffi_boundary!({
        // SAFETY: the caller passes NULL or a valid `mapback_error` (documented above).
        if let Some(slot) = unsafe { err.as_mut() } {
            boundary::release_message(slot);
            slot.code = 0;
            slot.offset = -1;
        }
        Ok(())
    })
}

/// Borrows `len` bytes at `data`; NULL is allowed only when `len` is 0.
///
/// # Safety
/// `data` must point to `len` readable bytes that outlive the returned slice.
unsafe fn bytes<'a>(data: *const u8, len: usize, name: &str) -> Result<&'a [u8], Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: non-NULL and, per the caller's contract, valid for `len` bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// Borrows `count` values at `data`; NULL is allowed only when `count` is 0.
///
/// # Safety
/// `data` must point to `count` readable, aligned values.
unsafe fn values<'a, T>(data: *const T, count: usize, name: &str) -> Result<&'a [T], Error> {
    if count == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: non-NULL and, per the caller's contract, valid for `count` values.
    Ok(unsafe { std::slice::from_raw_parts(data, count) })
}

/// Borrows `count` writable values at `data`; NULL is allowed only when `count` is 0.
///
/// # Safety
/// `data` must point to `count` writable, aligned values not aliased elsewhere.
unsafe fn values_mut<'a, T>(data: *mut T, count: usize, name: &str) -> Result<&'a mut [T], Error> {
    if count == 0 {
        return Ok(&mut []);
    }
    if data.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: non-NULL and, per the caller's contract, valid and unaliased.
    Ok(unsafe { std::slice::from_raw_parts_mut(data, count) })
}

/// Dereferences a required input pointer.
///
/// # Safety
/// `ptr` must be NULL or valid for reads for the returned lifetime.
unsafe fn required<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: per the caller's contract, non-NULL pointers are valid.
    unsafe { ptr.as_ref() }.ok_or_else(|| null_argument(name))
}

/// Dereferences a required output pointer.
///
/// # Safety
/// `ptr` must be NULL or valid for writes and unaliased for the returned lifetime.
unsafe fn output<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    // SAFETY: per the caller's contract, non-NULL pointers are valid and unaliased.
    unsafe { ptr.as_mut() }.ok_or_else(|| null_argument(name))
}

/// Reads UTF-8 text passed as `(pointer, length)`.
///
/// # Safety
/// As for [`bytes`].
unsafe fn text<'a>(data: *const u8, len: usize, name: &str) -> Result<&'a str, Error> {
    // SAFETY: forwarded contract.
    let raw = unsafe { bytes(data, len, name) }?;
    std::str::from_utf8(raw).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("argument `{name}` is not valid UTF-8"),
        )
    })
}
