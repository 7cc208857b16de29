//! Stack trace parsing through the public API: V8, SpiderMonkey and JavaScriptCore
//! traces (hand-written from the engines' formats, and real ones printed by Node 20 and
//! Firefox 153), header and message rules, limits, and hostile input.

use mapback::{
    parse_stack_trace, ErrorCode, Frame, Position, StackTrace, TraceFormat, TraceLimits,
};

fn parse(text: &str) -> StackTrace {
    parse_stack_trace(text, &TraceLimits::default()).expect("parse")
}

fn parse_with(text: &str, limits: TraceLimits) -> StackTrace {
    parse_stack_trace(text, &limits).expect("parse")
}

fn wide_limits() -> TraceLimits {
    TraceLimits {
        max_input_bytes: 64 << 20,
        max_line_bytes: 64 << 20,
        max_frames: usize::MAX,
    }
}

/// Asserts function, URL, line and column of a frame.
#[track_caller]
fn check(frame: &Frame, function: Option<&str>, url: Option<&str>, line: u32, column: u32) {
    assert_eq!(
        frame.function.as_deref(),
        function,
        "function of {:?}",
        frame.raw
    );
    assert_eq!(frame.url.as_deref(), url, "url of {:?}", frame.raw);
    assert_eq!(frame.line, Some(line), "line of {:?}", frame.raw);
    assert_eq!(frame.column, Some(column), "column of {:?}", frame.raw);
}

/// Function and URL of every frame, for compact comparisons.
fn names_and_urls(trace: &StackTrace) -> Vec<(Option<&str>, Option<&str>)> {
    trace
        .frames
        .iter()
        .map(|f| (f.function.as_deref(), f.url.as_deref()))
        .collect()
}

fn flags(frame: &Frame) -> (bool, bool, bool, bool) {
    (
        frame.is_async,
        frame.is_constructor,
        frame.is_native,
        frame.is_eval,
    )
}

// ---------------------------------------------------------------------------------------
// V8
// ---------------------------------------------------------------------------------------

#[test]
fn v8_chrome_trace() {
    let trace = parse(
        "TypeError: Cannot read properties of undefined (reading 'price')\n\
         \x20   at Cart.total (https://shop.example/assets/app.min.js:1:4821)\n\
         \x20   at Array.reduce (<anonymous>)\n\
         \x20   at HTMLButtonElement.<anonymous> (https://shop.example/assets/app.min.js:1:9934)\n\
         \x20   at https://shop.example/assets/app.min.js:2:17\n",
    );
    assert_eq!(trace.format, TraceFormat::V8);
    assert_eq!(trace.error_type.as_deref(), Some("TypeError"));
    assert_eq!(
        trace.message.as_deref(),
        Some("Cannot read properties of undefined (reading 'price')")
    );
    assert!(!trace.truncated);
    assert_eq!(trace.frames.len(), 4);
    let url = Some("https://shop.example/assets/app.min.js");
    check(&trace.frames[0], Some("Cart.total"), url, 1, 4821);
    assert_eq!(
        trace.frames[0].lookup_position(),
        Some(Position::new(0, 4820))
    );
    assert_eq!(
        trace.frames[0].raw,
        "at Cart.total (https://shop.example/assets/app.min.js:1:4821)"
    );
    assert_eq!(trace.frames[1].function.as_deref(), Some("Array.reduce"));
    assert_eq!(trace.frames[1].url, None);
    assert_eq!(trace.frames[1].line, None);
    assert!(!trace.frames[1].is_native);
    assert_eq!(trace.frames[1].lookup_position(), None);
    check(
        &trace.frames[2],
        Some("HTMLButtonElement.<anonymous>"),
        url,
        1,
        9934,
    );
    check(&trace.frames[3], None, url, 2, 17);
}

/// Printed by Node v20.20.2 (`node gen.js`), unchanged.
#[test]
fn v8_real_node_traces() {
    let trace = parse(
        "TypeError: bad\n\
second line: here\n    at new Cart (/tmp/st/gen.js:3:44)\n    at /tmp/st/gen.js:5:11\n    at rec (/tmp/st/gen.js:2:25)\n    at Object.<anonymous> (/tmp/st/gen.js:5:1)\n    at Module._compile (node:internal/modules/cjs/loader:1521:14)\n    at Module._extensions..js (node:internal/modules/cjs/loader:1623:10)\n    at Module.load (node:internal/modules/cjs/loader:1266:32)\n    at Module._load (node:internal/modules/cjs/loader:1091:12)\n    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)\n    at node:internal/main/run_main_module:28:49",
    );
    assert_eq!(trace.format, TraceFormat::V8);
    assert_eq!(trace.error_type.as_deref(), Some("TypeError"));
    assert_eq!(trace.message.as_deref(), Some("bad\nsecond line: here"));
    assert_eq!(trace.frames.len(), 10);
    check(
        &trace.frames[0],
        Some("Cart"),
        Some("/tmp/st/gen.js"),
        3,
        44,
    );
    assert!(trace.frames[0].is_constructor);
    check(&trace.frames[1], None, Some("/tmp/st/gen.js"), 5, 11);
    check(
        &trace.frames[5],
        Some("Module._extensions..js"),
        Some("node:internal/modules/cjs/loader"),
        1623,
        10,
    );
    let main = &trace.frames[8];
    check(
        main,
        Some("Function.executeUserEntryPoint"),
        Some("node:internal/modules/run_main"),
        164,
        12,
    );
    assert_eq!(main.alias.as_deref(), Some("runMain"));
    check(
        &trace.frames[9],
        None,
        Some("node:internal/main/run_main_module"),
        28,
        49,
    );

    let getter = parse("Error: getter\n    at get g [as g] (/tmp/st/gen.js:13:41)\n    at /tmp/st/gen.js:13:69\n    at rec (/tmp/st/gen.js:2:25)");
    check(
        &getter.frames[0],
        Some("get g"),
        Some("/tmp/st/gen.js"),
        13,
        41,
    );
    assert_eq!(getter.frames[0].alias.as_deref(), Some("g"));

    let json = parse("SyntaxError: Expected property name or '}' in JSON at position 1\n    at JSON.parse (<anonymous>)\n    at /tmp/st/gen.js:14:16");
    assert_eq!(json.error_type.as_deref(), Some("SyntaxError"));
    assert_eq!(
        names_and_urls(&json),
        [(Some("JSON.parse"), None), (None, Some("/tmp/st/gen.js"))]
    );
}

#[test]
fn v8_real_async_traces() {
    let trace = parse("Error: async\n    at a (/tmp/st/gen.js:16:42)\n    at async b (/tmp/st/gen.js:17:24)\n    at async /tmp/st/gen.js:18:9");
    assert_eq!(trace.frames.len(), 3);
    assert!(!trace.frames[0].is_async);
    check(&trace.frames[1], Some("b"), Some("/tmp/st/gen.js"), 17, 24);
    assert!(trace.frames[1].is_async);
    check(&trace.frames[2], None, Some("/tmp/st/gen.js"), 18, 9);
    assert!(trace.frames[2].is_async);

    let all = parse("Error: async\n    at a (/tmp/st/gen.js:16:42)\n    at async Promise.all (index 0)\n    at async /tmp/st/gen.js:19:9");
    let promise_all = &all.frames[1];
    assert_eq!(promise_all.function.as_deref(), Some("Promise.all"));
    assert!(promise_all.is_async);
    assert_eq!((promise_all.url.as_deref(), promise_all.line), (None, None));
    assert_eq!(promise_all.raw, "at async Promise.all (index 0)");
}

