//! The C ABI, called from Rust: constants, versions, the shape of every export (checked
//! on the source text and against include/mapback.h), NULL handling, the error struct,
//! batch and two-call functions, borrowed strings, and sharing one handle across threads.

use std::collections::BTreeSet;
use std::ffi::CStr;
use std::path::PathBuf;
use std::ptr;

use mapback::ffi::*;
use mapback::{Bias, DecodeOptions, ErrorCode, LookupOptions, RawToken, SourceMap, SourceMapView};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

fn demo_bytes() -> Vec<u8> {
    std::fs::read(root().join("examples/demo/bundle.min.js.map")).expect("read the demo map")
}

fn new_error() -> mapback_error {
    mapback_error {
        code: 0,
        message: ptr::null_mut(),
        offset: 0,
    }
}

fn empty_token() -> mapback_token {
    mapback_token {
        token_index: 7,
        generated_line: 7,
        generated_column: 7,
        source_index: 7,
        original_line: 7,
        original_column: 7,
        name_index: 7,
    }
}

fn empty_str() -> mapback_str {
    mapback_str {
        data: ptr::null(),
        len: 0,
    }
}

fn empty_diagnostic() -> mapback_diagnostic {
    mapback_diagnostic {
        code: 0,
        offset: 0,
        message: empty_str(),
    }
}

/// The error's message as a Rust string (it must be set).
fn message(err: &mapback_error) -> String {
    assert!(!err.message.is_null(), "error {} has no message", err.code);
    // SAFETY: a non-NULL message is a NUL-terminated string owned by the library.
    unsafe { CStr::from_ptr(err.message) }
        .to_str()
        .expect("UTF-8 message")
        .to_owned()
}

fn assert_success(err: &mapback_error, what: &str) {
    assert_eq!(err.code, 0, "{what}: unexpected error {}", err.code);
    assert!(err.message.is_null(), "{what}: message left set on success");
    assert_eq!(err.offset, -1, "{what}: offset not reset");
}

fn assert_failure(err: &mapback_error, code: i32, what: &str) {
    assert_eq!(err.code, code, "{what}");
    assert!(!message(err).is_empty(), "{what}: empty message");
}

/// A view as a string slice.
///
/// # Safety
/// `s` must have been written by a call that returned true, on a map still alive.
unsafe fn view<'a>(s: &mapback_str) -> &'a str {
    assert!(!s.data.is_null());
    // SAFETY: per the caller's contract the view is valid.
    let bytes = unsafe { std::slice::from_raw_parts(s.data.cast::<u8>(), s.len) };
    std::str::from_utf8(bytes).expect("UTF-8 view")
}

type Fields = (u32, u32, u32, u32, u32, u32, u32);

/// An empty `mapback_sourcemap_lookup_many` slot: every field `MAPBACK_NONE`.
const ALL_NONE: Fields = (
    MAPBACK_NONE,
    MAPBACK_NONE,
    MAPBACK_NONE,
    MAPBACK_NONE,
    MAPBACK_NONE,
    MAPBACK_NONE,
    MAPBACK_NONE,
);

fn fields(t: &mapback_token) -> Fields {
    (
        t.token_index,
        t.generated_line,
        t.generated_column,
        t.source_index,
        t.original_line,
        t.original_column,
        t.name_index,
    )
}

fn raw_fields(t: &RawToken) -> Fields {
    (
        t.index,
        t.generated_line,
        t.generated_column,
        t.source,
        t.original_line,
        t.original_column,
        t.name,
    )
}

/// An owned handle, freed on drop.
struct Handle(*mut mapback_sourcemap);

impl Handle {
    fn parse(input: &[u8], options: Option<&mapback_parse_options>) -> Handle {
        let mut err = new_error();
        let options = options.map_or(ptr::null(), |o| o as *const _);
        // SAFETY: `input` is valid for its length; `options` is NULL or valid.
        let map =
            unsafe { mapback_sourcemap_parse(input.as_ptr(), input.len(), options, &mut err) };
        assert!(!map.is_null(), "parse failed: {}", message(&err));
        assert_success(&err, "parse");
        Handle(map)
    }

    fn ptr(&self) -> *const mapback_sourcemap {
        self.0
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // SAFETY: the handle came from `mapback_sourcemap_parse` and is freed once.
        unsafe { mapback_sourcemap_free(self.0) };
    }
}

fn options(bias: u32, same_line: bool) -> mapback_lookup_options {
    mapback_lookup_options { bias, same_line }
}

// ---------------------------------------------------------------------------------------
// Constants and versions
// ---------------------------------------------------------------------------------------

#[test]
fn error_constants_equal_error_codes() {
    let pairs = [
        (MAPBACK_ERROR_INVALID_JSON, ErrorCode::InvalidJson),
        (MAPBACK_ERROR_INVALID_UTF8, ErrorCode::InvalidUtf8),
        (MAPBACK_ERROR_NOT_AN_OBJECT, ErrorCode::NotAnObject),
        (MAPBACK_ERROR_INPUT_TOO_LARGE, ErrorCode::InputTooLarge),
        (MAPBACK_ERROR_DUPLICATE_KEY, ErrorCode::DuplicateKey),
        (MAPBACK_ERROR_TRAILING_COMMA, ErrorCode::TrailingComma),
        (MAPBACK_ERROR_IO, ErrorCode::Io),
        (MAPBACK_ERROR_MISSING_FIELD, ErrorCode::MissingField),
        (MAPBACK_ERROR_WRONG_TYPE, ErrorCode::WrongType),
        (
            MAPBACK_ERROR_UNSUPPORTED_VERSION,
            ErrorCode::UnsupportedVersion,
        ),
        (MAPBACK_ERROR_INVALID_DEBUG_ID, ErrorCode::InvalidDebugId),
        (
            MAPBACK_ERROR_INVALID_IGNORE_LIST,
            ErrorCode::InvalidIgnoreList,
        ),
        (
            MAPBACK_ERROR_INVALID_SOURCE_URL,
            ErrorCode::InvalidSourceUrl,
        ),
        (
            MAPBACK_ERROR_SOURCES_CONTENT_LENGTH,
            ErrorCode::SourcesContentLength,
        ),
        (
            MAPBACK_ERROR_INVALID_FUNCTION_MAP,
            ErrorCode::InvalidFunctionMap,
        ),
        (MAPBACK_ERROR_INVALID_BASE64, ErrorCode::InvalidBase64),
        (MAPBACK_ERROR_VLQ_OVERFLOW, ErrorCode::VlqOverflow),
        (MAPBACK_ERROR_VLQ_TRUNCATED, ErrorCode::VlqTruncated),
        (
            MAPBACK_ERROR_INVALID_SEGMENT_LENGTH,
            ErrorCode::InvalidSegmentLength,
        ),
        (MAPBACK_ERROR_NEGATIVE_VALUE, ErrorCode::NegativeValue),
        (
            MAPBACK_ERROR_SOURCE_INDEX_OUT_OF_BOUNDS,
            ErrorCode::SourceIndexOutOfBounds,
        ),
        (
            MAPBACK_ERROR_NAME_INDEX_OUT_OF_BOUNDS,
            ErrorCode::NameIndexOutOfBounds,
        ),
        (MAPBACK_ERROR_UNSORTED_MAPPINGS, ErrorCode::UnsortedMappings),
        (
            MAPBACK_ERROR_INVALID_RANGE_MAPPING,
            ErrorCode::InvalidRangeMapping,
        ),
        (MAPBACK_ERROR_INVALID_SCOPES, ErrorCode::InvalidScopes),
        (
            MAPBACK_ERROR_SECTIONS_WITH_MAPPINGS,
            ErrorCode::SectionsWithMappings,
        ),
        (
            MAPBACK_ERROR_INVALID_SECTION_ORDER,
            ErrorCode::InvalidSectionOrder,
        ),
        (MAPBACK_ERROR_NESTED_INDEX_MAP, ErrorCode::NestedIndexMap),
        (
            MAPBACK_ERROR_SECTION_URL_UNSUPPORTED,
            ErrorCode::SectionUrlUnsupported,
        ),
        (MAPBACK_ERROR_INVALID_ARGUMENT, ErrorCode::InvalidArgument),
        (MAPBACK_ERROR_INDEX_OUT_OF_RANGE, ErrorCode::IndexOutOfRange),
        (MAPBACK_ERROR_INVALID_BASE_URL, ErrorCode::InvalidBaseUrl),
        (MAPBACK_ERROR_NOT_A_CACHE, ErrorCode::NotACache),
        (
            MAPBACK_ERROR_UNSUPPORTED_CACHE_VERSION,
            ErrorCode::UnsupportedCacheVersion,
        ),
        (MAPBACK_ERROR_CORRUPT_CACHE, ErrorCode::CorruptCache),
        (MAPBACK_ERROR_TRUNCATED_CACHE, ErrorCode::TruncatedCache),
        (
            MAPBACK_ERROR_CACHE_CHECKSUM_MISMATCH,
            ErrorCode::CacheChecksumMismatch,
        ),
        (
            MAPBACK_ERROR_CACHE_LIMIT_EXCEEDED,
            ErrorCode::CacheLimitExceeded,
        ),
        (
            MAPBACK_ERROR_UNSUPPORTED_PLATFORM,
            ErrorCode::UnsupportedPlatform,
        ),
        (MAPBACK_ERROR_TRACE_TOO_LARGE, ErrorCode::TraceTooLarge),
        (MAPBACK_ERROR_INVALID_ARCHIVE, ErrorCode::InvalidArchive),
        (
            MAPBACK_ERROR_UNSAFE_ARCHIVE_PATH,
            ErrorCode::UnsafeArchivePath,
        ),
        (
            MAPBACK_ERROR_DUPLICATE_ARCHIVE_ENTRY,
            ErrorCode::DuplicateArchiveEntry,
        ),
        (MAPBACK_ERROR_ARCHIVE_SYMLINK, ErrorCode::ArchiveSymlink),
        (MAPBACK_ERROR_INVALID_MANIFEST, ErrorCode::InvalidManifest),
        (MAPBACK_ERROR_DEBUG_ID_MISMATCH, ErrorCode::DebugIdMismatch),
        (MAPBACK_ERROR_CORRUPT_STORE, ErrorCode::CorruptStore),
        (MAPBACK_ERROR_NOT_A_STORE, ErrorCode::NotAStore),
        (MAPBACK_ERROR_PANIC, ErrorCode::Panic),
        (MAPBACK_ERROR_NULL_POINTER, ErrorCode::NullPointer),
        (MAPBACK_ERROR_CLOSED, ErrorCode::Closed),
    ];
    for (constant, code) in pairs {
        assert_eq!(constant, code.as_i32(), "{code:?}");
        assert_eq!(constant, code as i32, "{code:?}");
    }
    assert_eq!(pairs.len(), ErrorCode::ALL.len(), "a code is missing above");
}

#[test]
fn error_code_descriptions() {
    let header = read("include/mapback.h");
    for &code in ErrorCode::ALL {
        let text = mapback_error_code_description(code.as_i32());
        assert!(!text.is_null(), "{code:?}");
        // SAFETY: a static NUL-terminated string.
        let text = unsafe { CStr::from_ptr(text) }.to_str().expect("UTF-8");
        assert_eq!(text, code.description(), "{code:?}");
        // Static: the same pointer every time.
        assert_eq!(
            mapback_error_code_description(code.as_i32()),
            mapback_error_code_description(code.as_i32())
        );
        // The header documents the constant with the same sentence.
        let documented = format!(
            " * {text}\n */\n#define {} {}\n",
            code.c_name(),
            code.as_i32()
        );
        assert!(header.contains(&documented), "{code:?}: {documented}");
    }
    for unknown in [0, -1, 100, 108, 999, i32::MIN, i32::MAX] {
        assert!(
            mapback_error_code_description(unknown).is_null(),
            "{unknown}"
        );
    }
}

/// `InvalidUtf8` -> `INVALID_UTF8`.
fn screaming_snake(camel: &str) -> String {
    let mut out = String::new();
    for (i, ch) in camel.chars().enumerate() {
        if ch.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(ch.to_ascii_uppercase());
    }
    out
}

