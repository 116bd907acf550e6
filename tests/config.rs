//! Existing tfnotify and tfcmt config files, driven through the real binary: they load,
//! their templates render, broken ones fail clearly without costing Terraform's output.

mod common;

use std::path::{Path, PathBuf};

use common::run::{Test, fixture};

fn config_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/config")
}

/// Every config fixture by name, sorted.
fn configs() -> Vec<(String, PathBuf)> {
    let mut all: Vec<_> = std::fs::read_dir(config_dir())
        .expect("config fixtures")
        .filter_map(Result::ok)
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .filter(|(_, path)| path.extension().is_some_and(|e| e == "yaml"))
        .collect();
    all.sort();
    all
}

#[test]
fn every_working_config_passes_config_check() {
    for (name, path) in configs() {
        if name.starts_with("broken-") {
            continue;
        }
        let ran = Test::new()
            .args(["--config"])
            .args([&path])
            .args(["config", "check"])
            .run();
        assert_eq!(ran.code, Some(0), "{name}: {}", ran.stderr);
        let out = ran.stdout_text();
        assert!(out.contains("ok  markdown plan template"), "{name}: {out}");
        assert!(!out.contains("ERR"), "{name}: {out}");
        if name.starts_with("warn-") {
            assert!(
                ran.stderr.contains("tfnotify: warning: `"),
                "{name}: {}",
                ran.stderr
            );
        }
    }
}

#[test]
fn every_broken_config_is_one_clear_error() {
    for (name, path) in configs() {
        if !name.starts_with("broken-") {
            continue;
        }
        let ran = Test::new()
            .args(["--config"])
            .args([&path])
            .args(["config", "check"])
            .run();
        assert_eq!(ran.code, Some(2), "{name}");
        let first = ran.stderr.lines().next().unwrap_or_default();
        assert!(first.starts_with("tfnotify: error: `"), "{name}: {first}");
        assert!(
            first.contains(&format!("{name}`:")),
            "{name} names the file: {first}"
        );
    }
}

#[test]
fn a_broken_config_costs_nothing_of_terraforms_output() {
    let broken = config_dir().join("broken-wrong-type.yaml");
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.txt");
    std::fs::write(&plan, fixture("1.11/plan_mixed.txt")).expect("write");
    let script = format!("cat '{}'", plan.display());
    let ran = Test::new()
        .args(["--config"])
        .args([&broken])
        .args(["plan", "--", "sh", "-c", &script])
        .run();
    assert!(
        ran.stdout == fixture("1.11/plan_mixed.txt"),
        "the plan passed through"
    );
    assert_eq!(ran.code, Some(2), "the child succeeded, our config did not");
    let reported = ran
        .stderr
        .matches("expected a mapping for `terraform.plan`")
        .count();
    assert_eq!(
        reported, 2,
        "at startup and after the output: {}",
        ran.stderr
    );
    assert!(
        ran.stderr.contains("Changes to apply"),
        "the summary still comes"
    );
}

#[test]
fn config_schema_is_json_schema() {
    let ran = Test::new().args(["config", "schema"]).run();
    assert_eq!(ran.code, Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert!(
        schema["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("json-schema.org"))
    );
    assert!(schema["properties"]["terraform"].is_object());
    // Entries name every destination's settings, so editors complete them.
    let entry = &schema["properties"]["notifiers"]["items"]["properties"];
    for key in [
        "type",
        "when",
        "webhook_url",
        "room_id",
        "token",
        "base_url",
    ] {
        assert!(entry[key].is_object(), "{key}");
    }
    let token = entry["token"]["description"].as_str().expect("described");
    assert!(
        token.contains("slack: ") && token.contains("chatwork: "),
        "{token}"
    );
}

#[test]
fn the_config_is_found_from_a_subdirectory() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join(".tfcmt.yml"),
        "terraform:\n  plan:\n    template: \"found {{ .Report.counts.add }}\"\n",
    )
    .expect("write");
    let nested = dir.path().join("envs/prod");
    std::fs::create_dir_all(&nested).expect("mkdir");
    let summary = dir.path().join("summary.md");
    let ran = Test::new()
        .dir(&nested)
        .args(["plan", "--quiet", "--output"])
        .args([&summary])
        .stdin(fixture("1.11/plan_mixed.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        std::fs::read_to_string(&summary).expect("summary"),
        "found 12\n\n"
    );
}

#[test]
fn unknown_keys_warn_with_the_line_and_a_suggestion_and_the_run_goes_on() {
    let ran = Test::new()
        .args(["--config"])
        .args([config_dir().join("warn-unknown-keys.yaml")])
        .args(["plan"])
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("tfnotify: warning: `"));
    assert!(
        ran.stderr.contains(
            "unknown key `terraform.use_raw_ouptut` is ignored; did you mean `use_raw_output`?"
        ),
        "{}",
        ran.stderr
    );
}

