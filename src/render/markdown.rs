//! Making untrusted text safe in Markdown.
//!
//! Terraform output is untrusted text: a resource key or a diagnostic can hold Markdown or
//! HTML. Addresses go in code spans whose fence outruns any backticks inside them, and
//! prose goes through [`escape`], so nothing in a plan can restyle or hide a message, link
//! anywhere, nor mention anyone: GitHub and GitLab notify `@name`, and GitLab's `@all`
//! notifies every member of the project. Text in code is never a mention or a link on
//! either. Templates reach these as `codeSpan` and `mdEscape`.

use crate::render::links::unlink;

/// Text made inert for Markdown and HTML: it shows as written, styles nothing, links
/// nowhere and mentions no one. Markdown's own characters are escaped with a backslash;
/// links that platforms find in the rendered text (bare URLs, e-mail addresses) and
/// mentions are broken by [`unlink`]'s word joiner, since GitHub and GitLab find both
/// after escapes are undone, where `\@all` and `&#64;all` are `@all` again.
pub(crate) fn escape(text: &str) -> String {
    let text = unlink(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '|' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Text of several lines made inert like [`escape`], each line on its own so paragraphs
/// and `-` lists still read as such: what a model writes (`.AISummary`). A line of dashes
/// or equals signs is escaped too, so it cannot turn the line above into a heading.
pub(crate) fn escape_lines(text: &str) -> String {
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            let escaped = escape(line);
            let trimmed = line.trim();
            if !trimmed.is_empty() && trimmed.chars().all(|c| matches!(c, '-' | '=' | ' ')) {
                format!("\\{}", escaped.trim_start())
            } else {
                escaped
            }
        })
        .collect();
    lines.join("\n")
}

/// `text` as an inline code span that no backtick inside it can close.
pub(crate) fn code_span(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    let fence = "`".repeat(longest_run(&text, '`') + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for ch in text.chars() {
        if ch == c {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::{code_span, escape, escape_lines};

    #[test]
    fn lines_stay_lines_and_act_on_nothing() {
        assert_eq!(
            escape_lines("Adds **two** buckets.\n\n- one <b>\n---\n`x`"),
            "Adds \\*\\*two\\*\\* buckets.\n\n- one &lt;\u{2060}b&gt;\n\\---\n\\`x\\`"
        );
    }

    #[test]
    fn hostile_text_stays_inert() {
        assert_eq!(
            escape("<script>*x*</script>"),
            "&lt;\u{2060}script&gt;\\*x\\*&lt;/script&gt;"
        );
        assert_eq!(code_span("a[\"`b`\"]"), "``a[\"`b`\"]``");
        assert_eq!(
            escape("@all and @team/sre"),
            "@\u{2060}all and @\u{2060}team/sre"
        );
        assert_eq!(code_span("`x"), "`` `x ``");
    }

    #[test]
    fn prose_links_nowhere_and_code_is_left_as_written() {
        assert_eq!(
            escape("[a](https://x.io) ![b](y)").replace('\u{2060}', "^"),
            "\\[a\\]^(https:^//x.^io) \\!\\[b\\]^(y)"
        );
        assert_eq!(code_span("[a](https://x.io)"), "`[a](https://x.io)`");
    }
}
