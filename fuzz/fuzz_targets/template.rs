//! Any template text, parsed and run over a fixed context with every function templates
//! can call: an error or an output, never a panic, and never past the engine's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfnotify::template::{Mode, Template};

/// Far above any real message; the engine's own limit is lower (docs/templates-engine.md).
const MAX_OUTPUT: usize = 64 * 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mode = if pick & 1 == 0 {
        Mode::Text
    } else {
        Mode::Html
    };
    let funcs = tfnotify::render::functions();
    let Ok(template) = Template::parse("fuzz", text, mode, &funcs) else {
        return;
    };
    let context = serde_json::json!({
        "Result": "Plan: 1 to add, 0 to change, 1 to destroy.",
        "Body": "<b>&</b>\n\"quoted\"",
        "Vars": {"target": "prod"},
        "CreatedResources": ["a", "b[\"k\"]"],
        "Report": {"counts": {"add": 1, "destroy": 1}, "has_destroy": true,
                   "warnings": [{"summary": "w", "detail": "d"}]},
        "N": 3, "F": 1.5, "T": true, "Nil": null,
    });
    if let Ok(output) = template.execute(&context) {
        assert!(output.len() <= MAX_OUTPUT, "output past the engine's limit");
    }
});
