//! `mapback_sourcemap_inspect_html`: the inspector page (`crate::Inspection`) through the
//! C ABI, one self-contained HTML document in a `mapback_buf`.

use crate::Inspection;

use super::args::{bytes, optional_text, output};
use super::boundary::{ffi_boundary, mapback_error};
use super::buffer::mapback_buf;

/// Writes to `*out` the inspector page of the source map of `map_len` bytes at `map`
/// (JSON, regular or index map): one self-contained UTF-8 HTML document (style, code and
/// data inline; it makes no network request) showing the mappings, every problem the
/// validator finds, the map's facts and, when `script` is given, the generated code
/// beside the original sources and each source's share of the script's bytes.
/// docs/inspect.md describes the page.
///
/// `script` (`script_len` bytes of UTF-8) is the generated file the map describes; NULL
/// when unknown. `map_name` and `script_name` (UTF-8) are how the page names the two
/// files; NULL for none. A map that cannot be decoded still gives a page (its
/// diagnostics and facts).
///
/// Returns true on success. Returns false with `err` set for bad arguments: `map` NULL
/// with `map_len` > 0, `out` NULL (`..._NULL_POINTER`), or text arguments that are not
/// UTF-8 (`..._INVALID_ARGUMENT`); `*out` is then untouched.
///
/// Every input is borrowed for the call only. The caller owns the buffer written to
/// `*out` and releases it with `mapback_buf_free`. The page is about the size of the
/// map plus the script (docs/inspect.md gives the bound). Thread-safe: it shares no
/// state.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn mapback_sourcemap_inspect_html(
    map: *const u8,
    map_len: usize,
    script: *const u8,
    script_len: usize,
    map_name: *const u8,
    map_name_len: usize,
    script_name: *const u8,
    script_name_len: usize,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let inspection = Inspection {
            map: bytes(map, map_len, "map")?,
            script: optional_text(script, script_len, "script")?,
            map_name: optional_text(map_name, map_name_len, "map_name")?,
            script_name: optional_text(script_name, script_name_len, "script_name")?,
        };
        let out = output(out, "out")?;
        *out = mapback_buf::from_vec(inspection.html());
        Ok(true)
    })
}
