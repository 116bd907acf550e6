//! The real binary against a faithful fake GitHub: comments, labels, retries, limits,
//! masks. Every request is checked against GitHub's OpenAPI description by the fake.

mod common;

use common::fake_github::FakeGitHub;
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

/// A fake with one open pull request whose head is `HEAD`.
fn github() -> FakeGitHub {
    FakeGitHub::with_pull(OWNER, REPO, PR, HEAD)
}

/// `tfnotify plan` against the fake, as a CI job for `sha` on the pull request.
fn plan(fake: &FakeGitHub, input: &str, extra: &[&str]) -> Ran {
    run(fake, "plan", input, &["--pr", "7", "--sha", HEAD], extra)
}

/// The environment a job has when its GitHub is the fake.
fn against(test: Test, fake: &FakeGitHub) -> Test {
    test.env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
}

fn run(fake: &FakeGitHub, command: &str, input: &str, target: &[&str], extra: &[&str]) -> Ran {
    against(Test::new(), fake)
        .args(["--owner", OWNER, "--repo", REPO, "--var", "target:prod"])
        .args(target.iter().copied())
        .args([command, "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

#[test]
fn the_first_run_creates_the_comment_the_next_ones_update_it_in_place() {
    let fake = github();
    let first = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stderr.contains("tfnotify: GitHub comment created: "),
        "{}",
        first.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .body
            .starts_with("## :warning: Plan destroys resources · `prod`")
    );
    assert!(comments[0].body.contains(r#"<!-- github-comment: {"Command":"plan","PRNumber":7,"Program":"tfnotify","Result":{"Add":12,"Change":5,"Destroy":7,"HasDestroy":true,"Import":1,"Outcome":"changes"},"SHA1":"1111111111111111111111111111111111111111","Target":"prod"} -->"#));

    fake.clear_log();
    let again = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert!(
        again.stderr.contains("tfnotify: GitHub comment unchanged"),
        "{}",
        again.stderr
    );
    assert_eq!(
        fake.request_lines(),
        vec![
            "GET /repos/acme/infra/issues/7/labels?per_page=100",
            "POST /graphql"
        ],
        "an identical body makes no write, only the two reads"
    );

    fake.clear_log();
    let changed = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        changed.stderr.contains("tfnotify: GitHub comment updated"),
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
    let fake = github();
    plan(&fake, "1.11/plan_update_in_place.txt", &[]);
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let lines = fake.request_lines();
    assert_eq!(
        lines,
        vec![
            "GET /repos/acme/infra/issues/7/labels?per_page=100".to_owned(),
            "POST /graphql".to_owned(),
            format!(
                "PATCH /repos/acme/infra/issues/comments/{}",
                fake.comments(OWNER, REPO, PR)[0].id
            ),
        ],
        "labels read once and already right, comments listed once (GraphQL, which tells hidden ones), the comment edited in place"
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"tfnotify/\d+\.\d+\.\d+", "tfnotify/[VERSION]");
    settings.bind(|| insta::assert_json_snapshot!("typical_plan_requests", fake.requests_json()));
    fake.assert_no_violations();
}

#[test]
fn labels_follow_the_result_and_others_are_never_touched() {
    let fake = github();
    fake.add_label(OWNER, REPO, "needs-review", "ededed", None);
    fake.add_label_to_pull(OWNER, REPO, PR, "needs-review");
    fake.add_comment(OWNER, REPO, PR, "alice", "LGTM once the plan is clean");

    plan(&fake, "1.11/plan_destroy_removed_from_config.txt", &[]);
    let mut labels = fake.labels_on(OWNER, REPO, PR);
    labels.sort();
    assert_eq!(labels, vec!["needs-review", "prod/destroy"]);
    let color = fake
        .repo_labels(OWNER, REPO)
        .into_iter()
        .find(|l| l.name == "prod/destroy");
    assert_eq!(color.map(|l| l.color), Some("d93f0b".to_owned()));

    plan(&fake, "1.11/plan_no_changes.txt", &[]);
    let mut labels = fake.labels_on(OWNER, REPO, PR);
    labels.sort();
    assert_eq!(labels, vec!["needs-review", "prod/no-changes"]);
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 2);
    assert_eq!(
        comments[0].body, "LGTM once the plan is clean",
        "someone else's comment"
    );
    let deletes = fake
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("DELETE"))
        .count();
    assert_eq!(deletes, 1, "only the wrong label of ours was removed");
    fake.assert_no_violations();
}

#[test]
fn a_50000_resource_plan_still_makes_a_valid_comment() {
    let fake = github();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = against(Test::new(), &fake)
        .args([
            "--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD, "plan", "--quiet",
        ])
        .stdin(text)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &fake.comments(OWNER, REPO, PR)[0].body;
    assert!(body.encode_utf16().count() <= 65_536);
    assert!(
        body.contains("This message was shortened to fit"),
        "the comment says so"
    );
    assert!(body.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    fake.assert_no_violations();
}

#[test]
fn a_429_with_retry_after_is_retried() {
    let fake = github();
    fake.fail_next(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        429,
        &[("retry-after", "1")],
        r#"{"message":"You have exceeded a secondary rate limit."}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let posts = fake
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("POST /repos/acme/infra/issues/7/comments"))
        .count();
    assert_eq!(posts, 2, "one refused, one accepted");
    assert_eq!(fake.comments(OWNER, REPO, PR).len(), 1);
}

#[test]
fn a_422_is_reported_with_github_s_message_and_fails_the_run_unless_ignored() {
    let fake = github();
    let refusal = r#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is invalid"}]}"#;
    fake.fail_next(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        422,
        &[],
        refusal,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(
        ran.code,
        Some(3),
        "a delivery failure after the pass-through"
    );
    assert!(ran.stdout == fixture("1.11/plan_create_only.txt"));
    let line = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: GitHub:"))
        .unwrap_or_default();
    assert!(
        line.contains("failed with status 422") && line.contains("Validation Failed"),
        "{line}"
    );
    let posts = fake
        .request_lines()
        .iter()
        .filter(|l| l.starts_with("POST /repos/acme/infra/issues/7/comments"))
        .count();
    assert_eq!(posts, 1, "a 422 is not retried");

    fake.fail_next(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        422,
        &[],
        refusal,
        1,
    );
    let ignored = plan(
        &fake,
        "1.11/plan_create_only.txt",
        &["--disable-label", "--ignore-notify-errors"],
    );
    assert_eq!(ignored.code, Some(0));
    assert!(
        ignored.stderr.contains("tfnotify: error: GitHub:"),
        "still reported"
    );
}

#[test]
fn a_403_explains_the_permission_and_the_fork_case() {
    let fake = github();
    fake.fail_next(
        "POST",
        "/repos/acme/infra/issues/7/comments",
        403,
        &[],
        r#"{"message":"Resource not accessible by integration"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(3));
    assert!(
        ran.stderr
            .contains("Resource not accessible by integration"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("hint: the token may lack `pull-requests: write`"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("GITHUB_STEP_SUMMARY"));
}

#[test]
fn the_token_and_masked_values_never_leave_the_machine() {
    let fake = github();
    let secret = "hunter2-db-password";
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {secret} and {}\n", fake.token());
    let ran = against(Test::new(), &fake)
        .args([
            "--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD, "plan", "--quiet",
        ])
        .env("DB_PASSWORD", secret)
        .env("TFNOTIFY_MASKS", "env:DB_PASSWORD,regexp:hunter[0-9]")
        .stdin(input)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let out = ran.stdout_text();
    assert!(
        !out.contains(secret) && !out.contains(fake.token()),
        "pass-through masked"
    );
    assert!(out.contains("note *** and ***"), "{out}");
    assert!(!ran.stderr.contains(fake.token()) && !ran.stderr.contains(secret));
    for request in fake.requests() {
        let body = request.body.clone().unwrap_or_default();
        assert!(
            !body.contains(secret) && !body.contains(fake.token()),
            "{}",
            request.line()
        );
    }
    assert!(
        fake.comments(OWNER, REPO, PR)[0]
            .body
            .contains("note *** and ***")
    );
}

#[test]
fn hide_and_new_hides_the_earlier_comment_and_delete_and_new_deletes_it() {
    let fake = github();
    plan(
        &fake,
        "1.11/plan_create_only.txt",
        &["--comment", "hide-and-new"],
    );
    plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--comment", "hide-and-new"],
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 2);
    assert!(comments[0].minimized.is_some(), "the earlier one is hidden");
    assert!(comments[1].minimized.is_none());

    plan(
        &fake,
        "1.11/plan_no_changes.txt",
        &["--comment", "delete-and-new"],
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1, "the earlier ones are deleted");
    assert!(comments[0].body.contains("No changes"));
    fake.assert_no_violations();
}

#[test]
fn without_a_pr_the_commit_finds_it_or_gets_a_commit_comment() {
    let fake = github();
    let found = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", HEAD],
        &[],
    );
    assert_eq!(found.code, Some(0), "{}", found.stderr);
    assert_eq!(
        fake.comments(OWNER, REPO, PR).len(),
        1,
        "found through the commit"
    );

    let lonely = "2222222222222222222222222222222222222222";
    let ran = run(
        &fake,
        "apply",
        "1.11/apply_create_only.txt",
        &["--sha", lonely],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.commit_comments(OWNER, REPO, lonely).len(), 1);
    fake.assert_no_violations();
}

#[test]
fn a_job_for_an_older_commit_never_overwrites_the_newer_comment() {
    let fake = github();
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
        fake.comments(OWNER, REPO, PR)[0].body.contains("create"),
        "left as it was"
    );
    let hide = run(
        &fake,
        "plan",
        "1.11/plan_no_changes.txt",
        &["--pr", "7", "--sha", old],
        &["--comment", "hide-and-new"],
    );
    assert!(
        hide.stderr
            .contains("skipped: the comment is for a newer commit"),
        "{}",
        hide.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1, "nothing posted");
    assert!(
        comments[0].minimized.is_none(),
        "and the newer comment is not hidden"
    );
}

#[test]
fn skip_no_changes_posts_nothing_for_an_empty_plan() {
    let fake = github();
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(fake.comments(OWNER, REPO, PR).is_empty());
    assert_eq!(
        fake.labels_on(OWNER, REPO, PR),
        vec!["prod/no-changes"],
        "labels still set"
    );
}

#[test]
fn github_actions_needs_no_flags() {
    let fake = github();
    let dir = tempfile::tempdir().expect("tempdir");
    let event = dir.path().join("event.json");
    std::fs::write(
        &event,
        format!(r#"{{"pull_request": {{"number": 7, "head": {{"sha": "{HEAD}"}}}}}}"#),
    )
    .expect("event");
    let ran = against(Test::new(), &fake)
        .args(["plan", "--quiet"])
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", event.as_os_str())
        .env("GITHUB_SHA", "3333333333333333333333333333333333333333")
        .env("GITHUB_SERVER_URL", "https://github.example.com")
        .env("GITHUB_RUN_ID", "42")
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &fake.comments(OWNER, REPO, PR)[0].body;
    assert!(
        body.contains("[CI link](https://github.example.com/acme/infra/actions/runs/42"),
        "{body}"
    );
    fake.assert_no_violations();
}

#[test]
fn a_hidden_comment_is_never_the_one_updated() {
    let fake = github();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let first = fake.comments(OWNER, REPO, PR)[0].id;
    fake.minimize(OWNER, REPO, first, "OUTDATED");
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        ran.stderr.contains("tfnotify: GitHub comment created"),
        "{}",
        ran.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 2);
    assert!(
        comments[0].body.contains("create"),
        "the hidden one is left as it was"
    );
    fake.assert_no_violations();
}

/// A plan for `target`, whose label names GitHub cannot take: the label is skipped with a
/// warning naming the target, GitHub and `rule`, the comment still goes and says so too,
/// no label call is made, and the exit code is the plan's.
#[track_caller]
fn assert_label_skipped(target: &str, rule: &str) {
    let fake = github();
    let ran = against(Test::new(), &fake)
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
        .args(["--var", &format!("target:{target}"), "plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let warning = format!(
        "tfnotify: warning: GitHub: the label `{target}/destroy` for target `{target}` was skipped: {rule}"
    );
    assert!(ran.stderr.contains(&warning), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("GitHub comment created"),
        "{}",
        ran.stderr
    );
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .body
            .contains("tfnotify could not do everything"),
        "{}",
        comments[0].body
    );
    assert!(fake.labels_on(OWNER, REPO, PR).is_empty());
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
    assert_label_skipped(&target, "GitHub label names are at most 50 characters");
}

#[test]
fn a_target_with_commas_skips_its_label_and_still_comments() {
    assert_label_skipped(
        "envs/,approved,x",
        "GitHub reads a comma in a label name as a separator",
    );
}

/// A comment by someone else that ends in a copy of our marker, posted after ours: the
/// last comment of the thread, for the head commit, so the most tempting one there is.
fn plant(fake: &FakeGitHub, ours: &str) -> common::fake_github::Comment {
    let marker = ours.lines().last().expect("a marker line");
    let body = format!("## :white_check_mark: No changes · `prod`\n\nNothing to see.\n{marker}");
    fake.add_comment(OWNER, REPO, PR, "mallory", &body)
}

/// Whether any request wrote, hid or deleted `comment`.
fn touched(fake: &FakeGitHub, comment: &common::fake_github::Comment) -> Vec<String> {
    let path = format!("/issues/comments/{}", comment.id);
    fake.requests()
        .into_iter()
        .filter(|r| {
            (r.method != "GET" && r.path.ends_with(&path))
                || r.body
                    .as_deref()
                    .is_some_and(|b| b.contains(&comment.node_id))
        })
        .map(|r| r.line())
        .collect()
}

#[test]
fn a_comment_by_another_user_with_a_copy_of_the_marker_is_never_touched() {
    for behaviour in ["update", "new", "hide-and-new", "delete-and-new"] {
        let fake = github();
        plan(&fake, "1.11/plan_create_only.txt", &[]);
        let ours = fake.comments(OWNER, REPO, PR)[0].clone();
        let planted = plant(&fake, &ours.body);
        fake.clear_log();
        let ran = plan(
            &fake,
            "1.11/plan_update_in_place.txt",
            &["--comment", behaviour],
        );
        assert_eq!(ran.code, Some(0), "{behaviour}: {}", ran.stderr);
        assert_eq!(
            touched(&fake, &planted),
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
                "tfnotify: warning: GitHub: the comment {} by another user, `mallory`, carries tfnotify's marker; it was left alone",
                planted.html_url
            )),
            "{behaviour}: {}",
            ran.stderr
        );
        let mine = now.iter().find(|c| c.id == ours.id);
        match behaviour {
            "update" => {
                assert!(
                    ran.stderr.contains("GitHub comment updated"),
                    "{}",
                    ran.stderr
                );
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
                assert!(mine.minimized.is_some(), "ours hidden");
                assert_eq!(now.len(), 3);
            }
            _ => {
                assert!(mine.is_none(), "ours deleted");
                assert_eq!(now.len(), 2);
            }
        }
        assert!(
            !fake
                .request_lines()
                .iter()
                .any(|l| l.starts_with("GET /user")),
            "GitHub says who wrote each comment in the listing; no request asks"
        );
        fake.assert_no_violations();
    }
}

#[test]
fn a_planted_comment_alone_is_as_good_as_no_comment() {
    // It claims the pull request's newer head, yet neither stops this job nor gets its plan.
    let newer = "2222222222222222222222222222222222222222";
    let fake = github();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let ours = fake.comments(OWNER, REPO, PR)[0].clone();
    let fresh = github();
    fresh.add_pull(OWNER, REPO, PR, newer);
    let planted = fresh.add_comment(OWNER, REPO, PR, "mallory", &ours.body.replace(HEAD, newer));
    let ran = plan(&fresh, "1.11/plan_update_in_place.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("GitHub comment created"),
        "{}",
        ran.stderr
    );
    assert_eq!(touched(&fresh, &planted), Vec::<String>::new());
    assert_eq!(fresh.comments(OWNER, REPO, PR).len(), 2);
    fresh.assert_no_violations();

    // With `--skip-no-changes`, only the labels follow an empty plan; nothing is written.
    let quiet = github();
    let planted = plant(&quiet, &ours.body);
    quiet.clear_log();
    let ran = plan(&quiet, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("skipped: no changes"), "{}", ran.stderr);
    assert_eq!(quiet.comments(OWNER, REPO, PR), vec![planted.clone()]);
    assert_eq!(touched(&quiet, &planted), Vec::<String>::new());
    assert_eq!(quiet.labels_on(OWNER, REPO, PR), vec!["prod/no-changes"]);
    quiet.assert_no_violations();
}
