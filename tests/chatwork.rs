//! The real binary against a fake Chatwork: form-encoded messages, mentions on destroy,
//! hostile resource names, limits, secrets, and an invalid token's hint.

mod common;

use common::fake_webhooks::{CHATWORK_ROOM, CHATWORK_TOKEN, FakeWebhooks, form_decode};
use common::run::{Ran, Test, fixture};

fn post(fake: &FakeWebhooks, token: &str, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("CHATWORK_API_TOKEN", token)
        .env("CHATWORK_ROOM_ID", CHATWORK_ROOM)
        .env("CHATWORK_API_URL", fake.chatwork_api())
        .env("CHATWORK_MENTION_ON_DESTROY", "111, 222")
        .args(["plan", "--quiet"])
        .stdin(input)
        .run()
}

fn hostile_plan() -> String {
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt")).expect("utf-8");
    plan.replace(
        "terraform_data.instance[0]",
        r#"terraform_data.instance["[toall] [To:999] [/code] [/info] <b>x</b> @everyone"]"#,
    )
}

#[test]
fn a_destroy_plan_is_posted_with_the_mentions_asked_for() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake, CHATWORK_TOKEN, fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_destroy.txt"),
        "passed through"
    );
    assert!(
        ran.stderr.contains("Chatwork message posted"),
        "{}",
        ran.stderr
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path(),
        format!("/chatwork/v2/rooms/{CHATWORK_ROOM}/messages")
    );
    assert_eq!(
        requests[0]
            .headers
            .get("x-chatworktoken")
            .map(String::as_str),
        Some(CHATWORK_TOKEN)
    );
    let body = fake.messages()[0].as_str().expect("body").to_owned();
    assert!(
        body.starts_with("[To:111][To:222]\n[info][title]"),
        "{body}"
    );
    assert!(body.contains("[code]Plan: "), "{body}");
    assert!(body.ends_with("[/info]"), "{body}");
    assert_eq!(
        form_decode(&requests[0].body)
            .get("self_unread")
            .map(String::as_str),
        Some("0")
    );
    fake.assert_no_violations();
}

#[test]
fn a_plan_without_destroys_mentions_nobody() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake, CHATWORK_TOKEN, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = fake.messages()[0].as_str().expect("body").to_owned();
    assert!(!body.contains("[To:"), "{body}");
    assert!(body.starts_with("[info]"), "{body}");
}

#[test]
fn hostile_names_never_form_a_tag() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake, CHATWORK_TOKEN, hostile_plan());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = fake.messages()[0].as_str().expect("body").to_owned();
    for tag in ["[toall]", "[To:999]", "[/code] [", "[/info] <b>"] {
        assert!(!body.contains(tag), "{tag} in {body}");
    }
    assert!(body.contains("[\u{200b}toall]"), "{body}");
    // Only the tags our template wrote.
    assert_eq!(body.matches("[/info]").count(), 1, "{body}");
    assert_eq!(body.matches("[/code]").count(), 1, "{body}");
    fake.assert_no_violations();
}

#[test]
fn a_50000_resource_plan_fits() {
    let fake = FakeWebhooks::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = post(&fake, CHATWORK_TOKEN, text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = fake.messages()[0].as_str().expect("body").to_owned();
    assert!(body.chars().count() <= 10_100, "{}", body.chars().count());
    assert!(body.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    fake.assert_no_violations();
}

#[test]
fn an_invalid_token_is_reported_with_its_hint_exit_3_and_never_shown() {
    let fake = FakeWebhooks::start();
    let wrong = "ffffffffRevokedChatworkToken";
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {wrong}\n");
    let ran = post(&fake, wrong, input);
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("failed with status 401"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("Invalid API token"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("hint: the API token is invalid"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(wrong) && !ran.stdout_text().contains(wrong));
    assert!(ran.stdout_text().contains("note ***"));
    assert_eq!(fake.requests().len(), 1, "a 401 is not retried");
}

#[test]
fn the_token_never_leaves_the_machine() {
    let fake = FakeWebhooks::start();
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {CHATWORK_TOKEN}\n");
    let ran = post(&fake, CHATWORK_TOKEN, input);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stdout_text().contains(CHATWORK_TOKEN));
    assert!(!ran.stderr.contains(CHATWORK_TOKEN));
    let body = fake.messages()[0].as_str().expect("body").to_owned();
    assert!(!body.contains(CHATWORK_TOKEN), "{body}");
}

#[test]
fn asking_for_chatwork_without_a_room_says_what_is_missing() {
    let ran = Test::new()
        .env("CHATWORK_API_TOKEN", CHATWORK_TOKEN)
        .args(["--notifier", "chatwork", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Chatwork: no room to post to"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: set `CHATWORK_ROOM_ID`"),
        "{}",
        ran.stderr
    );
}
