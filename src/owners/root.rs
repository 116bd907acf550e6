//! Where the repository root is, so that the working directory can be named relative to it
//! as CODEOWNERS names paths.
//!
//! A CI's checkout variable says it without running anything (`GITHUB_WORKSPACE`, GitLab's
//! `CI_PROJECT_DIR`, …), but only counts when the working directory is inside it: a job
//! can check out a second repository and work there. Otherwise `git rev-parse
//! --show-toplevel` answers, run in the working directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The variables in which CIs name their checkout, in no particular order: a run is in one
/// CI, and only a variable whose directory holds the working directory is used.
const CHECKOUT_VARIABLES: &[&str] = &[
    // GitHub Actions, and Gitea and Forgejo Actions, which set it too.
    "GITHUB_WORKSPACE",
    // GitLab CI.
    "CI_PROJECT_DIR",
    // Bitbucket Pipelines.
    "BITBUCKET_CLONE_DIR",
    // Woodpecker.
    "CI_WORKSPACE",
    // Drone.
    "DRONE_WORKSPACE",
    // Buildkite.
    "BUILDKITE_BUILD_CHECKOUT_PATH",
    // Azure Pipelines.
    "BUILD_SOURCESDIRECTORY",
    // AWS CodeBuild.
    "CODEBUILD_SRC_DIR",
    // Travis CI.
    "TRAVIS_BUILD_DIR",
];

/// Where the repository that holds `cwd` starts: a CI's checkout directory when `cwd` is
/// inside it, else git's answer; `None` when neither knows.
pub fn find(env: &dyn Fn(&str) -> Option<String>, cwd: &Path) -> Option<PathBuf> {
    let cwd = canonical(cwd);
    CHECKOUT_VARIABLES
        .iter()
        .filter_map(|name| env(name).filter(|v| !v.trim().is_empty()))
        .map(|value| canonical(Path::new(&value)))
        .find(|checkout| cwd.starts_with(checkout))
        .or_else(|| from_git(&cwd))
}

/// `dir` relative to `root`, `/`-separated (empty for the root); `None` when `dir` is not
/// inside `root`.
pub fn relative(root: &Path, dir: &Path) -> Option<String> {
    let relative = canonical(dir)
        .strip_prefix(canonical(root))
        .ok()?
        .to_owned();
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

fn from_git(cwd: &Path) -> Option<PathBuf> {
    let output = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    let top = text.trim_end_matches(['\n', '\r']);
    (output.status.success() && !top.is_empty()).then(|| canonical(Path::new(top)))
}

/// The path with links resolved, so that `/tmp` and `/private/tmp` compare equal; as
/// given when it does not exist.
fn canonical(path: &Path) -> PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use super::{find, relative};

    #[test]
    fn a_checkout_variable_counts_only_when_it_holds_the_working_directory() {
        let checkout = tempfile::tempdir().expect("tempdir");
        let nested = checkout.path().join("services/api");
        std::fs::create_dir_all(&nested).expect("mkdir");
        let env: BTreeMap<&str, String> = [(
            "CI_PROJECT_DIR",
            checkout.path().to_string_lossy().into_owned(),
        )]
        .into();
        let lookup = |name: &str| env.get(name).cloned();
        let root = find(&lookup, &nested).expect("root");
        assert_eq!(relative(&root, &nested).as_deref(), Some("services/api"));
        assert_eq!(relative(&root, checkout.path()).as_deref(), Some(""));
        let elsewhere = tempfile::tempdir().expect("tempdir");
        let found = find(&lookup, elsewhere.path());
        assert!(found.is_none_or(|r| !r.starts_with(checkout.path())));
        assert_eq!(relative(&nested, Path::new("/")), None);
    }
}
