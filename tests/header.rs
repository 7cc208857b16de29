//! include/mapback.h as a C reader meets it: every name it declares is
//! `mapback_`/`MAPBACK_`-prefixed, and it opens with the calls every program makes.

use std::path::PathBuf;

fn header() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include/mapback.h");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` without its `/* */` and `//` comments.
fn strip_comments(text: &str) -> String {
    let mut code = String::new();
    let mut rest = text;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                code.push_str(&rest[..b]);
                let end = rest[b..].find("*/").expect("closed comment") + b + 2;
                rest = &rest[end..];
            }
            (_, Some(l)) => {
                code.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |n| &rest[l + n..]);
            }
            _ => {
                code.push_str(rest);
                return code;
            }
        }
    }
}

fn identifiers(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| word.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .collect()
}

/// Every name a C header declares: macros, functions, structs, enums and their
/// constants, typedefs (function pointer typedefs included), in order. Parameter and
/// field names are not declarations of the header and are skipped.
fn declared_names(header: &str) -> Vec<String> {
    let code = strip_comments(header);
    let mut names = Vec::new();
    let mut statements = String::new();
    for line in code.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix('#') {
            let mut words = rest.split_whitespace();
            if words.next() == Some("define") {
                let name = words.next().expect("a macro name");
                let name = name.split('(').next().unwrap_or(name);
                names.push(name.to_owned());
            }
        } else if line != "extern \"C\" {" && line != "}" {
            // A bare `}` closes the cpp_compat `extern "C"` block: bodies of structs and
            // enums close as `} name;` or `};`.
            statements.push_str(line);
            statements.push('\n');
        }
    }
    // Top-level statements: bodies (`{...}`) are read for enum constants, then dropped.
    let mut depth = 0;
    let mut statement = String::new();
    let mut body = String::new();
    for ch in statements.chars() {
        match ch {
            '{' => {
                depth += 1;
                statement.push_str(" { ");
            }
            '}' => {
                depth -= 1;
                if statement.contains("enum") {
                    for constant in body.split(',') {
                        if let Some(name) = identifiers(constant).first() {
                            names.push((*name).to_owned());
                        }
                    }
                }
                body.clear();
                statement.push_str(" } ");
            }
            ';' if depth == 0 => {
                names.extend(statement_names(&statement));
                statement.clear();
            }
            _ if depth > 0 => body.push(ch),
            _ => statement.push(ch),
        }
    }
    assert!(statement.trim().is_empty(), "unterminated: {statement}");
    names
}

/// The names one top-level statement (without its bodies) declares.
fn statement_names(statement: &str) -> Vec<String> {
    let words = identifiers(statement);
    let mut names = Vec::new();
    // `struct X`, `enum X`, `union X` (a definition or a forward declaration).
    for pair in words.windows(2) {
        if matches!(pair[0], "struct" | "enum" | "union") && statement.contains('{') {
            names.push(pair[1].to_owned());
        }
    }
    if words.first() == Some(&"typedef") {
        // `typedef R (*name)(...)`, else the last word.
        let name = match statement.find("(*") {
            Some(at) => identifiers(&statement[at..])[0],
            None => words.last().expect("a typedef name"),
        };
        names.push(name.to_owned());
    } else if let Some(paren) = statement.find('(') {
        let name = identifiers(&statement[..paren])
            .last()
            .copied()
            .expect("a function name");
        names.push(name.to_owned());
    } else if !statement.contains('{') {
        // `struct X;` and variables: the last word.
        if let Some(name) = words.last() {
            names.push((*name).to_owned());
        }
    }
    names
}

fn unprefixed(header: &str) -> Vec<String> {
    declared_names(header)
        .into_iter()
        .filter(|name| {
            !(name.starts_with("mapback_") || name.starts_with("MAPBACK_")) && name != "MAPBACK_H"
        })
        .collect()
}

#[test]
fn every_declared_name_is_prefixed() {
    let header = header();
    let names = declared_names(&header);
    assert!(names.len() > 150, "found only {} names", names.len());
    for expected in [
        "MAPBACK_ABI_VERSION",
        "MAPBACK_ERROR_INVALID_JSON",
        "mapback_sourcemap",
        "mapback_token",
        "mapback_fetch_fn",
        "mapback_sourcemap_parse",
        "mapback_error_code_description",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "the parser missed {expected}"
        );
    }
    assert_eq!(
        unprefixed(&header),
        Vec::<String>::new(),
        "include/mapback.h declares names without the mapback_/MAPBACK_ prefix"
    );
}

#[test]
fn the_parser_rejects_unprefixed_names() {
    let sample = "/* void commented(void); */\n#ifndef MAPBACK_H\n#define MAPBACK_H\n\
        #include <stdint.h>\n#define MAX_POSITION 1\n#define MAPBACK_OK 2\n\
        typedef struct mapback_x mapback_x;\ntypedef struct point { int32_t x; } point;\n\
        enum color { RED, MAPBACK_GREEN };\ntypedef int32_t (*callback)(void *data);\n\
        #ifdef __cplusplus\nextern \"C\" {\n#endif\n\
        void foo(void);\nconst struct mapback_x *mapback_ok(int32_t value);\n\
        #ifdef __cplusplus\n}  // extern \"C\"\n#endif\n#endif\n";
    assert_eq!(
        unprefixed(sample),
        vec![
            "MAX_POSITION",
            "point",
            "point",
            "RED",
            "color",
            "callback",
            "foo"
        ]
    );
}

#[test]
fn the_header_opens_with_what_every_program_needs() {
    let header = header();
    let position = |needle: &str| {
        header
            .find(needle)
            .unwrap_or_else(|| panic!("include/mapback.h lacks {needle}"))
    };
    // Versions, then error codes, then types, then the first calls.
    assert!(position("#define MAPBACK_VERSION_MAJOR") < position("#define MAPBACK_ERROR_"));
    assert!(position("#define MAPBACK_ERROR_") < position("typedef struct"));
    let first_function = declared_names(&header)
        .into_iter()
        .find(|name| name.starts_with("mapback_") && header.contains(&format!("{name}(")))
        .expect("a function");
    assert_eq!(first_function, "mapback_sourcemap_parse");
    assert!(position("mapback_sourcemap_parse(") < position("mapback_sourcemap_lookup("));
    assert!(position("mapback_sourcemap_lookup(") < position("mapback_sourcemap_free("));
    assert!(position("mapback_sourcemap_free(") < position("mapback_cache_open("));
}
