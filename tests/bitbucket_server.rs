//! The real binary against a fake Bitbucket Server / Data Center: one living comment per
//! target found through the activity feed, versioned edits and deletes (and the 409 when
//! someone edited first), pull requests found from the commit, the 32,768-character
//! limit, errors with hints, and the token kept out of every output.

mod common;

use common::fake_bitbucket_server::{FakeBitbucketServer, MAX_LIMIT, TOKEN, TOKEN_USER, WHOAMI};
use common::markdown::outside_code;
use common::run::{Ran, Test, fixture};

const PROJECT: &str = "INFRA";
const REPO: &str = "terraform";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";
const ACTIVITIES: &str = "/pull-requests/7/activities";

/// A fake with one open pull request whose head is `HEAD`.
fn server() -> FakeBitbucketServer {
    let fake = FakeBitbucketServer::start();
    fake.add_pull(PROJECT, REPO, PR, HEAD);
    fake
}

/// A job (Jenkins, Bamboo: no CI detection) that names everything by flags and env.
fn against(fake: &FakeBitbucketServer) -> Test {
    Test::new()
        .env("BITBUCKET_SERVER_TOKEN", TOKEN)
        .env("BITBUCKET_SERVER_URL", fake.url())
        .args([
            "--notifier",
            "bitbucket-server",
            "--owner",
            PROJECT,
            "--repo",
            REPO,
        ])
        .args(["--var", "target:prod"])
}

