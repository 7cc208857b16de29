//! Any text as a browser or Node stack trace, with default and tiny limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapback::{parse_stack_trace, TraceLimits};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_stack_trace(&text, &TraceLimits::default());
    let tight = TraceLimits {
        max_input_bytes: 4096,
        max_line_bytes: 64,
        max_frames: 4,
        ..TraceLimits::default()
    };
    if let Ok(trace) = parse_stack_trace(&text, &tight) {
        assert!(trace.frames.len() <= 4);
    }
});
