//! The real binary against a fake Slack, with a bot token: a summary with the details in
//! its thread (`SLACK_THREAD`), one living message per stack (`--comment update`), what a
//! webhook does with those settings, scopes, rate limits, limits, mentions and secrets.

mod common;

use common::fake_slack::{
    BLOCKS_TOO_LONG, BOT_ID, CHANNEL, FakeSlack, MAX_BLOCKS, OTHER_BOT_ID, Recorded, SECTION_LIMIT,
    Stored, TOKEN,
};
use common::run::{Ran, Test, fixture};
use serde_json::{Value, json};

/// Where the runs say they are: CI values given by flags, as a CI would detect them.
const CI_FLAGS: [&str; 10] = [
    "--owner",
    "acme",
    "--repo",
    "infra",
    "--pr",
    "12",
    "--sha",
    "0123abc",
    "--build-url",
    "https://ci.example/build/1",
];

/// A run of `tfnotify plan` with the bot token and the CI flags; `--var NAME:VALUE` pairs
/// of `args` go before `plan`, the rest (`--comment update`, `--patch`) after it.
fn plan(fake: &FakeSlack, env: &[(&str, &str)], args: &[&str], input: impl Into<Vec<u8>>) -> Ran {
    let mut test = Test::new()
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_CHANNEL_ID", CHANNEL)
        .env("SLACK_API_URL", fake.api_url());
    for (key, value) in env {
        test = test.env(key, value);
    }
    let (mut global, mut after) = (Vec::new(), Vec::new());
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if *arg == "--var" {
            global.push(*arg);
            global.extend(args.next());
        } else {
            after.push(*arg);
        }
    }
    test.args(CI_FLAGS)
        .args(global)
        .args(["plan", "--quiet"])
        .args(after)
        .stdin(input)
        .run()
}

/// The text of every section block, joined.
fn sections(blocks: &Value) -> String {
    blocks
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

/// Every message of the channel and every reply, as Slack keeps them now.
fn everything(fake: &FakeSlack) -> Vec<Stored> {
    let mut all = Vec::new();
    for message in fake.channel(CHANNEL) {
        all.extend(fake.replies(&message.ts));
        all.push(message);
    }
    all
}

#[track_caller]
fn assert_ok(ran: &Ran) {
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stderr.contains("warning"), "{}", ran.stderr);
}

