//! Errors of the CI stage: only for values a user supplied (flags, `TFNOTIFY_*`, `ci:`),
//! because those are mistakes to fix, while odd values from the CI itself are warnings.

/// A user-supplied CI override that cannot be used. Each variant names where the value came
/// from (`TFNOTIFY_PR`, `--pr`, `ci`), because the same setting has several sources.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A PR number that is not a positive integer. Silently ignoring it would post to the
    /// wrong place or nowhere.
    #[error("`{source_name}` is `{value}`, which is not a pull request number")]
    InvalidPr {
        /// The variable or flag the value came from.
        source_name: String,
        /// The value as given, untrimmed, so the user recognises it.
        value: String,
    },
    /// A CI name we don't know; `known` is the prose list of accepted names.
    #[error("`{source_name}` names an unknown CI `{value}`: expected one of {known}")]
    UnknownCi {
        /// The variable, flag or config key the value came from.
        source_name: String,
        /// The value as given.
        value: String,
        /// Accepted names as prose, so the message itself tells the fix.
        known: String,
    },
}

impl Error {
    /// Builds [`Error::UnknownCi`] with the list of accepted names written as prose.
    pub(crate) fn unknown_ci(source_name: &str, value: &str) -> Error {
        Error::UnknownCi {
            source_name: source_name.to_owned(),
            value: value.to_owned(),
            known: prose_list(&super::Platform::canonical_names()),
        }
    }
}

/// "`a`, `b` and `c`", the way error messages list alternatives.
fn prose_list(names: &[&str]) -> String {
    let ticked: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match ticked.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::{Error, prose_list};

    #[test]
    fn messages() {
        let err = Error::InvalidPr {
            source_name: "TFNOTIFY_PR".to_owned(),
            value: "abc".to_owned(),
        };
        assert_eq!(
            err.to_string(),
            "`TFNOTIFY_PR` is `abc`, which is not a pull request number"
        );
        let err = Error::unknown_ci("TFNOTIFY_CI", "bamboo").to_string();
        assert!(
            err.starts_with(
                "`TFNOTIFY_CI` names an unknown CI `bamboo`: expected one of `atlantis`, \
                 `azure_pipelines`, "
            ),
            "{err}"
        );
        assert!(err.ends_with(", `travis` and `woodpecker`"), "{err}");
    }

    #[test]
    fn prose() {
        assert_eq!(prose_list(&[]), "");
        assert_eq!(prose_list(&["a"]), "`a`");
        assert_eq!(prose_list(&["a", "b"]), "`a` and `b`");
        assert_eq!(prose_list(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
