//! `tfnotify completions` and `tfnotify man` through the real binary: every shell gets a
//! script its own parser accepts, and the man pages render cleanly and name every command.
//! A syntax check whose shell or formatter is not installed says so on stderr instead of
//! passing silently; the content checks run either way.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clap::CommandFactory;
use common::run::{Ran, Test};
use tfnotify::cli::Cli;

const SHELLS: [&str; 5] = ["bash", "zsh", "fish", "powershell", "elvish"];

fn completions(shell: &str) -> String {
    let ran = Test::new().args(["completions", shell]).run();
    assert_eq!(ran.code, Some(0), "{shell}: {}", ran.stderr);
    assert_eq!(ran.stderr, "", "{shell}: nothing on stderr");
    ran.stdout_text()
}

/// How a shell's script spells a long flag: fish names it `-l config`, the others `--config`.
fn long_flag(shell: &str, name: &str) -> String {
    if shell == "fish" {
        format!("-l {name}")
    } else {
        format!("--{name}")
    }
}

#[test]
fn every_shell_gets_a_script_that_knows_the_commands_and_flags() {
    for shell in SHELLS {
        let script = completions(shell);
        assert!(script.contains("tfnotify"), "{shell}: {script}");
        for command in ["plan", "apply", "summary", "render", "completions", "man"] {
            assert!(script.contains(command), "{shell} lacks `{command}`");
        }
        for flag in [
            "config",
            "plan-json",
            "plan-file",
            "terraform-bin",
            "notifier",
        ] {
            let spelt = long_flag(shell, flag);
            assert!(script.contains(&spelt), "{shell} lacks `{spelt}`");
        }
    }
}

#[test]
fn the_bash_script_is_valid_bash() {
    check_syntax("bash", "bash", &["-n"]);
}

