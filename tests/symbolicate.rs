//! Symbolication end to end on the embedded example: a real Node trace of the demo
//! bundle, mapped back through its esbuild map, with original function names.

use std::path::PathBuf;

use mapback::symbolicate::{DirectoryLoader, SymbolicateOptions, Symbolicator, Unmapped};

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/demo")
}

fn symbolicator() -> Symbolicator {
    let loader = DirectoryLoader::new().with_file_names(demo()).unwrap();
    Symbolicator::new(loader, SymbolicateOptions::default())
}

#[test]
fn demo_trace_maps_to_original_functions() {
    let trace = std::fs::read_to_string(demo().join("trace-node.txt")).unwrap();
    let result = symbolicator().symbolicate(&trace).unwrap();
    assert_eq!(result.error_type.as_deref(), Some("Error"));
    assert_eq!(result.message.as_deref(), Some("coupon expired: SPRING"));
    let frames: Vec<_> = result
        .frames
        .iter()
        .map(|f| {
            let o = f.original.as_ref().expect("mapped");
            (
                o.filename.clone().unwrap(),
                o.lineno,
                o.colno,
                o.function.clone().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        frames,
        vec![
            (
                "app/src/pricing.js".to_owned(),
                37,
                11,
                "applyCoupon".to_owned()
            ),
            (
                "app/src/checkout.js".to_owned(),
                8,
                22,
                "priceCart".to_owned()
            ),
            (
                "app/src/checkout.js".to_owned(),
                33,
                18,
                "checkout".to_owned()
            ),
            ("app/src/main.js".to_owned(), 20, 18, "main".to_owned()),
        ]
    );
    let first = result.frames[0].original.as_ref().unwrap();
    assert!(first
        .context_line
        .as_deref()
        .unwrap()
        .contains("coupon expired"));
    assert_eq!(first.pre_context.len(), 5);
    assert!(first.in_app);
    assert_eq!(result.frames[3].minified.function.as_deref(), Some("E"));
    assert!(result.frames[3].minified.is_async);
}

#[test]
fn without_sources_content_names_come_from_the_minified_script() {
    // Strip sourcesContent: names must then come from the minified function's
    // declaration mapped through the map's names.
    let map: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo().join("bundle.min.js.map")).unwrap()).unwrap();
    let mut stripped = map.clone();
    stripped.as_object_mut().unwrap().remove("sourcesContent");
    let stripped = serde_json::to_vec(&stripped).unwrap();
    let script = std::fs::read(demo().join("bundle.min.js")).unwrap();
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok(match url {
            "https://app.example.com/bundle.min.js" => Some(script.clone()),
            "https://app.example.com/bundle.min.js.map" => Some(stripped.clone()),
            _ => None,
        })
    };
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let trace = "Error: coupon expired: SPRING\n    at l (https://app.example.com/bundle.min.js:1:1036)\n    at x (https://app.example.com/bundle.min.js:1:1611)\n    at c (https://app.example.com/bundle.min.js:2:140)\n    at async E (https://app.example.com/bundle.min.js:2:412)\n";
    let result = symbolicator.symbolicate(trace).unwrap();
    let names: Vec<_> = result
        .frames
        .iter()
        .map(|f| f.original.as_ref().and_then(|o| o.function.clone()))
        .collect();
    assert_eq!(
        names,
        vec![
            Some("applyCoupon".to_owned()),
            Some("priceCart".to_owned()),
            Some("checkout".to_owned()),
            Some("main".to_owned())
        ]
    );
    let first = result.frames[0].original.as_ref().unwrap();
    assert_eq!(
        first.abs_path.as_deref(),
        Some("https://app.example.com/app/src/pricing.js")
    );
    assert_eq!(first.context_line, None);
}

