//! The real binary against a stateful fake GitLab: notes, labels, pagination, limits,
//! errors, secrets and hostile Terraform output. The fake checks every request the way
//! GitLab does and records what GitLab would refuse or do unasked.

mod common;

use common::fake_gitlab::FakeGitLab;
use common::run::{Ran, Test, fixture};

/// A project in a nested group, as GitLab allows.
const PROJECT: &str = "acme/platform/infra";
const OWNER: &str = "acme/platform";
const REPO: &str = "infra";
const MR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";
/// The project path as it must appear in request paths.
const ENCODED: &str = "/projects/acme%2Fplatform%2Finfra";

/// A fake with one open merge request whose head is `HEAD`, with a system note on it.
fn gitlab() -> FakeGitLab {
    let fake = FakeGitLab::with_merge_request(PROJECT, MR, HEAD);
    fake.add_system_note(PROJECT, MR, "added 1 commit\n\n* 1111111 - Add the queues");
    fake
}

/// The environment a job has when its GitLab is the fake.
fn against(test: Test, fake: &FakeGitLab) -> Test {
    test.env("GITLAB_TOKEN", fake.token())
        .env("GITLAB_BASE_URL", fake.url())
}

fn run(fake: &FakeGitLab, command: &str, input: &[u8], target: &[&str], extra: &[&str]) -> Ran {
    against(Test::new(), fake)
        .args(["--owner", OWNER, "--repo", REPO, "--var", "target:prod"])
        .args(target.iter().copied())
        .args([command, "--quiet"])
        .args(extra.iter().copied())
        .stdin(input.to_vec())
        .run()
}

/// `tfnotify plan` on the merge request, as a job for `HEAD`.
fn plan(fake: &FakeGitLab, input: &str, extra: &[&str]) -> Ran {
    run(
        fake,
        "plan",
        &fixture(input),
        &["--pr", "7", "--sha", HEAD],
        extra,
    )
}

fn count(fake: &FakeGitLab, prefix: &str) -> usize {
    fake.request_lines()
        .iter()
        .filter(|l| l.starts_with(prefix))
        .count()
}

/// The text of a Markdown body outside code blocks, code spans and HTML comments: where
/// GitLab finds mentions, references and HTML.
fn outside_code(body: &str) -> String {
    let mut prose = String::new();
    let mut fence: Option<String> = None;
    for line in body.lines() {
        let trimmed = line.trim_start();
        let run: String = trimmed.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(open) => {
                if run.len() >= open.len() && trimmed == run {
                    fence = None;
                }
            }
            None if run.len() >= 3 => fence = Some(run),
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    let mut out = String::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + ticks..];
        let closing = "`".repeat(ticks);
        if let Some(end) = after.find(&closing) {
            rest = &after[end + ticks..];
        } else {
            out.push_str(&rest[start..start + ticks]);
            rest = after;
        }
    }
    out.push_str(rest);
    while let (Some(start), Some(end)) = (out.find("<!--"), out.find("-->")) {
        if end < start {
            break;
        }
        out.replace_range(start..end + 3, "");
    }
    out
}

#[test]
fn the_first_run_creates_the_note_the_next_ones_update_it_in_place() {
    let fake = gitlab();
    fake.add_note(PROJECT, MR, "alice", "Please check the queues");
    let first = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first.stderr.contains(&format!(
            "tfnotify: GitLab note created: {}/acme/platform/infra/-/merge_requests/7#note_",
            fake.server_url()
        )),
        "{}",
        first.stderr
    );
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 2);
    let ours = &notes[1].body;
    assert!(
        ours.starts_with("## :warning: Plan destroys resources · `prod`"),
        "{ours}"
    );
    assert!(ours.ends_with(r#"<!-- github-comment: {"Command":"plan","PRNumber":7,"Program":"tfnotify","Result":{"Add":12,"Change":5,"Destroy":7,"HasDestroy":true,"Import":1,"Outcome":"changes"},"SHA1":"1111111111111111111111111111111111111111","Target":"prod"} -->"#));

    fake.clear_log();
    let again = plan(&fake, "1.11/plan_mixed.txt", &[]);
    assert!(
        again.stderr.contains("tfnotify: GitLab note unchanged"),
        "{}",
        again.stderr
    );
    assert!(
        fake.request_lines().iter().all(|l| l.starts_with("GET ")),
        "an identical body makes no write: {:?}",
        fake.request_lines()
    );

    let changed = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        changed.stderr.contains("tfnotify: GitLab note updated"),
        "{}",
        changed.stderr
    );
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 2, "still one living note, and alice's");
    assert_eq!(notes[0].body, "Please check the queues");
    assert!(
        notes[1]
            .body
            .starts_with("## :white_check_mark: No changes")
    );
    assert_eq!(
        fake.notes(PROJECT, MR).iter().filter(|n| n.system).count(),
        1
    );
    fake.assert_no_violations();
}

