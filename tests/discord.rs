//! The real binary against a fake Discord webhook: embeds within Discord's limits, nobody
//! pinged, colours by outcome, secrets, an invalid token's hint, and one message edited in
//! place with `DISCORD_MESSAGE_ID` (a deleted one posted anew).

mod common;

use common::fake_webhooks::{DISCORD_PATH, FakeWebhooks};
use common::run::{Ran, Test, fixture};

/// Fails unless every three-backtick run of `text` is a fence line of its own: Discord ends
/// a code block at any three backticks, so one inside code would let the rest out.
#[track_caller]
fn assert_code_stays_closed(text: &str) {
    for line in text.lines() {
        if let Some(at) = line.find("```") {
            let fence = line.trim_start();
            assert!(
                at == line.len() - fence.len() && !fence[3..].contains('`'),
                "three backticks inside a line: {line:?}"
            );
        }
    }
    assert_eq!(
        text.matches("```").count() % 2,
        0,
        "a block left open: {text}"
    );
}

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
    assert_code_stays_closed(description);
}

#[test]
fn hostile_names_never_ping() {
    let fake = FakeWebhooks::start();
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            r#"terraform_data.instance["@everyone @here <@123> <@&456> <b>x</b> ``` *x*"]"#,
        );
    let ran = post(&fake.discord_url(), plan);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert_eq!(message["allowed_mentions"]["parse"], serde_json::json!([]));
    let description = message["embeds"][0]["description"]
        .as_str()
        .expect("description");
    assert_code_stays_closed(description);
    assert!(
        description.contains("- ``terraform_data.instance[\"@\u{2060}everyone @\u{2060}here <@123> <@&456> <b>x</b> `\u{200b}`\u{200b}` *x*\"]``"),
        "the key stays in its code span: {description}"
    );
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

/// `tfnotify plan` with `--comment update` and, when given, `DISCORD_MESSAGE_ID`.
fn update(url: &str, message_id: Option<&str>, input: impl Into<Vec<u8>>) -> Ran {
    let mut test = Test::new().env("DISCORD_WEBHOOK_URL", url);
    if let Some(id) = message_id {
        test = test.env("DISCORD_MESSAGE_ID", id);
    }
    test.args(["plan", "--quiet", "--comment", "update"])
        .stdin(input)
        .run()
}

#[test]
fn update_without_an_id_posts_and_says_which_id_to_set() {
    let fake = FakeWebhooks::start();
    let ran = update(
        &fake.discord_url(),
        None,
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "tfnotify: Discord message created (message id 110000000000001; set `DISCORD_MESSAGE_ID` to update it)"
        ),
        "{}",
        ran.stderr
    );
    assert_eq!(
        fake.requests()[0].target,
        format!("{DISCORD_PATH}?wait=true")
    );
    fake.assert_no_violations();
}

#[test]
fn update_with_an_id_edits_that_message_in_place() {
    let fake = FakeWebhooks::start();
    let first = update(
        &fake.discord_url(),
        None,
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let id = "110000000000001";
    let second = update(
        &fake.discord_url(),
        Some(id),
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(
        second
            .stderr
            .contains(&format!("tfnotify: Discord message updated (message {id})")),
        "{}",
        second.stderr
    );
    assert!(!second.stderr.contains("warning"), "{}", second.stderr);
    let edit = &fake.requests()[1];
    assert_eq!(edit.method, "PATCH");
    assert_eq!(edit.target, format!("{DISCORD_PATH}/messages/{id}"));
    let body = edit.json().expect("JSON");
    assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
    assert_eq!(body["content"], "", "an earlier destroy warning is cleared");
    let messages = fake.discord_messages();
    assert_eq!(messages.len(), 1, "one message after two runs");
    let embed = &messages[id]["embeds"][0];
    assert_eq!(embed["color"], 0x00CF_222E);
    assert!(
        embed["description"]
            .as_str()
            .expect("description")
            .contains("3 to destroy")
    );

    // The id alone means "edit this message"; `--comment new` posts anew.
    let ran = Test::new()
        .env("DISCORD_WEBHOOK_URL", fake.discord_url())
        .env("DISCORD_MESSAGE_ID", id)
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Discord message updated"),
        "{}",
        ran.stderr
    );
    let ran = Test::new()
        .env("DISCORD_WEBHOOK_URL", fake.discord_url())
        .env("DISCORD_MESSAGE_ID", id)
        .args(["plan", "--quiet", "--comment", "new"])
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Discord message posted (message 110000000000002)"),
        "{}",
        ran.stderr
    );
    assert_eq!(fake.discord_messages().len(), 2);
    fake.assert_no_violations();
}

