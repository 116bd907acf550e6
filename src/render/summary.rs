//! The shape of a summary, before it is written in any particular notation.
//!
//! Destructive changes are what a reviewer must not miss, so the view computes them once
//! (how many objects go away, how many by replacement) and every format leads with them.

use std::fmt::Write as _;

use crate::model::{Action, Command, Outcome, Report, ResourceChange};

/// The kinds of resource list a summary shows, in the order it shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    Create,
    Update,
    Replace,
    Destroy,
    Import,
    Move,
    Forget,
    Read,
}

impl GroupKind {
    /// Every kind, in display order.
    pub const ALL: [GroupKind; 8] = [
        GroupKind::Create,
        GroupKind::Update,
        GroupKind::Replace,
        GroupKind::Destroy,
        GroupKind::Import,
        GroupKind::Move,
        GroupKind::Forget,
        GroupKind::Read,
    ];

    /// The heading word.
    pub fn label(self) -> &'static str {
        match self {
            GroupKind::Create => "create",
            GroupKind::Update => "update",
            GroupKind::Replace => "replace",
            GroupKind::Destroy => "destroy",
            GroupKind::Import => "import",
            GroupKind::Move => "move",
            GroupKind::Forget => "forget",
            GroupKind::Read => "read",
        }
    }

    /// Terraform's own symbol for the action, so the summary reads like the plan.
    pub fn symbol(self) -> &'static str {
        match self {
            GroupKind::Create => "+",
            GroupKind::Update => "~",
            GroupKind::Replace => "-/+",
            GroupKind::Destroy => "-",
            GroupKind::Import => "<-",
            GroupKind::Move => "->",
            GroupKind::Forget => ".",
            GroupKind::Read => "<=",
        }
    }

    /// Whether the group removes objects: never folded, and listed at length.
    pub fn is_destructive(self) -> bool {
        matches!(self, GroupKind::Replace | GroupKind::Destroy)
    }

    fn contains(self, r: &ResourceChange) -> bool {
        match self {
            GroupKind::Create => r.action == Action::Create,
            GroupKind::Update => r.action == Action::Update,
            GroupKind::Replace => r.action == Action::Replace,
            GroupKind::Destroy => r.action == Action::Delete,
            GroupKind::Import => r.imported,
            GroupKind::Move => r.moved_from().is_some(),
            GroupKind::Forget => r.action == Action::Forget,
            GroupKind::Read => r.action == Action::Read,
        }
    }
}

/// One resource list of the summary.
#[derive(Debug)]
pub struct Group<'a> {
    pub kind: GroupKind,
    pub resources: Vec<&'a ResourceChange>,
}

/// What a summary says, computed once from a report.
#[derive(Debug)]
pub struct Summary<'a> {
    pub report: &'a Report,
    pub groups: Vec<Group<'a>>,
    /// Objects that a plan destroys, outright or by replacement.
    pub destroyed: u64,
    pub replaced: u64,
}

impl<'a> Summary<'a> {
    /// The view of `report`.
    pub fn new(report: &'a Report) -> Self {
        let groups: Vec<Group<'a>> = GroupKind::ALL
            .iter()
            .map(|&kind| Group {
                kind,
                resources: report
                    .resources
                    .iter()
                    .filter(|r| kind.contains(r))
                    .collect(),
            })
            .filter(|g| !g.resources.is_empty())
            .collect();
        let count = |kind: GroupKind| {
            groups
                .iter()
                .find(|g| g.kind == kind)
                .map_or(0, |g| g.resources.len() as u64)
        };
        let replaced = count(GroupKind::Replace);
        let destroyed = if report.command.is_apply_like() {
            report.counts.destroy
        } else {
            (count(GroupKind::Destroy) + replaced).max(report.counts.destroy)
        };
        Summary {
            report,
            groups,
            destroyed,
            replaced,
        }
    }

