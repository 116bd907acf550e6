//! The prompt: what a model is told about a run, masked and bounded.
//!
//! It is made from the message context of the run (the same parse result the message
//! shows), masked by the run's masks before the prompt template sees any of it, so nothing
//! that `TFNOTIFY_MASKS` hides and no token reaches the model; Terraform's own
//! `(sensitive value)` stays as Terraform wrote it. Its size is bounded by
//! [`PROMPT_CHARS`] whatever the plan: the resource lists are kept first (destroyed and
//! replaced resources before the rest), then the quoted output fills what room is left
//! as its start and end, and a last cut guarantees the bound.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::mask::Masker;
use crate::model::Report;
use crate::render::{Context, Extras, Flavor, Message, Spec};

/// The most characters a prompt has (about 12,000 tokens): a plan of 50,000 resources
/// costs what a plan of 500 does.
pub const PROMPT_CHARS: usize = 48_000;

/// The share of [`PROMPT_CHARS`] the resource lists may take together.
const LIST_CHARS: usize = PROMPT_CHARS / 2;

/// The most characters of the warning and of the drift section each.
const SECTION_CHARS: usize = PROMPT_CHARS / 10;

/// Our default prompt template, in Go template syntax over the data [`render`] gives it.
pub const DEFAULT_PROMPT: &str = include_str!("templates/prompt.tmpl");

/// The resource lists in the order they are kept when the budget runs short, with the
/// context's name for each and the title the default prompt gives it.
const LISTS: &[(&str, &str)] = &[
    ("DeletedResources", "Destroyed"),
    ("ReplacedResources", "Replaced"),
    ("CreatedResources", "Created"),
    ("UpdatedResources", "Updated in place"),
    ("MovedResources", "Moved"),
    ("ImportedResources", "Imported"),
];

/// Parses a prompt template; an error names the template and the place.
pub fn parse(text: &str, report_kind: crate::model::Command) -> Result<Message, String> {
    let overrides = BTreeMap::new();
    Message::build(&Spec {
        flavor: Flavor::Terminal,
        command: report_kind,
        template: Some(text),
        overrides: &overrides,
        raw: true,
    })
    .map_err(|e| format!("the prompt template does not parse: {}", e.message))
}

/// The prompt for `report`, rendered from `template`, masked and within [`PROMPT_CHARS`].
pub fn render(
    template: &Message,
    report: &Report,
    extras: &Extras<'_>,
    masker: &Masker,
) -> Result<String, String> {
    let context = Context::new(report, extras);
    let output = masker.mask(&context.combined_output).into_owned();
    let mut data = data(&context, masker);
    let render = |data: &Value| {
        template
            .render_value(data)
            .map_err(|e| format!("the prompt template failed: {}", e.message))
    };
    // The output gets what room the rest leaves.
    let fixed = render(&data)?.chars().count();
    let room = PROMPT_CHARS.saturating_sub(fixed + 200);
    data["CombinedOutput"] = Value::from(ends(&output, room));
    let prompt = render(&data)?;
    // Masked again: a template may join texts into a form a mask matches.
    let prompt = masker.mask(&prompt).into_owned();
    Ok(prompt.chars().take(PROMPT_CHARS).collect())
}

/// What a prompt template sees: tfnotify v1's names (`.CreatedResources`, `.Warning`,
/// `.CombinedOutput`, …) and `.Lists`, the kept lists with titles and full counts. The
/// combined output is left empty here; [`render`] fills it. Read from the context itself,
/// each text masked as it is taken: a plan's whole context is never turned into JSON for
/// the few parts a prompt holds.
fn data(context: &Context<'_>, masker: &Masker) -> Value {
    let hide = |text: &str| masker.mask(text).into_owned();
    let ci = |field: fn(&crate::ci::CiEnv) -> Option<&str>| context.ci.and_then(field).map(hide);
    let mut room = LIST_CHARS;
    let mut lists = Vec::new();
    let mut data = json!({
        "Command": context.command,
        "Result": hide(&context.result),
        "ExitCode": context.exit_code,
        "HasError": context.has_error,
        "HasDestroy": context.has_destroy,
        "Warning": ends(&hide(&context.warning), SECTION_CHARS),
        "ChangeOutsideTerraform": ends(&hide(&context.change_outside_terraform), SECTION_CHARS),
        "ErrorMessages": errors(context.report, masker),
        "CombinedOutput": "",
        "PRNumber": context.ci.and_then(|ci| ci.pr_number),
        "RepoOwner": ci(|ci| ci.owner.as_deref()),
        "RepoName": ci(|ci| ci.repo.as_deref()),
    });
    let resources = &context.report.resources;
    for (name, title) in LISTS {
        let all: Vec<String> = if *name == "MovedResources" {
            context
                .resources
                .moved_picks()
                .iter()
                .map(|p| &resources[*p as usize])
                .map(|r| {
                    let before = r.moved_from().map(hide).unwrap_or_default();
                    format!("{before} → {}", hide(&r.address))
                })
                .collect()
        } else {
            context
                .resources
                .picks()
                .find(|(list, _)| list == name)
                .map(|(_, picks)| picks)
                .unwrap_or_default()
                .iter()
                .map(|p| hide(&resources[*p as usize].address))
                .collect()
        };
        let mut kept = Vec::new();
        for item in &all {
            let cost = item.chars().count() + 3;
            if cost > room {
                room = 0;
                break;
            }
            room -= cost;
            kept.push(item.clone());
        }
        data[*name] = json!(kept);
        if !all.is_empty() {
            lists.push(json!({"Title": title, "Count": all.len(), "Items": kept}));
        }
    }
    data["Lists"] = Value::Array(lists);
    data
}

