//! Which texts may be sent as a label name, decided in one place for every forge that
//! labels (GitHub, GitLab, Gitea).
//!
//! A result label's name holds the target (`prod/destroy`), and the target is whatever
//! `--var target:` or the job's directory says: text nobody vetted. A name is refused,
//! never sent, when the forge would not take it as one label:
//! - a comma: GitLab splits `add_labels`, `remove_labels` and `labels` at every comma,
//!   inside a JSON array too, and creates the labels it finds, so a target
//!   `envs/,approved,x` would put `approved` on the merge request; GitHub's search and
//!   Gitea's issue filter split names at commas as well, so no forge gets one;
//! - a control character, or white space at either end: forges strip or refuse them, so
//!   the label set would not be the one compared on the next run;
//! - more characters than the forge allows, or nothing at all.
//!
//! A [`LabelName`] can only be made by passing these rules, so whatever holds one, down to
//! the request that sends it, holds a name that is one label on its forge.

use std::fmt;

/// What a forge allows in a label name beyond the rules every forge shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rules {
    /// The forge, as messages name it.
    pub forge: &'static str,
    /// The most characters a name may have there.
    pub max_chars: usize,
}

/// Why a text cannot be a label name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Empty,
    TooLong(Rules),
    Comma(Rules),
    Control,
    Padded,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Empty => f.write_str("a label name cannot be empty"),
            Refusal::TooLong(rules) => write!(
                f,
                "{} label names are at most {} characters",
                rules.forge, rules.max_chars
            ),
            Refusal::Comma(rules) => write!(
                f,
                "{} reads a comma in a label name as a separator",
                rules.forge
            ),
            Refusal::Control => f.write_str("a label name cannot hold control characters"),
            Refusal::Padded => f.write_str("a label name cannot start or end with white space"),
        }
    }
}

/// A label name that passed the rules of its forge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LabelName(String);

impl LabelName {
    /// `name` as a label of the forge `rules` describe, or why it cannot be one.
    pub(crate) fn new(name: String, rules: Rules) -> Result<LabelName, Refusal> {
        if name.is_empty() {
            return Err(Refusal::Empty);
        }
        if name.contains(char::is_control) {
            return Err(Refusal::Control);
        }
        if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
            return Err(Refusal::Padded);
        }
        if name.contains(',') {
            return Err(Refusal::Comma(rules));
        }
        if name.chars().count() > rules.max_chars {
            return Err(Refusal::TooLong(rules));
        }
        Ok(LabelName(name))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LabelName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for LabelName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

/// `text` for a message, with control characters written as escapes (`\n`, `\u{7}`), so a
/// refused name cannot break the line it is reported on.
pub(crate) fn shown(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{LabelName, Refusal, Rules, shown};

    const FORGE: Rules = Rules {
        forge: "GitLab",
        max_chars: 10,
    };

    #[track_caller]
    fn case(name: &str, expected: Result<(), Refusal>) {
        let got = LabelName::new(name.to_owned(), FORGE).map(|n| assert_eq!(n.as_str(), name));
        assert_eq!(got, expected, "{name:?}");
    }

    #[test]
    fn only_names_that_are_one_label_pass() {
        case("prod/plan", Ok(()));
        case("prød/🚀", Ok(()));
        case("x,approved", Err(Refusal::Comma(FORGE)));
        case("abcdefghijk", Err(Refusal::TooLong(FORGE)));
        case("", Err(Refusal::Empty));
        case("a\nb", Err(Refusal::Control));
        case("a\u{7}", Err(Refusal::Control));
        case(" prod", Err(Refusal::Padded));
        case("prod\u{3000}", Err(Refusal::Padded));
    }

    #[test]
    fn refusals_name_the_forge_and_the_rule() {
        assert_eq!(
            Refusal::Comma(FORGE).to_string(),
            "GitLab reads a comma in a label name as a separator"
        );
        assert_eq!(
            Refusal::TooLong(FORGE).to_string(),
            "GitLab label names are at most 10 characters"
        );
    }

    #[test]
    fn control_characters_are_shown_as_escapes() {
        assert_eq!(shown("a\nb\u{1b}[31m"), "a\\nb\\u{1b}[31m");
    }
}
