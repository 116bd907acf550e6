//! Text that module authors write cannot change the facts of a run.
//!
//! Real Terraform 1.11 runs (`tests/fixtures/scenarios/plan_injected_text`) hold a `check`
//! message and an output value that module authors control. Each test here puts other text
//! in their place, in the exact form Terraform prints it (at column 0 without colour, after
//! the frame with colour, as a heredoc among the outputs), and holds the facts to those of
//! the same run with harmless text: outcome, counts, destroys, resources, failure.

mod common;

use common::fixtures::{self, Fixture};
use common::imitation;
use tfnotify::model::{Counts, Outcome, Report, ResourceChange};

/// Lines Terraform prints for itself, the raw material of imitations.
const LOOK_ALIKES: &[&str] = &[
    "",
    "",
    "Error: Provider produced inconsistent final plan",
    "Error: Saved plan is stale",
    "Error:",
    "Warning: Resource targeting is in effect",
    "Plan: 0 to add, 0 to change, 0 to destroy.",
    "Plan: 0 to add, 0 to change, 9 to destroy.",
    "No changes. Your infrastructure matches the configuration.",
    "Planning failed. Terraform encountered an error while generating this plan.",
    "Terraform will perform the following actions:",
    "Terraform planned the following actions, but then encountered a problem:",
    "  # terraform_data.decoy will be destroyed",
    "  - resource \"terraform_data\" \"decoy\" {",
    "    }",
    "Changes to Outputs:",
    "  - decoy = \"x\" -> null",
    "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.",
    "Apply complete! Resources: 5 added, 0 changed, 7 destroyed.",
    "Destroy complete! Resources: 3 destroyed.",
    "Outputs:",
    "note = <<XYZ",
    "note = <<EOT",
    "XYZ",
    "EOT",
    "decoy = [",
    "]",
    "terraform_data.decoy: Destroying... [id=decoy]",
    "terraform_data.decoy: Destruction complete after 0s",
    "terraform_data.a: Creation errored after 0s",
    "terraform_data.b: Modifications complete after 1s [id=b]",
    "Success! The configuration is valid.",
    "This is a refresh-only plan, so Terraform will not take any actions to undo these.",
    "Note: Objects have changed outside of Terraform",
    "─────────────────────────────────────────────────────────────────────────────",
    "╷",
    "│ Error: Boxed look-alike",
    "│",
    "╵",
    "Releasing state lock. This may take a few moments...",
    "  on main.tf line 3:",
    "  with terraform_data.a,",
    "any other words",
    // Escape codes are taken out before a line is read, so these read as the lines above.
    "EOT\u{1b}[0m",
    "XYZ\u{1b}[1m\u{1b}[1m",
    "\u{1b}[0mError: Hidden behind a code",
    "\u{1b}[31mApply complete! Resources: 0 added, 0 changed, 0 destroyed.\u{1b}[0m",
];

/// The facts a message must not be able to change.
#[derive(Debug, PartialEq)]
struct Facts {
    outcome: Outcome,
    counts: Counts,
    has_destroy: bool,
    failed: bool,
    resources: Vec<ResourceChange>,
}

impl Facts {
    fn of(report: &Report) -> Self {
        let mut resources = (*report.resources).clone();
        resources.sort_by(|a, b| a.address.cmp(&b.address));
        Facts {
            outcome: report.outcome,
            counts: report.counts,
            has_destroy: report.has_destroy,
            failed: !report.errors.is_empty(),
            resources,
        }
    }
}

/// A small deterministic generator, so every failure can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("small")
    }
}

/// A message of look-alike lines (and, now and then, a blank line before each).
fn imitation(rng: &mut Rng) -> Vec<String> {
    let len = 1 + rng.below(24);
    (0..len)
        .map(|_| LOOK_ALIKES[rng.below(LOOK_ALIKES.len())].to_owned())
        .collect()
}

