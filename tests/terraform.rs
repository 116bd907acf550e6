//! End to end with the real `terraform` binary. When it is not on PATH the test is reported
//! as ignored with that reason (see build.rs), never as passed.

mod common;

use std::path::Path;
use std::process::Command;

use common::run::Test;
use common::terraform::terraform;

const CONFIG: &str = r#"
resource "terraform_data" "keep" {
  input = "kept"
}

resource "terraform_data" "web" {
  count = 2
  input = "web-${count.index}"
}

output "web_ids" {
  value = terraform_data.web[*].id
}
"#;

fn tfnotify(dir: &Path) -> Test {
    Test::new()
        .dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", dir.join("empty.tfrc"))
}

#[test]
#[cfg_attr(
    not(has_terraform),
    ignore = "terraform is not on PATH: the end-to-end test cannot run"
)]
fn wraps_real_terraform_plan_and_apply() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), CONFIG).expect("config");
    std::fs::write(dir.path().join("empty.tfrc"), "").expect("cli config");
    terraform(dir.path(), &["init", "-input=false", "-no-color"]);

    let plan = tfnotify(dir.path())
        .args([
            "plan",
            "--",
            "terraform",
            "plan",
            "-input=false",
            "-detailed-exitcode",
        ])
        .run();
    assert_eq!(
        plan.code,
        Some(2),
        "-detailed-exitcode's 2 comes through: {}",
        plan.stderr
    );
    assert!(
        plan.stdout_text().contains("\x1b[1mPlan:\x1b[0m 3 to add"),
        "colours pass through"
    );
    assert!(
        plan.stderr
            .contains("Plan: 3 to add, 0 to change, 0 to destroy.")
    );
    assert!(
        plan.stderr.contains("tfnotify plan: Changes to apply"),
        "{}",
        plan.stderr
    );
    assert!(plan.stderr.contains("terraform_data.web[1]"));

    let apply = tfnotify(dir.path())
        .args([
            "apply",
            "--",
            "terraform",
            "apply",
            "-input=false",
            "-auto-approve",
            "-no-color",
        ])
        .run();
    assert_eq!(apply.code, Some(0), "{}", apply.stderr);
    assert!(apply.stderr.contains("Apply succeeded"), "{}", apply.stderr);

    std::fs::write(
        dir.path().join("main.tf"),
        CONFIG.replace("count = 2", "count = 1"),
    )
    .expect("config");
    let shrink = tfnotify(dir.path())
        .args([
            "plan",
            "--",
            "terraform",
            "plan",
            "-input=false",
            "-detailed-exitcode",
        ])
        .run();
    assert_eq!(shrink.code, Some(2));
    assert!(
        shrink.stderr.contains("!! 1 resource will be destroyed !!"),
        "{}",
        shrink.stderr
    );
    assert!(
        shrink
            .stderr
            .contains("because index [1] is out of range for count")
    );

    let piped = Command::new("terraform")
        .args(["plan", "-input=false", "-no-color"])
        .current_dir(dir.path())
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", dir.path().join("empty.tfrc"))
        .output()
        .expect("terraform plan");
    let classic = tfnotify(dir.path())
        .args(["plan"])
        .stdin(piped.stdout.clone())
        .run();
    assert_eq!(classic.code, Some(0));
    assert!(classic.stdout == piped.stdout);
}