#[test]
fn v8_real_eval_traces() {
    let trace = parse("Error: ev\n    at evalFn (eval at <anonymous> (/tmp/st/gen.js:8:11), <anonymous>:1:27)\n    at eval (eval at <anonymous> (/tmp/st/gen.js:8:11), <anonymous>:1:45)\n    at /tmp/st/gen.js:8:11");
    let frame = &trace.frames[0];
    assert_eq!(frame.function.as_deref(), Some("evalFn"));
    assert!(frame.is_eval);
    assert_eq!(
        (frame.url.as_deref(), frame.line, frame.column),
        (None, Some(1), Some(27))
    );
    let origin = frame.eval_origin.as_deref().expect("origin");
    check(origin, None, Some("/tmp/st/gen.js"), 8, 11);
    assert_eq!(origin.raw, "eval at <anonymous> (/tmp/st/gen.js:8:11)");
    assert!(!origin.is_eval);
    assert_eq!(trace.frames[1].function.as_deref(), Some("eval"));

    // A nested eval: the inner origin has no position of its own.
    let nested = parse("Error: nested\n    at eval (eval at <anonymous> (eval at outer (/tmp/st/gen.js:9:32)), <anonymous>:1:7)\n    at eval (eval at outer (/tmp/st/gen.js:9:32), <anonymous>:1:1)\n    at outer (/tmp/st/gen.js:9:32)");
    let frame = &nested.frames[0];
    assert!(frame.is_eval);
    assert_eq!((frame.line, frame.column), (Some(1), Some(7)));
    let middle = frame.eval_origin.as_deref().unwrap();
    assert!(middle.is_eval);
    assert_eq!((middle.function.as_deref(), middle.line), (None, None));
    let outer = middle.eval_origin.as_deref().unwrap();
    check(outer, Some("outer"), Some("/tmp/st/gen.js"), 9, 32);

    // new Function code.
    let function = parse("Error: fn\n    at eval (eval at <anonymous> (/tmp/st/gen.js:10:11), <anonymous>:3:7)\n    at /tmp/st/gen.js:10:53");
    assert!(function.frames[0].is_eval);
    assert_eq!(
        function.frames[0].lookup_position(),
        Some(Position::new(2, 6))
    );
}

#[test]
fn v8_eval_with_named_origins() {
    let trace = parse(
        "Error: boom\n    at eval (eval at outer (https://a.example/app.js:40:5), <anonymous>:1:5)\n    \
         at eval (eval at Foo.run (https://a.example/app.js:1:2), foo.js:3:4)",
    );
    let origin = trace.frames[0].eval_origin.as_deref().unwrap();
    check(
        origin,
        Some("outer"),
        Some("https://a.example/app.js"),
        40,
        5,
    );
    assert_eq!(trace.frames[1].url.as_deref(), Some("foo.js"));
    assert_eq!(
        trace.frames[1]
            .eval_origin
            .as_deref()
            .unwrap()
            .function
            .as_deref(),
        Some("Foo.run")
    );
}

#[test]
fn v8_decorations() {
    let trace = parse(
        "Error: x\n\
         \x20   at new Cart (https://a.example/app.js:3:9)\n\
         \x20   at async Cart.load (https://a.example/app.js:4:1)\n\
         \x20   at Obj.method [as alias] (https://a.example/app.js:5:2)\n\
         \x20   at async new Thing [as make] (https://a.example/app.js:6:3)\n\
         \x20   at fn (native)\n\
         \x20   at new Promise (<anonymous>)\n\
         \x20   at Generator.next (<anonymous>)\n\
         \x20   at <anonymous>\n",
    );
    let f = &trace.frames;
    assert_eq!(f.len(), 8);
    assert_eq!(f[0].function.as_deref(), Some("Cart"));
    assert_eq!(flags(&f[0]), (false, true, false, false));
    assert_eq!(f[1].function.as_deref(), Some("Cart.load"));
    assert_eq!(flags(&f[1]), (true, false, false, false));
    assert_eq!(f[2].function.as_deref(), Some("Obj.method"));
    assert_eq!(f[2].alias.as_deref(), Some("alias"));
    assert_eq!(f[3].function.as_deref(), Some("Thing"));
    assert_eq!(f[3].alias.as_deref(), Some("make"));
    assert_eq!(flags(&f[3]), (true, true, false, false));
    assert_eq!(f[4].function.as_deref(), Some("fn"));
    assert_eq!(flags(&f[4]), (false, false, true, false));
    assert_eq!(f[4].url, None);
    assert_eq!(f[5].function.as_deref(), Some("Promise"));
    assert!(f[5].is_constructor);
    assert_eq!(f[6].function.as_deref(), Some("Generator.next"));
    assert_eq!(
        (f[7].function.as_deref(), f[7].url.as_deref()),
        (None, None)
    );
}

#[test]
fn v8_urls_with_colons_parentheses_and_schemes() {
    let trace = parse(
        "Error: x\n\
         \x20   at file:///C:/x/y.js:1:2\n\
         \x20   at run (file:///C:/Users/Ann/app/y.js:10:20)\n\
         \x20   at C:\\x\\y.js:3:4\n\
         \x20   at load (C:\\Program Files (x86)\\App\\main.js:5:6)\n\
         \x20   at https://host:8080/a(1).js:10:5\n\
         \x20   at f (https://host:8080/a(1).js:11:6)\n\
         \x20   at g (https://host/a(.js:12:7)\n\
         \x20   at h (https://host/b).js:13:8)\n\
         \x20   at render (webpack:///./src/components/App.jsx?1234:42:13)\n\
         \x20   at Module../src/index.js (webpack-internal:///./src/index.js:7:1)\n\
         \x20   at blob:https://a.example/4f1c-77aa:3:9\n\
         \x20   at w (chrome-extension://abcdef/content.js:1:100)\n\
         \x20   at /home/ann/my project/server.js:9:15\n\
         \x20   at fn (node:internal/process/task_queues:95:5)\n",
    );
    let expected = [
        (None, "file:///C:/x/y.js", 1, 2),
        (Some("run"), "file:///C:/Users/Ann/app/y.js", 10, 20),
        (None, "C:\\x\\y.js", 3, 4),
        (Some("load"), "C:\\Program Files (x86)\\App\\main.js", 5, 6),
        (None, "https://host:8080/a(1).js", 10, 5),
        (Some("f"), "https://host:8080/a(1).js", 11, 6),
        (Some("g"), "https://host/a(.js", 12, 7),
        (Some("h"), "https://host/b).js", 13, 8),
        (
            Some("render"),
            "webpack:///./src/components/App.jsx?1234",
            42,
            13,
        ),
        (
            Some("Module../src/index.js"),
            "webpack-internal:///./src/index.js",
            7,
            1,
        ),
        (None, "blob:https://a.example/4f1c-77aa", 3, 9),
        (Some("w"), "chrome-extension://abcdef/content.js", 1, 100),
        (None, "/home/ann/my project/server.js", 9, 15),
        (Some("fn"), "node:internal/process/task_queues", 95, 5),
    ];
    assert_eq!(trace.frames.len(), expected.len());
    for (frame, (function, url, line, column)) in trace.frames.iter().zip(expected) {
        check(frame, function, Some(url), line, column);
    }
}