#[test]
fn a_cache_without_contents_still_names_functions() {
    // The lean cache an error tracker would keep: no contents, but function scopes.
    let json = std::fs::read(demo().join("bundle.min.js.map")).unwrap();
    let map = mapback::SourceMap::from_slice(&json).unwrap();
    let options = mapback::CacheOptions {
        include_contents: false,
        ..mapback::CacheOptions::default()
    };
    let cache = mapback::to_cache_bytes(&map, options).unwrap();
    assert!(
        cache.len() < json.len(),
        "{} vs {}",
        cache.len(),
        json.len()
    );
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok(url.ends_with("bundle.min.js.map").then(|| cache.clone()))
    };
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let trace = std::fs::read_to_string(demo().join("trace-node.txt")).unwrap();
    let result = symbolicator.symbolicate(&trace).unwrap();
    let names: Vec<_> = result
        .frames
        .iter()
        .map(|f| {
            f.original
                .as_ref()
                .and_then(|o| o.function.clone())
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(names, ["applyCoupon", "priceCart", "checkout", "main"]);
    assert!(result.frames[0]
        .original
        .as_ref()
        .unwrap()
        .context_line
        .is_none());
}

#[test]
fn unmappable_frames_say_why() {
    let trace = "TypeError: x is not a function\n    at Array.map (<anonymous>)\n    at f (https://elsewhere.example.com/missing.js:1:2)\n    at g (/work/nowhere/bundle.min.js:99:1)\n";
    let result = symbolicator().symbolicate(trace).unwrap();
    let reasons: Vec<_> = result.frames.iter().map(|f| f.unmapped.clone()).collect();
    assert_eq!(reasons[0], Some(Unmapped::NoLocation));
    assert!(
        matches!(reasons[1], Some(Unmapped::NotFound { .. })),
        "{reasons:?}"
    );
    // The demo bundle is found by file name, but line 99 does not exist.
    assert_eq!(reasons[2], Some(Unmapped::NoMapping));
    assert!(result.frames.iter().all(|f| f.original.is_none()));
    let json = result.to_json();
    assert_eq!(json["frames"][1]["unmapped_reason"]["kind"], "not_found");
    assert_eq!(json["frames"][1]["function"], "f");
}

#[test]
fn anonymous_functions_are_named_as_the_trace_s_engine_would() {
    // One line of original code, mapped onto itself: an anonymous function that flows
    // into `sortBy`. Firefox names it `sortBy<`; V8 prints no name for it.
    let source = "var sortBy = wrap(function () { boom(); });";
    let map = serde_json::json!({
        "version": 3, "sources": ["lib.js"], "sourcesContent": [source],
        "names": [], "mappings": "AAAA,8BAA8B",
    })
    .to_string()
    .into_bytes();
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok((url == "https://x.example/lib.js.map").then(|| map.clone()))
    };
    let symbolicator = Symbolicator::new(loader, SymbolicateOptions::default());
    let function = |trace: &str| {
        let result = symbolicator.symbolicate(trace).unwrap();
        result.frames[0].original.as_ref().unwrap().function.clone()
    };
    let firefox = "sortBy<@https://x.example/lib.js:1:33\n@https://x.example/lib.js:1:1\n";
    let v8 = "Error: boom\n    at https://x.example/lib.js:1:33\n";
    assert_eq!(function(firefox).as_deref(), Some("sortBy<"));
    assert_eq!(function(v8).as_deref(), Some("<anonymous>"));
}

/// A symbolicator over one minified script and its map, built from (generated column,
/// original line, original column, name) mappings on line 0 of `minified`.
fn one_script(
    original: &str,
    minified: &str,
    mappings: &[(u32, u32, u32, Option<&str>)],
) -> Symbolicator {
    one_script_with(original, minified, mappings, SymbolicateOptions::default())
}

fn one_script_with(
    original: &str,
    minified: &str,
    mappings: &[(u32, u32, u32, Option<&str>)],
    options: SymbolicateOptions,
) -> Symbolicator {
    use mapback::{EncodeOptions, OriginalPosition, SourceMapBuilder};
    let mut builder = SourceMapBuilder::new();
    let source = builder.add_source("app.js");
    builder.set_source_content(source, Some(original)).unwrap();
    for &(column, line, original_column, name) in mappings {
        let name = name.map(|n| builder.add_name(n));
        let position = OriginalPosition {
            source,
            line,
            column: original_column,
            name,
        };
        builder.add_mapping(0, column, Some(position)).unwrap();
    }
    let map = builder.to_json(&EncodeOptions::default()).into_bytes();
    let script = format!("{minified}\n//# sourceMappingURL=app.min.js.map\n").into_bytes();
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok(match url {
            "https://x.example/app.min.js" => Some(script.clone()),
            "https://x.example/app.min.js.map" => Some(map.clone()),
            _ => None,
        })
    };
    Symbolicator::new(loader, options)
}

/// (function, line, column, inlined) of each frame.
fn frames_of(symbolicator: &Symbolicator, trace: &str) -> Vec<(Option<String>, u32, u32, bool)> {
    let result = symbolicator.symbolicate(trace).unwrap();
    result
        .frames
        .iter()
        .map(|f| {
            let o = f.original.as_ref().expect("mapped");
            (o.function.clone(), o.lineno, o.colno, f.inlined)
        })
        .collect()
}

