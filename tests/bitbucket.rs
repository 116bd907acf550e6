//! The real binary against a fake Bitbucket Cloud: one living comment per target with an
//! invisible marker, pages of comments, deleted comments, pull requests found from the
//! commit, the 32,768-character limit, errors with hints, credentials and masks, Pipelines.

mod common;

use common::fake_bitbucket::{
    APP_PASSWORD, CommitLinks, FakeBitbucket, TOKEN, TOKEN_USER, USERNAME, basic,
};
use common::markdown::outside_code;
use common::run::{Ran, Test, fixture};

const WORKSPACE: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

/// A fake with one open pull request whose head is `HEAD`.
fn bitbucket() -> FakeBitbucket {
    let fake = FakeBitbucket::start();
    fake.add_pull(WORKSPACE, REPO, PR, HEAD);
    fake
}

/// A job outside Pipelines that posts to the fake with an app password, the repository
/// given by flags. Unlike an access token, an app password (or an API token) lets
/// tfnotify read whose it is, and so keep one living comment.
fn against(fake: &FakeBitbucket) -> Test {
    Test::new()
        .env("BITBUCKET_USERNAME", USERNAME)
        .env("BITBUCKET_APP_PASSWORD", APP_PASSWORD)
        .env("BITBUCKET_API_URL", fake.api_url())
        .args([
            "--notifier",
            "bitbucket",
            "--owner",
            WORKSPACE,
            "--repo",
            REPO,
        ])
        .args(["--var", "target:prod"])
}

