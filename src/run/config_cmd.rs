//! `tfnotify config check` and `tfnotify config schema`.

use std::fmt::Write as _;

use crate::cli::{Cli, ConfigCommand};
use crate::error::Error;
use crate::model::Command;
use crate::parse;
use crate::render::{Context, Extras, Flavor};
use crate::run::{report_error, settings, write_stdout};
use crate::settings::{Settings, World};

/// Sample outputs every configured template is rendered against.
const SAMPLES: &[(Command, &[u8])] = &[
    (
        Command::Plan,
        include_bytes!("../../examples/mixed.plan.txt"),
    ),
    (
        Command::Apply,
        include_bytes!("../../examples/mixed.apply.txt"),
    ),
    (
        Command::Fmt,
        include_bytes!("../../examples/unformatted.fmt.txt"),
    ),
    (
        Command::Validate,
        include_bytes!("../../examples/invalid.validate.txt"),
    ),
];

pub(super) fn config(cli: &Cli, command: &ConfigCommand, world: &World<'_>) -> i32 {
    match command {
        ConfigCommand::Schema => {
            let mut text =
                serde_json::to_string_pretty(&schema_with_settings()).unwrap_or_default();
            text.push('\n');
            write_stdout(text.as_bytes())
        }
        ConfigCommand::Check => check(cli, world),
    }
}

/// The config's JSON Schema with every destination's settings named in `notifiers:`
/// entries, so editors complete them (the config module does not know the destinations).
fn schema_with_settings() -> serde_json::Value {
    let mut schema = crate::config::json_schema();
    let mut known: std::collections::BTreeMap<&str, Vec<String>> =
        std::collections::BTreeMap::new();
    for (destination, setting) in crate::notify::all_settings() {
        let docs = known.entry(setting.key).or_default();
        docs.push(format!("{destination}: {}", setting.doc));
    }
    // `notifier.<destination>` for every destination without a v0 block: the entry's keys
    // (its `type` is the block's name) plus that destination's own settings.
    let mut block = schema
        .pointer("/properties/notifier/additionalProperties")
        .cloned()
        .unwrap_or_default();
    if let Some(properties) = block
        .get_mut("properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        properties.remove("type");
    }
    if let Some(blocks) = schema
        .pointer_mut("/properties/notifier/properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        let v0: Vec<String> = blocks.keys().cloned().collect();
        for (destination, setting) in crate::notify::all_settings() {
            if v0.iter().any(|name| name == destination) {
                continue;
            }
            let own = blocks.entry(destination).or_insert_with(|| {
                let mut own = block.clone();
                own["description"] = serde_json::json!(format!(
                    "Post with `{destination}`, as a `notifiers:` entry of that type does."
                ));
                own
            });
            if let Some(properties) = own
                .get_mut("properties")
                .and_then(serde_json::Value::as_object_mut)
            {
                properties.entry(setting.key).or_insert_with(|| {
                    serde_json::json!({
                        "type": ["string", "integer", "boolean", "null"],
                        "description": setting.doc,
                    })
                });
            }
        }
    }
    if let Some(properties) = schema
        .pointer_mut("/properties/notifiers/items/properties")
        .and_then(serde_json::Value::as_object_mut)
    {
        for (key, docs) in known {
            let description = docs.join(" ");
            properties.entry(key).or_insert_with(|| {
                serde_json::json!({
                    "type": ["string", "integer", "boolean", "null"],
                    "description": description,
                })
            });
        }
    }
    schema
}

/// Loads everything and renders each template the config would use against the samples.
fn check(cli: &Cli, world: &World<'_>) -> i32 {
    let (settings, errors) = settings(cli, world);
    if let Some(error) = errors.first() {
        return error.exit_code();
    }
    let mut out = format!("config: {}\n", settings.config_name());
    let mut failed = false;
    for flavor in flavors(&settings) {
        for (command, sample) in SAMPLES {
            match render_sample(&settings, flavor, *command, sample) {
                Ok(bytes) => {
                    let _ = writeln!(
                        out,
                        "  ok  {} {} template: {bytes} bytes for the sample {}",
                        flavor.as_str(),
                        command.as_str(),
                        command.as_str()
                    );
                }
                Err(error) => {
                    failed = true;
                    let _ = writeln!(
                        out,
                        "  ERR {} {} template",
                        flavor.as_str(),
                        command.as_str()
                    );
                    report_error(&error);
                }
            }
        }
    }
    for flavor in Flavor::ALL {
        match render_summary_sample(&settings, flavor) {
            Ok(bytes) => {
                let _ = writeln!(
                    out,
                    "  ok  {} summary template: {bytes} bytes for the sample pull request",
                    flavor.as_str()
                );
            }
            Err(error) => {
                failed = true;
                let _ = writeln!(out, "  ERR {} summary template", flavor.as_str());
                report_error(&error);
            }
        }
    }
    match check_ai_summary(&settings, world) {
        Some(Ok(line)) => out.push_str(&line),
        Some(Err(reason)) => {
            failed = true;
            out.push_str("  ERR ai_summary prompt\n");
            let _ = std::io::Write::write_fmt(
                &mut std::io::stderr().lock(),
                format_args!("tfnotify: error: {reason}\n"),
            );
        }
        None => {}
    }
    for (place, entry, checked) in crate::notify::destinations::check(&settings.config) {
        match checked {
            Ok(warnings) => {
                for warning in warnings {
                    let _ = std::io::Write::write_fmt(
                        &mut std::io::stderr().lock(),
                        format_args!("tfnotify: warning: {warning}\n"),
                    );
                }
                let _ = writeln!(out, "  ok  {place} ({})", entry.kind.trim());
            }
            Err(error) => {
                failed = true;
                let _ = writeln!(out, "  ERR {place}");
                report_error(&Error::Notify(error));
            }
        }
        if entry.template.trim().is_empty() {
            continue;
        }
        for (command, sample) in SAMPLES {
            if !crate::notify::destinations::is_for_command(entry, *command) {
                continue;
            }
            let rendered = settings
                .message_from(Flavor::Markdown, *command, Some(&entry.template))
                .and_then(|message| render_message(&settings, &message, *command, sample));
            match rendered {
                Ok(bytes) => {
                    let _ = writeln!(
                        out,
                        "  ok  {place} {} template: {bytes} bytes for the sample {}",
                        command.as_str(),
                        command.as_str()
                    );
                }
                Err(error) => {
                    failed = true;
                    let _ = writeln!(out, "  ERR {place} {} template", command.as_str());
                    report_error(&error);
                }
            }
        }
    }
    let code = write_stdout(out.as_bytes());
    if failed {
        crate::error::EXIT_USAGE
    } else {
        code
    }
}