#[test]
fn functions_inlined_by_the_minifier_get_their_frames_back() {
    let original = "function load(input) {\n  return parse(input);\n}\nfunction parse(input) {\n  throw new Error('bad ' + input);\n}\nload('x');\n";
    // `parse` inlined into `load`, as terser does: one runtime frame for two.
    let minified = r#"function l(n){throw new Error("bad "+n)}l("x");"#;
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let mappings = [
        (0, 0, 0, None),
        (col("l(n)"), 0, 9, Some("load")),
        (col("throw"), 4, 2, None),
        (col("new"), 4, 8, None),
        (col("l(\"x\")"), 6, 0, Some("load")),
    ];
    let symbolicator = one_script(original, minified, &mappings);
    let trace = format!(
        "Error: bad x\n    at l (https://x.example/app.min.js:1:{})\n    at https://x.example/app.min.js:1:{}\n",
        col("new") + 1,
        col("l(\"x\")") + 1
    );
    assert_eq!(
        frames_of(&symbolicator, &trace),
        vec![
            (Some("parse".to_owned()), 5, 9, true),
            (Some("load".to_owned()), 2, 10, false),
            (None, 7, 1, false),
        ]
    );
    same_frames_in_sentry_order(&symbolicator, &trace);
    let json = symbolicator.symbolicate(&trace).unwrap().to_json();
    assert_eq!(json["frames"][0]["inlined"], true);
    assert_eq!(json["frames"][1]["inlined"], false);
    // With the feature off: the runtime's frames only, as the map says.
    let options = SymbolicateOptions {
        inlined_frames: false,
        ..SymbolicateOptions::default()
    };
    let plain = one_script_with(original, minified, &mappings, options);
    assert_eq!(
        frames_of(&plain, &trace),
        vec![(Some("parse".to_owned()), 5, 9, false), (None, 7, 1, false),]
    );
}

#[test]
fn no_frames_are_invented_without_a_call_chain() {
    // The minified function's start maps to `other`, which never calls `parse`: the
    // map is odd, not evidence of inlining, so the frame stays as the map says.
    let original = "function other() {\n  return 1;\n}\nfunction parse(input) {\n  throw new Error(input);\n}\n";
    let minified = "function o(n){throw new Error(n)}";
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let mappings = [
        (0, 0, 0, None),
        (col("o(n)"), 0, 9, Some("other")),
        (col("new"), 4, 8, None),
    ];
    let symbolicator = one_script(original, minified, &mappings);
    let trace = format!(
        "Error: x\n    at o (https://x.example/app.min.js:1:{})\n",
        col("new") + 1
    );
    assert_eq!(
        frames_of(&symbolicator, &trace),
        vec![(Some("parse".to_owned()), 5, 9, false)]
    );
}

#[test]
fn calls_mapped_to_a_closing_brace_or_paren_become_the_call() {
    // swc inlines `run` as an immediately called function and maps the call to the
    // callee's closing `}`; the arguments that follow map into the caller.
    let original = "async function run(name, cases) {\n  for (const c of cases) await c();\n}\nrun('demo', [() => boom()]);\n";
    let minified = r#"!async function(n,e){for(const c of e)await c()}("demo",[()=>boom()]);"#;
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let mappings = [
        (col("async"), 0, 0, None),
        (col("await"), 1, 25, None),
        (col("}("), 2, 0, None),
        (col("\"demo\""), 3, 4, None),
        (col("boom"), 3, 19, Some("boom")),
    ];
    let symbolicator = one_script(original, minified, &mappings);
    let trace = format!(
        "Error: x\n    at https://x.example/app.min.js:1:{}\n",
        col("}(") + 2
    );
    // The call `run(...)` at top level: line 4, column 1.
    assert_eq!(frames_of(&symbolicator, &trace), vec![(None, 4, 1, false)]);

    // A call mapped to its closing `)` is reported where engines report calls.
    let mappings = [(0, 3, 26, None)];
    let symbolicator = one_script(original, "x", &mappings);
    let trace = "Error: x\n    at https://x.example/app.min.js:1:1\n";
    assert_eq!(frames_of(&symbolicator, trace), vec![(None, 4, 1, false)]);
}

