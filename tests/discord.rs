//! The real binary against a fake Discord webhook: embeds within Discord's limits, nobody
//! pinged, colours by outcome, secrets, and an invalid token's hint.

mod common;

use common::fake_webhooks::{DISCORD_PATH, FakeWebhooks};
use common::run::{Ran, Test, fixture};

fn post(url: &str, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("DISCORD_WEBHOOK_URL", url)
        .args(["plan", "--quiet"])
        .stdin(input)
        .run()
}

#[test]
fn a_destroy_plan_is_posted_as_a_red_embed_that_pings_nobody() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake.discord_url(), fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_destroy.txt"),
        "passed through"
    );
    assert!(
        ran.stderr.contains("Discord message posted"),
        "{}",
        ran.stderr
    );
    let request = &fake.requests()[0];
    assert_eq!(request.target, format!("{DISCORD_PATH}?wait=true"));
    let message = &fake.messages()[0];
    assert_eq!(message["allowed_mentions"]["parse"], serde_json::json!([]));
    let embed = &message["embeds"][0];
    assert_eq!(embed["color"], 0x00CF_222E);
    assert!(
        embed["title"]
            .as_str()
            .expect("title")
            .contains("Plan destroys resources")
    );
    assert!(
        embed["description"]
            .as_str()
            .expect("description")
            .contains("3 to destroy")
    );
    fake.assert_no_violations();
}

#[test]
fn colours_follow_the_outcome() {
    let fake = FakeWebhooks::start();
    for (fixture_name, colour) in [
        ("1.11/plan_create_only.txt", 0x00D2_9922),
        ("1.11/plan_no_changes.txt", 0x002E_A043),
    ] {
        let ran = post(&fake.discord_url(), fixture(fixture_name));
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        let messages = fake.messages();
        assert_eq!(
            messages.last().expect("message")["embeds"][0]["color"],
            colour,
            "{fixture_name}"
        );
    }
}

#[test]
fn a_50000_resource_plan_stays_within_embed_limits() {
    let fake = FakeWebhooks::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = post(&fake.discord_url(), text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    fake.assert_no_violations();
    let embed = &fake.messages()[0]["embeds"][0];
    let description = embed["description"].as_str().expect("description");
    assert!(description.chars().count() <= 4_096);
    assert_eq!(description.matches("```").count() % 2, 0, "fences balanced");
}

#[test]
fn hostile_names_never_ping() {
    let fake = FakeWebhooks::start();
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            r#"terraform_data.instance["@everyone @here <@123> <@&456> <b>x</b>"]"#,
        );
    let ran = post(&fake.discord_url(), plan);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert_eq!(message["allowed_mentions"]["parse"], serde_json::json!([]));
    let body = fake.requests()[0].body.clone();
    assert!(
        !body.contains("@everyone") && !body.contains("@here"),
        "{body}"
    );
    fake.assert_no_violations();
}

#[test]
fn an_invalid_token_is_reported_with_its_hint_exit_3_and_never_shown() {
    let fake = FakeWebhooks::start();
    let url = format!("{}/api/webhooks/1234567890/RevokedDiscordToken", fake.url());
    let ran = post(&url, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("failed with status 401"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("Invalid Webhook Token"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: the webhook's token is invalid"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("RevokedDiscordToken"),
        "{}",
        ran.stderr
    );
}

#[test]
fn the_webhook_url_never_leaves_the_machine() {
    let fake = FakeWebhooks::start();
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {}\n", fake.discord_url());
    let ran = post(&fake.discord_url(), input);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stdout_text().contains("FakeDiscordWebhookToken"));
    assert!(!ran.stderr.contains("FakeDiscordWebhookToken"));
    assert!(!fake.requests()[0].body.contains("FakeDiscordWebhookToken"));
}
