//! Code owners: who owns the directory a run is about, read from the repository's
//! CODEOWNERS file with the rules of the platform a comment goes to.
//!
//! A platform team keeps one Terraform repository with a directory per service and a CI
//! job per directory. With `mention_owners`, each job's review comment ends by mentioning
//! the owners of its directory, so the right people see a plan that destroys something.
//!
//! Which files the directory stands for: the `.tf` files in it, or `DIR/main.tf` when it
//! has none on disk. A pattern owns the directory when it matches one of those files, so
//! `/services/api/`, `/services/api/**` and `*.tf` all own `services/api`; the owners of
//! every such file are mentioned, each once. A missing file or no match mentions no one.
//!
//! This stage reads files and nothing else: the caller finds the repository root
//! ([`root`]) and decides when to mention ([`MentionOwners`]).

mod gitea;
mod github;
mod gitlab;
mod glob;
mod line;
pub mod root;

use std::path::Path;

use serde::{Deserialize, Deserializer, de::Error as _};

use crate::model::{Action, Outcome, Report};

/// When review comments mention the code owners (`mention_owners`, `--mention-owners`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum MentionOwners {
    /// Never (the default): a comment notifies no one.
    #[default]
    Never,
    /// When the plan destroys or replaces something.
    Destroy,
    /// When the plan or apply changes anything.
    Changes,
    /// On every comment.
    Always,
}

impl MentionOwners {
    /// The words the config and the flag take, in order.
    pub const WORDS: &'static [&'static str] = &["never", "destroy", "changes", "always"];

    /// The setting a config word names.
    pub fn from_word(word: &str) -> Option<MentionOwners> {
        match word {
            // Blank is the default, as for every other key the file may leave empty.
            "" | "never" => Some(MentionOwners::Never),
            "destroy" => Some(MentionOwners::Destroy),
            "changes" => Some(MentionOwners::Changes),
            "always" => Some(MentionOwners::Always),
            _ => None,
        }
    }

    /// Whether a comment about `report` mentions the owners.
    pub fn applies(self, report: &Report) -> bool {
        match self {
            MentionOwners::Never => false,
            MentionOwners::Destroy => {
                report.has_destroy || report.resources.iter().any(|r| r.action == Action::Replace)
            }
            MentionOwners::Changes => {
                matches!(report.outcome, Outcome::Changes | Outcome::Applied) || report.has_destroy
            }
            MentionOwners::Always => true,
        }
    }
}

/// Read from a word, as the config's other settings are (the known-key check has already
/// named a wrong word with its line, so this error is seldom seen).
impl<'de> Deserialize<'de> for MentionOwners {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let word = String::deserialize(deserializer)?;
        MentionOwners::from_word(&word).ok_or_else(|| {
            D::Error::custom(format!(
                "`mention_owners` is `{word}`: expected `never`, `destroy`, `changes` or `always`"
            ))
        })
    }
}

/// A platform's CODEOWNERS dialect: where the file is and how its rules match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// GitHub: gitignore-style patterns, last match wins.
    GitHub,
    /// GitLab: the same patterns in sections, every section's match combined.
    GitLab,
    /// Gitea and Forgejo: regular expressions, every match combined.
    Gitea,
    /// Bitbucket: its `.bitbucket/` file first, read with GitHub's rules.
    Bitbucket,
}

impl Dialect {
    /// Where the platform looks, in its order; the first file found is the only one read.
    pub fn locations(self) -> &'static [&'static str] {
        match self {
            Dialect::GitHub => &[".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"],
            Dialect::GitLab => &["CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"],
            Dialect::Gitea => &["CODEOWNERS", "docs/CODEOWNERS", ".gitea/CODEOWNERS"],
            Dialect::Bitbucket => &[
                ".bitbucket/CODEOWNERS",
                ".github/CODEOWNERS",
                "CODEOWNERS",
                "docs/CODEOWNERS",
            ],
        }
    }
}

/// What a lookup found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owners {
    /// The CODEOWNERS file read, relative to the root; `None` when there is none.
    pub file: Option<String>,
    /// The owners to mention, `@name` or `@org/team`, in the file's order.
    pub owners: Vec<String>,
    /// Lines skipped and owners left out, for the user.
    pub warnings: Vec<String>,
}

