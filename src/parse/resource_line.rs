//! The `# ADDRESS will be created` lines that open each resource in a human-readable plan,
//! and the `# (…)` notes that follow them.
//!
//! Addresses may hold spaces and quotes inside `for_each` keys, so the verb is matched at the
//! end of the line and the address is whatever precedes it.

use crate::model::Action;

/// What a resource header line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    pub(crate) address: &'a str,
    pub(crate) deposed: Option<&'a str>,
    pub(crate) kind: HeaderKind,
}

/// The kinds of header, by where the resource ends up in the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HeaderKind {
    /// A planned change, with Terraform's wording when it explains the action.
    Change {
        action: Action,
        reason: Option<&'static str>,
        imported: bool,
    },
    /// `# OLD has moved to NEW`: a move and nothing else.
    MovedTo(String),
    /// A change made outside of Terraform, from the drift section.
    Drift(Action),
}

/// Header endings, most specific first where one ends another.
const SUFFIXES: &[(&str, HeaderKind)] = &[
    (" will be created", change(Action::Create, None)),
    (" will be updated in-place", change(Action::Update, None)),
    (" will be destroyed", change(Action::Delete, None)),
    (
        " is tainted, so must be replaced",
        change(Action::Replace, Some("is tainted, so must be replaced")),
    ),
    (
        " must be replaced",
        change(Action::Replace, Some("must be replaced")),
    ),
    (
        " will be replaced, as requested",
        change(Action::Replace, Some("will be replaced, as requested")),
    ),
    (
        " will be replaced due to changes in replace_triggered_by",
        change(
            Action::Replace,
            Some("will be replaced due to changes in replace_triggered_by"),
        ),
    ),
    (
        " will be imported",
        HeaderKind::Change {
            action: Action::NoOp,
            reason: None,
            imported: true,
        },
    ),
    (" will be read during apply", change(Action::Read, None)),
    (
        " will no longer be managed by Terraform, but will not be destroyed",
        forget(),
    ),
    (
        " will no longer be managed by OpenTofu, but will not be destroyed",
        forget(),
    ),
    (
        " will be removed from the OpenTofu state but will not be destroyed",
        forget(),
    ),
    (
        " will be removed from the Terraform state but will not be destroyed",
        forget(),
    ),
    (" will be forgotten", forget()),
    (" has changed", HeaderKind::Drift(Action::Update)),
    (" has been deleted", HeaderKind::Drift(Action::Delete)),
];

const fn change(action: Action, reason: Option<&'static str>) -> HeaderKind {
    HeaderKind::Change {
        action,
        reason,
        imported: false,
    }
}

const fn forget() -> HeaderKind {
    HeaderKind::Change {
        action: Action::Forget,
        reason: None,
        imported: false,
    }
}

/// Reads a header from `text`, the part of the line after `# `.
pub(crate) fn header(text: &str) -> Option<Header<'_>> {
    if text.starts_with('(') {
        return None;
    }
    for (suffix, kind) in SUFFIXES {
        if let Some(address) = text.strip_suffix(suffix) {
            let (address, deposed) = split_deposed(address);
            return Some(Header {
                address,
                deposed,
                kind: kind.clone(),
            });
        }
    }
    let (from, to) = text.split_once(" has moved to ")?;
    Some(Header {
        address: from,
        deposed: None,
        kind: HeaderKind::MovedTo(to.to_owned()),
    })
}

/// `terraform_data.x (deposed object 1a2b3c4d)` into the address and the key.
fn split_deposed(address: &str) -> (&str, Option<&str>) {
    address
        .strip_suffix(')')
        .and_then(|a| a.rsplit_once(" (deposed object "))
        .map_or((address, None), |(a, key)| (a, Some(key)))
}

/// A `# (…)` note under a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Note<'a> {
    MovedFrom(&'a str),
    ImportedFrom,
    /// An explanation such as `because index [2] is out of range for count`.
    Reason(&'a str),
    /// Notes that explain nothing about the action (`# (3 unchanged attributes hidden)`).
    Other,
}

/// Reads a note from `text`, the part of the line after `# `.
pub(crate) fn note(text: &str) -> Option<Note<'_>> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    Some(if let Some(from) = inner.strip_prefix("moved from ") {
        Note::MovedFrom(from)
    } else if inner.starts_with("imported from ") {
        Note::ImportedFrom
    } else if inner.contains(" unchanged ") {
        Note::Other
    } else {
        Note::Reason(inner)
    })
}

#[cfg(test)]
mod tests {
    use super::{Header, HeaderKind, Note, header, note};
    use crate::model::Action;

    #[track_caller]
    fn action_of(line: &str) -> (String, Action, Option<&'static str>) {
        match header(line) {
            Some(Header {
                address,
                kind: HeaderKind::Change { action, reason, .. },
                ..
            }) => (address.to_owned(), action, reason),
            other => panic!("{line}: {other:?}"),
        }
    }

    #[test]
    fn every_change_header() {
        let cases = [
            ("terraform_data.a will be created", Action::Create, None),
            (
                "module.m.terraform_data.b[\"x y\"] will be updated in-place",
                Action::Update,
                None,
            ),
            ("terraform_data.c will be destroyed", Action::Delete, None),
            (
                "terraform_data.d must be replaced",
                Action::Replace,
                Some("must be replaced"),
            ),
            (
                "terraform_data.e is tainted, so must be replaced",
                Action::Replace,
                Some("is tainted, so must be replaced"),
            ),
            (
                "terraform_data.f will be replaced, as requested",
                Action::Replace,
                Some("will be replaced, as requested"),
            ),
            (
                "data.terraform_remote_state.g will be read during apply",
                Action::Read,
                None,
            ),
            (
                "terraform_data.h will no longer be managed by Terraform, but will not be destroyed",
                Action::Forget,
                None,
            ),
            (
                "terraform_data.i will be removed from the OpenTofu state but will not be destroyed",
                Action::Forget,
                None,
            ),
            ("terraform_data.j will be imported", Action::NoOp, None),
        ];
        for (line, action, reason) in cases {
            let (address, got_action, got_reason) = action_of(line);
            assert_eq!((got_action, got_reason), (action, reason), "{line}");
            assert!(line.starts_with(&address), "{line}");
        }
    }

    #[test]
    fn moves_drift_and_deposed() {
        assert_eq!(
            header("terraform_data.a has moved to terraform_data.b").map(|h| h.kind),
            Some(HeaderKind::MovedTo("terraform_data.b".into()))
        );
        assert_eq!(
            header("terraform_data.a has changed").map(|h| h.kind),
            Some(HeaderKind::Drift(Action::Update))
        );
        let deposed = header("terraform_data.s (deposed object dd93218e) will be destroyed");
        assert_eq!(
            deposed.as_ref().map(|h| h.address),
            Some("terraform_data.s")
        );
        assert_eq!(deposed.and_then(|h| h.deposed), Some("dd93218e"));
        assert_eq!(header("(because x is not in configuration)"), None);
        assert_eq!(header("some comment in a heredoc"), None);
    }

    #[test]
    fn notes() {
        assert_eq!(
            note("(moved from terraform_data.a)"),
            Some(Note::MovedFrom("terraform_data.a"))
        );
        assert_eq!(note("(imported from \"abc\")"), Some(Note::ImportedFrom));
        assert_eq!(
            note("(because key [\"a\"] is not in for_each map)"),
            Some(Note::Reason("because key [\"a\"] is not in for_each map"))
        );
        assert_eq!(note("(1 unchanged attribute hidden)"), Some(Note::Other));
        assert_eq!(note("not a note"), None);
    }
}
