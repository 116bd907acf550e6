//! The `ADDRESS: Creating...` lines an apply prints while it works.
//!
//! They are the only record of what an apply of a saved plan did (no plan is shown then),
//! and the only way to tell which resource an interrupted apply was working on.

/// One step of an apply for one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    StartCreate,
    StartUpdate,
    StartDelete,
    StartImport,
    Complete(Done),
    Errored,
}

/// What a `… complete` line says was done, which is what an apply's summary line counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Done {
    Create,
    Update,
    Delete,
    Import,
}

/// Verbs after `ADDRESS: `, in the forms Terraform and OpenTofu print.
const VERBS: &[(&str, Step)] = &[
    ("Creating...", Step::StartCreate),
    ("Creation complete after", Step::Complete(Done::Create)),
    ("Creation errored after", Step::Errored),
    ("Modifying...", Step::StartUpdate),
    ("Modifications complete after", Step::Complete(Done::Update)),
    ("Modifications errored after", Step::Errored),
    ("Destroying...", Step::StartDelete),
    ("Destruction complete after", Step::Complete(Done::Delete)),
    ("Destruction errored after", Step::Errored),
    ("Importing...", Step::StartImport),
    ("Import complete", Step::Complete(Done::Import)),
];

/// A progress line split into its address, deposed key and step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Progress<'a> {
    pub(crate) address: &'a str,
    pub(crate) deposed: bool,
    pub(crate) step: Step,
}

/// Reads a progress line; `None` for anything else, refresh and read lines included.
pub(crate) fn progress(line: &str) -> Option<Progress<'_>> {
    let mut from = 0;
    while let Some(found) = line[from..].find(": ") {
        let at = from + found;
        let rest = &line[at + 2..];
        if let Some((_, step)) = VERBS.iter().find(|(verb, _)| rest.starts_with(verb)) {
            let address = &line[..at];
            let (address, deposed) = match address.rsplit_once(" (deposed object ") {
                Some((a, _)) if address.ends_with(')') => (a, true),
                _ => (address, false),
            };
            return Some(Progress {
                address,
                deposed,
                step: *step,
            });
        }
        from = at + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Done, Step, progress};

    #[test]
    fn apply_progress_lines() {
        let p = progress("terraform_data.a[\"k: v\"]: Creating...").expect("progress");
        assert_eq!(
            (p.address, p.step),
            ("terraform_data.a[\"k: v\"]", Step::StartCreate)
        );
        let p = progress("terraform_data.s (deposed object dd93218e): Destroying... [id=8c]")
            .expect("progress");
        assert_eq!(
            (p.address, p.deposed, p.step),
            ("terraform_data.s", true, Step::StartDelete)
        );
        let p = progress("module.m.terraform_data.b: Modifications complete after 1s [id=x]")
            .expect("progress");
        assert_eq!(p.step, Step::Complete(Done::Update));
    }

    #[test]
    fn other_lines_are_not_progress() {
        assert_eq!(
            progress("terraform_data.a: Refreshing state... [id=1]"),
            None
        );
        assert_eq!(
            progress("terraform_data.a: Still creating... [10s elapsed]"),
            None
        );
        assert_eq!(
            progress("terraform_data.a (local-exec): Executing: [\"/bin/sh\"]"),
            None
        );
        assert_eq!(progress("Error: bad"), None);
    }
}
