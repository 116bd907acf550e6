//! Which config file a run uses.
//!
//! Order: `--config`, then `TFNOTIFY_CONFIG`, then `TFCMT_CONFIG` (each must exist), then
//! the first of [`CANDIDATES`] found in the starting directory or any parent, nearest
//! directory first. tfnotify v0 looked only in the current directory and tfcmt walked up;
//! walking up finds everything v0 found, so both keep working.

use std::path::{Path, PathBuf};

use super::{Env, Error};

/// File names tried in each directory, in this order. tfnotify names come first because a
/// repository holding both is migrating to tfnotify.
pub const CANDIDATES: [&str; 8] = [
    "tfnotify.yaml",
    "tfnotify.yml",
    ".tfnotify.yaml",
    ".tfnotify.yml",
    "tfcmt.yaml",
    "tfcmt.yml",
    ".tfcmt.yaml",
    ".tfcmt.yml",
];

/// Returns the config path to read, `None` if there is none (defaults then apply).
/// A relative explicit path is taken relative to `cwd`, so callers need not `chdir`.
pub fn discover(
    explicit: Option<&Path>,
    env: Env<'_>,
    cwd: &Path,
) -> Result<Option<PathBuf>, Error> {
    let named = explicit
        .map(|path| (path.to_path_buf(), "`--config`"))
        .or_else(|| from_env(env, "TFNOTIFY_CONFIG"))
        .or_else(|| from_env(env, "TFCMT_CONFIG"));
    if let Some((path, origin)) = named {
        let full = cwd.join(&path);
        // Something that exists but is not a file (a directory) is left for the read to
        // report, so the message says what is wrong with it.
        return if full.exists() {
            Ok(Some(full))
        } else {
            Err(Error::Missing { path, origin })
        };
    }
    for dir in cwd.ancestors() {
        for name in CANDIDATES {
            let path = dir.join(name);
            if path.is_file() {
                return Ok(Some(path));
            }
        }
    }
    Ok(None)
}

fn from_env(env: Env<'_>, name: &'static str) -> Option<(PathBuf, &'static str)> {
    let origin = match name {
        "TFNOTIFY_CONFIG" => "`TFNOTIFY_CONFIG`",
        _ => "`TFCMT_CONFIG`",
    };
    env(name)
        .filter(|value| !value.is_empty())
        .map(|value| (PathBuf::from(value), origin))
}

#[cfg(test)]
mod tests {
    use super::discover;
    use std::fs;
    use std::path::{Path, PathBuf};

    /// A throwaway directory tree; the guard deletes it when the test ends.
    fn tree(files: &[&str]) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(root.path().join("a/b/c")).expect("create test tree");
        for file in files {
            fs::write(root.path().join(file), "ci: circleci\n").expect("write test file");
        }
        root
    }

    #[track_caller]
    fn case(
        root: &Path,
        explicit: Option<&str>,
        env: &[(&str, &str)],
        cwd: &str,
        expected: Result<Option<&str>, &str>,
    ) {
        let lookup = |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let got = discover(explicit.map(Path::new), &lookup, &root.join(cwd));
        let got = got
            .map(|found| {
                found.map(|p| {
                    p.strip_prefix(root)
                        .expect("found inside the tree")
                        .to_path_buf()
                })
            })
            .map_err(|e| e.to_string());
        let expected = expected
            .map(|p| p.map(PathBuf::from))
            .map_err(str::to_owned);
        assert_eq!(got, expected);
    }

    #[test]
    fn search_order() {
        let dir = tree(&[
            "tfcmt.yaml",
            "a/.tfnotify.yml",
            "a/tfcmt.yml",
            "a/b/other.yaml",
        ]);
        let root = dir.path();
        case(root, None, &[], "a/b/c", Ok(Some("a/.tfnotify.yml")));
        case(root, None, &[], "a", Ok(Some("a/.tfnotify.yml")));
        case(root, None, &[], ".", Ok(Some("tfcmt.yaml")));
        case(
            root,
            Some("a/b/other.yaml"),
            &[],
            ".",
            Ok(Some("a/b/other.yaml")),
        );
        case(
            root,
            None,
            &[("TFCMT_CONFIG", "a/b/other.yaml")],
            ".",
            Ok(Some("a/b/other.yaml")),
        );
        case(
            root,
            None,
            &[
                ("TFNOTIFY_CONFIG", "tfcmt.yaml"),
                ("TFCMT_CONFIG", "nope.yaml"),
            ],
            ".",
            Ok(Some("tfcmt.yaml")),
        );
        case(
            root,
            None,
            &[("TFNOTIFY_CONFIG", "")],
            "a/b",
            Ok(Some("a/.tfnotify.yml")),
        );
    }

    #[test]
    fn named_files_must_exist() {
        let dir = tree(&["tfnotify.yaml"]);
        let root = dir.path();
        case(
            root,
            Some("nope.yaml"),
            &[],
            ".",
            Err("config file `nope.yaml` given by `--config` does not exist"),
        );
        case(
            root,
            None,
            &[("TFNOTIFY_CONFIG", "gone.yaml")],
            ".",
            Err("config file `gone.yaml` given by `TFNOTIFY_CONFIG` does not exist"),
        );
        case(
            root,
            None,
            &[("TFCMT_CONFIG", "x.yml")],
            ".",
            Err("config file `x.yml` given by `TFCMT_CONFIG` does not exist"),
        );
    }
}