#[test]
fn a_deleted_message_is_posted_anew_with_a_warning() {
    let fake = FakeWebhooks::start();
    let first = update(
        &fake.discord_url(),
        None,
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    fake.delete_discord_message("110000000000001");
    let ran = update(
        &fake.discord_url(),
        Some("110000000000001"),
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify: warning: Discord: message 110000000000001 is gone (Discord answered 404, Unknown Message), so a new message was posted; set `DISCORD_MESSAGE_ID` to the new id"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("Discord message created (message id 110000000000002; set `DISCORD_MESSAGE_ID` to update it)"),
        "{}",
        ran.stderr
    );
    let statuses: Vec<(String, u16)> = fake
        .requests()
        .iter()
        .skip(1)
        .map(|r| (r.method.clone(), r.status))
        .collect();
    assert_eq!(
        statuses,
        [("PATCH".to_owned(), 404), ("POST".to_owned(), 200)]
    );
    assert_eq!(fake.discord_messages().len(), 1);
    fake.assert_no_violations();
}

#[test]
fn a_message_id_that_is_not_an_id_is_refused_before_anything_is_sent() {
    let fake = FakeWebhooks::start();
    let ran = update(
        &fake.discord_url(),
        Some("../../channels/1"),
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Discord: `DISCORD_MESSAGE_ID` is `../../channels/1`, not a message id"),
        "{}",
        ran.stderr
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn a_thread_webhook_keeps_its_query_when_editing_and_its_token_stays_hidden() {
    let fake = FakeWebhooks::start();
    let url = format!("{}?thread_id=42", fake.discord_url());
    let first = update(&url, None, fixture("1.11/plan_create_only.txt"));
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert_eq!(
        fake.requests()[0].target,
        format!("{DISCORD_PATH}?thread_id=42&wait=true")
    );
    // An id the webhook never posted: the 404 names no URL.
    let ran = update(&url, Some("999"), fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        fake.requests()[1].target,
        format!("{DISCORD_PATH}/messages/999?thread_id=42")
    );
    for ran in [&first, &ran] {
        assert!(
            !ran.stderr.contains("FakeDiscordWebhookToken"),
            "{}",
            ran.stderr
        );
    }
    // A revoked token while editing: the error shows neither the URL nor the token.
    let revoked = format!(
        "{}/api/webhooks/1234567890/RevokedDiscordTokenValue",
        fake.url()
    );
    let ran = update(
        &revoked,
        Some("110000000000001"),
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("`PATCH ***/messages/110000000000001` failed with status 401"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("RevokedDiscordTokenValue"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_50000_resource_plan_edit_stays_within_embed_limits_and_pings_nobody() {
    let fake = FakeWebhooks::start();
    let first = update(
        &fake.discord_url(),
        None,
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = update(&fake.discord_url(), Some("110000000000001"), text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let hostile = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            r#"terraform_data.instance["@everyone @here <@123> ``` *x*"]"#,
        );
    let ran = update(&fake.discord_url(), Some("110000000000001"), hostile);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    fake.assert_no_violations();
    for request in fake.requests().iter().skip(1) {
        assert_eq!(request.method, "PATCH");
        let body = request.json().expect("JSON");
        assert_eq!(body["allowed_mentions"]["parse"], serde_json::json!([]));
        let description = body["embeds"][0]["description"]
            .as_str()
            .expect("description");
        assert!(description.chars().count() <= 4_096);
        assert_code_stays_closed(description);
        assert!(!description.contains("@everyone") && !description.contains("@here"));
    }
    assert_eq!(fake.discord_messages().len(), 1);
}
