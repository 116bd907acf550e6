//! `mention_owners` end to end: the real binary in a real git repository with a
//! CODEOWNERS file, posting to the fake GitHub and the fake Slack.

mod common;

use std::path::Path;
use std::process::Command;

use common::fake_github::FakeGitHub;
use common::fake_slack::FakeSlack;
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";

/// Owners as a central repository writes them: a default, a team per service, an e-mail
/// address (never mentioned), a name that is no user or team (dropped), and a negation
/// GitHub does not support (skipped).
const CODEOWNERS: &str = "\
* @acme/everyone
/services/ @acme/platform
/services/api/ @acme/api @alice ops@example.com @bad<b>x</b>
!/services/api/ @acme/negated
/services/web/ @acme/web
";

/// A git repository (made by `git init`) with `.github/CODEOWNERS` and a Terraform
/// directory `services/api`; returns the repository and that directory.
fn repository() -> (tempfile::TempDir, std::path::PathBuf) {
    let root = tempfile::tempdir().expect("tempdir");
    let status = Command::new("git")
        .args(["init", "--quiet"])
        .current_dir(root.path())
        .status()
        .expect("git runs");
    assert!(status.success(), "git init");
    std::fs::create_dir_all(root.path().join(".github")).expect("mkdir");
    std::fs::write(root.path().join(".github/CODEOWNERS"), CODEOWNERS).expect("write");
    let dir = root.path().join("services/api");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(dir.join("main.tf"), "").expect("write");
    (root, dir)
}

fn github() -> FakeGitHub {
    FakeGitHub::with_pull(OWNER, REPO, PR, HEAD)
}

/// `tfnotify plan` in `dir`, posting to the fake GitHub.
fn plan(fake: &FakeGitHub, dir: &Path, input: &str, extra: &[&str]) -> Ran {
    Test::new()
        .dir(dir)
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
        .args(["--owner", OWNER, "--repo", REPO, "--pr", "7", "--sha", HEAD])
        .args(["plan", "--quiet"])
        .args(extra.iter().copied())
        .stdin(fixture(input))
        .run()
}

/// Every live mention in `text`: an `@` followed by a name character (a defused one is
/// followed by a word joiner, and an e-mail address has a name before its `@`).
fn mentions(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices('@') {
        let before = text[..at].chars().next_back();
        if before.is_some_and(char::is_alphanumeric) {
            continue;
        }
        let name: String = text[at + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
            .collect();
        if !name.is_empty() {
            found.push(format!("@{name}"));
        }
    }
    found
}

#[test]
fn a_destroying_plan_mentions_exactly_the_directory_s_owners() {
    let (_root, dir) = repository();
    std::fs::write(dir.join("tfnotify.yaml"), "mention_owners: destroy\n").expect("config");
    let fake = github();
    let ran = plan(&fake, &dir, "1.11/plan_mixed.txt", &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let comments = fake.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    let body = &comments[0].body;
    assert!(body.contains("\ncc @acme/api @alice\n"), "{body}");
    assert_eq!(mentions(body), ["@acme/api", "@alice"], "{body}");
    assert!(
        ran.stderr
            .contains("the owner `@bad<b>x</b>` is not a user or team name"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("line 4: `!` negation is not supported"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_plan_that_only_adds_mentions_no_one_under_destroy() {
    let (_root, dir) = repository();
    let fake = github();
    let ran = plan(
        &fake,
        &dir,
        "1.11/plan_create_only.txt",
        &["--mention-owners", "destroy"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &fake.comments(OWNER, REPO, PR)[0].body;
    assert!(!body.contains("cc @"), "{body}");
    assert_eq!(mentions(body), Vec::<String>::new(), "{body}");
    let changes = github();
    plan(
        &changes,
        &dir,
        "1.11/plan_create_only.txt",
        &["--mention-owners", "changes"],
    );
    let body = &changes.comments(OWNER, REPO, PR)[0].body;
    assert_eq!(mentions(body), ["@acme/api", "@alice"], "{body}");
}

#[test]
fn without_codeowners_no_one_is_mentioned_and_a_warning_says_why() {
    let (root, dir) = repository();
    std::fs::remove_file(root.path().join(".github/CODEOWNERS")).expect("remove");
    let fake = github();
    let ran = plan(
        &fake,
        &dir,
        "1.11/plan_mixed.txt",
        &["--mention-owners", "always"],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "there is no CODEOWNERS file (`.github/CODEOWNERS`, `CODEOWNERS`, `docs/CODEOWNERS`)"
        ),
        "{}",
        ran.stderr
    );
    let body = &fake.comments(OWNER, REPO, PR)[0].body;
    assert_eq!(mentions(body), Vec::<String>::new(), "{body}");
}

#[test]
fn a_slack_message_never_mentions_owners() {
    let (_root, dir) = repository();
    let fake = FakeSlack::start();
    let ran = Test::new()
        .dir(&dir)
        .env("SLACK_WEBHOOK_URL", fake.webhook_url())
        .args(["plan", "--quiet", "--mention-owners", "always"])
        .stdin(fixture("1.11/plan_mixed.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let messages = fake.messages();
    assert_eq!(messages.len(), 1);
    let text = messages[0].to_string();
    assert!(!text.contains("@acme"), "{text}");
    assert!(!text.contains("@alice"), "{text}");
    assert!(!ran.stderr.contains("CODEOWNERS"), "{}", ran.stderr);
}