#[test]
fn inlined_functions_between_two_runtime_frames_are_rebuilt() {
    // `middle` inlined into `outer`, and its call of `inner` mapped to `outer`'s call
    // of `middle` (as swc does): the caller's frame calls `middle`, the callee's frame
    // is in `inner`, and `middle` calls `inner`.
    let original = "function outer() {\n  return middle();\n}\nfunction middle() {\n  return inner();\n}\nfunction inner() {\n  throw new Error('x');\n}\nouter();\n";
    let minified = r#"function i(){throw new Error("x")}function o(){return i()}o();"#;
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let mappings = [
        (0, 6, 0, None),
        (col("i(){"), 6, 9, Some("inner")),
        (col("new"), 7, 8, None),
        (col("function o"), 0, 0, None),
        (col("o(){"), 0, 9, Some("outer")),
        (col("i()}"), 1, 9, Some("middle")),
        (col("o();"), 9, 0, Some("outer")),
    ];
    let symbolicator = one_script(original, minified, &mappings);
    let trace = format!(
        "Error: x\n    at i (https://x.example/app.min.js:1:{})\n    at o (https://x.example/app.min.js:1:{})\n    at https://x.example/app.min.js:1:{}\n",
        col("new") + 1,
        col("i()}") + 1,
        col("o();") + 1
    );
    assert_eq!(
        frames_of(&symbolicator, &trace),
        vec![
            (Some("inner".to_owned()), 8, 9, false),
            (Some("middle".to_owned()), 5, 10, true),
            (Some("outer".to_owned()), 2, 10, false),
            (None, 10, 1, false),
        ]
    );
    same_frames_in_sentry_order(&symbolicator, &trace);
}

#[test]
fn a_column_between_segments_is_the_reported_token_s_and_says_so() {
    // The map has a segment at `t` of `t[n](e)` only; V8 reports the call at its `(`.
    // Walking `t [ n ] (` and `rules [ i ] (` in step gives the original `(`.
    let original =
        "function run(rules, i, state) {\n  return rules[i](state);\n}\nrun([], 0, 1);\n";
    let minified = "function r(t,n,e){return t[n](e)}r([],0,1);";
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let line1 = original.lines().nth(1).unwrap();
    let mappings = [
        (0, 0, 0, None),
        (col("r(t"), 0, 9, Some("run")),
        (col("return"), 1, 2, None),
        (col("t[n]"), 1, line1.find("rules[").unwrap() as u32, None),
        (col("r([]"), 3, 0, Some("run")),
    ];
    let symbolicator = one_script(original, minified, &mappings);
    let trace = format!(
        "TypeError: t[n] is not a function\n    at r (https://x.example/app.min.js:1:{})\n    at https://x.example/app.min.js:1:{}\n",
        col("(e)") + 1,
        col("r([]") + 1
    );
    let result = symbolicator.symbolicate(&trace).unwrap();
    let refined: Vec<(u32, u32, bool)> = result
        .frames
        .iter()
        .map(|f| {
            let o = f.original.as_ref().expect("mapped");
            (o.lineno, o.colno, o.column_refined)
        })
        .collect();
    let paren = line1.find("(state)").unwrap() as u32 + 1;
    assert_eq!(refined, vec![(2, paren, true), (4, 1, false)]);
    let json = result.to_json();
    assert_eq!(json["frames"][0]["column_refined"], true);
    assert_eq!(json["frames"][1]["column_refined"], false);
}

#[test]
fn a_call_is_shown_where_the_trace_s_engine_reports_it_in_the_original() {
    // `run('x', 1);` is a statement: SpiderMonkey reports it at `(` running the
    // original; the minified `r("x",1)` inside `u(…)`'s arguments it reports at `r`.
    // V8 reports both at the name.
    let original = "function main() {\n  run('x', 1);\n}\nfunction run(a, b) {\n  throw new Error(a);\n}\nmain();\n";
    let minified = r#"function r(a,b){throw new Error(a)}function m(){u(r("x",1))}m();"#;
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let mappings = [
        (0, 3, 0, None),
        (col("r(a,b)"), 3, 9, Some("run")),
        (col("new"), 4, 8, None),
        (col("function m"), 0, 0, None),
        (col("m(){"), 0, 9, Some("main")),
        (col("u(r"), 1, 2, None),
        (col("r(\"x"), 1, 2, Some("run")),
        (col("m();"), 6, 0, Some("main")),
    ];
    let symbolicator = one_script(original, minified, &mappings);
    let url = "https://x.example/app.min.js";
    let spidermonkey = format!(
        "r@{url}:1:{}\nm@{url}:1:{}\n@{url}:1:{}\n",
        col("new") + 1,
        col("r(\"x") + 1,
        col("m();") + 1
    );
    let v8 = format!(
        "Error: x\n    at r ({url}:1:{})\n    at m ({url}:1:{})\n    at {url}:1:{}\n",
        col("new") + 1,
        col("r(\"x") + 1,
        col("m();") + 1
    );
    let columns = |trace: &str| -> Vec<(u32, u32)> {
        frames_of(&symbolicator, trace)
            .into_iter()
            .map(|f| (f.1, f.2))
            .collect()
    };
    // `main();` has no arguments: at its name in both engines.
    assert_eq!(columns(&spidermonkey), vec![(5, 9), (2, 6), (7, 1)]);
    assert_eq!(columns(&v8), vec![(5, 9), (2, 3), (7, 1)]);
}

