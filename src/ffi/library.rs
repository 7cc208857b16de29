//! The library as a whole: its version, the `MAPBACK_ERROR_*` codes with their
//! descriptions, and `mapback_error_clear`.
//!
//! The error constants are expanded from the one list in `src/error.rs`; cbindgen does
//! not expand macros, so build.rs writes the same list into the header as `#define`s.

use std::ffi::{c_char, CStr};

use crate::error::{for_each_error_code, ErrorCode};

use super::boundary::{ffi_boundary, mapback_error, release_message};
use super::MAPBACK_ABI_VERSION;

/// Expands the error code list into `pub const MAPBACK_ERROR_*: i32` and the
/// NUL-terminated descriptions `mapback_error_code_description` returns.
macro_rules! define_c_error_codes {
    ($($variant:ident = $value:literal, $c_name:ident, $description:literal;)*) => {
        $(#[doc = $description] pub const $c_name: i32 = $value;)*

        /// The description of `code` as a static C string.
        fn c_description(code: ErrorCode) -> &'static CStr {
            let text: &'static str = match code {
                $(ErrorCode::$variant => concat!($description, "\0"),)*
            };
            CStr::from_bytes_with_nul(text.as_bytes()).expect("one NUL, at the end")
        }
    };
}

for_each_error_code!(define_c_error_codes);

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
        if let Some(slot) = super::args::optional_mut(err) {
            release_message(slot);
            slot.code = 0;
            slot.offset = -1;
        }
        Ok(())
    })
}

/// Returns the one-sentence description of error code `code` (a `MAPBACK_ERROR_*`
/// value) as a static NUL-terminated UTF-8 string, the same text the header documents
/// the constant with; NULL for 0 or any number that is not a code.
///
/// The string is owned by the library and lives as long as the library is loaded; do not
/// free it. Unlike `mapback_error.message`, it names the kind of failure, not the
/// particular one. Thread-safe.
#[no_mangle]
pub extern "C" fn mapback_error_code_description(code: i32) -> *const c_char {
    ffi_boundary!({
        Ok(ErrorCode::from_i32(code).map_or(std::ptr::null(), |code| c_description(code).as_ptr()))
    })
}
