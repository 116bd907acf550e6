//! The GitHub Action's installer, `scripts/install.sh`, run for real by bash against a fake
//! release host on loopback. The release it serves is made by the same `scripts/package.sh`
//! and `scripts/checksums.sh` the release workflow runs, around the real tfnotify binary,
//! so a passing test means the installer accepts what a release really ships and refuses
//! anything that does not match its checksums.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fake_release::FakeRelease;
use common::run::binary;
use tempfile::TempDir;

/// The version the repository's Cargo.toml names: what the installer takes by default.
const VERSION: &str = env!("CARGO_PKG_VERSION");
const LINUX_X64: &str = "x86_64-unknown-linux-musl";
const WINDOWS_X64: &str = "x86_64-pc-windows-msvc";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A release folder laid out like the host's `download/vVERSION/`, made by the real scripts.
struct Release {
    dir: TempDir,
}

impl Release {
    /// Release `version` with an archive for each of `targets`, and its SHA256SUMS. The
    /// archives hold a small stand-in that answers `--version` as tfnotify does: packing
    /// the 100 MB debug build takes seconds per archive.
    fn new(version: &str, targets: &[&str]) -> Release {
        let dir = TempDir::new().expect("release dir");
        let stand_in = dir.path().join("stand-in");
        fs::write(&stand_in, format!("#!/bin/sh\necho 'tfnotify {version}'\n"))
            .expect("write stand-in");
        fs::set_permissions(&stand_in, fs::Permissions::from_mode(0o755)).expect("chmod");
        Release::packing(dir, &stand_in, version, targets)
    }

    /// Release `version` with archives of the real tfnotify binary.
    fn with_real_binary(version: &str, targets: &[&str]) -> Release {
        let dir = TempDir::new().expect("release dir");
        Release::packing(dir, &binary(), version, targets)
    }

    fn packing(dir: TempDir, binary: &Path, version: &str, targets: &[&str]) -> Release {
        let release = Release { dir };
        let out = release.version_dir(version);
        for target in targets {
            let status = Command::new("bash")
                .arg(repo().join("scripts/package.sh"))
                .args([version, target])
                .arg(binary)
                .arg(&out)
                .stdout(std::process::Stdio::null())
                .status()
                .expect("run package.sh");
            assert!(status.success(), "package.sh failed for {target}");
        }
        if targets.is_empty() {
            return release;
        }
        let status = Command::new("bash")
            .arg(repo().join("scripts/checksums.sh"))
            .arg(&out)
            .status()
            .expect("run checksums.sh");
        assert!(status.success(), "checksums.sh failed");
        release
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn version_dir(&self, version: &str) -> PathBuf {
        self.dir.path().join(format!("download/v{version}"))
    }

    fn file(&self, version: &str, name: &str) -> PathBuf {
        self.version_dir(version).join(name)
    }
}

/// One run of the installer with an environment built from nothing but `PATH`.
struct Installer {
    env: Vec<(String, String)>,
    /// Where the binary goes (`TFNOTIFY_INSTALL_ROOT`), and GitHub's files.
    work: TempDir,
    /// Folder put first on PATH, for fake `cargo` and `uname`.
    tools: PathBuf,
    keep_cargo: bool,
}

/// What an installer run left behind.
struct Installed {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Installer {
    fn new(host: &FakeRelease) -> Installer {
        let work = TempDir::new().expect("work dir");
        let tools = work.path().join("tools");
        fs::create_dir(&tools).expect("tools dir");
        Installer {
            env: vec![("TFNOTIFY_RELEASES_URL".into(), host.releases_url())],
            work,
            tools,
            keep_cargo: false,
        }
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
    }

    fn env(mut self, key: &str, value: &str) -> Installer {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }

    fn without(mut self, key: &str) -> Installer {
        self.env.retain(|(k, _)| k != key);
        self
    }

    /// Puts a fake `cargo` first on PATH that records its arguments in `cargo.args` and
    /// "builds" by copying the real binary into `--root`/bin.
    fn fake_cargo(mut self) -> Installer {
        let script = format!(
            "#!/usr/bin/env bash\nprintf '%s\\n' \"$@\" > '{log}'\nroot=\nwhile [ $# -gt 0 ]; do\n  [ \"$1\" = --root ] && root=$2\n  shift\ndone\nmkdir -p \"$root/bin\" && cp '{bin}' \"$root/bin/tfnotify\"\n",
            log = self.cargo_log().display(),
            bin = binary().display(),
        );
        self.tool("cargo", &script);
        self.keep_cargo = true;
        self
    }

