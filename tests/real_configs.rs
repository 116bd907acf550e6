//! Config files as real tfnotify and tfcmt users wrote them, through the real binary.
//!
//! Each fixture in `tests/fixtures/configs/real/` reproduces the shape of a file found in a
//! public repository or issue (see the README there for where). For each one this suite runs
//! `config check`, then renders a captured Terraform plan (1.11 unless the table names
//! another) through `plan --output FILE`, and holds the file to what the table in
//! `real_configs/cases.rs` says: it loads (or fails the way the table says), its templates
//! produce what they must, and it warns about exactly the keys the original tools did not
//! know either.

mod common;

#[path = "real_configs/cases.rs"]
mod cases;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cases::{CASES, Case, Check, Original};
use common::run::{Ran, Test, fixture};

/// The `.Link` every case gets unless its config supplies one itself.
const LINK: &str = "https://ci.example.com/builds/42";

fn real_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/configs/real")
}

/// The binary in a clean environment holding only what `case` needs.
fn test_for(case: &Case) -> Test {
    let mut test = Test::new()
        .args(["--config"])
        .args([real_dir().join(case.file)]);
    for (key, value) in case.env {
        test = test.env(key, value);
    }
    for var in case.vars {
        test = test.args(["--var", var]);
    }
    if case.link_from_config {
        test
    } else {
        test.args(["--build-url", LINK])
    }
}

/// The warnings a run printed, each as `line:column: message` (the file name taken off).
fn warnings(ran: &Ran, case: &Case) -> Vec<String> {
    let path = real_dir().join(case.file);
    let prefix = format!("tfnotify: warning: `{}`:", path.display());
    ran.stderr
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix(&prefix);
            rest.or_else(|| line.strip_prefix("tfnotify: warning: "))
        })
        .map(str::to_owned)
        .collect()
}

fn check(case: &Case) -> Ran {
    test_for(case).args(["config", "check"]).run()
}