#[test]
fn v8_wasm_and_hermes_frames() {
    let trace = parse(
        "RuntimeError: unreachable\n    at wasm://wasm/0145fffe:wasm-function[0]:0x1e\n    at add (wasm://wasm/0145fffe:wasm-function[1]:0x8c)\n    at /tmp/st/gen.js:21:80\n    at fn (address at index.android.bundle:1:234)",
    );
    assert_eq!(trace.frames.len(), 4);
    assert_eq!(
        trace.frames[0].url.as_deref(),
        Some("wasm://wasm/0145fffe:wasm-function[0]:0x1e")
    );
    assert_eq!(trace.frames[0].line, None);
    assert_eq!(trace.frames[1].function.as_deref(), Some("add"));
    check(
        &trace.frames[3],
        Some("fn"),
        Some("index.android.bundle"),
        1,
        234,
    );
}

#[test]
fn v8_header_forms() {
    // An empty message: V8 prints only the name.
    let empty = parse("Error\n    at /tmp/st/gen.js:12:23\n");
    assert_eq!(empty.error_type.as_deref(), Some("Error"));
    assert_eq!(empty.message, None);

    let node_code = parse("TypeError [ERR_INVALID_ARG_TYPE]: The \"path\" argument must be of type string. Received undefined\n    at validateString (node:internal/validators:162:11)");
    assert_eq!(
        node_code.error_type.as_deref(),
        Some("TypeError [ERR_INVALID_ARG_TYPE]")
    );
    assert_eq!(
        node_code.message.as_deref(),
        Some("The \"path\" argument must be of type string. Received undefined")
    );

    let uncaught = parse("Uncaught (in promise) DOMException: The user aborted a request.\n    at https://a.example/app.js:1:2");
    assert_eq!(uncaught.error_type.as_deref(), Some("DOMException"));
    assert_eq!(
        uncaught.message.as_deref(),
        Some("The user aborted a request.")
    );

    let deno = parse("error: Uncaught (in promise) Error: boom\n    at file:///home/ann/main.ts:1:7\n    at eventLoopTick (ext:core/01_core.js:178:11)");
    assert_eq!(deno.error_type.as_deref(), Some("Error"));
    assert_eq!(deno.message.as_deref(), Some("boom"));
    check(
        &deno.frames[1],
        Some("eventLoopTick"),
        Some("ext:core/01_core.js"),
        178,
        11,
    );

    let dotted = parse("firebase.FirebaseError: quota exceeded\n    at a (x.js:1:1)");
    assert_eq!(dotted.error_type.as_deref(), Some("firebase.FirebaseError"));

    // A name that is not an identifier: no error_type, the whole header is the message.
    let odd = parse("My Error: went wrong\n    at a (x.js:1:1)");
    assert_eq!(odd.error_type, None);
    assert_eq!(odd.message.as_deref(), Some("My Error: went wrong"));
}

#[test]
fn v8_multi_line_message_that_mentions_at_and_colons() {
    let trace = parse(
        "ValidationError: 3 problems:\n\
         name: required\n\
         at least one item is needed\n\
         \x20 at (the cart page)\n\
         \n\
         see https://docs.example/errors:12\n\
         \x20   at validate (https://a.example/app.js:10:3)\n",
    );
    assert_eq!(trace.error_type.as_deref(), Some("ValidationError"));
    assert_eq!(
        trace.message.as_deref(),
        Some(
            "3 problems:\nname: required\nat least one item is needed\n  at (the cart page)\n\n\
             see https://docs.example/errors:12"
        )
    );
    assert_eq!(trace.frames.len(), 1);
    assert_eq!(trace.frames[0].function.as_deref(), Some("validate"));
}

#[test]
fn v8_node_uncaught_preamble_is_skipped() {
    let trace = parse(
        "/srv/app/server.js:3\n\
         \x20   throw new Error('boom: bad config');\n\
         \x20   ^\n\
         \n\
         Error: boom: bad config\n\
         \x20   at Object.<anonymous> (/srv/app/server.js:3:11)\n\
         \x20   at Module._compile (node:internal/modules/cjs/loader:1256:14)\n\
         \n\
         Node.js v18.17.0\n",
    );
    assert_eq!(trace.error_type.as_deref(), Some("Error"));
    assert_eq!(trace.message.as_deref(), Some("boom: bad config"));
    assert_eq!(trace.frames.len(), 2);
    check(
        &trace.frames[0],
        Some("Object.<anonymous>"),
        Some("/srv/app/server.js"),
        3,
        11,
    );
}

#[test]
fn v8_lines_between_and_after_frames() {
    let trace = parse(
        "Error: outer\n\
         \x20   at a (x.js:1:1)\n\
         \x20   ... 4 lines matching cause stack trace ...\n\
         \n\
         \x20   at b (x.js:2:2)\n\
         \x20   this line is not a frame\n\
         \x20   at c (x.js:3:3)\n\
         Caused by: Error: inner\n\
         \x20   at d (y.js:1:1)\n",
    );
    assert_eq!(
        names_and_urls(&trace),
        [
            (Some("a"), Some("x.js")),
            (Some("b"), Some("x.js")),
            (Some("c"), Some("x.js"))
        ]
    );
    assert_eq!(trace.message.as_deref(), Some("outer"));

    // A second trace after the first, or unrelated log output, ends the first.
    let two = parse("Error: one\n    at a (x.js:1:1)\nTypeError: two\n    at b (x.js:2:2)\n");
    assert_eq!(two.frames.len(), 1);
    let log = parse("Error: one\n    at a (x.js:1:1)\n2024-05-01 12:00:00 INFO listening\n    at b (x.js:2:2)\n");
    assert_eq!(log.frames.len(), 1);

    // After a V8 frame, `name@url` lines are not frames of this trace.
    let mixed =
        parse("Error: one\n    at a (x.js:1:1)\n    b@https://x/y.js:1:1\n    at c (x.js:3:3)");
    assert_eq!(mixed.frames.len(), 2);
    assert_eq!(mixed.format, TraceFormat::V8);
}