/// `MAPBACK_ERROR_*` name -> value, parsed from a text with `prefix NAME<sep>VALUE` lines.
fn parse_error_constants(text: &str, prefix: &str, separator: &str) -> Vec<(String, i32)> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(prefix))
        .filter(|rest| rest.starts_with("MAPBACK_ERROR_"))
        .map(|rest| {
            let (name, value) = rest
                .split_once(separator)
                .unwrap_or_else(|| panic!("cannot parse constant line: {rest}"));
            let value = value.trim().trim_end_matches(';').trim();
            (
                name.trim().to_owned(),
                value
                    .parse()
                    .unwrap_or_else(|_| panic!("bad value in {rest}")),
            )
        })
        .collect()
}

#[test]
fn every_error_code_has_a_constant() {
    // The one list in src/error.rs: `Variant = VALUE, MAPBACK_ERROR_NAME,` lines.
    let rust: Vec<(String, i32)> = read("src/error.rs")
        .lines()
        .filter_map(|line| {
            let (head, name) = line.trim().split_once(", MAPBACK_ERROR_")?;
            let value = head.split_once(" = ")?.1.parse().ok()?;
            Some((
                format!("MAPBACK_ERROR_{}", name.trim_end_matches(',')),
                value,
            ))
        })
        .collect();
    assert!(rust.len() >= 30, "parsed only {} constants", rust.len());
    for code in ErrorCode::ALL {
        let name = format!("MAPBACK_ERROR_{}", screaming_snake(&format!("{code:?}")));
        let found = rust.iter().find(|(n, _)| *n == name);
        let Some((_, value)) = found else {
            panic!("ErrorCode::{code:?} has no {name} in src/error.rs");
        };
        assert_eq!(*value, code.as_i32(), "{name}");
    }
    // No constant without a code, and no duplicate values.
    for (name, value) in &rust {
        assert!(
            ErrorCode::ALL.iter().any(|c| c.as_i32() == *value),
            "{name} = {value} is not an ErrorCode"
        );
    }
    let values: BTreeSet<i32> = rust.iter().map(|(_, v)| *v).collect();
    assert_eq!(values.len(), rust.len(), "duplicate constant values");
    assert_eq!(rust.len(), ErrorCode::ALL.len());

    // The header carries the same values.
    let header = parse_error_constants(&read("include/mapback.h"), "#define ", " ");
    let mut rust_sorted = rust.clone();
    rust_sorted.sort();
    let mut header_sorted = header;
    header_sorted.sort();
    assert_eq!(
        header_sorted, rust_sorted,
        "include/mapback.h is out of date"
    );
}

#[test]
fn versions() {
    let version = env!("CARGO_PKG_VERSION");
    let parts: Vec<u32> = version
        .split(['.', '-', '+'])
        .take(3)
        .map(|p| p.parse().expect("numeric version part"))
        .collect();
    assert_eq!(
        parts,
        vec![
            MAPBACK_VERSION_MAJOR,
            MAPBACK_VERSION_MINOR,
            MAPBACK_VERSION_PATCH
        ]
    );
    let reported = mapback_version();
    assert!(!reported.is_null());
    // SAFETY: a static NUL-terminated string.
    let reported = unsafe { CStr::from_ptr(reported) }.to_str().unwrap();
    assert_eq!(reported, version);
    assert_eq!(reported, mapback::VERSION);
    assert!(reported.starts_with(&format!(
        "{MAPBACK_VERSION_MAJOR}.{MAPBACK_VERSION_MINOR}.{MAPBACK_VERSION_PATCH}"
    )));
    // The same pointer every time (static, never to be freed).
    assert_eq!(mapback_version(), mapback_version());
    assert_eq!(mapback_abi_version(), MAPBACK_ABI_VERSION);
    assert_eq!(MAPBACK_NONE, mapback::NONE);
    assert_eq!(MAPBACK_NONE, u32::MAX);

    let header = read("include/mapback.h");
    for (name, value) in [
        ("MAPBACK_VERSION_MAJOR", MAPBACK_VERSION_MAJOR),
        ("MAPBACK_VERSION_MINOR", MAPBACK_VERSION_MINOR),
        ("MAPBACK_VERSION_PATCH", MAPBACK_VERSION_PATCH),
        ("MAPBACK_ABI_VERSION", MAPBACK_ABI_VERSION),
        (
            "MAPBACK_BIAS_GREATEST_LOWER_BOUND",
            MAPBACK_BIAS_GREATEST_LOWER_BOUND,
        ),
        (
            "MAPBACK_BIAS_LEAST_UPPER_BOUND",
            MAPBACK_BIAS_LEAST_UPPER_BOUND,
        ),
    ] {
        let line = format!("#define {name} {value}");
        assert!(
            header.lines().any(|l| l.trim() == line),
            "include/mapback.h lacks `{line}`"
        );
    }
    // MAPBACK_NONE is written as the <stdint.h> limit, so C code gets a uint32_t.
    assert!(
        header
            .lines()
            .any(|l| l.trim() == "#define MAPBACK_NONE UINT32_MAX"),
        "include/mapback.h lacks `#define MAPBACK_NONE UINT32_MAX`"
    );
}

// ---------------------------------------------------------------------------------------
// The shape of every export, from the source text
// ---------------------------------------------------------------------------------------

struct Export {
    name: String,
    file: String,
    /// The parameter list, as written.
    params: String,
    no_mangle: bool,
    /// The body's first statement, after an optional `// SAFETY:` comment.
    first_statement: String,
}

fn ffi_sources() -> Vec<(String, String)> {
    let dir = root().join("src/ffi");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("src/ffi")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "rs"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(files.len() >= 3, "found {} files in src/ffi", files.len());
    files
}

fn parse_exports() -> Vec<Export> {
    ffi_sources()
        .into_iter()
        .flat_map(|(file, text)| parse_exports_in(&file, &text))
        .collect()
}

/// The `extern "C"` functions defined in one source file.
fn parse_exports_in(file: &str, text: &str) -> Vec<Export> {
    let mut exports = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        // `lines()` borrows from `text`: the line's byte offset in it.
        let line_start = line.as_ptr() as usize - text.as_ptr() as usize;
        let trimmed = line.trim_start();
        let Some(rest) = trimmed
            .strip_prefix("pub unsafe extern \"C\" fn ")
            .or_else(|| trimmed.strip_prefix("pub extern \"C\" fn "))
        else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // Attributes and docs directly above.
        let mut no_mangle = false;
        for above in lines[..index].iter().rev() {
            let above = above.trim();
            if above.starts_with("#[") {
                no_mangle |= above == "#[no_mangle]" || above == "#[unsafe(no_mangle)]";
            } else if !above.starts_with("///") && !above.starts_with("//") {
                break;
            }
        }
        // Signatures hold no braces: the first `{` opens the body.
        let signature_start = line_start + (line.len() - trimmed.len());
        let open = signature_start
            + text[signature_start..]
                .find('{')
                .unwrap_or_else(|| panic!("{file}: {name} has no body"));
        let signature = &text[signature_start..open];
        let params_start = signature.find('(').expect("parameter list");
        let params_end = signature.rfind(')').expect("parameter list");
        let params = signature[params_start + 1..params_end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let mut body = text[open + 1..]
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty());
        let mut first = body.next().unwrap_or_default();
        if first.starts_with("// SAFETY:") {
            // The comment may continue over several lines.
            first = body
                .find(|l| !l.starts_with("//") && !l.is_empty())
                .unwrap_or_default();
        }
        exports.push(Export {
            name,
            file: file.to_owned(),
            params,
            no_mangle,
            first_statement: first.to_owned(),
        });
    }
    exports
}

/// Function names declared in a C header (comments removed first).
fn header_functions(header: &str) -> Vec<String> {
    let mut code = String::new();
    let mut rest = header;
    while !rest.is_empty() {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if !matches!(l, Some(l) if l < b) => {
                code.push_str(&rest[..b]);
                let end = rest[b + 2..].find("*/").expect("closed comment") + b + 4;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                code.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            _ => {
                code.push_str(rest);
                rest = "";
            }
        }
    }
    let bytes = code.as_bytes();
    let mut names = Vec::new();
    let mut search = 0;
    while let Some(found) = code[search..].find("mapback_") {
        let start = search + found;
        let mut end = start;
        while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
            end += 1;
        }
        let preceded =
            start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_');
        let next = code[end..].trim_start().chars().next();
        if !preceded && next == Some('(') {
            names.push(code[start..end].to_owned());
        }
        search = end;
    }
    names
}

#[test]
fn every_export_is_behind_the_boundary_and_in_the_header() {
    let exports = parse_exports();
    assert!(exports.len() >= 25, "found only {} exports", exports.len());
    for export in &exports {
        let at = format!("{}: {}", export.file, export.name);
        assert!(
            export.name.starts_with("mapback_"),
            "{at}: not mapback_-prefixed"
        );
        assert!(export.no_mangle, "{at}: missing #[no_mangle]");
        assert!(
            export.first_statement.starts_with("ffi_boundary!("),
            "{at}: the body starts with `{}`, not `ffi_boundary!(`",
            export.first_statement
        );
    }
    let rust: BTreeSet<&str> = exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(rust.len(), exports.len(), "an export is defined twice");

    let declared = header_functions(&read("include/mapback.h"));
    assert_eq!(
        exports.len(),
        declared.len(),
        "src/ffi exports {} functions, include/mapback.h declares {}",
        exports.len(),
        declared.len()
    );
    let header: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    assert_eq!(rust, header, "exports and header declarations differ");
}

#[test]
fn header_parser_sanity() {
    let names = header_functions(
        "/* mapback_a(x) */\n// mapback_b(\nint mapback_c(void);\n#define MAPBACK_D 1\n\
         struct mapback_e *mapback_f (int x);\ntypedef struct mapback_g mapback_g;",
    );
    assert_eq!(names, vec!["mapback_c", "mapback_f"]);
}