fn fixture(name: &str, kind: &str) -> Fixture {
    fixtures::all()
        .into_iter()
        .find(|f| f.version == "1.11" && f.name == name && f.kind == kind)
        .unwrap_or_else(|| panic!("no fixture 1.11/{name}.{kind}"))
}

fn parse(bytes: &[u8], fixture: &Fixture) -> Report {
    tfnotify::parse::parse(bytes, fixture.command).expect("parses")
}

fn with_message(text: &str, lines: &[String]) -> String {
    imitation::with_message(text, lines).expect("the message line is in the capture")
}

fn with_output(text: &str, lines: &[String]) -> String {
    imitation::with_output(text, lines).expect("one output line at column 0")
}

/// Runs `cases` imitations through `inject` on each capture and compares the facts.
fn holds(names: &[&str], cases: u64, inject: fn(&str, &[String]) -> String) {
    for name in names {
        for kind in ["txt", "color.txt"] {
            let capture = fixture(name, kind);
            let text = String::from_utf8(capture.bytes()).expect("UTF-8 capture");
            let expected = Facts::of(&parse(text.as_bytes(), &capture));
            for seed in 1..=cases {
                let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
                let lines = imitation(&mut rng);
                let injected = inject(&text, &lines);
                let report = parse(injected.as_bytes(), &capture);
                assert_eq!(
                    Facts::of(&report),
                    expected,
                    "{} with seed {seed}: the message\n{}\nchanged the facts",
                    capture.id,
                    lines.join("\n")
                );
            }
        }
    }
}

#[test]
fn a_message_never_changes_the_facts_of_a_plan() {
    holds(
        &[
            "plan_injected_benign",
            "plan_injected_no_changes_benign",
            "plan_injected_failure_benign",
        ],
        4000,
        with_message,
    );
}

#[test]
fn a_message_never_changes_the_facts_of_an_apply() {
    holds(&["apply_injected_benign"], 4000, with_message);
}

#[test]
fn an_output_value_never_changes_the_facts_of_an_apply() {
    holds(&["apply_injected_benign"], 4000, with_output);
}

#[test]
fn the_captured_imitations_read_as_their_harmless_twins() {
    let twins = [
        ("plan_injected_error", "plan_injected_benign"),
        ("plan_injected_summary", "plan_injected_benign"),
        ("plan_injected_everything", "plan_injected_benign"),
        (
            "plan_injected_no_changes",
            "plan_injected_no_changes_benign",
        ),
        ("plan_injected_failure", "plan_injected_failure_benign"),
        ("apply_injected_output", "apply_injected_benign"),
        ("apply_injected_heredoc", "apply_injected_benign"),
        ("apply_injected_everything", "apply_injected_benign"),
    ];
    for (injected, benign) in twins {
        for kind in ["txt", "color.txt"] {
            let (a, b) = (fixture(injected, kind), fixture(benign, kind));
            assert_eq!(
                Facts::of(&parse(&a.bytes(), &a)),
                Facts::of(&parse(&b.bytes(), &b)),
                "{} and {}",
                a.id,
                b.id
            );
        }
    }
}

#[test]
fn a_summary_line_inside_a_message_is_overruled_by_what_the_apply_finished() {
    // The message opens a heredoc that swallows Terraform's own summary line and is closed
    // by a line of the real output: the look-alike keeps its place as the summary, but the
    // counts are what the apply said it finished, and the report says so.
    let capture = fixture("apply_injected_heredoc", "txt");
    let report = parse(&capture.bytes(), &capture);
    assert_eq!(
        report.result.as_deref(),
        Some("Apply complete! Resources: 1 added, 1 changed, 1 destroyed.")
    );
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.has_destroy);
    assert_eq!(report.notices.len(), 1, "{:?}", report.notices);
    assert!(
        report.notices[0].contains("0 to destroy"),
        "{:?}",
        report.notices
    );
    let detail = &report.warnings[0].detail;
    assert!(
        detail.contains("Error: Provider produced inconsistent result after apply"),
        "{detail}"
    );
}

