//! Protected resources on GitLab and Gitea, end to end: the real binary on real Terraform
//! 1.11 plans, with the guard set in `tfnotify.yaml`, against the fake forges. What each
//! forge's API receives is checked: the protected-destroy label in place of `destroy`,
//! created in its configured colour, the banner at the top of the message, exit 4 only
//! after the message is posted, and no trace of the guard on a plan that touches nothing
//! protected.

mod common;

use std::path::Path;

use common::fake_gitea::{self, FakeGitea};
use common::fake_gitlab::FakeGitLab;
use common::run::{Ran, Test, fixture};
use serde_json::{Value, json};

/// Replaces three of `module.db`'s resources, among other changes.
const MIXED: &str = "1.11/plan_mixed.txt";
/// Destroys three resources, none of them in `module.db`.
const SAFE_DESTROY: &str = "1.11/plan_destroy.txt";

const HEAD: &str = "1111111111111111111111111111111111111111";
const NUMBER: u64 = 7;

/// What the note or comment of a plan that replaces `module.db` opens with.
const BANNER: &str = "> [!CAUTION]\n> **This plan destroys protected resources.** Applying it removes them:\n> - `module.db.terraform_data.replica[0]` will be replaced\n";

/// A guard over `module.db.*` whose label is coloured `5319e7`, plus `extra` keys of `guard:`.
fn guard_config(extra: &str) -> String {
    format!("guard:\n  protect:\n    - \"module.db.*\"\n  label_color: \"5319e7\"\n{extra}")
}

/// A scratch directory holding `config` as its `tfnotify.yaml` (none when empty).
fn job_dir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    if !config.is_empty() {
        std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("config");
    }
    dir
}

