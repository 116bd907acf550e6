//! GitLab's CODEOWNERS: rules grouped in sections, each section read on its own.
//!
//! A section starts with a heading: `[Name]`, `^[Name]` (optional), `[Name][2]` (two
//! approvals), each optionally followed by the section's default owners. Rules before the
//! first heading form a section of their own. Names are not case-sensitive, and sections
//! with the same name are one section. Within a section the last rule that matches a file
//! wins; the owners of a file are those of every section's winning rule together. A rule
//! without owners takes its section's default owners. Whether a section is optional or
//! how many approvals it needs changes who must approve, not who owns, so owners of
//! optional sections are mentioned too.

use crate::owners::glob::{Anchoring, Glob};
use crate::owners::line::{add_unique, words};

/// One section: its name (lower case, for merging) and rules in file order.
#[derive(Debug)]
pub(super) struct Section {
    name: String,
    rules: Vec<(Glob, Vec<String>)>,
}

/// The sections of a GitLab CODEOWNERS file; `warnings` gets one line for each line skipped.
pub(super) fn sections(text: &str, warnings: &mut Vec<String>) -> Vec<Section> {
    let mut sections = vec![Section {
        name: String::new(),
        rules: Vec::new(),
    }];
    let mut current = 0;
    let mut defaults: Vec<Vec<String>> = vec![Vec::new()];
    for (number, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some((name, owners)) = heading(trimmed) {
            let key = name.to_lowercase();
            current = if let Some(index) = sections.iter().position(|s| s.name == key) {
                index
            } else {
                sections.push(Section {
                    name: key,
                    rules: Vec::new(),
                });
                defaults.push(Vec::new());
                sections.len() - 1
            };
            defaults[current] = owners;
            continue;
        }
        let mut words = words(line).into_iter();
        let Some(pattern) = words.next() else {
            continue;
        };
        let mut owners: Vec<String> = words.collect();
        if owners.is_empty() {
            owners.clone_from(&defaults[current]);
        }
        match Glob::new(&pattern, Anchoring::LeadingSlash) {
            Ok(glob) => sections[current].rules.push((glob, owners)),
            Err(e) => warnings.push(format!("line {}: {e}, so the line is skipped", number + 1)),
        }
    }
    sections
}

/// A section heading's name and default owners; `None` for any other line.
fn heading(line: &str) -> Option<(String, Vec<String>)> {
    let rest = line.strip_prefix('^').unwrap_or(line).strip_prefix('[')?;
    let (name, mut rest) = rest.split_once(']')?;
    if name.trim().is_empty() {
        return None;
    }
    if let Some(count) = rest.strip_prefix('[') {
        let (digits, after) = count.split_once(']')?;
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        rest = after;
    }
    Some((name.trim().to_owned(), words(rest)))
}

/// The owners of the file at `path`: every section's last matching rule, together.
pub(super) fn owners_of(sections: &[Section], path: &str) -> Vec<String> {
    let mut owners = Vec::new();
    for section in sections {
        if let Some((_, found)) = section.rules.iter().rev().find(|(g, _)| g.matches(path)) {
            add_unique(&mut owners, found);
        }
    }
    owners
}

#[cfg(test)]
mod tests {
    use super::{owners_of, sections};

    const DOCUMENTED: &str = include_str!("../../tests/fixtures/codeowners/gitlab/CODEOWNERS");

    #[track_caller]
    fn case(path: &str, expected: &[&str]) {
        let mut warnings = Vec::new();
        let sections = sections(DOCUMENTED, &mut warnings);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(owners_of(&sections, path), expected, "{path}");
    }

    #[test]
    fn within_a_section_the_last_match_wins() {
        case("app/models/user.rb", &["@ruby-owner"]);
        case("LICENSE", &["@legal", "janedoe@gitlab.com"]);
        case("path with spaces/a.txt", &["@space-owner"]);
        case("#file_with_pound.rb", &["@owner-file-with-pound"]);
    }

    #[test]
    fn every_section_s_match_is_combined() {
        case("docs/index.md", &["@root-docs", "@docs", "@docs-team"]);
        case("ee/docs/setup.md", &["@all-docs", "@docs", "@docs-team"]);
        case("config/db.yml", &["@config-owner", "@ops"]);
    }

    #[test]
    fn a_rule_without_owners_takes_the_section_s_defaults() {
        case(
            "services/api/main.tf",
            &["@default-codeowner", "@platform/api", "@sre"],
        );
        case("services/web/main.tf", &["@default-codeowner", "@sre"]);
    }

    #[test]
    fn sections_with_the_same_name_are_one() {
        let mut warnings = Vec::new();
        let text = "[Docs]\n*.md @first\n[docs]\n*.md @second\n";
        assert_eq!(
            owners_of(&sections(text, &mut warnings), "a.md"),
            ["@second"]
        );
    }

    #[test]
    fn headings_are_told_from_rules() {
        let mut warnings = Vec::new();
        let text = "^[Optional][3] @x\na.tf\n[2]\n";
        let found = sections(text, &mut warnings);
        assert_eq!(owners_of(&found, "a.tf"), ["@x"]);
    }
}