#[test]
fn v8_unindented_frames_and_crlf() {
    let trace = parse(
        "Error: x\r\nat a (https://a.example/x.js:1:2)\r\nat b (https://a.example/x.js:3:4)\r\n",
    );
    assert_eq!(trace.message.as_deref(), Some("x"));
    assert_eq!(trace.frames.len(), 2);
    check(
        &trace.frames[1],
        Some("b"),
        Some("https://a.example/x.js"),
        3,
        4,
    );
    assert_eq!(trace.frames[1].raw, "at b (https://a.example/x.js:3:4)");

    let tabs = parse("Error: x\n\tat a (x.js:1:2)\n\t\n\tat b (x.js:3:4)   \n");
    assert_eq!(tabs.frames.len(), 2);
    assert_eq!(tabs.frames[1].raw, "at b (x.js:3:4)");
}

#[test]
fn v8_prose_is_not_a_frame() {
    let trace = parse("Error: x\n    at least one item\n    at home\n    at (\n    at fn ()\n    at :1:2\n    at ()");
    assert!(trace.frames.is_empty(), "{:?}", trace.frames);
    assert_eq!(trace.format, TraceFormat::Unknown);
    assert_eq!(trace.error_type.as_deref(), Some("Error"));
}

/// The example trace shipped with the demo (`make demo`).
#[test]
fn v8_demo_trace_file() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo/trace-node.txt");
    let Ok(text) = std::fs::read_to_string(path) else {
        eprintln!("SKIPPED v8_demo_trace_file: {path} is missing");
        return;
    };
    let trace = parse(&text);
    assert_eq!(trace.format, TraceFormat::V8);
    assert_eq!(trace.error_type.as_deref(), Some("Error"));
    assert_eq!(trace.message.as_deref(), Some("coupon expired: SPRING"));
    let functions: Vec<_> = trace.frames.iter().map(|f| f.function.as_deref()).collect();
    assert_eq!(functions, [Some("l"), Some("x"), Some("c"), Some("E")]);
    assert!(trace.frames[3].is_async);
    assert!(trace.frames.iter().all(|f| f
        .url
        .as_deref()
        .unwrap()
        .ends_with("examples/demo/bundle.min.js")));
    assert_eq!(
        trace.frames[0].lookup_position(),
        Some(Position::new(0, 1035))
    );
}

// ---------------------------------------------------------------------------------------
// SpiderMonkey
// ---------------------------------------------------------------------------------------

/// Printed by Firefox 153 (headless), unchanged.
#[test]
fn spidermonkey_real_traces() {
    let trace = parse("Cart.prototype.addItem@http://127.0.0.1:34545/ff.js:3:46\n@http://127.0.0.1:34545/ff.js:4:22\nrec@http://127.0.0.1:34545/ff.js:1:32\n@http://127.0.0.1:34545/ff.js:4:4\n");
    assert_eq!(trace.format, TraceFormat::SpiderMonkey);
    assert_eq!(
        (trace.error_type.as_deref(), trace.message.as_deref()),
        (None, None)
    );
    assert_eq!(trace.frames.len(), 4);
    let url = Some("http://127.0.0.1:34545/ff.js");
    check(&trace.frames[0], Some("Cart.prototype.addItem"), url, 3, 46);
    check(&trace.frames[1], None, url, 4, 22);
    check(&trace.frames[2], Some("rec"), url, 1, 32);

    let nested = parse("outer/inner/<@http://127.0.0.1:34545/ff.js:5:85\ninner@http://127.0.0.1:34545/ff.js:5:61\nouter@http://127.0.0.1:34545/ff.js:5:124\nrec@http://127.0.0.1:34545/ff.js:1:32\n@http://127.0.0.1:34545/ff.js:5:4\n");
    assert_eq!(nested.format, TraceFormat::SpiderMonkey);
    check(&nested.frames[0], Some("outer/inner/<"), url, 5, 85);

    let eval = parse("evalFn@http://127.0.0.1:34545/ff.js line 6 > eval:1:27\n@http://127.0.0.1:34545/ff.js line 6 > eval:1:45\n@http://127.0.0.1:34545/ff.js:6:11\n");
    assert_eq!(eval.format, TraceFormat::SpiderMonkey);
    let frame = &eval.frames[0];
    assert_eq!(frame.function.as_deref(), Some("evalFn"));
    assert!(frame.is_eval);
    assert_eq!(
        (frame.url.as_deref(), frame.line, frame.column),
        (None, Some(1), Some(27))
    );
    let origin = frame.eval_origin.as_deref().unwrap();
    assert_eq!(
        (origin.url.as_deref(), origin.line, origin.column),
        (url, Some(6), None)
    );
    assert_eq!(origin.raw, "http://127.0.0.1:34545/ff.js line 6 > eval");

    let nested_eval = parse("@http://127.0.0.1:34545/ff.js line 7 > eval line 1 > eval:1:7\n@http://127.0.0.1:34545/ff.js line 7 > eval:1:1\nouter@http://127.0.0.1:34545/ff.js:7:32\n");
    let middle = nested_eval.frames[0].eval_origin.as_deref().unwrap();
    assert!(middle.is_eval);
    assert_eq!((middle.url.as_deref(), middle.line), (None, Some(1)));
    let outer = middle.eval_origin.as_deref().unwrap();
    assert_eq!((outer.url.as_deref(), outer.line), (url, Some(7)));

    let function = parse("anonymous@http://127.0.0.1:34545/ff.js line 8 > Function:3:7\n@http://127.0.0.1:34545/ff.js:8:53\n");
    assert_eq!(function.frames[0].function.as_deref(), Some("anonymous"));
    assert!(function.frames[0].is_eval);
    assert_eq!(
        function.frames[0].lookup_position(),
        Some(Position::new(2, 6))
    );

    let getter =
        parse("get g@http://127.0.0.1:34545/ff.js:9:41\n@http://127.0.0.1:34545/ff.js:9:67\n");
    check(&getter.frames[0], Some("get g"), url, 9, 41);
    // Nothing here is only SpiderMonkey's: the format stays open.
    assert_eq!(getter.format, TraceFormat::Unknown);
}

#[test]
fn spidermonkey_async_and_names() {
    let trace = parse(
        "fetchCart@https://shop.example/app.js:10:11\n\
         async*loadPage@https://shop.example/app.js:20:5\n\
         promise callback*init@https://shop.example/app.js:30:1\n\
         async*@https://shop.example/app.js:40:1\n\
         .plugin/e.fn[c]/<@https://shop.example/vendor.js:1:1\n\
         [2]</Bar.prototype._baz/</<@https://shop.example/vendor.js:703:28\n\
         forEach@self-hosted:203:23\n\
         @debugger eval code:1:1\n",
    );
    assert_eq!(trace.format, TraceFormat::SpiderMonkey);
    assert_eq!(trace.frames.len(), 8);
    assert!(!trace.frames[0].is_async);
    assert_eq!(trace.frames[1].function.as_deref(), Some("loadPage"));
    assert!(trace.frames[1].is_async);
    assert_eq!(trace.frames[2].function.as_deref(), Some("init"));
    assert!(trace.frames[2].is_async);
    assert_eq!(trace.frames[3].function, None);
    assert!(trace.frames[3].is_async);
    assert_eq!(
        trace.frames[4].function.as_deref(),
        Some(".plugin/e.fn[c]/<")
    );
    assert_eq!(
        trace.frames[5].function.as_deref(),
        Some("[2]</Bar.prototype._baz/</<")
    );
    check(
        &trace.frames[6],
        Some("forEach"),
        Some("self-hosted"),
        203,
        23,
    );
    check(&trace.frames[7], None, Some("debugger eval code"), 1, 1);
}