/// The owners of `dir` (relative to `root`, `/`-separated, empty for the root itself)
/// under `dialect`'s rules.
pub fn lookup(root: &Path, dir: &str, dialect: Dialect) -> Owners {
    let Some(file) = dialect
        .locations()
        .iter()
        .find(|location| root.join(location).is_file())
    else {
        return Owners::default();
    };
    let mut found = Owners {
        file: Some((*file).to_owned()),
        ..Owners::default()
    };
    let text = match std::fs::read(root.join(file)) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            found.warnings.push(format!("`{file}` cannot be read: {e}"));
            return found;
        }
    };
    let paths = target_files(root, dir);
    let mut raw = Vec::new();
    let mut notes = Vec::new();
    match dialect {
        Dialect::GitHub | Dialect::Bitbucket => {
            let rules = github::rules(&text, &mut notes);
            for path in &paths {
                line::add_unique(&mut raw, github::owners_of(&rules, path));
            }
        }
        Dialect::GitLab => {
            let sections = gitlab::sections(&text, &mut notes);
            for path in &paths {
                line::add_unique(&mut raw, &gitlab::owners_of(&sections, path));
            }
        }
        Dialect::Gitea => {
            let rules = gitea::rules(&text, &mut notes);
            for path in &paths {
                line::add_unique(&mut raw, &gitea::owners_of(&rules, path));
            }
        }
    }
    found.owners = line::mentionable(&raw, &mut notes);
    found.warnings = notes
        .into_iter()
        .map(|n| format!("`{file}`: {n}"))
        .collect();
    found
}

/// The files `dir` stands for: its `.tf` files, sorted, or `DIR/main.tf` when it has none.
fn target_files(root: &Path, dir: &str) -> Vec<String> {
    let join = |name: &str| {
        if dir.is_empty() {
            name.to_owned()
        } else {
            format!("{dir}/{name}")
        }
    };
    let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|entry| entry.file_name().into_string().ok())
        // Terraform reads `.tf` files only, in that spelling.
        .filter(|name| Path::new(name).extension().is_some_and(|e| e == "tf"))
        .collect();
    names.sort();
    if names.is_empty() {
        names.push("main.tf".to_owned());
    }
    names.iter().map(|name| join(name)).collect()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::{Dialect, lookup, target_files};

    fn repo(files: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let path = root.path().join(path);
            fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            fs::write(path, text).expect("write");
        }
        root
    }

    #[test]
    fn the_directory_stands_for_its_tf_files_or_main_tf() {
        let root = repo(&[("svc/b.tf", ""), ("svc/a.tf", ""), ("svc/notes.md", "")]);
        assert_eq!(target_files(root.path(), "svc"), ["svc/a.tf", "svc/b.tf"]);
        assert_eq!(target_files(root.path(), "none"), ["none/main.tf"]);
        assert_eq!(target_files(root.path(), ""), ["main.tf"]);
    }

    #[test]
    fn the_first_file_in_the_platform_s_order_is_read() {
        let root = repo(&[
            (".github/CODEOWNERS", "* @from-dot-github\n"),
            ("CODEOWNERS", "* @from-root\n"),
            (".gitlab/CODEOWNERS", "* @from-dot-gitlab\n"),
        ]);
        let owners = |dialect| lookup(root.path(), "svc", dialect).owners;
        assert_eq!(owners(Dialect::GitHub), ["@from-dot-github"]);
        assert_eq!(owners(Dialect::GitLab), ["@from-root"]);
        assert_eq!(owners(Dialect::Bitbucket), ["@from-dot-github"]);
        let gitlab_only = repo(&[(".gitlab/CODEOWNERS", "* @team\n")]);
        let found = lookup(gitlab_only.path(), "svc", Dialect::GitLab);
        assert_eq!(found.file.as_deref(), Some(".gitlab/CODEOWNERS"));
        assert_eq!(
            lookup(gitlab_only.path(), "svc", Dialect::GitHub).file,
            None
        );
        let gitea = repo(&[
            (".gitea/CODEOWNERS", "svc/.* @from-dot-gitea\n"),
            ("docs/CODEOWNERS", "svc/.*\\.tf @from-docs\n"),
        ]);
        assert_eq!(
            lookup(gitea.path(), "svc", Dialect::Gitea).owners,
            ["@from-docs"]
        );
    }

    #[test]
    fn every_tf_file_s_owners_are_mentioned_once_and_bad_names_are_dropped() {
        let root = repo(&[
            ("services/api/main.tf", ""),
            ("services/api/iam.tf", ""),
            (
                "CODEOWNERS",
                "*.tf @org/platform\n/services/api/ @org/api ops@example.com\n/services/api/iam.tf @org/security @x<b>\n",
            ),
        ]);
        let found = lookup(root.path(), "services/api", Dialect::GitHub);
        assert_eq!(found.owners, ["@org/security", "@org/api"]);
        assert_eq!(
            found.warnings,
            [
                "`CODEOWNERS`: the owner `@x<b>` is not a user or team name (`@name`, `@org/team`), so it is not mentioned"
            ]
        );
    }

    #[test]
    fn no_file_or_no_match_mentions_no_one() {
        let empty = repo(&[]);
        assert_eq!(
            lookup(empty.path(), "svc", Dialect::GitHub),
            super::Owners::default()
        );
        let other = repo(&[("CODEOWNERS", "/elsewhere/ @team\n")]);
        let found = lookup(other.path(), "svc", Dialect::GitHub);
        assert!(found.owners.is_empty() && found.warnings.is_empty());
    }
}
