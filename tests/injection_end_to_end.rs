//! The real binary on real runs whose messages and outputs imitate Terraform's lines: what
//! reaches GitHub (labels, heading), Slack (the colour bar), a webhook (the envelope) and
//! the exit code is what the same run with harmless text gets.

mod common;

use common::fake_github::FakeGitHub;
use common::fake_slack::FakeSlack;
use common::fake_webhooks::FakeWebhooks;
use common::run::{Test, fixture};
use serde_json::Value;

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

/// Each capture that imitates Terraform's lines, beside its harmless twin.
const TWINS: &[(&str, &str, &str)] = &[
    ("plan", "plan_injected_error", "plan_injected_benign"),
    ("plan", "plan_injected_summary", "plan_injected_benign"),
    ("plan", "plan_injected_everything", "plan_injected_benign"),
    (
        "plan",
        "plan_injected_no_changes",
        "plan_injected_no_changes_benign",
    ),
    (
        "plan",
        "plan_injected_failure",
        "plan_injected_failure_benign",
    ),
    ("apply", "apply_injected_output", "apply_injected_benign"),
    ("apply", "apply_injected_heredoc", "apply_injected_benign"),
    (
        "apply",
        "apply_injected_everything",
        "apply_injected_benign",
    ),
];

/// What a run left behind at every destination that shows a fact.
#[derive(Debug, PartialEq)]
struct Seen {
    exit_code: Option<i32>,
    labels: Vec<String>,
    heading: String,
    colour: Option<String>,
    outcome: Value,
    counts: Value,
    has_destroy: Value,
    failed: bool,
}

fn run(command: &str, name: &str, kind: &str) -> Seen {
    let github = FakeGitHub::start();
    github.add_pull(OWNER, REPO, PR, HEAD);
    let slack = FakeSlack::start();
    let hooks = FakeWebhooks::start();
    let input = fixture(&format!("1.11/{name}.{kind}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = format!(
        "notifiers:\n  - type: github\n    base_url: {}\n    graphql_url: {}\n  - type: slack\n    webhook_url: {}\n  - type: webhook\n    webhook_url: {}\n",
        github.url(),
        github.graphql_url(),
        slack.webhook_url(),
        hooks.webhook_url()
    );
    std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("config");
    let ran = Test::new()
        .dir(dir.path())
        .env("GITHUB_TOKEN", github.token())
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
        .args(["--var", "target:prod", command, "--quiet"])
        .stdin(input.clone())
        .run();
    assert!(
        ran.stdout == input,
        "{name}.{kind} passed through: {}",
        ran.stderr
    );
    github.assert_no_violations();
    slack.assert_no_violations();
    let comments = github.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1, "{name}.{kind}: {}", ran.stderr);
    let slack_messages = slack.messages();
    let envelope = hooks.messages().pop().expect("an envelope");
    let mut labels = github.labels_on(OWNER, REPO, PR);
    labels.sort();
    Seen {
        exit_code: ran.code,
        labels,
        heading: comments[0]
            .body
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned(),
        colour: slack_messages
            .first()
            .and_then(|m| m["attachments"][0]["color"].as_str())
            .map(str::to_owned),
        outcome: envelope["outcome"].clone(),
        counts: envelope["report"]["counts"].clone(),
        has_destroy: envelope["report"]["has_destroy"].clone(),
        failed: envelope["report"]["errors"]
            .as_array()
            .is_some_and(|e| !e.is_empty()),
    }
}

#[test]
fn every_destination_gets_the_facts_of_the_harmless_twin() {
    for (command, injected, benign) in TWINS {
        for kind in ["txt", "color.txt"] {
            let expected = run(command, benign, kind);
            assert!(
                (*command == "apply" || !expected.labels.is_empty()) && expected.colour.is_some(),
                "{benign}.{kind}: {expected:?}"
            );
            let seen = run(command, injected, kind);
            assert_eq!(seen, expected, "{injected}.{kind} against {benign}.{kind}");
        }
    }
}

#[test]
fn a_destroying_plan_with_an_imitated_error_keeps_its_destroy_label() {
    let seen = run("plan", "plan_injected_error", "txt");
    assert_eq!(seen.exit_code, Some(0));
    assert!(
        seen.labels.iter().any(|l| l == "prod/destroy"),
        "{:?}",
        seen.labels
    );
    assert!(!seen.labels.iter().any(|l| l.contains("error")));
    assert!(seen.heading.contains("destroy"), "{}", seen.heading);
}

/// `tfnotify COMMAND -- sh -c 'cat FILE; exit CODE'`: a wrapped program with a known code.
fn wrapped(command: &str, file: &str, code: i32) -> (Option<i32>, Value) {
    let hooks = FakeWebhooks::start();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform/1.11")
        .join(file);
    let script = format!("cat '{}'; exit {code}", path.display());
    let ran = Test::new()
        .env("TFNOTIFY_WEBHOOK_URL", hooks.webhook_url())
        .args([command, "--quiet", "--", "sh", "-c"])
        .args([script])
        .run();
    let envelope = hooks.messages().pop().expect("an envelope");
    (ran.code, envelope)
}

#[test]
fn a_plan_that_exited_2_is_never_reported_failed() {
    // A message built to make the plan read as failed, with nothing to say so in the text
    // but the exit code: Terraform's -detailed-exitcode 2 means changes.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = String::from_utf8(fixture("1.11/plan_injected_benign.txt")).expect("UTF-8");
    let forged = text.replace(
        "The replica count is below the recommended minimum.",
        "Planning failed. Terraform encountered an error while generating this plan.\n\nError: Invalid provider configuration",
    );
    let file = dir.path().join("plan.txt");
    std::fs::write(&file, forged).expect("write");
    let hooks = FakeWebhooks::start();
    let script = format!("cat '{}'; exit 2", file.display());
    let ran = Test::new()
        .env("TFNOTIFY_WEBHOOK_URL", hooks.webhook_url())
        .args(["plan", "--quiet", "--", "sh", "-c"])
        .args([script])
        .run();
    assert_eq!(ran.code, Some(2), "the program's code is kept");
    let envelope = hooks.messages().pop().expect("an envelope");
    assert_eq!(envelope["outcome"], "changes", "{envelope}");
    assert_eq!(envelope["report"]["counts"]["destroy"], 1);
}

#[test]
fn a_failing_exit_code_makes_a_failure_whatever_the_text_says() {
    let (code, envelope) = wrapped("apply", "apply_injected_benign.txt", 1);
    assert_eq!(code, Some(1));
    assert_eq!(envelope["outcome"], "apply_failed", "{envelope}");
    let notices = envelope["report"]["notices"].to_string();
    assert!(notices.contains("exited with code 1"), "{notices}");
}

#[test]
fn agreeing_exit_codes_leave_the_report_as_it_reads() {
    let (code, envelope) = wrapped("plan", "plan_injected_error.txt", 2);
    assert_eq!(code, Some(2));
    assert_eq!(envelope["outcome"], "changes");
    assert!(envelope["report"].get("notices").is_none(), "{envelope}");
}
