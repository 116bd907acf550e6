//! Runs the real binary the way a user or CI would, in a clean environment.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The binary under test.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_tfnotify"))
}

/// One invocation of the binary. The environment starts empty (CI runs these tests with
/// `CI=true` and more, which must not leak in); only `PATH` is kept so children can be found.
#[must_use]
pub struct Test {
    args: Vec<OsString>,
    stdin: Vec<u8>,
    env: Vec<(OsString, OsString)>,
    dir: Option<PathBuf>,
    /// `RLIMIT_DATA` for the binary, in KiB: its heap cannot grow past it.
    data_limit_kib: Option<u64>,
}

/// What a finished invocation left behind.
#[derive(Debug)]
pub struct Ran {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Ran {
    /// stdout as text, for assertions on readable output.
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

impl Test {
    pub fn new() -> Self {
        Test {
            args: Vec::new(),
            stdin: Vec::new(),
            env: Vec::new(),
            dir: None,
            data_limit_kib: None,
        }
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = bytes.into();
        self
    }

    pub fn env(mut self, key: &str, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn dir(mut self, dir: &Path) -> Self {
        self.dir = Some(dir.to_owned());
        self
    }

    /// Caps the binary's heap (`ulimit -d`), so a test can prove memory stays bounded: an
    /// allocation past the cap aborts the run.
    pub fn data_limit(mut self, bytes: u64) -> Self {
        self.data_limit_kib = Some(bytes / 1024);
        self
    }

    /// The command, ready to spawn with whatever stdio the caller wants.
    pub fn command(&self) -> Command {
        let mut command = match self.data_limit_kib {
            Some(kib) => {
                let mut shell = Command::new("sh");
                shell
                    .args(["-c", r#"ulimit -d "$0" && exec "$@""#])
                    .arg(kib.to_string())
                    .arg(binary());
                shell
            }
            None => Command::new(binary()),
        };
        command.args(&self.args).env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        command
    }

    /// Spawns with all three streams piped.
    pub fn spawn(&self) -> Child {
        self.command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tfnotify")
    }

    /// Runs to completion, feeding stdin from another thread so big inputs cannot deadlock.
    pub fn run(self) -> Ran {
        let mut child = self.spawn();
        let mut stdin = child.stdin.take().expect("stdin");
        let input = self.stdin.clone();
        let writer = std::thread::spawn(move || {
            // The binary may legitimately stop reading early (e.g. bad flags).
            let _ = stdin.write_all(&input);
        });
        let Output {
            status,
            stdout,
            stderr,
        } = child.wait_with_output().expect("wait");
        writer.join().expect("stdin writer");
        Ran {
            code: status.code(),
            stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }
}

/// A fixture's bytes by its path under `tests/fixtures/terraform`.
pub fn fixture(path: &str) -> Vec<u8> {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/terraform")
        .join(path);
    std::fs::read(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}
