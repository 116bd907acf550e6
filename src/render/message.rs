//! Messages rendered through Go templates: the user's, or our defaults.
//!
//! A message is built once, at startup, from the main template (the config's, or our
//! default for the destination kind and command), our built-in sub-templates (the names
//! tfcmt users override: `plan_title`, `result`, `deletion_warning`, …) and the config's
//! `templates:`. A template that does not parse is therefore reported before Terraform runs.
//! Engine errors are turned into one [`MessageError`] here, so nobody downstream digs
//! through them.

use std::collections::BTreeMap;

use crate::model::Command;
use crate::render::context::Context;
use crate::render::links::unlink;
use crate::render::markdown::{code_span, escape, escape_lines};
use crate::template::{Func, FuncSet, Mode, Param, Template, Value};

/// The kinds of destination, each with its own default templates and notation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// GitHub and GitLab comments, step summaries: GitHub-flavoured Markdown.
    Markdown,
    /// Slack (and Mattermost) `mrkdwn`.
    Slack,
    /// Chatwork's `[info]`/`[code]` notation.
    Chatwork,
    /// The text of a Microsoft Teams card (its Markdown subset).
    Teams,
    /// Plain text, for terminals and logs.
    Terminal,
}

impl Flavor {
    /// Every flavour, for tests and `config check`.
    pub const ALL: [Flavor; 5] = [
        Flavor::Markdown,
        Flavor::Slack,
        Flavor::Chatwork,
        Flavor::Teams,
        Flavor::Terminal,
    ];

    /// The engine mode our default templates are written for. Only Markdown destinations
    /// decode HTML entities; the others are written in text mode with their own escaping.
    fn default_mode(self) -> Mode {
        match self {
            Flavor::Markdown => Mode::Html,
            Flavor::Slack | Flavor::Chatwork | Flavor::Teams | Flavor::Terminal => Mode::Text,
        }
    }

    /// The size our default message of this kind is kept within, in characters: the
    /// strictest limit of the destinations that use the notation (GitHub's 65,536 for
    /// Markdown, a Slack section's 3,000, Teams' card of about 28 KB with a margin), and a
    /// cautious figure for Chatwork, which documents none.
    pub fn limit(self) -> usize {
        match self {
            Flavor::Markdown => 65_536,
            Flavor::Slack => 3_000,
            Flavor::Chatwork => 10_000,
            Flavor::Teams => 20_000,
            Flavor::Terminal => 1_000_000,
        }
    }

    /// A short name for messages and snapshots.
    pub fn as_str(self) -> &'static str {
        match self {
            Flavor::Markdown => "markdown",
            Flavor::Slack => "slack",
            Flavor::Chatwork => "chatwork",
            Flavor::Teams => "teams",
            Flavor::Terminal => "terminal",
        }
    }
}

/// A template that failed to parse or to render, with Go's message and an excerpt.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct MessageError {
    /// Go's `template: NAME:LINE:COL: …` line, then the template line and a caret.
    pub message: String,
}

impl From<crate::template::Error> for MessageError {
    fn from(error: crate::template::Error) -> Self {
        MessageError {
            message: error.excerpt(),
        }
    }
}

/// How to build one message template.
#[derive(Debug, Clone, Copy)]
pub struct Spec<'a> {
    pub flavor: Flavor,
    pub command: Command,
    /// The config's template for this command; our default when `None` or empty.
    pub template: Option<&'a str>,
    /// The config's `templates:`: sub-templates added or overridden by name.
    pub overrides: &'a BTreeMap<String, String>,
    /// `use_raw_output: true`: Go's text/template instead of html/template for the config's
    /// template (our defaults are written for a fixed mode).
    pub raw: bool,
}

/// A parsed message template, ready to render any number of times.
#[derive(Debug)]
pub struct Message {
    template: Template,
}

