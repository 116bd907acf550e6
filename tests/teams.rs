//! The real binary against a fake Teams Workflows webhook: Adaptive Cards, the 28 KB
//! payload limit, hostile names, secrets, and a bad signature's hint.

mod common;

use common::fake_webhooks::{FakeWebhooks, TEAMS_PAYLOAD_LIMIT, TEAMS_SIG};
use common::run::{Ran, Test, fixture};
use serde_json::Value;

fn post(url: &str, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("TEAMS_WEBHOOK_URL", url)
        .args(["plan", "--quiet"])
        .stdin(input)
        .run()
}

fn blocks(message: &Value) -> Vec<Value> {
    message["attachments"][0]["content"]["body"]
        .as_array()
        .cloned()
        .expect("card body")
}

#[test]
fn a_destroy_plan_is_posted_as_an_adaptive_card() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake.teams_url(), fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_destroy.txt"),
        "passed through"
    );
    assert!(
        ran.stderr.contains("Teams message posted"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        fake.requests()[0].status,
        202,
        "202 with an empty body is success"
    );
    let message = &fake.messages()[0];
    let blocks = blocks(message);
    let text = blocks[0]["text"].as_str().expect("text");
    assert!(text.contains("Plan destroys resources"), "{text}");
    assert_eq!(blocks[0]["wrap"], true);
    let result = blocks
        .iter()
        .find(|b| b["fontType"] == "Monospace")
        .expect("a monospace result line");
    assert_eq!(result["text"], "Plan: 0 to add, 0 to change, 3 to destroy.");
    fake.assert_no_violations();
}

#[test]
fn a_50000_resource_plan_stays_under_the_payload_limit() {
    let fake = FakeWebhooks::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = post(&fake.teams_url(), text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let request = &fake.requests()[0];
    assert!(
        request.body.len() <= TEAMS_PAYLOAD_LIMIT,
        "{}",
        request.body.len()
    );
    let message = &fake.messages()[0];
    let all: String = blocks(message)
        .iter()
        .filter_map(|b| b["text"].as_str().map(str::to_owned))
        .collect();
    assert!(all.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    fake.assert_no_violations();
}

#[test]
fn hostile_names_stay_text() {
    let fake = FakeWebhooks::start();
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            r#"terraform_data.instance["<at>everyone</at> <b>x</b> [l](javascript:x) @everyone"]"#,
        );
    let ran = post(&fake.teams_url(), plan);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert!(
        message["attachments"][0]["content"]
            .get("msteams")
            .is_none_or(|m| m.get("entities").is_none()),
        "no mention entities, so `<at>` can never ping"
    );
    let text = blocks(message)[0]["text"]
        .as_str()
        .expect("text")
        .to_owned();
    // Terraform's words arrive inside a code span, which a card shows as text but still
    // reads as Markdown: word joiners (shown here as `^`) keep every link and tag broken.
    let shown = text.replace('\u{2060}', "^");
    assert!(
        shown.contains(
            r#"`terraform_data.instance["<^at>everyone</at> <^b>x</b> [l]^(javascript:x) @^everyone"]`"#
        ),
        "{shown}"
    );
    fake.assert_no_violations();
}

#[test]
fn a_wrong_signature_is_reported_with_its_hint_exit_3_and_never_shown() {
    let fake = FakeWebhooks::start();
    let url = fake.teams_url().replace(TEAMS_SIG, "WrongSignatureValue");
    let ran = post(&url, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("failed with status 401"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: the webhook URL's signature"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stderr.contains("WrongSignatureValue"),
        "{}",
        ran.stderr
    );
}

#[test]
fn any_host_is_accepted_and_the_url_never_leaves_the_machine() {
    let fake = FakeWebhooks::start();
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!("\nterraform_data.x: note {}\n", fake.teams_url());
    let ran = post(&fake.teams_url(), input);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stdout_text().contains(TEAMS_SIG));
    assert!(!ran.stderr.contains(TEAMS_SIG));
    assert!(!fake.requests()[0].body.contains(TEAMS_SIG));
}