#[test]
fn a_typical_plan_with_labels_and_an_update_takes_few_requests() {
    let fake = gitlab();
    plan(&fake, "1.11/plan_update_in_place.txt", &[]);
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_create_only.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let note = fake.user_notes(PROJECT, MR)[0].id;
    assert_eq!(
        fake.request_lines(),
        vec![
            format!("GET {ENCODED}/merge_requests/7"),
            format!("GET {ENCODED}/labels/prod%2Fadd-or-update"),
            format!(
                "GET {ENCODED}/merge_requests/7/notes?sort=asc&order_by=created_at&per_page=100"
            ),
            "GET /user".to_owned(),
            format!("PUT {ENCODED}/merge_requests/7/notes/{note}"),
        ],
        "the merge request's labels and the label's colour read once and already right, notes listed once, the token's account read once to tell our note from a copy, the note edited in place"
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"tfnotify/\d+\.\d+\.\d+", "tfnotify/[VERSION]");
    settings.bind(|| insta::assert_json_snapshot!("typical_plan_requests", fake.requests_json()));
    fake.assert_no_violations();
}

#[test]
fn new_posts_another_note_and_delete_and_new_removes_only_ours() {
    let fake = gitlab();
    fake.add_note(PROJECT, MR, "alice", "LGTM");
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let ran = plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--comment", "new"],
    );
    assert!(ran.stderr.contains("GitLab note created"), "{}", ran.stderr);
    assert_eq!(
        fake.user_notes(PROJECT, MR).len(),
        3,
        "alice's and two of ours"
    );

    plan(
        &fake,
        "1.11/plan_no_changes.txt",
        &["--comment", "delete-and-new"],
    );
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 2, "our earlier notes are deleted");
    assert_eq!(notes[0].body, "LGTM");
    assert!(notes[1].body.contains("No changes"));
    assert_eq!(count(&fake, "DELETE"), 2);
    fake.assert_no_violations();
}

#[test]
fn hide_and_new_cannot_hide_on_gitlab_so_it_posts_new_and_warns() {
    let fake = gitlab();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let ran = plan(
        &fake,
        "1.11/plan_update_in_place.txt",
        &["--comment", "hide-and-new"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("tfnotify: warning: GitLab: notes cannot be hidden on GitLab: a new note was posted and the earlier ones were left"),
        "{}",
        ran.stderr
    );
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 2, "nothing deleted");
    assert!(
        !notes[1].body.contains("cannot be hidden"),
        "the warning is for the job's log, not the reviewers"
    );
    fake.assert_no_violations();
}

