//! Function scopes of original sources: which function encloses a position, and the
//! name a debugger would show for it.
//!
//! Stack frames name the *minified* function (`l`, `x`); error trackers want the
//! original one. The map's `names` at a frame's position is usually the callee, not the
//! enclosing function. So the original source (from `sourcesContent`) is parsed, every
//! function-like node is recorded with its span and an inferred name, and a position is
//! answered with the innermost function that encloses it.

mod js;

use crate::lines;

/// One function-like node of a source.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Scope {
    /// Byte range of the node in the source.
    start: u32,
    end: u32,
    /// The innermost enclosing scope, if any.
    parent: Option<u32>,
    /// What a debugger would show; `None` for an anonymous function.
    name: Option<String>,
    /// Byte offset of the identifier the name comes from (`f` in `function f`, `x` in
    /// `const x = () =>`), if any: in minified code, the map's name at that position is
    /// the original function's name.
    name_start: Option<u32>,
}

/// The function scopes of one source, ready for position queries.
#[derive(Clone, Debug, Default)]
pub struct FunctionScopes {
    /// In order of start (pre-order), so parents come before children.
    scopes: Vec<Scope>,
    line_starts: Vec<u32>,
    /// The source text, kept for UTF-16 → byte conversion of query columns.
    text: String,
}

/// The enclosing function of a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enclosing<'s> {
    /// Inside a named function.
    Named(&'s str),
    /// Inside a function that has no name (a callback, an IIFE).
    Anonymous,
    /// Top-level code, outside any function.
    TopLevel,
}

impl FunctionScopes {
    /// Parses `text` (JavaScript, TypeScript, JSX or TSX, chosen by `file_name`'s
    /// extension; JavaScript with JSX when unknown; the other dialect is tried when the
    /// first does not parse) and collects its functions. A source that parses in
    /// neither gives no scopes.
    pub fn parse(text: &str, file_name: Option<&str>) -> FunctionScopes {
        let scopes = js::collect(text, file_name);
        FunctionScopes {
            scopes,
            line_starts: lines::line_starts(text),
            text: text.to_owned(),
        }
    }

    /// Number of function-like nodes found.
    pub fn len(&self) -> usize {
        self.scopes.len()
    }