/// The original of the aliasing scenario of the accuracy corpus (tools/accuracy/
/// scenarios/lib/tasks.js): `run` calls `parse` in the source, but the constructor
/// makes `run` hold `parse` at run time, so `load`'s call of `run` lands in `parse`.
const REASSIGNED: &str = "class Parser {\n  constructor() { this.run = this.parse; }\n  run(t) { return this.parse(t.trim()); }\n  parse(t) { throw new Error(t); }\n}\nfunction load(t) {\n  return new Parser().run(t);\n}\nload('x');\n";

/// A minified `REASSIGNED` (as esbuild writes it: method names kept, locals renamed),
/// its map, and the trace of its run: `parse` called from `load`'s call of `run`.
fn reassigned_method(minified: &str, call: &str) -> (Symbolicator, String) {
    let line = |n: usize| REASSIGNED.lines().nth(n).unwrap();
    let ocol = |n: usize, needle: &str| line(n).find(needle).unwrap() as u32;
    let col = |needle: &str| minified.find(needle).unwrap() as u32;
    let mappings = [
        (0, 0, 0, None),
        (col("parse(e){"), 3, 2, Some("parse")),
        (col("throw"), 3, ocol(3, "throw"), None),
        (col("new Error"), 3, ocol(3, "new Error"), None),
        (col("function l"), 5, 0, None),
        (col("l(t){"), 5, 9, Some("load")),
        (col("return new P"), 6, 2, None),
        (col("new P"), 6, ocol(6, "new"), None),
        (col(call), 6, ocol(6, "run(t)"), None),
        (col("l(\"x\")"), 8, 0, Some("load")),
    ];
    let symbolicator = one_script(REASSIGNED, minified, &mappings);
    let trace = format!(
        "Error: x\n    at P.parse (https://x.example/app.min.js:1:{})\n    at l (https://x.example/app.min.js:1:{})\n    at https://x.example/app.min.js:1:{}\n",
        col("new Error") + 1,
        col(call) + 1,
        col("l(\"x\")") + 1
    );
    (symbolicator, trace)
}

#[test]
fn a_call_through_a_reassigned_method_adds_no_frame() {
    // The minified code still calls `run` where the original did: nothing was inlined,
    // whatever `run` holds at run time. The runtime's two frames are the answer; the
    // static call graph (`run` calls `parse`) must not add a `run` frame between them.
    let minified = r#"class P{constructor(){this.run=this.parse}run(e){return this.parse(e.trim())}parse(e){throw new Error(e)}}function l(t){return new P().run(t)}l("x");"#;
    let (symbolicator, trace) = reassigned_method(minified, "run(t)}");
    assert_eq!(
        frames_of(&symbolicator, &trace),
        vec![
            (Some("Parser.parse".to_owned()), 4, 20, false),
            (Some("load".to_owned()), 7, 23, false),
            (None, 9, 1, false),
        ]
    );
}

#[test]
fn a_call_of_a_function_other_than_the_callee_s_adds_no_frame() {
    // Minified, the call at `load`'s frame names `x` (a bound or memoised replacement,
    // a table entry), not the function `parse` the callee's frame is in: the minified
    // code does not show that the call of `run` was removed, so no frame is rebuilt.
    let minified = r#"class P{constructor(){this.run=this.parse}run(e){return this.parse(e.trim())}parse(e){throw new Error(e)}}function l(t){return new P().x(t)}l("x");"#;
    let (symbolicator, trace) = reassigned_method(minified, "x(t)}");
    let frames = frames_of(&symbolicator, &trace);
    assert_eq!(frames.len(), 3, "{frames:?}");
    assert!(frames.iter().all(|f| !f.3), "{frames:?}");
}

