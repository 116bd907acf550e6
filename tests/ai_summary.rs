//! The real binary with an AI summary, against fake model APIs and a fake GitHub: the
//! summary lands in the comment and in `--output`, masked values never reach the model, a
//! hostile answer is defused and cut, and every failure leaves the message as it would be
//! without a summary, with one warning and the exit code unchanged.

mod common;

use std::path::Path;
use std::time::Duration;

use common::fake_github::FakeGitHub;
use common::fake_models::{FakeModels, KEY, Reply};
use common::run::{Ran, Test, fixture};

const OWNER: &str = "acme";
const REPO: &str = "infra";
const PR: u64 = 7;
const HEAD: &str = "1111111111111111111111111111111111111111";
const PLAN: &str = "1.11/plan_mixed.txt";
const SUMMARY: &str = "Replaces the TLS certificate and destroys the bastion host.";

/// Writes `config` to a file in `dir` and returns its path.
fn config(dir: &Path, config: &str) -> String {
    let path = dir.join("tfnotify.yaml");
    std::fs::write(&path, config).expect("config");
    path.to_string_lossy().into_owned()
}

/// The `ai_summary:` block for `provider` at the fake.
fn block(provider: &str, models: &FakeModels, extra: &str) -> String {
    let base = match provider {
        "openai" => format!("{}/v1", models.url()),
        _ => models.url(),
    };
    format!(
        "ai_summary:\n  enabled: true\n  provider: {provider}\n  model: test-model\n  max_tokens: 321\n  base_url: {base}\n{extra}"
    )
}

/// `tfnotify plan` posting to the fake GitHub with `yaml` as config.
fn plan_on_github(
    github: &FakeGitHub,
    yaml: &str,
    env: &[(&str, &str)],
) -> (Ran, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), yaml);
    let mut test = Test::new()
        .env("GITHUB_TOKEN", github.token())
        .env("GITHUB_API_URL", github.url())
        .env("GITHUB_GRAPHQL_URL", github.graphql_url());
    for (name, value) in env {
        test = test.env(name, *value);
    }
    let ran = test
        .args(["--config", &path, "--owner", OWNER, "--repo", REPO])
        .args(["--pr", "7", "--sha", HEAD, "plan", "--quiet"])
        .stdin(fixture(PLAN))
        .run();
    (ran, dir)
}

/// `tfnotify plan --output FILE` with `yaml` as config; returns the run and the file.
fn plan_to_file(yaml: &str, env: &[(&str, &str)]) -> (Ran, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), yaml);
    let output = dir.path().join("out.md");
    let mut test = Test::new();
    for (name, value) in env {
        test = test.env(name, *value);
    }
    let ran = test
        .args(["--config", &path, "plan", "--quiet", "--output"])
        .args([output.as_os_str()])
        .stdin(fixture(PLAN))
        .run();
    let written = std::fs::read_to_string(&output).unwrap_or_default();
    (ran, written)
}

fn warnings(ran: &Ran) -> Vec<&str> {
    ran.stderr
        .lines()
        .filter(|l| l.starts_with("tfnotify: warning:"))
        .collect()
}

