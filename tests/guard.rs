//! Protected resources end to end: the real binary on real Terraform 1.11 plans, in stdin
//! and wrapper mode, with the banner, the exit code, the label and `when:` checked.

mod common;

use std::path::{Path, PathBuf};

use common::fake_github::FakeGitHub;
use common::run::{Ran, Test, fixture};

const MIXED: &str = "1.11/plan_mixed.txt";
const MIXED_JSON: &str = "1.11/plan_mixed.json";
const APPLY_MIXED: &str = "1.11/apply_mixed.txt";

/// A scratch directory (no config file above it) and the step-summary file inside it.
fn scratch() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    (dir, summary)
}

/// `tfnotify <command>` on `input` from stdin, writing the Markdown message to `summary`.
fn piped(dir: &Path, summary: &Path, command: &str, input: &[u8], extra: &[&str]) -> Ran {
    Test::new()
        .dir(dir)
        .args([command, "--output"])
        .arg_path(summary)
        .args(extra.iter().copied())
        .stdin(input.to_vec())
        .run()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("the message was written")
}

trait ArgPath {
    fn arg_path(self, path: &Path) -> Self;
}

impl ArgPath for Test {
    fn arg_path(self, path: &Path) -> Self {
        self.args([path.as_os_str()])
    }
}

#[test]
fn a_text_plan_that_replaces_a_protected_module_opens_with_the_banner_and_exits_4() {
    let (dir, summary) = scratch();
    let ran = piped(
        dir.path(),
        &summary,
        "plan",
        &fixture(MIXED),
        &[
            "--protect",
            "module.db.*",
            "--fail-on-protected",
            "--color",
            "never",
        ],
    );
    assert_eq!(ran.code, Some(4), "{}", ran.stderr);
    assert!(ran.stdout == fixture(MIXED), "the pass-through is complete");
    assert!(
        ran.stderr.starts_with(
            "\n!! PROTECTED: 3 protected resources will be destroyed or replaced !!\n      module.db.terraform_data.replica[0]  (will be replaced)\n"
        ),
        "the stderr summary shows it first:\n{}",
        ran.stderr
    );
    assert!(
        ran.stderr.ends_with("tfnotify: error: the plan destroys or replaces protected resources (`module.db.terraform_data.replica[0]`, `module.db.terraform_data.replica[1]`, `module.db.terraform_data.schema_migration`); exiting with 4 because `guard.fail` (or `--fail-on-protected`) is set\n"),
        "{}",
        ran.stderr
    );
    let message = read(&summary);
    assert!(
        message.starts_with("> [!CAUTION]\n> **This plan destroys protected resources.**"),
        "the message is written before exiting 4, banner first:\n{message}"
    );
    // The head of the message, up to the resource lists, which the guard does not change.
    let head: Vec<&str> = message
        .lines()
        .take_while(|l| !l.starts_with("**Destroy**"))
        .collect();
    insta::assert_snapshot!("markdown_plan_with_protected_replacements", head.join("\n"));
}

