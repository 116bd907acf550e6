//! Where detection reads from: the process environment in production, recorded maps in
//! tests. Going through a trait keeps every test hermetic without `unsafe { set_var }`.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Read access to environment variables and, for CIs that hand us a file path (GitHub's
/// `GITHUB_EVENT_PATH`, `TeamCity`'s properties files), to files.
///
/// `read_file` defaults to "not available" so a plain `BTreeMap` of variables is a
/// complete test environment.
pub trait Env {
    /// The raw value of `name`, or `None` when unset or not UTF-8. Callers treat an empty
    /// value like an unset one, because CIs routinely export empty variables.
    fn var(&self, name: &str) -> Option<String>;

    /// Every variable at once, for code that cannot hold a borrow of the environment: the
    /// `env` function of a tfcmt `ci:` template entry lives as long as its template.
    fn snapshot(&self) -> BTreeMap<String, String>;

    /// The contents of the file at `path`. Errors are reported as detection warnings, never
    /// as failures.
    fn read_file(&self, path: &Path) -> io::Result<String> {
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("no file access to `{}` in this environment", path.display()),
        ))
    }
}

/// The real environment of this process and the real filesystem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessEnv;

/// A recorded environment with files, for tests anywhere in the crate that need a GitHub
/// event payload or similar without touching disk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapEnv {
    /// Recorded variables, as `Env::var` returns them (no trimming here: readers do that).
    pub vars: BTreeMap<String, String>,
    /// File contents by exact path, e.g. the one `GITHUB_EVENT_PATH` names.
    pub files: BTreeMap<PathBuf, String>,
}

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn snapshot(&self) -> BTreeMap<String, String> {
        std::env::vars().collect()
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        std::fs::read_to_string(path)
    }
}

impl Env for BTreeMap<String, String> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).cloned()
    }

    fn snapshot(&self) -> BTreeMap<String, String> {
        self.clone()
    }
}

impl MapEnv {
    /// Starts from recorded variables, so a test can add a file to a `BTreeMap` fixture.
    pub fn new(vars: BTreeMap<String, String>) -> MapEnv {
        MapEnv {
            vars,
            files: BTreeMap::new(),
        }
    }

    /// Adds a file that [`Env::read_file`] will return.
    #[must_use]
    pub fn with_file(mut self, path: impl Into<PathBuf>, contents: impl Into<String>) -> MapEnv {
        self.files.insert(path.into(), contents.into());
        self
    }

    /// Adds or replaces a variable.
    #[must_use]
    pub fn with_var(mut self, name: impl Into<String>, value: impl Into<String>) -> MapEnv {
        self.vars.insert(name.into(), value.into());
        self
    }
}

impl Env for MapEnv {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }

    fn snapshot(&self) -> BTreeMap<String, String> {
        self.vars.clone()
    }

    fn read_file(&self, path: &Path) -> io::Result<String> {
        self.files.get(path).cloned().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no recorded file `{}`", path.display()),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::ErrorKind;
    use std::path::Path;

    use super::{Env, MapEnv};

    #[test]
    fn map_env_serves_vars_and_files() {
        let env = MapEnv::new(BTreeMap::new())
            .with_var("A", "1")
            .with_file("/e.json", "{}");
        assert_eq!(env.var("A").as_deref(), Some("1"));
        assert_eq!(env.var("B"), None);
        assert_eq!(
            env.read_file(Path::new("/e.json")).ok().as_deref(),
            Some("{}")
        );
        let missing = env.read_file(Path::new("/nope")).expect_err("not recorded");
        assert_eq!(missing.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn plain_maps_have_no_files() {
        let env: BTreeMap<String, String> = BTreeMap::new();
        let err = env
            .read_file(Path::new("/etc/passwd"))
            .expect_err("no file access");
        assert_eq!(err.kind(), ErrorKind::Unsupported);
    }
}
