//! `--plan-file`: saved plans shown by the real `terraform` binary, compared with what the
//! piped text of the same plan reports; and the program choice (`--terraform-bin`,
//! `TFNOTIFY_TERRAFORM_BIN`, OpenTofu) with small scripts standing in for `tofu`, real child
//! processes that print OpenTofu's shapes (no `tofu` binary is installed). The tests that
//! need `terraform` are reported as ignored when it is not on PATH (see build.rs).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::run::Test;
use common::terraform::terraform;

/// One plan to compare: the config applied first (empty: nothing), then the one planned.
struct Scenario {
    name: &'static str,
    before: &'static str,
    after: &'static str,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "create",
        before: "",
        after: r#"resource "terraform_data" "a" { input = "a" }"#,
    },
    Scenario {
        name: "update",
        before: r#"resource "terraform_data" "a" { input = "one" }"#,
        after: r#"resource "terraform_data" "a" { input = "two" }"#,
    },
    Scenario {
        name: "replace",
        before: r#"resource "terraform_data" "a" { triggers_replace = "one" }"#,
        after: r#"resource "terraform_data" "a" { triggers_replace = "two" }"#,
    },
    Scenario {
        name: "destroy",
        before: r#"
resource "terraform_data" "keep" { input = "k" }
resource "terraform_data" "web" {
  count = 2
  input = "web-${count.index}"
}
output "ids" { value = terraform_data.web[*].id }
"#,
        after: r#"
resource "terraform_data" "keep" { input = "k" }
resource "terraform_data" "web" {
  count = 1
  input = "web-${count.index}"
}
output "ids" { value = terraform_data.web[*].id }
"#,
    },
    Scenario {
        name: "moved",
        before: r#"resource "terraform_data" "old" { input = "m" }"#,
        after: r#"
resource "terraform_data" "new" { input = "m" }
moved {
  from = terraform_data.old
  to   = terraform_data.new
}
"#,
    },
    Scenario {
        name: "import",
        before: "",
        after: r#"
import {
  to = terraform_data.imported
  id = "existing-id"
}
resource "terraform_data" "imported" {}
"#,
    },
    Scenario {
        name: "no_changes",
        before: r#"resource "terraform_data" "a" { input = "a" }"#,
        after: r#"resource "terraform_data" "a" { input = "a" }"#,
    },
];

fn tfnotify(dir: &Path) -> Test {
    Test::new()
        .dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", dir.join("empty.tfrc"))
}

/// A working directory with `before` applied and `after` planned into `tfplan`; returns
/// the directory and what `terraform plan -out=tfplan` printed (stdout, then stderr).
fn planned(before: &str, after: &str) -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("empty.tfrc"), "").expect("cli config");
    std::fs::write(dir.path().join("main.tf"), before).expect("config");
    terraform(dir.path(), &["init", "-input=false", "-no-color"]);
    if !before.is_empty() {
        terraform(
            dir.path(),
            &["apply", "-input=false", "-auto-approve", "-no-color"],
        );
    }
    std::fs::write(dir.path().join("main.tf"), after).expect("config");
    let plan = terraform(
        dir.path(),
        &["plan", "-input=false", "-no-color", "-out=tfplan"],
    );
    let mut text = plan.stdout;
    text.extend_from_slice(&plan.stderr);
    (dir, text)
}

/// The lines of `terraform plan -out` that are about running it, not about the plan, so a
/// saved plan cannot show them: the refresh and import progress before it, and the "Saved
/// the plan" note after its last rule.
fn plan_part(text: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(text);
    let body = match text.rfind("\n─") {
        Some(rule) if text[rule..].contains("Saved the plan to: tfplan") => &text[..rule],
        _ => &text[..],
    };
    let kept: Vec<&str> = body
        .lines()
        .filter(|line| {
            !line.contains(": Refreshing state...") && !line.contains(": Preparing import...")
        })
        .collect();
    format!("{}\n", kept.join("\n").trim_end()).into_bytes()
}

fn parsed(ran: &common::run::Ran) -> serde_json::Value {
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    serde_json::from_slice(&ran.stdout).expect("parse JSON")
}

