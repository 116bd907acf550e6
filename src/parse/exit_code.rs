//! Holding the text against the wrapped program's exit code.
//!
//! In wrapper mode Terraform's exit code is known, and it is structure: no message a module
//! author writes can change it. Where the text reads otherwise, the exit code wins and the
//! report says so. Only the directions that cannot be a script's doing are trusted: a
//! failing exit code always means a failure, and a success is believed over the text only
//! from Terraform itself (a wrapper script may end in `|| true`).

use std::ffi::OsString;
use std::path::Path;

use crate::model::{Command, Outcome, Report};

/// Corrects `report` where `code`, the exit code of `program`, contradicts its outcome.
pub fn check_exit_code(report: &mut Report, code: i32, program: &[OsString]) {
    let direct = program.first().is_some_and(is_terraform);
    let detailed = program
        .iter()
        .any(|a| a == "-detailed-exitcode" || a == "--detailed-exitcode");
    let before = report.outcome;
    let after = match (report.command, before) {
        (Command::Plan, Outcome::Error | Outcome::NoChanges) if code == 2 => Outcome::Changes,
        (Command::Plan, Outcome::Error) if code == 0 && direct => {
            if report.counts.is_zero() || detailed {
                Outcome::NoChanges
            } else {
                Outcome::Changes
            }
        }
        (Command::Plan, Outcome::Changes | Outcome::NoChanges) if code != 0 && code != 2 => {
            Outcome::Error
        }
        (Command::Apply | Command::Destroy, Outcome::ApplyFailed) if code == 0 && direct => {
            Outcome::Applied
        }
        (Command::Apply | Command::Destroy, Outcome::Applied) if code != 0 => Outcome::ApplyFailed,
        (Command::Validate, Outcome::Invalid) if code == 0 && direct => Outcome::Valid,
        (Command::Validate, Outcome::Valid) if code != 0 => Outcome::Invalid,
        _ => return,
    };
    // A plan that exited 0 with -detailed-exitcode had nothing to do, whatever it listed.
    if after == Outcome::NoChanges && !report.counts.is_zero() {
        return;
    }
    report.outcome = after;
    if after.is_success() {
        report.errors.clear();
        report.result = None;
    } else if report.errors.is_empty() {
        report.result = Some(format!(
            "{} exited with code {code}",
            report.tool.display_name()
        ));
    }
    report.notices.push(format!(
        "the output reads as `{}`, but {} exited with code {code}: the run is reported as `{}`",
        before.as_str(),
        report.tool.display_name(),
        after.as_str()
    ));
}

/// Whether the wrapped program is Terraform (or OpenTofu, or Terragrunt around either),
/// whose exit codes mean what their documentation says.
fn is_terraform(program: &OsString) -> bool {
    let name = Path::new(program)
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".exe").unwrap_or(&name);
    ["terraform", "tofu", "terragrunt"].contains(&name)
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::check_exit_code;
    use crate::model::{Command, Counts, Diagnostic, Outcome, Report};

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn failed_plan() -> Report {
        let mut report = Report::new(Command::Plan);
        report.outcome = Outcome::Error;
        report.result = Some("Error: Provider produced inconsistent final plan".to_owned());
        report.errors.push(Diagnostic {
            summary: "Provider produced inconsistent final plan".to_owned(),
            detail: String::new(),
            address: None,
            module_dir: None,
        });
        report.counts = Counts {
            change: 1,
            destroy: 1,
            ..Counts::default()
        };
        report
    }

    #[test]
    fn a_plan_that_exited_2_has_changes_whatever_the_text_says() {
        let mut report = failed_plan();
        check_exit_code(
            &mut report,
            2,
            &args(&["terraform", "plan", "-detailed-exitcode"]),
        );
        assert_eq!(report.outcome, Outcome::Changes);
        assert!(report.errors.is_empty());
        assert_eq!(report.notices.len(), 1, "{:?}", report.notices);
    }

    #[test]
    fn a_failing_exit_code_is_a_failure_from_any_program() {
        let mut report = Report::new(Command::Apply);
        report.outcome = Outcome::Applied;
        check_exit_code(&mut report, 1, &args(&["./apply.sh"]));
        assert_eq!(report.outcome, Outcome::ApplyFailed);
        assert_eq!(
            report.result.as_deref(),
            Some("Terraform exited with code 1")
        );
    }

    #[test]
    fn success_is_believed_over_the_text_only_from_terraform_itself() {
        let mut report = Report::new(Command::Apply);
        report.outcome = Outcome::ApplyFailed;
        check_exit_code(
            &mut report,
            0,
            &args(&["sh", "-c", "terraform apply || true"]),
        );
        assert_eq!(report.outcome, Outcome::ApplyFailed);
        check_exit_code(&mut report, 0, &args(&["/usr/bin/terraform", "apply"]));
        assert_eq!(report.outcome, Outcome::Applied);
    }

    #[test]
    fn agreeing_codes_change_nothing() {
        let mut report = failed_plan();
        check_exit_code(&mut report, 1, &args(&["terraform", "plan"]));
        assert_eq!(report.outcome, Outcome::Error);
        assert!(report.notices.is_empty());
    }
}
