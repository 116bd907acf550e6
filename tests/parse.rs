//! Parses every fixture and holds the result to three standards: a reviewed snapshot, the
//! exit code real Terraform gave for the same run, and agreement between the text, colour
//! and JSON forms of one run.

mod common;

use std::collections::BTreeMap;

use common::fixtures::{self, Fixture};
use tfnotify::model::{Command, Outcome, Report, Transcript};

fn parse(fixture: &Fixture) -> Report {
    tfnotify::parse::parse(&fixture.bytes(), fixture.command)
        .unwrap_or_else(|e| panic!("{}: {e}", fixture.id))
}

#[test]
fn every_fixture_matches_its_snapshot() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/parse");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for fixture in fixtures::all() {
            if fixture.kind == "color.txt" {
                continue; // held equal to the plain form below
            }
            let report = parse(&fixture);
            let name = fixture.id.replace('/', "__");
            insta::assert_yaml_snapshot!(name, report);
        }
    });
}

/// What Terraform's own exit code says the outcome must be.
fn expected_outcomes(fixture: &Fixture, code: i32) -> &'static [Outcome] {
    let saved_or_shown = fixture.name.ends_with("_saved") || fixture.name.ends_with("_show");
    match (fixture.command, code) {
        (Command::Plan, 0) if saved_or_shown => &[Outcome::Changes, Outcome::NoChanges],
        (Command::Plan, 0) => &[Outcome::NoChanges],
        (Command::Plan, 2) => &[Outcome::Changes],
        (Command::Plan, _) | (Command::Fmt, 1..=2 | 4..) => &[Outcome::Error],
        (Command::Apply | Command::Destroy, 0) => &[Outcome::Applied],
        (Command::Apply | Command::Destroy, _) => &[Outcome::ApplyFailed],
        (Command::Fmt, 0) => &[Outcome::Formatted],
        (Command::Fmt, _) => &[Outcome::Unformatted],
        (Command::Validate, 0) => &[Outcome::Valid],
        (Command::Validate, _) => &[Outcome::Invalid],
        // No Terraform output is a summary's.
        (Command::Summary, _) => &[],
    }
}

#[test]
fn outcomes_agree_with_terraforms_exit_codes() {
    let mut checked = 0;
    let mut wrong = Vec::new();
    for fixture in fixtures::all() {
        // `terraform show` succeeds whether or not the plan it shows did.
        let Some(code) = fixture
            .exit_code()
            .filter(|_| !fixture.name.ends_with("_show"))
        else {
            continue;
        };
        let report = parse(&fixture);
        let expected = expected_outcomes(&fixture, code);
        if !expected.contains(&report.outcome) {
            wrong.push(format!(
                "{}: exit {code}, parsed {:?}",
                fixture.id, report.outcome
            ));
        }
        checked += 1;
    }
    assert!(
        wrong.is_empty(),
        "outcomes contradict exit codes:\n{}",
        wrong.join("\n")
    );
    assert!(checked > 150, "only {checked} fixtures had exit codes");
}

#[test]
fn colour_and_plain_output_parse_the_same() {
    let all = fixtures::all();
    let mut compared = 0;
    for color in all.iter().filter(|f| f.kind == "color.txt") {
        let plain = all
            .iter()
            .find(|f| f.version == color.version && f.name == color.name && f.kind == "txt")
            .unwrap_or_else(|| panic!("{} has no plain twin", color.id));
        let (mut a, mut b) = (parse(plain), parse(color));
        // Terraform's parallel walk orders some lines differently between two runs.
        for report in [&mut a, &mut b] {
            report.transcript = Transcript::default();
            report.failed.sort();
            std::sync::Arc::make_mut(&mut report.resources)
                .sort_by(|x, y| x.address.cmp(&y.address));
            for d in report.errors.iter_mut().chain(report.warnings.iter_mut()) {
                d.detail = normalise_ids(&d.detail);
            }
        }
        if color.name.contains("_injected_") {
            // Text written to imitate Terraform's lines is told apart by the frames colour
            // draws; without them the facts must still agree, though a `Warning:` line of
            // a message reads as a warning of its own and the contradictions are noticed.
            let facts = |r: &tfnotify::model::Report| {
                (
                    r.outcome,
                    r.counts,
                    r.has_destroy,
                    r.errors.len(),
                    r.resources.clone(),
                    r.result.clone(),
                )
            };
            assert_eq!(
                facts(&a),
                facts(&b),
                "{} and {} disagree",
                plain.id,
                color.id
            );
        } else {
            assert_eq!(a, b, "{} and {} disagree", plain.id, color.id);
        }
        compared += 1;
    }
    assert!(compared > 50, "only {compared} colour fixtures");
}

