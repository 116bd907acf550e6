//! The real binary against a fake Mattermost incoming webhook: the environment and the
//! classic `notifier.mattermost` block, broadcasts defused, limits, secrets, and an invalid
//! webhook's hint.

mod common;

use std::path::PathBuf;

use common::fake_webhooks::{FakeWebhooks, MATTERMOST_PATH};
use common::run::{Ran, Test, fixture};

fn post(url: &str, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("MATTERMOST_WEBHOOK_URL", url)
        .args(["plan", "--quiet"])
        .stdin(input)
        .run()
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
    let text = message["text"].as_str().expect("text");
    assert!(text.contains("Plan destroys resources"), "{text}");
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
    let text = fake.messages()[0]["text"]
        .as_str()
        .expect("text")
        .to_owned();
    for hostile in ["@channel", "@all", "@here", "@everyone", "<!channel>"] {
        assert!(!text.contains(hostile), "{hostile} in {text}");
    }
    assert!(text.contains("@\u{2060}all"), "{text}");
    fake.assert_no_violations();
}

#[test]
fn a_50000_resource_plan_fits() {
    let fake = FakeWebhooks::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = post(&fake.mattermost_url(), text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert!(message["text"].as_str().expect("text").chars().count() <= 16_383);
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