/// Built-in sub-templates of the Markdown flavour, by the names templates call them.
const MARKDOWN_PARTS: &[(&str, &str)] = &[
    (
        "plan_title",
        include_str!("templates/markdown/plan_title.tmpl"),
    ),
    (
        "apply_title",
        include_str!("templates/markdown/apply_title.tmpl"),
    ),
    ("counts", include_str!("templates/markdown/counts.tmpl")),
    ("ci_link", include_str!("templates/markdown/ci_link.tmpl")),
    (
        "deletion_warning",
        include_str!("templates/markdown/deletion_warning.tmpl"),
    ),
    ("result", include_str!("templates/markdown/result.tmpl")),
    (
        "updated_resources",
        include_str!("templates/markdown/updated_resources.tmpl"),
    ),
    (
        "module_sections",
        include_str!("templates/markdown/module_sections.tmpl"),
    ),
    (
        "resource_group",
        include_str!("templates/markdown/resource_group.tmpl"),
    ),
    (
        "failed_resources",
        include_str!("templates/markdown/failed_resources.tmpl"),
    ),
    (
        "changed_result",
        include_str!("templates/markdown/changed_result.tmpl"),
    ),
    (
        "change_outside_terraform",
        include_str!("templates/markdown/change_outside_terraform.tmpl"),
    ),
    ("warning", include_str!("templates/markdown/warning.tmpl")),
    (
        "error_messages",
        include_str!("templates/markdown/error_messages.tmpl"),
    ),
    ("notices", include_str!("templates/markdown/notices.tmpl")),
    ("owners", include_str!("templates/markdown/owners.tmpl")),
    (
        "protected_resources",
        include_str!("templates/markdown/protected_resources.tmpl"),
    ),
    ("details", include_str!("templates/markdown/details.tmpl")),
    (
        "ai_summary",
        include_str!("templates/markdown/ai_summary.tmpl"),
    ),
    (
        "guide_apply_failure",
        include_str!("templates/markdown/guide_apply_failure.tmpl"),
    ),
    (
        "guide_apply_parse_error",
        include_str!("templates/markdown/guide_apply_parse_error.tmpl"),
    ),
];

/// The default main template of a flavour for a command.
fn default_template(flavor: Flavor, command: Command) -> &'static str {
    match (flavor, command) {
        // Named, so `templates: {summary: …}` replaces it like any other sub-template.
        (_, Command::Summary) => "{{template \"summary\" .}}",
        (Flavor::Markdown, Command::Plan) => include_str!("templates/markdown/plan.tmpl"),
        (Flavor::Markdown, Command::Apply | Command::Destroy) => {
            include_str!("templates/markdown/apply.tmpl")
        }
        (Flavor::Markdown, Command::Fmt) => include_str!("templates/markdown/fmt.tmpl"),
        (Flavor::Markdown, Command::Validate) => include_str!("templates/markdown/validate.tmpl"),
        (Flavor::Slack, _) => include_str!("templates/slack/message.tmpl"),
        (Flavor::Chatwork, _) => include_str!("templates/chatwork/message.tmpl"),
        (Flavor::Teams, _) => include_str!("templates/teams/message.tmpl"),
        (Flavor::Terminal, _) => include_str!("templates/terminal/message.tmpl"),
    }
}

/// The summary's built-in sub-templates in a flavour: `summary` itself, and the pieces the
/// Markdown one is made of, each replaceable under `templates:`.
fn summary_parts(flavor: Flavor) -> &'static [(&'static str, &'static str)] {
    match flavor {
        Flavor::Markdown => &[
            ("summary", include_str!("templates/summary/markdown.tmpl")),
            (
                "summary_totals",
                include_str!("templates/summary/markdown_totals.tmpl"),
            ),
            (
                "summary_row",
                include_str!("templates/summary/markdown_row.tmpl"),
            ),
            (
                "summary_target",
                include_str!("templates/summary/markdown_target.tmpl"),
            ),
            (
                "summary_result",
                include_str!("templates/summary/markdown_result.tmpl"),
            ),
        ],
        Flavor::Slack => &[("summary", include_str!("templates/summary/slack.tmpl"))],
        Flavor::Chatwork => &[("summary", include_str!("templates/summary/chatwork.tmpl"))],
        Flavor::Teams => &[("summary", include_str!("templates/summary/teams.tmpl"))],
        Flavor::Terminal => &[("summary", include_str!("templates/summary/terminal.tmpl"))],
    }
}

