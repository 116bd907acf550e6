//! The real binary with a `notifiers:` list: several destinations in one run, each with its
//! own settings, conditions, template and failures, against the fake chat endpoints.

mod common;

use std::path::Path;

use common::fake_webhooks::{CHATWORK_ROOM, CHATWORK_TOKEN, DISCORD_PATH, FakeWebhooks};
use common::run::{Ran, Test, fixture};

/// Writes `config` as `tfnotify.yaml` in a fresh directory and runs `tfnotify ARGS` there.
fn run_with(config: &str, env: &[(&str, &str)], args: &[&str], input: Vec<u8>) -> Ran {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("tfnotify.yaml"), config).expect("write config");
    let mut test = Test::new().dir(dir.path()).args(args).stdin(input);
    for (key, value) in env {
        test = test.env(key, *value);
    }
    test.run()
}

/// A config with a Chatwork entry and a Discord entry that posts only on destroy.
fn chat_config(fake: &FakeWebhooks) -> String {
    format!(
        r#"notifiers:
  - type: chatwork
    name: infra-room
    token: $ROOM_TOKEN
    room_id: "{CHATWORK_ROOM}"
    base_url: {chatwork}
  - type: discord
    when: [destroy]
    webhook_url: {discord}
"#,
        chatwork = fake.chatwork_api(),
        discord = fake.discord_url(),
    )
}

fn paths(fake: &FakeWebhooks) -> Vec<String> {
    fake.requests()
        .iter()
        .map(|r| r.path().to_owned())
        .collect()
}

const CHATWORK_PATH: &str = "/chatwork/v2/rooms/424242/messages";