fn run(fake: &FakeBitbucket, command: &str, input: &str, target: &[&str], extra: &[&str]) -> Ran {
    against(fake)
        .args(target.iter().copied())
        .args([command, "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

/// `tfnotify plan` as a job for `HEAD` on the pull request.
fn plan(fake: &FakeBitbucket, input: &str, extra: &[&str]) -> Ran {
    run(fake, "plan", input, &["--pr", "7", "--sha", HEAD], extra)
}

fn bodies(fake: &FakeBitbucket) -> Vec<String> {
    fake.comments(WORKSPACE, REPO, PR)
        .into_iter()
        .map(|c| c.raw)
        .collect()
}

const MARKER: &str = r#"[//]: # (tfnotify: {"Command":"plan","PRNumber":7,"Program":"tfnotify","SHA1":"1111111111111111111111111111111111111111","Target":"prod"})"#;

/// Whether `body` ends with our marker for target `prod` after a blank line, carrying the
/// run's result (what `tfnotify summary` reads).
fn ends_with_marker(body: &str) -> bool {
    let Some((_, last)) = body.rsplit_once("\n\n") else {
        return false;
    };
    last.starts_with(r#"[//]: # (tfnotify: {"Command":"plan","PRNumber":7,"Program":"tfnotify","Result":{"Add":"#)
        && last.ends_with(r#"},"SHA1":"1111111111111111111111111111111111111111","Target":"prod"})"#)
        && !last.contains('\n')
}

#[test]
fn the_first_run_creates_the_comment_the_next_ones_update_it_in_place() {
    let fake = bitbucket();
    let first = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stderr.contains(
            "tfnotify: Bitbucket comment created: https://bitbucket.org/acme/infra/pull-requests/7#comment-"
        ),
        "{}",
        first.stderr
    );
    let comments = fake.comments(WORKSPACE, REPO, PR);
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].user, USERNAME);
    let body = &comments[0].raw;
    assert!(
        body.starts_with("## :warning: Plan destroys resources · `prod`"),
        "{body}"
    );
    assert!(
        ends_with_marker(body),
        "the marker, after a blank line, is a link reference definition: {body}"
    );
    assert!(
        !body.contains("<!--"),
        "no HTML comment, which Bitbucket would show"
    );
    insta::assert_json_snapshot!("first_plan_requests", fake.requests_json());

    fake.clear_log();
    let again = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert!(
        again
            .stderr
            .contains("tfnotify: Bitbucket comment unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(
        fake.request_lines(),
        [
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100",
            "GET /user"
        ],
        "an identical body makes no write"
    );

    let changed = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        changed
            .stderr
            .contains("tfnotify: Bitbucket comment updated"),
        "{}",
        changed.stderr
    );
    let bodies = bodies(&fake);
    assert_eq!(bodies.len(), 1, "still one living comment");
    assert!(bodies[0].starts_with("## :white_check_mark: No changes"));
    fake.assert_no_violations();
}

#[test]
fn a_typical_plan_update_takes_three_requests() {
    let fake = bitbucket();
    plan(&fake, "1.11/plan_update_in_place.txt", &[]);
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let id = fake.comments(WORKSPACE, REPO, PR)[0].id;
    assert_eq!(
        fake.request_lines(),
        [
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100".to_owned(),
            "GET /user".to_owned(),
            format!("PUT /repositories/acme/infra/pullrequests/7/comments/{id}"),
        ],
        "the comments listed, whose the credentials are read to tell our comment from a copy, the comment edited"
    );
    insta::assert_json_snapshot!("typical_plan_requests", fake.requests_json());
    fake.assert_no_violations();
}

#[test]
fn the_message_shows_no_html_outside_code() {
    let fake = bitbucket();
    let ran = plan(&fake, "1.11/plan_destroy.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    let prose = outside_code(body);
    for tag in ["<details>", "<summary>", "</details>", "<b>", "[!CAUTION]"] {
        assert!(!prose.contains(tag), "{tag} would show as text:\n{prose}");
    }
    assert!(prose.contains("> **Caution**"), "{prose}");
    assert!(prose.contains("**Planned changes**"), "{prose}");
    assert!(prose.contains("**Full output**"), "{prose}");
}

#[test]
fn comments_are_read_over_every_page_and_deleted_ones_are_skipped() {
    let fake = bitbucket();
    for i in 0..230 {
        fake.add_comment(
            WORKSPACE,
            REPO,
            PR,
            "alice",
            &format!("review note {i}"),
            false,
        );
    }
    // A deleted comment of ours is still listed; it must not be the one updated.
    let deleted = format!("## :memo: Plan · `prod`\n\nold\n\n{MARKER}");
    fake.add_comment(WORKSPACE, REPO, PR, USERNAME, &deleted, true);
    let first = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert!(
        first.stderr.contains("Bitbucket comment created"),
        "{}",
        first.stderr
    );
    fake.clear_log();
    let second = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        second.stderr.contains("Bitbucket comment updated"),
        "found on the third page: {}",
        second.stderr
    );
    let lines = fake.request_lines();
    assert_eq!(
        &lines[..3],
        [
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100",
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100&page=2",
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100&page=3",
        ]
    );
    let ours: Vec<_> = fake
        .comments(WORKSPACE, REPO, PR)
        .into_iter()
        .filter(|c| c.user == USERNAME)
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].raw.contains("No changes"));
    fake.assert_no_violations();
}

#[test]
fn apply_posts_a_new_comment_each_time_and_delete_and_new_replaces_them() {
    let fake = bitbucket();
    let target = ["--pr", "7", "--sha", HEAD];
    run(&fake, "apply", "1.11/apply_create_only.txt", &target, &[]);
    run(&fake, "apply", "1.11/apply_create_only.txt", &target, &[]);
    assert_eq!(bodies(&fake).len(), 2, "apply's default is `new`");
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_mixed.txt",
        &target,
        &["--comment", "delete-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(bodies(&fake).len(), 1, "the earlier ones are deleted");
    assert_eq!(
        fake.all_comments(WORKSPACE, REPO, PR).len(),
        3,
        "Bitbucket keeps them, marked deleted"
    );
    fake.assert_no_violations();
}

#[test]
fn hide_and_new_deletes_the_earlier_comment_as_bitbucket_cannot_hide_it() {
    let fake = bitbucket();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let ran = plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--comment", "hide-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let bodies = bodies(&fake);
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("update"), "{}", bodies[0]);
    fake.assert_no_violations();
}

