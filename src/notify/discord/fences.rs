//! Code in the Markdown flavour made safe for Discord, which only knows three-backtick
//! fences.
//!
//! Our Markdown templates keep Terraform text inside its code by choosing a longer fence
//! than any backtick run in it (four backticks around a key that holds three), as GitHub's
//! Markdown allows. Discord does not: a block starts and ends at three backticks, wherever
//! they are, and a backslash does not escape them. So here every fence is written with
//! exactly three backticks, and inside code every run of three or more backticks gets a
//! zero-width space between its backticks: it looks the same and can no longer close the
//! code. An inline code span with a long delimiter becomes a double-backtick span, which
//! Discord supports, with the backtick runs inside it broken the same way.

/// The invisible character put between backticks.
const ZWSP: char = '\u{200b}';

/// `text` with three-backtick fences only, and no backtick run inside code that could end
/// it early.
pub(super) fn three_backtick(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    // The length of the fence that opened the current block.
    let mut open: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let end = &line[body.len()..];
        let indent = &body[..body.len() - body.trim_start().len()];
        let trimmed = body.trim_start();
        let run = trimmed.bytes().take_while(|&b| b == b'`').count();
        let rest = &trimmed[run..];
        match open {
            None if run >= 3 && !rest.contains('`') => {
                open = Some(run);
                out.push_str(indent);
                out.push_str("```");
                out.push_str(rest.trim_end());
            }
            Some(fence) if run >= fence && rest.trim().is_empty() => {
                open = None;
                out.push_str(indent);
                out.push_str("```");
            }
            Some(_) => out.push_str(&break_runs(body, 3)),
            None => out.push_str(&inline(body)),
        }
        out.push_str(end);
    }
    out
}

/// A line outside code blocks: spans with a delimiter of three or more backticks become
/// double-backtick spans; a long run that opens nothing is broken.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let run = after.bytes().take_while(|&b| b == b'`').count();
        let content_start = &after[run..];
        match closing(content_start, run) {
            Some(close) if run >= 3 => {
                let content = &content_start[..close];
                out.push_str("``");
                out.push_str(&break_runs(content, 2));
                out.push_str("``");
                rest = &content_start[close + run..];
            }
            Some(close) => {
                out.push_str(&after[..run + close + run]);
                rest = &content_start[close + run..];
            }
            None => {
                out.push_str(&break_runs(&after[..run], 3));
                rest = content_start;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where the run of exactly `len` backticks that closes a span starts in `text`, if any.
fn closing(text: &str, len: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if run == len {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

/// `text` with a zero-width space between the backticks of every run of `min` or more.
fn break_runs(text: &str, min: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == '`' {
            run += 1;
            let run_len = run + chars[i + 1..].iter().take_while(|&&n| n == '`').count();
            if run > 1 && run_len >= min {
                out.push(ZWSP);
            }
        } else {
            run = 0;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::three_backtick;

    #[test]
    fn long_fences_become_three_backticks_and_the_code_inside_cannot_close_them() {
        let text = "before\n````hcl\n  # x[\"```\"] will be destroyed\n```\n````\nafter\n";
        assert_eq!(
            three_backtick(text),
            "before\n```hcl\n  # x[\"`\u{200b}`\u{200b}`\"] will be destroyed\n`\u{200b}`\u{200b}`\n```\nafter\n"
        );
    }

    #[test]
    fn long_inline_spans_become_double_backtick_spans() {
        assert_eq!(
            three_backtick("- ````a[\"``` *x*\"]```` (destroy)"),
            "- ``a[\"`\u{200b}`\u{200b}` *x*\"]`` (destroy)"
        );
        assert_eq!(
            three_backtick("- ``a`b`` and `c`"),
            "- ``a`b`` and `c`",
            "short spans stay"
        );
        assert_eq!(three_backtick("a ``` b"), "a `\u{200b}`\u{200b}` b");
    }

    #[test]
    fn ordinary_markdown_is_unchanged() {
        let text = "**Plan**\n\n```hcl\nPlan: 1 to add.\n```\n\n- `a.b`\n";
        assert_eq!(three_backtick(text), text);
    }
}
