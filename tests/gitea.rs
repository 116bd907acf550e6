//! The real binary against a fake Gitea: one living comment per target, labels by id,
//! pull requests found from the commit, errors with hints, masks, Gitea and Forgejo Actions.

mod common;

use common::fake_gitea::{FakeGitea, TOKEN, USER};
use common::markdown::outside_code;
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

/// A fake with one open pull request whose head is `HEAD`.
fn gitea() -> FakeGitea {
    FakeGitea::with_pull(OWNER, REPO, PR, HEAD)
}

/// The environment of a job that posts to the fake, with the repository given by flags.
fn against(fake: &FakeGitea) -> Test {
    Test::new()
        .env("GITEA_TOKEN", TOKEN)
        .env("GITEA_API_URL", fake.api_url())
        .args(["--owner", OWNER, "--repo", REPO, "--var", "target:prod"])
}

fn run(fake: &FakeGitea, command: &str, input: &str, target: &[&str], extra: &[&str]) -> Ran {
    against(fake)
        .args(target.iter().copied())
        .args([command, "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

/// `tfnotify plan` as a job for `HEAD` on the pull request.
fn plan(fake: &FakeGitea, input: &str, extra: &[&str]) -> Ran {
    run(fake, "plan", input, &["--pr", "7", "--sha", HEAD], extra)
}

fn bodies(fake: &FakeGitea) -> Vec<String> {
    fake.comments(OWNER, REPO, PR)
        .into_iter()
        .map(|c| c.body)
        .collect()
}

#[test]
fn the_first_run_creates_the_comment_the_next_ones_update_it_in_place() {
    let fake = gitea();
    let first = plan(&fake, "1.11/plan_mixed.txt", &["--disable-label"]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stderr.contains(
            "tfnotify: Gitea comment created: https://gitea.example.com/acme/infra/pulls/7#issuecomment-"
        ),
        "{}",
        first.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].user, USER);
    assert!(
        comments[0]
            .body
            .starts_with("## :warning: Plan destroys resources · `prod`")
    );
    assert!(comments[0].body.ends_with(&format!(
        r#"<!-- github-comment: {{"Command":"plan","PRNumber":7,"Program":"tfnotify","Result":{{"Add":12,"Change":5,"Destroy":7,"HasDestroy":true,"Import":1,"Outcome":"changes"}},"SHA1":"{HEAD}","Target":"prod"}} -->"#
    )));

    fake.clear_log();
    let again = plan(&fake, "1.11/plan_mixed.txt", &["--disable-label"]);
    assert!(
        again.stderr.contains("tfnotify: Gitea comment unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(
        fake.request_lines(),
        ["GET /repos/acme/infra/issues/7/comments", "GET /user"],
        "an identical body makes no write"
    );

    let changed = plan(&fake, "1.11/plan_no_changes.txt", &["--disable-label"]);
    assert!(
        changed.stderr.contains("tfnotify: Gitea comment updated"),
        "{}",
        changed.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1, "still one living comment");
    assert!(
        comments[0]
            .body
            .starts_with("## :white_check_mark: No changes")
    );
    fake.assert_no_violations();
}

#[test]
fn a_typical_plan_with_labels_and_an_update_takes_few_requests() {
    let fake = gitea();
    plan(&fake, "1.11/plan_update_in_place.txt", &[]);
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let id = fake.comments(OWNER, REPO, PR)[0].id;
    assert_eq!(
        fake.request_lines(),
        [
            "GET /repos/acme/infra/issues/7/labels".to_owned(),
            "GET /repos/acme/infra/issues/7/comments".to_owned(),
            "GET /user".to_owned(),
            format!("PATCH /repos/acme/infra/issues/comments/{id}"),
        ],
        "labels read once and already right, comments listed once, the token's account read once to tell our comment from a copy, the comment edited in place"
    );
    insta::assert_json_snapshot!("typical_plan_requests", fake.requests_json());
    fake.assert_no_violations();
}

#[test]
fn the_first_plan_creates_its_label_and_the_next_result_swaps_it() {
    let fake = gitea();
    fake.add_label(OWNER, REPO, "needs-review", "ededed");
    fake.add_label_to_pull(OWNER, REPO, PR, "needs-review");
    fake.add_comment(OWNER, REPO, PR, "alice", "LGTM once the plan is clean");

    let ran = plan(&fake, "1.11/plan_destroy_removed_from_config.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        fake.labels_on(OWNER, REPO, PR),
        ["needs-review", "prod/destroy"]
    );
    let created = fake.repo_labels(OWNER, REPO);
    let destroy = created
        .iter()
        .find(|l| l.name == "prod/destroy")
        .expect("created");
    assert_eq!(
        destroy.color, "d93f0b",
        "the colour github::labels gives a destroy"
    );
    insta::assert_json_snapshot!("first_plan_label_requests", fake.requests_json());

    // A label of that name with the wrong colour already exists: it is reused and fixed.
    fake.add_label(OWNER, REPO, "prod/no-changes", "000000");
    fake.clear_log();
    plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert_eq!(
        fake.labels_on(OWNER, REPO, PR),
        ["needs-review", "prod/no-changes"]
    );
    let no_changes = fake
        .repo_labels(OWNER, REPO)
        .into_iter()
        .find(|l| l.name == "prod/no-changes")
        .expect("label");
    assert_eq!(no_changes.color, "0e8a16");
    let lines = fake.request_lines();
    assert_eq!(
        &lines[..5],
        [
            "GET /repos/acme/infra/issues/7/labels".to_owned(),
            format!("DELETE /repos/acme/infra/issues/7/labels/{}", destroy.id),
            "GET /repos/acme/infra/labels?page=1&limit=50".to_owned(),
            format!("PATCH /repos/acme/infra/labels/{}", no_changes.id),
            "POST /repos/acme/infra/issues/7/labels".to_owned(),
        ],
        "only our wrong label removed; the right one recoloured and added by id"
    );
    assert_eq!(
        fake.comments(OWNER, REPO, PR)[0].body,
        "LGTM once the plan is clean"
    );
    assert_eq!(fake.comments(OWNER, REPO, PR).len(), 2);
    fake.assert_no_violations();
}

#[test]
fn a_label_that_cannot_be_set_is_reported_in_the_comment_and_the_comment_still_goes() {
    let fake = gitea();
    fake.fail_next(
        "POST",
        "/repos/acme/infra/labels",
        403,
        r#"{"message":"token does not have at least one of required scope(s): [write:issue]","url":"https://gitea.example.com/api/swagger"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(
        ran.code,
        Some(0),
        "a label problem is not a delivery failure: {}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("tfnotify: warning: Gitea: could not create the label `prod/add-or-update`"),
        "{}",
        ran.stderr
    );
    let body = &bodies(&fake)[0];
    assert!(body.contains("tfnotify could not do everything"), "{body}");
    assert!(body.contains("required scope"), "{body}");
    assert!(fake.labels_on(OWNER, REPO, PR).is_empty());
}

#[test]
fn apply_posts_a_new_comment_each_time_and_delete_and_new_replaces_them() {
    let fake = gitea();
    run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--pr", "7", "--sha", HEAD],
        &[],
    );
    run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--pr", "7", "--sha", HEAD],
        &[],
    );
    assert_eq!(
        fake.comments(OWNER, REPO, PR).len(),
        2,
        "apply's default is `new`"
    );

    let ran = run(
        &fake,
        "apply",
        "1.11/apply_mixed.txt",
        &["--pr", "7", "--sha", HEAD],
        &["--comment", "delete-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1, "the earlier ones are deleted");
    assert!(comments[0].body.contains("Apply"), "{}", comments[0].body);
    fake.assert_no_violations();
}

#[test]
fn hide_and_new_folds_the_earlier_comment_which_is_never_updated_again() {
    let fake = gitea();
    plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    let ran = plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--disable-label", "--comment", "hide-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let comments = bodies(&fake);
    assert_eq!(comments.len(), 2);
    assert!(
        comments[0].starts_with("<details><summary>Outdated: a newer comment replaces this one</summary>\n\n## :memo: Plan"),
        "{}",
        comments[0]
    );
    assert!(comments[0].ends_with("</details>"));
    assert!(!comments[1].starts_with("<details>"));

    // `update` now edits the newer one; the folded one stays as it is.
    plan(&fake, "1.11/plan_no_changes.txt", &["--disable-label"]);
    let after = bodies(&fake);
    assert_eq!(after[0], comments[0]);
    assert!(after[1].starts_with("## :white_check_mark: No changes"));
    fake.assert_no_violations();
}

#[test]
fn without_a_pr_the_commit_finds_it_or_the_run_says_why_nothing_was_posted() {
    let fake = gitea();
    // The head of an open pull request.
    let found = run(
        &fake,
        "plan",
        "1.11/plan_create_only.txt",
        &["--sha", HEAD],
        &["--disable-label"],
    );
    assert_eq!(found.code, Some(0), "{}", found.stderr);
    assert_eq!(
        fake.comments(OWNER, REPO, PR).len(),
        1,
        "found among the open pull requests"
    );

    // The merge commit of a merged pull request, as an apply on the main branch has.
    let merge = "2222222222222222222222222222222222222222";
    fake.add_pull(OWNER, REPO, 8, "3333333333333333333333333333333333333333");
    fake.merge_pull(OWNER, REPO, 8, merge);
    fake.clear_log();
    let merged = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", merge],
        &[],
    );
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    assert_eq!(fake.comments(OWNER, REPO, 8).len(), 1);
    assert_eq!(
        fake.request_lines()[0],
        format!("GET /repos/acme/infra/commits/{merge}/pull")
    );

    let lonely = "4444444444444444444444444444444444444444";
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", lonely],
        &[],
    );
    assert_eq!(
        ran.code,
        Some(0),
        "nothing to post is not a failure: {}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("tfnotify: Gitea comment skipped: no pull request"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("commit `444444444444` belongs to no open or merged pull request, and Gitea has no commit comments"),
        "{}",
        ran.stderr
    );
    fake.assert_no_violations();
}

#[test]
fn open_pull_requests_are_read_page_by_page_without_following_gitea_s_links() {
    let fake = gitea();
    for n in 100..160 {
        fake.add_pull(OWNER, REPO, n, &format!("{n:0>40}"));
    }
    let target = format!("{:0>40}", 155);
    let ran = run(
        &fake,
        "plan",
        "1.11/plan_create_only.txt",
        &["--sha", &target],
        &["--disable-label"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.comments(OWNER, REPO, 155).len(), 1);
    let lists: Vec<String> = fake
        .request_lines()
        .into_iter()
        .filter(|l| l.contains("/pulls?"))
        .collect();
    assert_eq!(
        lists,
        [
            "GET /repos/acme/infra/pulls?state=open&page=1&limit=50",
            "GET /repos/acme/infra/pulls?state=open&page=2&limit=50",
        ],
        "the `Link` header names ROOT_URL, another host; pages are counted instead"
    );
    fake.assert_no_violations();
}

#[test]
fn a_job_for_an_older_commit_never_overwrites_the_newer_comment() {
    let fake = gitea();
    plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    let old = "0000000000000000000000000000000000000000";
    let ran = run(
        &fake,
        "plan",
        "1.11/plan_no_changes.txt",
        &["--pr", "7", "--sha", old],
        &["--disable-label"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("skipped: the comment is for a newer commit"),
        "{}",
        ran.stderr
    );
    assert!(
        bodies(&fake)[0].contains("## :memo: Plan"),
        "left as it was"
    );

    // Once the pull request moves on, the next job updates it again.
    let newer = "5555555555555555555555555555555555555555";
    fake.push(OWNER, REPO, PR, newer);
    let ran = run(
        &fake,
        "plan",
        "1.11/plan_no_changes.txt",
        &["--pr", "7", "--sha", newer],
        &["--disable-label"],
    );
    assert!(
        ran.stderr.contains("Gitea comment updated"),
        "{}",
        ran.stderr
    );
}

#[test]
fn skip_no_changes_posts_nothing_for_an_empty_plan_but_sets_the_label() {
    let fake = gitea();
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Gitea comment skipped: no changes"),
        "{}",
        ran.stderr
    );
    assert!(fake.comments(OWNER, REPO, PR).is_empty());
    assert_eq!(fake.labels_on(OWNER, REPO, PR), ["prod/no-changes"]);
}

#[test]
fn a_50000_resource_plan_fits_in_one_comment() {
    let fake = gitea();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = against(&fake)
        .args([
            "--pr",
            "7",
            "--sha",
            HEAD,
            "plan",
            "--quiet",
            "--disable-label",
        ])
        .stdin(text)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    assert!(
        body.chars().count() <= 1_000_000,
        "{}",
        body.chars().count()
    );
    assert!(body.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    fake.assert_no_violations();
}

/// A failing request: exit 3 after the pass-through, Gitea's message and our hint on
/// stderr, and the token nowhere.
#[track_caller]
fn fails_with(status: u16, body: &str, hint: &str) {
    let fake = gitea();
    fake.fail_next("*", "/repos/acme/infra/issues/7/comments", status, body, 10);
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_create_only.txt"),
        "passed through"
    );
    let line = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: Gitea:"))
        .unwrap_or_default();
    assert!(
        line.contains(&format!("failed with status {status}")),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains(hint), "{}", ran.stderr);
    assert!(!ran.stderr.contains(TOKEN));
}

#[test]
fn refusals_exit_3_with_a_hint_and_never_show_the_token() {
    fails_with(
        401,
        r#"{"message":"invalid username, password or token","url":"https://gitea.example.com/api/swagger"}"#,
        "hint: the token is invalid or expired; check `GITEA_TOKEN`",
    );
    fails_with(
        403,
        r#"{"message":"token does not have at least one of required scope(s): [read:issue]","url":"x"}"#,
        "the token needs the `write:issue` and `read:repository` scopes",
    );
    fails_with(
        413,
        "<html><head><title>413 Request Entity Too Large</title></head></html>",
        "nginx allows 1 MB unless `client_max_body_size` is raised",
    );
    fails_with(
        404,
        r#"{"errors":["issue does not exist"],"message":"The target couldn't be found.","url":"x"}"#,
        "check that `acme/infra` and the pull request exist",
    );
}

#[test]
fn a_422_names_gitea_s_message() {
    let fake = gitea();
    fake.fail_next(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        422,
        r#"{"message":"[Body]: Required","url":"x"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(3));
    assert!(ran.stderr.contains("[Body]: Required"), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("hint: Gitea refused the request's content"),
        "{}",
        ran.stderr
    );
    let posts = fake
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("POST"))
        .count();
    assert_eq!(posts, 1, "a 422 is not retried");
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let fake = gitea();
    fake.fail_next(
        "GET",
        "/repos/acme/infra/issues/7/comments",
        500,
        r#"{"message":"database is locked"}"#,
        1,
    );
    fake.fail_next_with(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        429,
        &[("Retry-After", "1")],
        r#"{"message":"rate limited"}"#,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let lines = fake.request_lines();
    assert_eq!(
        lines,
        [
            "GET /repos/acme/infra/issues/7/comments",
            "GET /repos/acme/infra/issues/7/comments",
            "POST /repos/acme/infra/issues/7/comments",
            "POST /repos/acme/infra/issues/7/comments",
        ]
    );
    assert_eq!(fake.comments(OWNER, REPO, PR).len(), 1);
}

#[test]
fn the_token_and_masked_values_never_leave_the_machine() {
    let fake = gitea();
    let secret = "hunter2-db-password";
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {secret} and {TOKEN}\n");
    let ran = against(&fake)
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .env("DB_PASSWORD", secret)
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
        .stdin(input)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stdout_text().contains("note *** and ***"));
    assert!(!ran.stderr.contains(secret) && !ran.stderr.contains(TOKEN));
    for request in fake.requests() {
        assert!(
            !request.body.contains(secret) && !request.body.contains(TOKEN),
            "{}",
            request.line()
        );
    }
    assert!(bodies(&fake)[0].contains("note *** and ***"));
}

/// A Gitea Actions job for a pull request: the runner's `GITHUB_*` names, the job token.
fn actions_job(fake: &FakeGitea, marker: &str) -> (Test, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"pull_request": {{"number": 7, "head": {{"sha": "{HEAD}"}}}}}}"#),
    )
    .expect("event");
    let test = Test::new()
        .env("CI", "true")
        .env(marker, "true")
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", event.as_os_str())
        .env("GITHUB_SHA", HEAD)
        .env("GITHUB_SERVER_URL", fake.server_url())
        .env("GITHUB_API_URL", fake.api_url())
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_RUN_NUMBER", "12")
        .env("GITHUB_TOKEN", TOKEN);
    (test, dir)
}