/// Resource changes as a sorted map, for comparing two readings of one plan.
fn by_address(report: &Report) -> BTreeMap<String, String> {
    report
        .resources
        .iter()
        .map(|r| {
            let key = format!("{}{}", r.address, r.deposed().unwrap_or_default());
            let value = format!(
                "{} moved_from={:?} imported={} reason={:?}",
                r.action.as_str(),
                r.moved_from(),
                r.imported,
                r.reason()
            );
            (key, value)
        })
        .collect()
}

#[test]
fn text_and_json_plans_agree() {
    let all = fixtures::all();
    let mut compared = 0;
    for json in all
        .iter()
        .filter(|f| f.kind == "json" && f.command == Command::Plan)
    {
        let Some(text) = all
            .iter()
            .find(|f| f.version == json.version && f.name == json.name && f.kind == "txt")
        else {
            continue;
        };
        let (from_text, from_json) = (parse(text), parse(json));
        if from_text.outcome == Outcome::Error {
            continue; // an errored plan's JSON holds what was planned before the error
        }
        assert_eq!(
            by_address(&from_text),
            by_address(&from_json),
            "resources of {}",
            text.id
        );
        assert_eq!(from_text.counts, from_json.counts, "counts of {}", text.id);
        assert_eq!(
            from_text.outputs, from_json.outputs,
            "outputs of {}",
            text.id
        );
        assert_eq!(
            from_text.has_destroy, from_json.has_destroy,
            "has_destroy of {}",
            text.id
        );
        compared += 1;
    }
    assert!(compared >= 20, "only {compared} plans compared");
}

/// Diagnostic text without what differs between two runs: ids, and where Terraform wrapped
/// its prose (colour codes count towards its line width).
fn normalise_ids(text: &str) -> String {
    let text = text.split("id=").next().unwrap_or(text);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How the `parse_text` fuzz target splits its input, so its finds replay exactly.
#[path = "../fuzz/fuzz_targets/chunks.rs"]
mod chunks;

#[test]
fn what_fuzzing_found_parses_the_same_in_any_chunking() {
    // fuzz/seeds/parse_text: inputs of the parse_text target whose report once depended on
    // how the input was split. The first byte picks the command and how many of the next
    // bytes give the chunk sizes, as the target reads it.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/parse_text");
    let commands = [
        Command::Plan,
        Command::Apply,
        Command::Destroy,
        Command::Fmt,
        Command::Validate,
    ];
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).expect("seeds") {
        let path = entry.expect("seed").path();
        let data = std::fs::read(&path).expect("seed");
        let Some((&pick, rest)) = data.split_first() else {
            continue;
        };
        let command = commands[usize::from(pick) % commands.len()];
        let seed_len = rest.len().min(usize::from(pick >> 3) % 9);
        let (seed, input) = rest.split_at(seed_len);
        let mut collector = tfnotify::parse::Collector::new(command);
        for chunk in chunks::split(seed, input) {
            collector.feed(tfnotify::input::Stream::Stdout, chunk);
        }
        let chunked = collector.finish().map_err(|e| e.to_string());
        let whole = tfnotify::parse::parse(input, command).map_err(|e| e.to_string());
        assert_eq!(chunked, whole, "{}", path.display());
        replayed += 1;
    }
    assert!(replayed >= 1);
}