#[test]
fn without_a_pr_the_commit_finds_it_or_the_run_says_why_nothing_was_posted() {
    let fake = bitbucket();
    let merge = "2222222222222222222222222222222222222222";
    fake.add_pull(
        WORKSPACE,
        REPO,
        8,
        "3333333333333333333333333333333333333333",
    );
    fake.merge_pull(WORKSPACE, REPO, 8, merge);
    let merged = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", merge],
        &[],
    );
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    assert_eq!(fake.comments(WORKSPACE, REPO, 8).len(), 1);

    let open = run(
        &fake,
        "plan",
        "1.11/plan_create_only.txt",
        &["--sha", HEAD],
        &[],
    );
    assert_eq!(open.code, Some(0), "{}", open.stderr);
    assert_eq!(fake.comments(WORKSPACE, REPO, PR).len(), 1);

    let lonely = "4444444444444444444444444444444444444444";
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", lonely],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("tfnotify: Bitbucket comment skipped: no pull request"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("commit `444444444444` belongs to no pull request"),
        "{}",
        ran.stderr
    );

    fake.set_commit_links(CommitLinks::Indexing);
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", merge],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Bitbucket is still indexing the pull requests of `acme/infra`"),
        "{}",
        ran.stderr
    );

    fake.set_commit_links(CommitLinks::NotInstalled);
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", merge],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Bitbucket cannot tell the pull request of commit `222222222222`")
            && ran.stderr.contains("Go to pull request"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        fake.comments(WORKSPACE, REPO, 8).len(),
        1,
        "nothing more posted"
    );
    fake.assert_no_violations();
}

#[test]
fn a_job_for_an_older_commit_never_overwrites_the_newer_comment() {
    let fake = bitbucket();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let old = "0000000000000000000000000000000000000000";
    let ran = run(
        &fake,
        "plan",
        "1.11/plan_no_changes.txt",
        &["--pr", "7", "--sha", old],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("skipped: the comment is for a newer commit"),
        "the head's 12-digit hash is matched to the full one: {}",
        ran.stderr
    );
    assert!(
        bodies(&fake)[0].contains("## :memo: Plan"),
        "left as it was"
    );

    let newer = "5555555555555555555555555555555555555555";
    fake.push(WORKSPACE, REPO, PR, newer);
    let ran = run(
        &fake,
        "plan",
        "1.11/plan_no_changes.txt",
        &["--pr", "7", "--sha", newer],
        &[],
    );
    assert!(
        ran.stderr.contains("Bitbucket comment updated"),
        "{}",
        ran.stderr
    );
}

#[test]
fn skip_no_changes_posts_nothing_for_an_empty_plan() {
    let fake = bitbucket();
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Bitbucket comment skipped: no changes"),
        "{}",
        ran.stderr
    );
    assert!(bodies(&fake).is_empty());
    let lines = fake.request_lines();
    assert!(
        lines.iter().all(|l| !l.contains("labels")),
        "no labels on Bitbucket: {lines:?}"
    );
}