fn run(
    fake: &FakeBitbucketServer,
    command: &str,
    input: &str,
    target: &[&str],
    extra: &[&str],
) -> Ran {
    against(fake)
        .args(target.iter().copied())
        .args([command, "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

/// `tfnotify plan` as a job for `HEAD` on the pull request.
fn plan(fake: &FakeBitbucketServer, input: &str, extra: &[&str]) -> Ran {
    run(fake, "plan", input, &["--pr", "7", "--sha", HEAD], extra)
}

fn bodies(fake: &FakeBitbucketServer) -> Vec<String> {
    fake.comments(PROJECT, REPO, PR)
        .into_iter()
        .map(|c| c.text)
        .collect()
}

fn activities(start: usize) -> String {
    format!("GET {ACTIVITIES}?start={start}&limit=100")
}

const MARKER_OF_MIXED: &str = r#"[//]: # (tfnotify: {"Command":"plan","PRNumber":7,"Program":"tfnotify","Result":{"Add":12,"Change":5,"Destroy":7,"HasDestroy":true,"Import":1,"Outcome":"changes"},"SHA1":"1111111111111111111111111111111111111111","Target":"prod"})"#;
const MARKER: &str = r#"[//]: # (tfnotify: {"Command":"plan","PRNumber":7,"Program":"tfnotify","SHA1":"1111111111111111111111111111111111111111","Target":"prod"})"#;

#[test]
fn the_first_run_creates_the_comment_the_next_ones_update_it_in_place() {
    let fake = server();
    let first = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let comments = fake.comments(PROJECT, REPO, PR);
    assert_eq!(comments.len(), 1);
    let link = format!(
        "tfnotify: Bitbucket Server comment created: {}/projects/INFRA/repos/terraform/pull-requests/7/overview?commentId={}",
        fake.url(),
        comments[0].id
    );
    assert!(first.stderr.contains(&link), "{}", first.stderr);
    assert_eq!(comments[0].user, TOKEN_USER);
    let body = &comments[0].text;
    assert!(
        body.starts_with("## :warning: Plan destroys resources · `prod`"),
        "{body}"
    );
    assert!(body.ends_with(&format!("\n\n{MARKER_OF_MIXED}")), "{body}");
    assert!(
        !body.contains("<!--"),
        "no HTML comment, which Server escapes"
    );
    let requests = fake.requests();
    assert_eq!(
        fake.request_lines(),
        [activities(0), "POST /pull-requests/7/comments".to_owned()]
    );
    let post = &requests[1];
    assert_eq!(post.headers["authorization"], format!("Bearer {TOKEN}"));
    assert_eq!(
        post.json()
            .expect("JSON")
            .as_object()
            .map(serde_json::Map::len),
        Some(1),
        "only `text`: {}",
        post.body
    );

    fake.clear_log();
    let again = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert!(
        again
            .stderr
            .contains("tfnotify: Bitbucket Server comment unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(
        fake.request_lines(),
        [activities(0), format!("GET {WHOAMI}")],
        "no write; the token's username read once to tell our comment from a copy"
    );

    let id = comments[0].id;
    let changed = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        changed
            .stderr
            .contains("tfnotify: Bitbucket Server comment updated"),
        "{}",
        changed.stderr
    );
    let put = fake.requests().pop().expect("a request");
    assert_eq!(put.line(), format!("PUT /pull-requests/7/comments/{id}"));
    let sent = put.json().expect("JSON");
    assert_eq!(sent["version"], 0, "the version read");
    assert!(
        sent["text"]
            .as_str()
            .is_some_and(|t| t.contains("No changes"))
    );
    let comments = fake.comments(PROJECT, REPO, PR);
    assert_eq!(comments.len(), 1, "still one living comment");
    assert_eq!(comments[0].version, 1);
    assert!(
        comments[0]
            .text
            .starts_with("## :white_check_mark: No changes")
    );

    // The next edit names the new version.
    let third = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert!(third.stderr.contains("comment updated"), "{}", third.stderr);
    assert_eq!(fake.comments(PROJECT, REPO, PR)[0].version, 2);
    fake.assert_no_violations();
}

#[test]
fn the_server_url_may_be_given_with_the_api_path() {
    let fake = server();
    let ran = against(&fake)
        .env(
            "BITBUCKET_SERVER_URL",
            format!("{}/rest/api/1.0/", fake.url()),
        )
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(bodies(&fake).len(), 1);
    fake.assert_no_violations();
}

#[test]
fn the_message_shows_no_html_outside_code() {
    let fake = server();
    let ran = plan(&fake, "1.11/plan_destroy.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &bodies(&fake)[0];
    let prose = outside_code(body);
    for tag in ["<details>", "<summary>", "</details>", "<b>", "[!CAUTION]"] {
        assert!(!prose.contains(tag), "{tag} would show as text:\n{prose}");
    }
    assert!(prose.contains("> **Caution**"), "{prose}");
    assert!(prose.contains("**Planned changes**"), "{prose}");
}

#[test]
fn the_activity_feed_is_read_over_every_page() {
    let fake = server();
    let first = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert!(first.stderr.contains("comment created"), "{}", first.stderr);
    // Our comment is now far down the feed, which runs newest first.
    for i in 0..70 {
        fake.add_comment(PROJECT, REPO, PR, "alice", &format!("review note {i}"), 0);
        fake.add_event(PROJECT, REPO, PR);
    }
    fake.clear_log();
    let second = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        second.stderr.contains("Bitbucket Server comment updated"),
        "{}",
        second.stderr
    );
    let lines = fake.request_lines();
    // The fake gives at most 50 a page, whatever was asked, so the client follows
    // `nextPageStart` rather than its own `limit`.
    let pages: Vec<String> = (0..3).map(|i| activities(i * MAX_LIMIT)).collect();
    assert_eq!(&lines[..3], pages.as_slice(), "{lines:#?}");
    let ours: Vec<_> = fake
        .comments(PROJECT, REPO, PR)
        .into_iter()
        .filter(|c| c.user == TOKEN_USER)
        .collect();
    assert_eq!(ours.len(), 1);
    assert!(ours[0].text.contains("No changes"));
    fake.assert_no_violations();
}

#[test]
fn an_edit_that_lost_a_race_reads_the_version_again_and_retries_once() {
    let fake = server();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let id = fake.comments(PROJECT, REPO, PR)[0].id;
    fake.race_next_edit();
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("comment updated"), "{}", ran.stderr);
    let put = format!("PUT /pull-requests/7/comments/{id}");
    assert_eq!(
        fake.request_lines(),
        [
            activities(0),
            format!("GET {WHOAMI}"),
            put.clone(),
            format!("GET /pull-requests/7/comments/{id}"),
            put,
        ]
    );
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [200, 200, 409, 200, 200]);
    let comments = fake.comments(PROJECT, REPO, PR);
    assert_eq!(comments[0].version, 2, "after theirs and ours");
    assert!(comments[0].text.contains("No changes"));
    fake.assert_no_violations();
}

#[test]
fn an_edit_that_keeps_losing_is_reported() {
    let fake = server();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let conflict = r#"{"errors":[{"message":"You are attempting to modify a comment based on out-of-date information.","exceptionName":"com.atlassian.bitbucket.comment.CommentOutOfDateException","currentVersion":4}]}"#;
    fake.fail_next(
        "PUT",
        "/projects/INFRA/repos/terraform/pull-requests/7/comments/",
        409,
        conflict,
        5,
    );
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "failed with status 409: You are attempting to modify a comment based on out-of-date information."
        ),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains(
            "hint: the comment was changed by someone else while tfnotify edited it; run again"
        ),
        "{}",
        ran.stderr
    );
    let puts = fake
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("PUT "))
        .count();
    assert_eq!(puts, 2, "one retry, not a loop");
    assert!(bodies(&fake)[0].contains("Create"), "left as it was");
}

