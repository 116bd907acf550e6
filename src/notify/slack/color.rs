//! The colour of the bar Slack (and Mattermost) draws beside a message's attachment, so the
//! outcome is seen at a glance in a busy channel before a word is read.
//!
//! Only attachments get a bar; blocks alone cannot be coloured. The colours follow the
//! labels tfcmt puts on pull requests, so a team sees the same colour in both places.

use crate::model::{Outcome, Report};

/// A run that failed: Terraform errored, the apply stopped, or the text was not a result.
pub(crate) const FAILURE: &str = "#cb2431";

/// A run that destroys (a plan) or destroyed (an apply) resources: tfcmt's `destroy` label.
pub(crate) const DESTROY: &str = "#d93f0b";

/// A plan with changes and no destroy: tfcmt's `add-or-update` label.
pub(crate) const CHANGES: &str = "#1d76db";

/// Nothing to do, or done well: no changes, applied, formatted, valid.
pub(crate) const SUCCESS: &str = "#2eb67d";

/// The bar's colour for `report`, as `#RRGGBB`.
///
/// A failure is red even when something was destroyed: the failed run is what needs a
/// person now, and the message's headline and emoji say "failed" too. Otherwise a destroy
/// outranks every other change, because a destroy that slips through review is an outage.
pub(crate) fn for_report(report: &Report) -> &'static str {
    if !report.outcome.is_success() {
        FAILURE
    } else if report.has_destroy {
        DESTROY
    } else if report.outcome == Outcome::Changes {
        CHANGES
    } else {
        SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::{CHANGES, DESTROY, FAILURE, SUCCESS, for_report};
    use crate::model::{Command, Outcome, Report};

    #[track_caller]
    fn case(command: Command, outcome: Outcome, has_destroy: bool, expected: &str) {
        let mut report = Report::new(command);
        report.outcome = outcome;
        report.has_destroy = has_destroy;
        assert_eq!(
            for_report(&report),
            expected,
            "{outcome:?}, destroy {has_destroy}"
        );
    }

    #[test]
    fn each_outcome_has_its_colour() {
        case(Command::Plan, Outcome::Changes, true, DESTROY);
        case(Command::Apply, Outcome::Applied, true, DESTROY);
        case(Command::Plan, Outcome::Changes, false, CHANGES);
        case(Command::Plan, Outcome::NoChanges, false, SUCCESS);
        case(Command::Apply, Outcome::Applied, false, SUCCESS);
        case(Command::Fmt, Outcome::Formatted, false, SUCCESS);
        case(Command::Validate, Outcome::Valid, false, SUCCESS);
        case(Command::Plan, Outcome::Error, false, FAILURE);
        case(Command::Apply, Outcome::ApplyFailed, false, FAILURE);
        case(Command::Fmt, Outcome::Unformatted, false, FAILURE);
        case(Command::Validate, Outcome::Invalid, false, FAILURE);
        case(Command::Plan, Outcome::Unparsed, false, FAILURE);
    }

    #[test]
    fn a_failure_that_destroyed_is_still_a_failure() {
        case(Command::Apply, Outcome::ApplyFailed, true, FAILURE);
    }

    #[test]
    fn colours_are_hex_as_slack_wants_them() {
        for color in [FAILURE, DESTROY, CHANGES, SUCCESS] {
            assert_eq!(color.len(), 7, "{color}");
            assert!(color.starts_with('#'), "{color}");
            assert!(color[1..].chars().all(|c| c.is_ascii_hexdigit()), "{color}");
        }
    }
}