    /// Puts a fake `uname` first on PATH answering `-s` and `-m` as another machine would.
    fn fake_uname(self, system: &str, machine: &str) -> Installer {
        let script = format!(
            "#!/bin/sh\ncase \"$1\" in -s) echo '{system}' ;; -m) echo '{machine}' ;; *) exit 1 ;; esac\n"
        );
        self.tool("uname", &script);
        self.without("RUNNER_OS").without("RUNNER_ARCH")
    }

    fn tool(&self, name: &str, script: &str) {
        let path = self.tools.join(name);
        fs::write(&path, script).expect("write tool");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).expect("chmod tool");
    }

    fn install_root(&self) -> PathBuf {
        self.work.path().join("root")
    }

    fn github_path(&self) -> PathBuf {
        self.work.path().join("github_path")
    }

    fn github_output(&self) -> PathBuf {
        self.work.path().join("github_output")
    }

    fn cargo_log(&self) -> PathBuf {
        self.work.path().join("cargo.args")
    }

    /// The arguments the fake cargo was called with, one a line; None when never called.
    fn cargo_args(&self) -> Option<Vec<String>> {
        let text = fs::read_to_string(self.cargo_log()).ok()?;
        Some(text.lines().map(str::to_owned).collect())
    }

    /// PATH: the fake tools, then the machine's folders that hold no real `cargo` (so a
    /// missing cargo is really missing unless a fake one is put first).
    fn path(&self) -> String {
        let host = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![self.tools.clone()];
        dirs.extend(std::env::split_paths(&host).filter(|dir| !dir.join("cargo").exists()));
        std::env::join_paths(dirs)
            .expect("join PATH")
            .to_string_lossy()
            .into_owned()
    }