#[test]
fn apply_posts_a_new_comment_each_time_and_delete_and_new_replaces_them() {
    let fake = server();
    let target = ["--pr", "7", "--sha", HEAD];
    run(&fake, "apply", "1.11/apply_create_only.txt", &target, &[]);
    run(&fake, "apply", "1.11/apply_create_only.txt", &target, &[]);
    assert_eq!(bodies(&fake).len(), 2, "apply's default is `new`");
    let old: Vec<u64> = fake
        .comments(PROJECT, REPO, PR)
        .iter()
        .map(|c| c.id)
        .collect();
    fake.clear_log();
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_mixed.txt",
        &target,
        &["--comment", "delete-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(bodies(&fake).len(), 1, "the earlier ones are deleted");
    let lines = fake.request_lines();
    for id in old {
        let delete = format!("DELETE /pull-requests/7/comments/{id}?version=0");
        assert!(lines.contains(&delete), "{lines:#?}");
    }
    fake.assert_no_violations();
}

#[test]
fn hide_and_new_deletes_the_earlier_comment_as_server_cannot_hide_it() {
    let fake = server();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    // Edited once, so the delete must name version 1.
    plan(&fake, "1.11/plan_no_changes.txt", &[]);
    let ran = plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--comment", "hide-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let bodies = bodies(&fake);
    assert_eq!(bodies.len(), 1);
    assert!(bodies[0].contains("update"), "{}", bodies[0]);
    assert!(
        fake.request_lines()
            .iter()
            .any(|l| l.starts_with("DELETE ") && l.ends_with("?version=1")),
        "{:#?}",
        fake.request_lines()
    );
    fake.assert_no_violations();
}

#[test]
fn without_a_pr_the_commit_finds_it_or_the_run_says_why_nothing_was_posted() {
    let fake = server();
    let merge = "2222222222222222222222222222222222222222";
    fake.add_pull(PROJECT, REPO, 8, "3333333333333333333333333333333333333333");
    fake.merge_pull(PROJECT, REPO, 8, merge);
    let merged = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", merge],
        &[],
    );
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    assert_eq!(fake.comments(PROJECT, REPO, 8).len(), 1);
    assert!(
        fake.request_lines().contains(&format!(
            "GET /commits/{merge}/pull-requests?start=0&limit=50"
        )),
        "{:#?}",
        fake.request_lines()
    );

    // The head of the open pull request 7 is also in the merged 8's history here: open wins.
    fake.merge_pull(PROJECT, REPO, 8, HEAD);
    let open = run(
        &fake,
        "plan",
        "1.11/plan_create_only.txt",
        &["--sha", HEAD],
        &[],
    );
    assert_eq!(open.code, Some(0), "{}", open.stderr);
    assert_eq!(fake.comments(PROJECT, REPO, PR).len(), 1);
    assert_eq!(fake.comments(PROJECT, REPO, 8).len(), 1);

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
            .contains("tfnotify: Bitbucket Server comment skipped: no pull request"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("commit `444444444444` belongs to no pull request"),
        "{}",
        ran.stderr
    );
    fake.assert_no_violations();
}

