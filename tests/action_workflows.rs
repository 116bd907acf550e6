//! The GitHub Action (`action.yml`) and the CI and release workflows cannot run here, so
//! these tests check what can be checked without GitHub: that the action's inputs reach its
//! scripts through the environment and never through the script text (script injection),
//! that every action used is pinned to a commit, that the archives the release workflow
//! builds are exactly those the installer asks for, and that the action's run step hands
//! the real tfnotify its inputs and passes Terraform's output and exit code through.
//! actionlint and shellcheck lint the same files in `.ci/run` when they are installed.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use common::run::binary;
use regex::Regex;
use serde_json::Value;
use tempfile::TempDir;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn workflows() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(repo().join(".github/workflows"))
        .expect("workflows folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.extension().is_some_and(|ext| {
                ext.eq_ignore_ascii_case("yml") || ext.eq_ignore_ascii_case("yaml")
            })
        })
        .map(|path| {
            let name = path.file_name().expect("file name").to_string_lossy();
            format!(".github/workflows/{name}")
        })
        .collect();
    names.sort();
    assert!(!names.is_empty(), "no workflows found");
    names
}

/// Every step of a workflow (all jobs) or of a composite action.
fn steps(document: &Value) -> Vec<&Value> {
    let mut all = Vec::new();
    if let Some(steps) = document.pointer("/runs/steps").and_then(Value::as_array) {
        all.extend(steps);
    }
    if let Some(jobs) = document.get("jobs").and_then(Value::as_object) {
        for job in jobs.values() {
            if let Some(steps) = job.get("steps").and_then(Value::as_array) {
                all.extend(steps);
            }
        }
    }
    all
}

/// Every string in a YAML value, wherever it sits.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|item| strings(item, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            strings(v, out);
        }),
        _ => {}
    }
}

#[test]
fn no_run_script_holds_an_expression() {
    for path in std::iter::once("action.yml".to_owned()).chain(workflows()) {
        for step in steps(&yaml(&path)) {
            if let Some(script) = step.get("run").and_then(Value::as_str) {
                assert!(
                    !script.contains("${{"),
                    "{path}: a `run:` script holds an expression; pass it through `env:` instead:\n{script}"
                );
            }
        }
    }
}