#[test]
fn spidermonkey_eval_chains_from_the_brief() {
    let trace = parse(
        "baz@http://localhost:8080/file.js line 26 > eval line 2 > eval:1:30\n\
         foo@http://localhost:8080/file.js line 26 > eval:2:96\n\
         f@http://localhost:8080/file.js line 3 > Function:1:1\n\
         g@line 3 > Function:1:1\n\
         speak@http://localhost:8080/file.js:26:17\n",
    );
    let f = &trace.frames;
    assert_eq!(f.len(), 5);
    let chain = f[0].eval_origin.as_deref().unwrap();
    assert_eq!(
        chain.raw,
        "http://localhost:8080/file.js line 26 > eval line 2 > eval"
    );
    assert_eq!(chain.line, Some(2));
    assert_eq!(
        chain.eval_origin.as_deref().unwrap().url.as_deref(),
        Some("http://localhost:8080/file.js")
    );
    assert!(f[2].is_eval);
    let bare = f[3].eval_origin.as_deref().unwrap();
    assert_eq!((bare.url.as_deref(), bare.line), (None, Some(3)));
    assert!(!f[4].is_eval);
    assert!(f[4].eval_origin.is_none());
}

#[test]
fn spidermonkey_old_versions_without_columns() {
    let trace = parse(
        "()@http://127.0.0.1:8000/js/stacktrace.js:44\n\
         (null)@http://127.0.0.1:8000/js/stacktrace.js:31\n\
         bar(1)@http://127.0.0.1:8000/js/file.js:13\n\
         foo()@http://127.0.0.1:8000/js/file.js:20\n\
         @http://127.0.0.1:8000/js/file.js:24\n",
    );
    assert_eq!(trace.frames.len(), 5);
    let frame = &trace.frames[2];
    assert_eq!(frame.function.as_deref(), Some("bar(1)"));
    assert_eq!((frame.line, frame.column), (Some(13), None));
    assert_eq!(frame.lookup_position(), None);
}

#[test]
fn spidermonkey_with_a_logged_header() {
    // `console.log(String(e) + "\n" + e.stack)`.
    let trace = parse(
        "TypeError: can't access property \"price\", item is undefined\n\
         total@https://shop.example/app.js:3:17\n\
         checkout@https://shop.example/app.js:9:3\n",
    );
    assert_eq!(trace.error_type.as_deref(), Some("TypeError"));
    assert_eq!(
        trace.message.as_deref(),
        Some("can't access property \"price\", item is undefined")
    );
    assert_eq!(trace.frames.len(), 2);

    // An `@` in the message does not make it a frame.
    let mail = parse("Error: cannot mail ann@example.com:25\nsend@https://a.example/m.js:1:2\n");
    assert_eq!(
        mail.message.as_deref(),
        Some("cannot mail ann@example.com:25")
    );
    assert_eq!(mail.frames.len(), 1);
    let prose = parse("Failed for bob@example.com:8080\nsend@https://a.example/m.js:1:2\n");
    assert_eq!(
        prose.message.as_deref(),
        Some("Failed for bob@example.com:8080")
    );
    assert_eq!(prose.frames.len(), 1);
}

#[test]
fn at_sign_urls_with_at_signs_and_ports() {
    let trace = parse(
        "render@webpack:///./node_modules/@babel/runtime/helpers/esm/x.js:12:3\n\
         @https://user@host:8443/a.js:1:2\n\
         moz@moz-extension://1234-abcd/content.js:5:6\n\
         res@resource://gre/modules/X.sys.mjs:7:8\n\
         on@click@https://a.example/x.js:9:10\n\
         a@b@node_modules/@scope/x.js:11:12\n",
    );
    check(
        &trace.frames[0],
        Some("render"),
        Some("webpack:///./node_modules/@babel/runtime/helpers/esm/x.js"),
        12,
        3,
    );
    check(
        &trace.frames[1],
        None,
        Some("https://user@host:8443/a.js"),
        1,
        2,
    );
    check(
        &trace.frames[4],
        Some("on@click"),
        Some("https://a.example/x.js"),
        9,
        10,
    );
    // No URL after any `@`: the first `@` separates.
    check(
        &trace.frames[5],
        Some("a"),
        Some("b@node_modules/@scope/x.js"),
        11,
        12,
    );
    check(
        &trace.frames[3],
        Some("res"),
        Some("resource://gre/modules/X.sys.mjs"),
        7,
        8,
    );
}

// ---------------------------------------------------------------------------------------
// JavaScriptCore
// ---------------------------------------------------------------------------------------

#[test]
fn javascriptcore_trace() {
    let trace = parse(
        "addItem@https://shop.example/app.js:10:15\n\
         @https://shop.example/app.js:20:9\n\
         forEach@[native code]\n\
         global code@https://shop.example/app.js:99:1\n",
    );
    assert_eq!(trace.format, TraceFormat::JavaScriptCore);
    assert_eq!(trace.frames.len(), 4);
    let url = Some("https://shop.example/app.js");
    check(&trace.frames[0], Some("addItem"), url, 10, 15);
    check(&trace.frames[1], None, url, 20, 9);
    let native = &trace.frames[2];
    assert_eq!(native.function.as_deref(), Some("forEach"));
    assert_eq!(flags(native), (false, false, true, false));
    assert_eq!((native.url.as_deref(), native.line), (None, None));
    check(&trace.frames[3], None, url, 99, 1);
    assert_eq!(
        trace.frames[3].raw,
        "global code@https://shop.example/app.js:99:1"
    );
}

#[test]
fn javascriptcore_eval_module_and_native_lines() {
    let trace = parse(
        "eval code\n\
         eval@[native code]\n\
         foo@http://localhost:8080/file.js:58:21\n\
         eval code@\n\
         module code@http://localhost:8080/main.mjs:3:5\n\
         [native code]\n\
         global code@http://localhost:8080/file.js:79:30\n",
    );
    assert_eq!(trace.format, TraceFormat::JavaScriptCore);
    let f = &trace.frames;
    assert_eq!(f.len(), 7);
    assert!(f[0].is_eval && f[0].function.is_none());
    assert!(f[1].is_native && !f[1].is_eval);
    assert_eq!(f[1].function.as_deref(), Some("eval"));
    assert!(f[3].is_eval);
    assert_eq!(f[3].url, None);
    check(&f[4], None, Some("http://localhost:8080/main.mjs"), 3, 5);
    assert!(f[5].is_native);
    assert_eq!(f[5].function, None);
}

