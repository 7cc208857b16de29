//! Reading the other arguments C passes: `(pointer, length)` bytes and text, arrays,
//! optional option structs and out-parameters.
//!
//! Soundness rests on the contract every export documents: a pointer is NULL or valid
//! for what its length (or type) says, for the whole call, and out-parameters are not
//! aliased. The functions here are safe to call for that reason, and only exports call
//! them, with pointers taken straight from their own arguments (or from structs C
//! passed under the same contract). NULL is an error (`MAPBACK_ERROR_NULL_POINTER`)
//! except where a length of 0 or "optional" makes it meaningful.

use std::path::PathBuf;

use crate::error::{Error, ErrorCode};

use super::boundary::null_argument;

/// Borrows `len` bytes at `data`; NULL is allowed only when `len` is 0.
pub(crate) fn bytes<'a>(data: *const u8, len: usize, name: &str) -> Result<&'a [u8], Error> {
    values(data, len, name)
}

/// Borrows `count` values at `data`; NULL is allowed only when `count` is 0.
pub(crate) fn values<'a, T>(data: *const T, count: usize, name: &str) -> Result<&'a [T], Error> {
    if count == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: non-NULL and valid for `count` values, per the module's contract.
    Ok(unsafe { std::slice::from_raw_parts(data, count) })
}

/// Borrows `count` writable values at `data`; NULL is allowed only when `count` is 0.
pub(crate) fn values_mut<'a, T>(
    data: *mut T,
    count: usize,
    name: &str,
) -> Result<&'a mut [T], Error> {
    if count == 0 {
        return Ok(&mut []);
    }
    if data.is_null() {
        return Err(null_argument(name));
    }
    // SAFETY: non-NULL, valid for `count` values and unaliased, per the module's contract.
    Ok(unsafe { std::slice::from_raw_parts_mut(data, count) })
}

/// Borrows an optional input struct (options): NULL gives `None`, meaning the defaults.
pub(crate) fn optional<'a, T>(ptr: *const T) -> Option<&'a T> {
    // SAFETY: NULL or a valid struct, per the module's contract.
    unsafe { ptr.as_ref() }
}

/// Borrows a required out-parameter.
pub(crate) fn output<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    optional_mut(ptr).ok_or_else(|| null_argument(name))
}

/// Borrows a struct to update in place, where NULL means "nothing to do".
pub(crate) fn optional_mut<'a, T>(ptr: *mut T) -> Option<&'a mut T> {
    // SAFETY: NULL or valid for writes and unaliased, per the module's contract.
    unsafe { ptr.as_mut() }
}

/// Reads UTF-8 text passed as `(pointer, length)`.
pub(crate) fn text<'a>(data: *const u8, len: usize, name: &str) -> Result<&'a str, Error> {
    std::str::from_utf8(bytes(data, len, name)?).map_err(|_| {
        Error::new(
            ErrorCode::InvalidArgument,
            format!("argument `{name}` is not valid UTF-8"),
        )
    })
}

/// Reads optional text: NULL means "none", anything else `len` bytes of UTF-8.
pub(crate) fn optional_text<'a>(
    data: *const u8,
    len: usize,
    name: &str,
) -> Result<Option<&'a str>, Error> {
    if data.is_null() {
        return Ok(None);
    }
    text(data, len, name).map(Some)
}

/// Reads a path passed as `(bytes, length)`: raw bytes on Unix, UTF-8 elsewhere.
pub(crate) fn path(data: *const u8, len: usize) -> Result<PathBuf, Error> {
    let raw = bytes(data, len, "path")?;
    if raw.is_empty() {
        return Err(Error::new(ErrorCode::InvalidArgument, "the path is empty"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(raw)))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(raw)
            .map(PathBuf::from)
            .map_err(|_| Error::new(ErrorCode::InvalidArgument, "the path is not valid UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_text_reads_null_as_none() {
        assert_eq!(optional_text(std::ptr::null(), 0, "x").unwrap(), None);
        assert_eq!(optional_text(b"ab".as_ptr(), 2, "x").unwrap(), Some("ab"));
    }

    #[test]
    fn null_is_allowed_only_for_nothing() {
        assert!(bytes(std::ptr::null(), 0, "x").unwrap().is_empty());
        let error = bytes(std::ptr::null(), 1, "x").unwrap_err();
        assert_eq!(error.code(), ErrorCode::NullPointer);
        assert!(error.message().contains("`x`"));
    }
}
