//! Terraform text that looks like a link, through the real binary to every destination that
//! renders it. The real 1.11 capture `plan_links_in_text` holds a Markdown link, an image
//! and bare URLs in a resource key (so in an address and a destroy reason) and in a failing
//! check's message. Each destination's message is a reviewed snapshot (word joiners shown
//! as `{WJ}`), and in each one nothing links to `evil.example` where the destination
//! renders links, while the words still read as Terraform wrote them.

mod common;

use common::fake_github::FakeGitHub;
use common::fake_gitlab::FakeGitLab;
use common::fake_slack::FakeSlack;
use common::fake_webhooks::{CHATWORK_ROOM, CHATWORK_TOKEN, FakeWebhooks};
use common::markdown::outside_code;
use common::run::{Test, fixture};
use serde_json::Value;

const FIXTURE: &str = "1.11/plan_links_in_text.txt";
const HEAD: &str = "1111111111111111111111111111111111111111";

/// What the `for_each` key holds, as Terraform wrote it.
const KEY: &str = "[click me](https://evil.example/phish) ![pixel](https://evil.example/pixel.png) https://evil.example/raw";

/// What the check's message holds, as Terraform wrote it.
const CHECK: &str = "See [the runbook](https://evil.example/runbook),\n![status](https://evil.example/badge.png) or https://evil.example/raw and\nwww.evil.example (mailto:ops@evil.example).";

/// Text that would link to the injected host wherever URLs or addresses are found.
const URLS: [&str; 6] = [
    "https://evil",
    "http://evil",
    "www.evil",
    "<https",
    "mailto:ops",
    "@evil.example",
];

/// Text that would be a Markdown link, image or reference where Markdown is rendered.
const MARKDOWN: [&str; 2] = ["](", "]["];

/// `text` with the invisible characters tfnotify adds shown, for snapshots.
fn visible(text: &str) -> String {
    text.replace('\u{2060}', "{WJ}")
        .replace('\u{200b}', "{ZWSP}")
}

/// How a destination reads the text it is sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reads {
    /// It links URLs and addresses, and knows no Markdown links (Slack, Chatwork).
    Urls,
    /// It renders Markdown links and images too (Mattermost, Teams).
    Markdown,
    /// The same, and the text was escaped with backslashes (`mdEscape`).
    EscapedMarkdown,
}