    /// Whether no function was found.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty()
    }

    /// The innermost function enclosing (0-based line, 0-based UTF-16 column).
    pub fn enclosing(&self, line: u32, column: u32) -> Enclosing<'_> {
        let Some(offset) = self.offset_of(line, column) else {
            return Enclosing::TopLevel;
        };
        let after = self.scopes.partition_point(|s| s.start <= offset);
        let mut candidate = after.checked_sub(1).map(|i| i as u32);
        while let Some(index) = candidate {
            let scope = &self.scopes[index as usize];
            if offset < scope.end {
                return match &scope.name {
                    Some(name) => Enclosing::Named(name),
                    None => Enclosing::Anonymous,
                };
            }
            candidate = scope.parent;
        }
        Enclosing::TopLevel
    }

    /// The name of the innermost *named* function enclosing the position (skipping
    /// anonymous callbacks), if any.
    pub fn enclosing_named(&self, line: u32, column: u32) -> Option<&str> {
        let offset = self.offset_of(line, column)?;
        let after = self.scopes.partition_point(|s| s.start <= offset);
        let mut candidate = after.checked_sub(1).map(|i| i as u32);
        while let Some(index) = candidate {
            let scope = &self.scopes[index as usize];
            if offset < scope.end {
                if let Some(name) = &scope.name {
                    return Some(name);
                }
            }
            candidate = scope.parent;
        }
        None
    }

    /// (line, UTF-16 column) of the name identifier of the innermost function that
    /// encloses (line, column) and has one: where to look up the original name of a
    /// minified function in its source map.
    pub fn enclosing_name_position(&self, line: u32, column: u32) -> Option<(u32, u32)> {
        let offset = self.offset_of(line, column)?;
        let after = self.scopes.partition_point(|s| s.start <= offset);
        let mut candidate = after.checked_sub(1).map(|i| i as u32);
        while let Some(index) = candidate {
            let scope = &self.scopes[index as usize];
            if offset < scope.end {
                if let Some(name_start) = scope.name_start {
                    return self.position_of(name_start);
                }
            }
            candidate = scope.parent;
        }
        None
    }

    /// (line, UTF-16 column) of a byte offset.
    fn position_of(&self, offset: u32) -> Option<(u32, u32)> {
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .checked_sub(1)?;
        let start = self.line_starts[line] as usize;
        let column = self
            .text
            .get(start..offset as usize)?
            .encode_utf16()
            .count();
        Some((line as u32, column as u32))
    }

    /// Byte offset of (line, UTF-16 column); a column past the line's end clamps to it.
    fn offset_of(&self, line: u32, column: u32) -> Option<u32> {
        let start = *self.line_starts.get(line as usize)? as usize;
        let end = self
            .line_starts
            .get(line as usize + 1)
            .map_or(self.text.len(), |&end| end as usize);
        let text = self.text.get(start..end)?;
        let mut units = 0u32;
        for (index, ch) in text.char_indices() {
            if units >= column {
                return Some((start + index) as u32);
            }
            units += ch.len_utf16() as u32;
        }
        Some(end as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_at(scopes: &FunctionScopes, line: u32, column: u32) -> Option<String> {
        match scopes.enclosing(line, column) {
            Enclosing::Named(name) => Some(name.to_owned()),
            Enclosing::Anonymous => Some("<anonymous>".to_owned()),
            Enclosing::TopLevel => None,
        }
    }

    /// Finds `marker` (a unique comment) and returns the name enclosing it.
    fn name_of(source: &str, marker: &str, file: &str) -> Option<String> {
        let scopes = FunctionScopes::parse(source, Some(file));
        let offset = source.find(marker).expect("marker");
        let line = source[..offset].matches('\n').count() as u32;
        let line_start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let column = source[line_start..offset].encode_utf16().count() as u32;
        name_at(&scopes, line, column)
    }

    #[test]
    fn declarations_and_inferred_names() {
        let source = r#"
function plain() { /*A*/ }
const arrow = () => { /*B*/ };
let expr = function () { /*C*/ };
var named = function inner() { /*D*/ };
obj.method = function () { /*E*/ };
Cart.prototype.total = function () { /*F*/ };
exports.run = async () => { /*G*/ };
const money = {
  format() { /*H*/ },
  symbol: () => { /*I*/ },
  get rate() { return 1; /*J*/ },
  nested: { deep() { /*K*/ } },
};
class Cart {
  constructor() { /*L*/ }
  addItem(x) { /*M*/ }
  static empty() { /*N*/ }
  get count() { return 0; /*O*/ }
  handler = () => { /*P*/ };
}
const Klass = class { run() { /*Q*/ } };
items.map(function (item) { /*R*/ });
items.map((item) => { /*S*/ });
/*T*/
export default function () { /*U*/ }
async function* gen() { /*V*/ }
"#;
        let expect = [
            ("/*A*/", Some("plain")),
            ("/*B*/", Some("arrow")),
            ("/*C*/", Some("expr")),
            ("/*D*/", Some("inner")),
            ("/*E*/", Some("obj.method")),
            ("/*F*/", Some("Cart.total")),
            ("/*G*/", Some("exports.run")),
            ("/*H*/", Some("money.format")),
            ("/*I*/", Some("money.symbol")),
            ("/*J*/", Some("money.get rate")),
            ("/*K*/", Some("money.nested.deep")),
            ("/*L*/", Some("Cart")),
            ("/*M*/", Some("Cart.addItem")),
            ("/*N*/", Some("Cart.empty")),
            ("/*O*/", Some("Cart.get count")),
            ("/*P*/", Some("Cart.handler")),
            ("/*Q*/", Some("Klass.run")),
            ("/*R*/", Some("<anonymous>")),
            ("/*S*/", Some("<anonymous>")),
            ("/*T*/", None),
            ("/*U*/", Some("default")),
            ("/*V*/", Some("gen")),
        ];
        for (marker, name) in expect {
            assert_eq!(
                name_of(source, marker, "a.mjs").as_deref(),
                name,
                "at {marker}"
            );
        }
    }

    #[test]
    fn name_positions_for_minified_code() {
        let minified = "function l(a){throw new Error(a)}var m=function(){l(1)},o={p:()=>{m()}};";
        let scopes = FunctionScopes::parse(minified, Some("bundle.min.js"));
        let at = |needle: &str| minified.find(needle).unwrap() as u32;
        // Inside l: its name is at `l`.
        assert_eq!(
            scopes.enclosing_name_position(0, at("throw")),
            Some((0, at("l(")))
        );
        // Inside the function bound to m: the name is the binding `m`.
        assert_eq!(
            scopes.enclosing_name_position(0, at("l(1)")),
            Some((0, at("m=")))
        );
        // Inside an arrow that is an object property: the key `p`.
        assert_eq!(
            scopes.enclosing_name_position(0, at("m()")),
            Some((0, at("p:")))
        );
    }

    #[test]
    fn innermost_named_skips_anonymous_callbacks() {
        let source =
            "function outer() {\n  items.forEach(() => {\n    throw new Error('x');\n  });\n}\n";
        let scopes = FunctionScopes::parse(source, Some("a.js"));
        assert_eq!(scopes.enclosing(2, 4), Enclosing::Anonymous);
        assert_eq!(scopes.enclosing_named(2, 4), Some("outer"));
        // A declaration's span starts at `function`; after its `}` is top level.
        assert_eq!(scopes.enclosing(0, 0), Enclosing::Named("outer"));
        assert_eq!(scopes.enclosing(4, 0), Enclosing::Named("outer"));
        assert_eq!(scopes.enclosing(5, 0), Enclosing::TopLevel);
    }

    #[test]
    fn typescript_and_jsx() {
        let ts = "class Service {\n  private load(id: number): Promise<void> {\n    return fetch(`/x/${id}`) as any; /*A*/\n  }\n}\n";
        assert_eq!(
            name_of(ts, "/*A*/", "service.ts").as_deref(),
            Some("Service.load")
        );
        let tsx = "export const Button = (props: { label: string }) => {\n  return <b>{props.label /*B*/}</b>;\n};\n";
        assert_eq!(
            name_of(tsx, "/*B*/", "button.tsx").as_deref(),
            Some("Button")
        );
        let jsx = "function App() { return <div onClick={() => go(/*C*/)} />; }\n";
        assert_eq!(
            name_of(jsx, "/*C*/", "app.jsx").as_deref(),
            Some("<anonymous>")
        );
        assert_eq!(
            name_of(jsx, "/*C*/", "unknown").as_deref(),
            Some("<anonymous>")
        );
    }

    #[test]
    fn utf16_columns_and_broken_sources() {
        let source = "const s = '😀😀'; function f() { /*A*/ }\n";
        assert_eq!(name_of(source, "/*A*/", "a.js").as_deref(), Some("f"));
        // A source that does not parse gives no scopes (the parser stops at a fatal error).
        let broken = "function ok() { /*A*/ }\nfunction bad( {\n";
        assert!(FunctionScopes::parse(broken, Some("a.js")).is_empty());
        // TypeScript in a file named .js still parses (the other dialect is tried).
        let typed = "function typed(x: number): number { return x; /*B*/ }\n";
        assert_eq!(name_of(typed, "/*B*/", "a.js").as_deref(), Some("typed"));
        let scopes = FunctionScopes::parse("", None);
        assert!(scopes.is_empty());
        assert_eq!(scopes.enclosing(5, 5), Enclosing::TopLevel);
    }
}