#[test]
fn an_openai_summary_lands_in_the_comment_and_in_the_output_file() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let github = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let yaml = block("openai", &models, "");
    let (ran, _dir) = plan_on_github(&github, &yaml, &[("OPENAI_API_KEY", KEY)]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(warnings(&ran).is_empty(), "{}", ran.stderr);
    let comments = github.comments(OWNER, REPO, PR);
    assert_eq!(comments.len(), 1);
    let body = &comments[0].body;
    assert!(
        body.contains(&format!(
            "<details><summary>:robot: AI summary (written by a model: check it against the plan)</summary>\n\n{SUMMARY}\n\n</details>"
        )),
        "{body}"
    );
    assert!(
        body.starts_with("## :warning: Plan destroys resources"),
        "{body}"
    );
    assert!(models.refused().is_empty(), "{:?}", models.refused());
    let seen = models.seen();
    assert_eq!(seen.len(), 1);
    let request = seen[0].json();
    assert_eq!(seen[0].target, "/v1/chat/completions");
    assert_eq!(request["model"], "test-model");
    assert_eq!(request["max_tokens"], 321);
    let prompt = request["messages"][1]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(prompt.contains("terraform_data.bastion"), "{prompt}");
    assert!(
        !seen[0].body.contains(github.token()),
        "the GitHub token never leaves for the model"
    );

    let (ran, text) = plan_to_file(&yaml, &[("OPENAI_API_KEY", KEY)]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(text.contains(SUMMARY), "{text}");
}

#[test]
fn anthropic_gemini_and_litellm_are_asked_as_their_apis_want() {
    for (provider, key_var, path) in [
        ("anthropic", "ANTHROPIC_API_KEY", "/v1/messages"),
        (
            "google",
            "GEMINI_API_KEY",
            "/v1beta/models/test-model:generateContent",
        ),
        (
            "litellm",
            "LITELLM_API_KEY",
            "/openai/deployments/test-model/chat/completions",
        ),
    ] {
        let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
        let (ran, text) = plan_to_file(&block(provider, &models, ""), &[(key_var, KEY)]);
        assert_eq!(ran.code, Some(0), "{provider}: {}", ran.stderr);
        assert!(warnings(&ran).is_empty(), "{provider}: {}", ran.stderr);
        assert!(
            models.refused().is_empty(),
            "{provider}: {:?}",
            models.refused()
        );
        assert!(text.contains(SUMMARY), "{provider}: {text}");
        let seen = models.seen();
        assert_eq!(seen.len(), 1, "{provider}");
        assert_eq!(seen[0].target, path, "{provider}");
        let body = seen[0].json();
        match provider {
            "anthropic" => {
                assert_eq!(seen[0].header("anthropic-version"), Some("2023-06-01"));
                assert_eq!(body["max_tokens"], 321);
                assert_eq!(body["model"], "test-model");
            }
            "google" => {
                assert_eq!(seen[0].header("x-goog-api-key"), Some(KEY));
                assert_eq!(body["generationConfig"]["maxOutputTokens"], 321);
            }
            _ => assert_eq!(body["model"], "test-model"),
        }
    }
}

#[test]
fn the_base_url_can_come_from_the_environment_and_a_local_server_needs_no_key() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let yaml = "ai_summary:\n  enabled: true\n  provider: openai\n  model: llama3\n";
    let base = format!("{}/v1", models.url());
    let (ran, text) = plan_to_file(yaml, &[("OPENAI_BASE_URL", &base)]);
    // The fake, like OpenAI, wants a key: what matters is that none was made up and
    // that the refusal costs the summary only.
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(models.seen().len(), 1);
    assert_eq!(models.seen()[0].header("authorization"), None);
    assert_eq!(warnings(&ran).len(), 1, "{}", ran.stderr);
    assert!(!text.contains("AI summary"), "{text}");
}

