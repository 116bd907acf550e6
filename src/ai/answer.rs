//! A model's answer made fit for a message.
//!
//! The answer is untrusted text, like Terraform's: a model can be talked into anything by
//! the plan it reads (a resource key is written by a module author), and it may answer at
//! any length. So it is cut to a budget, stripped of control characters, and every form
//! that could act rather than read is broken with an invisible word joiner: links and
//! mentions (`@everyone`, `@all`), any `<` (HTML, `</details>`, hidden markers such as
//! `<!-- tfnotify … -->`, Slack's `<!channel>`), and a `/` that starts a line (GitLab's
//! quick actions). Each template then puts it through its notation's own escape
//! (`mdLines`, `slackEscape`, …), so a template that prints `.AISummary` as it is still
//! prints nothing that acts.

use crate::render::{WORD_JOINER, unlink};

/// The most characters of an answer kept: a few screens of prose, far below every
/// destination's limit, so a summary never crowds out the plan; the message budget may
/// still cut it further for a small destination (Slack, Discord).
pub const ANSWER_CHARS: usize = 6_000;

/// `answer` cut to [`ANSWER_CHARS`] and made inert; `None` when nothing readable is left.
pub fn inert(answer: &str) -> Option<String> {
    let mut kept = String::with_capacity(answer.len().min(ANSWER_CHARS * 4));
    let mut count = 0;
    let mut cut = false;
    for c in answer.chars() {
        if count == ANSWER_CHARS {
            cut = true;
            break;
        }
        match c {
            '\r' => continue,
            '\t' => kept.push(' '),
            '\n' => kept.push('\n'),
            c if c.is_control() => continue,
            // Bidirectional overrides can make text read other than it is.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => continue,
            c => kept.push(c),
        }
        count += 1;
    }
    let mut text = kept.trim().to_owned();
    if text.is_empty() {
        return None;
    }
    if cut {
        text.push_str(" …");
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim_start().starts_with('/') {
            out.push(WORD_JOINER);
        }
        for c in line.chars() {
            out.push(c);
            if c == '<' {
                out.push(WORD_JOINER);
            }
        }
    }
    // Links and mentions last: a `<` already broken is not broken twice.
    Some(unlink(&out))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{ANSWER_CHARS, inert};
    use crate::model::Command;
    use crate::render::{Context, Extras, Flavor, Message, Spec};

    #[test]
    fn every_default_message_shows_the_summary_and_nothing_in_it_acts() {
        let text = std::fs::read(format!(
            "{}/tests/fixtures/terraform/1.11/plan_mixed.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        let report = crate::parse::parse(&text, Command::Plan).expect("parse");
        let hostile = "Adds a **bucket**. @all <!here> [x](https://evil.example) `[toall]`\n/close";
        let extras = Extras {
            ai_summary: inert(hostile),
            summary_enabled: true,
            ..Extras::default()
        };
        let data = Context::new(&report, &extras).data();
        let overrides = BTreeMap::new();
        for flavor in [
            Flavor::Markdown,
            Flavor::Slack,
            Flavor::Chatwork,
            Flavor::Teams,
        ] {
            let spec = Spec {
                flavor,
                command: Command::Plan,
                template: None,
                overrides: &overrides,
                raw: false,
            };
            let message = Message::build(&spec).expect("default template");
            let shown = message.render_data(&data).expect("renders");
            let name = flavor.as_str();
            assert!(shown.contains("AI summary"), "{name}: {shown}");
            assert!(shown.contains("Adds a "), "{name}");
            for acting in ["@all", "<!here>", "](https://", "\n/close"] {
                assert!(!shown.contains(acting), "{name}: {acting} in {shown}");
            }
            if flavor == Flavor::Chatwork {
                assert!(!shown.contains("[toall]"), "{shown}");
            }
        }
    }

    #[test]
    fn nothing_in_an_answer_can_act() {
        let text = inert("@everyone look\n/merge\n <!channel> </details><!-- tfnotify: {} -->")
            .expect("text");
        let shown = text.replace('\u{2060}', "^");
        assert_eq!(
            shown,
            "@^everyone look\n^/merge\n <^!channel> <^/details><^!-- tfnotify: {} -->"
        );
    }

    #[test]
    fn long_answers_are_cut_and_empty_ones_are_none() {
        let text = inert(&"a".repeat(1 << 20)).expect("text");
        assert_eq!(text.chars().count(), ANSWER_CHARS + 2);
        assert!(text.ends_with(" …"));
        assert_eq!(inert(" \n\u{7}\t "), None);
        assert_eq!(inert("a\r\nb\u{202e}c").as_deref(), Some("a\nbc"));
    }
}