#[test]
fn without_fail_a_protected_destroy_warns_and_keeps_the_exit_code() {
    let (dir, summary) = scratch();
    let ran = piped(
        dir.path(),
        &summary,
        "plan",
        &fixture(MIXED),
        &["--protect", "terraform_data.bastion", "--color", "never"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with("\n!! PROTECTED: 1 protected resource will be destroyed or replaced !!\n      terraform_data.bastion  (will be destroyed)\n"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("exiting with 4"));
    assert!(
        read(&summary).contains("> - `terraform_data.bastion` will be destroyed\n"),
        "{}",
        read(&summary)
    );
}

#[test]
fn a_json_plan_is_guarded_by_its_structure_with_literal_brackets_and_quotes() {
    let (dir, summary) = scratch();
    let json = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(MIXED_JSON);
    let ran = Test::new()
        .dir(dir.path())
        .args(["plan", "--fail-on-protected", "--output"])
        .arg_path(&summary)
        .args(["--plan-json"])
        .arg_path(&json)
        .args(["--protect", "module.network.terraform_data.subnet[\"c\"]"])
        .args(["--protect", "module.network.terraform_data.subnet[c]"])
        .stdin(Vec::new())
        .run();
    assert_eq!(ran.code, Some(4), "{}", ran.stderr);
    let message = read(&summary);
    let banner: Vec<&str> = message.lines().take_while(|l| l.starts_with('>')).collect();
    assert_eq!(
        banner,
        [
            "> [!CAUTION]",
            "> **This plan destroys protected resources.** Applying it removes them:",
            "> - `module.network.terraform_data.subnet[\"c\"]` will be destroyed",
        ],
        "only the exact address matches; `[c]` is literal and matches nothing"
    );
}

#[test]
fn a_plan_that_touches_no_protected_resource_is_unchanged() {
    let (dir, summary) = scratch();
    let plain = piped(
        dir.path(),
        &summary,
        "plan",
        &fixture(MIXED),
        &["--color", "never"],
    );
    let plain_message = read(&summary);
    std::fs::remove_file(&summary).expect("remove");
    // The protected module is only created, and its name appears in the text elsewhere.
    let guarded = piped(
        dir.path(),
        &summary,
        "plan",
        &fixture(MIXED),
        &[
            "--protect",
            "module.monitoring.*",
            "--protect",
            "*.nagios",
            "--fail-on-protected",
            "--color",
            "never",
        ],
    );
    assert_eq!(plain.code, Some(0));
    assert_eq!(guarded.code, Some(0), "{}", guarded.stderr);
    assert_eq!(guarded.stderr, plain.stderr);
    assert_eq!(read(&summary), plain_message);
    assert!(!plain_message.contains("protected"));
}

#[test]
fn wrapper_mode_turns_success_into_4_and_never_hides_a_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.txt");
    std::fs::write(&plan, fixture(MIXED)).expect("write");
    let wrapped = |exit: i32, extra: &[&str]| {
        let script = format!("cat '{}'; exit {exit}", plan.display());
        Test::new()
            .dir(dir.path())
            .args(["plan", "--quiet", "--protect", "module.db.*"])
            .args(extra.iter().copied())
            .args(["--", "sh", "-c", &script])
            .run()
    };
    for (child, fail, expected) in [
        (2, true, 4),
        (0, true, 4),
        (1, true, 1),
        (2, false, 2),
        (0, false, 0),
    ] {
        let extra: &[&str] = if fail { &["--fail-on-protected"] } else { &[] };
        let ran = wrapped(child, extra);
        assert_eq!(
            ran.code,
            Some(expected),
            "child {child}, fail {fail}: {}",
            ran.stderr
        );
        assert!(ran.stdout == fixture(MIXED));
    }
}

#[test]
fn an_apply_that_destroyed_a_protected_resource_gets_the_banner_and_keeps_its_code() {
    let (dir, summary) = scratch();
    let ran = piped(
        dir.path(),
        &summary,
        "apply",
        &fixture(APPLY_MIXED),
        &[
            "--protect",
            "module.db.*",
            "--protect",
            "terraform_data.bastion",
            "--fail-on-protected",
            "--color",
            "never",
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .starts_with("\n!! PROTECTED: 4 protected resources were destroyed or replaced !!\n"),
        "{}",
        ran.stderr
    );
    let message = read(&summary);
    assert!(
        message.starts_with("> [!CAUTION]\n> **This apply destroyed protected resources.**"),
        "{message}"
    );
    assert!(
        message.contains("> - `terraform_data.bastion` was destroyed\n"),
        "{message}"
    );
    assert!(
        message.contains("> - `module.db.terraform_data.replica[0]` was replaced\n"),
        "{message}"
    );
}

#[test]
fn an_empty_pattern_is_an_error_with_its_position() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tfnotify.yaml");
    std::fs::write(
        &config,
        "guard:\n  protect:\n    - module.db.*\n    - \"\"\n",
    )
    .expect("write");
    let ran = Test::new()
        .dir(dir.path())
        .args(["plan", "--quiet"])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify.yaml`:4:7: `guard.protect[1]` is not a usable pattern: a pattern cannot be empty"),
        "{}",
        ran.stderr
    );
    let flag = Test::new()
        .dir(dir.path())
        .args(["--config", "/dev/null", "plan", "--quiet", "--protect", ""])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(flag.code, Some(2), "{}", flag.stderr);
    assert!(
        flag.stderr
            .contains("tfnotify: error: invalid `--protect` value ``: a pattern cannot be empty"),
        "{}",
        flag.stderr
    );
}

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

fn github() -> FakeGitHub {
    FakeGitHub::with_pull(OWNER, REPO, PR, HEAD)
}

fn against_github(fake: &FakeGitHub, dir: &Path, input: &str, extra: &[&str]) -> Ran {
    Test::new()
        .dir(dir)
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
        .args(["--owner", OWNER, "--repo", REPO, "--var", "target:prod"])
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

#[test]
fn the_pull_request_gets_the_protected_destroy_label_until_the_plan_is_safe() {
    let fake = github();
    let dir = tempfile::tempdir().expect("tempdir");
    let ran = against_github(
        &fake,
        dir.path(),
        MIXED,
        &["--protect", "module.db.*", "--fail-on-protected"],
    );
    assert_eq!(ran.code, Some(4), "{}", ran.stderr);
    assert_eq!(
        fake.labels_on(OWNER, REPO, PR),
        vec!["prod/protected-destroy"]
    );
    let color = fake
        .repo_labels(OWNER, REPO)
        .into_iter()
        .find(|l| l.name == "prod/protected-destroy")
        .map(|l| l.color);
    assert_eq!(color.as_deref(), Some("e11d21"));
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1, "posted before exiting 4");
    assert!(
        comments[0]
            .body
            .starts_with("> [!CAUTION]\n> **This plan destroys protected resources.**"),
        "{}",
        comments[0].body
    );

    // The same plan without the protected module's replacement: the label goes back to destroy.
    let ran = against_github(
        &fake,
        dir.path(),
        MIXED,
        &["--protect", "module.monitoring.*"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.labels_on(OWNER, REPO, PR), vec!["prod/destroy"]);
    let body = &fake.comments(OWNER, REPO, PR)[0].body;
    assert!(!body.contains("protected"), "{body}");
    fake.assert_no_violations();
}

#[test]
fn a_notifier_can_post_only_when_a_protected_resource_is_destroyed() {
    let fake = github();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("tfnotify.yaml"),
        "notifiers:\n  - type: github\n    name: guardian\n    when: [protected_destroy]\n",
    )
    .expect("config");
    let safe = against_github(
        &fake,
        dir.path(),
        MIXED,
        &["--protect", "module.monitoring.*"],
    );
    assert_eq!(safe.code, Some(0), "{}", safe.stderr);
    assert!(
        safe.stderr.contains("skipped: the result is `changes`, and this destination posts only when: protected_destroy"),
        "{}",
        safe.stderr
    );
    assert!(fake.comments(OWNER, REPO, PR).is_empty());

    let risky = against_github(&fake, dir.path(), MIXED, &["--protect", "module.db.*"]);
    assert_eq!(risky.code, Some(0), "{}", risky.stderr);
    assert_eq!(fake.comments(OWNER, REPO, PR).len(), 1, "{}", risky.stderr);
    fake.assert_no_violations();
}