#[test]
fn every_action_used_is_pinned_to_a_commit() {
    let pinned = Regex::new(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$").expect("regex");
    for path in workflows() {
        for step in steps(&yaml(&path)) {
            if let Some(uses) = step.get("uses").and_then(Value::as_str) {
                assert!(
                    pinned.is_match(uses),
                    "{path}: `{uses}` is not pinned to a commit"
                );
            }
        }
    }
}

#[test]
fn workflows_grant_write_access_only_to_the_release_job() {
    for path in workflows() {
        let workflow = yaml(&path);
        assert!(
            workflow.get("permissions").is_some(),
            "{path}: no top-level `permissions:` (the default token may write)"
        );
        let jobs = workflow
            .get("jobs")
            .and_then(Value::as_object)
            .expect("jobs");
        for (name, job) in jobs {
            let writes = job
                .get("permissions")
                .and_then(Value::as_object)
                .is_some_and(|p| p.values().any(|v| v == "write"));
            let expected = path.ends_with("release.yml") && name == "release";
            assert_eq!(writes, expected, "{path}: job `{name}` write permissions");
        }
    }
}

#[test]
fn the_action_reads_only_inputs_it_declares_and_uses_all_of_them() {
    let action = yaml("action.yml");
    let declared: BTreeSet<String> = action
        .get("inputs")
        .and_then(Value::as_object)
        .expect("inputs")
        .keys()
        .cloned()
        .collect();
    let mut texts = Vec::new();
    strings(action.get("runs").expect("runs"), &mut texts);
    let reference = Regex::new(r"inputs\.([A-Za-z0-9_-]+)").expect("regex");
    let used: BTreeSet<String> = texts
        .iter()
        .flat_map(|text| reference.captures_iter(text).map(|c| c[1].to_owned()))
        .collect();
    assert_eq!(used, declared);
    assert_eq!(
        action.pointer("/runs/using"),
        Some(&Value::from("composite"))
    );
    for step in steps(&action) {
        if step.get("run").is_some() {
            assert!(
                step.get("shell").is_some(),
                "a composite run step needs `shell:`"
            );
        }
    }
}

#[test]
fn the_action_outputs_come_from_its_steps_and_its_scripts_exist() {
    let action = yaml("action.yml");
    let ids: BTreeSet<&str> = steps(&action)
        .iter()
        .filter_map(|step| step.get("id").and_then(Value::as_str))
        .collect();
    let output = Regex::new(r"^\$\{\{ steps\.([a-z-]+)\.outputs\.[a-z-]+ \}\}$").expect("regex");
    for (name, spec) in action
        .get("outputs")
        .and_then(Value::as_object)
        .expect("outputs")
    {
        let value = spec.get("value").and_then(Value::as_str).expect("value");
        let id = output
            .captures(value)
            .unwrap_or_else(|| panic!("output `{name}`: `{value}`"))[1]
            .to_owned();
        assert!(
            ids.contains(id.as_str()),
            "output `{name}` reads unknown step `{id}`"
        );
    }
    let script = Regex::new(r#"^"\$GITHUB_ACTION_PATH/(scripts/[a-z-]+\.sh)"$"#).expect("regex");
    for step in steps(&action) {
        let run = step.get("run").and_then(Value::as_str).expect("run");
        let path = &script.captures(run).unwrap_or_else(|| panic!("run: {run}"))[1];
        let mode = fs::metadata(repo().join(path))
            .expect(path)
            .permissions()
            .mode();
        assert_ne!(mode & 0o111, 0, "{path} is not executable");
        // Each variable the step sets is one its script reads.
        let text = read(path);
        for name in step
            .get("env")
            .and_then(Value::as_object)
            .expect("env")
            .keys()
        {
            assert!(
                text.contains(&format!("${{{name}")) || name == "GITHUB_TOKEN",
                "{path} never reads `{name}`"
            );
        }
    }
}

/// The archive name `scripts/package.sh` gives `target`'s build of `version`.
fn packaged_name(version: &str, target: &str, work: &Path) -> String {
    let stand_in = work.join("tfnotify");
    fs::write(&stand_in, "#!/bin/sh\n").expect("stand-in");
    let output = Command::new("bash")
        .arg(repo().join("scripts/package.sh"))
        .args([version, target])
        .arg(&stand_in)
        .arg(work.join("dist"))
        .output()
        .expect("run package.sh");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(Path::new(&path).is_file(), "package.sh printed `{path}`");
    Path::new(&path)
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// The archive the installer asks for on a runner, or None where none is released.
fn asked_for(version: &str, os: &str, arch: &str) -> Option<String> {
    let output = Command::new("bash")
        .arg(repo().join("scripts/install.sh"))
        .arg("--asset")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TFNOTIFY_VERSION", version)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .output()
        .expect("run install.sh");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[test]
fn the_release_builds_exactly_the_archives_the_installer_asks_for() {
    let release = yaml(".github/workflows/release.yml");
    let targets: Vec<String> = release
        .pointer("/jobs/build/strategy/matrix/include")
        .and_then(Value::as_array)
        .expect("build matrix")
        .iter()
        .map(|entry| {
            entry
                .get("target")
                .and_then(Value::as_str)
                .expect("target")
                .to_owned()
        })
        .collect();
    let work = TempDir::new().expect("work dir");
    let built: BTreeSet<String> = targets
        .iter()
        .map(|target| packaged_name("v1.2.3", target, work.path()))
        .collect();
    assert_eq!(
        built.len(),
        targets.len(),
        "a target built twice: {targets:?}"
    );

    // Every runner GitHub offers (RUNNER_OS x RUNNER_ARCH).
    let mut asked = BTreeSet::new();
    for os in ["Linux", "macOS", "Windows"] {
        for arch in ["X64", "ARM64", "X86", "ARM"] {
            asked.extend(asked_for("1.2.3", os, arch));
        }
    }
    assert_eq!(asked, built);

    // The workflow packs and sums with the shared scripts, not a naming of its own.
    let mut texts = Vec::new();
    strings(&release, &mut texts);
    assert!(texts.iter().any(|t| t.contains("scripts/package.sh ")));
    assert!(
        texts
            .iter()
            .any(|t| t.contains("scripts/checksums.sh dist"))
    );
}

/// What an archive holds, one path a line, listed by the tool that opens it.
fn archive_listing(archive: &Path) -> String {
    let output = if archive.extension().is_some_and(|ext| ext == "zip") {
        Command::new("unzip").arg("-Z1").arg(archive).output()
    } else {
        Command::new("tar").arg("-tzf").arg(archive).output()
    }
    .expect("list the archive");
    assert!(output.status.success(), "{}", archive.display());
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_release_package_step_packs_each_build_under_its_name() {
    let release = yaml(".github/workflows/release.yml");
    let build = release.pointer("/jobs/build").expect("build job");
    let package = steps(&release)
        .into_iter()
        .find(|step| step.get("name").and_then(Value::as_str) == Some("package"))
        .and_then(|step| step.get("run").and_then(Value::as_str))
        .expect("the package step");
    let matrix = build
        .pointer("/strategy/matrix/include")
        .and_then(Value::as_array)
        .expect("build matrix");
    for entry in matrix {
        let target = entry.get("target").and_then(Value::as_str).expect("target");
        let os = entry.get("os").and_then(Value::as_str).expect("os");
        let (runner_os, binary) = match os.split('-').next() {
            Some("ubuntu") => ("Linux", "tfnotify"),
            Some("macos") => ("macOS", "tfnotify"),
            Some("windows") => ("Windows", "tfnotify.exe"),
            _ => panic!("runner `{os}` of `{target}` is none this test knows"),
        };
        // A checkout as the job has it: the scripts, and cargo's build of the target.
        let work = TempDir::new().expect("work dir");
        std::os::unix::fs::symlink(repo().join("scripts"), work.path().join("scripts"))
            .expect("link scripts");
        let release_dir = work.path().join(format!("target/{target}/release"));
        fs::create_dir_all(&release_dir).expect("build dir");
        fs::write(release_dir.join(binary), "#!/bin/sh\n").expect("stand-in build");
        let output = Command::new("bash")
            .args(["-e", "-c", package])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TARGET", target)
            .env("RUNNER_OS", runner_os)
            .env("GITHUB_REF_NAME", "v1.2.3")
            .current_dir(work.path())
            .output()
            .expect("run the package step");
        assert!(
            output.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let ext = if runner_os == "Windows" {
            "zip"
        } else {
            "tar.gz"
        };
        let name = format!("tfnotify-1.2.3-{target}");
        let archive = work.path().join(format!("dist/{name}.{ext}"));
        let listing = archive_listing(&archive);
        let mut entries: Vec<&str> = listing.lines().filter(|l| !l.ends_with('/')).collect();
        entries.sort_unstable();
        assert_eq!(
            entries,
            [
                format!("{name}/CHANGELOG.md"),
                format!("{name}/README.md"),
                format!("{name}/{binary}"),
            ],
            "{target}"
        );
        assert_eq!(
            asked_for(
                "1.2.3",
                runner_os,
                if target.starts_with("x86_64") {
                    "X64"
                } else {
                    "ARM64"
                }
            ),
            Some(format!("{name}.{ext}")),
            "the installer on a {runner_os} runner asks for another archive than {target}'s"
        );
    }
}

#[test]
fn the_release_refuses_a_tag_that_is_not_the_crates_version() {
    let release = yaml(".github/workflows/release.yml");
    let check = steps(&release)
        .into_iter()
        .find(|step| {
            step.get("name").and_then(Value::as_str)
                == Some("the tag names the version in Cargo.toml")
        })
        .and_then(|step| step.get("run").and_then(Value::as_str))
        .expect("the version check step");
    let run = |tag: &str| {
        Command::new("bash")
            .args(["-e", "-c", check])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("GITHUB_REF_NAME", tag)
            .current_dir(repo())
            .output()
            .expect("run the version check")
    };
    let version = env!("CARGO_PKG_VERSION");
    assert!(run(&format!("v{version}")).status.success());
    let refused = run("v99.0.0");
    assert!(!refused.status.success());
    assert_eq!(
        String::from_utf8_lossy(&refused.stdout),
        format!("::error::tag v99.0.0 does not match Cargo.toml's version {version}\n")
    );
}

#[test]
fn ci_runs_the_projects_one_entry_point() {
    let ci = yaml(".github/workflows/ci.yml");
    let mut texts = Vec::new();
    strings(&ci, &mut texts);
    assert!(
        texts.iter().any(|t| t.trim() == "bash .ci/run"),
        "{texts:?}"
    );
}

/// One run of the action's run step with the real tfnotify, environment built from nothing.
fn action_run(work: &Path, inputs: &[(&str, &str)]) -> (Option<i32>, Vec<u8>, String) {
    let mut command = Command::new("bash");
    command
        .arg(repo().join("scripts/action-run.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TFNOTIFY_BIN", binary())
        .env("GITHUB_OUTPUT", work.join("github_output"))
        .current_dir(work);
    for (k, v) in inputs {
        command.env(k, v);
    }
    let output = command.output().expect("run action-run.sh");
    (
        output.status.code(),
        output.stdout,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_run_step_wraps_terraform_and_passes_its_output_and_exit_code_through() {
    let work = TempDir::new().expect("work dir");
    let fixture = repo().join("tests/fixtures/terraform/1.11/plan_create_only.txt");
    fs::copy(&fixture, work.path().join("plan.txt")).expect("copy fixture");
    let (code, stdout, stderr) = action_run(
        work.path(),
        &[
            ("INPUT_COMMAND", "plan"),
            ("INPUT_TERRAFORM_COMMAND", "cat plan.txt; exit 2"),
            ("INPUT_TARGET", "prod"),
        ],
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(stdout, fs::read(&fixture).expect("fixture"));
    assert!(
        stderr
            .trim_start()
            .starts_with("tfnotify plan: Changes to apply\n"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(work.path().join("github_output")).expect("GITHUB_OUTPUT"),
        "exit-code=2\n"
    );

    // `args`, one a line, reach tfnotify: `--quiet` leaves the summary out.
    let (code, _, stderr) = action_run(
        work.path(),
        &[
            ("INPUT_COMMAND", "plan"),
            ("INPUT_TERRAFORM_COMMAND", "cat plan.txt; exit 2"),
            ("INPUT_ARGS", "--quiet\r\n\n"),
        ],
    );
    assert_eq!((code, stderr.as_str()), (Some(2), ""));
}

#[test]
fn success_exit_codes_decide_whether_the_step_fails() {
    let work = TempDir::new().expect("work dir");
    let output = work.path().join("github_output");
    for (codes, terraform_exit, step_exit) in [
        ("0 2", 2, 0),
        ("0,2", 2, 0),
        (" ", 2, 2),
        ("0 2", 1, 1),
        ("0", 0, 0),
    ] {
        let _ = fs::remove_file(&output);
        let (code, _, stderr) = action_run(
            work.path(),
            &[
                ("INPUT_COMMAND", "fmt"),
                ("INPUT_TERRAFORM_COMMAND", &format!("exit {terraform_exit}")),
                ("INPUT_SUCCESS_EXIT_CODES", codes),
            ],
        );
        assert_eq!(
            code,
            Some(step_exit),
            "{codes:?} {terraform_exit}: {stderr}"
        );
        assert_eq!(
            fs::read_to_string(&output).expect("GITHUB_OUTPUT"),
            format!("exit-code={terraform_exit}\n")
        );
    }

    let (code, _, stderr) = action_run(
        work.path(),
        &[
            ("INPUT_COMMAND", "plan"),
            ("INPUT_SUCCESS_EXIT_CODES", "0 *"),
        ],
    );
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "tfnotify action: `*` in the `success-exit-codes` input is not an exit code: list numbers, e.g. `0 2`\n"
    );
}

#[test]
fn the_run_step_names_its_config_and_refuses_an_empty_command() {
    let work = TempDir::new().expect("work dir");
    let (code, _, stderr) = action_run(
        work.path(),
        &[
            ("INPUT_COMMAND", "plan"),
            ("INPUT_CONFIG", "missing.yaml"),
            ("INPUT_TERRAFORM_COMMAND", "true"),
        ],
    );
    assert_ne!(code, Some(0));
    assert!(stderr.contains("missing.yaml"), "{stderr}");

    let (code, _, stderr) = action_run(work.path(), &[("INPUT_TERRAFORM_COMMAND", "true")]);
    assert_eq!(code, Some(2));
    assert_eq!(
        stderr,
        "tfnotify action: the `command` input is empty: set it to plan, apply, destroy, fmt, validate or summary, or set `install-only: true`\n"
    );
}