#[test]
fn masked_values_and_keys_never_reach_the_model() {
    let models = FakeModels::start(Reply::Text(format!("Mentions {KEY} and bastion.")));
    let yaml = block("openai", &models, "");
    let (ran, text) = plan_to_file(
        &yaml,
        &[
            ("OPENAI_API_KEY", KEY),
            ("TFNOTIFY_MASKS", "regexp:bastion,regexp:tls_certificate"),
        ],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let seen = models.seen();
    assert_eq!(seen.len(), 1);
    let body = &seen[0].body;
    assert!(
        !body.contains("bastion"),
        "a masked value reached the model"
    );
    assert!(!body.contains("tls_certificate"));
    assert!(
        !body.contains(KEY),
        "the key is a header, never in the prompt"
    );
    assert!(body.contains("terraform_data.***"));
    assert!(!text.contains(KEY), "the key never appears in the message");
    assert!(!text.contains("bastion"));
    assert!(text.contains(r"Mentions \*\*\* and \*\*\*."), "{text}");
}

#[test]
fn a_hostile_answer_is_defused_and_cut() {
    let hostile = format!(
        "@everyone <!channel> look\n/merge\n</details><!-- github-comment: {{\"Program\":\"tfnotify\"}} -->\n```\n[x](https://evil.example)\n{}",
        "A".repeat(1 << 20)
    );
    let models = FakeModels::start(Reply::Text(hostile));
    let github = FakeGitHub::with_pull(OWNER, REPO, PR, HEAD);
    let (ran, _dir) = plan_on_github(
        &github,
        &block("openai", &models, ""),
        &[("OPENAI_API_KEY", KEY)],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let body = &github.comments(OWNER, REPO, PR)[0].body;
    assert!(
        body.starts_with("## :warning: Plan destroys resources"),
        "{}",
        &body[..200]
    );
    assert!(!body.contains("@everyone"), "mention");
    assert!(!body.contains("<!channel>"));
    assert!(
        !body.lines().any(|l| l.starts_with("/merge")),
        "quick action"
    );
    assert_eq!(
        body.matches("<!-- github-comment:").count(),
        1,
        "forged marker"
    );
    assert_eq!(
        body.matches("</details>").count(),
        body.matches("<details>").count(),
        "no block closed early"
    );
    assert!(!body.contains("```\n[x]"), "no fence breakout");
    assert!(!body.contains("](https://evil.example)"), "no link");
    assert!(
        body.chars().count() < 40_000,
        "cut: {}",
        body.chars().count()
    );
    assert!(body.contains("AAAA"), "the answer is shown, cut");
}

#[test]
fn failures_leave_the_message_intact_with_one_warning_and_exit_0() {
    let cases: [(Reply, &str, &str); 4] = [
        (Reply::Status(500), "", "failed with status 500"),
        (Reply::Status(429), "", "failed with status 429"),
        (
            Reply::Slow(Duration::from_secs(4), SUMMARY.to_owned()),
            "  timeout: 1\n",
            "timed out",
        ),
        (Reply::Empty, "", "answered without any text"),
    ];
    let (_, plain) = plan_to_file("", &[]);
    assert!(!plain.is_empty());
    for (reply, extra, expected) in cases {
        let label = format!("{reply:?}");
        let models = FakeModels::start(reply);
        let started = std::time::Instant::now();
        let (ran, text) = plan_to_file(
            &block("anthropic", &models, extra),
            &[("ANTHROPIC_API_KEY", KEY)],
        );
        assert_eq!(ran.code, Some(0), "{label}: {}", ran.stderr);
        let warnings = warnings(&ran);
        assert_eq!(warnings.len(), 1, "{label}: {}", ran.stderr);
        assert!(
            warnings[0].starts_with("tfnotify: warning: no AI summary: "),
            "{label}: {}",
            warnings[0]
        );
        assert!(warnings[0].contains(expected), "{label}: {}", warnings[0]);
        assert!(warnings[0].ends_with("; the message is sent without one"));
        assert_eq!(text, plain, "{label}: the message is as without a summary");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{label}: bounded"
        );
        assert!(
            models.refused().is_empty(),
            "{label}: {:?}",
            models.refused()
        );
    }
    // 429 with a long Retry-After is not waited for; 500 is retried within the budget.
    let models = FakeModels::start(Reply::Status(429));
    let _ = plan_to_file(&block("openai", &models, ""), &[("OPENAI_API_KEY", KEY)]);
    assert_eq!(
        models.seen().len(),
        1,
        "a 429 asking for two minutes is not waited for"
    );
}

#[test]
fn without_a_key_nothing_is_sent_and_one_warning_says_which_variable() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let (ran, text) = plan_to_file(&block("anthropic", &models, ""), &[]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        warnings(&ran),
        vec![
            "tfnotify: warning: no AI summary: `ANTHROPIC_API_KEY` is not set; the message is sent without one"
        ]
    );
    assert!(models.seen().is_empty());
    assert!(!text.contains("AI summary"));
}

#[test]
fn devin_is_declined_at_startup_with_the_reason() {
    let (ran, text) = plan_to_file(
        "ai_summary:\n  enabled: true\n  provider: devin\n",
        &[("DEVIN_API_KEY", "x")],
    );
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let warnings = warnings(&ran);
    assert_eq!(warnings.len(), 1, "{}", ran.stderr);
    assert!(
        warnings[0].contains("`devin` is not supported"),
        "{}",
        warnings[0]
    );
    assert!(!text.is_empty());
}

#[test]
fn the_flags_turn_it_on_without_a_config() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let dir = tempfile::tempdir().expect("tempdir");
    let output = dir.path().join("out.md");
    let base = format!("{}/v1", models.url());
    let ran = Test::new()
        .env("OPENAI_API_KEY", KEY)
        .env("OPENAI_BASE_URL", &base)
        .env("TFNOTIFY_AI_SUMMARY", "true")
        .args([
            "plan",
            "--quiet",
            "--summary-provider",
            "openai",
            "--summary-model",
            "m1",
            "--output",
        ])
        .args([output.as_os_str()])
        .dir(dir.path())
        .stdin(fixture(PLAN))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(models.seen()[0].json()["model"], "m1");
    assert!(
        std::fs::read_to_string(&output)
            .unwrap_or_default()
            .contains(SUMMARY)
    );
}

#[test]
fn a_v1_config_with_ai_summary_loads_without_warnings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(
        dir.path(),
        &String::from_utf8(fixture_config("v1-tfnotify.yaml")).expect("utf-8"),
    );
    let ran = Test::new()
        .env("ANTHROPIC_API_KEY", KEY)
        .args(["--config", &path, "config", "check"])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stderr.contains("warning"), "{}", ran.stderr);
    let out = ran.stdout_text();
    assert!(
        out.contains("  ok  ai_summary prompt (anthropic, claude-sonnet): "),
        "{out}"
    );
}

