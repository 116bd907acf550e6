//! Gitea's CODEOWNERS: each rule is a Go regular expression over the whole path.
//!
//! A rule matches a file when its expression matches the whole path (Gitea wraps it in
//! `^…$`); a rule starting with `!` matches every file its expression does not. Unlike
//! GitHub and GitLab, every matching rule counts: a file's owners are those of all of
//! them. A backslash keeps a space, a `#` or a backslash in the rule (`path\ with\ space`,
//! `\\.` for a regex `\.`).

use regex::Regex;

use crate::owners::line::{add_unique, words};

/// One rule: its expression, whether it is negated, and its owners.
#[derive(Debug)]
pub(super) struct Rule {
    regex: Regex,
    negative: bool,
    owners: Vec<String>,
}

/// The rules of a Gitea CODEOWNERS file; `warnings` gets one line for each line skipped.
pub(super) fn rules(text: &str, warnings: &mut Vec<String>) -> Vec<Rule> {
    let mut rules = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let mut words = words(line).into_iter();
        let Some(raw) = words.next() else {
            continue;
        };
        let (negative, expression) = match raw.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, raw.as_str()),
        };
        match Regex::new(&format!("^(?:{})$", unescape(expression))) {
            Ok(regex) => rules.push(Rule {
                regex,
                negative,
                owners: words.collect(),
            }),
            Err(_) => warnings.push(format!(
                "line {}: the rule is not a regular expression tfnotify can read, so the line is skipped",
                number + 1
            )),
        }
    }
    rules
}

/// Gitea's escapes: `\ `, `\#` and `\\` stand for the character; other backslashes are
/// the expression's own.
fn unescape(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next @ (' ' | '#' | '\\')) => out.push(next),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The owners of the file at `path`: those of every rule that matches it.
pub(super) fn owners_of(rules: &[Rule], path: &str) -> Vec<String> {
    let mut owners = Vec::new();
    for rule in rules {
        if rule.regex.is_match(path) != rule.negative {
            add_unique(&mut owners, &rule.owners);
        }
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::{owners_of, rules};

    const DOCUMENTED: &str = include_str!("../../tests/fixtures/codeowners/gitea/CODEOWNERS");

    #[track_caller]
    fn case(path: &str, expected: &[&str]) {
        let mut warnings = Vec::new();
        let rules = rules(DOCUMENTED, &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(owners_of(&rules, path), expected, "{path}");
    }

    #[test]
    fn every_matching_rule_counts_and_negation_inverts() {
        case(
            "main.go",
            &["@user1", "@user2", "@org1/team3", "@user5", "@user9"],
        );
        case(
            "frontend/src/app.js",
            &["@org1/team1", "@org1/team2", "@user3", "@user9"],
        );
        case(
            "docs/aws/setup.md",
            &["@org1/team3", "@user5", "@user8", "@org1/team4", "@user9"],
        );
        case("assets/x.exe", &["@org1/team3", "@user5"]);
        case(
            "path with space",
            &["@org1/team3", "@user5", "@user9", "@user10"],
        );
    }

    #[test]
    fn a_rule_that_is_no_expression_is_skipped() {
        let mut warnings = Vec::new();
        assert!(rules("a(b @x\n", &mut warnings).is_empty());
        assert_eq!(warnings.len(), 1);
    }
}
