//! What every CODEOWNERS dialect shares: splitting a line into words (a backslash keeps a
//! space or a `#` in a path) and deciding which owner names may be mentioned.
//!
//! CODEOWNERS is repository content: anyone who can open a pull request can edit it in
//! that pull request. An owner is therefore mentioned only when it looks like a user or a
//! team name (`@` and then letters, digits, `-`, `_`, `/` or `.`); anything else could
//! carry Markdown, HTML or a broadcast into a comment that is not escaped, so it is
//! dropped with a warning. E-mail addresses are owners on every platform but no one can be
//! mentioned by one, so they are left out without a word.

/// The words of one line, up to a comment: a word starting with an unescaped `#` ends the
/// line. Escapes are kept (`path\ with\ spaces` stays one word, backslashes and all), so
/// each dialect reads its own escapes.
pub(super) fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                word.push(c);
                if let Some(next) = chars.next() {
                    word.push(next);
                }
            }
            ' ' | '\t' => {
                if !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            '#' if word.is_empty() => break,
            _ => word.push(c),
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// The owners of `words` that can be mentioned; a warning for each one that cannot and is
/// not an e-mail address.
pub(super) fn mentionable(words: &[String], warnings: &mut Vec<String>) -> Vec<String> {
    let mut owners = Vec::new();
    for word in words {
        if is_handle(word) {
            owners.push(word.clone());
        } else if !is_email(word) {
            warnings.push(format!(
                "the owner `{}` is not a user or team name (`@name`, `@org/team`), so it is not mentioned",
                printable(word)
            ));
        }
    }
    owners
}

/// `@` followed by letters, digits, `-`, `_`, `/` or `.`, and nothing else.
pub(super) fn is_handle(word: &str) -> bool {
    word.strip_prefix('@').is_some_and(|name| {
        !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/' | '.'))
    })
}

fn is_email(word: &str) -> bool {
    match word.split_once('@') {
        Some((user, domain)) => !user.is_empty() && domain.contains('.') && !domain.contains('@'),
        None => false,
    }
}

/// A word as a warning may show it: control characters and backticks replaced, and cut
/// short, since it comes from the repository.
fn printable(word: &str) -> String {
    let shown: String = word
        .chars()
        .take(60)
        .map(|c| if c.is_control() || c == '`' { '?' } else { c })
        .collect();
    if word.chars().count() > 60 {
        format!("{shown}…")
    } else {
        shown
    }
}

/// Adds `more` to `owners`, keeping the first place of each.
pub(super) fn add_unique(owners: &mut Vec<String>, more: &[String]) {
    for owner in more {
        if !owners.contains(owner) {
            owners.push(owner.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_handle, mentionable, words};

    #[test]
    fn words_keep_escaped_spaces_and_stop_at_a_comment() {
        assert_eq!(
            words("path\\ with\\ spaces/ @a\t@b # @c"),
            ["path\\ with\\ spaces/", "@a", "@b"]
        );
        assert_eq!(
            words("\\#file_with_pound.rb @owner"),
            ["\\#file_with_pound.rb", "@owner"]
        );
        assert!(words("# a comment").is_empty());
        assert_eq!(
            words("a#b @x"),
            ["a#b", "@x"],
            "a # inside a word is no comment"
        );
    }

    #[test]
    fn only_user_and_team_names_are_mentioned() {
        for good in [
            "@octocat",
            "@octo-org/octocats",
            "@group/with-nested/subgroup",
            "@a_b.c",
        ] {
            assert!(is_handle(good), "{good}");
        }
        for bad in [
            "@",
            "octocat",
            "@@maintainer",
            "@a<b>",
            "@x](https://e.vil)",
            "@all\u{202e}",
        ] {
            assert!(!is_handle(bad), "{bad}");
        }
        let mut warnings = Vec::new();
        let owners = mentionable(
            &["@a".into(), "docs@example.com".into(), "@<script>".into()],
            &mut warnings,
        );
        assert_eq!(owners, ["@a"]);
        assert_eq!(
            warnings,
            [
                "the owner `@<script>` is not a user or team name (`@name`, `@org/team`), so it is not mentioned"
            ]
        );
    }
}