/// The script loaded into bash completes what a user types: a command, a flag, a shell.
#[test]
fn bash_completes_commands_flags_and_shells() {
    let script = completions("bash");
    let complete = |words: &str, cword: usize| {
        let program = format!(
            "{script}\nCOMP_WORDS=({words}); COMP_CWORD={cword}; \
             _tfnotify tfnotify \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\""
        );
        let out = pipe_through("bash", &[], program.as_bytes());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(complete("tfnotify pl", 1), "plan\n");
    assert_eq!(
        complete("tfnotify plan --plan-", 2),
        "--plan-json\n--plan-file\n"
    );
    assert_eq!(complete("tfnotify man --d", 2), "--dir\n");
    let shells = complete("tfnotify completions ''", 2);
    for shell in SHELLS {
        assert!(shells.lines().any(|l| l == shell), "{shell}: {shells}");
    }
}

#[test]
fn the_zsh_script_is_valid_zsh() {
    check_syntax("zsh", "zsh", &["-n"]);
}

#[test]
fn the_fish_script_is_valid_fish() {
    check_syntax("fish", "fish", &["--no-execute"]);
}

/// Feeds `shell`'s script to `program args…` on stdin; the program must accept it.
fn check_syntax(shell: &str, program: &str, args: &[&str]) {
    let script = completions(shell);
    if !installed(program) && shell != "bash" {
        skipped(&format!(
            "{shell} syntax check skipped: `{program}` is not installed (the content checks still run)"
        ));
        return;
    }
    let out = pipe_through(program, args, script.as_bytes());
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "`{program} {}` rejects the {shell} script: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let ran = Test::new().args(["completions", "tcsh"]).run();
    assert_eq!(ran.code, Some(2));
    assert_eq!(ran.stdout, b"");
    assert!(
        ran.stderr
            .starts_with("error: invalid value 'tcsh' for '<SHELL>'"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("bash, elvish, fish, powershell, zsh"));
}

#[test]
fn the_man_page_names_every_command_and_renders_without_warnings() {
    let ran = Test::new().args(["man"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stderr, "");
    let page = ran.stdout_text();
    assert!(page.starts_with(".ie \\n(.g"), "roff: {page}");
    assert!(page.contains(".TH tfnotify 1"), "{page}");
    assert!(page.contains("\\fB\\-\\-config\\fR"), "{page}");
    let names = subcommand_names(&Cli::command());
    assert!(names.len() >= 11, "{names:?}");
    for name in names {
        let entry = format!("tfnotify\\-{name}(1)");
        assert!(page.contains(&entry), "the man page lacks `{entry}`");
    }
    assert!(page.is_ascii(), "non-ASCII roff needs a preprocessor");
    check_roff("tfnotify.1", page.as_bytes());
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("man1");
    let ran = Test::new().args(["man", "--dir"]).args([&out]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert_eq!(ran.stdout, b"");
    let mut expected = vec!["tfnotify.1".to_owned()];
    page_names(&Cli::command(), "tfnotify", &mut expected);
    assert!(expected.contains(&"tfnotify-config-check.1".to_owned()));
    let mut written: Vec<String> = std::fs::read_dir(&out)
        .expect("man dir")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .collect();
    written.sort();
    expected.sort();
    assert_eq!(written, expected);
    let top = std::fs::read(out.join("tfnotify.1")).expect("tfnotify.1");
    let printed = Test::new().args(["man"]).run().stdout;
    assert!(top == printed, "`--dir` and stdout differ for the top page");
    for name in &written {
        let page = std::fs::read(out.join(name)).expect("page");
        assert!(
            String::from_utf8_lossy(&page).contains(".TH tfnotify"),
            "{name}"
        );
        check_roff(name, &page);
    }
}

#[test]
fn man_dir_that_cannot_be_written_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("taken");
    std::fs::write(&file, "").expect("file");
    let ran = Test::new().args(["man", "--dir"]).args([&file]).run();
    assert_eq!(ran.code, Some(2));
    let first = ran.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("tfnotify: error: could not write the man page `")
            && first.contains("taken`"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("hint: give `--dir` a directory"));
}

/// Neither command needs a config, CI, a token or stdin: a broken config in the working
/// directory, CI variables and a stdin that never closes change nothing.
#[test]
fn neither_command_reads_config_ci_or_stdin() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("tfnotify.yaml"), "ci: [unclosed\n").expect("config");
    for args in [&["completions", "bash"][..], &["man"]] {
        let test = Test::new()
            .args(args.iter().copied())
            .dir(dir.path())
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_TOKEN", "t0ken");
        let ran = run_with_open_stdin(&test);
        assert_eq!(ran.code, Some(0), "{args:?}: {}", ran.stderr);
        assert_eq!(ran.stderr, "", "{args:?}");
        assert!(!ran.stdout.is_empty(), "{args:?}");
    }
}

/// Runs with a stdin that stays open: a command that read it would never finish.
fn run_with_open_stdin(test: &Test) -> Ran {
    let mut child = test
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn tfnotify");
    let stdin = child.stdin.take();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("try_wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running after 30 s: it waits for stdin");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    drop(stdin);
    let out = child.wait_with_output().expect("output");
    Ran {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The visible subcommands of `command`, as the definition has them (clap's `help` is
/// added only when the command is built, and has no page).
fn subcommand_names(command: &clap::Command) -> Vec<String> {
    command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().to_owned())
        .collect()
}

/// The page file of every subcommand under `command`, at any depth.
fn page_names(command: &clap::Command, prefix: &str, names: &mut Vec<String>) {
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = format!("{prefix}-{}", sub.get_name());
        names.push(format!("{name}.1"));
        page_names(sub, &name, names);
    }
}

/// Renders a page with groff, warnings on; any warning fails. Skipped, and said so, when
/// groff is not installed (`.ci/run` installs it).
fn check_roff(name: &str, page: &[u8]) {
    if !installed("groff") {
        skipped(&format!(
            "man page check of `{name}` skipped: `groff` is not installed (apt-get install groff-base)"
        ));
        return;
    }
    let out = pipe_through("groff", &["-man", "-Tutf8", "-ww", "-z"], page);
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "groff warns about `{name}`: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Runs `program args…` with `input` on stdin (written from a thread, so a large script
/// cannot deadlock against a full stderr pipe).
fn pipe_through(program: &str, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = Command::new(program)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn `{program}`: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait");
    writer.join().expect("writer").expect("write stdin");
    out
}

/// Says on the real stderr, past the test harness's capture, that a check did not run.
fn skipped(why: &str) {
    let _ = writeln!(std::io::stderr().lock(), "note: {why}");
}
