//! tfcmt v1–v3's `ci:` block, as written.
//!
//! Before v4, tfcmt read `ci:` as a mapping that fills the CI facts it could not detect
//! from the environment: for each of `pr`, `owner`, `repo`, `sha` and `link`, and for each
//! name under `vars`, a list of entries `{type: envsubst|template, value: …}` tried in order,
//! the first that gives a non-empty value winning. tfcmt v4 dropped the block and ignored
//! it. This file only collects the usable entries, with where they are written; the
//! checker (`check.rs`) has already warned about the rest, and `Settings` evaluates them,
//! because that needs the environment.

use std::collections::BTreeMap;

use super::yaml::{Entry, Node, Pos};

/// The entry types tfcmt v3 knew, in the spelling of its files.
pub(crate) const ENTRY_TYPES: &[&str] = &["envsubst", "template"];

/// The usable entries of the block, per CI fact. Empty lists mean "not set here".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CiBlock {
    /// Pull request number.
    pub pr: Vec<CiEntry>,
    pub owner: Vec<CiEntry>,
    pub repo: Vec<CiEntry>,
    pub sha: Vec<CiEntry>,
    /// The build link (`.Link`).
    pub link: Vec<CiEntry>,
    /// Template variables (`.Vars.NAME`), each with its own entries.
    pub vars: BTreeMap<String, Vec<CiEntry>>,
}

/// One `{type, value}` entry, with its place in the file for the warnings its evaluation
/// may raise (a template that fails, a PR that is not a number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiEntry {
    pub kind: CiEntryKind,
    /// The text to expand or render.
    pub value: String,
    /// The key path (`ci.pr[1]`).
    pub path: String,
    pub line: u32,
    pub column: u32,
}

/// How an entry's value becomes a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CiEntryKind {
    /// `$VAR`, `${VAR}` and the default forms read the environment (`drone/envsubst`).
    Envsubst,
    /// A Go text/template with sprig, rendered with no data (`{{ env "VAR" }}`).
    Template,
}

impl CiBlock {
    /// Whether the block sets nothing at all.
    pub fn is_empty(&self) -> bool {
        self.pr.is_empty()
            && self.owner.is_empty()
            && self.repo.is_empty()
            && self.sha.is_empty()
            && self.link.is_empty()
            && self.vars.is_empty()
    }
}

/// The block of the document `root`, when `ci:` is a mapping. Keys and entries that are
/// not usable are left out; the last of duplicate keys wins, as in the rest of the file.
pub(crate) fn read(root: &Node) -> Option<CiBlock> {
    let Node::Map(top) = root else {
        return None;
    };
    let Node::Map(keys) = &top.iter().rev().find(|e| e.key == "ci")?.value else {
        return None;
    };
    let mut block = CiBlock::default();
    for key in keys {
        let path = format!("ci.{}", key.key);
        let list = match key.key.as_str() {
            "pr" => &mut block.pr,
            "owner" => &mut block.owner,
            "repo" => &mut block.repo,
            "sha" => &mut block.sha,
            "link" => &mut block.link,
            "vars" => {
                if let Node::Map(names) = &key.value {
                    for name in names {
                        let entries = entries(name, &format!("{path}.{}", name.key));
                        block.vars.insert(name.key.clone(), entries);
                    }
                }
                continue;
            }
            _ => continue,
        };
        *list = entries(key, &path);
    }
    Some(block)
}

/// The usable entries of one list.
fn entries(key: &Entry, path: &str) -> Vec<CiEntry> {
    let Node::Seq(items) = &key.value else {
        return Vec::new();
    };
    items
        .iter()
        .enumerate()
        .filter_map(|(index, (pos, item))| entry(item, *pos, format!("{path}[{index}]")))
        .collect()
}

fn entry(item: &Node, pos: Pos, path: String) -> Option<CiEntry> {
    let Node::Map(fields) = item else {
        return None;
    };
    let text = |name: &str| match fields.iter().rev().find(|f| f.key == name) {
        Some(Entry {
            value: Node::Str(text),
            ..
        }) => Some(text.clone()),
        _ => None,
    };
    let kind = match text("type")?.as_str() {
        "envsubst" => CiEntryKind::Envsubst,
        "template" => CiEntryKind::Template,
        _ => return None,
    };
    Some(CiEntry {
        kind,
        value: text("value")?,
        path,
        line: pos.line,
        column: pos.column,
    })
}

#[cfg(test)]
mod tests {
    use super::{CiBlock, CiEntryKind, read};
    use crate::config::yaml::parse_tree;

    fn block(text: &str) -> Option<CiBlock> {
        read(&parse_tree(text).expect("valid YAML"))
    }

    #[test]
    fn every_key_of_the_schema_is_read() {
        let text = "ci:\n  pr:\n    - {type: envsubst, value: a}\n  owner:\n    - {type: envsubst, value: b}\n  \
                    repo:\n    - {type: envsubst, value: c}\n  sha:\n    - {type: envsubst, value: d}\n  \
                    link:\n    - {type: template, value: e}\n  vars:\n    x:\n      - {type: envsubst, value: f}\n";
        let got = block(text).expect("a block");
        let values: Vec<&str> = [&got.pr, &got.owner, &got.repo, &got.sha, &got.link]
            .iter()
            .map(|list| list[0].value.as_str())
            .chain(std::iter::once(got.vars["x"][0].value.as_str()))
            .collect();
        assert_eq!(values, ["a", "b", "c", "d", "e", "f"]);
        assert_eq!(got.link[0].kind, CiEntryKind::Template);
        assert_eq!(
            (got.pr[0].path.as_str(), got.pr[0].line, got.pr[0].column),
            ("ci.pr[0]", 3, 7)
        );
        assert_eq!(got.vars["x"][0].path, "ci.vars.x[0]");
    }

    #[test]
    fn unusable_entries_are_left_out_and_names_are_no_block() {
        assert_eq!(block("ci: circleci\n"), None);
        assert_eq!(block("ci:\n"), None);
        assert_eq!(block("notifier: {}\n"), None);
        let got = block(
            "ci:\n  pr:\n    - ${PR}\n    - {type: shell, value: x}\n    - {type: envsubst}\n    \
             - {type: envsubst, value: 7}\n    - {type: envsubst, value: $PR}\n  sha: $SHA\n  name: x\n",
        )
        .expect("a block");
        assert_eq!(got.pr.len(), 1);
        assert_eq!(got.pr[0].path, "ci.pr[4]");
        assert!(got.sha.is_empty());
        assert!(!got.is_empty());
        assert!(block("ci: {}\n").expect("a block").is_empty());
    }
}
