//! The binary end to end, in both modes, with real child processes.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use common::run::{Test, fixture};

const MIXED: &str = "1.11/plan_mixed.txt";

#[test]
fn stdin_mode_passes_the_input_through_byte_for_byte_and_summarises() {
    let input = fixture(MIXED);
    let ran = Test::new().args(["plan"]).stdin(input.clone()).run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stdout == input, "stdout differs from the input");
    assert!(
        ran.stderr.contains("tfnotify plan: Changes to apply"),
        "{}",
        ran.stderr
    );
    assert!(
        ran.stderr
            .contains("!! 7 resources will be destroyed (5 by replacement) !!")
    );
    assert!(
        ran.stderr
            .contains("terraform_data.bastion  (because terraform_data.bastion")
    );
    assert!(
        !ran.stderr.contains('\x1b'),
        "colour without a terminal: {}",
        ran.stderr
    );
}

#[test]
fn colour_input_passes_through_with_its_colours() {
    let input = fixture("1.11/plan_mixed.color.txt");
    let ran = Test::new().args(["plan"]).stdin(input.clone()).run();
    assert_eq!(ran.code, Some(0));
    assert!(ran.stdout == input);
    assert!(
        ran.stderr
            .contains("Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.")
    );
}

#[test]
fn binary_junk_crlf_and_huge_lines_pass_through_unchanged() {
    let mut input = Vec::new();
    input.extend_from_slice(b"\xff\xfe\x00junk \xc3\x28 not utf-8\r\n");
    input.extend(std::iter::repeat_n(b'x', 6 * 1024 * 1024));
    input.extend_from_slice(b"\r\n");
    input.extend_from_slice(&fixture("1.11/plan_create_only.txt"));
    input.extend_from_slice(b"no newline at the end \xf0\x9f");
    let ran = Test::new().args(["plan"]).stdin(input.clone()).run();
    assert!(ran.stdout == input, "pass-through altered the bytes");
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Plan: 13 to add, 0 to change, 0 to destroy.")
    );
}

#[test]
fn crlf_input_parses_like_lf_input() {
    let lf = fixture(MIXED);
    let crlf: Vec<u8> = String::from_utf8(lf)
        .expect("utf-8")
        .replace('\n', "\r\n")
        .into_bytes();
    let ran = Test::new()
        .args(["parse", "plan", "--format", "json"])
        .stdin(crlf)
        .run();
    let json = ran.stdout_text();
    assert!(json.contains("\"outcome\": \"changes\""), "{json}");
    assert!(json.contains("\"destroy\": 7"), "{json}");
}

#[test]
fn exit_codes_in_stdin_mode() {
    let cases = [
        ("plan", "1.11/plan_no_changes.txt", 0),
        ("plan", "1.11/plan_multiple_errors.txt", 1),
        ("apply", "1.11/apply_create_only.txt", 0),
        ("apply", "1.11/apply_partial_failure.txt", 1),
        ("destroy", "1.11/destroy_basic.txt", 0),
        ("fmt", "1.11/fmt_formatted.txt", 0),
        ("fmt", "1.11/fmt_unformatted.txt", 1),
        ("validate", "1.11/validate_success.txt", 0),
        ("validate", "1.11/validate_multiple_errors.txt", 1),
        ("validate", "1.11/validate_multiple_errors.json", 1),
    ];
    for (command, path, expected) in cases {
        let ran = Test::new().args([command]).stdin(fixture(path)).run();
        assert_eq!(
            ran.code,
            Some(expected),
            "{command} < {path}: {}",
            ran.stderr
        );
    }
}

#[test]
fn empty_input_to_parse_names_parse() {
    let ran = Test::new().args(["parse", "validate"]).run();
    assert_eq!(ran.code, Some(1));
    assert_eq!(
        ran.stderr.lines().next(),
        Some("tfnotify: error: `tfnotify parse validate` received no input")
    );
    assert!(
        ran.stderr.contains("| tfnotify parse validate`"),
        "{}",
        ran.stderr
    );
}

