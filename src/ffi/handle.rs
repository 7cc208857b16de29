//! Handles written once: how an opaque object is boxed for C, borrowed back from a
//! pointer C passes in (NULL becomes a typed `MAPBACK_ERROR_NULL_POINTER` error), and
//! freed NULL-safely.
//!
//! Soundness rests on one contract, stated on every export that takes a handle: a
//! non-NULL handle pointer came from that type's constructor, has not been freed, and
//! (for `&mut` access) is not used by another thread during the call. The methods here
//! are safe to call for that reason, and only exports call them, with pointers taken
//! straight from their own arguments (rustls-ffi's `Castable` makes the same trade).

use crate::error::Error;

use super::boundary::null_argument;

/// An object C holds by pointer: boxed by [`Handle::into_raw`], released by
/// [`Handle::free`].
pub(crate) trait Handle: Sized {
    /// The parameter name used in "must not be NULL" errors.
    const ARGUMENT: &'static str;

    /// Moves `self` to the heap and gives C the pointer; C owns it from now on.
    fn into_raw(self) -> *mut Self {
        Box::into_raw(Box::new(self))
    }

    /// Borrows the object behind a required pointer.
    fn from_ptr<'a>(ptr: *const Self) -> Result<&'a Self, Error> {
        Self::from_nullable(ptr).ok_or_else(|| null_argument(Self::ARGUMENT))
    }

    /// Borrows the object behind an optional pointer (NULL gives `None`).
    fn from_nullable<'a>(ptr: *const Self) -> Option<&'a Self> {
        // SAFETY: NULL or a live handle, per the module's contract.
        unsafe { ptr.as_ref() }
    }

    /// Borrows the object behind a required pointer for mutation.
    fn from_mut_ptr<'a>(ptr: *mut Self) -> Result<&'a mut Self, Error> {
        // SAFETY: NULL or a live handle no other thread uses, per the module's contract.
        unsafe { ptr.as_mut() }.ok_or_else(|| null_argument(Self::ARGUMENT))
    }

    /// Drops an object given out by [`Handle::into_raw`]; NULL is ignored.
    fn free(ptr: *mut Self) {
        if !ptr.is_null() {
            // SAFETY: non-NULL handles come from `into_raw` (a `Box`) and, per the
            // `_free` exports' contract, are freed once and not in use.
            drop(unsafe { Box::from_raw(ptr) });
        }
    }
}
