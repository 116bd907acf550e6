//! GitHub Actions' step summary: the real binary in a GitHub Actions environment built
//! here (never the machine's own), writing to the file `GITHUB_STEP_SUMMARY` names without
//! any flag, and leaving it alone when told to or when the run is not on GitHub Actions.

mod common;

use std::path::{Path, PathBuf};

use common::fake_github::FakeGitHub;
use common::run::{Ran, Test, fixture};

const PLAN: &str = "1.11/plan_mixed.txt";
const HEADLINE: &str = "## :warning: Plan destroys resources";
const COUNTS: &str = "**12** to add · **5** to change · **7** to destroy · **1** to import";
const HEAD: &str = "1111111111111111111111111111111111111111";

/// A job of a GitHub Actions workflow run for `event`: on a pull request (`pull_request`)
/// the ref names pull request 7, otherwise the main branch.
fn actions(test: Test, event: &str, summary: &Path) -> Test {
    let git_ref = if event == "pull_request" {
        "refs/pull/7/merge"
    } else {
        "refs/heads/main"
    };
    test.env("CI", "true")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_REF", git_ref)
        .env("GITHUB_SHA", HEAD)
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_STEP_SUMMARY", summary.as_os_str())
}

/// `tfnotify plan --quiet` on the mixed plan, with `extra` flags.
fn plan(test: Test, extra: &[&str]) -> Ran {
    test.args(["plan", "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(PLAN))
        .run()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn summary_file(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("step_summary.md")
}

#[test]
fn a_pull_request_run_without_a_token_writes_the_step_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = summary_file(&dir);
    // The runner's file may already hold what earlier steps wrote.
    std::fs::write(&summary, "earlier step\n").expect("earlier");
    let ran = plan(actions(Test::new(), "pull_request", &summary), &[]);
    let elsewhere = plan(Test::new(), &[]);
    assert_eq!(ran.code, elsewhere.code, "{}", ran.stderr);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        ran.stdout,
        fixture(PLAN),
        "Terraform's output passes unchanged"
    );
    let markdown = read(&summary);
    let message = markdown
        .strip_prefix("earlier step\n")
        .expect("appended after the earlier step's text");
    assert!(message.starts_with(HEADLINE), "{markdown}");
    assert!(message.contains(COUNTS), "{markdown}");
    assert!(message.ends_with("\n\n"), "apart from the next step's text");
    assert_eq!(markdown.matches(HEADLINE).count(), 1, "{markdown}");
}

#[test]
fn push_and_schedule_runs_without_a_pull_request_write_it_too() {
    for (event, command, input, headline) in [
        ("push", "plan", PLAN, HEADLINE),
        ("schedule", "plan", PLAN, HEADLINE),
        ("push", "apply", "1.11/apply_mixed.txt", "## "),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let summary = summary_file(&dir);
        let ran = actions(Test::new(), event, &summary)
            .args([command, "--quiet"])
            .stdin(fixture(input))
            .run();
        assert_eq!(ran.stdout, fixture(input), "{event} {command}");
        let markdown = read(&summary);
        assert!(
            markdown.starts_with(headline),
            "{event} {command}: {markdown}"
        );
    }
}

#[test]
fn the_config_the_flag_and_the_environment_each_turn_it_off() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("tfnotify.yaml"), "step_summary: false\n").expect("config");
    let summary = summary_file(&dir);
    let by_config = plan(
        actions(Test::new(), "pull_request", &summary).dir(dir.path()),
        &[],
    );
    assert_eq!(by_config.code, Some(0), "{}", by_config.stderr);
    assert!(!summary.exists(), "`step_summary: false` writes nothing");
    assert_eq!(by_config.stderr, "", "a known key, read without a warning");

    let other = tempfile::tempdir().expect("tempdir");
    let by_flag = plan(
        actions(Test::new(), "pull_request", &summary).dir(other.path()),
        &["--no-step-summary"],
    );
    assert_eq!(by_flag.code, Some(0), "{}", by_flag.stderr);
    assert!(!summary.exists(), "`--no-step-summary` writes nothing");

    let by_env = plan(
        actions(Test::new(), "pull_request", &summary)
            .dir(other.path())
            .env("TFNOTIFY_STEP_SUMMARY", "false"),
        &[],
    );
    assert_eq!(by_env.code, Some(0), "{}", by_env.stderr);
    assert!(
        !summary.exists(),
        "`TFNOTIFY_STEP_SUMMARY=false` writes nothing"
    );
    assert_eq!(by_env.stderr, "", "nothing to say about it");
}