fn rendered(dir: &Path, name: &str, test: Test) -> String {
    let path = dir.join(name);
    let ran = test
        .args([OsArg::from("--output"), path.clone().into()])
        .run();
    assert_eq!(ran.code, Some(0), "{name}: {}", ran.stderr);
    std::fs::read_to_string(&path).expect("--output file")
}

type OsArg = std::ffi::OsString;

#[test]
#[cfg_attr(
    not(has_terraform),
    ignore = "terraform is not on PATH: the saved-plan comparison cannot run"
)]
fn a_saved_plan_reports_what_the_piped_plan_reports() {
    for scenario in SCENARIOS {
        let (dir, text) = planned(scenario.before, scenario.after);
        let dir = dir.path();

        let piped = parsed(
            &tfnotify(dir)
                .args(["parse", "plan"])
                .stdin(text.clone())
                .run(),
        );
        let saved = parsed(
            &tfnotify(dir)
                .args(["parse", "plan", "--plan-file", "tfplan"])
                .run(),
        );
        assert_eq!(piped, saved, "{}: the parsed reports differ", scenario.name);

        let from_text = rendered(
            dir,
            "piped.md",
            tfnotify(dir).args(["plan"]).stdin(plan_part(&text)),
        );
        let from_file = rendered(
            dir,
            "saved.md",
            tfnotify(dir).args(["plan", "--plan-file", "tfplan"]),
        );
        assert_eq!(
            from_text, from_file,
            "{}: the messages differ",
            scenario.name
        );
    }
}

#[test]
#[cfg_attr(
    not(has_terraform),
    ignore = "terraform is not on PATH: the saved-plan comparison cannot run"
)]
fn a_forget_differs_only_by_the_warning_terraform_does_not_save() {
    let (dir, text) = planned(
        r#"
resource "terraform_data" "keep" { input = "k" }
resource "terraform_data" "gone" { input = "g" }
"#,
        r#"
resource "terraform_data" "keep" { input = "k" }
removed {
  from = terraform_data.gone
  lifecycle { destroy = false }
}
"#,
    );
    let dir = dir.path();
    let mut piped = parsed(&tfnotify(dir).args(["parse", "plan"]).stdin(text).run());
    let mut saved = parsed(
        &tfnotify(dir)
            .args(["parse", "plan", "--plan-file", "tfplan"])
            .run(),
    );
    assert_eq!(
        piped["warnings"][0]["summary"],
        "Some objects will no longer be managed by Terraform"
    );
    assert_eq!(saved["warnings"], serde_json::json!([]));
    assert_eq!(saved["counts"]["forget"], 1);
    piped["warnings"].take();
    saved["warnings"].take();
    assert_eq!(piped, saved);
}

