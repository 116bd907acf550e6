//! GitHub's CODEOWNERS: one rule per line, the last rule that matches a file wins.
//!
//! A rule is a path pattern ([`Glob`], gitignore-style) and its owners. A rule with no
//! owners matches and leaves the file without owners, so a later line can take away what an
//! earlier one gave. GitHub does not support `!` negation: such a line is skipped (as
//! GitHub skips a line it cannot read) with a warning.

use crate::owners::glob::{Anchoring, Glob};
use crate::owners::line::words;

/// One rule: a pattern and its owners, as written.
#[derive(Debug)]
pub(super) struct Rule {
    pub(super) glob: Glob,
    pub(super) owners: Vec<String>,
}

/// The rules of a GitHub CODEOWNERS file, in file order; `warnings` gets one line for each
/// line skipped.
pub(super) fn rules(text: &str, warnings: &mut Vec<String>) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut words = words(line).into_iter();
        let Some(pattern) = words.next() else {
            continue;
        };
        if pattern.starts_with('!') {
            warnings.push(format!(
                "line {}: `!` negation is not supported in CODEOWNERS, so the line is skipped",
                number + 1
            ));
            continue;
        }
        match Glob::new(&pattern, Anchoring::SlashAnywhere) {
            Ok(glob) => rules.push(Rule {
                glob,
                owners: words.collect(),
            }),
            Err(e) => warnings.push(format!("line {}: {e}, so the line is skipped", number + 1)),
        }
    }
    rules
}

/// The owners of the file at `path`: those of the last rule that matches it.
pub(super) fn owners_of<'a>(rules: &'a [Rule], path: &str) -> &'a [String] {
    rules
        .iter()
        .rev()
        .find(|rule| rule.glob.matches(path))
        .map_or(&[], |rule| &rule.owners)
}

#[cfg(test)]
mod tests {
    use super::{owners_of, rules};

    const DOCUMENTED: &str = include_str!("../../tests/fixtures/codeowners/github/CODEOWNERS");

    #[track_caller]
    fn case(path: &str, expected: &[&str]) {
        let mut warnings = Vec::new();
        let rules = rules(DOCUMENTED, &mut warnings);
        assert_eq!(owners_of(&rules, path), expected, "{path}");
    }

    #[test]
    fn the_last_matching_line_wins() {
        case("README.md", &["@global-owner1", "@global-owner2"]);
        case("src/app.js", &["@js-owner"]);
        case("a.go", &["docs@example.com"]);
        case("build/logs/x.log", &["@octocat"]); // `/build/logs/`, then `**/logs` later
        case("docs/getting-started.md", &["@doctocat"]);
        case("apps/web/a.ts", &["@octocat"]);
        case("docs/build-app/troubleshooting.md", &["@doctocat"]);
        case("scripts/run.sh", &["@doctocat", "@octocat"]);
        case("deeply/nested/logs/a", &["@octocat"]);
    }

    #[test]
    fn a_line_without_owners_takes_them_away() {
        case("apps/github/x.ts", &[]);
    }

    #[test]
    fn negation_is_skipped_with_a_warning() {
        let mut warnings = Vec::new();
        let rules = rules("* @all-files\n!*.md @nobody\n", &mut warnings);
        assert_eq!(owners_of(&rules, "README.md"), ["@all-files"]);
        assert_eq!(
            warnings,
            ["line 2: `!` negation is not supported in CODEOWNERS, so the line is skipped"]
        );
    }
}