/// Terraform's errors, each as its summary and detail, masked.
fn errors(report: &Report, masker: &Masker) -> Vec<String> {
    report
        .errors
        .iter()
        .map(|e| {
            let detail = ends(&masker.mask(&e.detail), SECTION_CHARS / 4);
            format!("{}: {detail}", masker.mask(&e.summary))
                .trim_end_matches([':', ' '])
                .to_owned()
        })
        .collect()
}

/// `text` within `limit` characters: its start and end, with how much was left out.
fn ends(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_owned();
    }
    let keep = limit.saturating_sub(60) / 2;
    let head: String = text.chars().take(keep).collect();
    let tail: String = text.chars().skip(count - keep).collect();
    format!(
        "{head}\n… ({} characters left out) …\n{tail}",
        count - 2 * keep
    )
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::{DEFAULT_PROMPT, PROMPT_CHARS, ends, parse, render};
    use crate::mask::Masker;
    use crate::model::Command;
    use crate::render::Extras;

    fn report(path: &str) -> crate::model::Report {
        let text = std::fs::read(format!(
            "{}/tests/fixtures/terraform/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        crate::parse::parse(&text, Command::Plan).expect("parse")
    }

    #[test]
    fn the_default_prompt_lists_the_changes_and_quotes_the_output() {
        let template = parse(DEFAULT_PROMPT, Command::Plan).expect("parses");
        let prompt = render(
            &template,
            &report("1.11/plan_mixed.txt"),
            &Extras::default(),
            &Masker::empty(),
        )
        .expect("renders");
        assert!(
            prompt.starts_with("Summarise this Terraform plan"),
            "{prompt}"
        );
        assert!(
            prompt.contains("Destroyed (2):\n- terraform_data.bastion"),
            "{prompt}"
        );
        assert!(prompt.contains("Replaced (5):\n- terraform_data.tls_certificate"));
        assert!(prompt.contains("Terraform's output:\n\"\"\"\n"), "{prompt}");
        assert!(
            prompt.contains("Result: Plan: 1 to import, 12 to add, 5 to change, 7 to destroy.")
        );
    }

    #[test]
    fn masked_values_never_reach_the_prompt() {
        let template = parse(DEFAULT_PROMPT, Command::Plan).expect("parses");
        let masker = Masker::empty().with_literal("test", "bastion");
        let prompt = render(
            &template,
            &report("1.11/plan_mixed.txt"),
            &Extras::default(),
            &masker,
        )
        .expect("renders");
        assert!(!prompt.contains("bastion"), "{prompt}");
        assert!(prompt.contains("terraform_data.***"));
    }

    #[test]
    fn a_huge_plan_costs_a_bounded_prompt_and_keeps_its_destroys() {
        let mut text = String::from("Terraform will perform the following actions:\n\n");
        for i in 0..20_000 {
            let _ = write!(
                text,
                "  # terraform_data.item_{i} will be created\n  + resource \"terraform_data\" \"item_{i}\" {{\n      + id = (known after apply)\n    }}\n\n"
            );
        }
        text.push_str("  # terraform_data.old will be destroyed\n  - resource \"terraform_data\" \"old\" {\n      - id = \"x\" -> null\n    }\n\nPlan: 20000 to add, 0 to change, 1 to destroy.\n");
        let report = crate::parse::parse(text.as_bytes(), Command::Plan).expect("parse");
        let template = parse(DEFAULT_PROMPT, Command::Plan).expect("parses");
        let prompt =
            render(&template, &report, &Extras::default(), &Masker::empty()).expect("renders");
        assert!(prompt.chars().count() <= PROMPT_CHARS);
        assert!(
            prompt.contains("Destroyed (1):\n- terraform_data.old"),
            "destroys come first"
        );
        assert!(prompt.contains("Created (20000):"));
        assert!(prompt.contains("more"));
        assert!(prompt.contains("characters left out"));
    }

    #[test]
    fn a_template_that_does_not_parse_says_so() {
        let error = parse("{{.Result", Command::Plan).expect_err("broken");
        assert!(
            error.starts_with("the prompt template does not parse: "),
            "{error}"
        );
        assert_eq!(ends("abcdef", 10), "abcdef");
    }
}
