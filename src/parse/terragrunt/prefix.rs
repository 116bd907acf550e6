//! The shapes of one Terragrunt line, told from its bytes (escape codes already removed).
//!
//! Terragrunt writes every line of the Terraform output it runs behind a prefix of its own,
//! and its own log lines in between. Two generations of the format are known:
//!
//! - since 0.67: `14:20:38.431 STDOUT [dev/vpc] terraform: …` (`STDERR` for stderr; the
//!   time, the `[dir]` and the program name depend on the log settings, the `[dir]` is
//!   left out for the unit Terragrunt runs in), log lines `14:20:38.431 INFO   [dev/vpc] …`;
//! - before: `[/abs/dev/vpc] …` with `--terragrunt-include-module-prefix`, log lines
//!   `time=… level=info prefix=[…] msg=…`, `INFO[0000] …` or `[terragrunt] …`.
//!
//! Nothing here decides whether a stream is Terragrunt's: a single line can look like
//! anything. [`super::Demux`] decides that from where the line stands in the stream.

/// What one line of Terragrunt-shaped output is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line<'a> {
    /// A line of the program's output behind Terragrunt's prefix: the module directory
    /// (empty when the prefix names none) and the offset where the program's text starts.
    Prefixed { module: &'a [u8], start: usize },
    /// Terragrunt's own log line, or a continuation line Terragrunt prints under one.
    Log,
    /// Neither.
    Other,
}

/// Log levels of the format since 0.67, besides `STDOUT` and `STDERR`.
const LEVELS: [&[u8]; 5] = [b"INFO", b"WARN", b"ERROR", b"DEBUG", b"TRACE"];

/// A line in the format since 0.67: `[TIME ]STDOUT|STDERR [[DIR] ]PROGRAM: TEXT`, or a
/// log line of that format.
pub(crate) fn pretty(line: &[u8]) -> Line<'_> {
    let (rest, _) = after_time(line);
    if let Some(rest) = rest
        .strip_prefix(b"STDOUT")
        .or_else(|| rest.strip_prefix(b"STDERR"))
        && let Some((module, start)) = program_text(rest)
    {
        return Line::Prefixed {
            module,
            start: line.len() - rest.len() + start,
        };
    }
    if is_pretty_log(line) || is_continuation(line) {
        Line::Log
    } else {
        Line::Other
    }
}

/// A line in the format before 0.67: `[DIR] TEXT`, or a log line of that format.
pub(crate) fn legacy(line: &[u8]) -> Line<'_> {
    if is_legacy_log(line) || is_continuation(line) {
        return Line::Log;
    }
    match bracketed(line) {
        Some((module, start)) => Line::Prefixed { module, start },
        None => Line::Other,
    }
}

/// Whether a stream that begins with `line` is Terragrunt's, and in which format. Only a
/// shape no Terraform output begins with counts: a timestamped level, a `STDOUT …:`
/// prefix, a structured log line, or a bracketed path.
pub(crate) fn opening(line: &[u8]) -> Option<Format> {
    let (rest, timed) = after_time(line);
    let pretty_log = timed
        && LEVELS
            .iter()
            .any(|level| rest.strip_prefix(*level).is_some_and(starts_blank));
    if matches!(pretty(line), Line::Prefixed { .. }) || pretty_log {
        return Some(Format::Pretty);
    }
    let path_prefix = bracketed(line)
        .is_some_and(|(module, _)| module.contains(&b'/') || module.contains(&b'\\'));
    (is_legacy_log(line) || path_prefix).then_some(Format::Legacy)
}

/// The two generations of Terragrunt's output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// Since 0.67: `STDOUT [dir] terraform: …`.
    Pretty,
    /// Before: `[dir] …` and `time=… level=…`.
    Legacy,
}

/// The line after a leading `HH:MM:SS[.mmm] `, and whether there was one.
fn after_time(line: &[u8]) -> (&[u8], bool) {
    let digits = |s: &[u8]| s.len() == 2 && s.iter().all(u8::is_ascii_digit);
    let Some(clock) = line.get(..8) else {
        return (line, false);
    };
    let clock_shaped = digits(&clock[..2])
        && clock[2] == b':'
        && digits(&clock[3..5])
        && clock[5] == b':'
        && digits(&clock[6..8]);
    if !clock_shaped {
        return (line, false);
    }
    let mut at = 8;
    if line.get(at) == Some(&b'.') {
        at += 1;
        while line.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
    }
    match line.get(at) {
        Some(b' ') => (&line[at + 1..], true),
        _ => (line, false),
    }
}

/// After a `STDOUT`/`STDERR` level: ` [DIR] PROGRAM: ` or ` PROGRAM: `; the directory and
/// where the text starts (relative to `rest`).
fn program_text(rest: &[u8]) -> Option<(&[u8], usize)> {
    let spaces = rest.iter().take_while(|&&b| b == b' ').count();
    if spaces == 0 {
        return None;
    }
    let mut at = spaces;
    let mut module: &[u8] = b"";
    if rest.get(at) == Some(&b'[') {
        let (dir, after) = bracketed(&rest[at..])?;
        module = dir;
        at += after;
    }
    let name_len = rest[at..]
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        .count();
    if name_len == 0 || name_len > 64 || rest.get(at + name_len) != Some(&b':') {
        return None;
    }
    at += name_len + 1;
    match rest.get(at) {
        None => Some((module, at)),
        Some(b' ') => Some((module, at + 1)),
        Some(_) => None,
    }
}

