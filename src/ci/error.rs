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
    #[error("{place}`{source_name}` names an unknown CI `{value}`{hint}: expected one of {known}")]
    UnknownCi {
        /// The file the value was read from, as `` `path`: ``, or empty for flags and
        /// variables.
        place: String,
        /// The variable, flag or config key the value came from.
        source_name: String,
        /// The value as given.
        value: String,
        /// ` (did you mean `drone`?)` when a known name is spelled alike, else empty.
        hint: String,
        /// Accepted names as prose, so the message itself tells the fix.
        known: String,
    },
}

impl Error {
    /// Builds [`Error::UnknownCi`] with the list of accepted names written as prose and the
    /// closest name, when one is spelled alike.
    pub(crate) fn unknown_ci(source_name: &str, value: &str) -> Error {
        let hint = super::Platform::closest_name(value)
            .map(|name| format!(" (did you mean `{name}`?)"))
            .unwrap_or_default();
        Error::UnknownCi {
            place: String::new(),
            source_name: source_name.to_owned(),
            value: value.to_owned(),
            hint,
            known: prose_list(&super::Platform::canonical_names()),
        }
    }

    /// Names the file a value came from (the config's `ci:`), so the message says where
    /// to fix it.
    #[must_use]
    pub fn in_file(self, file: &str) -> Error {
        match self {
            Error::UnknownCi {
                source_name,
                value,
                hint,
                known,
                ..
            } => Error::UnknownCi {
                place: format!("`{file}`: "),
                source_name,
                value,
                hint,
                known,
            },
            other @ Error::InvalidPr { .. } => other,
        }
    }
}

/// "`a`, `b` and `c`", the way error messages list alternatives.
fn prose_list<S: AsRef<str>>(names: &[S]) -> String {
    let ticked: Vec<String> = names
        .iter()
        .map(|name| format!("`{}`", name.as_ref()))
        .collect();
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
                 `azure-pipelines`, "
            ),
            "{err}"
        );
        assert!(err.ends_with(", `travis` and `woodpecker`"), "{err}");
    }

    #[test]
    fn an_unknown_ci_in_the_config_names_the_file_and_the_closest_name() {
        let err = Error::unknown_ci("ci", "droneci").in_file("tfnotify.yaml");
        assert_eq!(
            err.to_string(),
            "`tfnotify.yaml`: `ci` names an unknown CI `droneci` (did you mean `drone`?): \
             expected one of `atlantis`, `azure-pipelines`, `bitbucket-pipelines`, \
             `buildkite`, `circleci`, `cloud-build`, `codebuild`, `drone`, \
             `forgejo-actions`, `gitea-actions`, `github-actions`, `gitlab-ci`, `jenkins`, \
             `local`, `teamcity`, `travis` and `woodpecker`"
        );
        let err = Error::unknown_ci("--ci", "githubactions").to_string();
        assert!(
            err.starts_with(
                "`--ci` names an unknown CI `githubactions` (did you mean `github-actions`?): "
            ),
            "{err}"
        );
        let err = Error::unknown_ci("--ci", "bamboo").to_string();
        assert!(!err.contains("did you mean"), "{err}");
    }

    #[test]
    fn prose() {
        assert_eq!(prose_list::<&str>(&[]), "");
        assert_eq!(prose_list(&["a"]), "`a`");
        assert_eq!(prose_list(&["a", "b"]), "`a` and `b`");
        assert_eq!(prose_list(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