    /// A short, plain statement of the outcome.
    pub fn headline(&self) -> String {
        let tool = self.report.tool.display_name();
        let command = self.report.command;
        match self.report.outcome {
            Outcome::Changes => "Changes to apply".to_owned(),
            Outcome::NoChanges => "No changes".to_owned(),
            Outcome::Error => format!("{tool} {} failed", command.as_str()),
            Outcome::Applied if command == Command::Destroy => "Destroy succeeded".to_owned(),
            Outcome::Applied => "Apply succeeded".to_owned(),
            Outcome::ApplyFailed if command == Command::Destroy => "Destroy failed".to_owned(),
            Outcome::ApplyFailed => "Apply failed".to_owned(),
            Outcome::Formatted => "All files formatted".to_owned(),
            Outcome::Unformatted => "Files need formatting".to_owned(),
            Outcome::Valid => "Configuration is valid".to_owned(),
            Outcome::Invalid => "Configuration is invalid".to_owned(),
            Outcome::Unparsed => "Result not found in the output".to_owned(),
        }
    }

    /// The warning a reviewer must not miss, when objects are destroyed.
    pub fn destroy_warning(&self) -> Option<String> {
        if self.destroyed == 0 {
            return None;
        }
        let noun = if self.destroyed == 1 {
            "resource"
        } else {
            "resources"
        };
        // An apply's counts are what its progress lines say was finished, even when it
        // failed later: those objects are gone.
        let done = match (self.report.command.is_apply_like(), self.destroyed == 1) {
            (true, true) => "was destroyed",
            (true, false) => "were destroyed",
            (false, _) => "will be destroyed",
        };
        let mut text = format!("{} {noun} {done}", self.destroyed);
        if self.replaced > 0 {
            let _ = write!(text, " ({} by replacement)", self.replaced);
        }
        Some(text)
    }

    /// What to say when the result line was missing, so the reader knows what to check.
    pub fn unparsed_hint(&self) -> Option<String> {
        (self.report.outcome == Outcome::Unparsed).then(|| {
            format!(
                "tfnotify found no result line of `{} {}` in the input: the output may have been cut short, or come from another command.",
                self.report.tool.display_name().to_lowercase(),
                self.report.command.as_str()
            )
        })
    }

    /// The detail shown for one resource: its move or Terraform's reason.
    pub fn note(kind: GroupKind, r: &ResourceChange) -> Option<String> {
        if kind == GroupKind::Move {
            r.moved_from().map(|from| format!("from {from}"))
        } else {
            let mut note = r.reason().map(str::to_owned);
            if let Some(key) = r.deposed() {
                let deposed = format!("deposed object {key}");
                note = Some(note.map_or(deposed.clone(), |n| format!("{deposed}, {n}")));
            }
            note
        }
    }

    /// How many entries a group lists before summing up the rest.
    pub fn limit(kind: GroupKind) -> usize {
        if kind.is_destructive() { 100 } else { 25 }
    }
}

#[cfg(test)]
mod tests {
    use super::Summary;
    use crate::model::{Command, Counts, Outcome, Report};

    #[track_caller]
    fn case(command: Command, outcome: Outcome, destroy: u64, expected: Option<&str>) {
        let mut report = Report::new(command);
        report.outcome = outcome;
        report.counts = Counts {
            destroy,
            ..Counts::default()
        };
        assert_eq!(Summary::new(&report).destroy_warning().as_deref(), expected);
    }

    #[test]
    fn the_destroy_sentence_agrees_with_its_count() {
        case(Command::Apply, Outcome::Applied, 0, None);
        case(
            Command::Apply,
            Outcome::Applied,
            1,
            Some("1 resource was destroyed"),
        );
        case(
            Command::Destroy,
            Outcome::Applied,
            2,
            Some("2 resources were destroyed"),
        );
        case(
            Command::Apply,
            Outcome::ApplyFailed,
            1,
            Some("1 resource was destroyed"),
        );
        case(
            Command::Plan,
            Outcome::Changes,
            1,
            Some("1 resource will be destroyed"),
        );
    }
}