#[test]
fn empty_input_is_a_clear_error_with_a_hint() {
    let ran = Test::new().args(["plan"]).run();
    assert_eq!(ran.code, Some(1));
    assert!(ran.stdout.is_empty());
    assert_eq!(
        ran.stderr.lines().next(),
        Some("tfnotify: error: `tfnotify plan` received no input")
    );
    assert!(
        ran.stderr.contains("hint: pipe Terraform's output in"),
        "{}",
        ran.stderr
    );
}

#[test]
fn empty_fmt_output_means_formatted() {
    let ran = Test::new().args(["fmt"]).run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.contains("All files formatted"));
}

#[test]
fn a_truncated_plan_is_unparsed_and_says_what_it_understood() {
    let full = String::from_utf8(fixture(MIXED)).expect("utf-8");
    let cut = &full[..full.find("Plan: ").expect("summary line")];
    let ran = Test::new().args(["plan"]).stdin(cut).run();
    assert_eq!(ran.code, Some(1));
    assert!(ran.stdout == cut.as_bytes());
    assert!(
        ran.stderr.contains("Result not found in the output"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("may have been cut short"));
    assert!(
        ran.stderr.contains("terraform_data.bastion"),
        "resources understood so far"
    );
}

#[test]
fn invalid_json_is_a_clear_error_after_the_pass_through() {
    let ran = Test::new()
        .args(["plan"])
        .stdin("{\"format_version\": \"1.2\", \"resource_")
        .run();
    assert_eq!(ran.code, Some(1));
    assert_eq!(ran.stdout, b"{\"format_version\": \"1.2\", \"resource_");
    let first = ran.stderr.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(
            "tfnotify: error: could not parse the `plan` output: the input looks like JSON"
        ),
        "{first}"
    );
}

#[test]
fn json_plan_on_stdin_is_detected() {
    let ran = Test::new()
        .args(["plan"])
        .stdin(fixture("1.11/plan_mixed.json"))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Plan: 1 to import, 12 to add, 5 to change, 7 to destroy, 1 to forget."),
        "{}",
        ran.stderr
    );
}

#[test]
fn wrapper_mode_keeps_the_childs_exit_code_and_streams() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.txt");
    std::fs::write(&plan, fixture(MIXED)).expect("write");
    let script = format!("cat '{}'; echo 'to stderr' >&2; exit 2", plan.display());
    let ran = Test::new().args(["plan", "--", "sh", "-c", &script]).run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(ran.stdout == fixture(MIXED));
    assert!(ran.stderr.starts_with("to stderr\n"), "{}", ran.stderr);
    assert!(ran.stderr.contains("Changes to apply"));
}

#[test]
fn wrapper_mode_reads_errors_that_terraform_writes_to_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.txt");
    let err = dir.path().join("err.txt");
    std::fs::write(&out, fixture("1.11/plan_multiple_errors.stdout.txt")).expect("write");
    std::fs::write(&err, fixture("1.11/plan_multiple_errors.stderr.txt")).expect("write");
    let script = format!(
        "cat '{}'; cat '{}' >&2; exit 1",
        out.display(),
        err.display()
    );
    let ran = Test::new().args(["plan", "--", "sh", "-c", &script]).run();
    assert_eq!(ran.code, Some(1));
    assert!(
        ran.stderr.contains("Terraform plan failed"),
        "{}",
        ran.stderr
    );
    assert!(ran.stderr.contains("Invalid count argument"));
}

#[test]
fn wrapper_mode_reports_a_missing_program() {
    let ran = Test::new()
        .args(["plan", "--", "terraform-that-does-not-exist", "plan"])
        .run();
    assert_eq!(ran.code, Some(127));
    assert_eq!(
        ran.stderr.lines().next(),
        Some(
            "tfnotify: error: could not run `terraform-that-does-not-exist`: No such file or directory (os error 2)"
        )
    );
    assert!(
        ran.stderr
            .contains("hint: check that `terraform-that-does-not-exist` is installed")
    );
}