#[test]
fn without_an_iid_the_commit_finds_the_merge_request_or_gets_a_commit_comment() {
    let fake = gitlab();
    let merged = "2222222222222222222222222222222222222222";
    fake.associate_commit(PROJECT, merged, MR);
    fake.set_state(PROJECT, MR, "merged");
    let found = run(
        &fake,
        "apply",
        &fixture("1.11/apply_create_only.txt"),
        &["--sha", merged],
        &[],
    );
    assert_eq!(found.code, Some(0), "{}", found.stderr);
    assert_eq!(
        fake.user_notes(PROJECT, MR).len(),
        1,
        "found through the commit"
    );
    assert_eq!(
        count(
            &fake,
            &format!("GET {ENCODED}/repository/commits/{merged}/merge_requests")
        ),
        1
    );

    let lonely = "3333333333333333333333333333333333333333";
    fake.add_commit(PROJECT, lonely);
    let ran = run(
        &fake,
        "apply",
        &fixture("1.11/apply_create_only.txt"),
        &["--sha", lonely],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&format!(
            "tfnotify: GitLab note created (commit comment): {}/acme/platform/infra/-/commit/{lonely}",
            fake.server_url()
        )),
        "{}",
        ran.stderr
    );
    let comments = fake.commit_comments(PROJECT, lonely);
    assert_eq!(comments.len(), 1);
    assert!(
        comments[0]
            .note
            .starts_with("## :white_check_mark: Apply succeeded")
    );
    let post = fake
        .requests()
        .into_iter()
        .find(|r| r.line().ends_with("/comments"))
        .and_then(|r| r.json())
        .expect("the commit comment request");
    assert!(
        post.get("note").is_some() && post.get("body").is_none(),
        "{post}"
    );
    fake.assert_no_violations();
}

#[test]
fn a_classic_config_with_a_server_url_and_a_nested_group_posts_from_gitlab_ci() {
    let fake = gitlab();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/config/classic-gitlab.yaml"),
    )
    .expect("config");
    std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("write");
    let ran = Test::new()
        .dir(dir.path())
        .env("GITLAB_TOKEN", fake.token())
        // Classic tfnotify took the server's URL and added `/api/v4` itself.
        .env("GITLAB_BASE_URL", fake.server_url())
        .env("CI_MERGE_REQUEST_IID", "7")
        .env("CI_COMMIT_SHA", HEAD)
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stderr.contains("cannot post"), "{}", ran.stderr);
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 1);
    assert!(
        fake.request_lines().iter().all(|l| l.contains(ENCODED)),
        "the nested path is one encoded segment: {:?}",
        fake.request_lines()
    );
    assert!(
        fake.labels_on(PROJECT, MR).is_empty(),
        "a classic config labels only what it names"
    );
    fake.assert_no_violations();
}

#[test]
fn labels_are_added_removed_and_recoloured_and_others_are_never_touched() {
    let fake = gitlab();
    fake.add_label(PROJECT, "needs-review", "#ededed");
    fake.add_label_to_merge_request(PROJECT, MR, "needs-review");
    fake.add_label(PROJECT, "prod/no-changes", "#000000");

    let ran = plan(&fake, "1.11/plan_destroy_removed_from_config.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        fake.labels_on(PROJECT, MR),
        ["needs-review", "prod/destroy"]
    );
    let colour = |name: &str| {
        fake.project_labels(PROJECT)
            .into_iter()
            .find(|l| l.name == name)
            .map(|l| l.color)
    };
    assert_eq!(
        colour("prod/destroy").as_deref(),
        Some("#d93f0b"),
        "created with its colour"
    );
    let create = fake
        .requests()
        .into_iter()
        .find(|r| r.line() == format!("POST {ENCODED}/labels"))
        .and_then(|r| r.json())
        .expect("label created");
    assert_eq!(
        create,
        serde_json::json!({"name": "prod/destroy", "color": "#d93f0b"})
    );

    fake.clear_log();
    plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert_eq!(
        fake.labels_on(PROJECT, MR),
        ["needs-review", "prod/no-changes"]
    );
    assert_eq!(
        colour("prod/no-changes").as_deref(),
        Some("#0e8a16"),
        "recoloured"
    );
    let change = fake
        .requests()
        .into_iter()
        .find(|r| r.line() == format!("PUT {ENCODED}/merge_requests/7"))
        .and_then(|r| r.json())
        .expect("labels changed");
    assert_eq!(
        change,
        serde_json::json!({"add_labels": ["prod/no-changes"], "remove_labels": ["prod/destroy"]}),
        "one call, only our wrong label removed"
    );
    assert_eq!(
        colour("needs-review").as_deref(),
        Some("#ededed"),
        "someone else's label is left as it was"
    );

    fake.add_label(PROJECT, "prod/no-changes", "#111111");
    fake.clear_log();
    plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert_eq!(
        colour("prod/no-changes").as_deref(),
        Some("#0e8a16"),
        "recoloured in place"
    );
    assert_eq!(
        count(&fake, "PUT"),
        1,
        "only the colour changes: {:?}",
        fake.request_lines()
    );

    fake.clear_log();
    plan(&fake, "1.11/plan_no_changes.txt", &["--disable-label"]);
    assert!(
        fake.request_lines().iter().all(|l| !l.contains("label")),
        "{:?}",
        fake.request_lines()
    );
    fake.assert_no_violations();
}