#[test]
#[cfg_attr(
    not(has_terraform),
    ignore = "terraform is not on PATH: the pass-through cannot be checked"
)]
fn the_shown_text_is_passed_through_and_the_outcome_decides_the_exit_code() {
    let (dir, _) = planned(
        "",
        r#"resource "terraform_data" "secret" { input = "hunter2-value" }"#,
    );
    let dir = dir.path();
    let shown = terraform(dir, &["show", "-no-color", "tfplan"]);
    let ran = tfnotify(dir).args(["plan", "--plan-file", "tfplan"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(
        ran.stdout, shown.stdout,
        "stdout is `terraform show`'s text"
    );
    assert!(
        ran.stderr
            .contains("Plan: 1 to add, 0 to change, 0 to destroy."),
        "{}",
        ran.stderr
    );

    let masked = tfnotify(dir)
        .env("SECRET_INPUT", "hunter2-value")
        .env("TFNOTIFY_MASKS", "env:SECRET_INPUT")
        .args(["plan", "--plan-file", "tfplan"])
        .run();
    assert_eq!(masked.code, Some(0), "{}", masked.stderr);
    assert!(
        !masked.stdout_text().contains("hunter2"),
        "masked on stdout"
    );
    assert!(masked.stdout_text().contains("input  = \"***\""));
}

#[test]
#[cfg_attr(
    not(has_terraform),
    ignore = "terraform is not on PATH: its errors cannot be checked"
)]
fn what_terraform_cannot_show_is_a_one_line_error_with_its_reasons() {
    let (dir, _) = planned(
        r#"resource "terraform_data" "a" {}"#,
        r#"resource "terraform_data" "a" {}"#,
    );
    let dir = dir.path();
    std::fs::write(dir.join("garbage"), "not a plan\n").expect("garbage");
    let ran = tfnotify(dir).args(["plan", "--plan-file", "garbage"]).run();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert!(ran.stdout.is_empty(), "nothing was shown");
    assert!(
        ran.stderr.starts_with(
            "tfnotify: error: `terraform show -json garbage` exited with 1:\n  Error: Failed to read the given file as a state or plan file\n"
        ),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("\n  hint: run it in the directory the plan was made in")
    );

    let state = tfnotify(dir)
        .args(["parse", "plan", "--plan-file", "terraform.tfstate"])
        .run();
    assert_eq!(state.code, Some(1), "{}", state.stderr);
    assert_eq!(
        state.stderr.lines().next(),
        Some(
            "tfnotify: error: could not parse the `plan` output: the JSON is a state (`terraform show -json` of a state file), not a plan: it holds no planned changes"
        )
    );
}

/// A directory to put on PATH, holding executable scripts.
struct Bin {
    dir: tempfile::TempDir,
}