/// `tfnotify plan` for target `prod` on pull or merge request 7 at `HEAD`, from `dir`.
fn plan(forge: Test, dir: &Path, input: &str, extra: &[&str]) -> Ran {
    forge
        .dir(dir)
        .args(["--var", "target:prod", "--pr", "7", "--sha", HEAD])
        .args(["plan", "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

/// Asserts the run failed with 4 because of the guard, after `posted` was logged.
#[track_caller]
fn assert_exit_4_after(ran: &Ran, posted: &str) {
    assert_eq!(ran.code, Some(4), "{}", ran.stderr);
    let note = ran.stderr.find(posted);
    let failure = ran
        .stderr
        .find("the plan destroys or replaces protected resources");
    assert!(
        note.is_some() && note < failure,
        "the message is posted, then the run fails:\n{}",
        ran.stderr
    );
}

const PROJECT: &str = "acme/platform/infra";
const ENCODED: &str = "/projects/acme%2Fplatform%2Finfra";

/// A job whose GitLab is `fake`, on merge request 7 of [`PROJECT`].
fn on_gitlab(fake: &FakeGitLab) -> Test {
    Test::new()
        .env("GITLAB_TOKEN", fake.token())
        .env("GITLAB_BASE_URL", fake.url())
        .args(["--owner", "acme/platform", "--repo", "infra"])
}

/// The JSON body of the one request `line` the fake received.
#[track_caller]
fn gitlab_body(fake: &FakeGitLab, line: &str) -> Value {
    let bodies: Vec<Value> = fake
        .requests()
        .into_iter()
        .filter(|r| r.line() == line)
        .filter_map(|r| r.json())
        .collect();
    assert_eq!(bodies.len(), 1, "one `{line}`: {:?}", fake.request_lines());
    bodies[0].clone()
}

#[test]
fn gitlab_a_protected_replacement_gets_its_label_in_its_colour_and_the_banner_then_exit_4() {
    let fake = FakeGitLab::with_merge_request(PROJECT, NUMBER, HEAD);
    let dir = job_dir(&guard_config(""));
    let ran = plan(
        on_gitlab(&fake),
        dir.path(),
        MIXED,
        &["--fail-on-protected"],
    );
    assert_exit_4_after(&ran, "GitLab note created");

    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/protected-destroy"]);
    assert_eq!(
        gitlab_body(&fake, &format!("POST {ENCODED}/labels")),
        json!({"name": "prod/protected-destroy", "color": "#5319e7"}),
        "created in `guard.label_color` before it is added"
    );
    assert_eq!(
        gitlab_body(&fake, &format!("PUT {ENCODED}/merge_requests/7")),
        json!({"add_labels": ["prod/protected-destroy"]}),
        "the destroy label is neither added nor created"
    );
    assert!(
        fake.project_labels(PROJECT)
            .iter()
            .all(|l| l.name != "prod/destroy"),
        "{:?}",
        fake.project_labels(PROJECT)
    );
    let notes = fake.user_notes(PROJECT, NUMBER);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].body.starts_with(BANNER), "{}", notes[0].body);

    // The same config on a plan that destroys only unprotected resources: back to destroy.
    fake.clear_log();
    let ran = plan(
        on_gitlab(&fake),
        dir.path(),
        SAFE_DESTROY,
        &["--fail-on-protected"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/destroy"]);
    assert_eq!(
        gitlab_body(&fake, &format!("PUT {ENCODED}/merge_requests/7")),
        json!({"add_labels": ["prod/destroy"], "remove_labels": ["prod/protected-destroy"]}),
    );
    let body = &fake.user_notes(PROJECT, NUMBER)[0].body;
    assert!(
        body.starts_with("## :warning: Plan destroys resources · `prod`"),
        "{body}"
    );
    assert!(!body.contains("protected"), "{body}");
    fake.assert_no_violations();
}

#[test]
fn gitlab_a_plan_that_touches_nothing_protected_sends_what_it_sends_without_a_guard() {
    let run = |config: &str| {
        let fake = FakeGitLab::with_merge_request(PROJECT, NUMBER, HEAD);
        let dir = job_dir(config);
        let ran = plan(
            on_gitlab(&fake),
            dir.path(),
            SAFE_DESTROY,
            &["--fail-on-protected"],
        );
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        fake.assert_no_violations();
        // The note's link names the fake's port, which differs between the two fakes.
        let stderr = ran.stderr.replace(&fake.server_url(), "[GITLAB]");
        (
            fake.requests_json(),
            fake.user_notes(PROJECT, NUMBER),
            stderr,
        )
    };
    let (guarded, guarded_notes, guarded_stderr) = run(&guard_config(""));
    let (plain, plain_notes, plain_stderr) = run("");
    assert_eq!(guarded, plain);
    assert_eq!(guarded_notes, plain_notes);
    assert_eq!(guarded_stderr, plain_stderr);
    assert!(
        guarded
            .to_string()
            .contains(r#"{"add_labels":["prod/destroy"]}"#),
        "{guarded}"
    );
}

#[test]
fn gitlab_a_custom_label_name_is_rendered_with_the_target() {
    let fake = FakeGitLab::with_merge_request(PROJECT, NUMBER, HEAD);
    let dir = job_dir(&guard_config("  label: \"{{.Vars.target}}/danger\"\n"));
    let ran = plan(on_gitlab(&fake), dir.path(), MIXED, &[]);
    assert_eq!(
        ran.code,
        Some(0),
        "without `fail`, only a warning: {}",
        ran.stderr
    );
    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/danger"]);
    assert_eq!(
        gitlab_body(&fake, &format!("POST {ENCODED}/labels")),
        json!({"name": "prod/danger", "color": "#5319e7"}),
    );
    let notes = fake.user_notes(PROJECT, NUMBER);
    assert!(notes[0].body.starts_with(BANNER), "{}", notes[0].body);
    fake.assert_no_violations();
}

const OWNER: &str = "acme";
const REPO: &str = "infra";

/// A job whose Gitea is `fake`, on pull request 7 of `acme/infra`.
fn on_gitea(fake: &FakeGitea) -> Test {
    Test::new()
        .env("GITEA_TOKEN", fake_gitea::TOKEN)
        .env("GITEA_API_URL", fake.api_url())
        .args(["--owner", OWNER, "--repo", REPO])
}

/// The JSON bodies of the requests `method path` (after `/api/v1`) the fake received, in
/// order.
fn gitea_bodies(fake: &FakeGitea, method: &str, path: &str) -> Vec<Value> {
    let path = format!("/api/v1{path}");
    fake.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .filter_map(|r| r.json())
        .collect()
}

/// The id of the repository label `name`.
#[track_caller]
fn gitea_label_id(fake: &FakeGitea, name: &str) -> u64 {
    fake.repo_labels(OWNER, REPO)
        .into_iter()
        .find(|l| l.name == name)
        .map_or_else(|| panic!("no label `{name}`"), |l| l.id)
}

#[test]
fn gitea_a_protected_replacement_gets_its_label_in_its_colour_and_the_banner_then_exit_4() {
    let fake = FakeGitea::with_pull(OWNER, REPO, NUMBER, HEAD);
    let dir = job_dir(&guard_config(""));
    let ran = plan(on_gitea(&fake), dir.path(), MIXED, &["--fail-on-protected"]);
    assert_exit_4_after(&ran, "Gitea comment created");

    assert_eq!(
        fake.labels_on(OWNER, REPO, NUMBER),
        ["prod/protected-destroy"]
    );
    assert_eq!(
        gitea_bodies(&fake, "POST", "/repos/acme/infra/labels"),
        [json!({"name": "prod/protected-destroy", "color": "#5319e7"})],
        "created in `guard.label_color`, and the destroy label is not created"
    );
    let protected = gitea_label_id(&fake, "prod/protected-destroy");
    assert_eq!(
        gitea_bodies(&fake, "POST", "/repos/acme/infra/issues/7/labels"),
        [json!({"labels": [protected]})],
        "only the protected-destroy label is added"
    );
    let comments = fake.comments(OWNER, REPO, NUMBER);
    assert_eq!(comments.len(), 1);
    assert!(comments[0].body.starts_with(BANNER), "{}", comments[0].body);

    // The same config on a plan that destroys only unprotected resources: back to destroy.
    fake.clear_log();
    let ran = plan(
        on_gitea(&fake),
        dir.path(),
        SAFE_DESTROY,
        &["--fail-on-protected"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.labels_on(OWNER, REPO, NUMBER), ["prod/destroy"]);
    assert!(
        fake.request_lines().contains(&format!(
            "DELETE /repos/acme/infra/issues/7/labels/{protected}"
        )),
        "{:?}",
        fake.request_lines()
    );
    let body = &fake.comments(OWNER, REPO, NUMBER)[0].body;
    assert!(
        body.starts_with("## :warning: Plan destroys resources · `prod`"),
        "{body}"
    );
    assert!(!body.contains("protected"), "{body}");
    fake.assert_no_violations();
}

#[test]
fn gitea_a_plan_that_touches_nothing_protected_sends_what_it_sends_without_a_guard() {
    let run = |config: &str| {
        let fake = FakeGitea::with_pull(OWNER, REPO, NUMBER, HEAD);
        let dir = job_dir(config);
        let ran = plan(
            on_gitea(&fake),
            dir.path(),
            SAFE_DESTROY,
            &["--fail-on-protected"],
        );
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        fake.assert_no_violations();
        let labels = fake.repo_labels(OWNER, REPO);
        (
            fake.requests_json(),
            fake.comments(OWNER, REPO, NUMBER),
            labels,
            ran,
        )
    };
    let (guarded, guarded_comments, guarded_labels, guarded_run) = run(&guard_config(""));
    let (plain, plain_comments, plain_labels, plain_run) = run("");
    assert_eq!(guarded, plain);
    assert_eq!(guarded_comments, plain_comments);
    assert_eq!(guarded_run.stderr, plain_run.stderr);
    assert_eq!(guarded_labels, plain_labels);
    assert_eq!(
        guarded_labels
            .iter()
            .map(|l| l.name.as_str())
            .collect::<Vec<_>>(),
        ["prod/destroy"]
    );
}

#[test]
fn gitea_a_custom_label_name_is_rendered_with_the_target() {
    let fake = FakeGitea::with_pull(OWNER, REPO, NUMBER, HEAD);
    let dir = job_dir(&guard_config("  label: \"{{.Vars.target}}/danger\"\n"));
    let ran = plan(on_gitea(&fake), dir.path(), MIXED, &[]);
    assert_eq!(
        ran.code,
        Some(0),
        "without `fail`, only a warning: {}",
        ran.stderr
    );
    assert_eq!(fake.labels_on(OWNER, REPO, NUMBER), ["prod/danger"]);
    assert_eq!(
        gitea_bodies(&fake, "POST", "/repos/acme/infra/labels"),
        [json!({"name": "prod/danger", "color": "#5319e7"})],
    );
    let comments = fake.comments(OWNER, REPO, NUMBER);
    assert!(comments[0].body.starts_with(BANNER), "{}", comments[0].body);
    fake.assert_no_violations();
}

#[test]
fn gitlab_a_classic_config_gets_the_protected_label_and_only_that_one() {
    let fake = FakeGitLab::with_merge_request(PROJECT, NUMBER, HEAD);
    let classic = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/classic-gitlab.yaml"),
    )
    .expect("config");
    let dir = job_dir(&format!("{classic}{}", guard_config("")));
    let ran = plan(on_gitlab(&fake), dir.path(), MIXED, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/protected-destroy"]);

    let ran = plan(on_gitlab(&fake), dir.path(), SAFE_DESTROY, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        fake.labels_on(PROJECT, NUMBER).is_empty(),
        "a classic config names no destroy label, and the protected one is ours to remove: {:?}",
        fake.labels_on(PROJECT, NUMBER)
    );
    fake.assert_no_violations();
}

#[test]
fn gitlab_a_push_that_starts_replacing_a_protected_resource_swaps_destroy_in_one_call() {
    let fake = FakeGitLab::with_merge_request(PROJECT, NUMBER, HEAD);
    let dir = job_dir(&guard_config(""));
    plan(on_gitlab(&fake), dir.path(), SAFE_DESTROY, &[]);
    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/destroy"]);
    fake.clear_log();
    let ran = plan(on_gitlab(&fake), dir.path(), MIXED, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/protected-destroy"]);
    assert_eq!(
        gitlab_body(&fake, &format!("PUT {ENCODED}/merge_requests/7")),
        json!({"add_labels": ["prod/protected-destroy"], "remove_labels": ["prod/destroy"]}),
    );
    let notes = fake.user_notes(PROJECT, NUMBER);
    assert_eq!(notes.len(), 1, "the note is updated in place");
    assert!(notes[0].body.starts_with(BANNER), "{}", notes[0].body);
    fake.assert_no_violations();
}

#[test]
fn gitea_a_push_that_starts_replacing_a_protected_resource_swaps_destroy() {
    let fake = FakeGitea::with_pull(OWNER, REPO, NUMBER, HEAD);
    let dir = job_dir(&guard_config(""));
    plan(on_gitea(&fake), dir.path(), SAFE_DESTROY, &[]);
    let destroy = gitea_label_id(&fake, "prod/destroy");
    fake.clear_log();
    let ran = plan(on_gitea(&fake), dir.path(), MIXED, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        fake.labels_on(OWNER, REPO, NUMBER),
        ["prod/protected-destroy"]
    );
    let protected = gitea_label_id(&fake, "prod/protected-destroy");
    let lines = fake.request_lines();
    assert_eq!(
        lines[..4],
        [
            "GET /repos/acme/infra/issues/7/labels".to_owned(),
            format!("DELETE /repos/acme/infra/issues/7/labels/{destroy}"),
            "GET /repos/acme/infra/labels?page=1&limit=50".to_owned(),
            "POST /repos/acme/infra/labels".to_owned(),
        ],
        "{lines:?}"
    );
    assert_eq!(
        gitea_bodies(&fake, "POST", "/repos/acme/infra/issues/7/labels"),
        [json!({"labels": [protected]})],
    );
    let comments = fake.comments(OWNER, REPO, NUMBER);
    assert_eq!(comments.len(), 1, "the comment is updated in place");
    assert!(comments[0].body.starts_with(BANNER), "{}", comments[0].body);
    fake.assert_no_violations();
}

#[test]
fn gitlab_without_a_label_of_its_own_a_protected_replacement_gets_destroy_and_the_banner() {
    let fake = FakeGitLab::with_merge_request(PROJECT, NUMBER, HEAD);
    let dir = job_dir(&guard_config("  disable_label: true\n"));
    let ran = plan(
        on_gitlab(&fake),
        dir.path(),
        MIXED,
        &["--fail-on-protected"],
    );
    assert_exit_4_after(&ran, "GitLab note created");
    assert_eq!(fake.labels_on(PROJECT, NUMBER), ["prod/destroy"]);
    assert_eq!(
        gitlab_body(&fake, &format!("POST {ENCODED}/labels")),
        json!({"name": "prod/destroy", "color": "#d93f0b"}),
        "the destroy label in its own colour, not the guard's"
    );
    let notes = fake.user_notes(PROJECT, NUMBER);
    assert!(notes[0].body.starts_with(BANNER), "{}", notes[0].body);
    fake.assert_no_violations();
}