#[test]
fn a_50000_resource_plan_stays_under_32768_characters() {
    let fake = bitbucket();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = against(&fake)
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(text)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    assert!(body.chars().count() < 32_768, "{}", body.chars().count());
    assert!(body.contains("This message was shortened to fit"));
    assert!(body.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    fake.assert_no_violations();
}

/// A failing request: exit 3 after the pass-through, Bitbucket's message and our hint on
/// stderr, and no credential anywhere.
#[track_caller]
fn fails_with(status: u16, body: &str, message: &str, hint: &str) {
    let fake = bitbucket();
    fake.fail_next(
        "*",
        "/repositories/acme/infra/pullrequests/7/comments",
        status,
        &[],
        body,
        10,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_create_only.txt"),
        "passed through"
    );
    let line = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: Bitbucket:"))
        .unwrap_or_default();
    assert!(
        line.contains(&format!("failed with status {status}: {message}")),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains(hint), "{}", ran.stderr);
    assert!(!ran.stderr.contains(APP_PASSWORD));
    assert!(!ran.stderr.contains(&basic()));
}

#[test]
fn refusals_exit_3_with_a_hint_and_never_show_the_credentials() {
    fails_with(
        401,
        r#"{"type":"error","error":{"message":"Token is invalid, expired, or not supported for this endpoint."}}"#,
        "Token is invalid, expired, or not supported for this endpoint.",
        "hint: the credentials are invalid or expired; check `BITBUCKET_TOKEN`",
    );
    fails_with(
        403,
        r#"{"type":"error","error":{"message":"Your credentials lack one or more required privilege scopes.","detail":{"granted":["repository"],"required":["pullrequest:write"]}}}"#,
        "Your credentials lack one or more required privilege scopes. (granted repository; required pullrequest:write)",
        "the credentials need the `pullrequest:write` scope and access to `acme/infra`",
    );
    fails_with(
        404,
        r#"{"type":"error","error":{"message":"Repository acme/infra not found"}}"#,
        "Repository acme/infra not found",
        "check that `acme/infra` (workspace and repository slug) and the pull request exist",
    );
    fails_with(
        400,
        r#"{"type":"error","error":{"message":"Bad request","fields":{"content.raw":["Please enter a non-empty value less than 32768 characters"]}}}"#,
        "Bad request (content.raw Please enter a non-empty value less than 32768 characters)",
        "the comment is over Bitbucket's 32,768 characters, which tfnotify should have prevented",
    );
}

#[test]
fn server_errors_and_rate_limits_are_retried() {
    let fake = bitbucket();
    let comments = "/repositories/acme/infra/pullrequests/7/comments";
    fake.fail_next(
        "GET",
        comments,
        500,
        &[],
        r#"{"type":"error","error":{"message":"Something went wrong"}}"#,
        1,
    );
    fake.fail_next(
        "POST",
        comments,
        429,
        &[("Retry-After", "1")],
        r#"{"type":"error","error":{"message":"Rate limit for this resource has been exceeded"}}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        fake.request_lines(),
        [
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100",
            "GET /repositories/acme/infra/pullrequests/7/comments?pagelen=100",
            "POST /repositories/acme/infra/pullrequests/7/comments",
            "POST /repositories/acme/infra/pullrequests/7/comments",
        ]
    );
    assert_eq!(bodies(&fake).len(), 1);
}

#[test]
fn an_app_password_signs_with_basic_and_neither_it_nor_its_header_leaks() {
    let fake = bitbucket();
    let secret = "hunter2-db-password";
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!(
            "\nterraform_data.x: note {secret}, {APP_PASSWORD} and {}\n",
            basic()
        );
    let ran = Test::new()
        .env("BITBUCKET_USERNAME", USERNAME)
        .env("BITBUCKET_APP_PASSWORD", APP_PASSWORD)
        .env("BITBUCKET_API_URL", fake.api_url())
        .env("DB_PASSWORD", secret)
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD")
        .args([
            "--notifier",
            "bitbucket",
            "--owner",
            WORKSPACE,
            "--repo",
            REPO,
        ])
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(input)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.comments(WORKSPACE, REPO, PR)[0].user, USERNAME);
    assert!(
        ran.stdout_text().contains("note ***, *** and ***"),
        "{}",
        ran.stdout_text()
    );
    for leak in [secret, APP_PASSWORD, basic().as_str()] {
        assert!(!ran.stderr.contains(leak));
        for request in fake.requests() {
            assert!(!request.body.contains(leak), "{}", request.line());
        }
    }
    assert!(bodies(&fake)[0].contains("note ***, *** and ***"));
}