#[test]
fn a_thread_is_a_summary_line_in_the_channel_and_the_details_in_its_thread() {
    let fake = FakeSlack::start();
    let ran = plan(
        &fake,
        &[("SLACK_THREAD", "true")],
        &["--var", "target:prod"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_ok(&ran);
    assert!(
        ran.stderr.contains(&format!(
            "tfnotify: Slack message posted to {CHANNEL} (ts 1767225600.000001), details in its thread (ts 1767225600.000002)"
        )),
        "{}",
        ran.stderr
    );
    let channel = fake.channel(CHANNEL);
    assert_eq!(channel.len(), 1, "one message in the channel");
    let summary = &channel[0];
    let line = summary.fallback().expect("fallback");
    assert_eq!(
        line,
        ":warning: *Plan destroys resources* · :rotating_light: *3 resources will be destroyed* · `prod` · acme/infra#12 · +0 ~0 -3 · <https://ci.example/build/1|CI job>"
    );
    assert!(!line.contains('\n'), "one line");
    assert_eq!(summary.text, "", "nothing shown above the attachment");
    assert_eq!(summary.color(), Some("#d93f0b"), "the summary is coloured");
    let types: Vec<&str> = summary
        .attachment_blocks()
        .as_array()
        .expect("blocks")
        .iter()
        .filter_map(|b| b["type"].as_str())
        .collect();
    assert_eq!(types, ["section", "context"]);
    assert_eq!(sections(summary.attachment_blocks()), line);
    assert_eq!(
        summary.metadata,
        Some(
            json!({"event_type": "tfnotify", "event_payload": {"command": "plan", "target": "prod", "repo": "acme/infra", "pr": 12, "sha": "0123abc"}})
        )
    );
    let replies = fake.replies(&summary.ts);
    assert_eq!(replies.len(), 1, "the details in the thread");
    assert_eq!(replies[0].color(), Some("#d93f0b"), "the details too");
    let details = sections(replies[0].attachment_blocks());
    assert!(
        details.starts_with("*:warning: Plan destroys resources* `prod`"),
        "{details}"
    );
    assert!(
        details.contains("• `terraform_data.instance[0]` (destroy)"),
        "{details}"
    );
    assert_eq!(
        replies[0].metadata, None,
        "only the channel's message is found again"
    );
    let reply_body = &fake.requests()[1].json().expect("JSON");
    assert_eq!(reply_body["thread_ts"], summary.ts.as_str());
    assert_eq!(reply_body["link_names"], false);
    fake.assert_no_violations();
}

#[test]
fn no_changes_summaries_are_quiet_and_a_thread_without_ci_values_still_works() {
    let fake = FakeSlack::start();
    let ran = Test::new()
        .env("SLACK_TOKEN", TOKEN)
        .env("SLACK_CHANNEL_ID", CHANNEL)
        .env("SLACK_API_URL", fake.api_url())
        .env("SLACK_THREAD", "TRUE")
        .args(["plan", "--quiet"])
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_ok(&ran);
    let summary = &fake.channel(CHANNEL)[0];
    assert_eq!(summary.fallback(), Some(":white_check_mark: *No changes*"));
    assert_eq!(summary.color(), Some("#2eb67d"));
    assert_eq!(fake.replies(&summary.ts)[0].color(), Some("#2eb67d"));
    assert_eq!(
        summary.metadata,
        Some(json!({"event_type": "tfnotify", "event_payload": {"command": "plan"}}))
    );
    assert_eq!(fake.replies(&summary.ts).len(), 1);
    fake.assert_no_violations();
}

#[test]
fn update_edits_the_earlier_message_of_the_same_stack_in_place() {
    let fake = FakeSlack::start();
    let first = plan(
        &fake,
        &[],
        &["--var", "target:prod", "--comment", "update"],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_ok(&first);
    assert!(
        first.stderr.contains(&format!(
            "Slack message posted to {CHANNEL} (ts 1767225600.000001)"
        )),
        "{}",
        first.stderr
    );
    // Another app's message about the same stack, and chatter, come after ours.
    let metadata = fake.channel(CHANNEL)[0].metadata.clone();
    fake.seed(CHANNEL, OTHER_BOT_ID, "someone else's plan", metadata);
    fake.seed(CHANNEL, OTHER_BOT_ID, "lunch?", None);
    let before = fake.requests().len();
    let second = plan(
        &fake,
        &[],
        &["--var", "target:prod", "--patch"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_ok(&second);
    assert!(
        second.stderr.contains(&format!(
            "tfnotify: Slack message updated in {CHANNEL} (ts 1767225600.000001)"
        )),
        "{}",
        second.stderr
    );
    let calls: Vec<String> = fake.requests()[before..]
        .iter()
        .map(Recorded::line)
        .collect();
    assert_eq!(
        calls,
        [
            "GET /api/auth.test".to_owned(),
            format!(
                "GET /api/conversations.history?channel={CHANNEL}&limit=200&include_all_metadata=true"
            ),
            "POST /api/chat.update".to_owned(),
        ]
    );
    let channel = fake.channel(CHANNEL);
    let ours: Vec<&Stored> = channel.iter().filter(|m| m.bot_id == BOT_ID).collect();
    assert_eq!(ours.len(), 1, "one message after two runs");
    assert_eq!(ours[0].edits, 1);
    assert!(
        sections(ours[0].attachment_blocks()).contains("Plan destroys resources"),
        "the second run's message"
    );
    assert_eq!(
        ours[0]
            .metadata
            .as_ref()
            .map(|m| m["event_payload"]["sha"].clone()),
        Some(json!("0123abc"))
    );
    assert_eq!(
        channel[1].text, "someone else's plan",
        "another app's message is left alone"
    );
    let update = fake
        .requests()
        .last()
        .expect("update")
        .json()
        .expect("JSON");
    assert_eq!(update["ts"], "1767225600.000001");
    assert!(update.get("username").is_none());
    assert_eq!(
        ours[0].color(),
        Some("#d93f0b"),
        "recoloured by the new outcome"
    );
    fake.assert_no_violations();
}

#[test]
fn a_different_target_or_command_gets_its_own_message() {
    let fake = FakeSlack::start();
    for target in ["prod", "dev", "prod"] {
        let ran = plan(
            &fake,
            &[],
            &["--var", &format!("target:{target}"), "--comment", "update"],
            fixture("1.11/plan_create_only.txt"),
        );
        assert_ok(&ran);
    }
    let channel = fake.channel(CHANNEL);
    let targets: Vec<(Value, usize)> = channel
        .iter()
        .map(|m| {
            (
                m.metadata.clone().expect("metadata")["event_payload"]["target"].clone(),
                m.edits,
            )
        })
        .collect();
    assert_eq!(targets, [(json!("prod"), 1), (json!("dev"), 0)]);
    // Without `--comment update` each run posts anew, and metadata is still written.
    let ran = plan(
        &fake,
        &[],
        &["--var", "target:prod"],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_ok(&ran);
    assert_eq!(fake.channel(CHANNEL).len(), 3);
    fake.assert_no_violations();
}

#[test]
fn thread_and_update_edit_the_summary_and_add_the_new_details_to_its_thread() {
    let fake = FakeSlack::start();
    let env = [("SLACK_THREAD", "true")];
    let args = ["--var", "target:prod", "--comment", "update"];
    let first = plan(&fake, &env, &args, fixture("1.11/plan_create_only.txt"));
    assert_ok(&first);
    let second = plan(&fake, &env, &args, fixture("1.11/plan_destroy.txt"));
    assert_ok(&second);
    assert!(
        second.stderr.contains(&format!(
            "Slack message updated in {CHANNEL} (ts 1767225600.000001), details in its thread (ts 1767225600.000003)"
        )),
        "{}",
        second.stderr
    );
    let channel = fake.channel(CHANNEL);
    assert_eq!(channel.len(), 1);
    assert_eq!(channel[0].edits, 1);
    let line = channel[0].fallback().expect("fallback");
    assert!(
        line.starts_with(":warning: *Plan destroys resources* · :rotating_light: *3 resources"),
        "{line}"
    );
    assert_eq!(channel[0].color(), Some("#d93f0b"), "recoloured on update");
    let replies = fake.replies(&channel[0].ts);
    assert_eq!(replies.len(), 2, "each run's details, oldest first");
    assert!(sections(replies[0].attachment_blocks()).contains("Plan: 13 to add"));
    assert_eq!(replies[0].color(), Some("#1d76db"));
    assert!(sections(replies[1].attachment_blocks()).contains("(destroy)"));
    assert_eq!(replies[1].color(), Some("#d93f0b"));
    fake.assert_no_violations();
}

#[test]
fn history_is_read_page_by_page_with_the_cursor_and_only_so_far() {
    let fake = FakeSlack::start();
    let about = json!({"event_type": "tfnotify", "event_payload": {"command": "plan", "target": "prod", "repo": "acme/infra", "pr": 12}});
    let ours = fake.seed(CHANNEL, BOT_ID, "an earlier plan", Some(about.clone()));
    for i in 0..250 {
        fake.seed(CHANNEL, OTHER_BOT_ID, &format!("chatter {i}"), None);
    }
    let args = ["--var", "target:prod", "--comment", "update"];
    let ran = plan(&fake, &[], &args, fixture("1.11/plan_create_only.txt"));
    assert_ok(&ran);
    let history: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/conversations.history"))
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history[1].ends_with("&cursor=bmV4dF90czo200%3D"),
        "{}",
        history[1]
    );
    let found = fake
        .channel(CHANNEL)
        .into_iter()
        .find(|m| m.ts == ours)
        .expect("ours");
    assert_eq!(found.edits, 1, "found on the second page");

    // Buried under more than 1,000 messages, it is not looked for: a new one is posted.
    let fake = FakeSlack::start();
    fake.seed(CHANNEL, BOT_ID, "an old plan", Some(about));
    for i in 0..1_050 {
        fake.seed(CHANNEL, OTHER_BOT_ID, &format!("chatter {i}"), None);
    }
    let ran = plan(&fake, &[], &args, fixture("1.11/plan_create_only.txt"));
    assert_ok(&ran);
    let pages = fake
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/api/conversations.history"))
        .count();
    assert_eq!(pages, 5);
    assert!(
        ran.stderr.contains("Slack message posted to"),
        "{}",
        ran.stderr
    );
    assert_eq!(
        fake.channel(CHANNEL)
            .iter()
            .filter(|m| m.bot_id == BOT_ID)
            .count(),
        2
    );
    fake.assert_no_violations();
}

#[test]
fn a_webhook_cannot_thread_or_update_so_it_posts_the_whole_message_and_says_why() {
    let fake = FakeSlack::start();
    let ran = Test::new()
        .env("SLACK_WEBHOOK_URL", fake.webhook_url())
        .env("SLACK_THREAD", "true")
        .args([
            "--var",
            "target:prod",
            "plan",
            "--quiet",
            "--comment",
            "update",
        ])
        .stdin(fixture("1.11/plan_destroy.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify: warning: Slack: `thread` needs a bot token: an incoming webhook cannot reply in a thread, so the whole message was posted in the channel"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("tfnotify: warning: Slack: `--comment update` needs a bot token: an incoming webhook cannot edit a message, so a new one was posted"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("tfnotify: Slack message posted"),
        "{}",
        ran.stderr
    );
    assert_eq!(fake.requests().len(), 1);
    let message = &fake.messages()[0];
    assert!(
        sections(&message["attachments"][0]["blocks"]).contains("(destroy)"),
        "the whole message"
    );
    assert!(message.get("metadata").is_none() && message.get("thread_ts").is_none());
    fake.assert_no_violations();
}

#[test]
fn a_token_without_the_history_scope_gets_a_hint_naming_it() {
    let fake = FakeSlack::start();
    fake.without_scope("channels:history");
    let ran = plan(
        &fake,
        &[],
        &["--comment", "update"],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    let error = ran
        .stderr
        .lines()
        .find(|l| l.starts_with("tfnotify: error: Slack:"))
        .unwrap_or_default();
    assert!(
        error.contains("/conversations.history?channel=C0123456789"),
        "{error}"
    );
    assert!(
        error.ends_with("failed with status 200: missing_scope"),
        "{error}"
    );
    assert!(
        ran.stderr.contains("hint: the token lacks `channels:history`: add it to the Slack app's bot token scopes and reinstall the app; tfnotify needs `chat:write`, and `channels:history` (public channels) or `groups:history` (private channels) to find its earlier message for `--comment update`"),
        "{}",
        ran.stderr
    );
    assert!(fake.channel(CHANNEL).is_empty(), "nothing posted");
    assert!(!ran.stderr.contains(TOKEN));
    // Without `update`, history is not read and the scope is not needed.
    let ran = plan(
        &fake,
        &[("SLACK_THREAD", "true")],
        &[],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_ok(&ran);
}

#[test]
fn rate_limits_on_every_call_are_waited_out() {
    let fake = FakeSlack::start();
    let args = ["--comment", "update"];
    let env = [("SLACK_THREAD", "true")];
    assert_ok(&plan(
        &fake,
        &env,
        &args,
        fixture("1.11/plan_create_only.txt"),
    ));
    for path in [
        "/api/auth.test",
        "/api/conversations.history",
        "/api/chat.update",
        "/api/chat.postMessage",
    ] {
        fake.rate_limit_next(path, 1);
    }
    let ran = plan(&fake, &env, &args, fixture("1.11/plan_create_only.txt"));
    assert_ok(&ran);
    let statuses: Vec<(String, u16)> = fake
        .requests()
        .iter()
        .skip(2)
        .map(|r| {
            (
                r.line().split('?').next().unwrap_or_default().to_owned(),
                r.status,
            )
        })
        .collect();
    let limited = statuses.iter().filter(|(_, s)| *s == 429).count();
    assert_eq!(limited, 4, "{statuses:?}");
    assert_eq!(fake.channel(CHANNEL).len(), 1);
    assert_eq!(fake.replies(&fake.channel(CHANNEL)[0].ts).len(), 2);
    fake.assert_no_violations();
}

#[test]
fn an_unknown_thread_setting_is_an_error_before_anything_is_posted() {
    let fake = FakeSlack::start();
    let ran = plan(
        &fake,
        &[("SLACK_THREAD", "maybe")],
        &[],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Slack: `SLACK_THREAD` is `maybe`, not `true` or `false`"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("hint: set `SLACK_THREAD` to `true`"),
        "{}",
        ran.stderr
    );
    assert!(fake.requests().is_empty());
}

#[test]
fn a_50000_resource_plan_stays_within_every_limit_in_threads_and_updates() {
    let fake = FakeSlack::start();
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    let env = [("SLACK_THREAD", "true")];
    let args = ["--var", "target:prod", "--comment", "update"];
    assert_ok(&plan(&fake, &env, &args, text.clone()));
    assert_ok(&plan(&fake, &env, &args, text));
    fake.assert_no_violations();
    let channel = fake.channel(CHANNEL);
    assert_eq!(channel.len(), 1);
    let line = channel[0].fallback().expect("fallback");
    assert!(line.chars().count() < 400, "{line}");
    assert!(line.contains(":rotating_light: *"), "{line}");
    let replies = fake.replies(&channel[0].ts);
    assert_eq!(replies.len(), 2);
    for reply in &replies {
        let blocks = reply.attachment_blocks().as_array().expect("blocks");
        assert!(!blocks.is_empty() && blocks.len() <= MAX_BLOCKS);
        let mut total = 0;
        for block in blocks {
            if let Some(text) = block["text"]["text"].as_str() {
                assert!(text.chars().count() <= SECTION_LIMIT);
                assert_eq!(text.matches("```").count() % 2, 0, "{text}");
                total += text.chars().count();
            }
        }
        assert!(total < BLOCKS_TOO_LONG);
        let fallback = reply.fallback().expect("fallback");
        assert!(fallback.chars().count() <= SECTION_LIMIT);
    }
}

#[test]
fn hostile_names_never_ping_or_leave_their_code_in_summaries_replies_or_updates() {
    let fake = FakeSlack::start();
    let hostile = "<!channel> @everyone @here <@U123> ```";
    let plan_text = String::from_utf8(fixture("1.11/plan_destroy.txt"))
        .expect("utf-8")
        .replace(
            "terraform_data.instance[0]",
            &format!(r#"terraform_data.instance["{hostile} *bold* <!subteam^S1>"]"#),
        );
    let env = [("SLACK_THREAD", "true")];
    let target = format!("target:{hostile}");
    let args = ["--var", target.as_str(), "--comment", "update"];
    assert_ok(&plan(&fake, &env, &args, plan_text.clone()));
    assert_ok(&plan(&fake, &env, &args, plan_text));
    let all = everything(&fake);
    assert_eq!(all.len(), 3, "one summary, edited once, and two replies");
    for message in &all {
        let mut texts = vec![message.text.clone()];
        texts.extend(message.fallback().map(str::to_owned));
        texts.extend(
            message
                .attachment_blocks()
                .as_array()
                .expect("blocks")
                .iter()
                .filter_map(|b| b["text"]["text"].as_str().map(str::to_owned)),
        );
        for text in &texts {
            for ping in [
                "<!channel>",
                "<!here>",
                "<@U123>",
                "<!subteam",
                "@everyone",
                "@here",
                "@channel",
            ] {
                assert!(!text.contains(ping), "{ping} in {text}");
            }
            assert_eq!(
                text.matches("```").count() % 2,
                0,
                "a fence left open: {text}"
            );
        }
    }
    let summary = &fake.channel(CHANNEL)[0];
    let line = summary.fallback().expect("fallback");
    assert!(
        line.contains(
            "`&lt;!channel&gt; @\u{2060}everyone @\u{2060}here &lt;@\u{2060}U123&gt; \u{2cb}\u{2cb}\u{2cb}`"
        ),
        "{line}"
    );
    for reply in fake.replies(&summary.ts) {
        let reply = sections(reply.attachment_blocks());
        assert_eq!(
            reply.matches("```").count(),
            2,
            "only the result's fence: {reply}"
        );
        assert!(
            reply.contains("• `terraform_data.instance[\"&lt;!channel&gt; @\u{2060}everyone @\u{2060}here &lt;@\u{2060}U123&gt; \u{2cb}\u{2cb}\u{2cb} *bold* &lt;!subteam^S1&gt;\"]` (destroy)"),
            "{reply}"
        );
    }
    fake.assert_no_violations();
}

#[test]
fn the_token_and_the_webhook_url_never_leave_the_machine_in_threads_and_updates() {
    let fake = FakeSlack::start();
    let input = String::from_utf8(fixture("1.11/plan_create_only.txt")).expect("utf-8")
        + &format!(
            "\nterraform_data.x: note {TOKEN} and {}\n",
            fake.webhook_url()
        );
    let env = [
        ("SLACK_THREAD", "true"),
        ("SLACK_WEBHOOK_URL", &fake.webhook_url()),
    ];
    let target = format!("target:{TOKEN}");
    let args = ["--var", target.as_str(), "--comment", "update"];
    let first = plan(&fake, &env, &args, input.clone());
    let second = plan(&fake, &env, &args, input);
    for ran in [&first, &second] {
        assert_ok(ran);
        assert!(
            !ran.stderr.contains(TOKEN) && !ran.stderr.contains("FakeWebhookSecret"),
            "{}",
            ran.stderr
        );
        assert!(!ran.stdout_text().contains(TOKEN), "pass-through masked");
    }
    assert_eq!(
        fake.channel(CHANNEL).len(),
        1,
        "the masked target still finds its message"
    );
    for request in fake.requests() {
        assert!(!request.path.contains(TOKEN), "{}", request.path);
        assert!(
            !request.body.contains(TOKEN) && !request.body.contains("FakeWebhookSecret"),
            "{}",
            request.body
        );
    }
    let summary = &fake.channel(CHANNEL)[0];
    let line = summary.fallback().expect("fallback");
    assert!(line.contains("`***`"), "{line}");
    fake.assert_no_violations();
}

#[test]
fn a_message_deleted_before_its_update_is_posted_anew_and_other_refusals_fail() {
    let fake = FakeSlack::start();
    let args = ["--var", "target:prod", "--comment", "update"];
    assert_ok(&plan(
        &fake,
        &[],
        &args,
        fixture("1.11/plan_create_only.txt"),
    ));
    fake.fail_next(
        "/api/chat.update",
        200,
        &[("Content-Type", "application/json")],
        r#"{"ok":false,"error":"message_not_found"}"#,
        1,
    );
    let ran = plan(&fake, &[], &args, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("tfnotify: warning: Slack: the earlier message (ts 1767225600.000001) was deleted while tfnotify was updating it; posted a new one"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("Slack message posted to"),
        "{}",
        ran.stderr
    );
    assert_eq!(fake.channel(CHANNEL).len(), 2);

    fake.fail_next(
        "/api/chat.update",
        200,
        &[("Content-Type", "application/json")],
        r#"{"ok":false,"error":"cant_update_message"}"#,
        1,
    );
    let ran = plan(&fake, &[], &args, fixture("1.11/plan_create_only.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("failed with status 200: cant_update_message"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("hint: only the app that posted a message can edit it"),
        "{}",
        ran.stderr
    );
    assert_eq!(fake.channel(CHANNEL).len(), 2, "nothing more posted");
    fake.assert_no_violations();
}

#[test]
fn an_update_turns_a_message_posted_before_the_colour_bar_into_a_coloured_one() {
    let fake = FakeSlack::start();
    // What an earlier tfnotify posted: the text and the blocks at the top level.
    let about = json!({"event_type": "tfnotify", "event_payload": {"command": "plan", "target": "prod", "repo": "acme/infra", "pr": 12}});
    let ts = fake.seed(CHANNEL, BOT_ID, "an earlier plan", Some(about));
    let ran = plan(
        &fake,
        &[],
        &["--var", "target:prod", "--comment", "update"],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_ok(&ran);
    let message = fake
        .channel(CHANNEL)
        .into_iter()
        .find(|m| m.ts == ts)
        .expect("the earlier message");
    assert_eq!(message.edits, 1);
    // Slack keeps what an update leaves out: the old blocks and text are cleared on purpose,
    // or they would show above the new attachment.
    assert_eq!(message.blocks, json!([]));
    assert_eq!(message.text, "");
    assert_eq!(message.color(), Some("#1d76db"));
    assert!(sections(message.attachment_blocks()).contains("Plan: 13 to add"));
    fake.assert_no_violations();
}

#[test]
fn history_returns_the_attachments_as_slack_does() {
    use tfnotify::notify::http::{Http, HttpConfig, Method, Request};
    let fake = FakeSlack::start();
    assert_ok(&plan(&fake, &[], &[], fixture("1.11/plan_destroy.txt")));
    let http = Http::new(HttpConfig::default());
    let request = Request::new(
        Method::Get,
        format!("{}/conversations.history?channel={CHANNEL}", fake.api_url()),
    )
    .header("authorization", format!("Bearer {TOKEN}"));
    let page: Value =
        serde_json::from_slice(&http.send(&request).expect("history").body).expect("JSON");
    let message = &page["messages"][0];
    assert_eq!(message["text"], "");
    assert!(message.get("blocks").is_none(), "{message}");
    let attachment = &message["attachments"][0];
    assert_eq!(attachment["id"], 1);
    assert_eq!(attachment["color"], "d93f0b", "Slack drops the `#`");
    assert!(
        sections(&attachment["blocks"]).contains("(destroy)"),
        "{attachment}"
    );
}