#[test]
fn output_naming_the_step_summary_writes_it_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = summary_file(&dir);
    // The runner's absolute path against a relative `--output` of the same file.
    let ran = plan(
        actions(Test::new(), "pull_request", &summary).dir(dir.path()),
        &["--output", "./step_summary.md"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let markdown = read(&summary);
    assert_eq!(markdown.matches(HEADLINE).count(), 1, "{markdown}");

    // Another `--output` file gets the message as well as the step summary.
    let other = dir.path().join("other.md");
    std::fs::remove_file(&summary).expect("remove");
    let ran = plan(
        actions(Test::new(), "pull_request", &summary),
        &["--output", other.to_str().expect("utf-8")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(read(&summary).matches(HEADLINE).count(), 1);
    assert_eq!(read(&other).matches(HEADLINE).count(), 1);
}

#[test]
fn masked_values_and_the_token_never_reach_the_step_summary() {
    let fake = FakeGitHub::with_pull("acme", "infra", 7, HEAD);
    let secret = "hunter2-db-password";
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {secret} and {}\n", fake.token());
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = summary_file(&dir);
    let ran = actions(Test::new(), "pull_request", &summary)
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
        .env("DB_PASSWORD", secret)
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
        .args(["plan", "--quiet"])
        .stdin(input)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let markdown = read(&summary);
    assert!(markdown.contains("note *** and ***"), "{markdown}");
    assert!(!markdown.contains(secret), "{markdown}");
    assert!(!markdown.contains(fake.token()), "{markdown}");
    assert_eq!(fake.comments("acme", "infra", 7).len(), 1, "posted as well");
}

#[test]
fn an_unwritable_step_summary_is_one_warning_and_the_same_exit_code() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("missing/step_summary.md");
    let ran = plan(actions(Test::new(), "pull_request", &missing), &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, fixture(PLAN));
    let lines: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", ran.stderr);
    assert!(
        lines[0].starts_with(&format!(
            "tfnotify: warning: the step summary was not written to `{}` (GITHUB_STEP_SUMMARY): ",
            missing.display()
        )),
        "{}",
        ran.stderr
    );
    assert!(
        lines[0].ends_with("; check that the file can be written, or turn it off with `--no-step-summary` or `step_summary: false`"),
        "{}",
        ran.stderr
    );

    // An explicit `--output` there is still the delivery failure it always was.
    let explicit = plan(
        actions(Test::new(), "pull_request", &missing),
        &["--output", missing.to_str().expect("utf-8")],
    );
    assert_eq!(explicit.code, Some(3), "{}", explicit.stderr);
    assert!(
        explicit.stderr.contains("tfnotify: error: "),
        "{}",
        explicit.stderr
    );
}

#[test]
fn outside_github_actions_a_stray_variable_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = summary_file(&dir);
    let ran = plan(
        Test::new()
            .env("CI", "true")
            .env("GITLAB_CI", "true")
            .env("CI_PROJECT_PATH", "acme/infra")
            .env("CI_COMMIT_SHA", HEAD)
            .env("GITHUB_STEP_SUMMARY", summary.as_os_str()),
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!summary.exists(), "GitLab CI shows no GitHub step summary");

    let local = plan(
        Test::new().env("GITHUB_STEP_SUMMARY", summary.as_os_str()),
        &[],
    );
    assert_eq!(local.code, Some(0), "{}", local.stderr);
    assert!(!summary.exists(), "nor does a terminal");
}

#[test]
fn the_summary_command_writes_it_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let report = dir.path().join("prod.json");
    Test::new()
        .args(["--var", "target:prod", "plan", "--quiet", "--report-file"])
        .args([report.as_os_str()])
        .stdin(fixture(PLAN))
        .run();
    let summary = summary_file(&dir);
    let ran = actions(Test::new(), "pull_request", &summary)
        .args(["summary", "--quiet", "--from"])
        .args([report.as_os_str()])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let markdown = read(&summary);
    assert!(markdown.starts_with("## Terraform summary"), "{markdown}");
    assert!(markdown.contains("`prod`"), "{markdown}");

    std::fs::remove_file(&summary).expect("remove");
    let ran = actions(Test::new(), "pull_request", &summary)
        .args(["summary", "--quiet", "--no-step-summary", "--from"])
        .args([report.as_os_str()])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!summary.exists());
}

#[test]
fn the_classic_destroy_warning_follows_the_message() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("tfnotify.yaml"),
        "terraform:\n  plan:\n    when_destroy:\n      template: \"{{ .Title }}: check the destroys\"\n",
    )
    .expect("config");
    let summary = summary_file(&dir);
    let ran = plan(actions(Test::new(), "push", &summary).dir(dir.path()), &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let markdown = read(&summary);
    assert!(markdown.starts_with(HEADLINE), "{markdown}");
    assert!(
        markdown.ends_with("\n\n## WARNING: Resource Deletion will happen: check the destroys\n\n"),
        "{markdown}"
    );
}
