//! Protected resources: destroys of what a platform team declared precious, made impossible
//! to miss.
//!
//! The guard runs between parsing and rendering. It looks only at the addresses the parser
//! placed in the report's structure (`resources`), never at free text, because Terraform's
//! output quotes user data that can imitate any line. What it finds goes into
//! [`Report::protected`], so every later stage (banners, labels, `when:`, the summary and the
//! exit code) reads the same decision.

mod pattern;

use crate::model::{Command, ProtectedChange, Report};

pub use pattern::Pattern;

/// The exit code of a plan that destroys a protected resource when the guard is set to fail.
pub const EXIT_PROTECTED: i32 = 4;

/// The protected patterns of one run and whether a protected destroy fails it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    patterns: Vec<Pattern>,
    fail: bool,
}

impl Guard {
    /// A guard over `patterns`; `fail` turns a protected destroy in a plan into exit 4.
    pub fn new(patterns: Vec<Pattern>, fail: bool) -> Guard {
        Guard { patterns, fail }
    }

    /// Whether any resource is protected at all.
    pub fn is_active(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// Records in `report` every destroy or replacement of a protected address, once per
    /// address and action.
    pub fn mark(&self, report: &mut Report) {
        let mut found: Vec<ProtectedChange> = Vec::new();
        for change in report.resources.iter().filter(|r| r.is_destructive()) {
            let protected = self.patterns.iter().any(|p| p.matches(&change.address));
            let seen = found
                .iter()
                .any(|f| *f.address == *change.address && f.action == change.action);
            if protected && !seen {
                found.push(ProtectedChange {
                    address: change.address.to_string(),
                    action: change.action,
                });
            }
        }
        report.protected = found;
    }

    /// Whether this report must stop the pipeline: a plan (not an apply, whose destroys
    /// have already happened) that destroys something protected, with `fail` set.
    pub fn stops(&self, report: &Report) -> bool {
        self.fail && report.command == Command::Plan && !report.protected.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::{Guard, Pattern};
    use crate::model::{Action, Command, ProtectedChange, Report, ResourceChange};

    fn guard(patterns: &[&str], fail: bool) -> Guard {
        let patterns = patterns
            .iter()
            .map(|p| Pattern::new(p).expect("valid"))
            .collect();
        Guard::new(patterns, fail)
    }

    fn report(command: Command, changes: &[(&str, Action)]) -> Report {
        let mut report = Report::new(command);
        report.resources = std::sync::Arc::new(
            changes
                .iter()
                .map(|(address, action)| ResourceChange::new(*address, *action))
                .collect(),
        );
        report
    }

    #[test]
    fn only_destroys_and_replacements_of_protected_addresses_count() {
        let mut report = report(
            Command::Plan,
            &[
                ("module.db.aws_db_instance.main", Action::Replace),
                ("module.db.aws_db_parameter_group.p", Action::Update),
                ("module.db.aws_db_subnet_group.s", Action::Create),
                ("aws_s3_bucket.logs", Action::Delete),
                ("aws_db_instance.legacy", Action::Delete),
                ("aws_db_instance.legacy", Action::Delete),
            ],
        );
        guard(&["module.db.*", "aws_db_instance.*"], false).mark(&mut report);
        assert_eq!(
            report.protected,
            vec![
                ProtectedChange {
                    address: "module.db.aws_db_instance.main".into(),
                    action: Action::Replace,
                },
                ProtectedChange {
                    address: "aws_db_instance.legacy".into(),
                    action: Action::Delete,
                },
            ]
        );
    }

    #[test]
    fn only_a_plan_with_fail_set_stops() {
        let changes = [("aws_db_instance.main", Action::Delete)];
        for (command, fail, expected) in [
            (Command::Plan, true, true),
            (Command::Plan, false, false),
            (Command::Apply, true, false),
            (Command::Destroy, true, false),
        ] {
            let mut report = report(command, &changes);
            let guard = guard(&["aws_db_instance.*"], fail);
            guard.mark(&mut report);
            assert_eq!(guard.stops(&report), expected, "{command:?} fail={fail}");
        }
        let mut untouched = report(Command::Plan, &[("aws_s3_bucket.b", Action::Delete)]);
        let guard = guard(&["aws_db_instance.*"], true);
        guard.mark(&mut untouched);
        assert!(untouched.protected.is_empty());
        assert!(!guard.stops(&untouched));
    }
}
