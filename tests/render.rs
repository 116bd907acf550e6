//! The local summaries (terminal and Markdown) of every plan and apply fixture, as reviewed
//! snapshots: what a person actually reads.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use common::fixtures;
use tfnotify::model::{Command, Report};
use tfnotify::render::{Context, Extras, Flavor, Message, Spec};

/// Our default Markdown message (GitHub, GitLab, step summaries) for a report.
fn markdown(report: &Report) -> String {
    default_message(report, Flavor::Markdown)
}

/// Our default message of one destination kind for a report.
fn default_message(report: &Report, flavor: Flavor) -> String {
    let overrides = BTreeMap::new();
    let spec = Spec {
        flavor,
        command: report.command,
        template: None,
        overrides: &overrides,
        raw: false,
    };
    let message = Message::build(&spec).expect("the default templates parse");
    message
        .render(&Context::new(report, &Extras::default()))
        .expect("the default templates render")
}

#[test]
fn summaries_of_every_fixture_match_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/render");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for fixture in fixtures::all() {
            let wanted = matches!(
                fixture.command,
                Command::Plan
                    | Command::Apply
                    | Command::Destroy
                    | Command::Fmt
                    | Command::Validate
            );
            // One form per run: the colour and JSON forms parse the same (see tests/parse.rs).
            if !wanted || fixture.kind != "txt" || fixture.name.ends_with("_saved") {
                continue;
            }
            let report = tfnotify::parse::parse(&fixture.bytes(), fixture.command)
                .unwrap_or_else(|e| panic!("{}: {e}", fixture.id));
            let mut text = tfnotify::render::terminal(&report, false);
            for flavor in Flavor::ALL {
                let _ = write!(text, "\n--- {} ---\n", flavor.as_str());
                text.push_str(&default_message(&report, flavor));
            }
            insta::assert_snapshot!(fixture.id.replace('/', "__"), text);
        }
    });
}

#[test]
fn the_destroy_warning_leads_the_summary() {
    let fixture = common::run::fixture("1.11/plan_destroy_removed_from_config.txt");
    let report = tfnotify::parse::parse(&fixture, Command::Plan).expect("parse");
    let terminal = tfnotify::render::terminal(&report, false);
    let lines: Vec<&str> = terminal.lines().collect();
    assert_eq!(
        lines[3], "  !! 4 resources will be destroyed !!",
        "{terminal}"
    );
    let markdown = markdown(&report);
    assert!(
        markdown
            .lines()
            .nth(4)
            .is_some_and(|l| l.starts_with("> [!CAUTION]")),
        "{markdown}"
    );
}

#[test]
fn hostile_addresses_cannot_restyle_the_markdown() {
    let plan = "Terraform will perform the following actions:\n\n  \
        # terraform_data.x[\"</details><script>`\"] will be destroyed\n\n\
        Plan: 0 to add, 0 to change, 1 to destroy.\n";
    let report = tfnotify::parse::parse(plan.as_bytes(), Command::Plan).expect("parse");
    let markdown = markdown(&report);
    assert!(
        markdown.contains("- ``terraform_data.x[\"</details><script>`\"]``"),
        "{markdown}"
    );
    assert!(!markdown.contains("<details><summary><script>"));
}

#[test]
fn long_lists_are_summarised_not_dumped() {
    let fixture = common::run::fixture("1.11/plan_large.txt");
    let report = tfnotify::parse::parse(&fixture, Command::Plan).expect("parse");
    let terminal = tfnotify::render::terminal(&report, false);
    assert!(terminal.contains("… and 1975 more"), "{terminal}");
    assert!(terminal.lines().count() < 60);
    let markdown = markdown(&report);
    assert!(
        markdown.contains("<details><summary><b>Create</b> (2000)</summary>"),
        "{markdown}"
    );
    assert!(markdown.contains("- … and 1900 more"));
}

#[test]
fn the_default_markdown_message_ends_with_the_owners_line() {
    let report = tfnotify::parse::parse(
        &common::run::fixture("1.11/plan_destroy.txt"),
        Command::Plan,
    )
    .expect("parse");
    let overrides = BTreeMap::new();
    let spec = Spec {
        flavor: Flavor::Markdown,
        command: Command::Plan,
        template: None,
        overrides: &overrides,
        raw: false,
    };
    let extras = Extras {
        owners: vec!["@acme/platform".to_owned(), "@alice".to_owned()],
        ..Extras::default()
    };
    let text = Message::build(&spec)
        .expect("the default templates parse")
        .render(&Context::new(&report, &extras))
        .expect("the default templates render");
    assert!(text.ends_with("\ncc @acme/platform @alice\n"), "{text}");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/render");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!("plan_destroy_with_owners", text));
}
