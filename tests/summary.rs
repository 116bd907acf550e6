//! `tfnotify summary` end to end: the real binary posts three targets' plans to one pull
//! request on the fake GitHub (and GitLab), then summarises them in one living comment;
//! report files give the same summary without a forge.

mod common;

use common::fake_github::FakeGitHub;
use common::fake_gitlab::FakeGitLab;
use common::fake_webhooks::FakeWebhooks;
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";
const NEXT: &str = "2222222222222222222222222222222222222222";

/// A run of the binary against the fake GitHub, as a job of the pull request at `sha`.
fn on_github(fake: &FakeGitHub, sha: &str) -> Test {
    Test::new()
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", sha])
}

/// `tfnotify plan` of `target` with the output `fixture_path`, protecting `module.db.*`.
fn plan(fake: &FakeGitHub, sha: &str, target: &str, fixture_path: &str) -> Ran {
    let job = format!("https://ci.example/jobs/{target}");
    on_github(fake, sha)
        .args(["--build-url", job.as_str(), "--var"])
        .args([format!("target:{target}")])
        .args(["plan", "--quiet", "--protect", "module.db.*"])
        .stdin(fixture(fixture_path))
        .run()
}

fn summary(fake: &FakeGitHub, extra: &[&str]) -> Ran {
    on_github(fake, HEAD)
        .args(["--build-url", "https://ci.example/jobs/summary", "summary"])
        .args(extra.iter().copied())
        .run()
}