/// When the AI summary is on: its settings resolved and its prompt rendered for the sample
/// plan (`Ok` with the report line), or why it cannot work. A missing key is a warning: it
/// may well be set only in CI.
fn check_ai_summary(settings: &Settings, world: &World<'_>) -> Option<Result<String, String>> {
    let ai = &settings.config.ai_summary;
    let named = crate::ai::Provider::from_name(&ai.provider);
    if let Some(reason) = named
        .and_then(crate::ai::Provider::refusal)
        .filter(|_| ai.enabled)
    {
        // A v1 value that loads and is declined: worth knowing, not a broken config.
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr().lock(),
            format_args!("tfnotify: warning: {reason}; runs go without an AI summary\n"),
        );
        return None;
    }
    let summariser = crate::ai::Summariser::resolve(
        &settings.config.ai_summary,
        &crate::ai::Switches::default(),
        Command::Plan,
        world.env,
        &world.cwd,
    );
    let summariser = match summariser {
        Ok(summariser) => summariser?,
        Err(reason) => return Some(Err(reason)),
    };
    if let Some(reason) = summariser.missing_key() {
        let _ = std::io::Write::write_fmt(
            &mut std::io::stderr().lock(),
            format_args!("tfnotify: warning: {reason}: runs here go without an AI summary\n"),
        );
    }
    let (_, sample) = SAMPLES[0];
    let report = match parse::parse(sample, Command::Plan) {
        Ok(report) => report,
        Err(e) => return Some(Err(e.to_string())),
    };
    let extras = Extras {
        vars: settings.vars.clone(),
        ci: Some(&settings.ci),
        ..Extras::default()
    };
    let prompt = summariser.prompt(&report, &extras, &crate::mask::Masker::empty());
    Some(prompt.map(|prompt| {
        format!(
            "  ok  ai_summary prompt ({}, {}): {} characters for the sample plan, sent to `{}`\n",
            summariser.provider.as_str(),
            summariser.model,
            prompt.chars().count(),
            origin(&summariser.base)
        )
    }))
}

/// The scheme, host and port of `url`, without any user name or password in it: where
/// prompts go, and nothing a URL may carry besides.
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
}

/// The notations the configured destinations use; Markdown always (step summaries).
fn flavors(settings: &Settings) -> Vec<Flavor> {
    let notifier = &settings.config.notifier;
    let mut flavors = vec![Flavor::Markdown];
    if notifier.slack.is_some() || notifier.mattermost.is_some() {
        flavors.push(Flavor::Slack);
    }
    flavors
}

fn render_sample(
    settings: &Settings,
    flavor: Flavor,
    command: Command,
    sample: &[u8],
) -> Result<usize, Error> {
    let message = settings.message(flavor, command)?;
    render_message(settings, &message, command, sample)
}

/// Renders the summary in `flavor` for the sample pull request; a field the template
/// reads that the summary does not have is an error, as for the plan's.
fn render_summary_sample(settings: &Settings, flavor: Flavor) -> Result<usize, Error> {
    let message = settings.message(flavor, Command::Summary)?;
    let extras = crate::render::OverviewExtras {
        title: crate::render::default_title(Command::Summary).to_owned(),
        vars: settings.vars.clone(),
        link: settings.ci.build_url.clone(),
        ..crate::render::OverviewExtras::default()
    };
    let context =
        crate::render::overview_context(&super::sample_overview::sample_overview(), &extras);
    let template = |e: crate::render::MessageError| Error::Template { message: e.message };
    let unknown = message
        .unknown_fields(&crate::template::Value::from(&context))
        .map_err(template)?;
    if let Some(first) = unknown.into_iter().next() {
        return Err(Error::Template { message: first });
    }
    let text = message.render_value(&context).map_err(template)?;
    Ok(text.len())
}

fn render_message(
    settings: &Settings,
    message: &crate::render::Message,
    command: Command,
    sample: &[u8],
) -> Result<usize, Error> {
    let report =
        parse::parse(sample, command).map_err(|source| Error::Parse { command, source })?;
    let extras = Extras {
        vars: settings.vars.clone(),
        ci: Some(&settings.ci),
        ..Extras::default()
    };
    let context = Context::new(&report, &extras).data();
    let template = |e: crate::render::MessageError| Error::Template { message: e.message };
    let unknown = message.unknown_fields(&context).map_err(template)?;
    if let Some(first) = unknown.into_iter().next() {
        return Err(Error::Template { message: first });
    }
    let text = message.render_data(&context).map_err(template)?;
    Ok(text.len())
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn an_origin_shows_no_credentials() {
        assert_eq!(
            origin("https://u:p@llm.internal:8000/v1?k=1"),
            "https://llm.internal:8000"
        );
        assert_eq!(origin("http://127.0.0.1:1/v1"), "http://127.0.0.1:1");
    }
}