fn parts(flavor: Flavor) -> &'static [(&'static str, &'static str)] {
    match flavor {
        Flavor::Markdown => MARKDOWN_PARTS,
        Flavor::Slack | Flavor::Chatwork | Flavor::Teams | Flavor::Terminal => &[],
    }
}

/// Every function templates can call: Go's builtins, sprig (without what leaks secrets),
/// tfcmt's helpers, and ours for putting untrusted text into each notation safely.
pub fn functions() -> FuncSet {
    let mut set = FuncSet::standard();
    set.insert(
        "slackEscape",
        Func::new(&[Param::Str], |a| {
            Ok(Value::str(slack_escape(a[0].as_str().unwrap_or(""))))
        }),
    );
    set.insert(
        "chatworkEscape",
        Func::new(&[Param::Str], |a| {
            Ok(Value::str(chatwork_escape(a[0].as_str().unwrap_or(""))))
        }),
    );
    set.insert(
        "teamsEscape",
        Func::new(&[Param::Str], |a| {
            Ok(Value::str(teams_escape(a[0].as_str().unwrap_or(""))))
        }),
    );
    set.insert(
        "codeSpan",
        Func::new(&[Param::Str], |a| {
            Ok(Value::Html(code_span(a[0].as_str().unwrap_or("")).into()))
        }),
    );
    set.insert(
        "tableCode",
        Func::new(&[Param::Str], |a| {
            Ok(Value::Html(
                code_span(a[0].as_str().unwrap_or(""))
                    .replace('|', "\\|")
                    .into(),
            ))
        }),
    );
    set.insert(
        "mdLines",
        Func::new(&[Param::Str], |a| {
            Ok(Value::Html(
                escape_lines(a[0].as_str().unwrap_or("")).into(),
            ))
        }),
    );
    set.insert(
        "mdEscape",
        Func::new(&[Param::Str], |a| {
            Ok(Value::Html(escape(a[0].as_str().unwrap_or("")).into()))
        }),
    );
    set
}

/// Text from Terraform that Slack (and Mattermost) show as written: [`slack_entities`],
/// and every link form broken (see `render::links`). It breaks them inside code spans and blocks
/// too: Slack finds URLs on its server, in code as elsewhere, and Mattermost renders
/// `[text](url)`, images and bare URLs; the word joiners show nowhere.
pub fn slack_escape(text: &str) -> String {
    slack_entities(&unlink(text))
}

/// Text in Slack's notation as written: its three control characters escaped, so no mention
/// (`<!channel>`, `<@U123>`) or link syntax can be formed, and backticks shown as the
/// look-alike `ˋ` (U+02CB). `mrkdwn` has no escape for a backtick and no longer fence, so
/// one in a resource key would end the code span or block around it and turn the rest of
/// the message into code. Alone, for the links tfnotify writes itself.
pub fn slack_entities(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "\u{2cb}")
}

/// Text that Chatwork shows as written. Chatwork has no escape, so a zero-width space after
/// every `[` keeps `[To:…]`, `[toall]` or `[/code]` in Terraform output from being tags;
/// Chatwork links bare URLs, so those are broken too ([`unlink`]).
fn chatwork_escape(text: &str) -> String {
    unlink(text).replace('[', "[\u{200b}")
}

/// Text from Terraform for a Teams card, on one line, linking nowhere (see `render::links`). A card's
/// Markdown has no code spans (Microsoft lists preformatted text as unsupported), so an
/// address or an error in backticks is still Markdown there, and a link or an image in it
/// would render; the word joiners break them whether or not the card honours backslash
/// escapes, and show nothing.
pub fn teams_escape(text: &str) -> String {
    unlink(&text.replace(['\n', '\r'], " "))
}