#[test]
fn wrapper_mode_reports_death_by_signal_as_a_shell_would() {
    let ran = Test::new()
        .args(["plan", "--", "sh", "-c", "kill -KILL $$"])
        .run();
    assert_eq!(ran.code, Some(128 + 9));
}

#[test]
fn wrapper_mode_forwards_sigint_and_sigterm_once() {
    for (signal, name) in [
        (rustix::process::Signal::INT, "INT"),
        (rustix::process::Signal::TERM, "TERM"),
    ] {
        let script = format!(
            "trap 'echo got {name}; exit 130' {name}; echo ready; while :; do sleep 0.05; done"
        );
        let mut child = Test::new()
            .args(["plan", "--", "sh", "-c", &script])
            .command()
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("read");
        assert_eq!(line, "ready\n");
        let pid = rustix::process::Pid::from_child(&child);
        rustix::process::kill_process(pid, signal).expect("signal tfnotify");
        let mut rest = String::new();
        stdout.read_to_string(&mut rest).expect("read rest");
        let status = child.wait().expect("wait");
        assert_eq!(
            rest,
            format!("got {name}\n"),
            "the child heard the signal exactly once"
        );
        assert_eq!(
            status.code(),
            Some(130),
            "tfnotify exits with the child's code"
        );
    }
}