#[test]
fn a_label_failure_is_a_warning_in_the_note_and_on_stderr() {
    let fake = gitlab();
    fake.fail_next(
        "POST",
        &format!("{ENCODED}/labels"),
        403,
        &[],
        r#"{"message":"403 Forbidden"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_destroy.txt", &[]);
    assert_eq!(
        ran.code,
        Some(0),
        "a label never stops the note: {}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("tfnotify: warning: GitLab: could not create the label `prod/destroy`"),
        "{}",
        ran.stderr
    );
    let body = &fake.user_notes(PROJECT, MR)[0].body;
    assert!(body.contains("tfnotify could not do everything"), "{body}");
    assert!(body.contains("could not create the label"), "{body}");
}

#[test]
fn a_50000_resource_plan_is_one_note_within_gitlab_s_limit() {
    let fake = gitlab();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = run(&fake, "plan", &text, &["--pr", "7", "--sha", HEAD], &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 1);
    let body = &notes[0].body;
    let chars = body.chars().count();
    assert!(chars <= 1_000_000, "{chars}");
    assert!(
        chars > 65_536,
        "GitLab's room is used, not GitHub's: {chars}"
    );
    assert!(body.contains("This message was shortened to fit"));
    assert!(body.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    fake.assert_no_violations();
}

#[test]
fn notes_are_paged_through_and_a_wrong_link_host_does_not_stop_it() {
    let fake = gitlab();
    for i in 0..150 {
        fake.add_system_note(PROJECT, MR, &format!("added {i} commits"));
    }
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    for i in 0..120 {
        fake.add_note(PROJECT, MR, "bob", &format!("comment {i}"));
    }
    fake.set_link_origin("https://gitlab.internal");
    fake.clear_log();
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &[]);
    assert!(
        ran.stderr.contains("tfnotify: GitLab note updated"),
        "{}",
        ran.stderr
    );
    let pages: Vec<String> = fake
        .request_lines()
        .into_iter()
        .filter(|l| l.contains("/notes?"))
        .collect();
    assert_eq!(pages.len(), 3, "{pages:?}");
    assert!(pages[2].ends_with("&page=3"), "{pages:?}");
    assert_eq!(fake.user_notes(PROJECT, MR).len(), 121);
    fake.assert_no_violations();
}

#[test]
fn a_job_for_an_older_commit_never_overwrites_the_newer_note() {
    let fake = gitlab();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let old = "0000000000000000000000000000000000000000";
    let ran = run(
        &fake,
        "plan",
        &fixture("1.11/plan_no_changes.txt"),
        &["--pr", "7", "--sha", old],
        &[],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("skipped: the note is for a newer commit"),
        "{}",
        ran.stderr
    );
    assert!(fake.user_notes(PROJECT, MR)[0].body.contains("create"));

    let newer = "4444444444444444444444444444444444444444";
    fake.set_head(PROJECT, MR, newer);
    let ran = run(
        &fake,
        "plan",
        &fixture("1.11/plan_no_changes.txt"),
        &["--pr", "7", "--sha", newer],
        &[],
    );
    assert!(ran.stderr.contains("GitLab note updated"), "{}", ran.stderr);
    fake.assert_no_violations();
}

#[test]
fn skip_no_changes_posts_nothing_for_an_empty_plan_but_sets_the_label() {
    let fake = gitlab();
    let ran = plan(&fake, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(fake.user_notes(PROJECT, MR).is_empty());
    assert_eq!(fake.labels_on(PROJECT, MR), ["prod/no-changes"]);
}

#[test]
fn a_403_explains_that_ci_job_token_cannot_write_notes() {
    let fake = gitlab();
    fake.fail_next(
        "POST",
        &format!("{ENCODED}/merge_requests/7/notes"),
        403,
        &[],
        r#"{"message":"403 Forbidden"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_create_only.txt"),
        "passed through"
    );
    let error = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: GitLab:"))
        .unwrap_or_default();
    assert!(
        error.contains("403") && error.contains("403 Forbidden"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("`CI_JOB_TOKEN` cannot write merge-request notes")
            && ran.stderr.contains("`api` scope")
            && ran.stderr.contains("Reporter")
            && ran.stderr.contains("masked CI/CD variable `GITLAB_TOKEN`"),
        "{}",
        ran.stderr
    );
    assert_eq!(count(&fake, "POST"), 1, "a 403 is not retried");
}

#[test]
fn a_401_and_a_404_exit_3_with_hints_and_never_show_the_token() {
    let fake = gitlab();
    let wrong = "glpat-WrongTokenThatMustNotBeShown";
    let ran = Test::new()
        .env("GITLAB_TOKEN", wrong)
        .env("GITLAB_BASE_URL", fake.url())
        .args([
            "--owner", OWNER, "--repo", REPO, "--pr", "7", "plan", "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(ran.stderr.contains("401 Unauthorized"), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("the token is wrong, expired or revoked"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(wrong) && !ran.stdout_text().contains(wrong));

    let ran = against(Test::new(), &fake)
        .args([
            "--owner", "acme", "--repo", "missing", "--pr", "7", "plan", "--quiet",
        ])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("404 Project Not Found"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("check that the project `acme/missing` and the merge request exist"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(fake.token()));
}

#[test]
fn gitlab_s_own_refusal_text_is_shown_and_a_429_is_retried() {
    let fake = gitlab();
    fake.fail_next(
        "POST",
        &format!("{ENCODED}/merge_requests/7/notes"),
        400,
        &[],
        r#"{"message":"400 Bad request - Note {:note=>[\"is too long (maximum is 1000000 characters)\"]}"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("is too long (maximum is 1000000 characters)"),
        "{}",
        ran.stderr
    );

    fake.clear_log();
    fake.fail_next(
        "POST",
        &format!("{ENCODED}/merge_requests/7/notes"),
        429,
        &[("retry-after", "1")],
        r#"{"message":"429 Too Many Requests"}"#,
        1,
    );
    let ran = plan(&fake, "1.11/plan_create_only.txt", &["--disable-label"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(count(&fake, "POST"), 2, "one refused, one accepted");
    assert_eq!(fake.user_notes(PROJECT, MR).len(), 1);
}

#[test]
fn the_token_and_masked_values_never_leave_the_machine() {
    let fake = gitlab();
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
    assert!(!out.contains(secret) && !out.contains(fake.token()));
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
        fake.user_notes(PROJECT, MR)[0]
            .body
            .contains("note *** and ***")
    );
}

#[test]
fn a_gitlab_ci_merge_request_job_needs_no_flags() {
    let fake = gitlab();
    let job = "https://gitlab.example.com/acme/platform/infra/-/jobs/77";
    let ran = Test::new()
        .args(["plan", "--quiet"])
        .env("GITLAB_CI", "true")
        .env("CI", "true")
        .env("CI_SERVER_URL", fake.server_url())
        .env("CI_API_V4_URL", fake.url())
        .env("CI_PROJECT_PATH", PROJECT)
        .env("CI_PROJECT_ID", "42")
        .env("CI_PIPELINE_SOURCE", "merge_request_event")
        .env("CI_MERGE_REQUEST_IID", "7")
        .env("CI_MERGE_REQUEST_PROJECT_PATH", PROJECT)
        .env("CI_COMMIT_SHA", HEAD)
        .env("CI_JOB_NAME", "plan")
        .env("CI_JOB_URL", job)
        .env("CI_JOB_TOKEN", "job-token-that-cannot-write-notes")
        .env("GITLAB_TOKEN", fake.token())
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &fake.user_notes(PROJECT, MR)[0].body;
    assert!(body.contains(&format!("[CI link]({job})")), "{body}");
    assert!(body.contains(r#""JobName":"plan""#), "{body}");
    fake.assert_no_violations();
}

#[test]
fn a_gitlab_token_alone_outside_gitlab_ci_posts_nothing() {
    let fake = gitlab();
    let ran = against(Test::new(), &fake)
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(fake.requests().is_empty());
}

#[test]
fn hostile_terraform_output_cannot_mention_break_out_or_run_quick_actions() {
    let fake = gitlab();
    let hostile = "@all <img src=x onerror=alert(1)> ``` ~~~ </details>";
    let destroy = String::from_utf8(fixture("1.11/plan_destroy_removed_from_config.txt"))
        .expect("utf-8")
        .replace(r#""emails""#, &format!("{hostile:?}"))
        + "\n```\n/merge\n/label ~approved\n\r/approve\n@all look\n";
    let warning = String::from_utf8(fixture("1.11/plan_with_warning.txt"))
        .expect("utf-8")
        .replace(
            "Redundant ignore_changes element",
            "Redundant @all element <u>bold</u> [x](https://evil.example)",
        );
    for (input, extra) in [(destroy, "--comment=new"), (warning, "--comment=new")] {
        let ran = run(
            &fake,
            "plan",
            input.as_bytes(),
            &["--pr", "7", "--sha", HEAD],
            &[extra],
        );
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    }
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 2);
    assert!(
        notes[0].body.contains("@all <img"),
        "quoted in code, as written"
    );
    assert!(
        notes[1].body.contains("Redundant @\u{2060}all element"),
        "{}",
        notes[1].body
    );
    for note in &notes {
        let prose = outside_code(&note.body);
        for bad in [
            "@all",
            "<img",
            "<u>",
            "[x](https://evil",
            "</details>\n<details>",
        ] {
            assert!(!prose.contains(bad), "{bad} outside code in:\n{prose}");
        }
        assert!(
            note.body.lines().all(|l| !l.starts_with('/')),
            "no line can run a quick action"
        );
    }
    fake.assert_no_violations();
}

/// Every label name the run asked GitLab to set, add or remove, split at commas as GitLab
/// splits each value (a string, or every element of an array).
fn label_elements(fake: &FakeGitLab) -> Vec<String> {
    let mut names = Vec::new();
    for request in fake.requests() {
        let Some(body) = request.json() else {
            continue;
        };
        for key in ["labels", "add_labels", "remove_labels"] {
            let values: Vec<String> = match &body[key] {
                serde_json::Value::String(s) => vec![s.clone()],
                serde_json::Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect(),
                _ => Vec::new(),
            };
            for value in values {
                names.extend(value.split(',').map(|n| n.trim().to_owned()));
            }
        }
    }
    names
}

/// What a run with the target `envs/,approved,x` must leave: no label it was not meant to,
/// a warning naming the target, GitLab and the rule, and the note, which says so too.
#[track_caller]
fn assert_comma_target_is_skipped(fake: &FakeGitLab, ran: &Ran) {
    assert_eq!(
        ran.code,
        Some(0),
        "a skipped label changes no exit code: {}",
        ran.stderr
    );
    let elements = label_elements(fake);
    assert!(
        !elements.iter().any(|n| n == "approved"),
        "`approved` was sent as a label: {elements:?}"
    );
    assert!(
        fake.requests()
            .iter()
            .all(|r| !(r.method == "POST" && r.line().ends_with("/labels"))),
        "no label is created: {:?}",
        fake.request_lines()
    );
    assert!(fake.labels_on(PROJECT, MR).is_empty());
    let warning = "tfnotify: warning: GitLab: the label `envs/,approved,x/destroy` for target `envs/,approved,x` was skipped: GitLab reads a comma in a label name as a separator";
    assert!(ran.stderr.contains(warning), "{}", ran.stderr);
    let notes = fake.user_notes(PROJECT, MR);
    assert_eq!(notes.len(), 1, "the note is still posted");
    let body = &notes[0].body;
    assert!(body.contains("tfnotify could not do everything"), "{body}");
    assert!(
        body.contains("GitLab reads a comma in a label name as a separator"),
        "{body}"
    );
    assert!(
        body.contains(r#""Target":"envs/,approved,x""#),
        "the marker keeps the target: {body}"
    );
    fake.assert_no_violations();
}

#[test]
fn a_target_with_commas_from_var_adds_no_label_and_still_posts_the_note() {
    let fake = gitlab();
    let ran = against(Test::new(), &fake)
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
        .args(["--var", "target:envs/,approved,x", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_comma_target_is_skipped(&fake, &ran);
}

#[test]
fn a_job_directory_with_commas_adds_no_label_and_still_posts_the_note() {
    let fake = gitlab();
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(repo.path().join(".git")).expect(".git");
    let job = repo.path().join("envs").join(",approved,x");
    std::fs::create_dir_all(&job).expect("job directory");
    let ran = against(Test::new(), &fake)
        .dir(&job)
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_comma_target_is_skipped(&fake, &ran);
}

/// The requests that wrote or deleted note `id`.
fn touching(fake: &FakeGitLab, id: u64) -> Vec<String> {
    let path = format!("/notes/{id}");
    fake.request_lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET") && l.ends_with(&path))
        .collect()
}

#[test]
fn a_note_by_another_user_with_a_copy_of_the_marker_is_never_touched() {
    for behaviour in ["update", "new", "hide-and-new", "delete-and-new"] {
        let fake = gitlab();
        plan(&fake, "1.11/plan_create_only.txt", &[]);
        let ours = fake.user_notes(PROJECT, MR)[0].clone();
        let marker = ours.body.lines().last().expect("a marker line");
        let planted = fake.add_note(
            PROJECT,
            MR,
            "mallory",
            &format!("## :white_check_mark: No changes · `prod`\n\nNothing to see.\n{marker}"),
        );
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
        let now = fake.user_notes(PROJECT, MR);
        assert!(
            now.contains(&planted),
            "{behaviour}: left exactly as it was"
        );
        assert!(
            ran.stderr.contains(&format!(
                "/-/merge_requests/7#note_{} by another user, `mallory`, carries tfnotify's marker; it was left alone",
                planted.id
            )),
            "{behaviour}: {}",
            ran.stderr
        );
        assert_eq!(count(&fake, "GET /user"), 1, "{behaviour}: read once");
        let mine = now.iter().find(|n| n.id == ours.id);
        match behaviour {
            "update" => {
                let mine = mine.expect("ours is still there");
                assert!(mine.body.contains("to change"), "ours got the plan");
                assert_eq!(now.len(), 2);
            }
            // GitLab cannot hide a note: `hide-and-new` leaves ours as `new` does.
            "new" | "hide-and-new" => {
                assert_eq!(mine, Some(&ours), "ours left as it was");
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
fn a_planted_note_alone_gets_no_plan_even_when_the_plan_is_quiet() {
    let fake = gitlab();
    plan(&fake, "1.11/plan_create_only.txt", &[]);
    let marker = fake.user_notes(PROJECT, MR)[0]
        .body
        .lines()
        .last()
        .map(str::to_owned);
    let quiet = gitlab();
    let planted = quiet.add_note(
        PROJECT,
        MR,
        "mallory",
        &format!("Nothing to see.\n{}", marker.expect("a marker line")),
    );
    let ran = plan(&quiet, "1.11/plan_no_changes.txt", &["--skip-no-changes"]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("skipped: no changes"), "{}", ran.stderr);
    assert_eq!(quiet.user_notes(PROJECT, MR), vec![planted.clone()]);
    assert_eq!(touching(&quiet, planted.id), Vec::<String>::new());
    assert_eq!(quiet.labels_on(PROJECT, MR), vec!["prod/no-changes"]);
    quiet.assert_no_violations();
}