#[test]
fn config_check_fails_on_a_prompt_template_that_does_not_parse() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(
        dir.path(),
        "ai_summary:\n  enabled: true\n  provider: openai\n  template: \"{{.Result\"\n",
    );
    let ran = Test::new()
        .args(["--config", &path, "config", "check"])
        .run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(
        ran.stdout_text().contains("  ERR ai_summary prompt"),
        "{}",
        ran.stdout_text()
    );
    assert!(
        ran.stderr.contains("the prompt template does not parse"),
        "{}",
        ran.stderr
    );
}

#[test]
fn render_dump_context_shows_the_prompt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(
        dir.path(),
        "ai_summary:\n  enabled: true\n  provider: openai\n",
    );
    let ran = Test::new()
        .env("TFNOTIFY_MASKS", "regexp:bastion")
        .args(["--config", &path, "render", "plan", "--dump-context"])
        .stdin(fixture(PLAN))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let json: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    let prompt = json["AIPrompt"].as_str().unwrap_or_default();
    assert!(
        prompt.starts_with("Summarise this Terraform plan"),
        "{prompt}"
    );
    assert!(!prompt.contains("bastion"));
    assert_eq!(json["SummaryEnabled"], true);
}

fn fixture_config(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/config/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("config fixture")
}

#[test]
fn a_50000_resource_plan_costs_a_bounded_request_that_keeps_the_destroys() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let mut plan = Vec::new();
    common::big_plan::write_plan(&mut plan, 50_000, 0).expect("generate");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), &block("openai", &models, ""));
    let output = dir.path().join("out.md");
    let ran = Test::new()
        .env("OPENAI_API_KEY", KEY)
        .args(["--config", &path, "plan", "--quiet", "--output"])
        .args([output.as_os_str()])
        .stdin(plan)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let seen = models.seen();
    assert_eq!(seen.len(), 1);
    assert!(
        seen[0].body.len() < 64_000,
        "request of {} bytes",
        seen[0].body.len()
    );
    let prompt = seen[0].json()["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        prompt.contains("Destroyed (5000):\n- "),
        "{}",
        &prompt[..2000.min(prompt.len())]
    );
    assert!(
        prompt.contains("Replaced (5000):\n- "),
        "destroys and replaces come first"
    );
    assert!(prompt.contains("more"));
    assert!(
        std::fs::read_to_string(&output)
            .unwrap_or_default()
            .contains(SUMMARY)
    );
}

#[test]
fn devin_in_config_check_is_a_warning_not_a_broken_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(
        dir.path(),
        "ai_summary:\n  enabled: true\n  provider: devin\n",
    );
    let ran = Test::new()
        .args(["--config", &path, "config", "check"])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("tfnotify: warning: `devin` is not supported"),
        "{}",
        ran.stderr
    );
    assert!(
        !ran.stdout_text().contains("ai_summary"),
        "{}",
        ran.stdout_text()
    );
}

#[test]
fn a_run_that_posts_nowhere_asks_no_model() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), &block("openai", &models, ""));
    let ran = Test::new()
        .args(["--config", &path, "plan", "--quiet"])
        .stdin(fixture(PLAN))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(models.seen().is_empty());
    assert!(
        warnings(&ran).is_empty(),
        "no key, and nothing to miss: {}",
        ran.stderr
    );
}

#[test]
fn the_summary_block_as_reviewers_see_it() {
    let answer = "Replaces the TLS certificate and **destroys** `terraform_data.bastion`.\n\n- @everyone should look at <b>this</b>\n- see [docs](https://evil.example)\n---\n/approve\n</details><!-- github-comment: {} -->\n```";
    let models = FakeModels::start(Reply::Text(answer.to_owned()));
    let (ran, text) = plan_to_file(&block("openai", &models, ""), &[("OPENAI_API_KEY", KEY)]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let start = text
        .find("<details><summary>:robot:")
        .expect("the summary block");
    let end = start + text[start..].find("</details>").expect("its end") + "</details>".len();
    insta::assert_snapshot!(
        "ai_summary_block",
        text[start..end].replace('\u{2060}', "{WJ}")
    );
}

#[test]
fn a_slack_message_gets_one_inert_summary_line() {
    let models = FakeModels::start(Reply::Text(
        "Destroys the bastion.\n<!channel> @here <@U123> <https://evil.example|click>".to_owned(),
    ));
    let slack = common::fake_slack::FakeSlack::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), &block("openai", &models, ""));
    let ran = Test::new()
        .env("OPENAI_API_KEY", KEY)
        .env("SLACK_WEBHOOK_URL", slack.webhook_url())
        .args(["--config", &path, "plan", "--quiet"])
        .stdin(fixture(PLAN))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    slack.assert_no_violations();
    let posted = slack.messages()[0].to_string();
    assert!(
        posted.contains(":robot_face: *AI summary:* Destroys the bastion. "),
        "{posted}"
    );
    for acting in ["<!channel>", "<@U123>", "<https://", "@here"] {
        assert!(!posted.contains(acting), "{acting} in {posted}");
    }
}