/// Reads lines from `reader` on a thread, so a test can wait for one with a deadline.
fn line_reader(reader: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn stdin_mode_passes_each_line_on_before_the_next_one_is_written() {
    let mut child = Test::new().args(["plan"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let lines = line_reader(child.stdout.take().expect("stdout"));
    for line in [
        "terraform_data.a: Refreshing state... [id=1]",
        "",
        "Terraform will perform the following actions:",
    ] {
        writeln!(stdin, "{line}").expect("write");
        stdin.flush().expect("flush");
        // The producer has not written the next line yet: this one must already be out.
        let got = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("line passed through");
        assert_eq!(got, line);
    }
    drop(stdin);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "the plan was cut short");
}

#[test]
fn wrapper_mode_passes_each_line_on_before_the_child_writes_the_next() {
    let dir = tempfile::tempdir().expect("tempdir");
    let go = dir.path().join("go");
    // The child writes its second line only once the test has seen the first.
    let script = format!(
        "echo first; while [ ! -e '{}' ]; do sleep 0.05; done; echo second",
        go.display()
    );
    let mut child = Test::new()
        .args(["plan", "--quiet", "--", "sh", "-c", &script])
        .command()
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let lines = line_reader(child.stdout.take().expect("stdout"));
    assert_eq!(
        lines.recv_timeout(Duration::from_secs(20)).as_deref(),
        Ok("first")
    );
    std::fs::write(&go, "").expect("signal the child");
    assert_eq!(
        lines.recv_timeout(Duration::from_secs(20)).as_deref(),
        Ok("second")
    );
    child.wait().expect("wait");
}

#[test]
fn a_closed_stdout_does_not_stop_reading_or_summarising() {
    let mut child = Test::new().args(["plan"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    drop(child.stdout.take()); // like `| head -1` exiting early
    let input = fixture(MIXED);
    let writer = std::thread::spawn(move || stdin.write_all(&input).is_ok());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert!(
        writer.join().expect("writer"),
        "the producer could write everything"
    );
    assert_eq!(status.code(), Some(0));
    assert!(stderr.contains("Changes to apply"), "{stderr}");
}

#[test]
fn output_appends_markdown_for_step_summaries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "# earlier step\n").expect("write");
    for _ in 0..2 {
        let ran = Test::new()
            .args(["plan", "--quiet", "--output"])
            .args([&summary])
            .stdin(fixture(MIXED))
            .run();
        assert_eq!(ran.code, Some(0));
        assert!(ran.stderr.is_empty(), "--quiet: {}", ran.stderr);
    }
    let text = std::fs::read_to_string(&summary).expect("read");
    assert!(
        text.starts_with("# earlier step\n## :warning: Plan destroys resources\n"),
        "{text}"
    );
    assert_eq!(text.matches("> [!CAUTION]").count(), 2);
}

#[test]
fn an_unwritable_output_file_is_a_delivery_failure_after_the_pass_through() {
    let ran = Test::new()
        .args(["plan", "--output", "/nonexistent-dir/summary.md"])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(3));
    assert!(ran.stdout == fixture(MIXED));
    assert!(
        ran.stderr.contains(
            "tfnotify: error: could not write the summary to `/nonexistent-dir/summary.md`"
        )
    );
}

#[test]
fn colour_follows_the_flag_and_no_color() {
    let always = Test::new()
        .args(["plan", "--color", "always"])
        .stdin(fixture(MIXED))
        .run();
    assert!(
        always
            .stderr
            .contains("\x1b[1;31m!! 7 resources will be destroyed")
    );
    let never = Test::new()
        .args(["plan", "--color", "never"])
        .stdin(fixture(MIXED))
        .run();
    assert!(!never.stderr.contains('\x1b'));
    let no_color = Test::new()
        .args(["plan"])
        .env("NO_COLOR", "1")
        .stdin(fixture(MIXED))
        .run();
    assert!(!no_color.stderr.contains('\x1b'));
}

#[test]
fn parse_prints_only_the_result() {
    let ran = Test::new()
        .args([
            "parse",
            "plan",
            "tests/fixtures/terraform/1.11/plan_replace_tainted.txt",
        ])
        .dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(ran.stderr.is_empty());
    let value: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert_eq!(value["schema"], 1);
    assert_eq!(value["outcome"], "changes");
    assert_eq!(
        value["resources"][0]["reason"],
        "is tainted, so must be replaced"
    );
    assert_eq!(value["has_destroy"], true);
}

#[test]
fn parse_reads_stdin_and_prints_text() {
    let ran = Test::new()
        .args(["parse", "apply", "--format", "text"])
        .stdin(fixture("1.11/apply_partial_failure.txt"))
        .run();
    assert_eq!(ran.code, Some(0));
    let text = ran.stdout_text();
    assert!(text.contains("Apply failed"), "{text}");
    assert!(
        text.contains("failed (1)\n      terraform_data.database_migration"),
        "{text}"
    );
}

#[test]
fn parse_reports_a_missing_file() {
    let ran = Test::new()
        .args(["parse", "plan", "/no/such/plan.txt"])
        .run();
    assert_eq!(ran.code, Some(2));
    assert_eq!(
        ran.stderr.lines().next(),
        Some(
            "tfnotify: error: could not read `/no/such/plan.txt`: No such file or directory (os error 2)"
        )
    );
}

#[test]
fn plan_json_enriches_the_text_summary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("plan.json");
    std::fs::write(&json, fixture("1.11/plan_mixed.json")).expect("write");
    // A log that shows only the summary (as `terraform apply PLANFILE` logs do) still gets
    // the full resource list from the JSON plan.
    let summary_only = "Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.\n";
    let ran = Test::new()
        .args(["parse", "plan", "--plan-json"])
        .args([&json])
        .stdin(summary_only)
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let value: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert_eq!(
        value["result"],
        "Plan: 1 to import, 12 to add, 5 to change, 7 to destroy."
    );
    assert_eq!(value["resources"].as_array().map(Vec::len), Some(23));
    assert_eq!(value["outputs"].as_array().map(Vec::len), Some(5));
    // With no text at all, the JSON plan alone is the report.
    let ran = Test::new()
        .args(["parse", "plan", "--plan-json"])
        .args([&json])
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    let value: serde_json::Value = serde_json::from_slice(&ran.stdout).expect("json");
    assert_eq!(value["outcome"], "changes");
}

