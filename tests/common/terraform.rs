//! The real `terraform` binary, run the way the end-to-end suites need it: no update
//! checks, an empty CLI config (no provider mirrors or credentials of the machine), and no
//! automation mode, so its output reads as a person at a terminal would see it.

use std::path::Path;
use std::process::{Command, Output};

/// `terraform ARGS` in `dir`, which holds an `empty.tfrc`; fails the test when it fails.
pub fn terraform(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", dir.join("empty.tfrc"))
        .env_remove("TF_IN_AUTOMATION")
        .output()
        .expect("run terraform");
    assert!(
        output.status.success(),
        "terraform {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
