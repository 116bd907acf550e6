//! Result labels on the merge request, as GitHub gets them (`github::labels` decides which
//! label a result earns and which of ours are wrong), set the GitLab way.
//!
//! The merge request answers with label names only, so the colour of the one label we want
//! is read from the project. A missing label is created with its colour before it is
//! added (GitLab would otherwise create it grey), a wrong colour is fixed, and the wrong
//! labels of ours go in the same call that adds the right one. Labels of anyone else are
//! never touched. Problems are returned, never raised: a label must not stop the note.
//!
//! GitLab splits every name it is sent at commas and creates what it finds, so only
//! [`LabelName`]s, which hold none, are ever sent; a label whose name would hold one is
//! skipped with a warning instead.

use crate::notify::github::labels::{Kind, Labels, Present, Wanted};
use crate::notify::gitlab::api::{Api, Label};
use crate::notify::label_name::LabelName;

/// Brings our labels on merge request `iid` in line with the result.
pub(super) fn sync(api: &Api<'_>, iid: u64, labels: &Labels, kind: Option<Kind>) -> Vec<String> {
    let mut problems: Vec<String> = labels.refusal(kind).into_iter().collect();
    if !labels.any() {
        return problems;
    }
    let on_mr = match api.merge_request(iid) {
        Ok(mr) => mr.labels,
        Err(e) => {
            problems.push(format!("could not read the labels of !{iid}: {e}"));
            return problems;
        }
    };
    // The label this result earns, whether or not it is on the merge request yet.
    let earned = labels.changes(kind, &[]).add;
    let existing = match &earned {
        Some(wanted) => match api.label(&wanted.name) {
            Ok(found) => Lookup::Found(found),
            Err(e) => {
                problems.push(format!("could not read the label `{}`: {e}", wanted.name));
                Lookup::Unknown
            }
        },
        None => Lookup::Unknown,
    };
    let present: Vec<Present> = on_mr
        .iter()
        .map(|name| Present {
            name: name.clone(),
            color: colour_of(name, earned.as_ref(), &existing),
        })
        .collect();
    let changes = labels.changes(kind, &present);
    if let (Some(wanted), Lookup::Found(found)) =
        (changes.add.as_ref().or(changes.recolor.as_ref()), &existing)
        && let Err(problem) = ensure_label(api, wanted, found.as_ref())
    {
        problems.push(problem);
    }
    let add: Vec<LabelName> = changes.add.iter().map(|w| w.name.clone()).collect();
    if (!add.is_empty() || !changes.remove.is_empty())
        && let Err(e) = api.change_labels(iid, &add, &changes.remove)
    {
        let names: Vec<String> = add
            .iter()
            .chain(&changes.remove)
            .map(|n| format!("`{n}`"))
            .collect();
        problems.push(format!(
            "could not change the labels {} of !{iid}: {e}",
            names.join(", ")
        ));
    }
    problems
}

/// What the project said about the label a result earns.
enum Lookup {
    /// The project's answer: the label, or `None` when it has no such label.
    Found(Option<Label>),
    /// Not asked, or the question failed.
    Unknown,
}

/// The colour a label on the merge request is taken to have. Only the earned label's
/// colour matters; when it could not be read it is taken to be right, so no change is
/// attempted on a guess.
fn colour_of(name: &str, earned: Option<&Wanted>, existing: &Lookup) -> String {
    let Some(wanted) = earned.filter(|w| w.name == *name) else {
        return String::new();
    };
    match existing {
        Lookup::Found(Some(label)) => label.color.trim_start_matches('#').to_owned(),
        Lookup::Found(None) | Lookup::Unknown => wanted.color.clone(),
    }
}

/// Makes the project's label `wanted` exist with its colour.
fn ensure_label(api: &Api<'_>, wanted: &Wanted, found: Option<&Label>) -> Result<(), String> {
    let colour = css_colour(&wanted.color);
    match found {
        None => api
            .create_label(&wanted.name, &colour)
            .map(|_| ())
            .or_else(|e| match e.status() {
                // Created meanwhile by a parallel job: it exists, which is what we need.
                Some(409) => Ok(()),
                _ => Err(format!("could not create the label `{}`: {e}", wanted.name)),
            }),
        Some(label) if same_colour(&label.color, &wanted.color) => Ok(()),
        Some(label) if !label.of_project => Err(format!(
            "the label `{}` is a group label coloured `{}`; only the group can change it to `{colour}`",
            wanted.name, label.color
        )),
        Some(label) => api
            .set_label_color(label.id, &colour)
            .map_err(|e| format!("could not colour the label `{}`: {e}", wanted.name)),
    }
}

/// `#rrggbb` for six hex digits; anything else (a CSS colour name) as written.
fn css_colour(colour: &str) -> String {
    if colour.len() == 6 && colour.chars().all(|c| c.is_ascii_hexdigit()) {
        format!("#{colour}")
    } else {
        colour.to_owned()
    }
}

fn same_colour(theirs: &str, ours: &str) -> bool {
    theirs.trim_start_matches('#').eq_ignore_ascii_case(ours)
}

#[cfg(test)]
mod tests {
    use super::{css_colour, same_colour};

    #[test]
    fn colours_are_gitlab_s_hash_form_and_compared_without_case() {
        assert_eq!(css_colour("d93f0b"), "#d93f0b");
        assert_eq!(css_colour("red"), "red");
        assert!(same_colour("#D93F0B", "d93f0b"));
        assert!(!same_colour("#000000", "d93f0b"));
    }
}