/// Renders the case's plan into a file the way `tfnotify plan --output` does; returns the run
/// and the file's text (empty when nothing was written).
fn render(case: &Case) -> (Ran, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("comment.md");
    let test = test_for(case)
        .args(["--notifier", "local", "plan", "--quiet", "--output"])
        .args([&out]);
    let ran = match case.exit {
        // Wrapped, so the template sees the program's exit code (`.ExitCode`).
        Some(code) => {
            let plan = dir.path().join("plan.txt");
            std::fs::write(&plan, fixture(case.plan)).expect("write plan");
            test.args(["--", "sh", "-c", r#"cat "$0"; exit "$1""#])
                .args([plan.as_os_str(), code.to_string().as_ref()])
                .run()
        }
        None => test.stdin(fixture(case.plan)).run(),
    };
    let rendered = std::fs::read_to_string(&out).unwrap_or_default();
    (ran, rendered)
}

#[test]
fn every_fixture_has_one_case_and_a_line_in_the_readme() {
    let mut files: Vec<String> = std::fs::read_dir(real_dir())
        .expect("real config fixtures")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|path| path.extension().is_some_and(|e| e == "yaml"))
        .filter_map(|path| Some(path.file_name()?.to_string_lossy().into_owned()))
        .collect();
    files.sort();
    let mut named: Vec<String> = CASES.iter().map(|c| c.file.to_owned()).collect();
    named.sort();
    assert_eq!(files, named, "fixtures and cases differ");
    let readme = std::fs::read_to_string(real_dir().join("README.md")).expect("README.md");
    for case in CASES {
        let row = readme
            .lines()
            .find(|line| line.contains(&format!("`{}`", case.file)))
            .unwrap_or_default();
        assert!(
            row.contains(case.tool),
            "README.md does not say where `{}` ({}) comes from: {row}",
            case.file,
            case.tool
        );
    }
    assert!(CASES.len() >= 40, "{} shapes", CASES.len());
}

#[test]
fn config_check_loads_each_file_as_the_table_says() {
    let mut failures = Vec::new();
    for case in CASES {
        let ran = check(case);
        let out = ran.stdout_text();
        let problem = match case.check {
            Check::Loads if ran.code != Some(0) || out.contains("ERR") => {
                Some(format!("did not load: {out}{}", ran.stderr))
            }
            Check::Loads if !out.contains("ok  markdown plan template") => {
                Some(format!("plan template not rendered: {out}"))
            }
            Check::Fails(message) if ran.code != Some(2) || !ran.stderr.contains(message) => {
                Some(format!(
                    "expected exit 2 and `{message}`, got {:?}: {}",
                    ran.code, ran.stderr
                ))
            }
            _ => None,
        };
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.file));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn warnings_name_exactly_the_keys_the_original_tools_ignored_too() {
    let mut failures = Vec::new();
    for case in CASES {
        let got = warnings(&check(case), case);
        if got != case.warnings {
            failures.push(format!(
                "{}:\n  expected {:#?}\n  got {got:#?}",
                case.file, case.warnings
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn each_plan_renders_what_its_template_writes() {
    let mut failures = Vec::new();
    for case in CASES {
        let (ran, text) = render(case);
        let problem = match case.check {
            Check::Fails(message) if case.renders.is_empty() => (ran.code != Some(2)
                || !ran.stderr.contains(message))
            .then(|| format!("expected exit 2 and `{message}`: {}", ran.stderr)),
            Check::Fails(_) | Check::Loads => {
                let missing: Vec<&str> = case
                    .renders
                    .iter()
                    .copied()
                    .filter(|want| !text.contains(want))
                    .collect();
                let shown_secrets: Vec<&str> = case
                    .hidden
                    .iter()
                    .copied()
                    .filter(|secret| text.contains(secret))
                    .collect();
                let shown: BTreeSet<String> = warnings(&ran, case).into_iter().collect();
                let expected: BTreeSet<String> =
                    case.warnings.iter().map(|w| (*w).to_owned()).collect();
                if ran.stderr.contains("tfnotify: error") {
                    Some(format!("errors: {}", ran.stderr))
                } else if text.trim().is_empty() {
                    Some(format!("nothing rendered: {}", ran.stderr))
                } else if !missing.is_empty() {
                    Some(format!("missing {missing:?} in:\n{text}"))
                } else if !shown_secrets.is_empty() {
                    Some(format!("not masked: {shown_secrets:?}"))
                } else if shown != expected {
                    Some(format!("plan warned {shown:#?}"))
                } else {
                    None
                }
            }
        };
        if let Some(problem) = problem {
            failures.push(format!("{}: {problem}", case.file));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn the_table_records_which_files_the_original_tools_refused() {
    let refused: Vec<(&str, &str)> = CASES
        .iter()
        .filter_map(|case| match case.original {
            Original::Rejected(why) => Some((case.file, why)),
            Original::Accepted => None,
        })
        .collect();
    // Each of these is a file tfnotify loads although the tool it was written for did not;
    // the README gives the reason next to the file.
    let readme = std::fs::read_to_string(real_dir().join("README.md")).expect("README.md");
    for (file, why) in &refused {
        let row = readme
            .lines()
            .find(|line| line.contains(&format!("`{file}`")))
            .unwrap_or_default();
        assert!(row.contains("rejected"), "{file}: README row: {row}");
        assert!(!why.is_empty(), "{file}");
    }
    assert_eq!(
        refused.iter().map(|(file, _)| *file).collect::<Vec<_>>(),
        [
            "v0-unknown-ci-name.yaml",
            "v0-no-ci-key.yaml",
            "v0-sprig-regex-split.yaml",
            "tfcmt0-ci-owner-repo-strings.yaml",
        ]
    );
}

/// A small plan with a replacement (so one destroy), which keeps the snapshots short.
const SNAPSHOT_PLAN: &str = "1.11/plan_replace_create_before_destroy.txt";

#[test]
fn representative_custom_templates_render_as_before() {
    let mut failures = Vec::new();
    for case in CASES.iter().filter(|case| case.snapshot) {
        let case = Case {
            plan: SNAPSHOT_PLAN,
            ..*case
        };
        let (ran, text) = render(&case);
        if ran.code != Some(0) {
            failures.push(format!("{}: {}", case.file, ran.stderr));
            continue;
        }
        let name = case.file.trim_end_matches(".yaml");
        insta::assert_snapshot!(format!("real_config__{name}"), text);
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
