//! A Terragrunt run of several modules against a faithful fake GitHub: each module keeps a
//! living comment and labels of its own, or, consolidated, the run has one comment with a
//! section per module. The exit code and the stderr summary stay the whole run's.

mod common;

use std::fmt::Write as _;

use common::fake_github::{Comment, FakeGitHub};
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

/// The modules of `terragrunt/plan_run_all.txt`, in the order they appear.
const MODULES: [&str; 3] = ["live/app", "live/db", "live/network"];

/// `tfnotify plan` for the pull request against the fake, with the run's target `prod`.
fn plan(fake: &FakeGitHub, input: Vec<u8>, extra: &[&str]) -> Ran {
    plan_in(Test::new(), fake, input, extra)
}

fn plan_in(test: Test, fake: &FakeGitHub, input: Vec<u8>, extra: &[&str]) -> Ran {
    test.env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
        .args(["--owner", OWNER, "--repo", REPO, "--var", "target:prod"])
        .args(["--pr", "7", "--sha", HEAD, "plan"])
        .args(extra.iter().copied())
        .stdin(input)
        .run()
}

/// Terragrunt's `run-all` output of the plain Terraform outputs `parts` (module, fixture),
/// one module after the other.
fn run_all(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from("10:00:00.000 INFO   Downloading Terraform configurations\n");
    for (dir, path) in parts {
        for line in String::from_utf8(fixture(path)).expect("utf-8").lines() {
            let _ = writeln!(text, "10:00:00.000 STDOUT [{dir}] terraform: {line}");
        }
    }
    text.into_bytes()
}

/// Whether `body` ends with the hidden marker of a plan of `target` (whose `Result` says
/// what that module's plan amounted to).
fn has_marker(body: &str, target: &str) -> bool {
    body.lines().last().is_some_and(|line| {
        line.starts_with(r#"<!-- github-comment: {"Command":"plan","PRNumber":7,"Program":"tfnotify","Result":{"#)
            && line.ends_with(&format!(
                r#""SHA1":"{HEAD}","Target":"{target}"}} -->"#
            ))
    })
}

/// The comment whose marker names `target`.
fn comment_of<'a>(comments: &'a [Comment], target: &str) -> &'a Comment {
    let found: Vec<&Comment> = comments
        .iter()
        .filter(|c| has_marker(&c.body, target))
        .collect();
    assert_eq!(found.len(), 1, "one comment of {target}");
    found[0]
}

#[test]
fn each_module_gets_its_own_living_comment_and_labels() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let first = plan(&fake, fixture("terragrunt/plan_run_all.txt"), &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    for dir in MODULES {
        assert!(
            first
                .stderr
                .contains(&format!("tfnotify: GitHub [prod/{dir}] comment created: ")),
            "{}",
            first.stderr
        );
    }
    // The summary on stderr is still the whole run's.
    assert!(
        first
            .stderr
            .contains("Plan: 13 to add, 0 to change, 4 to destroy."),
        "{}",
        first.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 3, "one comment per module");
    let db = comment_of(&comments, "prod/live/db");
    assert!(
        db.body
            .starts_with("## :warning: Plan destroys resources · `prod/live/db`"),
        "{}",
        db.body
    );
    assert!(
        !db.body.contains("terraform_data.bootstrap"),
        "only its own"
    );
    insta::assert_snapshot!("module_comment", db.body);
    let network = comment_of(&comments, "prod/live/network");
    assert!(network.body.starts_with("## :white_check_mark: No changes"));
    let mut labels = fake.labels_on(OWNER, REPO, PR);
    labels.sort();
    assert_eq!(
        labels,
        [
            "prod/live/app/add-or-update",
            "prod/live/db/destroy",
            "prod/live/network/no-changes"
        ]
    );
    fake.assert_no_violations();

    // The next run finds each module's comment by its marker and updates it in place.
    let ids: Vec<u64> = MODULES
        .iter()
        .map(|dir| comment_of(&comments, &format!("prod/{dir}")).id)
        .collect();
    let second = plan(
        &fake,
        run_all(&[
            ("live/app", "1.11/plan_no_changes.txt"),
            ("live/db", "1.11/plan_update_in_place.txt"),
            ("live/network", "1.11/plan_no_changes.txt"),
        ]),
        &[],
    );
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    for (dir, action) in [
        ("live/app", "updated"),
        ("live/db", "updated"),
        ("live/network", "unchanged"),
    ] {
        assert!(
            second
                .stderr
                .contains(&format!("tfnotify: GitHub [prod/{dir}] comment {action}")),
            "{dir}: {}",
            second.stderr
        );
    }
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 3, "no new comment");
    for (dir, id) in MODULES.iter().zip(ids) {
        assert_eq!(comment_of(&comments, &format!("prod/{dir}")).id, id);
    }
    assert!(
        comment_of(&comments, "prod/live/app")
            .body
            .starts_with("## :white_check_mark: No changes · `prod/live/app`")
    );
    let mut labels = fake.labels_on(OWNER, REPO, PR);
    labels.sort();
    assert_eq!(
        labels,
        [
            "prod/live/app/no-changes",
            "prod/live/db/add-or-update",
            "prod/live/network/no-changes"
        ]
    );
    fake.assert_no_violations();
}

