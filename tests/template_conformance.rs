//! Renders every case in `tests/fixtures/template/cases/*.json` with our engine and
//! compares the output, or the error message, with what Go produced for the same case
//! (`tests/fixtures/template/expected/*.json`, written by `tools/go-oracle/regen.sh`).

use std::collections::BTreeMap;
use std::path::Path;
use std::rc::Rc;

use tfnotify::template::{FuncSet, GoTime, Mode, Template};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/template");

/// Go behaviour we deliberately do not reproduce: `(file, case name, reason)`.
const KNOWN_GAPS: &[(&str, &str, &str)] = &[];

fn render(case: &serde_json::Value) -> Result<String, String> {
    let name = case["tname"].as_str().unwrap_or("main");
    let mode = match case["mode"].as_str() {
        Some("html") => Mode::Html,
        _ => Mode::Text,
    };
    let clock = Rc::new(|| GoTime::from_unix(1_700_000_000, 0));
    let funcs = FuncSet::standard_with_clock(&(clock as Rc<dyn Fn() -> GoTime>));
    let text = case["template"].as_str().unwrap_or_default();
    let mut t = Template::parse(name, text, mode, &funcs).map_err(|e| e.to_string())?;
    if let Some(defines) = case["defines"].as_object() {
        let sorted: BTreeMap<&String, &serde_json::Value> = defines.iter().collect();
        for (k, v) in sorted {
            t.add_define(k, v.as_str().unwrap_or_default())
                .map_err(|e| e.to_string())?;
        }
    }
    t.execute(&case["data"]).map_err(|e| e.to_string())
}

#[test]
fn matches_go() {
    let cases_dir = Path::new(FIXTURES).join("cases");
    let mut files: Vec<_> = std::fs::read_dir(&cases_dir)
        .expect("cases directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let (mut total, mut passed) = (0, 0);
    let mut failures = Vec::new();
    for file in &files {
        let stem = file
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default();
        let cases: Vec<serde_json::Value> =
            serde_json::from_str(&std::fs::read_to_string(file).expect("readable cases"))
                .expect("valid cases JSON");
        let expected_path = Path::new(FIXTURES).join("expected").join(stem);
        let expected: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(&expected_path).unwrap_or_else(|_| {
                panic!(
                    "missing {}; run tools/go-oracle/regen.sh",
                    expected_path.display()
                )
            }),
        )
        .expect("valid expected JSON");
        let by_name: BTreeMap<&str, &serde_json::Value> = expected
            .iter()
            .map(|e| (e["name"].as_str().unwrap_or_default(), e))
            .collect();
        for case in &cases {
            let name = case["name"].as_str().unwrap_or_default();
            total += 1;
            if KNOWN_GAPS.iter().any(|(f, n, _)| *f == stem && *n == name) {
                continue;
            }
            let Some(want) = by_name.get(name) else {
                failures.push(format!("{stem}/{name}: no expectation; run regen.sh"));
                continue;
            };
            let got = render(case);
            let ok = match (&got, want["output"].as_str(), want["error"].as_str()) {
                (Ok(out), Some(w), _) => out == w,
                (Err(e), _, Some(w)) => e == w,
                _ => false,
            };
            if ok {
                passed += 1;
            } else {
                failures.push(format!(
                    "{stem}/{name}:\n  want: {}\n  got:  {:?}",
                    serde_json::to_string(want).unwrap_or_default(),
                    got
                ));
            }
        }
    }
    eprintln!(
        "template conformance: {passed}/{total} passed, {} known gaps",
        KNOWN_GAPS.len()
    );
    assert!(total >= 300, "only {total} conformance cases");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The oracle writes the functions it registers (sprig's, minus the refused ones, plus
/// tfcmt's) to `functions.txt`; ours must be the same set, so that every function the
/// corpus can use is one Go has and the other way round.
#[test]
fn registers_the_functions_go_registers() {
    let listed = std::fs::read_to_string(Path::new(FIXTURES).join("functions.txt"))
        .expect("functions.txt exists; run tools/go-oracle/regen.sh");
    let go: std::collections::BTreeSet<&str> = listed.lines().collect();
    let funcs = FuncSet::standard();
    let ours: std::collections::BTreeSet<&str> = funcs.names().into_iter().collect();
    let missing: Vec<_> = go.difference(&ours).collect();
    let extra: Vec<_> = ours.difference(&go).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing here: {missing:?}; not in Go: {extra:?}"
    );
}

/// Every function Go registers is called by at least one case, so each is held to Go's
/// behaviour; `now` and `ago` read the clock, which Go's side cannot fix.
#[test]
fn every_function_has_a_case() {
    let mut called = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(Path::new(FIXTURES).join("cases")).expect("cases directory") {
        let text =
            std::fs::read_to_string(entry.expect("readable entry").path()).expect("readable cases");
        let cases: Vec<serde_json::Value> = serde_json::from_str(&text).expect("cases JSON");
        for case in &cases {
            let defines = case["defines"].as_object().into_iter().flatten();
            let texts = std::iter::once(&case["template"]).chain(defines.map(|(_, v)| v));
            for text in texts.filter_map(serde_json::Value::as_str) {
                called.extend(words_not_after_dot_or_dollar(text));
            }
        }
    }
    let listed = std::fs::read_to_string(Path::new(FIXTURES).join("functions.txt"))
        .expect("functions.txt exists; run tools/go-oracle/regen.sh");
    let uncalled: Vec<&str> = listed
        .lines()
        .filter(|name| !["now", "ago"].contains(name) && !called.contains(*name))
        .collect();
    assert!(uncalled.is_empty(), "no case calls {uncalled:?}");
}

/// The identifiers of a template text that can name a function: not fields, not variables.
fn words_not_after_dot_or_dollar(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut previous = ' ';
    let mut word_is_name = true;
    for c in text.chars().chain([' ']) {
        if c.is_alphanumeric() || c == '_' {
            if word.is_empty() {
                word_is_name = previous != '.' && previous != '$';
            }
            word.push(c);
        } else if !word.is_empty() {
            if word_is_name {
                words.push(std::mem::take(&mut word));
            }
            word.clear();
        }
        previous = c;
    }
    words
}

/// The template fuzz target's dictionary names every function a message template can
/// call, so that fuzzing reaches each of them rather than only those its seeds use.
#[test]
fn the_fuzz_dictionary_names_every_function() {
    let dictionary =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/template.dict"))
            .expect("fuzz/template.dict exists");
    let funcs = tfnotify::render::functions();
    let missing: Vec<&str> = funcs
        .names()
        .into_iter()
        .filter(|name| !dictionary.lines().any(|line| line == format!("\"{name}\"")))
        .collect();
    assert!(missing.is_empty(), "add to fuzz/template.dict: {missing:?}");
}

/// The functions refused on purpose fail at parse time and say why.
#[test]
fn refused_functions_say_why() {
    let funcs = FuncSet::standard();
    for name in [
        "env",
        "genPrivateKey",
        "genCA",
        "derivePassword",
        "buildCustomCert",
    ] {
        let err = Template::parse("t", &format!("{{{{{name} \"x\"}}}}"), Mode::Text, &funcs)
            .expect_err(name)
            .to_string();
        assert!(
            err.contains(name) && err.contains("does not provide it"),
            "{name}: {err}"
        );
    }
    let err = Template::parse("t", "{{genCA \"x\" 1}}", Mode::Text, &funcs)
        .expect_err("genCA")
        .to_string();
    assert!(err.contains("private keys"), "{err}");
}