/// `trace`'s frames sent as an SDK sends them (outermost first) give the frames of
/// the text path, inlined ones included, in reverse: the same path, converted at the
/// edge.
fn same_frames_in_sentry_order(symbolicator: &Symbolicator, trace: &str) {
    use mapback::symbolicate::{EventFrame, SymbolicatedFrame};
    let parsed = mapback::parse_stack_trace(trace, &mapback::TraceLimits::default()).unwrap();
    let text = symbolicator.symbolicate_parsed(&parsed);
    let sent: Vec<EventFrame> = parsed
        .frames
        .iter()
        .rev()
        .map(|f| EventFrame {
            filename: f.url.clone(),
            lineno: f.line,
            colno: f.column,
            function: f.function.clone(),
            ..EventFrame::default()
        })
        .collect();
    let structured = symbolicator.symbolicate_frames(&sent, &[], parsed.format);
    let key = |f: &SymbolicatedFrame| (f.original.clone(), f.unmapped.clone(), f.inlined);
    let mut expected: Vec<_> = text.frames.iter().map(key).collect();
    expected.reverse();
    assert!(expected.iter().any(|(_, _, inlined)| *inlined));
    assert_eq!(structured.iter().map(key).collect::<Vec<_>>(), expected);
}

#[test]
fn anonymous_functions_called_as_methods_are_named_as_v8_names_them() {
    // V8 prints `Object.fn` for an anonymous function called as `d.fn(…)`.
    let original = "function run(d) { return d.fn(1) + d.g.call(d, 2); } run({ fn: wrap((x) => { throw new Error(x); }) });";
    let at = |needle: &str| original.find(needle).unwrap() as u32;
    let mappings = [
        (0, 0, 0, None),
        (at("run(d)"), 0, at("run(d)"), Some("run")),
        (at("fn(1)"), 0, at("fn(1)"), None),
        (at("call("), 0, at("call("), None),
        (at("(x)"), 0, at("(x)"), None),
        (at("new"), 0, at("new"), None),
        (at("run({"), 0, at("run({"), None),
    ];
    let symbolicator = one_script(original, original, &mappings);
    let trace = |call: &str| {
        format!(
            "Error: 1\n    at https://x.example/app.min.js:1:{}\n    at run (https://x.example/app.min.js:1:{})\n    at https://x.example/app.min.js:1:{}\n",
            at("new") + 1,
            at(call) + 1,
            at("run({") + 1
        )
    };
    let names = |trace: &str| -> Vec<Option<String>> {
        frames_of(&symbolicator, trace)
            .into_iter()
            .map(|f| f.0)
            .collect()
    };
    assert_eq!(
        names(&trace("fn(1)")),
        vec![Some("fn".to_owned()), Some("run".to_owned()), None]
    );
    // `f.call(…)` calls `f` itself: V8 keeps it anonymous.
    assert_eq!(
        names(&trace("call(")).first().cloned().flatten().as_deref(),
        Some("<anonymous>")
    );
}

/// A script mapped onto itself (one line), so that the rules under test see the same
/// code as minified and as original; `needles` get a segment each.
fn identity<'s>(source: &'s str, needles: &[&str]) -> (Symbolicator, impl Fn(&str) -> u32 + 's) {
    let at = move |needle: &str| source.find(needle).unwrap() as u32;
    let mut mappings = vec![(0, 0, 0, None)];
    mappings.extend(needles.iter().map(|n| (at(n), 0, at(n), None)));
    (one_script(source, source, &mappings), at)
}

#[test]
fn anonymous_functions_in_v8_traces_get_the_name_v8_infers_for_the_original() {
    // V8 names an arrow in an array literal after the variable the array is bound to,
    // and prints that name (`at handlers`); the minified run printed none.
    let (symbolicator, at) = identity(
        "var handlers = [() => { throw new Error(1); }]; handlers[0]();",
        &["new", "handlers[0]"],
    );
    let trace = format!(
        "Error: 1\n    at https://x.example/app.min.js:1:{}\n    at https://x.example/app.min.js:1:{}\n",
        at("new") + 1,
        at("handlers[0]") + 1
    );
    let names: Vec<_> = frames_of(&symbolicator, &trace)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(names, [Some("handlers".to_owned()), None]);
    // SpiderMonkey names it otherwise; the V8 name is for V8 traces only.
    let firefox = format!("@https://x.example/app.min.js:1:{}\n", at("new") + 1);
    let name = frames_of(&symbolicator, &firefox)[0].0.clone();
    assert_ne!(name.as_deref(), Some("handlers"));
}

