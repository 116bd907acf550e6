//! The one line a threaded Slack post shows in the channel; the details go in its thread.
//!
//! It is built here from the report rather than through a template: it says the same few
//! things for every configuration (the outcome, how much is destroyed, the counts, the
//! target, where, and the CI job), and a user's template is for the details. Everything
//! that does not come from tfnotify itself (target, repository) is escaped with
//! [`slack_escape`], which also breaks any link in it, and the CI link with
//! [`slack_entities`], which keeps it one; the whole line is then defused and masked like
//! any message.

use std::fmt::Write as _;

use crate::model::{Counts, Outcome, Report};
use crate::notify::slack::metadata::Metadata;
use crate::render::{Summary, slack_entities, slack_escape};

/// Longest target or repository shown, in characters; longer ones are cut with `…`.
const NAME_LIMIT: usize = 100;

/// Longest CI link kept; a longer one is left out rather than cut into a wrong URL.
const LINK_LIMIT: usize = 1_000;

/// The summary line: `:warning: *Plan destroys resources* · :rotating_light: *3 resources
/// will be destroyed* · `prod` · acme/infra#12 · +0 ~0 -3 · <https://ci/1|CI job>`.
///
/// The destroy count comes right after the outcome, in bold with a siren, so it is seen in
/// the channel without opening the thread. The line stays far below a section's 3,000
/// characters: names and the link are capped.
pub(super) fn line(report: &Report, about: &Metadata, link: Option<&str>) -> String {
    let view = Summary::new(report);
    let mut parts = vec![format!("{} *{}*", emoji(report), headline(report, &view))];
    if let Some(destroyed) = view.destroy_warning() {
        parts.push(format!(":rotating_light: *{destroyed}*"));
    }
    if let Some(target) = &about.target {
        parts.push(format!("`{}`", slack_escape(&cap(target))));
    }
    if let Some(repo) = &about.repo {
        let pr = about.pr.map(|pr| format!("#{pr}")).unwrap_or_default();
        parts.push(format!("{}{pr}", slack_escape(&cap(repo))));
    }
    if !report.counts.is_zero() {
        parts.push(counts(&report.counts));
    }
    if let Some(link) = link.and_then(safe_link) {
        parts.push(format!("<{link}|CI job>"));
    }
    parts.join(" · ")
}

/// The outcome's emoji, as our Slack template uses them.
fn emoji(report: &Report) -> &'static str {
    match report.outcome {
        Outcome::Changes if report.has_destroy => ":warning:",
        Outcome::Changes => ":memo:",
        Outcome::NoChanges | Outcome::Applied | Outcome::Formatted | Outcome::Valid => {
            ":white_check_mark:"
        }
        Outcome::Unformatted => ":pencil2:",
        Outcome::Unparsed => ":grey_question:",
        Outcome::Error | Outcome::ApplyFailed | Outcome::Invalid => ":x:",
    }
}

fn headline(report: &Report, view: &Summary<'_>) -> String {
    if report.outcome == Outcome::Changes && report.has_destroy {
        "Plan destroys resources".to_owned()
    } else {
        view.headline()
    }
}

/// `+add ~change -destroy`, and imports and forgets when there are any.
fn counts(counts: &Counts) -> String {
    let mut text = format!("+{} ~{} -{}", counts.add, counts.change, counts.destroy);
    if counts.import > 0 {
        let _ = write!(text, " ←{} imported", counts.import);
    }
    if counts.forget > 0 {
        let _ = write!(text, " {} forgotten", counts.forget);
    }
    text
}

fn cap(text: &str) -> String {
    let text = text.replace(['\n', '\r'], " ");
    if text.chars().count() <= NAME_LIMIT {
        return text;
    }
    let mut cut: String = text.chars().take(NAME_LIMIT - 1).collect();
    cut.push('…');
    cut
}

/// The CI URL as the target of a Slack link, when it can be one: http(s), no spaces, not
/// too long; `|` would end the URL, so it is percent-encoded.
fn safe_link(url: &str) -> Option<String> {
    let url = url.trim();
    let web = url.starts_with("https://") || url.starts_with("http://");
    let clean = !url.contains(char::is_whitespace) && url.len() <= LINK_LIMIT;
    (web && clean).then(|| slack_entities(url).replace('|', "%7C"))
}

#[cfg(test)]
mod tests {
    use crate::model::{Action, Command, Outcome, Report, ResourceChange};
    use crate::notify::slack::metadata::Metadata;

    use super::line;

    fn about(target: Option<&str>) -> Metadata {
        Metadata {
            command: "plan".into(),
            target: target.map(Into::into),
            repo: Some("acme/infra".into()),
            pr: Some(12),
            sha: None,
        }
    }

    fn destroying() -> Report {
        let mut report = Report::new(Command::Plan);
        report.outcome = Outcome::Changes;
        report.has_destroy = true;
        report.counts.add = 1;
        report.counts.destroy = 3;
        report.resources = std::sync::Arc::new(vec![
            ResourceChange::new("a.b", Action::Delete),
            ResourceChange::new("a.c", Action::Delete),
            ResourceChange::new("a.d", Action::Replace),
            ResourceChange::new("a.e", Action::Create),
        ]);
        report
    }

    #[test]
    fn a_destroying_plan_says_so_right_after_the_outcome() {
        assert_eq!(
            line(
                &destroying(),
                &about(Some("prod")),
                Some("https://ci.example/1?a=1&b=2")
            ),
            ":warning: *Plan destroys resources* · :rotating_light: *3 resources will be destroyed (1 by replacement)* · `prod` · acme/infra#12 · +1 ~0 -3 · <https://ci.example/1?a=1&amp;b=2|CI job>"
        );
    }

    #[test]
    fn quiet_outcomes_stay_short() {
        let mut report = Report::new(Command::Plan);
        report.outcome = Outcome::NoChanges;
        assert_eq!(
            line(&report, &about(None), None),
            ":white_check_mark: *No changes* · acme/infra#12"
        );
        report.outcome = Outcome::Error;
        assert!(line(&report, &about(None), None).starts_with(":x: *Terraform plan failed*"));
    }

    #[test]
    fn names_and_links_cannot_escape_their_place() {
        let hostile = "<!channel> `x` @here\n".repeat(10);
        let text = line(
            &destroying(),
            &about(Some(&hostile)),
            Some("https://ci.example/a|<!here>"),
        );
        assert!(!text.contains("<!"), "{text}");
        assert!(!text.contains('\n'), "{text}");
        assert_eq!(text.matches('`').count(), 2, "{text}");
        assert!(text.contains("\u{2026}` ·"), "the target is cut: {text}");
        assert!(
            text.ends_with("<https://ci.example/a%7C&lt;!here&gt;|CI job>"),
            "{text}"
        );
        assert_eq!(
            line(&destroying(), &about(None), Some("javascript:x"))
                .matches('<')
                .count(),
            0
        );
    }
}