impl Message {
    /// Parses the templates of `spec`.
    pub fn build(spec: &Spec<'_>) -> Result<Message, MessageError> {
        let user = spec.template.filter(|t| !t.trim().is_empty());
        let (text, mode) = match user {
            Some(text) => (text, if spec.raw { Mode::Text } else { Mode::Html }),
            None => (
                default_template(spec.flavor, spec.command),
                spec.flavor.default_mode(),
            ),
        };
        // The summary's main template only calls the `summary` sub-template, so it needs a
        // name of its own.
        let name = match spec.command {
            Command::Summary => "summary_message",
            command => command.as_str(),
        };
        let mut template = Template::parse(name, text, mode, &functions())?;
        template.strict_root();
        let summary = match spec.command {
            Command::Summary => summary_parts(spec.flavor),
            _ => &[],
        };
        for (name, body) in parts(spec.flavor).iter().chain(summary) {
            // A sub-template the main template defines itself is the user's: keep it.
            if !template.has_template(name) {
                template.add_define(name, body)?;
            }
        }
        for (name, body) in spec.overrides {
            template.add_define(name, body)?;
        }
        Ok(Message { template })
    }

    /// Renders the message for one run.
    pub fn render(&self, context: &Context<'_>) -> Result<String, MessageError> {
        self.render_data(&context.data())
    }

    /// Renders from a context already in the engine's form ([`Context::data`]), which
    /// several renders of one run can share.
    pub fn render_data(&self, context: &Value) -> Result<String, MessageError> {
        Ok(self.template.execute_value(context)?)
    }

    /// The fields the template reads that the context does not have (each renders as
    /// `<no value>` or nothing, as in Go): almost always a typo, so callers warn.
    pub fn unknown_fields(&self, context: &Value) -> Result<Vec<String>, MessageError> {
        Ok(self.template.execute_noting(context)?.1)
    }

    /// Renders from a context already in JSON form (a saved `--dump-context`).
    pub fn render_value(&self, context: &serde_json::Value) -> Result<String, MessageError> {
        Ok(self.template.execute(context)?)
    }

    /// Renders like [`Message::render_value`] and says what share of one render's
    /// step limit that took, so that rendering again with less data stays bounded.
    pub(crate) fn render_counting(&self, context: &Value) -> Result<(String, f64), MessageError> {
        let (text, steps) = self.template.execute_counting(context)?;
        #[allow(clippy::cast_precision_loss)]
        let share = steps as f64 / self.template.limits().steps.max(1) as f64;
        Ok((text, share))
    }
}

#[cfg(test)]
mod tests {
    use super::{chatwork_escape, slack_entities, slack_escape, teams_escape};

    #[test]
    fn chat_escapes_neutralise_mentions_and_tags() {
        assert_eq!(
            slack_entities("<!channel> & <@U1>"),
            "&lt;!channel&gt; &amp; &lt;@U1&gt;"
        );
        assert_eq!(
            slack_escape("a[\"```\"]`b`"),
            "a[\"\u{2cb}\u{2cb}\u{2cb}\"]\u{2cb}b\u{2cb}"
        );
        assert_eq!(
            chatwork_escape("[toall] [/code]"),
            "[\u{200b}toall] [\u{200b}/code]"
        );
    }

    #[test]
    fn every_notation_s_escape_links_nowhere() {
        let text = "[a](https://x.io) <https://y.io|b> ops@z.io";
        let joined = |s: String| s.replace('\u{2060}', "^");
        assert_eq!(
            joined(slack_escape(text)),
            "[a]^(https:^//x.^io) &lt;^https:^//y.^io|b&gt; ops@^z.^io"
        );
        assert_eq!(
            joined(chatwork_escape(text)),
            "[\u{200b}a]^(https:^//x.^io) <^https:^//y.^io|b> ops@^z.^io"
        );
        assert_eq!(
            joined(teams_escape("![i](https://x.io)\nnext")),
            "![i]^(https:^//x.^io) next"
        );
        assert_eq!(
            slack_entities("https://ci.example/1"),
            "https://ci.example/1",
            "our own links stay"
        );
    }
}
