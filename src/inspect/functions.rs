//! The functions of each original source, for the page's stack-trace box: which
//! function of the original source a resolved frame is in, parsed here from the
//! source's content (the same parser `mapback symbolicate` uses), never guessed.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::scopes::{Enclosing, FunctionScopes};
use crate::view::SourceMapView;

/// Per source (`null` without content), a flat array of five numbers per function in
/// order of start (so an enclosing function comes before what it encloses): start line,
/// start column, end line, end column (exclusive), and the index of its name in `names`
/// or -1 for an anonymous function. `{"names": [...], "per_source": [...]}`.
pub fn functions(map: &dyn SourceMapView) -> Value {
    let mut names = Names {
        list: Vec::new(),
        index: HashMap::new(),
    };
    let per_source: Vec<Value> = (0..map.source_count() as u32)
        .map(|index| {
            let Some(content) = map.source_content(index) else {
                return Value::Null;
            };
            let scopes = FunctionScopes::parse_functions(content, map.source_name(index));
            let mut flat: Vec<i64> = Vec::with_capacity(scopes.len() * 5);
            for id in 0..scopes.len() as u32 {
                let Some(extent) = scopes.extent(id) else {
                    continue;
                };
                let name = match scopes.name_of(id) {
                    Enclosing::Named(name) => names.intern(name),
                    _ => -1,
                };
                flat.extend([
                    i64::from(extent.start.line),
                    i64::from(extent.start.column),
                    i64::from(extent.end.line),
                    i64::from(extent.end.column),
                    name,
                ]);
            }
            json!(flat)
        })
        .collect();
    json!({"names": names.list, "per_source": per_source})
}

/// Names repeat across sources (`render`, `constructor`): the page carries each once.
struct Names {
    list: Vec<String>,
    index: HashMap<String, i64>,
}

impl Names {
    fn intern(&mut self, name: &str) -> i64 {
        if let Some(&at) = self.index.get(name) {
            return at;
        }
        let at = self.list.len() as i64;
        self.list.push(name.to_owned());
        self.index.insert(name.to_owned(), at);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SourceMap;

    #[test]
    fn functions_are_listed_outer_first_with_their_names() {
        let map = SourceMap::from_slice(
            br#"{"version":3,"sources":["a.js","b.js"],"sourcesContent":["function outer() {\n  return () => 1;\n}\nfunction outer2() {}",null],"mappings":"AAAA"}"#,
        )
        .unwrap();
        let found = functions(&map);
        assert_eq!(found["names"], json!(["outer", "outer2"]));
        let a = found["per_source"][0].as_array().unwrap();
        assert_eq!(a.len(), 15);
        // outer: 0:0 to 2:1; the arrow inside it, anonymous; then outer2.
        assert_eq!(a[..5], [json!(0), json!(0), json!(2), json!(1), json!(0)]);
        assert_eq!(a[9], json!(-1));
        assert_eq!(a[14], json!(1));
        assert_eq!(found["per_source"][1], Value::Null);
    }
}