#[test]
fn version_is_the_real_one() {
    let ran = Test::new().args(["--version"]).run();
    assert_eq!(
        ran.stdout_text(),
        format!("tfnotify {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn bad_flags_exit_2_with_clap_usage() {
    let ran = Test::new().args(["plan", "--no-such-flag"]).run();
    assert_eq!(ran.code, Some(2));
    assert!(
        ran.stderr.contains("unexpected argument '--no-such-flag'"),
        "{}",
        ran.stderr
    );
}

#[test]
fn unreadable_stdin_is_our_own_failure() {
    let ran = Test::new()
        .args(["plan"])
        .command()
        .stdin(std::fs::File::open("/").expect("open a directory"))
        .output()
        .expect("run");
    assert_eq!(ran.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(
        stderr.starts_with("tfnotify: error: could not read the input from stdin:"),
        "{stderr}"
    );
}

#[test]
fn a_second_interrupt_ends_stdin_mode() {
    let mut child = Test::new().args(["plan"]).spawn();
    let mut stdin = child.stdin.take().expect("stdin");
    let lines = line_reader(child.stdout.take().expect("stdout"));
    writeln!(stdin, "terraform_data.a: Refreshing state... [id=1]").expect("write");
    assert!(
        lines.recv_timeout(Duration::from_secs(20)).is_ok(),
        "reading has started"
    );
    let pid = rustix::process::Pid::from_child(&child);
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("first");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut note = String::new();
    stderr.read_line(&mut note).expect("note");
    assert!(
        note.contains("interrupted; still passing the input through"),
        "{note}"
    );
    writeln!(stdin, "still flowing").expect("the pipe is still read");
    assert_eq!(
        lines.recv_timeout(Duration::from_secs(20)).as_deref(),
        Ok("still flowing")
    );
    rustix::process::kill_process(pid, rustix::process::Signal::INT).expect("second");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
}

#[test]
fn wrapper_mode_own_failures_only_turn_success_into_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plan = dir.path().join("plan.txt");
    std::fs::write(&plan, fixture(MIXED)).expect("write");
    for (exit, expected) in [(0, 3), (2, 2), (1, 1)] {
        let script = format!("cat '{}'; exit {exit}", plan.display());
        let ran = Test::new()
            .args([
                "plan",
                "--output",
                "/nonexistent-dir/s.md",
                "--",
                "sh",
                "-c",
                &script,
            ])
            .run();
        assert_eq!(
            ran.code,
            Some(expected),
            "child exit {exit}: {}",
            ran.stderr
        );
    }
}

#[test]
fn wrapper_mode_unparseable_output_keeps_the_childs_code() {
    let ran = Test::new()
        .args(["plan", "--", "sh", "-c", "echo hello; exit 0"])
        .run();
    assert_eq!(ran.code, Some(0));
    assert!(
        ran.stderr.contains("Result not found in the output"),
        "{}",
        ran.stderr
    );
    let ran = Test::new().args(["plan", "--", "true"]).run();
    assert_eq!(ran.code, Some(0));
    assert!(
        ran.stderr
            .contains("tfnotify: error: `tfnotify plan` received no input")
    );
}

#[test]
fn wrapper_mode_reports_a_program_that_cannot_be_executed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("not-executable");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").expect("write");
    let ran = Test::new().args(["plan", "--"]).args([&script]).run();
    assert_eq!(ran.code, Some(126), "{}", ran.stderr);
}

#[test]
fn parse_exit_codes() {
    let empty = Test::new().args(["parse", "plan"]).run();
    assert_eq!(empty.code, Some(1));
    let unparsed = Test::new()
        .args(["parse", "plan"])
        .stdin("not terraform\n")
        .run();
    assert_eq!(unparsed.code, Some(0));
    assert!(unparsed.stdout_text().contains("\"outcome\": \"unparsed\""));
    let full = Test::new()
        .args([
            "parse",
            "plan",
            "tests/fixtures/terraform/1.11/plan_mixed.txt",
        ])
        .dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")))
        .command()
        .stdout(
            std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full"),
        )
        .output()
        .expect("run");
    assert_eq!(full.status.code(), Some(3));
}

#[test]
fn a_bad_plan_json_costs_the_details_not_the_summary() {
    let ran = Test::new()
        .args(["plan", "--plan-json", "/no/such/plan.json"])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(2));
    assert!(ran.stdout == fixture(MIXED));
    assert!(ran.stderr.contains("Changes to apply"), "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("tfnotify: error: could not read `/no/such/plan.json`")
    );
}

