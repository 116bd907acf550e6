//! The Markdown message, as Bitbucket can show it.
//!
//! Bitbucket escapes every HTML tag in a comment (Cloud renders with Python-Markdown and
//! escapes raw HTML; Data Center documents "all HTML tags are escaped"), so what GitHub hides
//! or folds would show as text. The default message folds long lists in
//! `<details><summary>…</summary>` and marks destroys with a `> [!CAUTION]` alert; here
//! folds become bold headings and alerts a bold word, outside code only. Our marker takes
//! its second form, a link reference definition that Markdown consumes without a trace.

use crate::notify::github::metadata::Metadata;

/// The alerts GitHub renders, by the word Bitbucket shows instead.
const ALERTS: [(&str, &str); 5] = [
    ("[!NOTE]", "Note"),
    ("[!TIP]", "Tip"),
    ("[!IMPORTANT]", "Important"),
    ("[!WARNING]", "Warning"),
    ("[!CAUTION]", "Caution"),
];

/// `body` with the folds and alerts Bitbucket would show as text rewritten; code blocks
/// and every other line are left as they are. A fold loses about 20 characters and an alert
/// gains one, well within the room the notifier keeps for its marker.
pub(crate) fn adapt(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut fence: Option<(char, usize)> = None;
    for line in body.lines() {
        if let Some((c, n)) = fence_run(line) {
            match fence {
                None => fence = Some((c, n)),
                Some((open, len)) if open == c && n >= len && line.trim()[n..].is_empty() => {
                    fence = None;
                }
                Some(_) => {}
            }
            push(&mut out, line);
            continue;
        }
        if fence.is_some() {
            push(&mut out, line);
            continue;
        }
        match rewrite(line.trim()) {
            Some(text) => push(&mut out, &text),
            None => push(&mut out, line),
        }
    }
    if !body.ends_with('\n') {
        out.pop();
    }
    out
}

/// `body` with the marker after a blank line (a link reference definition cannot interrupt
/// a paragraph).
pub(crate) fn with_reference_marker(body: &str, metadata: &Metadata) -> String {
    format!("{}\n\n{}", body.trim_end(), metadata.reference_marker())
}

/// The line Bitbucket should see instead of `line`, if it is one of the HTML lines.
fn rewrite(line: &str) -> Option<String> {
    if line == "</details>" {
        return Some(String::new());
    }
    if let Some(rest) = line.strip_prefix("<details>") {
        let rest = rest.trim();
        if rest.is_empty() {
            return Some(String::new());
        }
        return summary(rest).map(|title| format!("**{title}**\n"));
    }
    if let Some(title) = summary(line) {
        return Some(format!("**{title}**\n"));
    }
    let alert = line.strip_prefix('>')?.trim();
    ALERTS
        .iter()
        .find(|(tag, _)| alert == *tag)
        .map(|(_, word)| format!("> **{word}**"))
}

/// The text of `<summary>…</summary>`, without the `<b>` our lists put in it.
fn summary(line: &str) -> Option<String> {
    let inner = line.strip_prefix("<summary>")?.strip_suffix("</summary>")?;
    let title = inner.replace("<b>", "").replace("</b>", "");
    let title = title.trim();
    (!title.is_empty()).then(|| title.to_owned())
}

/// A fence line's character and length: three or more backticks or tildes.
fn fence_run(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim();
    let c = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = trimmed.chars().take_while(|x| *x == c).count();
    (n >= 3).then_some((c, n))
}

fn push(out: &mut String, line: &str) {
    out.push_str(line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::{adapt, with_reference_marker};
    use crate::notify::github::metadata::{Metadata, PROGRAM};

    #[test]
    fn folds_become_headings_and_alerts_words_outside_code() {
        let body = "## :warning: Plan\n\n> [!CAUTION]\n> **This plan destroys 3 resources.**\n\n<details><summary><b>Create</b> (2)</summary>\n\n- `a`\n\n</details>\n\n<details><summary>Planned changes</summary>\n```hcl\n</details>\n<details><summary>x</summary>\n```\n\n</details>";
        let want = "## :warning: Plan\n\n> **Caution**\n> **This plan destroys 3 resources.**\n\n**Create (2)**\n\n\n- `a`\n\n\n\n**Planned changes**\n\n```hcl\n</details>\n<details><summary>x</summary>\n```\n\n";
        assert_eq!(adapt(body), want);
    }

    #[test]
    fn other_lines_are_left_alone() {
        let body = "a <b>bold</b> word\n- `<details>`\n````\n```\n<details>\n````\n> [!CAUTION] and more\n";
        let want = "a <b>bold</b> word\n- `<details>`\n````\n```\n<details>\n````\n> [!CAUTION] and more\n";
        assert_eq!(adapt(body), want);
    }

    #[test]
    fn the_marker_follows_a_blank_line() {
        let meta = Metadata {
            command: "plan".into(),
            program: PROGRAM.into(),
            ..Metadata::default()
        };
        let marked = with_reference_marker("body\n", &meta);
        assert_eq!(
            marked,
            "body\n\n[//]: # (tfnotify: {\"Command\":\"plan\",\"Program\":\"tfnotify\"})"
        );
        assert_eq!(Metadata::extract(&marked), Some(meta));
    }
}
