//! `mapback_sourcemap_validate`: the validator (`crate::validate`) through the C ABI. The
//! report is JSON in a `mapback_buf`, written by the core; schema in docs/validate.md.

use crate::validate::validate;

use super::args::{bytes, optional_text, output};
use super::boundary::{ffi_boundary, mapback_error};
use super::buffer::mapback_buf;

/// Validates the source map of `map_len` bytes at `map` (JSON, regular or index map)
/// and, when `script` is not NULL, the generated script of `script_len` bytes of UTF-8
/// it maps, and writes every problem found to `*out` as UTF-8 JSON: `{"valid",
/// "error_count", "warning_count", "errors": [...], "warnings": [...], "omitted":
/// {code: count}}`, each problem `{"code", "severity", "message"}` with `"offset"`,
/// `"path"` and `"generated_line"`/`"generated_column"` (0-based) when known.
///
/// Returns true when the validation ran, **whatever it found**: read `"valid"`. A map
/// that cannot be decoded at all is a report with one error, not a failure. Returns
/// false with `err` set only for bad arguments: `map` NULL with `map_len` > 0,
/// `out` NULL (`..._NULL_POINTER`), or a script that is not UTF-8
/// (`..._INVALID_ARGUMENT`); `*out` is then untouched.
///
/// Both inputs are borrowed for the call only. The caller owns the buffer written to
/// `*out` and releases it with `mapback_buf_free`. Output is bounded: at most 100
/// problems of one code are listed, the rest counted in `"omitted"`. Thread-safe: it
/// shares no state.
#[no_mangle]
pub unsafe extern "C" fn mapback_sourcemap_validate(
    map: *const u8,
    map_len: usize,
    script: *const u8,
    script_len: usize,
    out: *mut mapback_buf,
    err: *mut mapback_error,
) -> bool {
    ffi_boundary!(err, {
        let map = bytes(map, map_len, "map")?;
        let script = optional_text(script, script_len, "script")?;
        let out = output(out, "out")?;
        let report = validate(map, script).to_json();
        *out = mapback_buf::from_vec(report.to_string());
        Ok(true)
    })
}