/// Renders `command`'s sample through a config fixture's templates, as `--output` does.
fn render_with(config: &str, extra: &[&str], input: &str, command: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.md");
    let ran = Test::new()
        .args(["--config"])
        .args([config_dir().join(config)])
        .args(["--notifier", "local"])
        .args(extra.iter().copied())
        .args([command, "--quiet", "--output"])
        .args([&out])
        .stdin(fixture(input))
        .run();
    assert!(
        ran.stderr
            .lines()
            .all(|l| !l.starts_with("tfnotify: error")),
        "{}",
        ran.stderr
    );
    std::fs::read_to_string(&out).expect("rendered")
}

#[test]
fn classic_templates_render_as_tfnotify_did() {
    let text = render_with(
        "classic-github.yaml",
        &["--build-url", "https://ci.example.com/b/1?x=1&y=2"],
        "1.11/plan_replace_tainted.txt",
        "plan",
    );
    assert!(
        text.starts_with(
            "## Plan result <sup>[CI link]( https://ci.example.com/b/1?x=1&amp;y=2 )</sup>\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("<pre><code>Plan: 1 to add, 0 to change, 1 to destroy.\n</pre></code>"),
        "{text}"
    );
    assert!(
        text.contains("&#43; resource &#34;terraform_data&#34;"),
        "html/template escaping: {text}"
    );
    insta::assert_snapshot!("classic_github_plan", text);
}

#[test]
fn classic_title_and_message_flags_fill_their_fields() {
    let text = render_with(
        "classic-github.yaml",
        &[],
        "1.11/plan_no_changes.txt",
        "plan",
    );
    assert!(text.starts_with("## Plan result"), "{text}");
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.md");
    let ran = Test::new()
        .args(["--config"])
        .args([config_dir().join("classic-github.yaml")])
        .args(["--notifier", "local"])
        .args([
            "plan",
            "-t",
            "## <Prod> plan",
            "-m",
            "by @alice",
            "--quiet",
            "--output",
        ])
        .args([&out])
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let text = std::fs::read_to_string(&out).expect("rendered");
    assert!(text.starts_with("## &lt;Prod&gt; plan <sup>"), "{text}");
    assert!(text.contains("\nby @alice\n"), "{text}");
}

#[test]
fn tfcmt_templates_and_overrides_render() {
    let text = render_with(
        "tfcmt-full.yaml",
        &["--var", "target:prod"],
        "1.11/plan_mixed.txt",
        "plan",
    );
    assert!(
        text.starts_with("## Plan Result (prod)\n"),
        "the user's `title` template: {text}"
    );
    assert!(
        text.contains("> [!CAUTION]"),
        "our deletion_warning: {text}"
    );
    insta::assert_snapshot!("tfcmt_full_plan", text);
}

#[test]
fn use_raw_output_renders_without_html_escaping() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tfnotify.yaml");
    std::fs::write(
        &config,
        "terraform:\n  use_raw_output: true\n  plan:\n    template: \"{{ .Result }} {{ .Missing }}\"\n",
    )
    .expect("write");
    let out = dir.path().join("out.md");
    let ran = Test::new()
        .dir(dir.path())
        .args(["plan", "--quiet", "--output"])
        .args([&out])
        .stdin("Plan: 1 to add, 0 to change, 0 to destroy.\n")
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).expect("rendered"),
        "Plan: 1 to add, 0 to change, 0 to destroy. <no value>\n\n"
    );
    // Rendered as Go renders it, and named so the typo is found.
    assert!(
        ran.stderr.contains(
            "tfnotify: warning: template: plan:1:17: executing \"plan\" at <.Missing>: can't evaluate field Missing in the message context; it has .AISummary, .Body, "
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_broken_template_in_the_config_is_reported_before_the_input_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("tfnotify.yaml"),
        "terraform:\n  plan:\n    template: \"{{ if .Result }}never closed\"\n",
    )
    .expect("write");
    let mut child = Test::new()
        .dir(dir.path())
        .args(["plan", "--output", "out.md"])
        .spawn();
    // Nothing has been written to stdin yet, and the error is already there.
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut first).expect("read");
    assert_eq!(first, "tfnotify: error: template: plan:1: unexpected EOF\n");
    drop(child.stdin.take());
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(2));
}

