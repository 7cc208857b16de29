//! The panic landing pad and error reporting shared by every export.
//!
//! Each export's body is one `ffi_boundary!` call: the body runs inside `catch_unwind`,
//! a returned `Error` or a caught panic is written to the caller's `mapback_error`, and
//! the export returns a neutral value (NULL, false, 0, `MAPBACK_NONE`). Exports stay
//! `extern "C"` (not "C-unwind"), so anything that still escaped would abort rather than
//! unwind into C.

use std::any::Any;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, ErrorCode};

/// An error reported by a mapback function.
///
/// Zero-initialise it once (`mapback_error err = {0};`) and pass it as the last argument
/// of any call. On success `code` is 0 and `message` NULL; on failure `code` is one of
/// the `MAPBACK_ERROR_*` values, `message` a NUL-terminated UTF-8 description owned by
/// the library, and `offset` the byte offset in the input where the problem lies, or -1.
/// Each call first releases a message left by the previous call, so one struct can be
/// reused in a loop; release the last one with `mapback_error_clear`. Not thread-safe
/// for one struct: each thread passes its own.
#[repr(C)]
pub struct mapback_error {
    /// 0 on success, else a `MAPBACK_ERROR_*` code.
    pub code: i32,
    /// Owned by the library; released by `mapback_error_clear` or the next call.
    pub message: *mut c_char,
    /// Byte offset in the input, or -1 when the error has no position.
    pub offset: i64,
}

/// A value an export returns when it fails.
pub(crate) trait FailureValue {
    fn failure() -> Self;
}

impl FailureValue for () {
    fn failure() {}
}

impl FailureValue for bool {
    fn failure() -> bool {
        false
    }
}

impl FailureValue for usize {
    fn failure() -> usize {
        0
    }
}

impl FailureValue for i32 {
    fn failure() -> i32 {
        0
    }
}

impl FailureValue for u32 {
    fn failure() -> u32 {
        crate::mappings::NONE
    }
}

impl<T> FailureValue for *mut T {
    fn failure() -> *mut T {
        std::ptr::null_mut()
    }
}

impl<T> FailureValue for *const T {
    fn failure() -> *const T {
        std::ptr::null()
    }
}

/// Runs an export body: see the module docs.
pub(crate) fn run<T: FailureValue>(
    err: *mut mapback_error,
    body: impl FnOnce() -> Result<T, Error>,
) -> T {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        #[cfg(feature = "panic-injection")]
        if std::env::var_os("MAPBACK_INJECT_PANIC").is_some() {
            panic!("injected by MAPBACK_INJECT_PANIC (the panic-injection test feature)");
        }
        body()
    }));
    let (value, error) = match outcome {
        Ok(Ok(value)) => (value, None),
        Ok(Err(error)) => (T::failure(), Some(error)),
        Err(payload) => (
            T::failure(),
            Some(Error::new(
                ErrorCode::Panic,
                format!("internal error (panic): {}", panic_text(payload.as_ref())),
            )),
        ),
    };
    // SAFETY: the caller passes either NULL or a valid, initialised `mapback_error`
    // (documented on every export).
    if let Some(slot) = unsafe { err.as_mut() } {
        write_error(slot, error.as_ref());
    }
    value
}

fn panic_text(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "unknown panic payload".to_owned()
    }
}

fn write_error(slot: &mut mapback_error, error: Option<&Error>) {
    release_message(slot);
    match error {
        None => {
            slot.code = 0;
            slot.offset = -1;
        }
        Some(error) => {
            slot.code = error.code().as_i32();
            slot.offset = error.offset().map_or(-1, |o| o as i64);
            // Interior NULs cannot appear in a C string; messages are ours, but be safe.
            let text = error.message().replace('\0', "\\0");
            slot.message = CString::new(text).map_or(std::ptr::null_mut(), CString::into_raw);
        }
    }
}

/// Frees the message in `slot`, if any, and sets it to NULL.
pub(crate) fn release_message(slot: &mut mapback_error) {
    if !slot.message.is_null() {
        // SAFETY: non-NULL messages are only ever produced by `CString::into_raw` above,
        // and are set to NULL as soon as they are freed.
        drop(unsafe { CString::from_raw(slot.message) });
        slot.message = std::ptr::null_mut();
    }
}

/// The error for a NULL argument that must not be NULL.
pub(crate) fn null_argument(name: &str) -> Error {
    Error::new(
        ErrorCode::NullPointer,
        format!("argument `{name}` must not be NULL"),
    )
}

/// Runs an export body behind the panic landing pad. Forms:
/// `ffi_boundary!(err, { ... Ok(value) })` reports into `err` (which may be NULL);
/// `ffi_boundary!({ ... })` is for functions without an error parameter.
macro_rules! ffi_boundary {
    ($err:expr, $body:block) => {
        $crate::ffi::boundary::run($err, || $body)
    };
    ($body:block) => {
        $crate::ffi::boundary::run(::std::ptr::null_mut(), || $body)
    };
}
pub(crate) use ffi_boundary;