#[test]
fn a_v8_frame_keeps_the_property_v8_printed_when_no_caller_frame_names_it() {
    // An async callback resumed after `await` has no caller frame in the trace; V8
    // printed the property it was called through.
    let (symbolicator, at) = identity(
        "s.refine(async (name) => { await 0; throw new Error(name); });",
        &["new"],
    );
    let frame = |printed: &str| {
        let trace = format!(
            "Error: x\n    at {printed}(https://x.example/app.min.js:1:{})\n",
            at("new") + 1
        );
        frames_of(&symbolicator, &trace)[0].0.clone()
    };
    assert_eq!(frame("Object.fn ").as_deref(), Some("fn"));
    assert_eq!(frame("async Object.fn ").as_deref(), Some("fn"));
    // Printed without a property: nothing to keep.
    assert_eq!(frame("").as_deref(), Some("<anonymous>"));
}

#[test]
fn a_constructor_renamed_at_run_time_is_shown_as_what_its_name_stands_for() {
    // `make` takes its class's name at run time, so V8 prints `new Widget` for its
    // frame too; the frame inside `Widget` says what `Widget` is.
    let (symbolicator, at) = identity(
        "class Widget { constructor() { throw new Error(1); } } const make = function (...a) { return Reflect.construct(Widget, a); }; Object.defineProperty(make, 'name', { value: 'Widget' }); new make();",
        &["new Error", "Reflect", "new make"],
    );
    let trace = |wrapper: &str| {
        format!(
            "Error: 1\n    at new Widget (https://x.example/app.min.js:1:{})\n    at new {wrapper} (https://x.example/app.min.js:1:{})\n    at https://x.example/app.min.js:1:{}\n",
            at("new Error") + 1,
            at("Reflect") + 1,
            at("new make") + 1
        )
    };
    let names = |trace: &str| -> Vec<Option<String>> {
        frames_of(&symbolicator, trace)
            .into_iter()
            .map(|f| f.0)
            .collect()
    };
    let name = |s: &str| Some(s.to_owned());
    assert_eq!(
        names(&trace("Widget")),
        [name("Widget"), name("Widget"), None]
    );
    // Printed under its own name, the wrapper keeps it.
    assert_eq!(names(&trace("make")), [name("Widget"), name("make"), None]);
}

/// A map whose scopes (the scopes proposal) say `inner` (b.js) was inlined into
/// `outer` (a.js) at a.js 2:2: the minified `function o(){throw new Error(1)}` has
/// `inner`'s body at columns 13-31. `with_contents` adds the sources' text.
fn inlined_by_scopes(with_contents: bool) -> (Vec<u8>, Vec<u8>) {
    use mapback::{OriginalPosition, SourceMapBuilder};
    let mut builder = SourceMapBuilder::new();
    let a = builder.add_source("a.js");
    let b = builder.add_source("b.js");
    if with_contents {
        builder
            .set_source_content(
                a,
                Some("function outer() {\n  const x = 1;\n  inner(x);\n}\n"),
            )
            .unwrap();
        builder
            .set_source_content(b, Some("function inner(v) {\n  throw new Error(v);\n}\n"))
            .unwrap();
    }
    let at = |source, line, column| {
        Some(OriginalPosition {
            source,
            line,
            column,
            name: None,
        })
    };
    builder.add_mapping(0, 0, at(a, 0, 0)).unwrap();
    builder.add_mapping(0, 13, at(b, 1, 2)).unwrap();
    builder.add_mapping(0, 31, at(a, 3, 0)).unwrap();
    let p = |line: u32, column: u32| serde_json::json!({"line": line, "column": column});
    let scope = |start, end, name: Option<&str>, children: Vec<serde_json::Value>| {
        serde_json::json!({"start": start, "end": end, "name": name, "kind": null,
            "isStackFrame": name.is_some(), "variables": [], "children": children})
    };
    let record = serde_json::json!({
        "sources": [
            {"scope": scope(p(0, 0), p(4, 0), None, vec![scope(p(0, 0), p(3, 1), Some("outer"), vec![])])},
            {"scope": scope(p(0, 0), p(3, 0), None, vec![scope(p(0, 0), p(2, 1), Some("inner"), vec![])])},
        ],
        "ranges": [{
            "start": p(0, 0), "end": p(0, 33), "definitionIndex": 0, "stackFrameType": "none",
            "bindings": [], "callSite": null,
            "children": [{
                "start": p(0, 0), "end": p(0, 32), "definitionIndex": 1,
                "stackFrameType": "original", "bindings": [], "callSite": null,
                "children": [{
                    "start": p(0, 13), "end": p(0, 31), "definitionIndex": 3,
                    "stackFrameType": "none", "bindings": [],
                    "callSite": {"sourceIndex": 0, "line": 2, "column": 2}, "children": []
                }]
            }]
        }]
    });
    builder.set_scopes_record(&record).unwrap();
    let map = builder
        .to_json(&mapback::EncodeOptions::default())
        .into_bytes();
    let script =
        b"function o(){throw new Error(1)}\n//# sourceMappingURL=app.min.js.map\n".to_vec();
    (script, map)
}