#[test]
fn vars_come_from_flags_and_both_environment_prefixes() {
    let ran = Test::new()
        .args([
            "--var",
            "target:from-flag",
            "render",
            "plan",
            "--dump-context",
        ])
        .env("TFNOTIFY_VAR_env", "prod")
        .env("TFCMT_VAR_team", "sre")
        .env("TFCMT_VAR_target", "from-tfcmt")
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let context: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert_eq!(context["Vars"]["target"], "from-flag");
    assert_eq!(context["Vars"]["env"], "prod");
    assert_eq!(context["Vars"]["team"], "sre");
    let bad = Test::new()
        .args(["--var", "novalue", "render", "--dump-context"])
        .run();
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("`novalue`"), "{}", bad.stderr);
}

#[test]
fn the_ci_link_comes_from_the_ci_or_the_flag() {
    let ran = Test::new()
        .args(["render", "plan", "--dump-context"])
        .env("CIRCLECI", "true")
        .env("CIRCLE_BUILD_URL", "https://circleci.com/gh/acme/infra/42")
        .env("CIRCLE_PROJECT_USERNAME", "acme")
        .env("CIRCLE_PROJECT_REPONAME", "infra")
        .env(
            "CIRCLE_PULL_REQUEST",
            "https://github.com/acme/infra/pull/7",
        )
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let context: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert_eq!(context["Link"], "https://circleci.com/gh/acme/infra/42");
    assert_eq!(context["CI"]["platform"], "circleci");
    assert_eq!(context["CI"]["pr_number"], 7);
    let flagged = Test::new()
        .args([
            "--build-url",
            "https://x.example/1",
            "render",
            "plan",
            "--dump-context",
        ])
        .env("CIRCLECI", "true")
        .env("CIRCLE_BUILD_URL", "https://circleci.com/gh/acme/infra/42")
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    let context: serde_json::Value = serde_json::from_slice(&flagged.stdout).expect("json");
    assert_eq!(context["Link"], "https://x.example/1");
}