#[test]
fn a_v1_command_line_with_devin_flags_still_runs() {
    let models = FakeModels::start(Reply::Text(SUMMARY.to_owned()));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), &block("openai", &models, ""));
    let output = dir.path().join("out.md");
    let ran = Test::new()
        .env("OPENAI_API_KEY", KEY)
        .args([
            "--config",
            &path,
            "plan",
            "--summary",
            "--session-id",
            "s-1",
        ])
        .args([
            "--playbook-id",
            "p-1",
            "--playbook-id",
            "p-2",
            "--quiet",
            "--output",
        ])
        .args([output.as_os_str()])
        .stdin(fixture(PLAN))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        std::fs::read_to_string(&output)
            .unwrap_or_default()
            .contains(SUMMARY)
    );
}

#[test]
fn a_wrapped_terraform_keeps_its_exit_code_whatever_the_model_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.txt");
    std::fs::write(&plan, fixture(PLAN)).expect("plan");
    for reply in [Reply::Text(SUMMARY.to_owned()), Reply::Status(500)] {
        let failing = matches!(reply, Reply::Status(_));
        let models = FakeModels::start(reply);
        let path = config(dir.path(), &block("openai", &models, ""));
        let output = dir.path().join("out.md");
        let _ = std::fs::remove_file(&output);
        let ran = Test::new()
            .env("OPENAI_API_KEY", KEY)
            .args(["--config", &path, "plan", "--quiet", "--output"])
            .args([output.as_os_str()])
            .args(["--", "sh", "-c", "cat \"$0\"; exit 2"])
            .args([plan.as_os_str()])
            .run();
        assert_eq!(
            ran.code,
            Some(2),
            "-detailed-exitcode's 2 stays: {}",
            ran.stderr
        );
        assert_eq!(ran.stdout, fixture(PLAN), "the output passes through whole");
        assert_eq!(warnings(&ran).len(), usize::from(failing), "{}", ran.stderr);
        let written = std::fs::read_to_string(&output).unwrap_or_default();
        assert_eq!(written.contains(SUMMARY), !failing, "{written}");
    }
}

#[test]
fn a_v1_template_reads_ai_summary_and_summary_enabled_and_calls_the_sub_template() {
    let models = FakeModels::start(Reply::Text("Adds <b>two</b> @all".to_owned()));
    let yaml = format!(
        "{}terraform:\n  plan:\n    template: |\n      {{{{if .SummaryEnabled}}}}on{{{{end}}}} {{{{.AISummary}}}}\n      {{{{template \"ai_summary\" .}}}}\n",
        block("openai", &models, "")
    );
    let (ran, text) = plan_to_file(&yaml, &[("OPENAI_API_KEY", KEY)]);
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let shown = text.replace('\u{2060}', "^");
    assert!(
        shown.starts_with(
            "on Adds &lt;^b&gt;two&lt;^/b&gt; @^all\n\n<details><summary>:robot: AI summary"
        ),
        "{shown}"
    );
}

#[test]
fn a_gitlab_note_runs_no_quick_action_from_the_answer() {
    let models = FakeModels::start(Reply::Text(
        "Looks fine.\n/merge\n  /approve\n/label ~ship @all".to_owned(),
    ));
    let gitlab = common::fake_gitlab::FakeGitLab::with_merge_request("acme/infra", 7, HEAD);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = config(dir.path(), &block("openai", &models, ""));
    let ran = Test::new()
        .env("OPENAI_API_KEY", KEY)
        .env("GITLAB_TOKEN", gitlab.token())
        .env("GITLAB_BASE_URL", gitlab.url())
        .args(["--config", &path, "--owner", "acme", "--repo", "infra"])
        .args([
            "--pr",
            "7",
            "--sha",
            HEAD,
            "plan",
            "--quiet",
            "--notifier",
            "gitlab",
        ])
        .stdin(fixture(PLAN))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    gitlab.assert_no_violations();
    let notes = gitlab.notes("acme/infra", 7);
    let body = &notes.last().expect("a note").body;
    assert!(body.contains("Looks fine."), "{body}");
    assert!(!body.contains("@all"), "{body}");
}