fn symbolicate_with(
    script: Vec<u8>,
    map: Vec<u8>,
    options: SymbolicateOptions,
) -> mapback::symbolicate::SymbolicatedTrace {
    let loader = move |url: &str| -> mapback::Result<Option<Vec<u8>>> {
        Ok(match url {
            "https://app.example.com/app.min.js" => Some(script.clone()),
            "https://app.example.com/app.min.js.map" => Some(map.clone()),
            _ => None,
        })
    };
    let trace = "Error: 1\n    at o (https://app.example.com/app.min.js:1:14)\n";
    Symbolicator::new(loader, options)
        .symbolicate(trace)
        .unwrap()
}

#[test]
fn scopes_give_names_and_inlined_frames_before_the_sources_are_parsed() {
    use mapback::symbolicate::NameOrigin;
    for with_contents in [true, false] {
        let (script, map) = inlined_by_scopes(with_contents);
        let result = symbolicate_with(script, map, SymbolicateOptions::default());
        let frames: Vec<_> = result
            .frames
            .iter()
            .map(|f| {
                let o = f.original.as_ref().expect("mapped");
                (
                    o.filename.clone().unwrap(),
                    o.lineno,
                    o.colno,
                    o.function.clone(),
                    o.function_origin,
                    f.inlined,
                )
            })
            .collect();
        assert_eq!(
            frames,
            vec![
                (
                    "b.js".to_owned(),
                    2,
                    3,
                    Some("inner".to_owned()),
                    Some(NameOrigin::Scopes),
                    true
                ),
                (
                    "a.js".to_owned(),
                    3,
                    3,
                    Some("outer".to_owned()),
                    Some(NameOrigin::Scopes),
                    false
                ),
            ],
            "with contents: {with_contents}"
        );
        let json = result.to_json();
        assert_eq!(json["frames"][0]["function_origin"], "scopes");
        assert_eq!(json["frames"][1]["inlined"], false);
    }
    // Without inlined frames: the innermost alone, still named by the scopes.
    let (script, map) = inlined_by_scopes(false);
    let options = SymbolicateOptions {
        inlined_frames: false,
        ..SymbolicateOptions::default()
    };
    let result = symbolicate_with(script, map, options);
    assert_eq!(result.frames.len(), 1);
    assert_eq!(
        result.frames[0]
            .original
            .as_ref()
            .unwrap()
            .function
            .as_deref(),
        Some("inner")
    );
}

#[test]
fn without_scopes_the_name_origin_is_the_parsed_source() {
    use mapback::symbolicate::NameOrigin;
    let trace = std::fs::read_to_string(demo().join("trace-node.txt")).unwrap();
    let result = symbolicator().symbolicate(&trace).unwrap();
    let origins: Vec<_> = result
        .frames
        .iter()
        .map(|f| f.original.as_ref().unwrap().function_origin)
        .collect();
    assert_eq!(origins, vec![Some(NameOrigin::OriginalSource); 4]);
    assert_eq!(
        result.to_json()["frames"][0]["function_origin"],
        "original_source"
    );
}

#[test]
fn scopes_kept_in_a_cache_give_the_same_frames() {
    let (script, map) = inlined_by_scopes(false);
    let decoded = mapback::SourceMap::from_slice(&map).unwrap();
    let cache = mapback::to_cache_bytes(&decoded, mapback::CacheOptions::default()).unwrap();
    let from_json = symbolicate_with(script.clone(), map, SymbolicateOptions::default());
    let from_cache = symbolicate_with(script, cache, SymbolicateOptions::default());
    assert_eq!(from_cache.frames.len(), 2);
    // The same frames; only `abs_path` differs (the cache was written from a map
    // decoded without its URL, so its sources have no resolved URL).
    let strip = |trace: &mapback::symbolicate::SymbolicatedTrace| {
        let mut json = trace.to_json();
        for frame in json["frames"].as_array_mut().unwrap() {
            frame.as_object_mut().unwrap().remove("abs_path");
        }
        json
    };
    assert_eq!(strip(&from_cache), strip(&from_json));
    assert_eq!(
        from_cache.frames[1]
            .original
            .as_ref()
            .unwrap()
            .function_origin,
        Some(mapback::symbolicate::NameOrigin::Scopes)
    );
}