#[test]
fn the_classic_destroy_warning_follows_a_destroying_plan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.md");
    let ran = Test::new()
        .args(["--config"])
        .args([config_dir().join("classic-github.yaml")])
        .args(["--notifier", "local"])
        .args([
            "plan",
            "--quiet",
            "--destroy-warning-message",
            "ask #sre first",
            "--output",
        ])
        .args([&out])
        .stdin(fixture("1.11/plan_destroy_removed_from_config.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let text = std::fs::read_to_string(&out).expect("rendered");
    assert!(
        text.contains("## :warning: WARNING: Resource Deletion will happen :warning:"),
        "{text}"
    );
    let quiet = Test::new()
        .args(["--config"])
        .args([config_dir().join("classic-github.yaml")])
        .args(["--notifier", "local"])
        .args(["plan", "--quiet", "--output"])
        .args([dir.path().join("no-destroy.md")])
        .stdin(fixture("1.11/plan_create_only.txt"))
        .run();
    assert_eq!(quiet.code, Some(0));
    let text = std::fs::read_to_string(dir.path().join("no-destroy.md")).expect("rendered");
    assert!(!text.contains("Resource Deletion"), "{text}");
}

#[test]
fn tfcmt_s_parse_error_template_is_used_when_the_output_cannot_be_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tfcmt.yaml");
    std::fs::write(
        &config,
        "terraform:\n  plan:\n    template: \"main\"\n    when_parse_error:\n      template: \"could not read the plan ({{ .Report.outcome }})\"\n",
    )
    .expect("write");
    let out = dir.path().join("out.md");
    let run = |input: &str| {
        let _ = std::fs::remove_file(&out);
        Test::new()
            .dir(dir.path())
            .args(["plan", "--quiet", "--output"])
            .args([&out])
            .stdin(input)
            .run();
        std::fs::read_to_string(&out).expect("rendered")
    };
    assert_eq!(
        run("this is not terraform\n"),
        "could not read the plan (unparsed)\n\n"
    );
    assert_eq!(
        run("Plan: 1 to add, 0 to change, 0 to destroy.\n"),
        "main\n\n"
    );
}

#[test]
fn an_unknown_ci_name_is_quoted_once_and_lists_the_names_people_write() {
    let path = config_dir().join("broken-unknown-ci.yaml");
    let ran = Test::new()
        .args(["--config"])
        .args([&path])
        .args(["config", "check"])
        .run();
    assert_eq!(ran.code, Some(2));
    let first = ran.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "tfnotify: error: `{}`: `ci` names an unknown CI `droneci` (did you mean `drone`?): \
             expected one of `atlantis`, `azure-pipelines`, `bitbucket-pipelines`, `buildkite`, \
             `circleci`, `cloud-build`, `codebuild`, `drone`, `forgejo-actions`, \
             `gitea-actions`, `github-actions`, `gitlab-ci`, `jenkins`, `local`, `teamcity`, \
             `travis` and `woodpecker`",
            path.display()
        )
    );
}

#[test]
fn a_tfcmt_ci_block_fills_the_ci_facts_below_flags_and_above_detection() {
    let config = config_dir().join("tfcmt-ci-block.yaml");
    let run = |flags: &[&str], env: &[(&str, &str)]| {
        let mut test = Test::new().args(["--config"]).args([&config]).args(flags);
        test = test.args(["render", "plan", "--dump-context"]);
        for (name, value) in env {
            test = test.env(name, value);
        }
        let ran = test.stdin(fixture("1.11/plan_no_changes.txt")).run();
        assert_eq!(ran.code, Some(0), "{}", ran.stderr);
        assert_eq!(ran.stderr, "", "no warnings");
        serde_json::from_slice::<serde_json::Value>(&ran.stdout).expect("json")
    };
    let jenkins = [
        ("JENKINS_URL", "https://jenkins.example.com/"),
        ("BUILD_URL", "https://jenkins.example.com/job/infra/12/"),
        ("GIT_COMMIT", "mergecommit"),
        ("CHANGE_ID", "34"),
        ("ghprbActualCommit", "headcommit"),
        ("JOB_REPO", "Infra"),
    ];
    let context = run(&[], &jenkins);
    assert_eq!(context["CI"]["platform"], "jenkins");
    assert_eq!(context["CI"]["pr_number"], 34);
    assert_eq!(context["CI"]["owner"], "acme");
    assert_eq!(context["CI"]["repo"], "infra");
    assert_eq!(
        context["CI"]["sha"], "headcommit",
        "the block beats detection"
    );
    assert_eq!(context["Link"], "https://jenkins.example.com/job/infra/12/");
    assert_eq!(context["Vars"]["env"], "staging");

    let mut explicit = jenkins.to_vec();
    explicit.extend([("TFCMT_PR_NUMBER", "35"), ("DEPLOY_ENV", "prod")]);
    let context = run(&["--sha", "fromflag", "--var", "team:sre"], &explicit);
    assert_eq!(context["CI"]["pr_number"], 35, "variables beat the block");
    assert_eq!(context["CI"]["sha"], "fromflag", "flags beat the block");
    assert_eq!(context["Vars"]["env"], "prod");
    let context = run(&["--var", "env:flag"], &jenkins);
    assert_eq!(context["Vars"]["env"], "flag", "`--var` beats `ci.vars`");
}

