//! A 50,000-resource plan renders within every destination's size limit, and what a
//! reviewer must see (the destroyed resources, the counts) survives the shortening.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;

use tfnotify::model::Command;
use tfnotify::render::{Context, Extras, Flavor, Message, Spec, length, render_within};

fn big_plan() -> tfnotify::model::Report {
    let mut text = Vec::new();
    common::big_plan::write_plan(&mut text, 50_000, 0).expect("generate");
    tfnotify::parse::parse(&text, Command::Plan).expect("parse")
}

/// Our default plan message of a notation.
fn default_message(flavor: Flavor) -> Message {
    let spec = Spec {
        flavor,
        command: Command::Plan,
        template: None,
        overrides: &BTreeMap::new(),
        raw: false,
    };
    Message::build(&spec).expect("build")
}

#[test]
fn a_50000_resource_plan_fits_every_default_message() {
    let report = big_plan();
    assert_eq!(report.resources.len(), 50_000);
    for flavor in Flavor::ALL {
        let message = default_message(flavor);
        let extras = Extras::default();
        let context = Context::new(&report, &extras).data();
        let fitted = render_within(&message, &context, flavor.limit()).expect("render");
        let len = length(&fitted.text);
        assert!(
            len <= flavor.limit(),
            "{}: {len} > {}",
            flavor.as_str(),
            flavor.limit()
        );
        assert!(
            fitted.text.contains("5000"),
            "{}: the destroy count survives",
            flavor.as_str()
        );
        assert!(
            fitted
                .text
                .replace('\u{200b}', "")
                .contains("module.app[9].terraform_data.svc[\"s-9\"]"),
            "{}: the first destroyed resource is still listed",
            flavor.as_str()
        );
        assert!(
            fitted.text.contains("(5000 by replacement)"),
            "{}: how many are replaced is counted, not the entries left after cutting",
            flavor.as_str()
        );
        if flavor == Flavor::Markdown {
            for heading in ["**Destroy** (5000)", "**Replace** (5000)"] {
                assert!(fitted.text.contains(heading), "{heading}");
            }
            let listed = fitted.text.matches("\n- `module.app").count();
            assert!(
                fitted
                    .text
                    .contains(&format!("- … and {} more", 5000 - 100)),
                "the lists were cut ({listed} entries left) and still say how many are left out"
            );
            assert!(!fitted.shortened.is_empty());
            assert!(fitted.text.contains(
                "This message was shortened to fit the destination's limit of 65536 characters"
            ));
            assert!(
                fitted
                    .text
                    .contains("Plan: 35000 to add, 10000 to change, 10000 to destroy.")
            );
            assert_eq!(
                fitted.text.matches("```").count() % 2,
                0,
                "every fence is closed"
            );
        }
    }
}

#[test]
fn a_template_too_big_for_any_shrinking_is_cut_at_a_line_with_its_fence_closed() {
    let report = big_plan();
    let overrides = BTreeMap::new();
    // Nothing in the context can shrink this: only the last-resort cut is left.
    let huge = "head\n```\n{{repeat 70000 \"x\\n\"}}```\n";
    let spec = Spec {
        flavor: Flavor::Markdown,
        command: Command::Plan,
        template: Some(huge),
        overrides: &overrides,
        raw: true,
    };
    let message = Message::build(&spec).expect("build");
    let extras = Extras::default();
    let fitted =
        render_within(&message, &Context::new(&report, &extras).data(), 65_536).expect("render");
    assert!(length(&fitted.text) <= 65_536);
    assert!(fitted.text.starts_with("head\n```\nx\n"));
    assert!(fitted.text.ends_with(
        "x\n```\n\n… (cut to fit the message size limit; the CI job has the full output)"
    ));
}

#[test]
fn a_consolidated_terragrunt_run_of_big_modules_fits_with_every_modules_heading() {
    let mut text = String::new();
    for dir in ["live/app", "live/db", "live/edge"] {
        let mut plan = Vec::new();
        common::big_plan::write_plan(&mut plan, 5_000, 0).expect("generate");
        for line in String::from_utf8(plan).expect("utf-8").lines() {
            let _ = writeln!(text, "10:00:00.000 STDOUT [{dir}] terraform: {line}");
        }
    }
    let report = tfnotify::parse::parse(text.as_bytes(), Command::Plan).expect("parse");
    assert_eq!(report.modules.len(), 3);
    let message = default_message(Flavor::Markdown);
    let extras = Extras::default();
    let context = Context::new(&report, &extras).data();
    let fitted = render_within(&message, &context, 65_536).expect("render");
    assert!(length(&fitted.text) <= 65_536, "{}", length(&fitted.text));
    for dir in ["live/app", "live/db", "live/edge"] {
        assert!(
            fitted.text.contains(&format!(":warning: `{dir}`")),
            "{dir}'s heading survives"
        );
    }
    assert!(
        fitted
            .shortened
            .iter()
            .any(|s| s.starts_with("`.Modules.*.")),
        "the modules' own lists were cut, not the text: {:?}",
        fitted.shortened
    );
    assert!(
        !fitted
            .shortened
            .iter()
            .any(|s| s == "the end of the message"),
        "{:?}",
        fitted.shortened
    );
}

#[test]
fn a_message_cut_hard_still_says_how_many_resources_each_group_has() {
    let report = big_plan();
    let message = default_message(Flavor::Markdown);
    let extras = Extras::default();
    let context = Context::new(&report, &extras).data();
    // Discord's embed: small enough that the destroyed and replaced lists are cut too.
    let fitted = render_within(&message, &context, 4_096).expect("render");
    let text = &fitted.text;
    assert!(length(text) <= 4_096);
    assert!(
        text.contains("This plan destroys 10000 resources (5000 by replacement)"),
        "{text}"
    );
    let after = text
        .split("**Destroy** (5000)\n")
        .nth(1)
        .expect("the destroy group, counted");
    let listed = after
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with("- `"))
        .count();
    assert!(listed < 100, "the list was cut: {listed} entries");
    assert!(
        after.contains(&format!("- … and {} more", 5000 - listed)),
        "what is left out is counted from the whole list: {after}"
    );
}