#[test]
fn a_job_for_an_older_commit_never_overwrites_the_newer_comment() {
    let fake = server();
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
        "{}",
        ran.stderr
    );
    assert!(
        fake.request_lines()
            .contains(&"GET /pull-requests/7".to_owned())
    );
    assert!(
        bodies(&fake)[0].contains("## :memo: Plan"),
        "left as it was"
    );

    let newer = "5555555555555555555555555555555555555555";
    fake.push(PROJECT, REPO, PR, newer);
    let ran = run(
        &fake,
        "plan",
        "1.11/plan_no_changes.txt",
        &["--pr", "7", "--sha", newer],
        &[],
    );
    assert!(ran.stderr.contains("comment updated"), "{}", ran.stderr);
}

#[test]
fn a_50000_resource_plan_stays_under_32768_characters() {
    let fake = server();
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

/// A failing run: exit 3 after the pass-through, Server's message and our hint on stderr,
/// and the token nowhere.
#[track_caller]
fn fails(ran: &Ran, status: u16, message: &str, hint: &str) {
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_create_only.txt"),
        "passed through"
    );
    let line = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: Bitbucket Server:"))
        .unwrap_or_default();
    assert!(
        line.contains(&format!("failed with status {status}: {message}")),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains(hint), "{}", ran.stderr);
    assert!(!ran.stderr.contains(TOKEN) && !ran.stdout_text().contains(TOKEN));
}

#[test]
fn a_wrong_token_exits_3_with_a_hint_and_is_never_shown() {
    let fake = server();
    let wrong = "BBDC-WrongTokenThatServerDoesNotKnow0123456789";
    let ran = against(&fake)
        .env("BITBUCKET_SERVER_TOKEN", wrong)
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    fails(
        &ran,
        401,
        "Authentication failed. Please check your credentials and try again.",
        "hint: the token is invalid, expired or revoked; check `BITBUCKET_SERVER_TOKEN`",
    );
    assert!(!ran.stderr.contains(wrong), "{}", ran.stderr);
    assert!(bodies(&fake).is_empty());
}