#[test]
fn a_tfcmt_ci_block_never_stops_a_run() {
    let ran = Test::new()
        .args(["--config"])
        .args([config_dir().join("warn-ci-block.yaml")])
        .args(["render", "plan", "--dump-context"])
        .env("PR", "false")
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let warnings: Vec<&str> = ran.stderr.lines().collect();
    assert_eq!(warnings.len(), 6, "{}", ran.stderr);
    assert!(
        warnings[5].ends_with(
            "warn-ci-block.yaml`:11:7: `ci.pr[3]` gave `false`, which is not a pull request number; no pull request is taken from `ci.pr`"
        ),
        "{}",
        ran.stderr
    );
    let context: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert!(context["CI"]["pr_number"].is_null());
}

#[test]
fn every_destination_s_classic_block_passes_config_check_and_is_in_the_schema() {
    let path = config_dir().join("classic-every-destination.yaml");
    let ran = Test::new()
        .args(["--config"])
        .args([&path])
        .args(["config", "check"])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stderr, "", "no warnings");
    let out = ran.stdout_text();
    let schema = Test::new().args(["config", "schema"]).run();
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).expect("json");
    let blocks = &schema["properties"]["notifier"]["properties"];
    for (name, setting) in [
        ("gitea", "token"),
        ("bitbucket", "app_password"),
        ("bitbucket-server", "base_url"),
        ("chatwork", "room_id"),
        ("teams", "webhook_url"),
        ("discord", "message_id"),
        ("webhook", "secret"),
    ] {
        assert!(
            out.contains(&format!("  ok  notifier.{name} ({name})\n")),
            "{name}: {out}"
        );
        assert!(
            blocks[name]["properties"][setting].is_object(),
            "{name}.{setting}"
        );
        assert!(
            blocks[name]["properties"]["when"].is_object(),
            "{name}.when"
        );
        assert!(
            blocks[name]["properties"]["type"].is_null(),
            "{name}: the key is the type"
        );
    }
    assert!(
        blocks["slack"]["properties"]["thread"].is_null(),
        "v0 blocks keep their own keys"
    );
}

#[test]
fn tfcmt_static_vars_give_way_to_flags_the_environment_and_ci_vars() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("tfcmt.yaml");
    std::fs::write(
        &config,
        concat!(
            "vars:\n  team: static\n  stage: static\n  region: static\n  owner: static\n",
            "ci:\n  vars:\n    stage:\n    - type: envsubst\n      value: from-ci\n",
            "terraform:\n  plan:\n    template: ",
            "\"{{.Vars.team}} {{.Vars.stage}} {{.Vars.region}} {{.Vars.owner}}\"\n",
        ),
    )
    .expect("write");
    let out = dir.path().join("out.md");
    let ran = Test::new()
        .args(["--config"])
        .args([&config])
        .args(["--var", "region:flag", "--notifier", "local"])
        .args(["plan", "--quiet", "--output"])
        .args([&out])
        .env("TFCMT_VAR_team", "env")
        .stdin(fixture("1.11/plan_no_changes.txt"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(!ran.stderr.contains("warning"), "{}", ran.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).expect("rendered"),
        "env from-ci flag static\n\n"
    );
}