#[test]
fn a_summary_line_inside_a_message_is_text_when_terraform_s_own_follows() {
    let capture = fixture("apply_injected_everything", "txt");
    let text = String::from_utf8(capture.bytes()).expect("UTF-8");
    let forged = text.replace(
        "Warning: Resource targeting is in effect",
        "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.\n\nOutputs:\n\nx = 1",
    );
    let report = parse(forged.as_bytes(), &capture);
    assert_eq!(
        report.result.as_deref(),
        Some("Apply complete! Resources: 1 added, 1 changed, 1 destroyed.")
    );
    assert!(report.notices.is_empty(), "{:?}", report.notices);
    assert!(
        report.warnings[0]
            .detail
            .contains("Apply complete! Resources: 0 added, 0 changed, 0 destroyed."),
        "{:?}",
        report.warnings
    );
}

#[test]
fn a_value_s_line_that_reads_as_the_delimiter_only_without_its_codes_does_not_end_it() {
    // Found by fuzzing: the heredoc's delimiter is EOT, and a line of the value is EOT
    // followed by escape codes, which Terraform does not count as the delimiter.
    let capture = fixture("apply_injected_benign", "txt");
    let text = String::from_utf8(capture.bytes()).expect("UTF-8");
    let expected = Facts::of(&parse(text.as_bytes(), &capture));
    let lines = [
        "qe".to_owned(),
        format!("EOT{}", "\u{1b}".repeat(50)),
        String::new(),
        "Error: Something failed".to_owned(),
    ];
    let injected = with_output(&text, &lines);
    assert_eq!(Facts::of(&parse(injected.as_bytes(), &capture)), expected);
}

#[test]
fn what_fuzzing_found_reads_as_the_harmless_run() {
    // fuzz/seeds/parse_injection/apply-message-*: inputs of the parse_injection target
    // that once changed an apply's facts (look-alike summaries nesting heredocs, dozens of
    // look-alike summaries in a row). Their first byte picks the target's capture: these
    // all put the rest, line by line, where the apply prints the check's message.
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/parse_injection");
    let capture = fixture("apply_injected_benign", "txt");
    let text = String::from_utf8(capture.bytes()).expect("UTF-8");
    let expected = Facts::of(&parse(text.as_bytes(), &capture));
    let mut replayed = 0;
    for entry in std::fs::read_dir(dir).expect("seeds") {
        let path = entry.expect("seed").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if !name.starts_with("apply-message-") {
            continue;
        }
        let seed = std::fs::read(&path).expect("seed");
        let message = std::str::from_utf8(&seed[1..]).expect("UTF-8");
        let lines: Vec<String> = message
            .split('\n')
            .map(|l| l.trim_end_matches('\r').to_owned())
            .collect();
        let injected = with_message(&text, &lines);
        assert_eq!(
            Facts::of(&parse(injected.as_bytes(), &capture)),
            expected,
            "{name}"
        );
        replayed += 1;
    }
    assert!(replayed >= 2, "only {replayed} seeds");
}

#[test]
fn a_summary_line_that_disagrees_with_the_list_is_overruled_and_said() {
    let capture = fixture("plan_injected_benign", "txt");
    let text = String::from_utf8(capture.bytes()).expect("UTF-8");
    let tampered = text.replace(
        "Plan: 1 to add, 1 to change, 1 to destroy.",
        "Plan: 0 to add, 0 to change, 0 to destroy.",
    );
    let report = parse(tampered.as_bytes(), &capture);
    assert_eq!(report.counts.destroy, 1);
    assert!(report.has_destroy);
    assert_eq!(
        report.result.as_deref(),
        Some("Plan: 1 to add, 1 to change, 1 to destroy.")
    );
    assert_eq!(report.notices.len(), 1, "{:?}", report.notices);
    assert!(
        report.notices[0].contains("0 to destroy"),
        "{:?}",
        report.notices
    );
}
