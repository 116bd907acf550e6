//! The one-line summaries Terraform prints: `Plan: …`, `Apply complete! …`, `Destroy complete! …`.
//!
//! Each is a comma-separated list of `N word` items whose set grew over the years (import in
//! 1.5, forget in OpenTofu, more to come), so unknown items are skipped rather than refused.

use crate::model::Counts;

/// Counts from a `Plan: 1 to import, 2 to add, 0 to change, 1 to destroy.` line.
pub(crate) fn plan_counts(line: &str) -> Option<Counts> {
    let rest = line.strip_prefix("Plan: ")?;
    let mut counts = Counts::default();
    let mut any = false;
    for item in rest.trim_end_matches('.').split(", ") {
        let Some((n, word)) = item.split_once(" to ") else {
            continue;
        };
        let Ok(n) = n.trim().parse::<u64>() else {
            continue;
        };
        any = true;
        match word.trim() {
            "add" => counts.add = n,
            "change" => counts.change = n,
            "destroy" => counts.destroy = n,
            "import" => counts.import = n,
            "forget" => counts.forget = n,
            _ => {}
        }
    }
    any.then_some(counts)
}

/// Counts from `Apply complete! Resources: …` or `Destroy complete! Resources: …`.
pub(crate) fn apply_counts(line: &str) -> Option<Counts> {
    let rest = line
        .strip_prefix("Apply complete! Resources: ")
        .or_else(|| line.strip_prefix("Destroy complete! Resources: "))?;
    let mut counts = Counts::default();
    for item in rest.trim_end_matches('.').split(", ") {
        let Some((n, word)) = item.trim().split_once(' ') else {
            continue;
        };
        let Ok(n) = n.parse::<u64>() else {
            continue;
        };
        match word {
            "added" => counts.add = n,
            "changed" => counts.change = n,
            "destroyed" => counts.destroy = n,
            "imported" => counts.import = n,
            "forgotten" => counts.forget = n,
            _ => {}
        }
    }
    Some(counts)
}

/// A summary line said again with `counts`, in Terraform's words, for a summary line whose
/// numbers were not the ones Terraform counted; `None` when `line` is no summary line.
pub(crate) fn restate(line: &str, counts: Counts) -> Option<String> {
    let Counts {
        add,
        change,
        destroy,
        import,
        forget,
    } = counts;
    if line.starts_with("Plan: ") {
        let mut items = Vec::new();
        if import > 0 {
            items.push(format!("{import} to import"));
        }
        items.push(format!(
            "{add} to add, {change} to change, {destroy} to destroy"
        ));
        if forget > 0 {
            items.push(format!("{forget} to forget"));
        }
        return Some(format!("Plan: {}.", items.join(", ")));
    }
    let head = ["Apply complete!", "Destroy complete!"]
        .into_iter()
        .find(|head| line.starts_with(head))?;
    let mut items = Vec::new();
    if import > 0 {
        items.push(format!("{import} imported"));
    }
    items.push(format!(
        "{add} added, {change} changed, {destroy} destroyed"
    ));
    if forget > 0 {
        items.push(format!("{forget} forgotten"));
    }
    Some(format!("{head} Resources: {}.", items.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::{apply_counts, plan_counts, restate};
    use crate::model::Counts;

    #[track_caller]
    fn counts(add: u64, change: u64, destroy: u64, import: u64, forget: u64) -> Counts {
        Counts {
            add,
            change,
            destroy,
            import,
            forget,
        }
    }

    #[test]
    fn plan_lines_of_every_generation() {
        let cases = [
            (
                "Plan: 2 to add, 1 to change, 2 to destroy.",
                counts(2, 1, 2, 0, 0),
            ),
            (
                "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.",
                counts(0, 0, 0, 1, 0),
            ),
            (
                "Plan: 0 to add, 0 to change, 0 to destroy, 1 to forget.",
                counts(0, 0, 0, 0, 1),
            ),
            (
                "Plan: 1 to add, 0 to change, 0 to destroy, 2 to invoke.",
                counts(1, 0, 0, 0, 0),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(plan_counts(line), Some(expected), "{line}");
        }
        assert_eq!(plan_counts("Plan: nothing"), None);
        assert_eq!(plan_counts("Planning failed."), None);
    }

    #[test]
    fn apply_and_destroy_lines() {
        assert_eq!(
            apply_counts("Apply complete! Resources: 1 imported, 2 added, 0 changed, 1 destroyed."),
            Some(counts(2, 0, 1, 1, 0))
        );
        assert_eq!(
            apply_counts(
                "Apply complete! Resources: 0 added, 0 changed, 0 destroyed, 1 forgotten."
            ),
            Some(counts(0, 0, 0, 0, 1))
        );
        assert_eq!(
            apply_counts("Destroy complete! Resources: 4 destroyed."),
            Some(counts(0, 0, 4, 0, 0))
        );
    }

    #[test]
    fn summary_lines_are_said_again_with_other_numbers() {
        assert_eq!(
            restate(
                "Plan: 0 to add, 0 to change, 0 to destroy.",
                counts(1, 1, 1, 0, 0)
            )
            .as_deref(),
            Some("Plan: 1 to add, 1 to change, 1 to destroy.")
        );
        assert_eq!(
            restate(
                "Apply complete! Resources: 0 added, 0 changed, 0 destroyed.",
                counts(0, 0, 2, 1, 0)
            )
            .as_deref(),
            Some("Apply complete! Resources: 1 imported, 0 added, 0 changed, 2 destroyed.")
        );
        assert_eq!(restate("Error: x", counts(0, 0, 0, 0, 0)), None);
    }
}