/// `text` as a reader sees it: invisible characters gone, and backslash escapes undone
/// when the destination reads them.
fn read(text: &str, reads: Reads) -> String {
    let text = text.replace(['\u{2060}', '\u{200b}'], "");
    if reads != Reads::EscapedMarkdown {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(next)) if next.is_ascii_punctuation() => {
                out.push(next);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Fails when `rendered` (what the destination renders as text) could link to the
/// injected host, or when `words` no longer read as Terraform wrote them.
#[track_caller]
fn assert_inert(destination: &str, rendered: &str, words: &str, reads: Reads) {
    let markdown: &[&str] = if reads == Reads::Urls { &[] } else { &MARKDOWN };
    let live = URLS.iter().chain(markdown);
    for live in live {
        assert!(
            !rendered.contains(live),
            "{destination}: `{live}` would link in:\n{}",
            visible(rendered)
        );
    }
    assert!(
        read(rendered, reads).contains(words),
        "{destination}: `{words}` is no longer readable in:\n{}",
        visible(rendered)
    );
}

/// The texts of a Teams card's `TextBlock`s, or of Slack's sections, joined.
fn texts(blocks: &Value) -> String {
    blocks
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| b["text"].as_str().or_else(|| b["text"]["text"].as_str()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn snapshot(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/links");
    settings.set_prepend_module_to_snapshot(false);
    settings.add_filter(r"tfnotify/\d+\.\d+\.\d+", "tfnotify/[VERSION]");
    settings.bind(|| insta::assert_snapshot!(name, visible(text)));
}

#[test]
fn github_comments_link_only_inside_code_which_stays_as_written() {
    let fake = FakeGitHub::start();
    fake.add_pull("acme", "infra", 7, HEAD);
    let ran = Test::new()
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.url())
        .env("GITHUB_GRAPHQL_URL", fake.graphql_url())
        .args([
            "--owner", "acme", "--repo", "infra", "--pr", "7", "--sha", HEAD,
        ])
        .args(["plan", "--quiet", "--disable-label"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = fake.comments("acme", "infra", 7)[0].body.clone();
    let prose = outside_code(&body);
    assert_inert(
        "GitHub",
        &prose,
        &format!("because key [\"{KEY}\"]"),
        Reads::EscapedMarkdown,
    );
    assert!(
        body.contains(CHECK),
        "the check's message is quoted in code as written"
    );
    snapshot("github", &body);
    fake.assert_no_violations();
}

#[test]
fn gitlab_notes_link_only_inside_code_which_stays_as_written() {
    let fake = FakeGitLab::start();
    fake.add_merge_request("acme/infra", 7, HEAD);
    let ran = Test::new()
        .env("GITLAB_TOKEN", fake.token())
        .env("GITLAB_BASE_URL", fake.url())
        .args([
            "--owner", "acme", "--repo", "infra", "--pr", "7", "--sha", HEAD,
        ])
        .args(["plan", "--quiet", "--disable-label"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = fake.user_notes("acme/infra", 7)[0].body.clone();
    let prose = outside_code(&body);
    assert_inert(
        "GitLab",
        &prose,
        &format!("because key [\"{KEY}\"]"),
        Reads::EscapedMarkdown,
    );
    assert!(
        body.contains(CHECK),
        "the check's message is quoted in code as written"
    );
    snapshot("gitlab", &body);
    fake.assert_no_violations();
}

#[test]
fn discord_embeds_link_only_inside_code() {
    let fake = FakeWebhooks::start();
    let ran = Test::new()
        .env("DISCORD_WEBHOOK_URL", fake.discord_url())
        .args(["plan", "--quiet"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let embed = &fake.messages()[0]["embeds"][0];
    let description = embed["description"].as_str().expect("description");
    let prose = outside_code(description);
    assert_inert(
        "Discord",
        &prose,
        &format!("because key [\"{KEY}\"]"),
        Reads::EscapedMarkdown,
    );
    snapshot("discord", description);
    fake.assert_no_violations();
}

#[test]
fn slack_sections_link_nowhere_not_even_in_code() {
    let fake = FakeSlack::start();
    let ran = Test::new()
        .env("SLACK_WEBHOOK_URL", fake.webhook_url())
        .args(["plan", "--quiet"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    let text = texts(&message["attachments"][0]["blocks"]);
    assert_inert("Slack", &text, KEY, Reads::Urls);
    snapshot("slack", &text);
    fake.assert_no_violations();
}

#[test]
fn mattermost_attachments_link_nowhere() {
    let fake = FakeWebhooks::start();
    let ran = Test::new()
        .env("MATTERMOST_WEBHOOK_URL", fake.mattermost_url())
        .args(["plan", "--quiet"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let text = fake.messages()[0]["attachments"][0]["text"]
        .as_str()
        .expect("text")
        .to_owned();
    assert_inert("Mattermost", &text, KEY, Reads::Markdown);
    snapshot("mattermost", &text);
    fake.assert_no_violations();
}

#[test]
fn teams_cards_link_nowhere_not_even_in_backticks() {
    let fake = FakeWebhooks::start();
    let ran = Test::new()
        .env("TEAMS_WEBHOOK_URL", fake.teams_url())
        .args(["plan", "--quiet"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let card = &fake.messages()[0]["attachments"][0]["content"];
    let text = texts(&card["body"]);
    assert_inert("Teams", &text, KEY, Reads::Markdown);
    snapshot("teams", &text);
    fake.assert_no_violations();
}

#[test]
fn chatwork_messages_link_nowhere() {
    let fake = FakeWebhooks::start();
    let ran = Test::new()
        .env("CHATWORK_API_TOKEN", CHATWORK_TOKEN)
        .env("CHATWORK_ROOM_ID", CHATWORK_ROOM)
        .env("CHATWORK_API_URL", fake.chatwork_api())
        .args(["plan", "--quiet"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = fake.messages()[0].as_str().expect("body").to_owned();
    assert_inert("Chatwork", &body, KEY, Reads::Urls);
    snapshot("chatwork", &body);
    fake.assert_no_violations();
}

/// A run posting to the webhook `variable` names with the config's plan `template`.
fn with_template(variable: &str, url: &str, template: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tfnotify.yaml");
    let yaml = format!("terraform:\n  plan:\n    template: '{template}'\n");
    std::fs::write(&config, yaml).expect("config");
    let ran = Test::new()
        .env(variable, url)
        .args(["--config", config.to_str().expect("utf-8 path")])
        .args(["plan", "--quiet"])
        .stdin(fixture(FIXTURE))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
}

/// The default chat messages name a failing check by its summary only; a template that
/// shows the check's message through the documented escape gets it linking nowhere.
#[test]
fn diagnostics_a_template_shows_through_an_escape_link_nowhere() {
    let fake = FakeWebhooks::start();
    with_template(
        "MATTERMOST_WEBHOOK_URL",
        &fake.mattermost_url(),
        "{{range .Report.warnings}}{{slackEscape .detail}}{{end}}",
    );
    with_template(
        "TEAMS_WEBHOOK_URL",
        &fake.teams_url(),
        "{{range .Report.warnings}}{{mdEscape .detail}}{{end}}",
    );
    let messages = fake.messages();
    let mattermost = messages[0]["attachments"][0]["text"]
        .as_str()
        .expect("text");
    assert_inert("Mattermost", mattermost, CHECK, Reads::Markdown);
    let teams = texts(&messages[1]["attachments"][0]["content"]["body"]);
    assert_inert(
        "Teams",
        &teams,
        &CHECK.replace('\n', " "),
        Reads::EscapedMarkdown,
    );
    fake.assert_no_violations();
}