#[test]
fn credentials_outside_pipelines_post_nothing_unless_asked() {
    let fake = bitbucket();
    let ran = Test::new()
        .env("BITBUCKET_TOKEN", TOKEN)
        .env("BITBUCKET_API_URL", fake.api_url())
        .args([
            "--owner", WORKSPACE, "--repo", REPO, "--pr", "7", "plan", "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        fake.requests().is_empty(),
        "the repository may be on another forge"
    );
}

#[test]
fn half_of_a_basic_credential_is_reported_before_anything_is_sent() {
    let fake = bitbucket();
    let ran = Test::new()
        .env("BITBUCKET_USERNAME", USERNAME)
        .env("BITBUCKET_API_URL", fake.api_url())
        .args([
            "--owner",
            WORKSPACE,
            "--repo",
            REPO,
            "--pr",
            "7",
            "--notifier",
            "bitbucket",
        ])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Bitbucket: `BITBUCKET_USERNAME` is set but no password"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: set `BITBUCKET_APP_PASSWORD`"),
        "{}",
        ran.stderr
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn bitbucket_pipelines_needs_no_flags() {
    let fake = bitbucket();
    let pipeline = || {
        Test::new()
            .env("CI", "true")
            .env("BITBUCKET_BUILD_NUMBER", "145")
            .env("BITBUCKET_WORKSPACE", WORKSPACE)
            .env("BITBUCKET_REPO_SLUG", REPO)
            .env("BITBUCKET_REPO_FULL_NAME", "acme/infra")
            .env("BITBUCKET_COMMIT", HEAD)
            .env("BITBUCKET_PR_ID", "7")
            .env("BITBUCKET_BRANCH", "topic")
            .env("BITBUCKET_EMAIL", USERNAME)
            .env("BITBUCKET_API_TOKEN", APP_PASSWORD)
            .env("BITBUCKET_API_URL", fake.api_url())
            .args(["--var", "target:prod", "plan", "--quiet"])
            .stdin(fixture("1.11/plan_create_only.txt"))
    };
    let ran = pipeline().env("BITBUCKET_STEP_UUID", "{3c1e-1}").run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    assert!(
        body.contains("[CI link](https://bitbucket.org/acme/infra/pipelines/results/145)"),
        "{body}"
    );
    assert!(ends_with_marker(body), "{body}");
    // A re-run has a new step UUID; the comment is still the same.
    let rerun = pipeline().env("BITBUCKET_STEP_UUID", "{3c1e-2}").run();
    assert!(
        rerun.stderr.contains("Bitbucket comment unchanged"),
        "{}",
        rerun.stderr
    );
    fake.assert_no_violations();
}

#[test]
fn hostile_resource_names_stay_inside_code() {
    let fake = bitbucket();
    let plan_text = String::from_utf8(fixture("1.11/plan_destroy.txt")).expect("utf-8");
    let hostile = r"x ``` </details><img src=x onerror=alert(1)> @everyone @{557058:admin} [link](https://evil.example) [//]: # (tfnotify: {}) ```";
    let input = plan_text.replace(
        "terraform_data.instance[0]",
        &format!("terraform_data.instance[\"{hostile}\"]"),
    );
    let ran = against(&fake)
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
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
        "@{557058",
        "evil.example",
        "</details>",
    ] {
        assert!(
            !prose.contains(fragment),
            "{fragment} outside code in:\n{prose}"
        );
    }
    // The only marker line is ours, and it still reads back.
    assert_eq!(prose.matches("[//]: # (tfnotify:").count(), 1, "{prose}");
    let again = against(&fake)
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(plan_text)
        .run();
    assert!(
        again.stderr.contains("Bitbucket comment updated"),
        "{}",
        again.stderr
    );
    assert_eq!(bodies(&fake).len(), 1);
}

/// The requests that wrote or deleted comment `id`.
fn touching(fake: &FakeBitbucket, id: u64) -> Vec<String> {
    let path = format!("/comments/{id}");
    fake.request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET") && l.ends_with(&path))
        .collect()
}

fn whoami_count(fake: &FakeBitbucket) -> usize {
    fake.request_lines()
        .iter()
        .filter(|l| *l == "GET /user")
        .count()
}

/// A comment by someone else that ends in a copy of our marker, posted after ours.
fn plant(fake: &FakeBitbucket) -> common::fake_bitbucket::Comment {
    let body = format!("## :white_check_mark: No changes · `prod`\n\nNothing to see.\n\n{MARKER}");
    fake.add_comment(WORKSPACE, REPO, PR, "mallory", &body, false);
    fake.comments(WORKSPACE, REPO, PR)
        .pop()
        .expect("the planted comment")
}

