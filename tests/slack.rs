//! The real binary against a fake Slack: webhook and `chat.postMessage`, the colour bar by
//! outcome, Slack's errors and their hints, limits, retries, mentions in Terraform output,
//! secrets.

mod common;

use std::path::PathBuf;

use common::fake_slack::{
    BLOCKS_TOO_LONG, CHANNEL, CHANNEL_NOT_IN, FakeSlack, MAX_BLOCKS, Recorded, SECTION_LIMIT,
    TOKEN, WEBHOOK_PATH,
};
use common::run::{Ran, Test, fixture};
use serde_json::{Value, json};
use tfnotify::notify::http::{Http, HttpConfig, Method, Request};

/// Mentions and broadcasts Terraform output must never trigger.
const HOSTILE: [&str; 6] = [
    "<!channel>",
    "<!here>",
    "<@U123>",
    "<!subteam^S1>",
    "@everyone",
    "@channel",
];

fn classic_config() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config/classic-slack.yaml")
}

/// `tfnotify plan` posting through the fake's webhook.
fn webhook_plan(fake: &FakeSlack, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("SLACK_WEBHOOK_URL", fake.webhook_url())
        .args(["--var", "target:prod", "plan", "--quiet"])
        .stdin(input)
        .run()
}

/// `tfnotify plan` with the classic config, its values from the environment like Jenkins
/// jobs set them.
fn classic_plan(fake: &FakeSlack, token: &str, channel: &str, input: impl Into<Vec<u8>>) -> Ran {
    Test::new()
        .env("SLACK_TOKEN", token)
        .env("SLACK_CHANNEL_ID", channel)
        .env("SLACK_BOT_NAME", "terraform-bot")
        .env("SLACK_API_URL", fake.api_url())
        .args(["--config"])
        .args([classic_config()])
        .args(["plan", "--quiet"])
        .stdin(input)
        .run()
}

/// The message's one attachment, which holds its blocks beside the colour bar.
fn attachment(message: &Value) -> &Value {
    assert_eq!(
        message["attachments"].as_array().map(Vec::len),
        Some(1),
        "one attachment: {message}"
    );
    &message["attachments"][0]
}

/// The notification fallback of a message: its attachment's `fallback`.
fn fallback(message: &Value) -> &str {
    attachment(message)["fallback"].as_str().expect("fallback")
}

