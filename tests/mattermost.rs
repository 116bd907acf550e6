//! The real binary against a fake Mattermost incoming webhook: the environment and the
//! classic `notifier.mattermost` block, the colour bar by outcome, broadcasts defused,
//! limits, secrets, and an invalid webhook's hint.

mod common;

use std::path::PathBuf;

use common::fake_webhooks::{FakeWebhooks, MATTERMOST_PATH, MATTERMOST_POST_LIMIT};
use common::run::{Ran, Test, fixture};
use serde_json::Value;

fn post(url: &str, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("MATTERMOST_WEBHOOK_URL", url)
        .args(["plan", "--quiet"])
        .stdin(input)
        .run()
}

/// The message's one attachment, which holds its text beside the colour bar.
fn attachment(message: &Value) -> &Value {
    assert_eq!(
        message["attachments"].as_array().map(Vec::len),
        Some(1),
        "one attachment: {message}"
    );
    &message["attachments"][0]
}

/// The message's text: its attachment's.
fn text(message: &Value) -> &str {
    attachment(message)["text"].as_str().expect("text")
}

/// A classic config with a `notifier.mattermost` block, written for this test only.
fn classic_config(name: &str, webhook: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tfnotify-mattermost-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("tfnotify.yaml");
    std::fs::write(
        &path,
        format!(
            "ci: jenkins\nnotifier:\n  mattermost:\n    webhook: {webhook}\n    channel: town-square\n    bot: terraform-bot\n"
        ),
    )
    .expect("write config");
    path
}

#[test]
fn a_destroy_plan_is_posted_through_the_webhook() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake.mattermost_url(), fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_destroy.txt"),
        "passed through"
    );
    assert!(
        ran.stderr.contains("Mattermost message posted"),
        "{}",
        ran.stderr
    );
    let requests = fake.requests();
    assert_eq!(requests[0].path(), MATTERMOST_PATH);
    let message = &fake.messages()[0];
    // Mattermost shows a top-level `text` above the attachment: there is none, so the
    // message is shown once.
    assert_eq!(message.get("text"), None, "{message}");
    assert_eq!(attachment(message)["color"], "#d93f0b");
    let shown = text(message);
    assert!(shown.contains("Plan destroys resources"), "{shown}");
    let fallback = attachment(message)["fallback"].as_str().expect("fallback");
    assert!(shown.starts_with(fallback), "{fallback}");
    assert!(message.get("channel").is_none());
    fake.assert_no_violations();
}

#[test]
fn the_classic_config_names_the_channel_and_the_bot() {
    let fake = FakeWebhooks::start();
    let config = classic_config("classic", &fake.mattermost_url());
    let ran = Test::new()
        .args(["--config"])
        .args([&config])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert_eq!(message["channel"], "town-square");
    assert_eq!(message["username"], "terraform-bot");
    assert!(
        !ran.stderr.contains("fakemattermosthookid"),
        "{}",
        ran.stderr
    );
    fake.assert_no_violations();
}

#[test]
fn broadcasts_in_terraform_output_are_defused() {
    let fake = FakeWebhooks::start();
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            r#"terraform_data.instance["@channel @all @here @everyone <!channel> <b>x</b>"]"#,
        );
    let ran = post(&fake.mattermost_url(), plan);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    let text = format!(
        "{}\n{}",
        text(message),
        attachment(message)["fallback"].as_str().expect("fallback")
    );
    for hostile in ["@channel", "@all", "@here", "@everyone", "<!channel>"] {
        assert!(!text.contains(hostile), "{hostile} in {text}");
    }
    assert!(text.contains("@\u{2060}all"), "{text}");
    fake.assert_no_violations();
}

#[test]
fn a_50000_resource_plan_fits() {
    let fake = FakeWebhooks::start();
    let mut plan = Vec::new();
    common::big_plan::write_plan(&mut plan, 50_000, 0).expect("generate");
    let ran = post(&fake.mattermost_url(), plan);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert!(text(message).chars().count() <= MATTERMOST_POST_LIMIT);
    assert!(
        attachment(message)["fallback"]
            .as_str()
            .expect("fallback")
            .chars()
            .count()
            <= 3_000
    );
    assert_eq!(attachment(message)["color"], "#d93f0b");
    fake.assert_no_violations();
}

#[test]
fn an_invalid_webhook_is_reported_with_its_hint_exit_3_and_never_shown() {
    let fake = FakeWebhooks::start();
    let url = format!("{}/hooks/revokedhookid999", fake.url());
    let ran = post(&url, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("failed with status 400"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: the webhook does not exist"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("revokedhookid999"), "{}", ran.stderr);
}

#[test]
fn the_webhook_url_never_leaves_the_machine() {
    let fake = FakeWebhooks::start();
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {}\n", fake.mattermost_url());
    let ran = post(&fake.mattermost_url(), input);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stdout_text().contains("fakemattermosthookid"));
    assert!(!ran.stderr.contains("fakemattermosthookid"));
    assert!(!fake.requests()[0].body.contains("fakemattermosthookid"));
}

#[test]
fn each_outcome_colours_the_bar_beside_the_message() {
    let fake = FakeWebhooks::start();
    let cases = [
        ("plan", "1.11/plan_destroy.txt", 0, "#d93f0b"),
        ("plan", "1.11/plan_create_only.txt", 0, "#1d76db"),
        ("plan", "1.11/plan_no_changes.txt", 0, "#2eb67d"),
        ("apply", "1.11/apply_partial_failure.txt", 1, "#cb2431"),
    ];
    for (command, input, code, _) in cases {
        let ran = Test::new()
            .env("MATTERMOST_WEBHOOK_URL", fake.mattermost_url())
            .args([command, "--quiet"])
            .stdin(fixture(input))
            .run();
        assert_eq!(ran.code, Some(code), "{input}: {}", ran.stderr);
    }
    let messages = fake.messages();
    assert_eq!(messages.len(), cases.len());
    for (message, (_, input, _, color)) in messages.iter().zip(cases) {
        assert_eq!(attachment(message)["color"], color, "{input}");
        assert!(!text(message).is_empty(), "{input}");
    }
    fake.assert_no_violations();
}

#[test]
fn the_fake_refuses_attachments_mattermost_documents_as_wrong() {
    use serde_json::json;
    use tfnotify::notify::http::{Http, HttpConfig, Method, Request};
    let fake = FakeWebhooks::start();
    let http = Http::new(HttpConfig::default());
    let status = |body: Value| {
        let request = Request::json(Method::Post, fake.mattermost_url(), &body).expect("encode");
        match http.send(&request) {
            Ok(response) => response.status,
            Err(error) => error.status().expect("an HTTP status"),
        }
    };
    assert_eq!(
        status(json!({"attachments": [{"fallback": "f", "color": "#2eb67d", "text": "t"}]})),
        200
    );
    assert_eq!(
        status(json!({"attachments": [{"color": "#2eb67d", "text": "t"}]})),
        400
    );
    assert_eq!(
        status(json!({"attachments": [{"fallback": "f", "color": "green"}]})),
        400
    );
    let long = "x".repeat(MATTERMOST_POST_LIMIT + 1);
    assert_eq!(
        status(json!({"attachments": [{"fallback": "f", "text": long}]})),
        400
    );
    assert_eq!(status(json!({"channel": "town-square"})), 400);
    assert_eq!(fake.violations().len(), 4, "{:#?}", fake.violations());
}