/// `[DIR] …` or a bare `[DIR]`: the directory and where the text after it starts.
fn bracketed(line: &[u8]) -> Option<(&[u8], usize)> {
    let inner = line.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', inner)?;
    let module = &inner[..close];
    if module.is_empty() || module == b"terragrunt" {
        return None;
    }
    let end = close + 2;
    match line.get(end) {
        None => Some((module, end)),
        Some(b' ') => Some((module, end + 1)),
        Some(_) => None,
    }
}

/// `[TIME ]LEVEL …` of the format since 0.67.
fn is_pretty_log(line: &[u8]) -> bool {
    let (rest, _) = after_time(line);
    LEVELS
        .iter()
        .any(|level| rest.strip_prefix(*level).is_some_and(starts_blank))
}

/// `time=… level=…`, `INFO[0000] …` or `[terragrunt] …`: log lines before 0.67.
fn is_legacy_log(line: &[u8]) -> bool {
    if line.starts_with(b"time=") {
        return memchr::memmem::find(line, b" level=").is_some();
    }
    if line.starts_with(b"[terragrunt]") {
        return true;
    }
    // Logrus's text format: four capitals, then `[` seconds `]`.
    line.len() > 6
        && line[..4].iter().all(u8::is_ascii_uppercase)
        && line[4] == b'['
        && line[5..]
            .iter()
            .position(|&b| b == b']')
            .is_some_and(|end| end > 0 && line[5..5 + end].iter().all(u8::is_ascii_digit))
}

/// Lines Terragrunt prints under a log line of its own, unprefixed: the stack it will run
/// (`Group 1`, `- Module ./vpc`, `  => Module ./vpc (excluded: false, …)`).
fn is_continuation(line: &[u8]) -> bool {
    let trimmed = line.trim_ascii_start();
    let group = trimmed
        .strip_prefix(b"Group ")
        .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit));
    group
        || [
            b"- Module ".as_slice(),
            b"- Unit ",
            b"=> Module ",
            b"=> Unit ",
        ]
        .iter()
        .any(|p| trimmed.starts_with(p))
}

fn starts_blank(rest: &[u8]) -> bool {
    rest.is_empty() || rest[0] == b' '
}

#[cfg(test)]
mod tests {
    use super::{Format, Line, legacy, opening, pretty};

    #[track_caller]
    fn text_of<'a>(line: &'a str, kind: Line<'a>) -> (&'a str, &'a str) {
        match kind {
            Line::Prefixed { module, start } => {
                (std::str::from_utf8(module).expect("utf-8"), &line[start..])
            }
            other => panic!("{line:?} read as {other:?}"),
        }
    }

    #[test]
    fn the_format_since_0_67() {
        let cases = [
            (
                "09:32:46.963 STDOUT [staging/vpc] terraform: Plan: 1 to add",
                ("staging/vpc", "Plan: 1 to add"),
            ),
            ("09:32:46.963 STDERR terraform: Error: x", ("", "Error: x")),
            ("STDOUT terraform: ", ("", "")),
            ("STDOUT [a] tofu:", ("a", "")),
            (
                "STDOUT terraform:   # x will be created",
                ("", "  # x will be created"),
            ),
        ];
        for (line, expected) in cases {
            assert_eq!(text_of(line, pretty(line.as_bytes())), expected);
        }
        for log in [
            "09:32:46.963 INFO   [dev] Downloading Terraform configurations",
            "WARN   x",
            "Group 1",
            "- Module ./app",
        ] {
            assert_eq!(pretty(log.as_bytes()), Line::Log, "{log}");
        }
        for other in [
            "STDOUT: x",
            "STDOUTterraform: x",
            "Plan: 1 to add",
            "INFORMATION",
        ] {
            assert_eq!(pretty(other.as_bytes()), Line::Other, "{other}");
        }
    }

    #[test]
    fn the_format_before_0_67() {
        let line = "[/work/live/vpc] Plan: 1 to add";
        assert_eq!(
            text_of(line, legacy(line.as_bytes())),
            ("/work/live/vpc", "Plan: 1 to add")
        );
        assert_eq!(text_of("[a/b]", legacy(b"[a/b]")), ("a/b", ""));
        for log in [
            "time=2024-05-02T10:00:00Z level=info prefix=[/x] msg=Executing hook",
            "INFO[0000] The stack at . will be processed",
            "[terragrunt] 2019/06/12 08:35:08 Running command: terraform --version",
        ] {
            assert_eq!(legacy(log.as_bytes()), Line::Log, "{log}");
        }
        assert_eq!(legacy(b"[x]y"), Line::Other);
    }

    #[test]
    fn only_shapes_terraform_never_begins_with_open_a_terragrunt_stream() {
        assert_eq!(
            opening(b"09:32:46.963 INFO   Downloading"),
            Some(Format::Pretty)
        );
        assert_eq!(opening(b"STDOUT terraform: x"), Some(Format::Pretty));
        assert_eq!(opening(b"[/abs/vpc] x"), Some(Format::Legacy));
        assert_eq!(opening(b"INFO[0000] x"), Some(Format::Legacy));
        for plain in [
            "INFO x",
            "[ci] running",
            "Terraform used the selected providers",
            "terraform_data.a: Refreshing state... [id=1]",
            "Error: x",
        ] {
            assert_eq!(opening(plain.as_bytes()), None, "{plain}");
        }
    }
}