#[test]
fn export_parser_sanity() {
    let text = r#"
/// Good.
#[no_mangle]
pub unsafe extern "C" fn mapback_good(map: *const mapback_sourcemap, err: *mut mapback_error) -> bool {
    ffi_boundary!(err, { Ok(true) })
}

#[no_mangle]
pub extern "C" fn mapback_commented() -> u32 {
    // SAFETY: a comment
    // over two lines.
    ffi_boundary!({ Ok(1) })
}

pub unsafe extern "C" fn mapback_unmangled(err: *mut mapback_error) {
    ffi_boundary!(err, { Ok(()) })
}

#[no_mangle]
pub unsafe extern "C" fn mapback_unguarded(err: *mut mapback_error) -> usize {
    let x = 1;
    ffi_boundary!(err, { Ok(x) })
}

// pub extern "C" fn mapback_in_a_comment() {}
fn helper() {}
"#;
    let exports = parse_exports_in("sample.rs", text);
    let summary: Vec<(&str, bool, bool, &str)> = exports
        .iter()
        .map(|e| {
            (
                e.name.as_str(),
                e.no_mangle,
                e.first_statement.starts_with("ffi_boundary!("),
                e.params.as_str(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "mapback_good",
                true,
                true,
                "map: *const mapback_sourcemap, err: *mut mapback_error"
            ),
            ("mapback_commented", true, true, ""),
            ("mapback_unmangled", false, true, "err: *mut mapback_error"),
            ("mapback_unguarded", true, false, "err: *mut mapback_error"),
        ]
    );
}

// ---------------------------------------------------------------------------------------
// NULL handling
// ---------------------------------------------------------------------------------------

/// Calls every export that takes a map handle, with a NULL map, and checks that each
/// fails with `expected_code` and a message containing `expected_text`, leaving its
/// outputs alone. Returns the names of the exports called.
fn call_every_map_export(expected_code: i32, expected_text: &str) -> BTreeSet<String> {
    let null: *const mapback_sourcemap = ptr::null();
    let mut tested: BTreeSet<&str> = BTreeSet::new();
    let mut token = empty_token();
    let mut tokens = [empty_token(); 2];
    let mut string = empty_str();
    let mut diagnostic = empty_diagnostic();
    let lines = [0u32, 1];
    let columns = [0u32, 1];
    let mut err: mapback_error;

    macro_rules! check {
        ($name:literal, $call:expr, $failure:expr) => {{
            err = new_error();
            // SAFETY: every pointer but the map is valid; the map is NULL on purpose.
            let value = unsafe { $call };
            assert_eq!(value, $failure, "{}: failure value", $name);
            assert_failure(&err, expected_code, $name);
            assert!(
                message(&err).contains(expected_text),
                "{}: {}",
                $name,
                message(&err)
            );
            assert_eq!(err.offset, -1, "{}", $name);
            // SAFETY: `err` holds a library-owned message.
            unsafe { mapback_error_clear(&mut err) };
            tested.insert($name);
        }};
    }

    check!(
        "mapback_sourcemap_lookup",
        mapback_sourcemap_lookup(null, 0, 0, ptr::null(), &mut token, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_lookup_many",
        mapback_sourcemap_lookup_many(
            null,
            lines.as_ptr(),
            columns.as_ptr(),
            2,
            ptr::null(),
            tokens.as_mut_ptr(),
            &mut err
        ),
        0
    );
    check!(
        "mapback_sourcemap_original_positions",
        mapback_sourcemap_original_positions(
            null,
            0,
            0,
            ptr::null(),
            tokens.as_mut_ptr(),
            2,
            &mut err
        ),
        0
    );
    check!(
        "mapback_sourcemap_generated_position",
        mapback_sourcemap_generated_position(null, 0, 0, 0, ptr::null(), &mut token, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_generated_positions",
        mapback_sourcemap_generated_positions(
            null,
            0,
            0,
            MAPBACK_NONE,
            tokens.as_mut_ptr(),
            2,
            &mut err
        ),
        0
    );
    check!(
        "mapback_sourcemap_token_count",
        mapback_sourcemap_token_count(null, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_line_count",
        mapback_sourcemap_line_count(null, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_token_at",
        mapback_sourcemap_token_at(null, 0, &mut token, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_token_is_range",
        mapback_sourcemap_token_is_range(null, 0, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_count",
        mapback_sourcemap_source_count(null, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_source_name",
        mapback_sourcemap_source_name(null, 0, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_url",
        mapback_sourcemap_source_url(null, 0, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_path",
        mapback_sourcemap_source_path(null, 0, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_content",
        mapback_sourcemap_source_content(null, 0, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_is_ignored",
        mapback_sourcemap_source_is_ignored(null, 0, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_line",
        mapback_sourcemap_source_line(null, 0, 0, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_source_line_count",
        mapback_sourcemap_source_line_count(null, 0, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_is_cache",
        mapback_sourcemap_is_cache(null, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_verify",
        mapback_sourcemap_verify(null, &mut err),
        false
    );
    let mut buffer = mapback_buf {
        data: std::ptr::null_mut(),
        len: 0,
    };
    check!(
        "mapback_sourcemap_to_cache",
        mapback_sourcemap_to_cache(null, std::ptr::null(), &mut buffer, &mut err),
        false
    );
    assert!(buffer.data.is_null(), "out must be untouched on failure");
    let path = b"/tmp/never-written.mbc";
    check!(
        "mapback_sourcemap_write_cache",
        mapback_sourcemap_write_cache(null, path.as_ptr(), path.len(), std::ptr::null(), &mut err),
        false
    );
    check!(
        "mapback_sourcemap_find_source",
        mapback_sourcemap_find_source(null, b"a.js".as_ptr(), 4, &mut err),
        MAPBACK_NONE
    );
    check!(
        "mapback_sourcemap_name_count",
        mapback_sourcemap_name_count(null, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_name",
        mapback_sourcemap_name(null, 0, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_file",
        mapback_sourcemap_file(null, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_debug_id",
        mapback_sourcemap_debug_id(null, &mut string, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_is_index_map",
        mapback_sourcemap_is_index_map(null, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_diagnostic_count",
        mapback_sourcemap_diagnostic_count(null, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_diagnostic",
        mapback_sourcemap_diagnostic(null, 0, &mut diagnostic, &mut err),
        false
    );
    check!(
        "mapback_sourcemap_heap_size",
        mapback_sourcemap_heap_size(null, &mut err),
        0
    );
    check!(
        "mapback_sourcemap_to_json",
        mapback_sourcemap_to_json(null, std::ptr::null(), &mut buffer, &mut err),
        false
    );
    assert!(buffer.data.is_null(), "out must be untouched on failure");
    check!(
        "mapback_sourcemap_scopes_json",
        mapback_sourcemap_scopes_json(null, &mut buffer, &mut err),
        false
    );
    assert!(buffer.data.is_null(), "out must be untouched on failure");
    check!(
        "mapback_sourcemap_rewrite",
        mapback_sourcemap_rewrite(null, std::ptr::null(), &mut err),
        std::ptr::null_mut()
    );
    check!(
        "mapback_builder_from_map",
        mapback_builder_from_map(null, &mut err),
        std::ptr::null_mut()
    );
    // The outputs were not touched.
    assert_eq!(fields(&token), fields(&empty_token()));
    assert!(string.data.is_null());

    tested.into_iter().map(String::from).collect()
}

fn exports_taking_a_map() -> BTreeSet<String> {
    parse_exports()
        .into_iter()
        .filter(|e| e.params.starts_with("map: *const mapback_sourcemap"))
        .map(|e| e.name)
        .collect()
}

#[test]
fn null_map_fails_with_null_pointer() {
    let tested = call_every_map_export(MAPBACK_ERROR_NULL_POINTER, "map");
    assert_eq!(
        tested,
        exports_taking_a_map(),
        "NULL-map coverage differs from the exports"
    );
}

/// With the test-only `panic-injection` feature, every export panics inside its landing
/// pad while MAPBACK_INJECT_PANIC is set: each must report MAPBACK_ERROR_PANIC, return
/// its neutral value, and leave the process (and the next calls) working. Run alone
/// (`make test-panic`): the variable is process-wide.
#[cfg(feature = "panic-injection")]
#[test]
fn injected_panics_are_caught_by_every_export() {
    std::env::set_var("MAPBACK_INJECT_PANIC", "1");
    let tested = call_every_map_export(MAPBACK_ERROR_PANIC, "injected");
    assert_eq!(tested, exports_taking_a_map());
    let mut err = new_error();
    let demo = demo_bytes();
    // SAFETY: valid pointers; the calls panic inside the library and report it.
    unsafe {
        assert!(
            mapback_sourcemap_parse(demo.as_ptr(), demo.len(), ptr::null(), &mut err).is_null()
        );
        assert_failure(&err, MAPBACK_ERROR_PANIC, "parse");
        assert!(mapback_cache_from_bytes(demo.as_ptr(), demo.len(), &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_PANIC, "cache_from_bytes");
        assert!(mapback_builder_new(&mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_PANIC, "builder_new");
        let mut request = mapback_lookup_request {
            map: ptr::null(),
            token: empty_token(),
        };
        assert_eq!(mapback_sourcemap_lookup_request(&mut request, &mut err), 0);
        assert_failure(&err, MAPBACK_ERROR_PANIC, "sourcemap_lookup_request");
        let (mut line, mut column) = (7u32, 7u32);
        assert!(!mapback_text_end_position(
            b"a".as_ptr(),
            1,
            &mut line,
            &mut column,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_PANIC, "text_end_position");
        assert_eq!((line, column), (7, 7));
        // The structured symbolication exports (the panic comes before any argument
        // is read, so NULL handles reach it too; tests/c/panic_injection.c and
        // test_panic_injection.py use live ones).
        let mut buffer = mapback_buf {
            data: ptr::null_mut(),
            len: 0,
        };
        assert!(mapback_symbolicator_new_store(ptr::null(), ptr::null(), &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_PANIC, "symbolicator_new_store");
        assert!(!mapback_symbolicator_symbolicate_event(
            ptr::null(),
            b"{}".as_ptr(),
            2,
            &mut buffer,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_PANIC, "symbolicate_event");
        assert!(!mapback_symbolicator_symbolicate_frames(
            ptr::null(),
            b"[]".as_ptr(),
            2,
            ptr::null(),
            0,
            MAPBACK_ENGINE_V8,
            &mut buffer,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_PANIC, "symbolicate_frames");
        assert!(buffer.data.is_null());
        // The validator and the range-mapping builder call.
        assert!(!mapback_sourcemap_validate(
            demo.as_ptr(),
            demo.len(),
            ptr::null(),
            0,
            &mut buffer,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_PANIC, "sourcemap_validate");
        assert!(buffer.data.is_null());
        assert!(!mapback_sourcemap_inspect_html(
            demo.as_ptr(),
            demo.len(),
            ptr::null(),
            0,
            ptr::null(),
            0,
            ptr::null(),
            0,
            &mut buffer,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_PANIC, "sourcemap_inspect_html");
        assert!(buffer.data.is_null());
        assert!(!mapback_builder_add_range_mappings(
            ptr::null_mut(),
            ptr::null(),
            0,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_PANIC, "builder_add_range_mappings");
        assert!(mapback_version().is_null()); // no error struct: the neutral value only
        assert!(mapback_error_code_description(MAPBACK_ERROR_PANIC).is_null());
        mapback_error_clear(&mut err);
    }
    std::env::remove_var("MAPBACK_INJECT_PANIC");
    // The process carries on: the same calls work again.
    // SAFETY: valid pointers.
    unsafe {
        let map = mapback_sourcemap_parse(demo.as_ptr(), demo.len(), ptr::null(), &mut err);
        assert!(!map.is_null());
        let mut token = empty_token();
        assert!(mapback_sourcemap_lookup(
            map,
            0,
            1610,
            ptr::null(),
            &mut token,
            &mut err
        ));
        assert_eq!((token.original_line, token.original_column), (7, 21));
        mapback_sourcemap_free(map);
        assert!(!mapback_version().is_null());
    }
}

#[test]
fn null_error_struct_is_accepted() {
    let null: *const mapback_sourcemap = ptr::null();
    let mut token = empty_token();
    // SAFETY: NULL err is documented as allowed; other pointers are valid or NULL on
    // purpose.
    unsafe {
        assert!(!mapback_sourcemap_lookup(
            null,
            0,
            0,
            ptr::null(),
            &mut token,
            ptr::null_mut()
        ));
        assert_eq!(mapback_sourcemap_token_count(null, ptr::null_mut()), 0);
        assert!(mapback_sourcemap_parse(b"{".as_ptr(), 1, ptr::null(), ptr::null_mut()).is_null());
        assert!(mapback_sourcemap_parse(ptr::null(), 3, ptr::null(), ptr::null_mut()).is_null());
    }
    let map = Handle::parse(
        br#"{"version":3,"sources":["a.js"],"mappings":"AAAA"}"#,
        None,
    );
    // SAFETY: a valid handle and output; NULL err.
    unsafe {
        assert!(mapback_sourcemap_lookup(
            map.ptr(),
            0,
            3,
            ptr::null(),
            &mut token,
            ptr::null_mut()
        ));
        assert_eq!(token.source_index, 0);
        assert_eq!(mapback_sourcemap_token_count(map.ptr(), ptr::null_mut()), 1);
        assert!(!mapback_sourcemap_token_at(
            map.ptr(),
            9,
            &mut token,
            ptr::null_mut()
        ));
        // A map parsed with a NULL err.
        let input = br#"{"version":3,"sources":[],"mappings":""}"#;
        let quiet =
            mapback_sourcemap_parse(input.as_ptr(), input.len(), ptr::null(), ptr::null_mut());
        assert!(!quiet.is_null());
        mapback_sourcemap_free(quiet);
    }
}

#[test]
fn free_and_clear_accept_null() {
    // SAFETY: both are documented to accept NULL.
    unsafe {
        mapback_sourcemap_free(ptr::null_mut());
        mapback_error_clear(ptr::null_mut());
    }
}

#[test]
fn null_arguments_other_than_the_map() {
    let map = Handle::parse(&demo_bytes(), None);
    let mut err = new_error();
    // SAFETY: the pointers under test are NULL on purpose; the rest are valid.
    unsafe {
        assert!(!mapback_sourcemap_lookup(
            map.ptr(),
            0,
            0,
            ptr::null(),
            ptr::null_mut(),
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "lookup out");
        assert!(message(&err).contains("out"));

        let columns = [0u32];
        let mut out = [empty_token()];
        let found = mapback_sourcemap_lookup_many(
            map.ptr(),
            ptr::null(),
            columns.as_ptr(),
            1,
            ptr::null(),
            out.as_mut_ptr(),
            &mut err,
        );
        assert_eq!(found, 0);
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "lookup_many lines");
        assert!(message(&err).contains("lines"));

        assert_eq!(
            mapback_sourcemap_original_positions(
                map.ptr(),
                0,
                1035,
                ptr::null(),
                ptr::null_mut(),
                4,
                &mut err
            ),
            0
        );
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "original_positions out");

        assert!(!mapback_sourcemap_source_name(
            map.ptr(),
            0,
            ptr::null_mut(),
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "source_name out");
        assert!(!mapback_sourcemap_diagnostic(
            map.ptr(),
            0,
            ptr::null_mut(),
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "diagnostic out");

        assert_eq!(
            mapback_sourcemap_find_source(map.ptr(), ptr::null(), 3, &mut err),
            MAPBACK_NONE
        );
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "find_source name");

        // NULL data with length 0 is an empty input, which is not JSON.
        assert!(mapback_sourcemap_parse(ptr::null(), 0, ptr::null(), &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_INVALID_JSON, "parse empty");
        // NULL data with a length is a NULL pointer.
        assert!(mapback_sourcemap_parse(ptr::null(), 10, ptr::null(), &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "parse NULL data");
        assert!(message(&err).contains("data"));
        mapback_error_clear(&mut err);
    }
}

// ---------------------------------------------------------------------------------------
// The error struct
// ---------------------------------------------------------------------------------------

#[test]
fn error_struct_is_reset_between_calls() {
    let map = Handle::parse(&demo_bytes(), None);
    let mut err = new_error();
    let mut token = empty_token();
    // SAFETY: valid pointers throughout; `err` is reused as documented.
    unsafe {
        // Failure: invalid JSON, with a position.
        let bad = br#"{"version":3,"sources":[] "mappings":""}"#;
        assert!(mapback_sourcemap_parse(bad.as_ptr(), bad.len(), ptr::null(), &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_INVALID_JSON, "invalid JSON");
        assert!(err.offset >= 0);

        // Success with the same struct: everything reset.
        assert!(mapback_sourcemap_token_count(map.ptr(), &mut err) > 0);
        assert_success(&err, "token_count after a failure");

        // Failure without a position.
        assert!(!mapback_sourcemap_token_at(
            map.ptr(),
            u32::MAX - 1,
            &mut token,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_INDEX_OUT_OF_RANGE, "token_at");
        assert_eq!(err.offset, -1);
        assert!(message(&err).contains("out of range"));
        assert_eq!(fields(&token), fields(&empty_token()), "out untouched");

        // Failure after failure: the new code and message replace the old ones.
        assert!(mapback_sourcemap_parse(b"[1]".as_ptr(), 3, ptr::null(), &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_NOT_AN_OBJECT, "not an object");
        assert!(!message(&err).contains("out of range"));

        // "Not found" is not an error.
        assert!(!mapback_sourcemap_lookup(
            map.ptr(),
            9999,
            0,
            ptr::null(),
            &mut token,
            &mut err
        ));
        assert_success(&err, "lookup not found");

        // A strict-mode error carries its offset.
        let strict = mapback_parse_options {
            strict: true,
            base_url: ptr::null(),
            base_url_len: 0,
            limits: mapback_decode_limits::default(),
        };
        let input = br#"{"version":3,"sources":["a.js"],"mappings":"AAAA,A!AA"}"#;
        let bang = input.iter().position(|&b| b == b'!').unwrap();
        assert!(mapback_sourcemap_parse(input.as_ptr(), input.len(), &strict, &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_INVALID_BASE64, "strict base64");
        assert_eq!(err.offset, bang as i64);

        // error_clear releases the message and resets the struct.
        mapback_error_clear(&mut err);
        assert_eq!(err.code, 0);
        assert!(err.message.is_null());
        assert_eq!(err.offset, -1);
        // Clearing again (nothing to free) and clearing a fresh struct are fine.
        mapback_error_clear(&mut err);
        assert_success(&err, "double clear");
        let mut fresh = new_error();
        mapback_error_clear(&mut fresh);
        assert_success(&fresh, "fresh clear");
    }
}

#[test]
fn parse_options() {
    let demo = demo_bytes();
    let base = b"https://cdn.example.com/static/bundle.min.js.map";
    let options = mapback_parse_options {
        strict: true,
        base_url: base.as_ptr(),
        base_url_len: base.len(),
        limits: mapback_decode_limits::default(),
    };
    let map = Handle::parse(&demo, Some(&options));
    let mut out = empty_str();
    let mut err = new_error();
    // SAFETY: valid pointers.
    unsafe {
        assert!(mapback_sourcemap_source_url(
            map.ptr(),
            1,
            &mut out,
            &mut err
        ));
        assert_eq!(
            view(&out),
            "https://cdn.example.com/static/app/src/pricing.js"
        );
        assert!(mapback_sourcemap_source_path(
            map.ptr(),
            1,
            &mut out,
            &mut err
        ));
        assert_eq!(
            view(&out),
            "https://cdn.example.com/static/app/src/pricing.js"
        );
        assert_success(&err, "source_url");

        let relative = b"static/bundle.js.map";
        let bad_base = mapback_parse_options {
            strict: false,
            base_url: relative.as_ptr(),
            base_url_len: relative.len(),
            limits: mapback_decode_limits::default(),
        };
        assert!(mapback_sourcemap_parse(demo.as_ptr(), demo.len(), &bad_base, &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_INVALID_BASE_URL, "relative base");

        let not_utf8 = [0xFFu8, 0xFE];
        let bad_utf8 = mapback_parse_options {
            strict: false,
            base_url: not_utf8.as_ptr(),
            base_url_len: not_utf8.len(),
            limits: mapback_decode_limits::default(),
        };
        assert!(mapback_sourcemap_parse(demo.as_ptr(), demo.len(), &bad_utf8, &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_INVALID_ARGUMENT, "non-UTF-8 base");
        mapback_error_clear(&mut err);
    }
    // Strict vs lenient on an optional error.
    let v2 = br#"{"version":2,"sources":[],"mappings":""}"#;
    let lenient = Handle::parse(v2, None);
    // SAFETY: valid handle.
    assert_eq!(
        unsafe { mapback_sourcemap_diagnostic_count(lenient.ptr(), &mut err) },
        1
    );
    let strict = mapback_parse_options {
        strict: true,
        base_url: ptr::null(),
        base_url_len: 0,
        limits: mapback_decode_limits::default(),
    };
    // SAFETY: valid pointers.
    unsafe {
        assert!(mapback_sourcemap_parse(v2.as_ptr(), v2.len(), &strict, &mut err).is_null());
        assert_failure(&err, MAPBACK_ERROR_UNSUPPORTED_VERSION, "strict version");
        mapback_error_clear(&mut err);
    }
}

// ---------------------------------------------------------------------------------------
// Lookups through the ABI
// ---------------------------------------------------------------------------------------

#[test]
fn lookup_matches_the_rust_api() {
    let bytes = demo_bytes();
    let rust = SourceMap::from_slice(&bytes).unwrap();
    let map = Handle::parse(&bytes, None);
    let mut err = new_error();
    let mut token = empty_token();
    let glb = options(MAPBACK_BIAS_GREATEST_LOWER_BOUND, true);
    let lub = options(MAPBACK_BIAS_LEAST_UPPER_BOUND, true);
    let lub_cross = options(MAPBACK_BIAS_LEAST_UPPER_BOUND, false);
    let cases: [(*const mapback_lookup_options, LookupOptions); 4] = [
        (ptr::null(), LookupOptions::default()),
        (&glb, LookupOptions::default()),
        (&lub, LookupOptions::with_bias(Bias::LeastUpperBound)),
        (
            &lub_cross,
            LookupOptions {
                bias: Bias::LeastUpperBound,
                same_line: false,
            },
        ),
    ];
    for (ffi_options, rust_options) in cases {
        for line in 0..4 {
            for column in (0..3000).step_by(37) {
                // SAFETY: valid pointers.
                let found = unsafe {
                    mapback_sourcemap_lookup(
                        map.ptr(),
                        line,
                        column,
                        ffi_options,
                        &mut token,
                        &mut err,
                    )
                };
                assert_success(&err, "lookup");
                let expected = rust.lookup_with(line, column, rust_options);
                assert_eq!(found, expected.is_some(), "{line}:{column}");
                if let Some(expected) = expected {
                    assert_eq!(fields(&token), raw_fields(&expected.raw()));
                }
            }
        }
    }
    // The ground-truth frame.
    // SAFETY: valid pointers.
    assert!(unsafe {
        mapback_sourcemap_lookup(map.ptr(), 0, 1610, ptr::null(), &mut token, &mut err)
    });
    assert_eq!((token.original_line, token.original_column), (7, 21));
    let mut name = empty_str();
    // SAFETY: valid pointers; the view is read while the map is alive.
    unsafe {
        assert!(mapback_sourcemap_name(
            map.ptr(),
            token.name_index,
            &mut name,
            &mut err
        ));
        assert_eq!(view(&name), "applyCoupon");
    }
}

#[test]
fn lookup_many_mixed() {
    let bytes = demo_bytes();
    let rust = SourceMap::from_slice(&bytes).unwrap();
    let map = Handle::parse(&bytes, None);
    let mut err = new_error();
    // Found, not found (before the first token, empty/absent lines), found...
    let lines = [0u32, 0, 1, 50, 1, 0, u32::MAX, 0];
    let columns = [1035u32, 0, 139, 0, 411, 1610, 0, u32::MAX];
    let mut out = [empty_token(); 8];
    // SAFETY: three arrays of 8 elements.
    let found = unsafe {
        mapback_sourcemap_lookup_many(
            map.ptr(),
            lines.as_ptr(),
            columns.as_ptr(),
            lines.len(),
            ptr::null(),
            out.as_mut_ptr(),
            &mut err,
        )
    };
    assert_success(&err, "lookup_many");
    let mut expected_found = 0;
    for i in 0..lines.len() {
        match rust.lookup(lines[i], columns[i]) {
            Some(t) => {
                expected_found += 1;
                assert_eq!(fields(&out[i]), raw_fields(&t.raw()), "slot {i}");
            }
            None => assert_eq!(fields(&out[i]), ALL_NONE, "slot {i}"),
        }
    }
    assert_eq!(found, expected_found);
    assert!(
        found > 0 && found < lines.len(),
        "the batch is mixed: {found}"
    );
    assert_eq!(out[1].token_index, MAPBACK_NONE);
    assert_eq!(out[3].token_index, MAPBACK_NONE);
    assert_eq!(out[6].token_index, MAPBACK_NONE);
    assert_ne!(out[0].token_index, MAPBACK_NONE);

    // With options: the same batch, least upper bound.
    let lub = options(MAPBACK_BIAS_LEAST_UPPER_BOUND, true);
    // SAFETY: as above.
    let found = unsafe {
        mapback_sourcemap_lookup_many(
            map.ptr(),
            lines.as_ptr(),
            columns.as_ptr(),
            lines.len(),
            &lub,
            out.as_mut_ptr(),
            &mut err,
        )
    };
    let upper = LookupOptions::with_bias(Bias::LeastUpperBound);
    let expected: Vec<_> = (0..lines.len())
        .map(|i| rust.lookup_with(lines[i], columns[i], upper))
        .collect();
    assert_eq!(found, expected.iter().filter(|t| t.is_some()).count());
    for (i, t) in expected.iter().enumerate() {
        match t {
            Some(t) => assert_eq!(fields(&out[i]), raw_fields(&t.raw())),
            None => assert_eq!(out[i].token_index, MAPBACK_NONE),
        }
    }
    // An empty batch may pass NULL arrays.
    // SAFETY: count 0.
    let none = unsafe {
        mapback_sourcemap_lookup_many(
            map.ptr(),
            ptr::null(),
            ptr::null(),
            0,
            ptr::null(),
            ptr::null_mut(),
            &mut err,
        )
    };
    assert_eq!(none, 0);
    assert_success(&err, "empty batch");
}

#[test]
fn original_positions_two_call_pattern() {
    // Three tokens at generated 0:4, one at 0:0.
    let json = br#"{"version":3,"sources":["a.js","b.js"],"names":["n"],"mappings":"AAAA,IAAIA,ACCA,ADDA"}"#;
    let rust = SourceMap::from_slice(json).unwrap();
    let map = Handle::parse(json, None);
    let mut err = new_error();
    // SAFETY: capacity 0 with NULL out, then real buffers of the given capacity.
    unsafe {
        let total = mapback_sourcemap_original_positions(
            map.ptr(),
            0,
            6,
            ptr::null(),
            ptr::null_mut(),
            0,
            &mut err,
        );
        assert_success(&err, "size query");
        assert_eq!(total, 3);

        // Too small: only `capacity` slots are written, the total is still returned.
        let mut small = [empty_token(); 3];
        let reported = mapback_sourcemap_original_positions(
            map.ptr(),
            0,
            6,
            ptr::null(),
            small.as_mut_ptr(),
            1,
            &mut err,
        );
        assert_eq!(reported, 3);
        assert_ne!(fields(&small[0]), fields(&empty_token()));
        assert_eq!(fields(&small[1]), fields(&empty_token()), "beyond capacity");

        let mut out = vec![empty_token(); total];
        let written = mapback_sourcemap_original_positions(
            map.ptr(),
            0,
            6,
            ptr::null(),
            out.as_mut_ptr(),
            out.len(),
            &mut err,
        );
        assert_eq!(written, total);
        let expected = rust.original_positions(0, 6, LookupOptions::default());
        assert_eq!(expected.len(), 3);
        for (slot, token) in out.iter().zip(&expected) {
            assert_eq!(fields(slot), raw_fields(&token.raw()));
        }
        assert_eq!(fields(&small[0]), fields(&out[0]));
        let sources: Vec<u32> = out.iter().map(|t| t.source_index).collect();
        assert_eq!(sources, vec![0, 1, 0]);

        // Nothing there.
        assert_eq!(
            mapback_sourcemap_original_positions(
                map.ptr(),
                3,
                0,
                ptr::null(),
                ptr::null_mut(),
                0,
                &mut err
            ),
            0
        );
        assert_success(&err, "empty");

        // Generated positions: the same two-call pattern; MAPBACK_NONE = whole line.
        let total = mapback_sourcemap_generated_positions(
            map.ptr(),
            0,
            0,
            MAPBACK_NONE,
            ptr::null_mut(),
            0,
            &mut err,
        );
        let expected = rust.generated_positions(0, 0, None);
        assert_eq!(total, expected.len());
        assert_eq!(total, 3);
        let mut out = vec![empty_token(); total];
        assert_eq!(
            mapback_sourcemap_generated_positions(
                map.ptr(),
                0,
                0,
                MAPBACK_NONE,
                out.as_mut_ptr(),
                total,
                &mut err
            ),
            total
        );
        for (slot, token) in out.iter().zip(&expected) {
            assert_eq!(fields(slot), raw_fields(&token.raw()));
        }
        // A column with no exact match: the closest one after it.
        let mut one = [empty_token(); 4];
        let n = mapback_sourcemap_generated_positions(
            map.ptr(),
            0,
            0,
            1,
            one.as_mut_ptr(),
            4,
            &mut err,
        );
        let expected = rust.generated_positions(0, 0, Some(1));
        assert_eq!(n, expected.len());
        assert_eq!(n, 2, "two tokens at original column 4");
        assert!(one[..n].iter().all(|t| t.original_column == 4));

        // generated_position agrees with the Rust API.
        let mut token = empty_token();
        let lub = options(MAPBACK_BIAS_LEAST_UPPER_BOUND, true);
        assert!(mapback_sourcemap_generated_position(
            map.ptr(),
            0,
            0,
            1,
            &lub,
            &mut token,
            &mut err
        ));
        let expected = rust
            .generated_position(0, 0, 1, LookupOptions::with_bias(Bias::LeastUpperBound))
            .unwrap();
        assert_eq!(fields(&token), raw_fields(&expected.raw()));
        assert!(!mapback_sourcemap_generated_position(
            map.ptr(),
            9,
            0,
            0,
            ptr::null(),
            &mut token,
            &mut err
        ));
        assert_success(&err, "generated_position not found");
    }
}

// ---------------------------------------------------------------------------------------
// Strings and metadata
// ---------------------------------------------------------------------------------------

/// Reads a source string through one of the four getters.
///
/// # Safety
/// `map` must be a valid handle that outlives the returned string's use.
unsafe fn source_string<'a>(
    getter: unsafe extern "C" fn(
        *const mapback_sourcemap,
        u32,
        *mut mapback_str,
        *mut mapback_error,
    ) -> bool,
    map: *const mapback_sourcemap,
    index: u32,
) -> Option<&'a str> {
    let mut out = empty_str();
    let mut err = new_error();
    // SAFETY: valid pointers per the caller's contract.
    let found = unsafe { getter(map, index, &mut out, &mut err) };
    assert_success(&err, "source string");
    // SAFETY: the view was written.
    found.then(|| unsafe { view(&out) })
}

fn check_strings(bytes: &[u8], rust: &SourceMap, options: Option<&mapback_parse_options>) {
    let map = Handle::parse(bytes, options);
    let mut err = new_error();
    let mut out = empty_str();
    // SAFETY: valid handle and outputs; views are read while the map is alive.
    unsafe {
        assert_eq!(
            mapback_sourcemap_source_count(map.ptr(), &mut err),
            rust.source_count()
        );
        assert_eq!(
            mapback_sourcemap_name_count(map.ptr(), &mut err),
            rust.name_count()
        );
        assert_eq!(
            mapback_sourcemap_token_count(map.ptr(), &mut err),
            rust.token_count()
        );
        assert_eq!(
            mapback_sourcemap_line_count(map.ptr(), &mut err),
            rust.line_count()
        );
        assert_eq!(
            mapback_sourcemap_is_index_map(map.ptr(), &mut err),
            rust.is_index_map()
        );
        assert!(mapback_sourcemap_heap_size(map.ptr(), &mut err) > 0);
        assert_success(&err, "counts");
        for source in rust.sources() {
            let i = source.index();
            assert_eq!(
                source_string(mapback_sourcemap_source_name, map.ptr(), i),
                source.name()
            );
            assert_eq!(
                source_string(mapback_sourcemap_source_url, map.ptr(), i),
                source.url()
            );
            assert_eq!(
                source_string(mapback_sourcemap_source_path, map.ptr(), i),
                source.path()
            );
            assert_eq!(
                source_string(mapback_sourcemap_source_content, map.ptr(), i),
                source.content()
            );
            assert_eq!(
                mapback_sourcemap_source_is_ignored(map.ptr(), i, &mut err),
                source.is_ignored()
            );
            assert_success(&err, "is_ignored");
            if let Some(name) = source.name() {
                let found =
                    mapback_sourcemap_find_source(map.ptr(), name.as_ptr(), name.len(), &mut err);
                assert_eq!(Some(found), rust.find_source(name));
            }
        }
        let n = rust.source_count() as u32;
        assert!(!mapback_sourcemap_source_name(
            map.ptr(),
            n,
            &mut out,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_INDEX_OUT_OF_RANGE, "source index");
        assert!(!mapback_sourcemap_source_is_ignored(map.ptr(), n, &mut err));
        assert_failure(&err, MAPBACK_ERROR_INDEX_OUT_OF_RANGE, "is_ignored index");

        for (i, name) in rust.names().into_iter().enumerate() {
            assert!(mapback_sourcemap_name(
                map.ptr(),
                i as u32,
                &mut out,
                &mut err
            ));
            assert_eq!(view(&out), name);
        }
        assert!(!mapback_sourcemap_name(
            map.ptr(),
            rust.name_count() as u32,
            &mut out,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_INDEX_OUT_OF_RANGE, "name index");

        let file = mapback_sourcemap_file(map.ptr(), &mut out, &mut err);
        assert_eq!(file.then(|| view(&out)), rust.file());
        let id = mapback_sourcemap_debug_id(map.ptr(), &mut out, &mut err);
        assert_eq!(id.then(|| view(&out)), rust.debug_id());
        assert_success(&err, "file/debug_id");

        let count = mapback_sourcemap_diagnostic_count(map.ptr(), &mut err);
        assert_eq!(count, rust.diagnostics().len());
        for (i, expected) in rust.diagnostics().iter().enumerate() {
            let mut diagnostic = empty_diagnostic();
            assert!(mapback_sourcemap_diagnostic(
                map.ptr(),
                i as u32,
                &mut diagnostic,
                &mut err
            ));
            assert_eq!(diagnostic.code, expected.code().as_i32());
            assert_eq!(
                diagnostic.offset,
                expected.offset().map_or(-1, |o| o as i64)
            );
            assert_eq!(view(&diagnostic.message), expected.message());
        }
        let mut diagnostic = empty_diagnostic();
        assert!(!mapback_sourcemap_diagnostic(
            map.ptr(),
            count as u32,
            &mut diagnostic,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_INDEX_OUT_OF_RANGE, "diagnostic index");

        let mut token = empty_token();
        for i in [
            0,
            rust.token_count() / 2,
            rust.token_count().saturating_sub(1),
        ] {
            if rust.token_count() == 0 {
                break;
            }
            assert!(mapback_sourcemap_token_at(
                map.ptr(),
                i as u32,
                &mut token,
                &mut err
            ));
            assert_eq!(fields(&token), raw_fields(&rust.token(i).unwrap().raw()));
        }
        let missing = b"no/such/file.js";
        assert_eq!(
            mapback_sourcemap_find_source(map.ptr(), missing.as_ptr(), missing.len(), &mut err),
            MAPBACK_NONE
        );
        assert_success(&err, "find_source not found");
        let not_utf8 = [0xC3u8];
        assert_eq!(
            mapback_sourcemap_find_source(map.ptr(), not_utf8.as_ptr(), 1, &mut err),
            MAPBACK_NONE
        );
        assert_failure(&err, MAPBACK_ERROR_INVALID_ARGUMENT, "find_source UTF-8");
        mapback_error_clear(&mut err);
    }
}

#[test]
fn strings_equal_the_rust_api() {
    let demo = demo_bytes();
    check_strings(&demo, &SourceMap::from_slice(&demo).unwrap(), None);

    let base = "https://cdn.example.com/static/bundle.min.js.map";
    let options = mapback_parse_options {
        strict: false,
        base_url: base.as_ptr(),
        base_url_len: base.len(),
        limits: mapback_decode_limits::default(),
    };
    let rust =
        SourceMap::from_slice_with(&demo, &DecodeOptions::new().base_url(base).unwrap()).unwrap();
    check_strings(&demo, &rust, Some(&options));

    // Escaped content, a null source, sourceRoot, ignoreList, file, debugId, diagnostics
    // (trailing comma, bad name, duplicate key).
    let hand = br#"{"version":3,"file":"out.js","sourceRoot":"src","debugId":"1aad9d9e-2b50-454f-a5f2-0dd5e95c154c",
        "sources":["a.js",null,"b\u00e9.js"],"sourcesContent":["line1\nline2 \"q\" \u00e9\ud83d\ude00",null,"x"],
        "names":["f",3],"ignoreList":[2],"mappings":"AAAAA,CAEAC","file":"out2.js",}"#;
    let rust = SourceMap::from_slice(hand).unwrap();
    assert_eq!(rust.diagnostics().len(), 3, "{:?}", rust.diagnostics());
    assert_eq!(
        rust.source(0).unwrap().content(),
        Some("line1\nline2 \"q\" é😀")
    );
    assert_eq!(rust.source(2).unwrap().path(), Some("src/bé.js"));
    assert_eq!(rust.file(), Some("out2.js"));
    check_strings(hand, &rust, None);
    // A null source's name is "absent", not an error.
    let map = Handle::parse(hand, None);
    // SAFETY: valid handle.
    unsafe {
        assert_eq!(
            source_string(mapback_sourcemap_source_name, map.ptr(), 1),
            None
        );
        assert_eq!(
            source_string(mapback_sourcemap_source_content, map.ptr(), 1),
            None
        );
    }
}

#[test]
fn index_map_through_the_abi() {
    let json = br#"{"version":3,"sections":[
        {"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"mappings":"AAAA"}},
        {"offset":{"line":1,"column":5},"map":{"version":3,"sources":["b.js"],"names":["g"],"mappings":"AAAAA"}}]}"#;
    let rust = SourceMap::from_slice(json).unwrap();
    assert!(rust.is_index_map());
    check_strings(json, &rust, None);
    let map = Handle::parse(json, None);
    let mut token = empty_token();
    let mut err = new_error();
    // SAFETY: valid pointers.
    unsafe {
        assert!(mapback_sourcemap_is_index_map(map.ptr(), &mut err));
        assert!(mapback_sourcemap_lookup(
            map.ptr(),
            1,
            9,
            ptr::null(),
            &mut token,
            &mut err
        ));
    }
    assert_eq!(
        fields(&token),
        (1, 1, 5, 1, 0, 0, 0),
        "second section's token, with global indices"
    );
}

// ---------------------------------------------------------------------------------------
// One handle, many threads
// ---------------------------------------------------------------------------------------

/// A map handle shared across threads: the ABI documents every `const` function as
/// thread-safe on one handle.
#[derive(Clone, Copy)]
struct Shared(*const mapback_sourcemap);

// SAFETY: the library documents concurrent use of one handle as safe; the handle
// outlives the threads (they are scoped) and is freed after they join.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    fn get(self) -> *const mapback_sourcemap {
        self.0
    }
}

#[test]
fn one_handle_shared_by_eight_threads() {
    let bytes = demo_bytes();
    // Expected results come from a separate Rust map, so the shared handle's lazy parts
    // (reverse index, unescaped contents) are first built inside the threads, racing.
    let rust = SourceMap::from_slice(&bytes).unwrap();
    let mut positions = Vec::new();
    for token in rust.tokens() {
        positions.push((token.generated_line(), token.generated_column()));
        positions.push((token.generated_line(), token.generated_column() + 1));
    }
    positions.push((0, 0));
    positions.push((7, 3));
    let forward: Vec<Option<Fields>> = positions
        .iter()
        .map(|&(l, c)| rust.lookup(l, c).map(|t| raw_fields(&t.raw())))
        .collect();
    let originals: Vec<(u32, u32, u32)> = rust
        .tokens()
        .filter_map(|t| Some((t.source_index()?, t.original_line()?, t.original_column()?)))
        .collect();
    let reverse: Vec<Option<Fields>> = originals
        .iter()
        .map(|&(s, l, c)| {
            rust.generated_position(s, l, c, LookupOptions::default())
                .map(|t| raw_fields(&t.raw()))
        })
        .collect();
    let contents: Vec<Option<String>> = rust
        .sources()
        .map(|s| s.content().map(String::from))
        .collect();

    let handle = Handle::parse(&bytes, None);
    let shared = Shared(handle.ptr());
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|thread| {
                let (positions, forward, originals, reverse, contents) =
                    (&positions, &forward, &originals, &reverse, &contents);
                scope.spawn(move || {
                    let map = shared.get();
                    let mut err = new_error();
                    let mut token = empty_token();
                    for round in 0..3 {
                        // Each thread walks the positions from a different start.
                        let n = positions.len();
                        for k in 0..n {
                            let i = (k + thread * n / 8 + round) % n;
                            let (line, column) = positions[i];
                            // SAFETY: the handle is alive; outputs are local.
                            let found = unsafe {
                                mapback_sourcemap_lookup(
                                    map,
                                    line,
                                    column,
                                    ptr::null(),
                                    &mut token,
                                    &mut err,
                                )
                            };
                            assert_eq!(found.then(|| fields(&token)), forward[i]);
                        }
                        for (i, &(s, l, c)) in originals.iter().enumerate().rev() {
                            // SAFETY: as above.
                            let found = unsafe {
                                mapback_sourcemap_generated_position(
                                    map,
                                    s,
                                    l,
                                    c,
                                    ptr::null(),
                                    &mut token,
                                    &mut err,
                                )
                            };
                            assert_eq!(found.then(|| fields(&token)), reverse[i]);
                        }
                        for (i, expected) in contents.iter().enumerate() {
                            // SAFETY: as above; the view is read while the map is alive.
                            let content = unsafe {
                                source_string(mapback_sourcemap_source_content, map, i as u32)
                            };
                            assert_eq!(content, expected.as_deref());
                        }
                        let lines: Vec<u32> = positions.iter().map(|p| p.0).collect();
                        let columns: Vec<u32> = positions.iter().map(|p| p.1).collect();
                        let mut out = vec![empty_token(); positions.len()];
                        // SAFETY: arrays of equal length.
                        let found = unsafe {
                            mapback_sourcemap_lookup_many(
                                map,
                                lines.as_ptr(),
                                columns.as_ptr(),
                                lines.len(),
                                ptr::null(),
                                out.as_mut_ptr(),
                                &mut err,
                            )
                        };
                        assert_eq!(found, forward.iter().filter(|f| f.is_some()).count());
                        for (slot, expected) in out.iter().zip(forward.iter()) {
                            let got = (slot.token_index != MAPBACK_NONE).then(|| fields(slot));
                            assert_eq!(&got, expected);
                        }
                    }
                    assert_success(&err, "thread");
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("worker thread");
        }
    });
    drop(handle);
}

#[test]
fn unknown_bias_is_an_invalid_argument() {
    let json = br#"{"version":3,"sources":["a.js"],"names":[],"mappings":"AAAA"}"#;
    let mut err = mapback_error {
        code: 0,
        message: std::ptr::null_mut(),
        offset: -1,
    };
    unsafe {
        let map = mapback_sourcemap_parse(json.as_ptr(), json.len(), std::ptr::null(), &mut err);
        assert!(!map.is_null());
        let bad = options(7, true);
        let mut token = std::mem::MaybeUninit::<mapback_token>::zeroed().assume_init();
        assert!(!mapback_sourcemap_lookup(
            map, 0, 0, &bad, &mut token, &mut err
        ));
        assert_eq!(err.code, MAPBACK_ERROR_INVALID_ARGUMENT);
        let mut lines = [0u32];
        let mut out = [token];
        assert_eq!(
            mapback_sourcemap_lookup_many(
                map,
                lines.as_mut_ptr(),
                lines.as_ptr(),
                1,
                &bad,
                out.as_mut_ptr(),
                &mut err
            ),
            0
        );
        assert_eq!(err.code, MAPBACK_ERROR_INVALID_ARGUMENT);
        mapback_error_clear(&mut err);
        mapback_sourcemap_free(map);
    }
}

/// Every export taking a store handle fails on a NULL store with
/// `MAPBACK_ERROR_NULL_POINTER`, its neutral value and its outputs untouched; the set
/// called here is checked against the exports, so a new one cannot be missed.
#[test]
fn null_store_fails_with_null_pointer() {
    let null: *const mapback_store = ptr::null();
    let mut tested: BTreeSet<String> = BTreeSet::new();
    let mut buffer = mapback_buf {
        data: ptr::null_mut(),
        len: 0,
    };
    let id = b"869a7777-576f-454e-bd77-0b6aa3a52d82";
    let paths = [mapback_str {
        data: b"x.zip".as_ptr().cast(),
        len: 5,
    }];
    let mut err: mapback_error;
    macro_rules! check {
        ($name:literal, $call:expr, $failure:expr) => {{
            err = new_error();
            // SAFETY: every pointer but the store is valid; the store is NULL on purpose.
            let value = unsafe { $call };
            assert_eq!(value, $failure, "{}: failure value", $name);
            assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, $name);
            assert!(message(&err).contains("`store`"), "{}", message(&err));
            assert!(buffer.data.is_null(), "{}: output touched", $name);
            // SAFETY: `err` holds a library-owned message.
            unsafe { mapback_error_clear(&mut err) };
            tested.insert($name.to_owned());
        }};
    }
    check!(
        "mapback_store_add",
        mapback_store_add(null, paths.as_ptr(), 1, &mut buffer, &mut err),
        false
    );
    check!(
        "mapback_store_find_by_debug_id",
        mapback_store_find_by_debug_id(null, id.as_ptr(), id.len(), &mut buffer, &mut err),
        ptr::null_mut()
    );
    check!(
        "mapback_store_find_by_url",
        mapback_store_find_by_url(null, b"/a.js".as_ptr(), 5, &mut buffer, &mut err),
        ptr::null_mut()
    );
    check!(
        "mapback_store_entries_json",
        mapback_store_entries_json(null, &mut buffer, &mut err),
        false
    );
    check!(
        "mapback_store_verify_json",
        mapback_store_verify_json(null, &mut buffer, &mut err),
        false
    );
    check!(
        "mapback_store_gc_json",
        mapback_store_gc_json(null, &mut buffer, &mut err),
        false
    );
    check!(
        "mapback_symbolicator_new_store",
        mapback_symbolicator_new_store(null, ptr::null(), &mut err),
        ptr::null_mut()
    );
    let taking_a_store: BTreeSet<String> = parse_exports()
        .into_iter()
        .filter(|e| e.params.starts_with("store: *const mapback_store"))
        .map(|e| e.name)
        .collect();
    assert_eq!(
        tested, taking_a_store,
        "NULL-store coverage differs from the exports"
    );
    // SAFETY: NULL is documented as ignored.
    unsafe { mapback_store_free(ptr::null_mut()) };
}

/// One store handle shared by threads: four find and look up while one adds.
#[test]
fn one_store_handle_is_shared_across_threads() {
    let dir = std::env::temp_dir().join(format!("mapback-ffi-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.to_string_lossy().into_owned();
    let bundle = root().join("tests/data/events/artifact-bundle.zip");
    let bundle = bundle.to_string_lossy().into_owned();
    let input = [mapback_str {
        data: bundle.as_ptr().cast(),
        len: bundle.len(),
    }];
    let mut err = new_error();
    // SAFETY: valid pointers for the call.
    let store = unsafe { mapback_store_open(path.as_ptr(), path.len(), ptr::null(), &mut err) };
    assert_success(&err, "open");
    // SAFETY: a live store and a valid one-element array.
    assert!(unsafe { mapback_store_add(store, input.as_ptr(), 1, ptr::null_mut(), &mut err) });
    struct Shared(*const mapback_store);
    // SAFETY: `mapback_store` is documented thread-safe for every `const` function.
    unsafe impl Sync for Shared {}
    let shared = Shared(store);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let shared = &shared;
            scope.spawn(move || {
                let id = b"869a7777-576f-454e-bd77-0b6aa3a52d82";
                for _ in 0..50 {
                    let mut err = new_error();
                    // SAFETY: a live store, valid text, no JSON wanted.
                    let map = unsafe {
                        mapback_store_find_by_debug_id(
                            shared.0,
                            id.as_ptr(),
                            id.len(),
                            ptr::null_mut(),
                            &mut err,
                        )
                    };
                    assert!(!map.is_null(), "{}", message(&err));
                    let mut token = empty_token();
                    // SAFETY: a live map.
                    assert!(unsafe {
                        mapback_sourcemap_lookup(map, 0, 2255, ptr::null(), &mut token, &mut err)
                    });
                    assert_eq!((token.original_line, token.original_column), (13, 25));
                    // SAFETY: freed once.
                    unsafe { mapback_sourcemap_free(map) };
                }
            });
        }
        let (shared, bundle) = (&shared, &bundle);
        scope.spawn(move || {
            let input = [mapback_str {
                data: bundle.as_ptr().cast(),
                len: bundle.len(),
            }];
            for _ in 0..5 {
                let mut err = new_error();
                // SAFETY: a live store and a valid one-element array.
                let added = unsafe {
                    mapback_store_add(shared.0, input.as_ptr(), 1, ptr::null_mut(), &mut err)
                };
                assert!(added, "{}", message(&err));
            }
        });
    });
    // SAFETY: no thread uses it any more.
    unsafe { mapback_store_free(store) };
    let _ = std::fs::remove_dir_all(&dir);
}

/// A symbolicator over a store through the C ABI: it keeps the store open after the
/// store's handle is freed, symbolicates a real SDK event and its frames (found by
/// debug ID), and refuses NULL and hostile inputs with typed errors, its output
/// untouched.
#[test]
fn a_store_symbolicator_outlives_its_store_handle_and_refuses_bad_input() {
    let dir = std::env::temp_dir().join(format!("mapback-ffi-sym-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.to_string_lossy().into_owned();
    let bundle = root().join("tests/data/events/artifact-bundle.zip");
    let bundle = bundle.to_string_lossy().into_owned();
    let input = [mapback_str {
        data: bundle.as_ptr().cast(),
        len: bundle.len(),
    }];
    let mut err = new_error();
    // SAFETY: valid pointers for each call; the store is freed once, before the
    // symbolicator, which the docs allow.
    let symbolicator = unsafe {
        let store = mapback_store_open(path.as_ptr(), path.len(), ptr::null(), &mut err);
        assert_success(&err, "open");
        assert!(mapback_store_add(
            store,
            input.as_ptr(),
            1,
            ptr::null_mut(),
            &mut err
        ));
        let symbolicator = mapback_symbolicator_new_store(store, ptr::null(), &mut err);
        assert_success(&err, "new_store");
        mapback_store_free(store);
        symbolicator
    };
    let event = std::fs::read(root().join("tests/data/events/events/browser/thrown.json")).unwrap();
    let mut out = mapback_buf {
        data: ptr::null_mut(),
        len: 0,
    };
    let take = |out: &mut mapback_buf| -> serde_json::Value {
        // SAFETY: a buffer the library filled; freed once here.
        let bytes = unsafe { std::slice::from_raw_parts(out.data, out.len) }.to_vec();
        unsafe { mapback_buf_free(out) };
        serde_json::from_slice(&bytes).unwrap()
    };
    // SAFETY: a live symbolicator and valid buffers.
    assert!(unsafe {
        mapback_symbolicator_symbolicate_event(
            symbolicator,
            event.as_ptr(),
            event.len(),
            &mut out,
            &mut err,
        )
    });
    let result = take(&mut out);
    let frames = &result["exception"]["values"][0]["stacktrace"]["frames"];
    let last = &frames[frames.as_array().unwrap().len() - 1];
    assert_eq!(last["filename"], "../app/src/checkout.js");
    assert_eq!(last["lineno"], 18);
    assert_eq!(last["data"]["found_by"], "debug_id");
    assert!(result["exception"]["values"][0]["raw_stacktrace"].is_object());

    let sent: serde_json::Value = serde_json::from_slice(&event).unwrap();
    let frames_json =
        serde_json::to_vec(&sent["exception"]["values"][0]["stacktrace"]["frames"]).unwrap();
    let images_json = serde_json::to_vec(&sent["debug_meta"]["images"]).unwrap();
    // SAFETY: as above.
    assert!(unsafe {
        mapback_symbolicator_symbolicate_frames(
            symbolicator,
            frames_json.as_ptr(),
            frames_json.len(),
            images_json.as_ptr(),
            images_json.len(),
            MAPBACK_ENGINE_V8,
            &mut out,
            &mut err,
        )
    });
    let frames = take(&mut out);
    let frames = frames.as_array().unwrap();
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[4]["function"], "discountFor");
    assert_eq!(frames[4]["found_by"], "debug_id");

    // Refused inputs: typed errors, `out` untouched.
    let frames_call = |frames: &[u8], images: Option<&[u8]>, engine: u32| {
        let mut err = new_error();
        let mut out = mapback_buf {
            data: ptr::null_mut(),
            len: 0,
        };
        let (images, images_len) = images.map_or((ptr::null(), 0), |i| (i.as_ptr(), i.len()));
        // SAFETY: valid pointers (images NULL means none).
        let ok = unsafe {
            mapback_symbolicator_symbolicate_frames(
                symbolicator,
                frames.as_ptr(),
                frames.len(),
                images,
                images_len,
                engine,
                &mut out,
                &mut err,
            )
        };
        assert!(!ok && out.data.is_null());
        let code = err.code;
        // SAFETY: a library-owned message.
        unsafe { mapback_error_clear(&mut err) };
        code
    };
    assert_eq!(frames_call(b"[", None, 1), MAPBACK_ERROR_INVALID_JSON);
    assert_eq!(frames_call(b"{}", None, 1), MAPBACK_ERROR_INVALID_ARGUMENT);
    assert_eq!(
        frames_call(b"[{\"lineno\": \"1\"}]", None, 1),
        MAPBACK_ERROR_INVALID_ARGUMENT
    );
    assert_eq!(frames_call(b"[]", None, 99), MAPBACK_ERROR_INVALID_ARGUMENT);
    assert_eq!(
        frames_call(
            b"[]",
            Some(b"[{\"type\": \"sourcemap\", \"code_file\": \"a.js\", \"debug_id\": \"x\"}]"),
            1
        ),
        MAPBACK_ERROR_INVALID_ARGUMENT
    );
    let many = format!("[{}{{}}]", "{},".repeat(4096));
    assert_eq!(
        frames_call(many.as_bytes(), None, 0),
        MAPBACK_ERROR_INPUT_TOO_LARGE
    );
    for (bad, code) in [
        (&b"[1]"[..], MAPBACK_ERROR_INVALID_ARGUMENT),
        (&b"{\"exception\": "[..], MAPBACK_ERROR_INVALID_JSON),
        (&b"\xff"[..], MAPBACK_ERROR_INVALID_JSON),
    ] {
        let mut out = mapback_buf {
            data: ptr::null_mut(),
            len: 0,
        };
        // SAFETY: valid pointers.
        let ok = unsafe {
            mapback_symbolicator_symbolicate_event(
                symbolicator,
                bad.as_ptr(),
                bad.len(),
                &mut out,
                &mut err,
            )
        };
        assert!(!ok && out.data.is_null());
        assert_failure(&err, code, "symbolicate_event");
        // SAFETY: a library-owned message.
        unsafe { mapback_error_clear(&mut err) };
    }
    // SAFETY: NULL pointers on purpose; the rest valid.
    unsafe {
        assert!(!mapback_symbolicator_symbolicate_event(
            ptr::null(),
            event.as_ptr(),
            event.len(),
            &mut out,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL symbolicator");
        mapback_error_clear(&mut err);
        assert!(!mapback_symbolicator_symbolicate_event(
            symbolicator,
            ptr::null(),
            3,
            &mut out,
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL event");
        mapback_error_clear(&mut err);
        assert!(!mapback_symbolicator_symbolicate_event(
            symbolicator,
            event.as_ptr(),
            event.len(),
            ptr::null_mut(),
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL out");
        mapback_error_clear(&mut err);
        assert!(!mapback_symbolicator_symbolicate_frames(
            ptr::null(),
            b"[]".as_ptr(),
            2,
            ptr::null(),
            0,
            0,
            &mut out,
            &mut err
        ));
        assert_failure(
            &err,
            MAPBACK_ERROR_NULL_POINTER,
            "NULL symbolicator (frames)",
        );
        mapback_error_clear(&mut err);
        mapback_symbolicator_free(symbolicator);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// One symbolicator over a store, shared by four threads symbolicating a real event
/// (with a cache of one script, so that they keep reading the store) while a fifth
/// adds to the store through its own handle.
#[test]
fn one_store_symbolicator_is_shared_across_threads() {
    let dir = std::env::temp_dir().join(format!("mapback-ffi-sym-threads-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.to_string_lossy().into_owned();
    let bundle = root().join("tests/data/events/artifact-bundle.zip");
    let bundle = bundle.to_string_lossy().into_owned();
    let input = [mapback_str {
        data: bundle.as_ptr().cast(),
        len: bundle.len(),
    }];
    let mut err = new_error();
    let options = mapback_symbolicator_options {
        context_lines: 0,
        max_line_chars: 0,
        max_cached_scripts: 1,
        skip_inlined_frames: false,
        max_parse_bytes: 0,
        max_data_url_bytes: 0,
        max_trace_bytes: 0,
        max_trace_line_bytes: 0,
        max_trace_frames: 0,
        // SAFETY: plain integers, where 0 means the default.
        map_limits: unsafe { std::mem::zeroed() },
        max_event_bytes: 0,
        max_event_frames: 0,
        max_event_values: 0,
    };
    // SAFETY: valid pointers for each call.
    let (store, symbolicator) = unsafe {
        let store = mapback_store_open(path.as_ptr(), path.len(), ptr::null(), &mut err);
        assert_success(&err, "open");
        assert!(mapback_store_add(
            store,
            input.as_ptr(),
            1,
            ptr::null_mut(),
            &mut err
        ));
        let symbolicator = mapback_symbolicator_new_store(store, &options, &mut err);
        assert_success(&err, "new_store");
        (store, symbolicator)
    };
    struct Shared(*const mapback_symbolicator, *const mapback_store);
    // SAFETY: both types are documented thread-safe for every `const` function.
    unsafe impl Sync for Shared {}
    let shared = Shared(symbolicator, store);
    let events = ["browser/thrown.json", "node/caused.json"]
        .map(|name| std::fs::read(root().join("tests/data/events/events").join(name)).unwrap());
    std::thread::scope(|scope| {
        for t in 0..4 {
            let (shared, event) = (&shared, &events[t % 2]);
            scope.spawn(move || {
                for _ in 0..20 {
                    let mut err = new_error();
                    let mut out = mapback_buf {
                        data: ptr::null_mut(),
                        len: 0,
                    };
                    // SAFETY: a live symbolicator and valid buffers.
                    let ok = unsafe {
                        mapback_symbolicator_symbolicate_event(
                            shared.0,
                            event.as_ptr(),
                            event.len(),
                            &mut out,
                            &mut err,
                        )
                    };
                    assert!(ok, "{}", message(&err));
                    // SAFETY: the buffer the call filled; freed once.
                    let json: serde_json::Value = unsafe {
                        let bytes = std::slice::from_raw_parts(out.data, out.len).to_vec();
                        mapback_buf_free(&mut out);
                        serde_json::from_slice(&bytes).unwrap()
                    };
                    let frames = json["exception"]["values"][0]["stacktrace"]["frames"]
                        .as_array()
                        .unwrap()
                        .clone();
                    let last = frames.last().unwrap();
                    assert_eq!(last["data"]["found_by"], "debug_id", "{last}");
                    assert!(json.get("errors").is_none(), "{}", json["errors"]);
                }
            });
        }
        let (shared, bundle) = (&shared, &bundle);
        scope.spawn(move || {
            let input = [mapback_str {
                data: bundle.as_ptr().cast(),
                len: bundle.len(),
            }];
            for _ in 0..3 {
                let mut err = new_error();
                // SAFETY: a live store and a valid one-element array.
                let added = unsafe {
                    mapback_store_add(shared.1, input.as_ptr(), 1, ptr::null_mut(), &mut err)
                };
                assert!(added, "{}", message(&err));
            }
        });
    });
    // SAFETY: no thread uses them any more; each freed once.
    unsafe {
        mapback_store_free(store);
        mapback_symbolicator_free(symbolicator);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// The validator
// ---------------------------------------------------------------------------------------

#[test]
fn validate_json_reports_problems_and_refuses_bad_arguments() {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA,UAAA"}"#;
    let script = b"short";
    let mut err = new_error();
    let mut out = mapback_buf {
        data: ptr::null_mut(),
        len: 0,
    };
    // SAFETY: valid buffers; the output is freed once below.
    let report: serde_json::Value = unsafe {
        let ran = mapback_sourcemap_validate(
            map.as_ptr(),
            map.len(),
            script.as_ptr(),
            script.len(),
            &mut out,
            &mut err,
        );
        assert!(ran);
        assert_success(&err, "validate");
        let bytes = std::slice::from_raw_parts(out.data, out.len).to_vec();
        mapback_buf_free(&mut out);
        serde_json::from_slice(&bytes).unwrap()
    };
    assert_eq!(report["valid"], false);
    assert_eq!(report["errors"][0]["code"], "column-past-line-end");
    assert!(out.data.is_null(), "mapback_buf_free resets the buffer");

    // A map that cannot be decoded is a report, not a failure; no script is NULL.
    // SAFETY: as above.
    unsafe {
        assert!(mapback_sourcemap_validate(
            b"[".as_ptr(),
            1,
            ptr::null(),
            0,
            &mut out,
            &mut err
        ));
        assert!(!out.data.is_null());
        mapback_buf_free(&mut out);
    }
    // Bad arguments fail with `out` untouched.
    // SAFETY: the pointers under test are NULL or bad on purpose; the rest are valid.
    unsafe {
        let ran = mapback_sourcemap_validate(ptr::null(), 5, ptr::null(), 0, &mut out, &mut err);
        assert!(!ran);
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL map");
        mapback_error_clear(&mut err);
        let ran = mapback_sourcemap_validate(
            map.as_ptr(),
            map.len(),
            ptr::null(),
            0,
            ptr::null_mut(),
            &mut err,
        );
        assert!(!ran);
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL out");
        mapback_error_clear(&mut err);
        let bad = b"\xFF";
        let ran = mapback_sourcemap_validate(
            map.as_ptr(),
            map.len(),
            bad.as_ptr(),
            1,
            &mut out,
            &mut err,
        );
        assert!(!ran);
        assert_failure(&err, MAPBACK_ERROR_INVALID_ARGUMENT, "script not UTF-8");
        mapback_error_clear(&mut err);
    }
    assert!(out.data.is_null());
}

#[test]
fn scopes_json_and_the_builders_scopes_round_trip() {
    let record =
        br#"{"sources":[{"scope":{"start":{"line":0,"column":0},"end":{"line":9,"column":0},
        "name":"main","kind":"function","isStackFrame":true,"variables":["x"],"children":[]}}],
        "ranges":[{"start":{"line":0,"column":0},"end":{"line":0,"column":20},"definitionIndex":0,
        "stackFrameType":"original","bindings":[[{"from":{"line":0,"column":0},"binding":"a"}]],
        "callSite":null,"children":[]}]}"#;
    let mut err = new_error();
    let mut out = mapback_buf {
        data: ptr::null_mut(),
        len: 0,
    };
    // SAFETY: valid buffers and handles, each freed once below.
    unsafe {
        let builder = mapback_builder_new(&mut err);
        assert!(mapback_builder_add_source(builder, b"a.js".as_ptr(), 4, &mut err) == 0);
        assert!(mapback_builder_set_scopes_json(
            builder,
            record.as_ptr(),
            record.len(),
            &mut err
        ));
        assert_success(&err, "set_scopes_json");
        // A record of the wrong shape fails and changes nothing.
        let bad = br#"{"sources":[{"scope":{"start":3}}]}"#;
        assert!(!mapback_builder_set_scopes_json(
            builder,
            bad.as_ptr(),
            bad.len(),
            &mut err
        ));
        assert_failure(&err, MAPBACK_ERROR_INVALID_ARGUMENT, "bad record");
        mapback_error_clear(&mut err);
        assert!(mapback_builder_to_json(
            builder,
            ptr::null(),
            &mut out,
            &mut err
        ));
        let json = std::slice::from_raw_parts(out.data, out.len).to_vec();
        mapback_buf_free(&mut out);
        mapback_builder_free(builder);

        let map = mapback_sourcemap_parse(json.as_ptr(), json.len(), ptr::null(), &mut err);
        assert!(!map.is_null(), "{}", String::from_utf8_lossy(&json));
        assert!(mapback_sourcemap_scopes_json(map, &mut out, &mut err));
        let found: serde_json::Value =
            serde_json::from_slice(std::slice::from_raw_parts(out.data, out.len)).unwrap();
        mapback_buf_free(&mut out);
        mapback_sourcemap_free(map);
        let expected: serde_json::Value = serde_json::from_slice(record).unwrap();
        assert_eq!(
            found["sources"][0]["scope"],
            expected["sources"][0]["scope"]
        );
        assert_eq!(found["ranges"], expected["ranges"]);
        assert_eq!(found["sources"][0]["url"], "a.js");
    }
}

// ---------------------------------------------------------------------------------------
// The inspector page
// ---------------------------------------------------------------------------------------

#[test]
fn inspect_html_writes_a_page_and_refuses_bad_arguments() {
    let map = br#"{"version":3,"sources":["a.js"],"sourcesContent":["x"],"mappings":"AAAA,UAAA"}"#;
    let script = b"short";
    let name = b"a.js.map";
    let mut err = new_error();
    let mut out = mapback_buf {
        data: ptr::null_mut(),
        len: 0,
    };
    // SAFETY: valid buffers; the output is freed once below.
    let page = unsafe {
        let ran = mapback_sourcemap_inspect_html(
            map.as_ptr(),
            map.len(),
            script.as_ptr(),
            script.len(),
            name.as_ptr(),
            name.len(),
            ptr::null(),
            0,
            &mut out,
            &mut err,
        );
        assert!(ran);
        assert_success(&err, "inspect_html");
        let bytes = std::slice::from_raw_parts(out.data, out.len).to_vec();
        mapback_buf_free(&mut out);
        String::from_utf8(bytes).unwrap()
    };
    assert!(page.starts_with("<!doctype html>"), "{}", &page[..40]);
    assert!(page.contains("<title>a.js.map"));
    assert!(page.contains(r#""code":"column-past-line-end""#));
    assert!(out.data.is_null(), "mapback_buf_free resets the buffer");
    // Bad arguments fail with `out` untouched.
    // SAFETY: the pointers under test are NULL or bad on purpose; the rest are valid.
    unsafe {
        let null = ptr::null();
        let ran =
            mapback_sourcemap_inspect_html(null, 5, null, 0, null, 0, null, 0, &mut out, &mut err);
        assert!(!ran);
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL map");
        mapback_error_clear(&mut err);
        let ran = mapback_sourcemap_inspect_html(
            map.as_ptr(),
            map.len(),
            null,
            0,
            null,
            0,
            null,
            0,
            ptr::null_mut(),
            &mut err,
        );
        assert!(!ran);
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL out");
        mapback_error_clear(&mut err);
        let bad = b"\xFF";
        let ran = mapback_sourcemap_inspect_html(
            map.as_ptr(),
            map.len(),
            null,
            0,
            bad.as_ptr(),
            1,
            null,
            0,
            &mut out,
            &mut err,
        );
        assert!(!ran);
        assert_failure(&err, MAPBACK_ERROR_INVALID_ARGUMENT, "map_name not UTF-8");
        mapback_error_clear(&mut err);
    }
    assert!(out.data.is_null());
}

// ---------------------------------------------------------------------------------------
// Lookup requests (mapback_sourcemap_lookup_request)
// ---------------------------------------------------------------------------------------

/// Runs a request for `map` at (line, column): the flags and the token written.
fn run_request(map: *const mapback_sourcemap, line: u32, column: u32) -> (i32, mapback_token) {
    let mut token = empty_token();
    token.generated_line = line;
    token.generated_column = column;
    let mut request = mapback_lookup_request { map, token };
    let mut err = new_error();
    // SAFETY: a valid request naming a live map, and a valid error struct.
    let flags = unsafe { mapback_sourcemap_lookup_request(&mut request, &mut err) };
    assert_success(&err, "lookup_request");
    (flags, request.token)
}

#[test]
fn lookup_request_answers_as_lookup_does_and_says_which_fields_hold_values() {
    let demo = Handle::parse(&demo_bytes(), None);
    let mut err = new_error();
    // SAFETY: a live map and a valid error struct.
    let count = unsafe { mapback_sourcemap_token_count(demo.ptr(), &mut err) };
    let (mut named, mut unnamed, mut missing) = (0, 0, 0);
    for index in (0..count as u32).step_by(7) {
        let mut at = empty_token();
        // SAFETY: valid pointers; the index is in range.
        assert!(unsafe { mapback_sourcemap_token_at(demo.ptr(), index, &mut at, &mut err) });
        for column in [at.generated_column, at.generated_column + 1] {
            let mut expected = empty_token();
            // SAFETY: valid pointers; NULL options are the defaults.
            let found = unsafe {
                mapback_sourcemap_lookup(
                    demo.ptr(),
                    at.generated_line,
                    column,
                    ptr::null(),
                    &mut expected,
                    &mut err,
                )
            };
            let (flags, token) = run_request(demo.ptr(), at.generated_line, column);
            assert!(found, "the token's own position is covered");
            assert_eq!(fields(&token), fields(&expected), "{index} {column}");
            let mut wanted = MAPBACK_LOOKUP_FOUND;
            if expected.source_index != MAPBACK_NONE {
                wanted |= MAPBACK_LOOKUP_HAS_ORIGINAL;
            }
            if expected.name_index != MAPBACK_NONE {
                wanted |= MAPBACK_LOOKUP_HAS_NAME;
                named += 1;
            } else {
                unnamed += 1;
            }
            assert_eq!(flags, wanted, "{index} {column}");
        }
    }
    // Before the first token of line 0 nothing covers the position: 0, token untouched.
    let (flags, token) = run_request(demo.ptr(), 500_000, 0);
    if flags == 0 {
        missing += 1;
        let mut position = empty_token();
        position.generated_line = 500_000;
        position.generated_column = 0;
        assert_eq!(fields(&token), fields(&position));
    }
    assert!(
        named > 0 && unnamed > 0 && missing == 1,
        "{named} {unnamed} {missing}"
    );
}

#[test]
fn lookup_request_flags_tokens_without_an_original_position_or_a_name() {
    // Segment 1: one field (no original). Segment 2: a source index out of range (the
    // lenient decoder keeps it without an original position) and a valid name. Segment
    // 3: original position, no name.
    let input = br#"{"version":3,"sources":["a.js"],"names":["n"],"mappings":"A,CCAAA,CDAA"}"#;
    let map = Handle::parse(input, None);
    let (flags, token) = run_request(map.ptr(), 0, 0);
    assert_eq!(flags, MAPBACK_LOOKUP_FOUND);
    assert_eq!(token.source_index, MAPBACK_NONE);
    let (flags, token) = run_request(map.ptr(), 0, 1);
    assert_eq!(flags, MAPBACK_LOOKUP_FOUND | MAPBACK_LOOKUP_HAS_NAME);
    assert_eq!((token.source_index, token.name_index), (MAPBACK_NONE, 0));
    let (flags, token) = run_request(map.ptr(), 0, 2);
    assert_eq!(flags, MAPBACK_LOOKUP_FOUND | MAPBACK_LOOKUP_HAS_ORIGINAL);
    assert_eq!((token.source_index, token.name_index), (0, MAPBACK_NONE));
}

#[test]
fn lookup_request_refuses_null_pointers() {
    let mut err = new_error();
    // SAFETY: NULL on purpose; the error struct is valid.
    unsafe {
        assert_eq!(
            mapback_sourcemap_lookup_request(ptr::null_mut(), &mut err),
            0
        );
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL request");
        assert!(message(&err).contains("request"));
        let mut request = mapback_lookup_request {
            map: ptr::null(),
            token: empty_token(),
        };
        assert_eq!(mapback_sourcemap_lookup_request(&mut request, &mut err), 0);
        assert_failure(&err, MAPBACK_ERROR_NULL_POINTER, "NULL map");
        assert!(message(&err).contains("map"));
        assert_eq!(fields(&request.token), fields(&empty_token()));
        mapback_error_clear(&mut err);
    }
}