/// Printed by the JavaScriptCore shell of WebKitGTK 2.50.6 (tests/data/traces/jsc).
#[test]
fn javascriptcore_real_eval_and_function_frames() {
    let trace = parse(
        "evaluated@\n\
         eval code@\n\
         eval@[native code]\n\
         @/work/main/tools/capture/fixtures/kitchen-sink.js:226:9\n\
         attempt@/work/main/tools/capture/fixtures/kitchen-sink.js:24:7\n\
         global code@/work/main/tools/capture/fixtures/kitchen-sink.js:313:13",
    );
    assert_eq!(trace.format, TraceFormat::JavaScriptCore);
    let f = &trace.frames;
    assert_eq!(f.len(), 6);
    assert_eq!(f[0].function.as_deref(), Some("evaluated"));
    assert_eq!((f[0].url.as_deref(), f[0].line), (None, None));
    assert!(!f[0].is_eval);
    assert!(f[1].is_eval && f[1].function.is_none());
    assert!(f[2].is_native);
    let url = Some("/work/main/tools/capture/fixtures/kitchen-sink.js");
    check(&f[3], None, url, 226, 9);
    check(&f[5], None, url, 313, 13);

    let function = parse("anonymous@\n@/work/main/tools/capture/fixtures/kitchen-sink.js:230:9");
    assert_eq!(function.frames[0].function.as_deref(), Some("anonymous"));
    assert_eq!(function.format, TraceFormat::JavaScriptCore);
}

#[test]
fn safari_7_bare_location_frames() {
    let trace = parse(
        "http://path/to/file.js:48:22\n\
         foo@http://path/to/file.js:52:15\n\
         bar@http://path/to/file.js:108:107\n",
    );
    assert_eq!(trace.frames.len(), 3);
    check(
        &trace.frames[0],
        None,
        Some("http://path/to/file.js"),
        48,
        22,
    );
    assert_eq!(trace.format, TraceFormat::Unknown);
}

#[test]
fn ambiguous_and_conflicting_at_sign_traces_are_unknown() {
    let plain = parse("a@https://x/y.js:1:2\nb@https://x/y.js:3:4\n");
    assert_eq!(plain.format, TraceFormat::Unknown);
    assert_eq!(plain.frames.len(), 2);
    let both = parse("outer/inner<@https://x/y.js:1:2\nforEach@[native code]\n");
    assert_eq!(both.format, TraceFormat::Unknown);
}

// ---------------------------------------------------------------------------------------
// Headers, empty input, several traces
// ---------------------------------------------------------------------------------------

#[test]
fn text_without_frames() {
    for text in ["", "\n", "\r\n\r\n", "   "] {
        let trace = parse(text);
        assert_eq!(trace.frames.len(), 0);
        assert_eq!((trace.error_type, trace.message), (None, None), "{text:?}");
        assert_eq!(trace.format, TraceFormat::Unknown);
    }
    let only_header = parse("RangeError: Maximum call stack size exceeded");
    assert_eq!(only_header.error_type.as_deref(), Some("RangeError"));
    assert_eq!(
        only_header.message.as_deref(),
        Some("Maximum call stack size exceeded")
    );
    let prose = parse("something odd happened\nand then more");
    assert_eq!(prose.error_type, None);
    assert_eq!(
        prose.message.as_deref(),
        Some("something odd happened\nand then more")
    );
    // A lone word is a header only right before the frames.
    let words = parse("Starting\nError: x\n    at a (x.js:1:1)");
    assert_eq!(words.error_type.as_deref(), Some("Error"));
}

#[test]
fn concatenated_traces_give_the_first() {
    let trace = parse(
        "Error: request failed\n\
         \x20   at fetchUser (https://a.example/api.js:10:11)\n\
         \x20   at async main (https://a.example/main.js:3:5)\n\
         Caused by: TypeError: fetch failed\n\
         \x20   at node:internal/deps/undici/undici:12345:11\n",
    );
    assert_eq!(trace.frames.len(), 2);
    assert_eq!(trace.message.as_deref(), Some("request failed"));

    let firefox = parse(
        "a@https://x/y.js:1:2\nouter/b<@https://x/y.js:3:4\n\nCaused by: Error: inner\nc@https://x/y.js:5:6\n",
    );
    assert_eq!(firefox.frames.len(), 2);
    assert_eq!(firefox.format, TraceFormat::SpiderMonkey);
}

// ---------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------

#[test]
fn input_over_the_limit_is_an_error() {
    let limits = TraceLimits {
        max_input_bytes: 10,
        ..TraceLimits::default()
    };
    let error = parse_stack_trace("Error: 12345", &limits).unwrap_err();
    assert_eq!(error.code(), ErrorCode::TraceTooLarge);
    assert_eq!(error.code().as_i32(), 701);
    assert!(error.message().contains("12 bytes"), "{}", error.message());
    assert!(parse_stack_trace("Error: 123", &limits).is_ok());
}

#[test]
fn default_limits() {
    let limits = TraceLimits::default();
    assert_eq!(limits.max_input_bytes, 16 * 1024 * 1024);
    assert_eq!(limits.max_line_bytes, 64 * 1024);
    assert_eq!(limits.max_frames, 10_000);
}

#[test]
fn frames_over_the_limit_are_dropped() {
    let text = "Error: x\n    at a (x.js:1:1)\n    at b (x.js:2:2)\n    at c (x.js:3:3)\n";
    let limits = |max_frames| TraceLimits {
        max_frames,
        ..TraceLimits::default()
    };
    let two = parse_with(text, limits(2));
    assert_eq!(two.frames.len(), 2);
    assert!(two.truncated);
    let three = parse_with(text, limits(3));
    assert_eq!(three.frames.len(), 3);
    assert!(!three.truncated);
    let none = parse_with(text, limits(0));
    assert!(none.frames.is_empty() && none.truncated);
    assert_eq!(none.format, TraceFormat::V8);
    assert_eq!(none.message.as_deref(), Some("x"));
}

#[test]
fn long_lines_are_not_frames() {
    let limits = TraceLimits {
        max_line_bytes: 40,
        ..TraceLimits::default()
    };
    let long_frame = format!("    at f ({}.js:1:2)", "a".repeat(40));
    let text = format!(
        "Error: {}\n    at g (x.js:3:4)\n{long_frame}\n    at h (x.js:5:6)\n",
        "é".repeat(30)
    );
    let trace = parse_with(&text, limits);
    assert_eq!(
        names_and_urls(&trace),
        [(Some("g"), Some("x.js")), (Some("h"), Some("x.js"))]
    );
    // The header line was cut to 40 bytes, at a character boundary.
    assert_eq!(trace.error_type.as_deref(), Some("Error"));
    assert_eq!(trace.message, Some("é".repeat(16)));

    // Before the first frame, an over-long frame line is header text.
    let text = format!("Error: x\n{long_frame}\n    at h (x.js:5:6)\n");
    let trace = parse_with(&text, limits);
    assert_eq!(trace.frames.len(), 1);
    assert_eq!(
        trace.message.as_deref(),
        Some(format!("x\n{}", &long_frame[..40]).as_str())
    );
}

// ---------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------