#[test]
fn gitea_actions_needs_no_flags_and_its_token_never_goes_to_github() {
    let fake = gitea();
    let (job, _dir) = actions_job(&fake, "GITEA_ACTIONS");
    let ran = job
        .args(["--var", "target:prod", "plan", "--quiet", "--disable-label"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify: Gitea comment created"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("GitHub"), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    let link = format!(
        "[CI link]({}/acme/infra/actions/runs/42)",
        fake.server_url()
    );
    assert!(body.contains(&link), "{body}");
    assert!(
        fake.requests()
            .iter()
            .all(|r| r.path.starts_with("/api/v1/repos/acme/infra/")),
        "only Gitea's REST API was called, never GitHub's GraphQL"
    );
    fake.assert_no_violations();
}

#[test]
fn forgejo_actions_with_owner_and_repo_flags_still_does_not_pick_github() {
    let fake = gitea();
    let (job, _dir) = actions_job(&fake, "FORGEJO_ACTIONS");
    let ran = job
        .env("GITEA_ACTIONS", "true")
        .args([
            "--owner",
            OWNER,
            "--repo",
            REPO,
            "plan",
            "--quiet",
            "--disable-label",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify: Gitea comment created"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("GitHub"), "{}", ran.stderr);
    fake.assert_no_violations();
}

#[test]
fn a_token_without_a_server_sends_nothing() {
    let fake = gitea();
    let ran = Test::new()
        .env("GITEA_TOKEN", TOKEN)
        .args([
            "--owner", OWNER, "--repo", REPO, "--pr", "7", "plan", "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(
        ran.code,
        Some(0),
        "a token kept for something else is no error: {}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("Gitea"), "{}", ran.stderr);
    let asked = Test::new()
        .env("GITEA_TOKEN", TOKEN)
        .args([
            "--owner",
            OWNER,
            "--repo",
            REPO,
            "--pr",
            "7",
            "--notifier",
            "gitea",
        ])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(asked.code, Some(3), "{}", asked.stderr);
    assert!(
        asked.stderr.contains("Gitea: the API URL is unknown")
            && asked
                .stderr
                .contains("hint: set `GITEA_API_URL` to `https://HOST/api/v1`"),
        "{}",
        asked.stderr
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn asking_for_github_in_a_gitea_job_says_whose_token_it_is() {
    let fake = gitea();
    let (job, _dir) = actions_job(&fake, "GITEA_ACTIONS");
    let ran = job
        .args(["--notifier", "github", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("in Gitea Actions `GITHUB_TOKEN` and `GITHUB_API_URL` belong to the job's own server; post there with `--notifier gitea`"),
        "{}",
        ran.stderr
    );
    assert!(fake.requests().is_empty(), "nothing was sent anywhere");
}

#[test]
fn hostile_resource_names_stay_inside_code() {
    let fake = gitea();
    let plan_text = String::from_utf8(fixture("1.11/plan_destroy.txt")).expect("utf-8");
    let hostile = r"x ``` </details><img src=x onerror=alert(1)> <!-- @everyone @admin [link](https://evil.example) ```";
    let input = plan_text.replace(
        "terraform_data.instance[0]",
        &format!("terraform_data.instance[\"{hostile}\"]"),
    );
    let ran = against(&fake)
        .args([
            "--pr",
            "7",
            "--sha",
            HEAD,
            "plan",
            "--quiet",
            "--disable-label",
        ])
        .stdin(input)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    assert!(body.contains("onerror"), "the name is shown: {body}");
    let prose = outside_code(body);
    for fragment in [
        "<img",
        "onerror",
        "@everyone",
        "@admin",
        "evil.example",
        "<!--  @",
        "</details><img",
    ] {
        assert!(
            !prose.contains(fragment),
            "{fragment} outside code in:\n{prose}"
        );
    }
}

/// A plan for `target`, whose label names Gitea cannot take: the label is skipped with a
/// warning naming the target, Gitea and `rule`, the comment still goes and says so too, no
/// label call is made, and the exit code is the plan's.
#[track_caller]
fn assert_label_skipped(target: &str, rule: &str) {
    let fake = gitea();
    let ran = Test::new()
        .env("GITEA_TOKEN", TOKEN)
        .env("GITEA_API_URL", fake.api_url())
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
        .args(["--var", &format!("target:{target}"), "plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let warning = format!(
        "tfnotify: warning: Gitea: the label `{target}/destroy` for target `{target}` was skipped: {rule}"
    );
    assert!(ran.stderr.contains(&warning), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Gitea comment created"),
        "{}",
        ran.stderr
    );
    let body = &bodies(&fake)[0];
    assert!(body.contains("tfnotify could not do everything"), "{body}");
    assert!(fake.labels_on(OWNER, REPO, PR).is_empty());
    assert!(fake.repo_labels(OWNER, REPO).is_empty());
    assert!(
        fake.request_lines().iter().all(|l| !l.contains("/labels")),
        "no label is read, added or created: {:?}",
        fake.request_lines()
    );
    fake.assert_no_violations();
}

#[test]
fn a_target_too_long_for_a_label_skips_it_and_still_comments() {
    let target = format!("stacks/{}", "a".repeat(53));
    assert_eq!(target.chars().count(), 60);
    assert_label_skipped(&target, "Gitea label names are at most 50 characters");
}

#[test]
fn a_target_with_commas_skips_its_label_and_still_comments() {
    assert_label_skipped(
        "envs/,approved,x",
        "Gitea reads a comma in a label name as a separator",
    );
}

/// A comment by someone else that ends in a copy of our marker, posted after ours.
fn plant(fake: &FakeGitea, ours: &str) -> common::fake_gitea::Comment {
    let marker = ours.lines().last().expect("a marker line");
    let body = format!("## :white_check_mark: No changes · `prod`\n\nNothing to see.\n\n{marker}");
    fake.add_comment(OWNER, REPO, PR, "mallory", &body);
    fake.comments(OWNER, REPO, PR)
        .pop()
        .expect("the planted comment")
}

/// The requests that wrote or deleted comment `id`.
fn touching(fake: &FakeGitea, id: u64) -> Vec<String> {
    let path = format!("/issues/comments/{id}");
    fake.request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET") && l.ends_with(&path))
        .collect()
}

fn whoami_count(fake: &FakeGitea) -> usize {
    fake.request_lines()
        .iter()
        .filter(|l| *l == "GET /user")
        .count()
}

#[test]
fn a_comment_by_another_user_with_a_copy_of_the_marker_is_never_touched() {
    for behaviour in ["update", "new", "hide-and-new", "delete-and-new"] {
        let fake = gitea();
        plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
        let ours = fake.comments(OWNER, REPO, PR)[0].clone();
        let planted = plant(&fake, &ours.body);
        fake.clear_log();
        let ran = plan(
            &fake,
            "1.11/plan_update_in_place.txt",
            &["--disable-label", "--comment", behaviour],
        );
        assert_eq!(ran.code, Some(0), "{behaviour}: {}", ran.stderr);
        assert_eq!(
            touching(&fake, planted.id),
            Vec::<String>::new(),
            "{behaviour}"
        );
        let now = fake.comments(OWNER, REPO, PR);
        assert!(
            now.contains(&planted),
            "{behaviour}: left exactly as it was"
        );
        assert!(
            ran.stderr.contains(&format!(
                "tfnotify: warning: Gitea: the comment https://gitea.example.com/acme/infra/pulls/7#issuecomment-{} by another user, `mallory`, carries tfnotify's marker; it was left alone",
                planted.id
            )),
            "{behaviour}: {}",
            ran.stderr
        );
        assert_eq!(
            whoami_count(&fake),
            1,
            "{behaviour}: the token's account read once"
        );
        let mine = now.iter().find(|c| c.id == ours.id);
        match behaviour {
            "update" => {
                let mine = mine.expect("ours is still there");
                assert!(mine.body.contains("to change"), "ours got the plan");
                assert_eq!(now.len(), 2);
            }
            "new" => {
                assert_eq!(mine, Some(&ours), "ours left as it was");
                assert_eq!(now.len(), 3);
            }
            "hide-and-new" => {
                let mine = mine.expect("ours is still there");
                assert!(mine.body.starts_with("<details>"), "ours folded away");
                assert_eq!(now.len(), 3);
            }
            _ => {
                assert!(mine.is_none(), "ours deleted");
                assert_eq!(now.len(), 2);
            }
        }
        fake.assert_no_violations();
    }
}

#[test]
fn a_planted_comment_alone_gets_no_plan_even_when_the_plan_is_quiet() {
    let fake = gitea();
    plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    let ours = fake.comments(OWNER, REPO, PR)[0].clone();
    let quiet = gitea();
    let planted = plant(&quiet, &ours.body);
    let ran = plan(&quiet, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("skipped: no changes"), "{}", ran.stderr);
    assert_eq!(quiet.comments(OWNER, REPO, PR), vec![planted.clone()]);
    assert_eq!(touching(&quiet, planted.id), Vec::<String>::new());
    assert_eq!(quiet.labels_on(OWNER, REPO, PR), vec!["prod/no-changes"]);
    quiet.assert_no_violations();
}

#[test]
fn a_token_that_cannot_read_its_user_touches_no_marked_comment_and_says_which_scope_fixes_it() {
    let fake = gitea();
    plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    let ours = fake.comments(OWNER, REPO, PR)[0].clone();
    let narrow = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";
    fake.add_token(narrow, USER, &["write:issue", "read:repository"]);
    for behaviour in ["update", "delete-and-new"] {
        fake.clear_log();
        let ran = against(&fake)
            .env("GITEA_TOKEN", narrow)
            .args([
                "--pr",
                "7",
                "--sha",
                HEAD,
                "plan",
                "--quiet",
                "--disable-label",
            ])
            .args(["--comment", behaviour])
            .stdin(fixture("1.11/plan_update_in_place.txt"))
            .run();
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        assert!(
            ran.stderr.contains("Gitea comment created"),
            "{}",
            ran.stderr
        );
        assert_eq!(
            touching(&fake, ours.id),
            Vec::<String>::new(),
            "{behaviour}"
        );
        let warnings: Vec<&str> = ran
            .stderr
            .lines()
            .filter(|l| l.starts_with("tfnotify: warning:"))
            .collect();
        assert_eq!(warnings.len(), 1, "once: {}", ran.stderr);
        assert!(
            warnings[0]
                .contains("token does not have at least one of required scope(s): [read:user]")
                && warnings[0].contains("give the token the `read:user` scope"),
            "why, and what fixes it: {}",
            warnings[0]
        );
        assert_eq!(whoami_count(&fake), 1);
    }
    assert!(fake.comments(OWNER, REPO, PR).contains(&ours));
    fake.assert_no_violations();
}

#[test]
fn an_actions_job_token_reads_its_user_and_keeps_one_living_comment() {
    let fake = gitea();
    let job = "f0e1d2c3b4a5968778695a4b3c2d1e0f12345678";
    fake.add_actions_token(job);
    let run = || {
        against(&fake)
            .env("GITEA_TOKEN", job)
            .args([
                "--pr",
                "7",
                "--sha",
                HEAD,
                "plan",
                "--quiet",
                "--disable-label",
            ])
            .stdin(fixture("1.11/plan_create_only.txt"))
            .run()
    };
    assert!(run().stderr.contains("Gitea comment created"));
    let again = run();
    assert!(
        again.stderr.contains("Gitea comment unchanged"),
        "{}",
        again.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].user, common::fake_gitea::ACTIONS_USER);
    fake.assert_no_violations();
}