#[test]
fn refusals_exit_3_with_a_hint() {
    let fake = server();
    let ran = Test::new()
        .env("BITBUCKET_SERVER_TOKEN", TOKEN)
        .env("BITBUCKET_SERVER_URL", fake.url())
        .args(["--notifier", "bitbucket-server", "--owner", PROJECT])
        .args([
            "--repo",
            "no-such-repo",
            "--pr",
            "7",
            "--sha",
            HEAD,
            "plan",
            "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    fails(
        &ran,
        404,
        "Repository INFRA/no-such-repo does not exist.",
        "check that `INFRA/no-such-repo` (project key and repository slug) and the pull request exist",
    );

    let fake = server();
    let ran = against(&fake)
        .args(["--pr", "9", "--sha", HEAD, "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    fails(
        &ran,
        404,
        "The requested pull request does not exist.",
        "and the pull request exist",
    );

    let fake = server();
    fake.fail_next(
        "POST",
        "/projects/INFRA/repos/terraform/pull-requests/7/comments",
        403,
        r#"{"errors":[{"context":null,"message":"You are not permitted to access this resource","exceptionName":"com.atlassian.bitbucket.AuthorisationException"}]}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    fails(
        &ran,
        403,
        "You are not permitted to access this resource",
        "the token needs the repository read and pull request write permissions",
    );

    let fake = server();
    fake.fail_next(
        "POST",
        "/projects/INFRA/repos/terraform/pull-requests/7/comments",
        400,
        r#"{"errors":[{"context":"text","message":"Please enter a non-empty value less than 32768 characters","exceptionName":null}]}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    fails(
        &ran,
        400,
        "Please enter a non-empty value less than 32768 characters",
        "the comment is over Bitbucket's 32,768 characters",
    );
}

#[test]
fn server_errors_are_retried() {
    let fake = server();
    fake.fail_next(
        "GET",
        "/projects/INFRA/repos/terraform/pull-requests/7/activities",
        503,
        r#"{"errors":[{"context":null,"message":"Bitbucket is starting up","exceptionName":null}]}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(bodies(&fake).len(), 1);
}

#[test]
fn a_missing_token_or_server_is_reported_before_anything_is_sent() {
    let fake = server();
    let ran = Test::new()
        .env("BITBUCKET_SERVER_URL", fake.url())
        .args([
            "--notifier",
            "bitbucket-server",
            "--owner",
            PROJECT,
            "--repo",
            REPO,
        ])
        .args(["--pr", "7", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Bitbucket Server: no token"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("set `BITBUCKET_SERVER_TOKEN`"),
        "{}",
        ran.stderr
    );

    let ran = Test::new()
        .env("BITBUCKET_SERVER_TOKEN", TOKEN)
        .args([
            "--notifier",
            "bitbucket-server",
            "--owner",
            PROJECT,
            "--repo",
            REPO,
        ])
        .args(["--pr", "7", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("set `BITBUCKET_SERVER_URL`"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(TOKEN));
    assert!(fake.requests().is_empty());
}

#[test]
fn the_url_and_the_token_together_post_without_naming_the_notifier() {
    let fake = server();
    let ran = Test::new()
        .env("BITBUCKET_SERVER_TOKEN", TOKEN)
        .env("BITBUCKET_SERVER_URL", fake.url())
        .args([
            "--owner", PROJECT, "--repo", REPO, "--pr", "7", "--sha", HEAD,
        ])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(bodies(&fake).len(), 1);
}

#[test]
fn hostile_resource_names_stay_inside_code() {
    let fake = server();
    let plan_text = String::from_utf8(fixture("1.11/plan_destroy.txt")).expect("utf-8");
    let hostile = r"x ``` </details><img src=x onerror=alert(1)> @everyone @admin [link](https://evil.example) [//]: # (tfnotify: {}) ```";
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
        "@admin",
        "evil.example",
        "</details>",
    ] {
        assert!(
            !prose.contains(fragment),
            "{fragment} outside code in:\n{prose}"
        );
    }
    assert_eq!(prose.matches("[//]: # (tfnotify:").count(), 1, "{prose}");
    let again = against(&fake)
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(plan_text)
        .run();
    assert!(again.stderr.contains("comment updated"), "{}", again.stderr);
    assert_eq!(bodies(&fake).len(), 1);
    fake.assert_no_violations();
}

#[test]
fn a_notifiers_entry_names_the_server_the_token_and_the_repository() {
    let fake = server();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = format!(
        "notifiers:\n  - type: bitbucket-server\n    base_url: {}\n    token: $BBS_TOKEN\n    repository: {{owner: {PROJECT}, name: {REPO}}}\n",
        fake.url()
    );
    std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("write config");
    let ran = Test::new()
        .dir(dir.path())
        .env("BBS_TOKEN", TOKEN)
        .env("BITBUCKET_SERVER_TOKEN", "BBDC-notthisone")
        .args([
            "--owner",
            "OTHER",
            "--repo",
            "elsewhere",
            "--pr",
            "7",
            "--sha",
            HEAD,
        ])
        .args(["--var", "target:prod", "plan"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(bodies(&fake).len(), 1, "on the entry's repository");
    assert!(!ran.stderr.contains(TOKEN), "{}", ran.stderr);
    fake.assert_no_violations();
}

#[test]
fn an_earlier_comment_with_replies_is_left_in_place_as_server_keeps_it() {
    let fake = server();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let first = fake.comments(PROJECT, REPO, PR)[0].id;
    fake.reply(PROJECT, REPO, first, "alice");
    fake.clear_log();
    let ran = plan(
        &fake,
        "1.11/plan_no_changes.txt",
        &["--comment", "delete-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&format!(
            "the earlier comment {}/projects/INFRA/repos/terraform/pull-requests/7/overview?commentId={first} has replies, which Bitbucket Server does not delete; it was left in place",
            fake.url()
        )),
        "{}",
        ran.stderr
    );
    assert!(
        fake.request_lines()
            .iter()
            .all(|l| !l.starts_with("DELETE")),
        "known from the feed: {:#?}",
        fake.request_lines()
    );
    assert_eq!(bodies(&fake).len(), 2);

    // A reply that arrives while tfnotify runs: the refusal is read as such.
    let second = fake.comments(PROJECT, REPO, PR)[1].id;
    fake.reply_before_next_edit();
    fake.clear_log();
    let ran = plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--comment", "delete-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains(&format!("commentId={second} has replies")),
        "{}",
        ran.stderr
    );
    let statuses: Vec<(String, u16)> = fake
        .requests()
        .iter()
        .map(|r| (r.line(), r.status))
        .collect();
    assert!(
        statuses.contains(&(
            format!("DELETE /pull-requests/7/comments/{second}?version=0"),
            409
        )) && statuses.contains(&(format!("GET /pull-requests/7/comments/{second}"), 200)),
        "{statuses:#?}"
    );
    assert_eq!(bodies(&fake).len(), 3, "both replied-to comments stay");
    fake.assert_no_violations();
}

/// The requests that wrote or deleted comment `id`.
fn touching(fake: &FakeBitbucketServer, id: u64) -> Vec<String> {
    let path = format!("/comments/{id}");
    fake.request_lines()
        .into_iter()
        .filter(|l| {
            !l.starts_with("GET") && (l.ends_with(&path) || l.contains(&format!("{path}?")))
        })
        .collect()
}

fn whoami_count(fake: &FakeBitbucketServer) -> usize {
    fake.request_lines()
        .iter()
        .filter(|l| **l == format!("GET {WHOAMI}"))
        .count()
}

/// A comment by someone else that ends in a copy of our marker, posted after ours.
fn plant(fake: &FakeBitbucketServer) -> common::fake_bitbucket_server::Comment {
    let body = format!("## :white_check_mark: No changes · `prod`\n\nNothing to see.\n\n{MARKER}");
    fake.add_comment(PROJECT, REPO, PR, "mallory", &body, 0);
    fake.comments(PROJECT, REPO, PR)
        .into_iter()
        .find(|c| c.user == "mallory")
        .expect("the planted comment")
}

#[test]
fn a_comment_by_another_user_with_a_copy_of_the_marker_is_never_touched() {
    for behaviour in ["update", "new", "hide-and-new", "delete-and-new"] {
        let fake = server();
        plan(&fake, "1.11/plan_create_only.txt", &[]);
        let ours = fake.comments(PROJECT, REPO, PR)[0].clone();
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
        let now = fake.comments(PROJECT, REPO, PR);
        assert!(
            now.contains(&planted),
            "{behaviour}: left exactly as it was"
        );
        assert!(
            ran.stderr.contains(&format!(
                "/projects/INFRA/repos/terraform/pull-requests/7/overview?commentId={} by another user, `mallory`, carries tfnotify's marker; it was left alone",
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
                assert!(mine.text.contains("to change"), "ours got the plan");
                assert_eq!(now.len(), 2);
            }
            "new" => {
                assert_eq!(mine, Some(&ours), "ours left as it was");
                assert_eq!(now.len(), 3);
            }
            // Server cannot hide a comment: `hide-and-new` deletes ours.
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
    let fake = server();
    let planted = plant(&fake);
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("skipped: no changes"), "{}", ran.stderr);
    assert_eq!(fake.comments(PROJECT, REPO, PR), vec![planted.clone()]);
    assert_eq!(touching(&fake, planted.id), Vec::<String>::new());
    fake.assert_no_violations();
}

#[test]
fn a_token_whose_user_cannot_be_read_touches_no_marked_comment_and_says_why() {
    let fake = server();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let ours = fake.comments(PROJECT, REPO, PR)[0].clone();
    fake.fail_whoami(401, "");
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_update_in_place.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Bitbucket Server comment created"),
        "{}",
        ran.stderr
    );
    assert_eq!(touching(&fake, ours.id), Vec::<String>::new());
    assert_eq!(whoami_count(&fake), 1);
    let warnings: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("tfnotify: warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "once: {}", ran.stderr);
    assert!(
        warnings[0].contains("401") && warnings[0].contains("/plugins/servlet/applinks/whoami"),
        "{}",
        warnings[0]
    );
    assert!(fake.comments(PROJECT, REPO, PR).contains(&ours));
    fake.assert_no_violations();
}