#[test]
fn one_megabyte_single_lines() {
    let mb = 1 << 20;
    let junk = "x(:@ ".repeat(mb / 5);
    for text in [
        "a".repeat(mb),
        "@".repeat(mb),
        "(".repeat(mb),
        ")".repeat(mb),
        ":".repeat(mb),
        "9".repeat(mb),
        junk,
        format!("    at {} (x.js:1:2)", "f".repeat(mb)),
        format!("    at f ({}:1:2)", ":".repeat(mb)),
        format!("    at f ({}x.js:1:2)", "(".repeat(mb)),
        format!("    at f {}", ")".repeat(mb)),
        format!("f@{}:1:2", "@".repeat(mb)),
        format!("f@x.js{}", " line 1 > eval".repeat(mb / 16)),
        format!("    at {}", "eval at f (".repeat(mb / 12)),
    ] {
        let default = parse(&text);
        assert!(default.frames.is_empty());
        let wide = parse_with(&text, wide_limits());
        assert!(wide.frames.len() <= 1);
    }
    // With the line limit raised, the long frames parse.
    let long_name = format!("    at {} (x.js:1:2)", "f".repeat(mb));
    let trace = parse_with(&long_name, wide_limits());
    assert_eq!(trace.frames[0].function.as_deref().map(str::len), Some(mb));
}

#[test]
fn many_frames() {
    let count = 200_000;
    let mut v8 = String::from("Error: deep\n");
    let mut firefox = String::new();
    for i in 0..count {
        v8.push_str(&format!(
            "    at f{i} (https://a.example/app.js:{}:{})\n",
            i + 1,
            i % 80 + 1
        ));
        firefox.push_str(&format!(
            "f{i}/<@https://a.example/app.js:{}:{}\n",
            i + 1,
            7
        ));
    }
    let default = parse(&v8);
    assert_eq!(default.frames.len(), 10_000);
    assert!(default.truncated);
    let all = parse_with(&v8, wide_limits());
    assert_eq!(all.frames.len(), count);
    assert!(!all.truncated);
    assert_eq!(all.frames[count - 1].line, Some(count as u32));
    let all = parse_with(&firefox, wide_limits());
    assert_eq!(all.frames.len(), count);
    assert_eq!(all.format, TraceFormat::SpiderMonkey);
}

#[test]
fn a_million_at_signs_on_many_lines() {
    let text = "@\n".repeat(500_000);
    let trace = parse_with(&text, wide_limits());
    assert!(trace.frames.is_empty());
    // `@:1` is a frame with no URL, line 1; `@::` is not, and ends the trace.
    let text = "@:\n@:1\n@::\n".repeat(100_000);
    let trace = parse_with(&text, wide_limits());
    assert_eq!(trace.frames.len(), 1);
    assert_eq!(trace.frames[0].url, None);
    assert_eq!(trace.message.as_deref(), Some("@:"));
    let trace = parse_with(&"@:1\n".repeat(300_000), wide_limits());
    assert_eq!(trace.frames.len(), 300_000);
}

#[test]
fn deeply_nested_evals_are_cut() {
    let depth = 10_000;
    let mut v8 = String::from("    at f (");
    for _ in 0..depth {
        v8.push_str("eval at g (");
    }
    v8.push_str("x.js:1:2");
    for _ in 0..depth {
        v8.push_str("), <anonymous>:1:1");
    }
    v8.push(')');
    let trace = parse_with(&v8, wide_limits());
    assert_eq!(trace.frames.len(), 1);
    let mut levels = 0;
    let mut frame = &trace.frames[0];
    while let Some(origin) = frame.eval_origin.as_deref() {
        levels += 1;
        frame = origin;
    }
    assert!((1..=9).contains(&levels), "{levels}");

    let firefox = format!("f@x.js{}:1:1", " line 1 > eval".repeat(depth));
    let trace = parse_with(&firefox, wide_limits());
    assert_eq!(trace.frames.len(), 1);
    assert!(trace.frames[0].is_eval);
}

#[test]
fn unbalanced_and_garbage_lines_never_panic() {
    let lines = [
        "at (",
        "at )",
        "at ()",
        "at (((",
        "at )))",
        "at f (x.js:1:2",
        "at f x.js:1:2)",
        "at f (x.js:1:2))",
        "at f ((x.js:1:2)",
        "at eval (eval at",
        "at eval (eval at )",
        "at eval (eval at (, ",
        "at eval (eval at f (x.js:1:2), )",
        "at f [as (x.js:1:2)",
        "at f [as ] (x.js:1:2)",
        "at async",
        "at new",
        "at async new (x.js:1:2)",
        "at",
        "at  ",
        "@",
        "@:",
        "@::",
        "@:1:",
        "f@",
        "@@@",
        "*@x.js:1:2",
        "a*@x.js:1:2",
        "f@x.js line > eval:1:2",
        "f@ line 1 > eval:1:2",
        "f@line 1 > eval:1:2",
        "f@x.js line 99999999999999 > eval:1:2",
        "[native code]@",
        "global code",
        ":",
        "::",
        "1:2",
        "a:1:2:3:4",
        "\0",
        "at \0 (\0:1:2)",
        "\0@\0:1:\0",
        "é@é:1:2",
        "at é (é:1:2)",
        "Error: é\u{2028}x",
    ];
    for line in lines {
        for text in [
            line.to_owned(),
            format!("Error: x\n    {line}\n"),
            format!("    at a (x.js:1:1)\n{line}\n    at b (x.js:1:1)"),
            format!("a@x.js:1:1\n{line}\nb@x.js:1:1"),
        ] {
            let trace = parse(&text);
            for frame in &trace.frames {
                let _ = frame.lookup_position();
            }
        }
    }
}

#[test]
fn nul_bytes_are_ordinary_characters() {
    let trace = parse("Error: a\0b\n    at f\0 (x\0.js:1:2)\n");
    assert_eq!(trace.message.as_deref(), Some("a\0b"));
    check(&trace.frames[0], Some("f\0"), Some("x\0.js"), 1, 2);
}

#[test]
fn numbers_too_large_or_zero() {
    let trace = parse(
        "Error: x\n\
         \x20   at f (x.js:99999999999999:3)\n\
         \x20   at g (x.js:4:99999999999999999999999999999999)\n\
         \x20   at h (x.js:4294967295:4294967295)\n\
         \x20   at i (x.js:0:0)\n\
         \x20   at j (x.js:1:0)\n\
         \x20   at k (x.js:0:1)\n",
    );
    let f = &trace.frames;
    assert_eq!(f.len(), 6);
    assert_eq!(
        (f[0].url.as_deref(), f[0].line, f[0].column),
        (Some("x.js"), None, Some(3))
    );
    assert_eq!((f[1].line, f[1].column), (Some(4), None));
    assert_eq!(
        f[2].lookup_position(),
        Some(Position::new(u32::MAX - 1, u32::MAX - 1))
    );
    assert_eq!((f[3].line, f[3].column), (Some(0), Some(0)));
    for frame in &f[..2] {
        assert_eq!(frame.lookup_position(), None);
    }
    for frame in &f[3..] {
        assert_eq!(frame.lookup_position(), None);
    }
    let firefox = parse("f@x.js:99999999999999:1\ng@x.js:0:0\n");
    assert_eq!(firefox.frames.len(), 2);
    assert_eq!(firefox.frames[0].line, None);
}

