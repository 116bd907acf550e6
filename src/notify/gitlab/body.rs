//! Making a note body safe to hand to GitLab, which reads more than Markdown in it.
//!
//! GitLab runs quick actions in new notes and commit comments: a line that starts with
//! `/merge`, `/approve`, `/label ~x`, `/close` or (on a commit) `/tag v1` acts on the merge
//! request or repository with the token's rights. Which lines it skips (code blocks,
//! quotes, HTML) has changed between versions, and a fence longer than three backticks, as
//! ours becomes when Terraform's output holds one, is not skipped. So every line that
//! starts with `/` gets an invisible word joiner in front: it reads and renders the same
//! and is never a command. GitLab also deletes carriage returns from what it stores; we
//! do it first, so a body read back compares equal to the one we would write.

use crate::notify::github::metadata::Metadata;
use crate::notify::github::with_marker;
use crate::notify::gitlab::NOTE_LIMIT;
use crate::render::{cut, length};

/// The invisible character put before a `/` that starts a line.
const COMMAND_BREAK: char = '\u{2060}';

/// The note to send for a rendered `body`: our marker added, made [`inert`], and within
/// GitLab's limit even when the guards pushed it over (the body is then cut at a line).
pub(crate) fn note(body: &str, metadata: &Metadata) -> String {
    let full = inert(&with_marker(body, metadata));
    let over = full.chars().count().saturating_sub(NOTE_LIMIT);
    if over == 0 {
        return full;
    }
    let shorter = cut(body, length(body).saturating_sub(over + 1_000));
    inert(&with_marker(&shorter, metadata))
}

/// `body` as GitLab will store it, with no line that GitLab could run as a quick action.
pub(crate) fn inert(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut line_start = true;
    for c in body.chars() {
        match c {
            '\r' => {}
            '\n' => {
                line_start = true;
                out.push(c);
            }
            '/' if line_start => {
                out.push(COMMAND_BREAK);
                out.push(c);
                line_start = false;
            }
            _ => {
                line_start = false;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{inert, note};
    use crate::notify::github::metadata::Metadata;
    use crate::notify::gitlab::NOTE_LIMIT;

    #[test]
    fn no_line_can_start_a_quick_action() {
        assert_eq!(
            inert("/merge\ntext /close\r\n\r/approve\n  /label ~x"),
            "\u{2060}/merge\ntext /close\n\u{2060}/approve\n  /label ~x"
        );
        assert_eq!(
            inert("a\r\nb"),
            "a\nb",
            "carriage returns go, as GitLab does"
        );
    }

    #[test]
    fn a_body_of_slashes_still_fits_with_its_marker() {
        let body = "/x\n".repeat(NOTE_LIMIT / 3);
        let metadata = Metadata {
            command: "plan".into(),
            ..Metadata::default()
        };
        let sent = note(&body, &metadata);
        assert!(sent.chars().count() <= NOTE_LIMIT);
        assert!(
            sent.ends_with(&metadata.marker()),
            "the marker survives the cut"
        );
        assert!(sent.starts_with("\u{2060}/x\n"));
    }
}
