//! `mapback_buf`: bytes the library hands to the caller (JSON, cache files, code),
//! built in one place and released by one function that rebuilds the `Box<[u8]>`
//! with its length.

use crate::error::{Error, ErrorCode};

use super::boundary::ffi_boundary;

/// A byte buffer owned by the caller once returned; release it with `mapback_buf_free`.
///
/// Plain data: the caller may move it between threads, but must free it exactly once.
#[repr(C)]
pub struct mapback_buf {
    /// First byte (never NULL for a buffer the library filled).
    pub data: *mut u8,
    /// Length in bytes.
    pub len: usize,
}

impl mapback_buf {
    /// Gives `bytes` to the caller: the only way the library fills a `mapback_buf`.
    pub(crate) fn from_vec(bytes: impl Into<Vec<u8>>) -> mapback_buf {
        let data = bytes.into().into_boxed_slice();
        let len = data.len();
        mapback_buf {
            data: Box::into_raw(data).cast::<u8>(),
            len,
        }
    }

    /// Gives `value` to the caller as UTF-8 JSON text.
    pub(crate) fn from_json(value: &serde_json::Value) -> Result<mapback_buf, Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| {
            Error::new(
                ErrorCode::InvalidArgument,
                format!("could not write JSON: {e}"),
            )
        })?;
        Ok(mapback_buf::from_vec(bytes))
    }
}

/// Releases a buffer filled by the library and sets it to `{NULL, 0}`. NULL, or a
/// buffer whose `data` is NULL, is ignored. Must not be called twice on a copy of the
/// same buffer. Not thread-safe for one buffer.
#[no_mangle]
pub unsafe extern "C" fn mapback_buf_free(buf: *mut mapback_buf) {
    ffi_boundary!({
        if let Some(buf) = super::args::optional_mut(buf) {
            if !buf.data.is_null() {
                let slice = std::ptr::slice_from_raw_parts_mut(buf.data, buf.len);
                // SAFETY: data/len come from `mapback_buf::from_vec` (a `Box<[u8]>`) and
                // are reset below, so the box is rebuilt with its exact length once.
                drop(unsafe { Box::from_raw(slice) });
            }
            buf.data = std::ptr::null_mut();
            buf.len = 0;
        }
        Ok(())
    })
}