#[test]
fn every_entry_posts_when_its_condition_holds() {
    let fake = FakeWebhooks::start();
    let ran = run_with(
        &chat_config(&fake),
        &[("ROOM_TOKEN", CHATWORK_TOKEN)],
        &["plan"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, fixture("1.11/plan_destroy.txt"));
    assert_eq!(paths(&fake), [CHATWORK_PATH, DISCORD_PATH]);
    assert!(
        ran.stderr
            .contains("tfnotify: Chatwork (infra-room) message posted"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(CHATWORK_TOKEN), "{}", ran.stderr);
    fake.assert_no_violations();
}

#[test]
fn an_entry_whose_condition_does_not_hold_says_why_and_posts_nothing() {
    let fake = FakeWebhooks::start();
    let ran = run_with(
        &chat_config(&fake),
        &[("ROOM_TOKEN", CHATWORK_TOKEN)],
        &["plan"],
        fixture("1.11/plan_create_only.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(paths(&fake), [CHATWORK_PATH]);
    assert!(
        ran.stderr.contains(
            "tfnotify: Discord message skipped: the result is `changes`, and this destination posts only when: destroy"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn entries_for_other_commands_are_left_out() {
    let fake = FakeWebhooks::start();
    let config = format!(
        "notifiers:\n  - type: discord\n    commands: [apply]\n    when: [failure]\n    webhook_url: {}\n",
        fake.discord_url()
    );
    let plan = run_with(&config, &[], &["plan"], fixture("1.11/plan_destroy.txt"));
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    assert!(fake.requests().is_empty(), "{:?}", paths(&fake));
    assert!(!plan.stderr.contains("Discord"), "{}", plan.stderr);

    let applied = run_with(
        &config,
        &[],
        &["apply"],
        fixture("1.11/apply_create_only.txt"),
    );
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
    assert!(fake.requests().is_empty(), "{:?}", paths(&fake));

    let failed = run_with(
        &config,
        &[],
        &["apply"],
        fixture("1.11/apply_partial_failure.txt"),
    );
    assert_eq!(failed.code, Some(1), "{}", failed.stderr);
    assert_eq!(paths(&fake), [DISCORD_PATH]);
    fake.assert_no_violations();
}

#[test]
fn settings_in_an_entry_win_over_the_environment_and_env_alone_adds_nothing() {
    let fake = FakeWebhooks::start();
    // The environment names another room and a Discord webhook; the list names neither.
    let config = format!(
        "notifiers:\n  - type: chatwork\n    token: {CHATWORK_TOKEN}\n    room_id: {CHATWORK_ROOM}\n    base_url: {}\n",
        fake.chatwork_api()
    );
    let ran = run_with(
        &config,
        &[
            ("CHATWORK_ROOM_ID", "1"),
            ("DISCORD_WEBHOOK_URL", &fake.discord_url()),
        ],
        &["plan"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(paths(&fake), [CHATWORK_PATH]);
}

#[test]
fn an_entry_template_replaces_the_default_for_that_entry_only() {
    let fake = FakeWebhooks::start();
    let config = format!(
        r#"notifiers:
  - type: mattermost
    webhook_url: {mattermost}
    template: "{{{{ .Title }}}}: {{{{ .Result }}}} (target {{{{ .Vars.target }}}})"
  - type: discord
    webhook_url: {discord}
"#,
        mattermost = fake.mattermost_url(),
        discord = fake.discord_url(),
    );
    let ran = run_with(
        &config,
        &[],
        &["--var", "target:prod", "plan"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let messages = fake.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    let text = messages[0]["attachments"][0]["text"]
        .as_str()
        .expect("mattermost text");
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 3 to destroy."),
        "{text}"
    );
    assert!(text.ends_with("(target prod)"), "{text}");
    let discord = messages[1].to_string();
    assert!(!discord.contains("(target prod)"), "{discord}");
    fake.assert_no_violations();
}

#[test]
fn one_failing_entry_does_not_stop_the_others_and_the_exit_code_says_so() {
    let fake = FakeWebhooks::start();
    let config = format!(
        r#"notifiers:
  - type: chatwork
    name: wrong-room
    token: {CHATWORK_TOKEN}
    room_id: "7"
    base_url: {chatwork}
  - type: discord
    webhook_url: {discord}
"#,
        chatwork = fake.chatwork_api(),
        discord = fake.discord_url(),
    );
    let ran = run_with(&config, &[], &["plan"], fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(3), "{}", ran.stderr);
    assert_eq!(ran.stdout, fixture("1.11/plan_destroy.txt"));
    assert_eq!(
        paths(&fake),
        ["/chatwork/v2/rooms/7/messages", DISCORD_PATH]
    );
    assert!(ran.stderr.contains("Chatwork"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains("Discord message posted"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains(CHATWORK_TOKEN), "{}", ran.stderr);
}

#[test]
fn two_entries_of_one_type_post_twice_and_notifier_picks_one_by_name() {
    let fake = FakeWebhooks::start();
    let config = format!(
        r"notifiers:
  - type: discord
    name: ops
    webhook_url: {discord}
  - type: discord
    name: audit
    webhook_url: {discord}?thread_id=99
",
        discord = fake.discord_url(),
    );
    let both = run_with(&config, &[], &["plan"], fixture("1.11/plan_destroy.txt"));
    assert_eq!(both.code, Some(0), "{}", both.stderr);
    assert_eq!(fake.requests().len(), 2);
    assert!(both.stderr.contains("Discord (ops)"), "{}", both.stderr);
    assert!(both.stderr.contains("Discord (audit)"), "{}", both.stderr);

    let one = run_with(
        &config,
        &[],
        &["--notifier", "audit", "plan"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(one.code, Some(0), "{}", one.stderr);
    assert_eq!(fake.requests().len(), 3);
    assert!(!one.stderr.contains("Discord (ops)"), "{}", one.stderr);
}

#[test]
fn a_classic_block_is_one_more_destination_beside_the_list() {
    let fake = FakeWebhooks::start();
    let config = format!(
        "notifier:\n  mattermost:\n    webhook: {}\nnotifiers:\n  - type: discord\n    webhook_url: {}\n",
        fake.mattermost_url(),
        fake.discord_url(),
    );
    let ran = run_with(&config, &[], &["plan"], fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let mut got = paths(&fake);
    got.sort();
    let mut want = vec![
        DISCORD_PATH.to_owned(),
        common::fake_webhooks::MATTERMOST_PATH.to_owned(),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn mistakes_in_an_entry_are_named_before_any_input_is_read() {
    let cases: &[(&str, &str)] = &[
        (
            "notifiers:\n  - type: slak\n",
            "`notifiers[0]`: unknown type `slak`",
        ),
        (
            "notifiers:\n  - webhook_url: https://example.invalid/\n",
            "`notifiers[0]`: no `type`",
        ),
        (
            "notifiers:\n  - type: typetalk\n    token: x\n",
            "`notifiers[0]`: Typetalk closed in December 2025",
        ),
        (
            "notifiers:\n  - type: discord\n    webhook_url: https://example.invalid/\n    when: [destory]\n",
            "`notifiers[0]`: unknown condition `destory` in `when`",
        ),
        (
            "notifiers:\n  - type: discord\n    webhook_url: https://example.invalid/\n    behavior: hide\n",
            "`notifiers[0]`: unknown behavior `hide`",
        ),
        (
            "notifiers:\n  - type: discord\n    webhook_url: https://example.invalid/\n    commands: [plna]\n",
            "`notifiers[0]`: unknown command `plna` in `commands`",
        ),
        (
            "notifiers:\n  - type: github-check\n    conclusion_destroy: green\n",
            "`notifiers[0]`: `conclusion_destroy` is `green`, which `github-check` does not take",
        ),
    ];
    for (config, error) in cases {
        let ran = run_with(config, &[], &["plan"], fixture("1.11/plan_destroy.txt"));
        assert_eq!(ran.code, Some(3), "{config}\n{}", ran.stderr);
        assert_eq!(ran.stdout, fixture("1.11/plan_destroy.txt"), "{config}");
        let first = ran.stderr.lines().next().unwrap_or_default();
        assert!(first.contains(error), "{config}\n{}", ran.stderr);
    }
}

#[test]
fn a_setting_the_destination_does_not_read_is_a_warning_with_a_suggestion() {
    let fake = FakeWebhooks::start();
    let config = format!(
        "notifiers:\n  - type: discord\n    webhook_url: {}\n    webhok_url: x\n",
        fake.discord_url()
    );
    let ran = run_with(&config, &[], &["plan"], fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "tfnotify: warning: `notifiers[0].webhok_url` is not a setting of `discord` and is ignored (did you mean `webhook_url`?)"
        ),
        "{}",
        ran.stderr
    );
    assert_eq!(fake.requests().len(), 1);
}

#[test]
fn the_entry_list_passes_config_check() {
    let fake = FakeWebhooks::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tfnotify.yaml");
    std::fs::write(&path, chat_config(&fake)).expect("write");
    let ran = Test::new()
        .dir(Path::new(dir.path()))
        .args(["config", "check"])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
}

#[test]
fn a_review_entry_takes_its_repository_token_and_behaviour_from_the_entry() {
    use common::fake_github::FakeGitHub;
    let github = FakeGitHub::start();
    let head = "2222222222222222222222222222222222222222";
    github.add_pull("platform", "live", 12, head);
    let chat = FakeWebhooks::start();
    let config = format!(
        r"notifiers:
  - type: github
    token: $REVIEW_TOKEN
    base_url: {api}
    graphql_url: {graphql}
    repository: {{owner: platform, name: live}}
    behavior: new
  - type: discord
    when: [destroy]
    webhook_url: {discord}
",
        api = github.url(),
        graphql = github.graphql_url(),
        discord = chat.discord_url(),
    );
    let env = [
        ("REVIEW_TOKEN", github.token()),
        ("GITHUB_TOKEN", "ghp_notthisone"),
    ];
    let args = [
        "--owner", "acme", "--repo", "other", "--pr", "12", "--sha", head, "plan",
    ];
    for _ in 0..2 {
        let ran = run_with(&config, &env, &args, fixture("1.11/plan_destroy.txt"));
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        assert!(!ran.stderr.contains(github.token()), "{}", ran.stderr);
    }
    // `behavior: new`: two runs, two comments, on the entry's repository.
    assert_eq!(github.comments("platform", "live", 12).len(), 2);
    assert_eq!(chat.requests().len(), 2);
    github.assert_no_violations();
    chat.assert_no_violations();
}

#[test]
fn a_classic_slack_block_may_name_an_incoming_webhook() {
    use common::fake_slack::FakeSlack;
    let slack = FakeSlack::start();
    let config = "notifier:\n  slack:\n    webhook_url: $HOOK\n";
    let ran = run_with(
        config,
        &[("HOOK", &slack.webhook_url())],
        &["plan"],
        fixture("1.11/plan_destroy.txt"),
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(slack.messages().len(), 1);
    assert_eq!(slack.messages()[0]["attachments"][0]["color"], "#d93f0b");
    assert!(!ran.stderr.contains("FakeWebhookSecret"), "{}", ran.stderr);
    slack.assert_no_violations();
}

#[test]
fn config_check_names_bad_entries_and_renders_entry_templates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tfnotify.yaml");
    let config = r#"notifiers:
  - type: discord
    webhok_url: x
    template: "{{ .Result }}"
    commands: [plan]
  - type: slak
  - type: chatwork
    template: "{{ .NoSuchField }}"
  - type: github-check
    conclusion_destroy: Failure
    conclusion_clean: passed
"#;
    std::fs::write(&path, config).expect("write");
    let ran = Test::new().dir(dir.path()).args(["config", "check"]).run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    let out = ran.stdout_text();
    assert!(out.contains("  ok  notifiers[0] (discord)\n"), "{out}");
    assert!(out.contains("  ok  notifiers[0] plan template: "), "{out}");
    assert!(!out.contains("notifiers[0] apply template"), "{out}");
    assert!(out.contains("  ERR notifiers[1]\n"), "{out}");
    assert!(out.contains("  ERR notifiers[2] plan template\n"), "{out}");
    assert!(
        ran.stderr
            .contains("`notifiers[0].webhok_url` is not a setting of `discord`"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("unknown type `slak`"), "{}", ran.stderr);
    assert!(ran.stderr.contains("NoSuchField"), "{}", ran.stderr);
    // A word in another case is the word; one that is no conclusion is named.
    assert!(out.contains("  ERR notifiers[3]\n"), "{out}");
    assert!(
        ran.stderr.contains(
            "`notifiers[3]`: `conclusion_clean` is `passed`, which `github-check` does not take"
        ) && ran
            .stderr
            .contains("use one of success, neutral, failure, skipped, action_required"),
        "{}",
        ran.stderr
    );
    assert!(!ran.stderr.contains("`Failure`"), "{}", ran.stderr);
}

#[test]
fn a_merge_request_note_and_a_one_line_chat_summary_in_one_run() {
    use common::fake_gitlab::FakeGitLab;
    let gitlab = FakeGitLab::start();
    let project = "platform/infra/live";
    let head = "3333333333333333333333333333333333333333";
    gitlab.add_project(project);
    gitlab.add_merge_request(project, 4, head);
    let chat = FakeWebhooks::start();
    let config = format!(
        r#"notifiers:
  - type: gitlab
    token: $GITLAB_API_TOKEN
    base_url: {gitlab}
    repository: {{owner: platform/infra, name: live}}
  - type: mattermost
    name: infra
    webhook_url: {mattermost}
    template: "{{{{ .Report.counts.destroy }}}} to destroy in {{{{ .Target }}}}: {{{{ .Link }}}}"
"#,
        gitlab = gitlab.url(),
        mattermost = chat.mattermost_url(),
    );
    let env = [("GITLAB_API_TOKEN", gitlab.token())];
    let args = [
        "--var",
        "target:prod",
        "--pr",
        "4",
        "--sha",
        head,
        "--build-url",
        "https://ci.example/jobs/9",
        "plan",
    ];
    let ran = run_with(&config, &env, &args, fixture("1.11/plan_destroy.txt"));
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, fixture("1.11/plan_destroy.txt"));
    let notes = gitlab.user_notes(project, 4);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].body.contains("terraform_data.network"),
        "{}",
        notes[0].body
    );
    let line = chat.messages()[0]["attachments"][0]["text"]
        .as_str()
        .expect("text")
        .to_owned();
    assert_eq!(line, "3 to destroy in prod: https://ci.example/jobs/9");
    assert_eq!(chat.messages()[0]["attachments"][0]["color"], "#d93f0b");
    assert!(!ran.stderr.contains(gitlab.token()), "{}", ran.stderr);
    chat.assert_no_violations();
}

#[test]
fn a_slack_entry_threads_and_updates_from_its_own_settings() {
    use common::fake_slack::{CHANNEL, FakeSlack, TOKEN};
    let slack = FakeSlack::start();
    let config = format!(
        r"notifiers:
  - type: slack
    token: {TOKEN}
    channel: {CHANNEL}
    base_url: {api}
    thread: true
    behavior: update
",
        api = slack.api_url(),
    );
    for _ in 0..2 {
        let ran = run_with(
            &config,
            &[],
            &["--var", "target:prod", "plan"],
            fixture("1.11/plan_destroy.txt"),
        );
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        assert!(!ran.stderr.contains(TOKEN), "{}", ran.stderr);
    }
    // One summary in the channel, edited by the second run; each run's details in its thread.
    let channel = slack.channel(CHANNEL);
    assert_eq!(channel.len(), 1, "{channel:#?}");
    assert_eq!(slack.replies(&channel[0].ts).len(), 2);
    assert_eq!(channel[0].color(), Some("#d93f0b"));
    slack.assert_no_violations();
}