#[test]
fn each_module_is_checked_for_protected_resources_on_its_own() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let ran = plan(
        &fake,
        fixture("terragrunt/plan_run_all.txt"),
        &[
            "--protect",
            "terraform_data.obsolete",
            "--fail-on-protected",
        ],
    );
    assert_eq!(ran.code, Some(4), "the whole run decides: {}", ran.stderr);
    let comments = fake.comments(OWNER, REPO, PR);
    let db = comment_of(&comments, "prod/live/db");
    assert!(
        db.body
            .contains("> - `terraform_data.obsolete` will be destroyed"),
        "{}",
        db.body
    );
    let app = comment_of(&comments, "prod/live/app");
    assert!(!app.body.contains("protected"), "{}", app.body);
}

#[test]
fn the_exit_code_is_the_whole_runs_and_each_module_reports_its_own_outcome() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let ran = plan(&fake, fixture("terragrunt/plan_run_all_error.txt"), &[]);
    assert_eq!(ran.code, Some(1), "one module failed: {}", ran.stderr);
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 2);
    assert!(
        comment_of(&comments, "prod/live/db")
            .body
            .starts_with("## :x: Plan failed · `prod/live/db`")
    );
    assert!(
        comment_of(&comments, "prod/live/app")
            .body
            .starts_with("## :memo: Plan · `prod/live/app`")
    );
}

#[test]
fn consolidated_gives_one_comment_with_a_section_per_module() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let ran = plan(
        &fake,
        fixture("terragrunt/plan_run_all.txt"),
        &["--consolidated"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify: GitHub comment created: "),
        "{}",
        ran.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    let body = &comment_of(&comments, "prod").body;
    for heading in [
        "### :memo: `live/app`",
        "### :warning: `live/db`",
        "### :white_check_mark: `live/network`",
    ] {
        assert!(body.contains(heading), "{heading}\n{body}");
    }
    insta::assert_snapshot!("consolidated_comment", body);
    assert_eq!(fake.labels_on(OWNER, REPO, PR), ["prod/destroy"]);
    fake.assert_no_violations();
}

#[test]
fn the_config_can_consolidate_every_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = "terraform:\n  consolidated: true\n";
    std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("config");
    let checked = Test::new().dir(dir.path()).args(["config", "check"]).run();
    assert_eq!(checked.code, Some(0), "{}", checked.stderr);
    assert!(!checked.stderr.contains("warning"), "{}", checked.stderr);
    let schema = Test::new().args(["config", "schema"]).run();
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).expect("json");
    let key = &schema["properties"]["terraform"]["properties"]["consolidated"];
    assert_eq!(key["type"], serde_json::json!(["boolean", "null"]), "{key}");
    assert!(
        key["description"]
            .as_str()
            .is_some_and(|d| d.contains("one message")),
        "{key}"
    );

    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let ran = plan_in(
        Test::new().dir(dir.path()),
        &fake,
        fixture("terragrunt/plan_run_all.txt"),
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.comments(OWNER, REPO, PR).len(), 1);
}

#[test]
fn a_run_of_one_module_keeps_the_runs_own_target() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let ran = plan(&fake, fixture("terragrunt/plan_single_module.txt"), &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    comment_of(&comments, "prod");
}