/// The text of every section block of a message's attachment, joined.
fn sections(message: &Value) -> String {
    attachment(message)["blocks"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b["text"]["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

/// `plan_destroy.txt` with a resource whose key is full of mentions.
fn hostile_plan() -> String {
    let plan = String::from_utf8(fixture("1.11/plan_destroy.txt")).expect("utf-8");
    assert!(plan.contains("terraform_data.instance[0]"));
    plan.replace(
        "terraform_data.instance[0]",
        r#"terraform_data.instance["<!channel> @everyone <@U123> <!here> <!subteam^S1> @channel"]"#,
    )
}

#[test]
fn a_destroy_plan_is_posted_through_the_webhook_with_its_warning() {
    let fake = FakeSlack::start();
    let ran = webhook_plan(&fake, fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_destroy.txt"),
        "passed through"
    );
    assert!(
        ran.stderr.contains("tfnotify: Slack message posted"),
        "{}",
        ran.stderr
    );
    let requests = fake.requests();
    assert_eq!(
        requests.iter().map(Recorded::line).collect::<Vec<_>>(),
        [format!("POST {WEBHOOK_PATH}")]
    );
    assert!(
        !requests[0].headers.contains_key("authorization"),
        "the webhook URL is the credential"
    );
    let messages = fake.messages();
    let message = &messages[0];
    // Slack shows a top-level `text` above the attachment: there is none, so the message is
    // shown once.
    assert_eq!(message.get("text"), None, "{message}");
    assert_eq!(message.get("blocks"), None, "{message}");
    assert_eq!(attachment(message)["color"], "#d93f0b");
    let text = fallback(message);
    assert!(
        text.starts_with("*:warning: Plan destroys resources* `prod`"),
        "{text}"
    );
    let shown = sections(message);
    assert!(
        shown.contains(":rotating_light: *3 resources destroyed*"),
        "{shown}"
    );
    assert!(
        shown.contains("• `terraform_data.instance[0]` (destroy)"),
        "{shown}"
    );
    assert!(attachment(message)["blocks"][0]["type"] == "section");
    fake.assert_no_violations();
}

#[test]
fn the_classic_config_posts_with_the_bot_token_to_its_channel() {
    let fake = FakeSlack::start();
    let ran = classic_plan(&fake, TOKEN, CHANNEL, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(&format!(
            "tfnotify: Slack message posted to {CHANNEL} (ts 1767225600.000001)"
        )),
        "{}",
        ran.stderr
    );
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].line(), "POST /api/chat.postMessage");
    assert_eq!(
        requests[0].headers.get("authorization").map(String::as_str),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let message = &fake.messages()[0];
    assert_eq!(message["channel"], CHANNEL);
    assert_eq!(message["username"], "terraform-bot");
    assert_eq!(message["link_names"], false);
    // The config's own template: `.Result` and `.Body` in fences.
    let text = fallback(message);
    assert!(text.contains("Plan: "), "{text}");
    assert!(sections(message).contains("will be created"));
    fake.assert_no_violations();
}

#[test]
fn the_token_and_channel_alone_in_the_environment_post_with_the_api() {
    let fake = FakeSlack::start();
    let ran = Test::new()
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_CHANNEL_ID", CHANNEL)
        .env("SLACK_API_URL", fake.api_url())
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    assert!(message.get("username").is_none());
    assert!(fallback(message).starts_with("*:white_check_mark: No changes*"));
    assert_eq!(attachment(message)["color"], "#2eb67d");
    fake.assert_no_violations();
}

#[test]
fn invalid_auth_is_reported_with_its_hint_and_exit_code_3() {
    let fake = FakeSlack::start();
    let wrong = "xoxb-1111-RevokedTokenValue";
    let ran = classic_plan(&fake, wrong, CHANNEL, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture("1.11/plan_create_only.txt"),
        "still passed through"
    );
    let line = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: Slack:"))
        .unwrap_or_default();
    assert!(
        line.contains("failed with status 200: invalid_auth"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("hint: the token is invalid or revoked; use a bot token (`xoxb-…`) with the `chat:write` scope"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(wrong), "{}", ran.stderr);
    assert_eq!(fake.requests().len(), 1, "an API refusal is not retried");
}

#[test]
fn a_channel_without_the_bot_or_unknown_gets_its_own_hint() {
    let fake = FakeSlack::start();
    let ran = classic_plan(
        &fake,
        TOKEN,
        CHANNEL_NOT_IN,
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(3));
    assert!(ran.stderr.contains("not_in_channel"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("hint: invite the bot to the channel"),
        "{}",
        ran.stderr
    );

    let ran = classic_plan(
        &fake,
        TOKEN,
        "C0MISSING",
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(3));
    assert!(ran.stderr.contains("channel_not_found"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("hint: check the channel ID"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_revoked_webhook_is_reported_without_showing_its_url() {
    let fake = FakeSlack::start();
    let revoked = format!("{}/services/T00000000/B00000000/RevokedSecret", fake.url());
    let ran = Test::new()
        .env("SLACK_WEBHOOK_URL", &revoked)
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("`POST ***` failed with status 404: no_service"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("hint: the webhook URL is revoked or wrong")
    );
    assert!(!ran.stderr.contains("RevokedSecret"), "{}", ran.stderr);
}

#[test]
fn nothing_configured_posts_nothing_and_asking_for_slack_says_what_is_missing() {
    let ran = Test::new()
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stderr.contains("Slack"), "{}", ran.stderr);

    let ran = Test::new()
        .args(["--notifier", "slack", "plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Slack: no webhook URL or token"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: set `SLACK_WEBHOOK_URL`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_50000_resource_plan_stays_within_every_limit() {
    let fake = FakeSlack::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let ran = webhook_plan(&fake, text);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    fake.assert_no_violations();
    let messages = fake.messages();
    let message = &messages[0];
    let blocks = attachment(message)["blocks"].as_array().expect("blocks");
    assert!(!blocks.is_empty() && blocks.len() <= MAX_BLOCKS);
    assert!(blocks.len() <= tfnotify::notify::slack::MAX_BLOCKS);
    let mut total = 0;
    for block in blocks {
        if let Some(text) = block["text"]["text"].as_str() {
            let len = text.chars().count();
            assert!(len <= SECTION_LIMIT, "{len}");
            assert_eq!(
                text.matches("```").count() % 2,
                0,
                "fences balanced: {text}"
            );
            total += len;
        }
    }
    assert!(total < BLOCKS_TOO_LONG, "{total}");
    let fallback = fallback(message);
    assert!(fallback.chars().count() <= SECTION_LIMIT);
    assert!(fallback.contains("Plan: 35000 to add, 10000 to change, 10000 to destroy."));
    assert!(
        fallback.contains("… and "),
        "the list of destroyed resources is cut"
    );
}

#[test]
fn mentions_in_terraform_output_never_reach_slack_unescaped() {
    let fake = FakeSlack::start();
    // Our default template, through the webhook.
    let ran = webhook_plan(&fake, hostile_plan());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    // The classic config's raw template, which puts the whole output in `.Body`.
    let ran = classic_plan(&fake, TOKEN, CHANNEL, hostile_plan());
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        let body = request.json().expect("JSON body");
        // The decoded strings are what Slack parses, so look at those, not at JSON escapes.
        let mut texts = vec![fallback(&body).to_owned()];
        texts.push(sections(&body));
        for text in &texts {
            for hostile in HOSTILE {
                assert!(
                    !text.contains(hostile),
                    "{hostile} in {}: {text}",
                    request.line()
                );
            }
        }
        assert!(
            sections(&body).contains("&lt;!channel&gt;")
                || sections(&body).contains("&lt;!channel>")
        );
    }
    let classic = sections(&requests[1].json().expect("JSON"));
    assert!(classic.contains("&lt;@U123>"), "{classic}");
    assert!(classic.contains("@\u{2060}everyone"), "{classic}");
    fake.assert_no_violations();
}

#[test]
fn the_token_and_the_webhook_url_never_leave_the_machine() {
    let fake = FakeSlack::start();
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!(
            "\nterraform_data.x: note {TOKEN} and {}\n",
            fake.webhook_url()
        );
    // A token without a channel: the webhook posts, and both are masked.
    let ran = Test::new()
        .env("SLACK_WEBHOOK_URL", fake.webhook_url())
        .env("SLACK_TOKEN", TOKEN)
        .args(["plan", "--quiet"])
        .stdin(input.clone())
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    // A token and a channel: the API posts, and the webhook URL is masked too.
    let api = Test::new()
        .env("SLACK_WEBHOOK_URL", fake.webhook_url())
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_CHANNEL_ID", CHANNEL)
        .env("SLACK_API_URL", fake.api_url())
        .args(["--config"])
        .args([classic_config()])
        .args(["plan", "--quiet"])
        .stdin(input)
        .run();
    assert_eq!(api.code, Some(0), "{}", api.stderr);
    for ran in [&ran, &api] {
        let out = ran.stdout_text();
        assert!(
            !out.contains(TOKEN) && !out.contains("FakeWebhookSecret"),
            "pass-through masked: {out}"
        );
        assert!(out.contains("note *** and ***"), "{out}");
        assert!(
            !ran.stderr.contains(TOKEN) && !ran.stderr.contains("FakeWebhookSecret"),
            "{}",
            ran.stderr
        );
    }
    let requests = fake.requests();
    assert_eq!(
        requests.iter().map(Recorded::line).collect::<Vec<_>>(),
        [
            format!("POST {WEBHOOK_PATH}"),
            "POST /api/chat.postMessage".to_owned()
        ]
    );
    for request in &requests {
        assert!(
            !request.body.contains(TOKEN) && !request.body.contains("FakeWebhookSecret"),
            "{}",
            request.body
        );
    }
    assert!(
        requests[1].body.contains("note *** and ***"),
        "{}",
        requests[1].body
    );
    fake.assert_no_violations();
}

#[test]
fn a_429_with_retry_after_is_retried() {
    let fake = FakeSlack::start();
    fake.fail_next(
        WEBHOOK_PATH,
        429,
        &[("Retry-After", "1")],
        "rate_limited",
        1,
    );
    let ran = webhook_plan(&fake, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let statuses: Vec<u16> = fake.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429, 200], "one refused, one accepted");
    assert_eq!(fake.messages().len(), 1);

    fake.fail_next(
        "/api/chat.postMessage",
        429,
        &[("Retry-After", "1")],
        r#"{"ok":false,"error":"ratelimited"}"#,
        1,
    );
    let ran = classic_plan(&fake, TOKEN, CHANNEL, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(fake.messages().len(), 2);
    fake.assert_no_violations();
}

#[test]
fn the_config_s_destroy_warning_follows_the_message_after_a_divider() {
    let fake = FakeSlack::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("tfnotify.yaml");
    std::fs::write(
        &config,
        "notifier:\n  slack:\n    channel: $SLACK_CHANNEL_ID\nterraform:\n  plan:\n    when_destroy:\n      template: |\n        *WARNING: Resource Deletion will happen* <!here> {{ .Result }}\n",
    )
    .expect("write config");
    let ran = Test::new()
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_CHANNEL_ID", CHANNEL)
        .env("SLACK_API_URL", fake.api_url())
        .args(["--config"])
        .args([&config])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let message = &fake.messages()[0];
    let types: Vec<&str> = attachment(message)["blocks"]
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| b["type"].as_str())
        .collect();
    assert_eq!(types, ["section", "divider", "section"]);
    let warning = attachment(message)["blocks"][2]["text"]["text"]
        .as_str()
        .expect("text");
    assert!(
        warning.starts_with("*WARNING: Resource Deletion will happen* &lt;!here>"),
        "{warning}"
    );
    assert!(warning.contains("3 to destroy"), "{warning}");

    // A plan without destroys gets no warning.
    let ran = Test::new()
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_CHANNEL_ID", CHANNEL)
        .env("SLACK_API_URL", fake.api_url())
        .args(["--config"])
        .args([&config])
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        attachment(&fake.messages()[1])["blocks"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    fake.assert_no_violations();
}

#[test]
fn each_outcome_colours_the_bar_beside_the_message() {
    let fake = FakeSlack::start();
    // A failed apply exits 1, as Terraform did; the message is posted all the same.
    let cases = [
        ("plan", "1.11/plan_destroy.txt", 0, "#d93f0b"),
        ("plan", "1.11/plan_create_only.txt", 0, "#1d76db"),
        ("plan", "1.11/plan_no_changes.txt", 0, "#2eb67d"),
        ("apply", "1.11/apply_partial_failure.txt", 1, "#cb2431"),
    ];
    for (command, input, code, _) in cases {
        let ran = Test::new()
            .env("SLACK_WEBHOOK_URL", fake.webhook_url())
            .args([command, "--quiet"])
            .stdin(fixture(input))
            .run();
        assert_eq!(ran.code, Some(code), "{input}: {}", ran.stderr);
    }
    let messages = fake.messages();
    assert_eq!(messages.len(), cases.len());
    for (message, (_, input, _, color)) in messages.iter().zip(cases) {
        assert_eq!(attachment(message)["color"], color, "{input}");
        assert!(!sections(message).is_empty(), "{input}");
        assert!(!fallback(message).is_empty(), "{input}");
    }
    assert!(
        fallback(&messages[3]).contains("failed"),
        "{}",
        fallback(&messages[3])
    );

    // The Web API posts the same attachment.
    let ran = classic_plan(&fake, TOKEN, CHANNEL, fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let stored = fake.channel(CHANNEL);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].color(), Some("#d93f0b"));
    assert_eq!(stored[0].text, "");
    assert!(
        stored[0]
            .attachment_blocks()
            .as_array()
            .is_some_and(|b| !b.is_empty())
    );
    fake.assert_no_violations();
}

/// Posts `body` to the fake's `chat.postMessage` and returns Slack's `error`, if any.
fn post_message(fake: &FakeSlack, mut body: Value) -> Option<String> {
    body["channel"] = Value::String(CHANNEL.to_owned());
    let http = Http::new(HttpConfig::default());
    let request = Request::json(
        Method::Post,
        format!("{}/chat.postMessage", fake.api_url()),
        &body,
    )
    .expect("encode")
    .header("authorization", format!("Bearer {TOKEN}"));
    let reply: Value =
        serde_json::from_slice(&http.send(&request).expect("sent").body).expect("JSON reply");
    reply["error"].as_str().map(str::to_owned)
}

#[test]
fn the_fake_checks_blocks_inside_attachments_as_slack_does() {
    let fake = FakeSlack::start();
    let section = |len: usize| json!({"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(len)}});
    let with = |color: &str, blocks: Vec<Value>| json!({"attachments": [{"color": color, "fallback": "f", "blocks": blocks}]});
    assert_eq!(
        post_message(&fake, with("#2eb67d", vec![section(10)])),
        None
    );
    assert_eq!(post_message(&fake, with("good", vec![section(10)])), None);
    let refusals = [
        (with("green", vec![section(10)]), "invalid_attachments"),
        (with("#2eb67", vec![section(10)]), "invalid_attachments"),
        (
            with("#2eb67d", vec![section(SECTION_LIMIT + 1)]),
            "invalid_attachments",
        ),
        (
            with("#2eb67d", vec![json!({"type": "section"})]),
            "invalid_attachments",
        ),
        (
            with("#2eb67d", vec![section(1); MAX_BLOCKS + 1]),
            "invalid_blocks",
        ),
        (
            with("#2eb67d", vec![section(SECTION_LIMIT); 5]),
            "msg_blocks_too_long",
        ),
        (json!({"attachments": "nope"}), "invalid_attachments"),
        (
            json!({"attachments": vec![json!({"text": "t"}); 101]}),
            "too_many_attachments",
        ),
        (json!({"attachments": []}), "no_text"),
    ];
    for (body, code) in refusals {
        assert_eq!(
            post_message(&fake, body.clone()).as_deref(),
            Some(code),
            "{body}"
        );
    }
    assert_eq!(fake.violations().len(), 9, "{:#?}", fake.violations());
    assert_eq!(fake.channel(CHANNEL).len(), 2);
}
