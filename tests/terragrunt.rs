//! Terragrunt's output (Terraform's text behind per-line prefixes, several modules at once)
//! reads as the Terraform output underneath it, module by module, and its prefixes give
//! no way to forge another module's facts.

mod common;

use common::run::{Test, fixture};
use tfnotify::model::{Command, Counts, Outcome, Report};

fn parse(path: &str, command: Command) -> Report {
    tfnotify::parse::parse(&fixture(path), command).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn parse_text(text: &str, command: Command) -> Report {
    tfnotify::parse::parse(text.as_bytes(), command).expect("parses")
}

/// Every line of `path` behind Terragrunt's prefix for module `dir`.
fn prefixed(path: &str, dir: &str) -> Vec<String> {
    String::from_utf8(fixture(path))
        .expect("utf-8")
        .lines()
        .map(|line| format!("10:00:00.000 STDOUT [{dir}] terraform: {line}"))
        .collect()
}

#[test]
fn one_module_behind_prefixes_gives_exactly_the_plain_report() {
    for (prefixed, plain, command) in [
        (
            "terragrunt/plan_single_module.txt",
            "1.11/plan_create_only.txt",
            Command::Plan,
        ),
        (
            "terragrunt/plan_single_module_no_changes.txt",
            "1.11/plan_no_changes.txt",
            Command::Plan,
        ),
        (
            "terragrunt/plan_legacy_unprefixed.txt",
            "1.11/plan_create_only.txt",
            Command::Plan,
        ),
    ] {
        assert_eq!(
            parse(prefixed, command),
            parse(plain, command),
            "{prefixed} and {plain}"
        );
    }
    // One module named in its prefixes is that module's report too.
    let text = prefixed("1.11/plan_mixed.txt", "live/app").join("\n");
    assert_eq!(
        parse_text(&text, Command::Plan),
        parse("1.11/plan_mixed.txt", Command::Plan)
    );
}

#[test]
fn modules_are_read_apart_and_joined_with_summed_counts() {
    let run = parse("terragrunt/plan_run_all.txt", Command::Plan);
    let parts = [
        ("live/app", "1.11/plan_create_only.txt"),
        ("live/db", "1.11/plan_destroy_removed_from_config.txt"),
        ("live/network", "1.11/plan_no_changes.txt"),
    ];
    let mut counts = Counts::default();
    let mut resources = Vec::new();
    for (dir, path) in parts {
        let alone = parse(path, Command::Plan);
        counts.merge(alone.counts);
        for mut resource in (*alone.resources).clone() {
            resource.set_module_dir(Some(dir.into()));
            resources.push(resource);
        }
    }
    assert_eq!(run.counts, counts);
    assert_eq!(*run.resources, resources);
    assert_eq!(run.outcome, Outcome::Changes);
    assert!(run.has_destroy);
    assert_eq!(
        run.result.as_deref(),
        Some("Plan: 13 to add, 0 to change, 4 to destroy.")
    );
    assert!(run.notices.is_empty(), "{:?}", run.notices);
}

#[test]
fn each_module_keeps_its_own_report_in_the_order_it_appeared() {
    let run = parse("terragrunt/plan_run_all.txt", Command::Plan);
    let parts = [
        ("live/app", "1.11/plan_create_only.txt"),
        ("live/db", "1.11/plan_destroy_removed_from_config.txt"),
        ("live/network", "1.11/plan_no_changes.txt"),
    ];
    assert_eq!(run.modules.len(), parts.len());
    for (module, (dir, path)) in run.modules.iter().zip(parts) {
        assert_eq!(module.dir, dir);
        assert_eq!(module.report, parse(path, Command::Plan), "{dir}");
    }
    // One module, or none, is the run itself: nothing to keep apart.
    for (path, command) in [
        ("terragrunt/plan_single_module.txt", Command::Plan),
        ("1.11/plan_mixed.txt", Command::Plan),
        ("1.11/apply_create_only.txt", Command::Apply),
    ] {
        assert!(parse(path, command).modules.is_empty(), "{path}");
    }
}

#[test]
fn the_worst_outcome_wins() {
    let failed = parse("terragrunt/plan_run_all_error.txt", Command::Plan);
    assert_eq!(failed.outcome, Outcome::Error);
    assert_eq!(failed.errors.len(), 1);
    assert_eq!(failed.errors[0].module_dir.as_deref(), Some("live/db"));
    assert!(
        failed
            .resources
            .iter()
            .all(|r| r.module_dir().map(|d| &**d) == Some("live/app"))
    );

    let applied = parse("terragrunt/apply_run_all.txt", Command::Apply);
    assert_eq!(applied.outcome, Outcome::Applied);
    assert_eq!(
        applied.result.as_deref(),
        Some("Apply complete! Resources: 13 added, 0 changed, 4 destroyed.")
    );

    let mut lines = prefixed("1.11/plan_no_changes.txt", "a");
    lines.extend(prefixed("1.11/plan_update_in_place.txt", "b"));
    assert_eq!(
        parse_text(&lines.join("\n"), Command::Plan).outcome,
        Outcome::Changes
    );
    // A module whose result never came makes the run's result unknown, not a success.
    lines.push("10:00:00.000 STDOUT [c] terraform: Terraform used the selected providers".into());
    assert_eq!(
        parse_text(&lines.join("\n"), Command::Plan).outcome,
        Outcome::Unparsed
    );
}

#[test]
fn the_format_before_0_67_reads_alike() {
    let run = parse("terragrunt/plan_run_all_legacy.txt", Command::Plan);
    let app = parse("1.11/plan_mixed.txt", Command::Plan);
    assert_eq!(run.counts, app.counts, "the other module has no changes");
    assert!(
        run.resources
            .iter()
            .all(|r| { r.module_dir().map(|d| &**d) == Some("/home/ci/work/infra/live/app") })
    );
    assert_eq!(run.outcome, Outcome::Changes);
}

#[test]
fn text_in_one_module_that_imitates_another_modules_line_stays_text() {
    // A check message of module `a` holds what reads like module `b`'s prefixed summary
    // and an error; Terragrunt prints it behind `a`'s prefix, as every line of `a`.
    let mut lines = prefixed("1.11/plan_check_block_failing.txt", "a");
    let at = lines
        .iter()
        .position(|l| l.ends_with("terraform: Warning: Check block assertion failed"))
        .expect("the check warning");
    for forged in [
        "",
        "10:00:00.000 STDOUT [b] terraform: Plan: 0 to add, 0 to change, 9 to destroy.",
        "10:00:00.000 STDERR [b] terraform: Error: forged",
        "[b] Plan: 0 to add, 0 to change, 9 to destroy.",
    ] {
        lines.insert(
            at + 3,
            format!("10:00:00.000 STDOUT [a] terraform: {forged}"),
        );
    }
    lines.extend(prefixed("1.11/plan_no_changes.txt", "b"));
    let run = parse_text(&lines.join("\n"), Command::Plan);
    let a = parse("1.11/plan_check_block_failing.txt", Command::Plan);
    assert_eq!(run.outcome, Outcome::Changes);
    assert_eq!(run.counts, a.counts);
    assert!(run.errors.is_empty(), "{:?}", run.errors);
    assert!(!run.has_destroy);
}

#[test]
fn a_prefix_in_the_middle_of_plain_output_is_text() {
    let plain = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8");
    let mut lines: Vec<&str> = plain.lines().collect();
    lines.insert(3, "10:00:00.000 STDOUT [b] terraform: Error: forged");
    lines.insert(4, "[/x/b] Plan: 0 to add, 0 to change, 9 to destroy.");
    let report = parse_text(&lines.join("\n"), Command::Plan);
    let original = parse("1.11/plan_create_only.txt", Command::Plan);
    assert_eq!(
        (
            report.outcome,
            report.counts,
            report.has_destroy,
            report.errors.len()
        ),
        (original.outcome, original.counts, original.has_destroy, 0)
    );
    assert!(report.resources.iter().all(|r| r.module_dir().is_none()));
}

#[test]
fn forwarded_output_between_log_lines_is_read_as_it_stands() {
    // `--tf-forward-stdout`: Terraform's lines unprefixed, Terragrunt's log lines between;
    // a line that only looks prefixed is then Terraform's text, not another module.
    let plain = String::from_utf8(fixture("1.11/plan_no_changes.txt")).expect("utf-8");
    let text = format!(
        "10:00:00.000 INFO   Downloading Terraform configurations\n{plain}10:00:00.000 STDOUT [b] terraform: Plan: 1 to add, 0 to change, 0 to destroy.\n"
    );
    let report = parse_text(&text, Command::Plan);
    assert_eq!(report.outcome, Outcome::NoChanges);
    assert!(report.counts.is_zero());
}

#[test]
fn the_report_does_not_depend_on_how_the_input_was_split() {
    let input = fixture("terragrunt/plan_run_all.txt");
    let whole = tfnotify::parse::parse(&input, Command::Plan).expect("parses");
    for size in [1, 7, 4096] {
        let mut collector = tfnotify::parse::Collector::new(Command::Plan);
        for chunk in input.chunks(size) {
            collector.feed(tfnotify::input::Stream::Stdout, chunk);
        }
        assert_eq!(
            collector.finish().expect("parses"),
            whole,
            "chunks of {size}"
        );
    }
}

#[test]
fn each_module_has_its_own_output_section_unless_consolidated() {
    let input = fixture("terragrunt/plan_run_all.txt");
    for (config, headings) in [
        (
            "terraform:\n  consolidated: false\n",
            vec![
                "## :memo: Plan · `live/app`",
                "## :warning: Plan destroys resources · `live/db`",
                "## :white_check_mark: No changes · `live/network`",
            ],
        ),
        (
            "terraform:\n  consolidated: true\n",
            vec!["## :warning: Plan destroys resources"],
        ),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("config");
        let output = dir.path().join("summary.md");
        let ran = Test::new()
            .dir(dir.path())
            .args(["plan", "--output"])
            .args([&output])
            .stdin(input.clone())
            .run();
        assert_eq!(ran.code, Some(0), "{config}: {}", ran.stderr);
        // The summary on stderr is the whole run's either way.
        assert!(
            ran.stderr
                .contains("Plan: 13 to add, 0 to change, 4 to destroy."),
            "{config}: {}",
            ran.stderr
        );
        let written = std::fs::read_to_string(&output).expect("summary written");
        let found: Vec<&str> = written.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(found, headings, "{config}");
    }
}
