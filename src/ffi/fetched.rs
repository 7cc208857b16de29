//! `mapback_fetched`: what a C fetch callback gives back (bytes, or a map for a compose
//! loader), and how the library calls such a callback.

use std::ffi::c_void;

use crate::error::{excerpt, Error, ErrorCode};

use super::args::bytes;
use super::boundary::{ffi_boundary, mapback_error, null_argument};
use super::handle::Handle;
use super::sourcemap::mapback_sourcemap;

/// Where a fetch callback puts what it found (opaque). Valid only during the callback
/// that received it; fill it with `mapback_fetched_set` (bytes) or, for a compose
/// loader only, `mapback_fetched_set_map` (a map). Use it only on the thread running
/// that callback.
pub struct mapback_fetched {
    pub(crate) data: Option<Vec<u8>>,
    pub(crate) map: *const mapback_sourcemap,
}

// Not boxed: the library lends one to a callback for the duration of the call.
impl Handle for mapback_fetched {
    const ARGUMENT: &'static str = "out";
}

/// A fetch callback's function pointer, once checked not to be NULL.
pub(crate) type FetchFn =
    unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut mapback_fetched) -> i32;

impl mapback_fetched {
    /// Calls `fetch` for `name` and returns what it gave: `Ok(None)` for status 0, the
    /// filled struct for 1, an `Io` error for any other status.
    ///
    /// # Safety
    /// `fetch` and `user_data` must be callable as the export that took them documents.
    pub(crate) unsafe fn call(
        fetch: FetchFn,
        user_data: *mut c_void,
        name: &str,
    ) -> Result<Option<mapback_fetched>, Error> {
        let mut out = mapback_fetched {
            data: None,
            map: std::ptr::null(),
        };
        // SAFETY: the callback is the caller's, for this purpose; `name` and `out` are
        // valid for the duration of the call.
        let status = unsafe { fetch(user_data, name.as_ptr(), name.len(), &mut out) };
        match status {
            0 => Ok(None),
            1 => Ok(Some(out)),
            other => Err(Error::new(
                ErrorCode::Io,
                format!(
                    "the callback failed with status {other} for \"{}\"",
                    excerpt(name)
                ),
            )),
        }
    }
}

/// A fetch callback: find the bytes at `url` (`url_len` UTF-8 bytes, not
/// NUL-terminated; a script or a source map). Return 1 after `mapback_fetched_set`
/// when found, 0 when there is nothing at that URL, any other value on failure. It is
/// called on the thread that called `mapback_symbolicator_symbolicate`, possibly from
/// several threads at once when the symbolicator is shared.
pub type mapback_fetch_fn = Option<
    unsafe extern "C" fn(
        user_data: *mut c_void,
        url: *const u8,
        url_len: usize,
        out: *mut mapback_fetched,
    ) -> i32,
>;

/// Copies `len` bytes at `data` into `out`, the bytes a fetch callback found. May be
/// called only inside the callback that received `out`; a second call replaces the
/// first. Returns false with `err` set on a NULL argument.
#[no_mangle]
pub unsafe extern "C" fn mapback_fetched_set(
    out: *mut mapback_fetched,
    data: *const u8,
    len: usize,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let out = mapback_fetched::from_mut_ptr(out)?;
        let data = bytes(data, len, "data")?;
        out.data = Some(data.to_vec());
        out.map = std::ptr::null();
        Ok(true)
    })
}

/// Gives `map` as the map a compose loader found (see `mapback_sourcemap_compose`). The
/// map is borrowed, not copied: it must stay valid until the compose call returns. May
/// be called only inside the callback that received `out`; it replaces bytes given
/// before. Returns false with `err` set on a NULL argument.
#[no_mangle]
pub unsafe extern "C" fn mapback_fetched_set_map(
    out: *mut mapback_fetched,
    map: *const mapback_sourcemap,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let out = mapback_fetched::from_mut_ptr(out)?;
        if map.is_null() {
            return Err(null_argument("map"));
        }
        out.data = None;
        out.map = map;
        Ok(true)
    })
}