#[test]
fn a_comment_by_another_user_with_a_copy_of_the_marker_is_never_touched() {
    for behaviour in ["update", "new", "hide-and-new", "delete-and-new"] {
        let fake = bitbucket();
        plan(&fake, "1.11/plan_create_only.txt", &[]);
        let ours = fake.comments(WORKSPACE, REPO, PR)[0].clone();
        let planted = plant(&fake);
        fake.clear_log();
        let ran = plan(
            &fake,
            "1.11/plan_update_in_place.txt",
            &["--comment", behaviour],
        );
        assert_eq!(ran.code, Some(0), "{behaviour}: {}", ran.stderr);
        assert_eq!(
            touching(&fake, planted.id),
            Vec::<String>::new(),
            "{behaviour}"
        );
        let now = fake.comments(WORKSPACE, REPO, PR);
        assert!(
            now.contains(&planted),
            "{behaviour}: left exactly as it was"
        );
        assert!(
            ran.stderr.contains(&format!(
                "tfnotify: warning: Bitbucket: the comment https://bitbucket.org/acme/infra/pull-requests/7#comment-{} by another user, `mallory`, carries tfnotify's marker; it was left alone",
                planted.id
            )),
            "{behaviour}: {}",
            ran.stderr
        );
        assert_eq!(whoami_count(&fake), 1, "{behaviour}: read once");
        let mine = now.iter().find(|c| c.id == ours.id);
        match behaviour {
            "update" => {
                let mine = mine.expect("ours is still there");
                assert!(mine.raw.contains("to change"), "ours got the plan");
                assert_eq!(now.len(), 2);
            }
            "new" => {
                assert_eq!(mine, Some(&ours), "ours left as it was");
                assert_eq!(now.len(), 3);
            }
            // Bitbucket cannot hide a comment: `hide-and-new` deletes ours.
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
    let fake = bitbucket();
    let planted = plant(&fake);
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("skipped: no changes"), "{}", ran.stderr);
    assert_eq!(fake.comments(WORKSPACE, REPO, PR), vec![planted.clone()]);
    assert_eq!(touching(&fake, planted.id), Vec::<String>::new());
    fake.assert_no_violations();
}

#[test]
fn an_access_token_cannot_say_whose_it_is_so_each_run_posts_a_new_comment_and_says_why() {
    let fake = bitbucket();
    let with_token = || {
        Test::new()
            .env("BITBUCKET_TOKEN", TOKEN)
            .env("BITBUCKET_API_URL", fake.api_url())
            .args([
                "--notifier",
                "bitbucket",
                "--owner",
                WORKSPACE,
                "--repo",
                REPO,
            ])
            .args([
                "--var",
                "target:prod",
                "--pr",
                "7",
                "--sha",
                HEAD,
                "plan",
                "--quiet",
            ])
            .stdin(fixture("1.11/plan_create_only.txt"))
            .run()
    };
    let first = with_token();
    assert!(
        first.stderr.contains("Bitbucket comment created"),
        "{}",
        first.stderr
    );
    assert_eq!(whoami_count(&fake), 0, "nothing marked yet, nothing to ask");
    let ours = fake.comments(WORKSPACE, REPO, PR)[0].clone();
    assert_eq!(ours.user, TOKEN_USER);
    fake.clear_log();
    let second = with_token();
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(
        second.stderr.contains("Bitbucket comment created"),
        "{}",
        second.stderr
    );
    assert_eq!(touching(&fake, ours.id), Vec::<String>::new());
    assert_eq!(whoami_count(&fake), 1);
    let warnings: Vec<&str> = second
        .stderr
        .lines()
        .filter(|l| l.starts_with("tfnotify: warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "once: {}", second.stderr);
    assert!(
        warnings[0].contains("This API is not accessible by this authentication mechanism")
            && warnings[0].contains("`read:user:bitbucket`"),
        "why, and what fixes it: {}",
        warnings[0]
    );
    assert_eq!(fake.comments(WORKSPACE, REPO, PR).len(), 2);
    fake.assert_no_violations();
}