/// Random lines built from the characters and fragments the parsers look for.
#[test]
fn random_fragments_never_panic() {
    const PIECES: [&str; 24] = [
        "at ",
        "@",
        "(",
        ")",
        ":",
        "1",
        "42",
        " ",
        "eval at ",
        ", ",
        "<anonymous>",
        " line 3 > eval",
        "async ",
        "new ",
        " [as x]",
        "*",
        "[native code]",
        "global code",
        "\n",
        "\r\n",
        "é",
        "\0",
        "https://h:80/a.js",
        "\t",
    ];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let limits = TraceLimits {
        max_frames: 5,
        ..TraceLimits::default()
    };
    for _ in 0..3_000 {
        let len = (next() % 40) as usize;
        let text: String = (0..len)
            .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
            .collect();
        let trace = parse_with(&text, limits);
        assert!(trace.frames.len() <= 5);
        for frame in &trace.frames {
            assert!(!frame.raw.is_empty());
            assert_eq!(frame.raw.trim(), frame.raw);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Real traces captured into tests/data/traces (tools/capture), checked against the
// expectations in its manifest.json
// ---------------------------------------------------------------------------------------

/// The stack text of one manifest entry: the `.txt` file named by the key when it
/// exists, else `errors[index].stack` of the capture JSON it came from.
fn captured_text(dir: &std::path::Path, key: &str, entry: &serde_json::Value) -> Option<String> {
    if let Ok(text) = std::fs::read_to_string(dir.join(key)) {
        return Some(text);
    }
    let capture = entry["capture"].as_str().expect("capture");
    let path = dir.join(capture);
    let json = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{key}: cannot read {}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&json).expect("capture JSON");
    let index = entry["index"].as_u64().expect("index") as usize;
    json["errors"][index]["stack"].as_str().map(str::to_owned)
}

#[track_caller]
fn check_captured_frame(key: &str, i: usize, frame: &Frame, expected: &serde_json::Value) {
    let at = format!("{key} frame {i} ({:?})", frame.raw);
    let text = |field: &str| expected[field].as_str();
    let number = |field: &str| expected[field].as_u64().map(|n| n as u32);
    let flag = |field: &str| expected[field].as_bool().unwrap_or(false);
    // The manifest keeps V8's ` [as alias]` in the function text; mapback splits it off.
    let function = match (&frame.function, &frame.alias) {
        (Some(f), Some(alias)) => Some(format!("{f} [as {alias}]")),
        (f, _) => f.clone(),
    };
    // mapback reads JavaScriptCore's labels for top-level code as no function, like
    // V8's and SpiderMonkey's top-level frames; the manifest keeps them as printed.
    let expected_function = text("function")
        .filter(|f| !["<anonymous>", "global code", "eval code", "module code"].contains(f));
    assert_eq!(function.as_deref(), expected_function, "function: {at}");
    assert_eq!(frame.url.as_deref(), text("url"), "url: {at}");
    assert_eq!(frame.line, number("line"), "line: {at}");
    assert_eq!(frame.column, number("column"), "column: {at}");
    assert_eq!(frame.is_async, flag("is_async"), "is_async: {at}");
    assert_eq!(
        frame.is_constructor,
        flag("is_constructor"),
        "is_constructor: {at}"
    );
    assert_eq!(frame.is_native, flag("is_native"), "is_native: {at}");
    assert_eq!(frame.is_eval, flag("is_eval"), "is_eval: {at}");
    if let Some(origin) = text("eval_origin") {
        let raw = frame.eval_origin.as_deref().map(|o| o.raw.as_str());
        assert_eq!(raw, Some(origin), "eval_origin: {at}");
    }
    if let Some(index) = expected["promise_index"].as_u64() {
        assert!(
            frame.raw.ends_with(&format!("(index {index})")),
            "promise_index: {at}"
        );
    }
    if let Some(cause) = text("async_cause") {
        assert!(
            frame.raw.starts_with(&format!("{cause}*")),
            "async_cause: {at}"
        );
    }
}

#[test]
fn captured_traces_match_their_manifest() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces");
    let Ok(manifest) = std::fs::read_to_string(dir.join("manifest.json")) else {
        eprintln!(
            "SKIPPED captured_traces_match_their_manifest: no {}",
            dir.join("manifest.json").display()
        );
        return;
    };
    let manifest: serde_json::Value = serde_json::from_str(&manifest).expect("manifest JSON");
    let traces = manifest["traces"].as_object().expect("manifest.traces");
    let (mut checked, mut frames) = (0, 0);
    for (key, entry) in traces {
        let Some(text) = captured_text(&dir, key, entry) else {
            continue; // a thrown non-Error has no stack
        };
        let trace = parse(&text);
        let runtime = entry["runtime"].as_str().unwrap_or("");
        let expected_format: &[TraceFormat] = match runtime {
            "chromium" | "node" => &[TraceFormat::V8],
            "firefox" => &[TraceFormat::SpiderMonkey, TraceFormat::Unknown],
            "jsc" => &[TraceFormat::JavaScriptCore, TraceFormat::Unknown],
            _ => &[trace.format],
        };
        assert!(
            expected_format.contains(&trace.format),
            "{key}: {:?}",
            trace.format
        );

        // The header, when the engine printed one, is `name: message`.
        let name = entry["name"].as_str();
        let message = entry["message"].as_str().filter(|m| !m.is_empty());
        match entry["header"].as_str() {
            Some(header) if name.is_some_and(|n| header.starts_with(n)) => {
                assert_eq!(trace.error_type.as_deref(), name, "{key}: error_type");
                assert_eq!(trace.message.as_deref(), message, "{key}: message");
            }
            Some(_) => {}
            None => assert_eq!((&trace.error_type, &trace.message), (&None, &None), "{key}"),
        }

        let expected = entry["frames"].as_array().expect("frames");
        assert_eq!(
            trace.frames.len(),
            expected.len(),
            "{key}: frame count\n{text}"
        );
        for (i, (frame, expected)) in trace.frames.iter().zip(expected).enumerate() {
            check_captured_frame(key, i, frame, expected);
        }
        assert!(!trace.truncated, "{key}");
        checked += 1;
        frames += expected.len();
    }
    assert!(checked > 0, "the manifest lists no trace with a stack");
    eprintln!("captured traces: {checked} traces, {frames} frames as the manifest expects");
}

/// Every file under tests/data/traces parses without error or panic, whatever it holds.
#[test]
fn captured_files_parse() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces");
    let Ok(runtimes) = std::fs::read_dir(&dir) else {
        eprintln!(
            "SKIPPED captured_files_parse: {} does not exist",
            dir.display()
        );
        return;
    };
    let mut files = 0;
    for entry in runtimes.flatten() {
        let paths: Vec<_> = match std::fs::read_dir(entry.path()) {
            Ok(inner) => inner.flatten().map(|e| e.path()).collect(),
            Err(_) => vec![entry.path()],
        };
        for path in paths {
            if let Ok(text) = std::fs::read_to_string(&path) {
                parse_with(&text, wide_limits());
                files += 1;
            }
        }
    }
    eprintln!("captured files: {files} parsed");
}