    fn run(&self, args: &[&str]) -> Installed {
        let mut command = Command::new("bash");
        command
            .arg(repo().join("scripts/install.sh"))
            .args(args)
            .env_clear()
            .env("PATH", self.path())
            .env("TFNOTIFY_INSTALL_ROOT", self.install_root())
            .env("GITHUB_PATH", self.github_path())
            .env("GITHUB_OUTPUT", self.github_output())
            .env("TMPDIR", self.work.path());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let output = command.output().expect("run install.sh");
        Installed {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

fn asset(version: &str, target: &str) -> String {
    let ext = if target.contains("-windows-") {
        "zip"
    } else {
        "tar.gz"
    };
    format!("tfnotify-{version}-{target}.{ext}")
}

fn version_of(path: &Path) -> String {
    let output = Command::new(path)
        .arg("--version")
        .env_clear()
        .output()
        .expect("run the installed binary");
    assert!(
        output.status.success(),
        "{} --version failed",
        path.display()
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn installs_the_verified_release_binary_and_puts_it_on_the_path() {
    let release = Release::with_real_binary(VERSION, &[LINUX_X64]);
    let host = FakeRelease::start(release.root(), None);
    let installer = Installer::new(&host);
    let run = installer.run(&[]);

    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let binary_path = installer.install_root().join("bin/tfnotify");
    assert_eq!(run.stdout.trim(), binary_path.display().to_string());
    assert_eq!(version_of(&binary_path), format!("tfnotify {VERSION}"));
    assert_eq!(
        fs::read_to_string(installer.github_path()).expect("GITHUB_PATH written"),
        format!("{}\n", installer.install_root().join("bin").display())
    );
    assert_eq!(
        fs::read_to_string(installer.github_output()).expect("GITHUB_OUTPUT written"),
        format!("path={}\nversion={VERSION}\n", binary_path.display())
    );
    assert_eq!(
        host.requests(),
        [
            format!(
                "/releases/download/v{VERSION}/{}",
                asset(VERSION, LINUX_X64)
            ),
            format!("/releases/download/v{VERSION}/SHA256SUMS"),
        ]
    );
    assert_eq!(installer.cargo_args(), None);
}

#[test]
fn installs_the_windows_zip() {
    let release = Release::new(VERSION, &[WINDOWS_X64]);
    let host = FakeRelease::start(release.root(), None);
    let installer = Installer::new(&host).env("RUNNER_OS", "Windows");
    let run = installer.run(&[]);

    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let binary_path = installer.install_root().join("bin/tfnotify.exe");
    assert_eq!(run.stdout.trim(), binary_path.display().to_string());
    assert_eq!(version_of(&binary_path), format!("tfnotify {VERSION}"));
}

#[test]
fn a_version_with_or_without_v_and_latest_name_the_same_release() {
    let release = Release::new("7.8.9", &[LINUX_X64]);
    let host = FakeRelease::start(release.root(), Some("v7.8.9"));
    for version in ["7.8.9", "v7.8.9", "latest"] {
        let installer = Installer::new(&host).env("TFNOTIFY_VERSION", version);
        let run = installer.run(&[]);
        assert_eq!(run.code, Some(0), "{version}: {}", run.stderr);
        let output = fs::read_to_string(installer.github_output()).expect("GITHUB_OUTPUT");
        assert!(output.ends_with("version=7.8.9\n"), "{version}: {output}");
    }
    let requests = host.requests();
    assert!(
        requests.contains(&"/releases/latest".to_owned()),
        "{requests:?}"
    );
    assert!(
        requests.contains(&format!(
            "/releases/download/v7.8.9/{}",
            asset("7.8.9", LINUX_X64)
        )),
        "{requests:?}"
    );
}

#[test]
fn a_tampered_archive_is_refused_and_nothing_is_installed() {
    let release = Release::new(VERSION, &[LINUX_X64]);
    let archive = release.file(VERSION, &asset(VERSION, LINUX_X64));
    let mut bytes = fs::read(&archive).expect("archive");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs::write(&archive, bytes).expect("tamper");
    let host = FakeRelease::start(release.root(), None);
    let installer = Installer::new(&host).fake_cargo();
    let run = installer.run(&[]);

    assert_eq!(run.code, Some(1));
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!(
            "tfnotify install: checksum mismatch for `{}` from `{}/download/v{VERSION}`: SHA256SUMS says ",
            asset(VERSION, LINUX_X64),
            host.releases_url()
        )),
        "{first}"
    );
    assert!(first.ends_with("refusing to install it (a corrupt or tampered download)"));
    assert!(!installer.install_root().join("bin").exists());
    assert!(!installer.github_path().exists());
    assert_eq!(
        installer.cargo_args(),
        None,
        "no fallback around a bad checksum"
    );
}

#[test]
fn a_release_without_checksums_or_without_this_archive_in_them_is_refused() {
    let release = Release::new(VERSION, &[LINUX_X64]);
    let sums = release.file(VERSION, "SHA256SUMS");
    let listed = fs::read_to_string(&sums).expect("SHA256SUMS");

    fs::write(&sums, listed.replace(LINUX_X64, "x86_64-unknown-linux-gnu")).expect("rewrite");
    let host = FakeRelease::start(release.root(), None);
    let run = Installer::new(&host).run(&[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "tfnotify install: `SHA256SUMS` of release v{VERSION} does not list `{}`: refusing to install an unverified binary",
            asset(VERSION, LINUX_X64)
        )
    );

    fs::remove_file(&sums).expect("remove SHA256SUMS");
    let run = Installer::new(&host).run(&[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.trim_end(),
        format!(
            "tfnotify install: release v{VERSION} has `{}` but its `SHA256SUMS` could not be downloaded (HTTP 404): refusing to install an unverified binary",
            asset(VERSION, LINUX_X64)
        )
    );
}

#[test]
fn a_release_without_this_platform_builds_the_action_source_with_cargo() {
    let release = Release::new(VERSION, &[LINUX_X64]);
    let host = FakeRelease::start(release.root(), None);
    let installer = Installer::new(&host)
        .env("RUNNER_ARCH", "ARM64")
        .fake_cargo();
    let run = installer.run(&[]);

    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    let root = installer.install_root();
    assert_eq!(
        installer.cargo_args().expect("cargo was run"),
        [
            "install",
            "--locked",
            "--root",
            &root.display().to_string(),
            "--path",
            &repo().display().to_string(),
        ]
    );
    assert!(
        run.stderr.starts_with(&format!(
            "tfnotify install: release v{VERSION} has no `{}` at `{}/download/v{VERSION}`\n",
            asset(VERSION, "aarch64-unknown-linux-musl"),
            host.releases_url()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(
        version_of(&root.join("bin/tfnotify")),
        format!("tfnotify {VERSION}")
    );
    assert!(installer.github_path().exists());
}

#[test]
fn another_version_than_the_source_is_built_from_its_tag() {
    let release = Release::new(VERSION, &[LINUX_X64]);
    let host = FakeRelease::start(release.root(), None);
    let installer = Installer::new(&host)
        .env("TFNOTIFY_VERSION", "9.9.9")
        .env("TFNOTIFY_REPOSITORY", "acme/tfnotify")
        .fake_cargo();
    let run = installer.run(&[]);

    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(
        installer.cargo_args().expect("cargo was run"),
        [
            "install",
            "--locked",
            "--root",
            &installer.install_root().display().to_string(),
            "--git",
            "https://github.com/acme/tfnotify",
            "--tag",
            "v9.9.9",
            "tfnotify",
        ]
    );
}

#[test]
fn an_unsupported_platform_says_so_and_falls_back_to_cargo() {
    let release = Release::new(VERSION, &[LINUX_X64]);
    let host = FakeRelease::start(release.root(), None);

    let installer = Installer::new(&host).env("RUNNER_ARCH", "ARM").fake_cargo();
    let run = installer.run(&[]);
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert!(
        run.stderr
            .starts_with("tfnotify install: no prebuilt tfnotify for Linux/ARM\n"),
        "{}",
        run.stderr
    );
    assert!(installer.cargo_args().is_some(), "cargo was not run");
    assert_eq!(host.requests(), Vec::<String>::new());

    let run = Installer::new(&host).env("RUNNER_ARCH", "ARM").run(&[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.lines().last(),
        Some(
            "tfnotify install: no prebuilt tfnotify for Linux/ARM and `cargo` is not on PATH: install a Rust toolchain before this step, or use a released version on a Linux, macOS or Windows x64 runner"
        )
    );

    let run = Installer::new(&host)
        .env("RUNNER_ARCH", "ARM")
        .run(&["--asset"]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "tfnotify install: no prebuilt tfnotify for Linux/ARM\n"
    );
}

#[test]
fn without_runner_variables_uname_names_the_platform() {
    let release = Release::new(VERSION, &[]);
    let host = FakeRelease::start(release.root(), None);
    for (system, machine, target) in [
        ("Linux", "x86_64", LINUX_X64),
        ("Linux", "aarch64", "aarch64-unknown-linux-musl"),
        ("Darwin", "arm64", "aarch64-apple-darwin"),
        ("Darwin", "x86_64", "x86_64-apple-darwin"),
        ("MINGW64_NT-10.0-20348", "x86_64", WINDOWS_X64),
    ] {
        let run = Installer::new(&host)
            .fake_uname(system, machine)
            .run(&["--asset"]);
        assert_eq!(run.code, Some(0), "{system}/{machine}: {}", run.stderr);
        assert_eq!(run.stdout, format!("{}\n", asset(VERSION, target)));
    }
}

#[test]
fn a_malformed_version_is_refused() {
    let release = Release::new(VERSION, &[]);
    let host = FakeRelease::start(release.root(), None);
    for version in ["main; rm -rf /", "1.2.3/../../../x", "1.2.3 ", "1.2"] {
        let run = Installer::new(&host)
            .env("TFNOTIFY_VERSION", version)
            .run(&[]);
        assert_eq!(run.code, Some(1));
        assert_eq!(
            run.stderr,
            format!(
                "tfnotify install: `{version}` is not a version: TFNOTIFY_VERSION takes 1.2.3, v1.2.3 or latest\n"
            )
        );
    }
}

#[test]
fn a_latest_release_that_leads_to_no_version_is_refused() {
    let release = Release::new(VERSION, &[]);
    let host = FakeRelease::start(release.root(), Some("v1.2.3%2F..%2F..%2Fx"));
    let run = Installer::new(&host)
        .env("TFNOTIFY_VERSION", "latest")
        .run(&[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        "tfnotify install: `1.2.3%2F..%2F..%2Fx` is not a version: TFNOTIFY_VERSION takes 1.2.3, v1.2.3 or latest\n"
    );

    let host = FakeRelease::start(release.root(), None);
    let run = Installer::new(&host)
        .env("TFNOTIFY_VERSION", "latest")
        .run(&[]);
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr,
        format!(
            "tfnotify install: `{url}/latest` led to `{url}/latest`, not to a release tag: set TFNOTIFY_VERSION to a version\n",
            url = host.releases_url()
        )
    );
}
