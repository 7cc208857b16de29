//! Any bytes as a Sentry event, symbolicated over a store holding the real-client
//! fixture bundles (tests/data/events/artifact-bundle.zip), with the default limits and
//! with tight ones. Every failure must be a typed error of the documented few; every
//! success must be a JSON object.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use mapback::symbolicate::{SymbolicateOptions, Symbolicator};
use mapback::{ErrorCode, Store, StoreOptions};

const BUNDLE: &[u8] = include_bytes!("../../tests/data/events/artifact-bundle.zip");
const TIGHT_FRAMES: usize = 3;

struct Symbolicators {
    default: Symbolicator,
    tight: Symbolicator,
}

fn symbolicators() -> &'static Symbolicators {
    static ONCE: OnceLock<Symbolicators> = OnceLock::new();
    ONCE.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("mapback-fuzz-event-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).unwrap();
        let zip = root.join("artifact-bundle.zip");
        std::fs::write(&zip, BUNDLE).unwrap();
        let store = Store::open(root.join("store"), StoreOptions::default()).unwrap();
        let summary = store.add(&[&zip]).unwrap();
        assert!(!summary.added.is_empty(), "the fixture bundle adds entries");
        let store = Arc::new(store);
        let tight = SymbolicateOptions {
            max_event_frames: TIGHT_FRAMES,
            max_event_bytes: 64 * 1024,
            context_lines: 1,
            ..SymbolicateOptions::default()
        };
        Symbolicators {
            default: Symbolicator::from_store(store.clone(), SymbolicateOptions::default()),
            tight: Symbolicator::from_store(store, tight),
        }
    })
}

fn check(result: mapback::Result<Vec<u8>>) -> Option<serde_json::Value> {
    match result {
        Ok(out) => {
            let value: serde_json::Value =
                serde_json::from_slice(&out).expect("the output is JSON");
            assert!(value.is_object(), "the output is an object");
            Some(value)
        }
        Err(error) => {
            assert!(
                matches!(
                    error.code(),
                    ErrorCode::InputTooLarge | ErrorCode::InvalidJson | ErrorCode::InvalidArgument
                ),
                "untyped failure: {error}"
            );
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let symbolicators = symbolicators();
    check(symbolicators.default.symbolicate_event_json(data));
    if let Some(event) = check(symbolicators.tight.symbolicate_event_json(data)) {
        if let Some(errors) = event.get("errors") {
            assert!(errors.is_array(), "errors stays a list");
        }
    }
});
