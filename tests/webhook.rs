//! The real binary against a fake generic webhook: the versioned envelope, the report as
//! `tfnotify parse` prints it, the HMAC signature verified by the fake, secrets, and a
//! refused signature's hint.

mod common;

use common::fake_webhooks::{FakeWebhooks, WEBHOOK_PATH, WEBHOOK_SECRET};
use common::run::{Ran, Test, fixture};
use serde_json::Value;

fn post(fake: &FakeWebhooks, secret: Option<&str>, input: impl Into<Vec<u8>>) -> Ran {
    let mut test = Test::new()
        .env("TFNOTIFY_WEBHOOK_URL", fake.webhook_url())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567");
    if let Some(secret) = secret {
        test = test.env("TFNOTIFY_WEBHOOK_SECRET", secret);
    }
    test.args(["plan", "--quiet"]).stdin(input).run()
}

#[test]
fn a_destroy_plan_is_posted_as_a_signed_envelope() {
    let fake = FakeWebhooks::start();
    let ran = post(
        &fake,
        Some(WEBHOOK_SECRET),
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_destroy.txt"),
        "passed through"
    );
    assert!(
        ran.stderr.contains("webhook message posted"),
        "{}",
        ran.stderr
    );
    assert_eq!(fake.requests()[0].path(), WEBHOOK_PATH);
    assert_eq!(fake.signatures(), [true], "the fake verified the signature");
    let envelope = &fake.messages()[0];
    assert_eq!(envelope["schema"], 1);
    assert_eq!(envelope["tool"], "tfnotify");
    assert_eq!(envelope["command"], "plan");
    assert_eq!(envelope["outcome"], "changes");
    assert_eq!(envelope["report"]["has_destroy"], true);
    assert!(
        envelope["text"]
            .as_str()
            .expect("text")
            .contains("3 to destroy")
    );
    assert_eq!(envelope["ci"]["repo"], "infra", "{envelope}");
    // The report is what `tfnotify parse` prints.
    let parsed = Test::new()
        .args(["parse", "plan"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(parsed.code, Some(0), "{}", parsed.stderr);
    let printed: Value = serde_json::from_slice(&parsed.stdout).expect("parse prints JSON");
    assert_eq!(envelope["report"], printed);
    fake.assert_no_violations();
}

#[test]
fn without_a_secret_nothing_is_signed() {
    let fake = FakeWebhooks::start();
    let ran = post(&fake, None, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        !fake.requests()[0]
            .headers
            .contains_key("x-tfnotify-signature")
    );
    assert_eq!(fake.signatures(), [false]);
}

#[test]
fn a_wrong_secret_is_refused_and_reported_with_its_hint_and_exit_3() {
    let fake = FakeWebhooks::start();
    let wrong = "NotTheSharedSecretValue";
    let ran = post(&fake, Some(wrong), fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("failed with status 401"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("hint: the endpoint refused the request"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(wrong), "{}", ran.stderr);
}

#[test]
fn a_50000_resource_plan_is_delivered_with_a_bounded_report() {
    let fake = FakeWebhooks::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = post(&fake, Some(WEBHOOK_SECRET), text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let envelope = &fake.messages()[0];
    assert_eq!(envelope["report"]["counts"]["destroy"], 10_000);
    assert!(envelope["text"].as_str().expect("text").chars().count() <= 65_536);
    assert_eq!(fake.signatures(), [true]);
    fake.assert_no_violations();
}

#[test]
fn hostile_names_stay_data_and_secrets_never_leave() {
    let fake = FakeWebhooks::start();
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            r#"terraform_data.instance["<!channel> @everyone [toall] <script>x</script>"]"#,
        )
        + &format!(
            "\nterraform_data.x: note {WEBHOOK_SECRET} {}\n",
            fake.webhook_url()
        );
    let ran = post(&fake, Some(WEBHOOK_SECRET), plan);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &fake.requests()[0].body;
    assert!(!body.contains(WEBHOOK_SECRET), "{body}");
    assert!(!ran.stdout_text().contains(WEBHOOK_SECRET));
    assert!(!ran.stderr.contains(WEBHOOK_SECRET));
    let text = fake.messages()[0]["text"]
        .as_str()
        .expect("text")
        .to_owned();
    // In the Markdown text, Terraform's words sit in code spans, as in a GitHub comment.
    assert!(
        text.contains(
            r#"- `terraform_data.instance["<!channel> @everyone [toall] <script>x</script>"]`"#
        ),
        "{text}"
    );
    assert!(!text.lines().any(|l| l.starts_with("<script>")), "{text}");
    assert_eq!(fake.signatures(), [true]);
}