#[test]
fn render_prints_the_default_message_and_the_context_it_sees() {
    let ran = Test::new()
        .args(["render", "plan"])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(0), "{}", ran.stderr);
    assert!(
        ran.stdout_text()
            .starts_with("## :warning: Plan destroys resources\n")
    );
    let dumped = Test::new()
        .args([
            "render",
            "plan",
            "--dump-context",
            "--var",
            "target:prod/eu",
            "-t",
            "## Mine",
        ])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(dumped.code, Some(0), "{}", dumped.stderr);
    let context: serde_json::Value = serde_json::from_slice(&dumped.stdout).expect("json");
    assert_eq!(context["Title"], "## Mine");
    assert_eq!(context["Vars"]["target"], "prod/eu");
    assert_eq!(context["Target"], "prod/eu");
    assert_eq!(context["Report"]["counts"]["destroy"], 7);
}

#[test]
fn render_from_a_saved_context_needs_no_terraform() {
    let dir = tempfile::tempdir().expect("tempdir");
    let context = dir.path().join("ctx.json");
    std::fs::write(
        &context,
        r###"{"Title": "## <Plan> & co", "Result": "Plan: 1 to add.", "Count": 3}"###,
    )
    .expect("write");
    let template = dir.path().join("t.tmpl");
    std::fs::write(
        &template,
        "{{ .Title }}|{{ .Result }}|{{ .Missing }}|{{ add .Count 1 }}",
    )
    .expect("write");
    let html = Test::new()
        .args(["render", "--context"])
        .args([&context])
        .args(["--template"])
        .args([&template])
        .run();
    assert_eq!(
        html.stdout_text(),
        "## &lt;Plan&gt; &amp; co|Plan: 1 to add.||4"
    );
    let raw = Test::new()
        .args(["render", "--raw", "--context"])
        .args([&context])
        .args(["--template"])
        .args([&template])
        .run();
    assert_eq!(
        raw.stdout_text(),
        "## <Plan> & co|Plan: 1 to add.|<no value>|4"
    );
}

#[test]
fn a_broken_template_is_reported_with_go_s_message_and_a_caret() {
    let dir = tempfile::tempdir().expect("tempdir");
    let template = dir.path().join("t.tmpl");
    std::fs::write(&template, "line one\n{{ if .Result }}{{ .X | bogus }}\n").expect("write");
    let ran = Test::new()
        .args(["render", "plan", "--template"])
        .args([&template])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(2));
    let first = ran.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "tfnotify: error: template: plan:2: function \"bogus\" not defined"
    );
    assert!(
        ran.stderr.contains("2 | {{ if .Result }}{{ .X | bogus }}"),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_unknown_notifier_is_named_with_the_known_ones() {
    let ran = Test::new()
        .args(["--notifier", "slak", "plan"])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(2));
    assert!(
        ran.stdout == fixture(MIXED),
        "the pass-through still happens"
    );
    assert!(
        ran.stderr.contains(
            "tfnotify: error: unknown notifier `slak`; known: `github`, `github-check`, `gitlab`, `gitea`, `bitbucket`, `bitbucket-server`, `slack`, `chatwork`, `teams`, `discord`, `mattermost`, `webhook`, `local`"
        ),
        "{}",
        ran.stderr
    );
}

#[test]
fn an_unusable_time_limit_is_named_and_nothing_waits_on_it() {
    let ran = Test::new()
        .env("TFNOTIFY_HTTP_TIMEOUT", "30 seconds")
        .args(["plan"])
        .stdin(fixture(MIXED))
        .run();
    assert_eq!(ran.code, Some(2), "{}", ran.stderr);
    assert!(
        ran.stdout == fixture(MIXED),
        "the pass-through still happens"
    );
    assert!(
        ran.stderr.contains(
            "tfnotify: error: `TFNOTIFY_HTTP_TIMEOUT` is `30 seconds`, not a duration such as `30s`, `250ms` or `2m`"
        ),
        "{}",
        ran.stderr
    );
}