/// The comments of tfnotify's summary on the pull request.
fn summaries(fake: &FakeGitHub) -> Vec<common::fake_github::Comment> {
    fake.comments(OWNER, REPO, PR)
        .into_iter()
        .filter(|c| c.body.contains(r#""Command":"summary""#))
        .collect()
}

/// The table rows of a summary body, as `target | result` pairs.
fn rows(body: &str) -> Vec<String> {
    body.lines()
        .filter(|l| l.starts_with("| :"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            format!("{} {}", cells[1], cells[2])
        })
        .collect()
}

/// Three targets planned at the head: one replacing protected resources, one with no
/// changes, one failing.
fn three_targets() -> FakeGitHub {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let ran = plan(&fake, HEAD, "envs/prod", "1.11/plan_mixed.txt");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let ran = plan(&fake, HEAD, "envs/dev", "1.11/plan_no_changes.txt");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let ran = plan(&fake, HEAD, "envs/shared", "1.11/plan_syntax_error.txt");
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    plan(&fake, HEAD, "envs/web", "1.11/plan_destroy.txt");
    fake
}

#[test]
fn one_summary_comment_lists_every_target_in_reading_order() {
    let fake = three_targets();
    let ran = summary(&fake, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    fake.assert_no_violations();
    let posted = summaries(&fake);
    assert_eq!(posted.len(), 1, "one summary comment");
    let body = &posted[0].body;
    assert_eq!(
        rows(body),
        [
            "`envs/shared` **plan failed**",
            "`envs/prod` **destroys protected** `module.db.terraform_data.replica[0]` (replace), `module.db.terraform_data.replica[1]` (replace), `module.db.terraform_data.schema_migration` (replace)",
            "`envs/web` **destroys**",
        ]
    );
    assert!(
        body.contains(":white_check_mark: **No changes** (1): `envs/dev`"),
        "{body}"
    );
    assert!(
        body.contains("[job](https://ci.example/jobs/envs/prod)"),
        "each row links its job: {body}"
    );
    let prod = fake
        .comments(OWNER, REPO, PR)
        .into_iter()
        .find(|c| c.body.contains(r#""Target":"envs/prod""#))
        .expect("prod's comment");
    assert!(
        body.contains(&format!("[comment]({})", prod.html_url)),
        "each row links its comment: {body}"
    );
    assert!(
        ran.stderr.contains("GitHub comment created"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("Terraform summary: 4 targets, 1 failed"),
        "the terminal gets it too: {}",
        ran.stderr
    );
    let mut shown = body.clone();
    shown = shown.replace(&prod.html_url, "PROD_COMMENT_URL");
    for c in fake.comments(OWNER, REPO, PR) {
        shown = shown.replace(&c.html_url, "COMMENT_URL");
    }
    let visible: Vec<&str> = shown
        .lines()
        .filter(|l| !l.starts_with("<!-- github-comment:"))
        .collect();
    insta::assert_snapshot!("github_summary_of_three_targets", visible.join("\n"));
}

#[test]
fn a_later_run_then_summary_edits_the_same_comment_and_marks_older_results_stale() {
    let fake = three_targets();
    summary(&fake, &[]);
    let first = summaries(&fake);
    // A push: the failing target is fixed at the new head; the others still ran at the old.
    fake.add_pull(OWNER, REPO, PR, NEXT);
    let ran = plan(&fake, NEXT, "envs/shared", "1.11/plan_create_only.txt");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let ran = on_github(&fake, NEXT).args(["summary"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let now = summaries(&fake);
    assert_eq!(
        now.len(),
        1,
        "still one summary: {:?}\n{}",
        now.iter()
            .map(|c| c.body.lines().last())
            .collect::<Vec<_>>(),
        ran.stderr
    );
    assert_eq!(now[0].id, first[0].id, "the same comment, edited");
    let body = &now[0].body;
    let table = rows(body);
    assert_eq!(table.len(), 3, "{body}");
    assert!(
        table[0].starts_with("`envs/prod` **destroys protected**"),
        "{table:?}"
    );
    assert!(table[0].ends_with(":hourglass: stale"), "{table:?}");
    assert_eq!(table[2], "`envs/shared` changes", "{table:?}");
    assert!(
        body.contains(":hourglass: 3 results are for an older commit"),
        "{body}"
    );
    assert!(
        ran.stderr.contains("GitHub comment updated"),
        "{}",
        ran.stderr
    );
}

#[test]
fn five_hundred_targets_fit_one_comment() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    // Comments as 500 plan jobs leave them, written by the token's account: the marker
    // alone carries each result.
    for i in 0..500 {
        let (outcome, add, destroy) = match i % 10 {
            0 => ("error", 0, 0),
            1..=3 => ("changes", 4, 1),
            4 | 5 => ("changes", 12, 0),
            _ => ("no_changes", 0, 0),
        };
        let body = format!(
            "## Plan result\n\n<!-- github-comment: {{\"Command\":\"plan\",\"PRNumber\":7,\"Program\":\"tfnotify\",\"Result\":{{\"Add\":{add},\"Change\":0,\"Destroy\":{destroy},\"HasDestroy\":{},\"Import\":0,\"Link\":\"https://ci.example/jobs/{i}\",\"Outcome\":\"{outcome}\"}},\"SHA1\":\"{HEAD}\",\"Target\":\"services/service-{i:03}/production\"}} -->",
            destroy > 0
        );
        fake.add_comment(OWNER, REPO, PR, "tfnotify-bot", &body);
    }
    let ran = summary(&fake, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let posted = summaries(&fake);
    assert_eq!(posted.len(), 1);
    let body = &posted[0].body;
    assert!(body.chars().count() <= 65_536, "{}", body.len());
    assert!(body.starts_with("## Terraform summary\n\n**500 targets** · :x: 50 failed · :warning: 150 destroy · :memo: 100 change · :white_check_mark: 200 unchanged"), "{}", &body[..300]);
    let table = rows(body);
    assert_eq!(
        table.iter().filter(|r| r.contains("plan failed")).count(),
        50,
        "every failure is listed"
    );
    assert!(
        body.contains(":white_check_mark: **No changes** (200)"),
        "the unchanged ones share one line"
    );
}

#[test]
fn a_marker_in_someone_else_s_comment_is_not_a_result() {
    let fake = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    plan(&fake, HEAD, "envs/dev", "1.11/plan_no_changes.txt");
    // Someone pastes a marker claiming a clean plan for prod into a comment of their own.
    fake.add_comment(
        OWNER,
        REPO,
        PR,
        "mallory",
        &format!("looks fine\n<!-- github-comment: {{\"Command\":\"plan\",\"Program\":\"tfnotify\",\"Result\":{{\"Outcome\":\"no_changes\"}},\"SHA1\":\"{HEAD}\",\"Target\":\"envs/prod\"}} -->"),
    );
    let ran = summary(&fake, &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &summaries(&fake)[0].body;
    assert!(body.contains("**1 target**"), "{body}");
    assert!(!body.contains("envs/prod"), "{body}");
    assert!(ran.stderr.contains("mallory"), "named: {}", ran.stderr);
}

#[test]
fn report_files_give_the_summary_without_a_forge_and_a_webhook_gets_the_rows() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = |name: &str| dir.path().join(name).display().to_string();
    for (target, input) in [
        ("envs/prod", "1.11/plan_mixed.txt"),
        ("envs/dev", "1.11/plan_no_changes.txt"),
        ("envs/shared", "1.11/plan_syntax_error.txt"),
    ] {
        let path = file(&format!("{}.json", target.replace('/', "-")));
        Test::new()
            .args(["--var"])
            .args([format!("target:{target}")])
            .args([
                "plan",
                "--quiet",
                "--protect",
                "module.db.*",
                "--report-file",
            ])
            .args([path])
            .stdin(fixture(input))
            .run();
    }
    // A job that produced nothing readable still has a file, and shows as failed.
    Test::new()
        .args([
            "--var",
            "target:envs/empty",
            "plan",
            "--quiet",
            "--report-file",
        ])
        .args([file("envs-empty.json")])
        .run();
    let hook = FakeWebhooks::start();
    let output = file("summary.md");
    let ran = Test::new()
        .env("TFNOTIFY_WEBHOOK_URL", hook.webhook_url())
        .args(["summary", "--output"])
        .args([output.clone()])
        .args(["--from"])
        .args([file("envs-prod.json")])
        .args([file("envs-dev.json")])
        .args([file("envs-shared.json")])
        .args([file("envs-empty.json")])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let markdown = std::fs::read_to_string(&output).expect("--output written");
    assert_eq!(
        rows(&markdown)
            .iter()
            .map(|r| r.split(' ').next().unwrap_or_default().to_owned())
            .collect::<Vec<_>>(),
        ["`envs/empty`", "`envs/shared`", "`envs/prod`"],
        "{markdown}"
    );
    assert!(markdown.contains("plan result not found"), "{markdown}");
    let sent = hook.requests();
    assert_eq!(sent.len(), 1, "one message for the whole pull request");
    let envelope = sent[0].json().expect("JSON");
    assert_eq!(envelope["command"], "summary");
    assert_eq!(envelope["outcome"], "error");
    assert_eq!(
        envelope["summary"]["rows"].as_array().map(Vec::len),
        Some(4)
    );
    assert_eq!(
        envelope["summary"]["rows"][2]["protected"][0]["action"],
        "replace"
    );

    let broken = Test::new()
        .args(["summary", "--from"])
        .args([file("missing.json")])
        .run();
    assert_eq!(broken.code, Some(2), "{}", broken.stderr);
    assert!(
        broken.stderr.contains("report file") && broken.stderr.contains("missing.json"),
        "{}",
        broken.stderr
    );
}

#[test]
fn without_a_forge_or_files_summary_says_where_results_come_from() {
    let ran = Test::new().args(["summary"]).run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    let first = ran.stderr.lines().next().unwrap_or_default();
    assert!(first.contains("no pull request to read"), "{}", ran.stderr);
    assert!(ran.stderr.contains("--from"), "{}", ran.stderr);
}

#[test]
fn gitlab_gets_the_same_summary_note() {
    let fake = FakeGitLab::start();
    fake.add_merge_request("acme/infra", 7, HEAD);
    let note = |target: &str, input: &str| {
        Test::new()
            .env("GITLAB_TOKEN", fake.token())
            .env("GITLAB_BASE_URL", fake.url())
            .args(["--owner", "acme", "--repo", "infra"])
            .args(["--pr", "7", "--sha", HEAD, "--var"])
            .args([format!("target:{target}")])
            .args(["plan", "--quiet", "--protect", "module.db.*"])
            .stdin(fixture(input))
            .run()
    };
    note("envs/prod", "1.11/plan_mixed.txt");
    note("envs/dev", "1.11/plan_no_changes.txt");
    note("envs/shared", "1.11/plan_syntax_error.txt");
    let ran = Test::new()
        .env("GITLAB_TOKEN", fake.token())
        .env("GITLAB_BASE_URL", fake.url())
        .args(["--owner", "acme", "--repo", "infra"])
        .args(["--pr", "7", "--sha", HEAD, "summary"])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let notes: Vec<String> = fake
        .notes("acme/infra", 7)
        .into_iter()
        .map(|n| n.body)
        .filter(|b| b.contains(r#""Command":"summary""#))
        .collect();
    assert_eq!(notes.len(), 1, "{}", ran.stderr);
    assert_eq!(
        rows(&notes[0])
            .iter()
            .map(|r| r.split(' ').next().unwrap_or_default().to_owned())
            .collect::<Vec<_>>(),
        ["`envs/shared`", "`envs/prod`"],
        "{}",
        notes[0]
    );
    assert!(ran.stderr.contains("GitLab note created"), "{}", ran.stderr);
}

#[test]
fn config_check_and_render_know_the_summary_and_its_overrides() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("tfnotify.yaml"),
        "templates:\n  summary_result: \"{{if eq .Status \\\"failed\\\"}}broken{{else}}{{.Status}}{{end}}\"\n",
    )
    .expect("config");
    let check = Test::new().dir(dir.path()).args(["config", "check"]).run();
    assert_eq!(check.code, Some(0), "{}", check.stderr);
    for flavor in ["markdown", "slack", "chatwork", "teams", "terminal"] {
        assert!(
            check
                .stdout_text()
                .contains(&format!("ok  {flavor} summary template")),
            "{}",
            check.stdout_text()
        );
    }
    let rendered = Test::new()
        .dir(dir.path())
        .args(["render", "summary"])
        .run();
    assert_eq!(rendered.code, Some(0), "{}", rendered.stderr);
    let text = rendered.stdout_text();
    assert!(text.contains("| `envs/shared` | broken |"), "{text}");
    let context = Test::new()
        .dir(dir.path())
        .args(["render", "summary", "--dump-context"])
        .run();
    let context: serde_json::Value =
        serde_json::from_slice(&context.stdout).expect("the context is JSON");
    assert_eq!(context["Totals"]["Targets"], 4);
    assert_eq!(context["Targets"][0]["Status"], "failed");

    std::fs::write(
        dir.path().join("tfnotify.yaml"),
        "templates:\n  summary: \"{{.Tagrets}}\"\n",
    )
    .expect("config");
    let typo = Test::new().dir(dir.path()).args(["config", "check"]).run();
    assert_eq!(typo.code, Some(2), "{}", typo.stdout_text());
    assert!(typo.stderr.contains("Tagrets"), "{}", typo.stderr);
}
