//! The real binary against the fake GitHub's Checks API: one check run per target and
//! command on the head commit, its conclusion per outcome, updated in place on a re-run.

mod common;

use common::fake_github::{CheckRun, FakeGitHub};
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "2222222222222222222222222222222222222222";
const NAME: &str = "tfnotify / prod plan";

fn github() -> FakeGitHub {
    FakeGitHub::with_pull(OWNER, REPO, PR, HEAD)
}

/// The environment of a job whose GitHub is the fake; `base` is its REST URL.
fn job(fake: &FakeGitHub, base: &str) -> Test {
    Test::new()
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", base)
        .args(["--owner", OWNER, "--repo", REPO])
}

/// `tfnotify plan` (or `command`) of `input` for the commit `HEAD`, posting only the check.
fn check(fake: &FakeGitHub, command: &str, input: &str, extra: &[&str]) -> Ran {
    job(fake, &fake.url())
        .args([
            "--var",
            "target:prod",
            "--sha",
            HEAD,
            "--notifier",
            "github-check",
        ])
        .args([command, "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

fn only_run(fake: &FakeGitHub) -> CheckRun {
    let runs = fake.check_runs(OWNER, REPO);
    assert_eq!(runs.len(), 1, "{runs:#?}");
    runs.into_iter().next().expect("one")
}

#[test]
fn the_first_run_creates_the_check_and_a_re_run_updates_it() {
    let fake = github();
    let first = check(&fake, "plan", "1.11/plan_create_only.txt", &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let created = only_run(&fake);
    assert_eq!(
        first.stderr,
        format!(
            "tfnotify: GitHub check run created (success): https://github.com/acme/infra/runs/{}\n",
            created.id
        )
    );
    assert_eq!(created.name, NAME);
    assert_eq!(created.head_sha, HEAD);
    assert_eq!(created.status, "completed");
    assert_eq!(created.external_id.as_deref(), Some("tfnotify"));
    assert_eq!(
        created.title.as_deref(),
        Some("Plan: 13 to add, 0 to change, 0 to destroy")
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"tfnotify/\d+\.\d+\.\d+", "tfnotify/[VERSION]");
    settings.bind(|| insta::assert_json_snapshot!("check_run_created", fake.requests_json()));

    fake.clear_log();
    let again = check(&fake, "plan", "1.11/plan_destroy.txt", &[]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    let updated = only_run(&fake);
    assert_eq!(updated.id, created.id, "the same check run");
    assert_eq!(updated.conclusion.as_deref(), Some("neutral"));
    assert!(
        again.stderr.contains("GitHub check run updated (neutral)"),
        "{}",
        again.stderr
    );
    assert_eq!(
        fake.request_lines(),
        vec![
            format!(
                "GET /repos/acme/infra/commits/{HEAD}/check-runs?check_name=tfnotify%20%2F%20prod%20plan&filter=latest&per_page=100"
            ),
            format!("PATCH /repos/acme/infra/check-runs/{}", created.id),
        ]
    );
    assert!(
        fake.comments(OWNER, REPO, PR).is_empty(),
        "`--notifier github-check` posts no comment"
    );
    fake.assert_no_violations();
}

#[test]
fn each_outcome_has_its_conclusion() {
    #[track_caller]
    fn case(input: &str, extra: &[&str], code: i32, conclusion: &str, title: &str) {
        let fake = github();
        let ran = check(&fake, "plan", input, extra);
        assert_eq!(ran.code, Some(code), "{input}: {}", ran.stderr);
        let run = only_run(&fake);
        assert_eq!(run.conclusion.as_deref(), Some(conclusion), "{input}");
        assert_eq!(run.title.as_deref(), Some(title), "{input}");
        fake.assert_no_violations();
    }
    case("1.11/plan_no_changes.txt", &[], 0, "success", "No changes");
    case(
        "1.11/plan_destroy.txt",
        &[],
        0,
        "neutral",
        "Plan: 0 to add, 0 to change, 3 to destroy",
    );
    case(
        "1.11/plan_syntax_error.txt",
        &[],
        1,
        "failure",
        "Plan failed: 1 error",
    );
    case(
        "1.11/plan_mixed.txt",
        &["--protect", "module.db.*"],
        0,
        "neutral",
        "Plan: 1 to import, 12 to add, 5 to change, 7 to destroy, 1 to forget (destroys protected resources)",
    );
    case(
        "1.11/plan_mixed.txt",
        &["--protect", "module.db.*", "--fail-on-protected"],
        4,
        "failure",
        "Plan: 1 to import, 12 to add, 5 to change, 7 to destroy, 1 to forget (destroys protected resources)",
    );
}

#[test]
fn an_apply_gets_its_own_check_and_a_failed_one_fails() {
    let fake = github();
    let ran = check(&fake, "apply", "1.11/apply_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let failed = check(&fake, "apply", "1.11/apply_provisioner_error.txt", &[]);
    assert_eq!(failed.code, Some(1), "{}", failed.stderr);
    let runs = fake.check_runs(OWNER, REPO);
    assert_eq!(runs.len(), 1, "the failed apply updated the apply's check");
    assert_eq!(runs[0].name, "tfnotify / prod apply");
    assert_eq!(runs[0].conclusion.as_deref(), Some("failure"));
    assert_eq!(runs[0].title.as_deref(), Some("Apply failed: 1 error"));
    fake.assert_no_violations();
}

#[test]
fn the_config_chooses_conclusions_and_without_a_target_the_name_is_the_command() {
    let fake = github();
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("tfnotify.yaml"),
        "notifiers:\n  - type: github-check\n    conclusion_destroy: success\n    conclusion_clean: neutral\n",
    )
    .expect("config");
    let ran = job(&fake, &fake.url())
        .dir(dir.path())
        .args(["--sha", HEAD, "plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let run = only_run(&fake);
    assert_eq!(run.name, "tfnotify / plan");
    assert_eq!(run.conclusion.as_deref(), Some("success"));
    assert!(
        fake.comments(OWNER, REPO, PR).is_empty(),
        "the list decides"
    );
    fake.assert_no_violations();
}

#[test]
fn a_conclusion_that_is_no_conclusion_is_refused_before_anything_is_sent() {
    let fake = github();
    let ran = check(&fake, "plan", "1.11/plan_destroy.txt", &[]);
    assert_eq!(ran.code, Some(0));
    fake.clear_log();
    let ran = job(&fake, &fake.url())
        .env("TFNOTIFY_CHECK_CONCLUSION_DESTROY", "green")
        .args([
            "--sha",
            HEAD,
            "--notifier",
            "github-check",
            "plan",
            "--quiet",
        ])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("GitHub: `conclusion_destroy` (`TFNOTIFY_CHECK_CONCLUSION_DESTROY`) is `green`, which is no check-run conclusion"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("use one of success, neutral, failure, skipped, action_required"),
        "{}",
        ran.stderr
    );
    assert!(fake.request_lines().is_empty());
}

#[test]
fn a_check_of_another_app_with_the_same_name_is_left_alone() {
    let fake = github();
    let theirs = fake.add_check_run(OWNER, REPO, HEAD, NAME, "other-ci", None);
    let ran = check(&fake, "plan", "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let runs = fake.check_runs(OWNER, REPO);
    assert_eq!(runs.len(), 2, "ours is added beside theirs");
    assert_eq!(runs[0], theirs, "theirs is untouched");
    assert_eq!(runs[1].external_id.as_deref(), Some("tfnotify"));
    fake.assert_no_violations();
}

#[test]
fn without_a_commit_the_check_goes_on_the_pull_request_s_head() {
    let fake = github();
    let ran = job(&fake, &fake.url())
        .args(["--pr", "7", "--notifier", "github-check", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(only_run(&fake).head_sha, HEAD);
    fake.assert_no_violations();
}

#[test]
fn github_enterprise_is_reached_under_api_v3() {
    let fake = github();
    let base = format!("{}/api/v3", fake.url());
    let ran = job(&fake, &base)
        .args([
            "--sha",
            HEAD,
            "--notifier",
            "github-check",
            "plan",
            "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        fake.request_lines()
            .iter()
            .all(|line| line.contains(" /api/v3/repos/acme/infra/")),
        "{:?}",
        fake.request_lines()
    );
    assert_eq!(only_run(&fake).name, "tfnotify / plan");
    fake.assert_no_violations();
}

#[test]
fn a_token_without_checks_write_gets_the_permission_hint() {
    let fake = github();
    fake.fail_next(
        "POST",
        "/repos/acme/infra/check-runs",
        403,
        &[],
        r#"{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/checks/runs#create-a-check-run","status":"403"}"#,
        1,
    );
    let ran = check(&fake, "plan", "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_create_only.txt"),
        "the pass-through is whole"
    );
    assert!(
        ran.stderr
            .contains("failed with status 403: Resource not accessible by integration"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("the token needs `checks: write` (permissions: checks: write in the workflow); GitHub lets only GitHub Apps (an Actions job's `GITHUB_TOKEN` included) write check runs, not personal access tokens"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(fake.token()));
}

#[test]
fn a_personal_access_token_is_refused_and_told_why() {
    let fake = github();
    let personal = "ghp_PersonalTokenOfSomeone0123456789abcd";
    fake.add_personal_token(personal, "someone");
    let ran = Test::new()
        .env("GITHUB_TOKEN", personal)
        .env("GITHUB_API_URL", fake.url())
        .args(["--owner", OWNER, "--repo", REPO, "--sha", HEAD])
        .args(["--notifier", "github-check", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("You must authenticate via a GitHub App."),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("not personal access tokens"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(personal));
    assert!(fake.check_runs(OWNER, REPO).is_empty());
}

#[test]
fn a_commit_github_does_not_know_gets_its_422_message() {
    let fake = github();
    let ran = job(&fake, &fake.url())
        .args([
            "--sha",
            "not-a-commit",
            "--notifier",
            "github-check",
            "plan",
            "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("failed with status 422: No commit found for SHA: not-a-commit"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_50000_resource_plan_is_cut_to_the_summary_limit_with_a_note() {
    let fake = github();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = job(&fake, &fake.url())
        .args([
            "--sha",
            HEAD,
            "--notifier",
            "github-check",
            "plan",
            "--quiet",
        ])
        .stdin(text)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let run = only_run(&fake);
    let summary = run.summary.expect("a summary");
    assert!(summary.len() <= 65_535, "{} bytes", summary.len());
    assert!(
        summary.contains(
            "This message was shortened to fit the destination's limit of 65535 characters"
        )
    );
    assert_eq!(
        run.title.as_deref(),
        Some("Plan: 35000 to add, 10000 to change, 10000 to destroy")
    );
    fake.assert_no_violations();
}

#[test]
fn a_masked_value_never_reaches_the_check() {
    const SECRET: &str = r#"Pa"ss\w0rd&<db>${env}"#;
    let fake = github();
    let ran = job(&fake, &fake.url())
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
        .env("DB_PASSWORD", SECRET)
        .args([
            "--sha",
            HEAD,
            "--notifier",
            "github-check",
            "plan",
            "--quiet",
        ])
        .stdin(fixture("1.11/plan_precondition_secret.txt"))
        .run();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    let run = only_run(&fake);
    let summary = run.summary.expect("a summary");
    assert!(summary.contains("***"), "{summary}");
    for request in fake.requests() {
        let body = request.body.clone().unwrap_or_default();
        for form in [SECRET, "w0rd", r#"Pa\"ss\\w0rd"#] {
            assert!(!body.contains(form), "{}: {body}", request.line());
        }
    }
    fake.assert_no_violations();
}

/// A GitHub Actions job of `event` whose payload is `payload`, checking the plan.
fn actions_job(fake: &FakeGitHub, event: &str, payload: &str) -> Ran {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("event.json");
    std::fs::write(&path, payload).expect("event");
    Test::new()
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", path.as_os_str())
        .env("GITHUB_SHA", "3333333333333333333333333333333333333333")
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_RUN_ID", "42")
        .args(["--notifier", "github-check", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run()
}

#[test]
fn on_a_pull_request_event_the_check_goes_on_its_head_not_the_merge_commit() {
    let fake = github();
    let payload = format!(r#"{{"pull_request": {{"number": 7, "head": {{"sha": "{HEAD}"}}}}}}"#);
    let ran = actions_job(&fake, "pull_request", &payload);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let run = only_run(&fake);
    assert_eq!(run.head_sha, HEAD);
    assert_eq!(
        run.details_url.as_deref(),
        Some("https://github.com/acme/infra/actions/runs/42")
    );
    fake.assert_no_violations();
}

#[test]
fn on_an_issue_comment_event_the_check_goes_on_the_pull_request_s_head() {
    let fake = github();
    let payload = r#"{"issue": {"number": 7, "pull_request": {"url": "x"}}}"#;
    let ran = actions_job(&fake, "issue_comment", payload);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        only_run(&fake).head_sha,
        HEAD,
        "not GITHUB_SHA, the default branch"
    );
    assert_eq!(fake.request_lines()[0], "GET /repos/acme/infra/pulls/7");
    fake.assert_no_violations();
}

#[test]
fn each_terragrunt_module_gets_its_own_check_and_only_the_protected_one_fails() {
    let fake = github();
    let ran = job(&fake, &fake.url())
        .args([
            "--var",
            "target:prod",
            "--sha",
            HEAD,
            "--notifier",
            "github-check",
        ])
        .args([
            "plan",
            "--quiet",
            "--protect",
            "terraform_data.obsolete",
            "--fail-on-protected",
        ])
        .stdin(fixture("terragrunt/plan_run_all.txt"))
        .run();
    assert_eq!(ran.code, Some(4), "{}", ran.stderr);
    let checks: Vec<(String, Option<String>)> = fake
        .check_runs(OWNER, REPO)
        .into_iter()
        .map(|run| (run.name, run.conclusion))
        .collect();
    let expected = [
        ("tfnotify / prod/live/app plan", "success"),
        ("tfnotify / prod/live/db plan", "failure"),
        ("tfnotify / prod/live/network plan", "success"),
    ];
    let expected: Vec<(String, Option<String>)> = expected
        .iter()
        .map(|(name, conclusion)| ((*name).to_owned(), Some((*conclusion).to_owned())))
        .collect();
    assert_eq!(checks, expected);
    fake.assert_no_violations();
}