impl Bin {
    fn new() -> Self {
        Bin {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// Writes an executable `name` running `script` (sh).
    fn script(&self, name: &str, script: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{script}")).expect("script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// A stand-in for `tofu show`: OpenTofu's JSON plan for `-json`, its text otherwise.
    fn tofu(&self) -> PathBuf {
        let fixtures =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan_file/opentofu-1.9");
        self.script(
            "tofu",
            &format!(
                "[ \"$1\" = show ] || exit 64\ncase \"$2\" in -json) cat '{0}/show.json' ;; *) cat '{0}/show.txt' ;; esac\n",
                fixtures.display()
            ),
        )
    }

    /// `sh` and `cat` stay reachable for the scripts, and nothing else is on PATH.
    fn path(&self) -> OsArg {
        let mut path = OsArg::from(self.dir.path());
        path.push(":/bin:/usr/bin");
        path
    }
}

/// A test run with only `bin` on PATH (and the shell's directories), in a directory with
/// a plan file whose content the scripts never read.
fn with_path(bin: &Bin, dir: &Path) -> Test {
    std::fs::write(dir.join("tfplan"), "PK").expect("plan file");
    Test::new().dir(dir).env("PATH", bin.path())
}

#[test]
fn an_opentofu_plan_is_shown_by_tofu_and_messages_say_opentofu() {
    let bin = Bin::new();
    bin.tofu();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("message.md");
    let ran = with_path(&bin, dir.path())
        .args([
            OsArg::from("plan"),
            "--plan-file".into(),
            "tfplan".into(),
            "--output".into(),
            out.clone().into_os_string(),
        ])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout_text()
            .starts_with("Note: Objects have changed outside of OpenTofu")
    );
    let message = std::fs::read_to_string(&out).expect("message");
    assert!(
        message.contains("Objects changed outside of OpenTofu (1)"),
        "{message}"
    );
    let parsed = parsed(
        &with_path(&bin, dir.path())
            .args(["parse", "plan", "--plan-file", "tfplan"])
            .run(),
    );
    assert_eq!(parsed["tool"], "opentofu");
    assert_eq!(parsed["counts"]["add"], 1);
    assert_eq!(parsed["counts"]["change"], 1);
    assert_eq!(parsed["drift"][0]["address"], "aws_instance.web");
}

#[test]
fn tofu_reads_the_plan_terraform_refuses() {
    let bin = Bin::new();
    bin.tofu();
    // Terraform's own refusal, as `internal/plans/planfile/tfplan.go` words it.
    bin.script(
        "terraform",
        "printf '\\nError: Failed to read plan from plan file\\n\\nCannot read the plan from the given plan file: plan file was created by Terraform 1.9.0, but this is 1.11.4; plan files cannot be transferred between different Terraform versions.\\n' >&2\nexit 1\n",
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let parsed = parsed(
        &with_path(&bin, dir.path())
            .args(["parse", "plan", "--plan-file", "tfplan"])
            .run(),
    );
    assert_eq!(parsed["tool"], "opentofu");

    // Named, the program is never swapped: Terraform's refusal is the error.
    let terraform = bin.dir.path().join("terraform");
    let named = with_path(&bin, dir.path())
        .env("TFNOTIFY_TERRAFORM_BIN", terraform.clone())
        .args(["plan", "--plan-file", "tfplan"])
        .run();
    assert_eq!(named.code, Some(1), "{}", named.stderr);
    assert_eq!(
        named.stderr.lines().next(),
        Some(
            format!(
                "tfnotify: error: `{} show -json tfplan` exited with 1:",
                terraform.display()
            )
            .as_str()
        )
    );
    assert!(
        named.stderr.contains(
            "  hint: show it with the Terraform version that wrote it (`--terraform-bin PATH`), or with `--terraform-bin tofu` if OpenTofu wrote it"
        ),
        "{}",
        named.stderr
    );
}

#[test]
fn the_program_comes_from_the_flag_or_the_environment() {
    let bin = Bin::new();
    let tofu = bin.tofu();
    let renamed = bin.dir.path().join("my-tofu");
    std::fs::rename(&tofu, &renamed).expect("rename");
    let dir = tempfile::tempdir().expect("tempdir");
    let none = with_path(&bin, dir.path())
        .args(["plan", "--plan-file", "tfplan"])
        .run();
    assert_eq!(none.code, Some(127), "{}", none.stderr);
    assert_eq!(
        none.stderr,
        "tfnotify: error: neither `terraform` nor `tofu` was found on PATH, so the plan file cannot be shown\n  hint: install Terraform or OpenTofu, or name the program with `--terraform-bin PATH` (`TFNOTIFY_TERRAFORM_BIN`)\n"
    );
    let flag = with_path(&bin, dir.path())
        .args([
            OsArg::from("parse"),
            "plan".into(),
            "--plan-file".into(),
            "tfplan".into(),
            "--terraform-bin".into(),
            renamed.clone().into(),
        ])
        .run();
    assert_eq!(parsed(&flag)["counts"]["add"], 1);
    let env = with_path(&bin, dir.path())
        .env("TFNOTIFY_TERRAFORM_BIN", renamed)
        .args(["render", "plan", "--plan-file", "tfplan"])
        .run();
    assert_eq!(env.code, Some(0), "{}", env.stderr);
    assert!(env.stdout_text().contains("aws_sqs_queue.events"));

    let missing = with_path(&bin, dir.path())
        .args([
            "plan",
            "--plan-file",
            "tfplan",
            "--terraform-bin",
            "/nonexistent/terraform",
        ])
        .run();
    assert_eq!(missing.code, Some(127), "{}", missing.stderr);
    assert!(
        missing
            .stderr
            .starts_with("tfnotify: error: could not run `/nonexistent/terraform`: ")
    );
}

#[test]
fn plan_file_misuse_is_refused_with_the_fix() {
    let bin = Bin::new();
    bin.tofu();
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = Test::new()
        .dir(dir.path())
        .env("PATH", bin.path())
        .args(["plan", "--plan-file", "nope"])
        .run();
    assert_eq!(missing.code, Some(2));
    assert_eq!(
        missing.stderr,
        "tfnotify: error: the plan file `nope` does not exist\n  hint: write it first with `terraform plan -out=FILE` (in CI, download the plan job's artifact into this directory)\n"
    );

    let piped = with_path(&bin, dir.path())
        .args(["plan", "--plan-file", "tfplan"])
        .stdin("Plan: 1 to add, 0 to change, 0 to destroy.\n")
        .run();
    assert_eq!(piped.code, Some(2), "{}", piped.stderr);
    assert!(piped.stdout.is_empty());
    assert!(piped.stderr.starts_with(
        "tfnotify: error: `--plan-file` shows the plan itself, and Terraform's output was piped in as well\n"
    ));

    let apply = with_path(&bin, dir.path())
        .args(["apply", "--plan-file", "tfplan"])
        .run();
    assert_eq!(apply.code, Some(2));
    assert!(apply.stderr.starts_with(
        "tfnotify: error: `--plan-file` works with `tfnotify plan` only, not with `tfnotify apply`\n  hint: show the plan with `tfnotify plan --plan-file FILE`; apply it with `tfnotify apply -- terraform apply FILE`\n"
    ), "{}", apply.stderr);

    let parse_apply = with_path(&bin, dir.path())
        .args(["parse", "apply", "--plan-file", "tfplan"])
        .run();
    assert_eq!(parse_apply.code, Some(2));
    assert_eq!(
        parse_apply.stderr.lines().next(),
        Some(
            "tfnotify: error: `--plan-file` works with `tfnotify parse plan` only, not with `tfnotify parse apply`"
        )
    );

    let wrapped = with_path(&bin, dir.path())
        .args(["plan", "--plan-file", "tfplan", "--", "terraform", "plan"])
        .run();
    assert_eq!(wrapped.code, Some(2));
    assert!(wrapped.stderr.starts_with(
        "error: the argument '--plan-file <FILE>' cannot be used with '[PROGRAM]...'"
    ));
}

#[test]
fn a_saved_plan_goes_to_the_step_summary_the_guard_and_a_webhook() {
    let fake = common::fake_webhooks::FakeWebhooks::start();
    let bin = Bin::new();
    bin.tofu();
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("step_summary.md");
    let ran = with_path(&bin, dir.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REPOSITORY", "acme/infra")
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_REF", "refs/heads/main")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .env("GITHUB_RUN_ID", "42")
        .env("GITHUB_STEP_SUMMARY", summary.clone())
        .env("TFNOTIFY_WEBHOOK_URL", fake.webhook_url())
        .args([
            "plan",
            "--quiet",
            "--plan-file",
            "tfplan",
            "--protect",
            "aws_instance.*",
            "--fail-on-protected",
        ])
        .run();
    // The plan only updates the protected instance, so the guard lets it pass.
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let written = std::fs::read_to_string(&summary).expect("step summary");
    assert!(
        written.contains("Objects changed outside of OpenTofu"),
        "{written}"
    );
    let messages = fake.messages();
    assert_eq!(messages.len(), 1, "{}", ran.stderr);
    assert_eq!(messages[0]["report"]["tool"], "opentofu", "{}", messages[0]);
}

#[test]
#[cfg_attr(
    not(has_terraform),
    ignore = "terraform is not on PATH: the guard cannot be checked on a saved plan"
)]
fn a_saved_plan_that_destroys_a_protected_resource_exits_4() {
    let (dir, _) = planned(r#"resource "terraform_data" "db" { input = "d" }"#, "");
    let ran = tfnotify(dir.path())
        .args([
            "plan",
            "--plan-file",
            "tfplan",
            "--protect",
            "terraform_data.db",
            "--fail-on-protected",
        ])
        .run();
    assert_eq!(ran.code, Some(4), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("destroys or replaces protected resources (`terraform_data.db`)"),
        "{}",
        ran.stderr
    );
}

#[test]
fn a_state_given_as_a_json_plan_is_refused() {
    let state = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plan_file/terraform-1.11/state.json");
    let ran = Test::new()
        .args([
            OsArg::from("parse"),
            "plan".into(),
            "--plan-json".into(),
            state.into(),
        ])
        .run();
    assert_eq!(ran.code, Some(1), "{}", ran.stderr);
    assert_eq!(
        ran.stderr,
        "tfnotify: error: could not parse the `plan` output: the JSON is a state (`terraform show -json` of a state file), not a plan: it holds no planned changes\n  hint: give the plan file written by `terraform plan -out=FILE`, or the JSON of `terraform show -json FILE` for that file\n"
    );
}
