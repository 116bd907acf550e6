//! Making untrusted text safe in Markdown.
//!
//! Terraform output is untrusted text: a resource key or a diagnostic can hold Markdown or
//! HTML. Addresses go in code spans whose fence outruns any backticks inside them, and
//! prose goes through [`escape`], so nothing in a plan can restyle or hide a message, nor
//! mention anyone: GitHub and GitLab notify `@name`, and GitLab's `@all` notifies every
//! member of the project. Text in code is never a mention on either. Templates reach these
//! as `codeSpan` and `mdEscape`.

/// An invisible word joiner: after `@` it ends the mention while the text reads the same.
/// A backslash or an HTML entity would not do: both platforms find mentions in the
/// rendered text, where `\@all` and `&#64;all` are `@all` again.
const MENTION_BREAK: char = '\u{2060}';

/// Text made inert for Markdown and HTML: it shows as written, styles nothing and
/// mentions no one.
pub(crate) fn escape(text: &str) -> String {
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
            '@' => {
                out.push('@');
                out.push(MENTION_BREAK);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
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
    use super::{code_span, escape};

    #[test]
    fn hostile_text_stays_inert() {
        assert_eq!(
            escape("<script>*x*</script>"),
            "&lt;script&gt;\\*x\\*&lt;/script&gt;"
        );
        assert_eq!(code_span("a[\"`b`\"]"), "``a[\"`b`\"]``");
        assert_eq!(
            escape("@all and @team/sre"),
            "@\u{2060}all and @\u{2060}team/sre"
        );
        assert_eq!(code_span("`x"), "`` `x ``");
    }
}
