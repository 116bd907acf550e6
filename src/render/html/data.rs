//! The resource list of the HTML report as data the page's script draws from.
//!
//! Fifty thousand resources as ready-made HTML would make the browser build every row
//! before showing anything; as compact JSON the page draws only the rows on screen and a
//! diff only when it is opened. Every text is masked before it is serialised, and the
//! JSON is made safe to sit inside a `<script>` element (see [`script_json`]).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::mask::Masker;
use crate::model::{Action, Report, ResourceChange};
use crate::parse::{ResourceDiff, resource_diffs};

/// What pairs a diff with its resource: the Terragrunt directory, the address and the
/// deposed key.
type DiffKey<'a> = (Option<&'a str>, &'a str, Option<&'a str>);

/// The order of the groups: what removes things first, as a reviewer reads them.
pub(super) const GROUP_ORDER: [Action; 7] = [
    Action::Delete,
    Action::Replace,
    Action::Update,
    Action::Create,
    Action::Forget,
    Action::Read,
    Action::NoOp,
];

/// What a group of resources is called on the page.
pub(super) fn label(action: Action) -> &'static str {
    match action {
        Action::Create => "Create",
        Action::Update => "Update in place",
        Action::Delete => "Destroy",
        Action::Replace => "Replace",
        Action::Read => "Read",
        Action::NoOp => "No change (import, move)",
        Action::Forget => "Forget (remove from state)",
    }
}

/// The page's data: `actions` (group order, with labels), `modules`, `resources` as
/// `[address, action index, module index, diff index or -1, note]`, and `diffs`.
pub(super) fn payload(report: &Report, masker: &Masker) -> Value {
    let actions: Vec<Action> = GROUP_ORDER
        .into_iter()
        .filter(|a| report.resources.iter().any(|r| r.action == *a))
        .collect();
    // Each Terragrunt module's own changes, so the same address in two modules gets its
    // own module's diff; the whole text for any other run.
    let texts: Vec<(Option<&str>, String)> = if report.modules.is_empty() {
        vec![(None, report.transcript.changes.text())]
    } else {
        report
            .modules
            .iter()
            .map(|m| {
                let dir = (!m.dir.is_empty()).then_some(m.dir.as_str());
                (dir, m.report.transcript.changes.text())
            })
            .collect()
    };
    let diffs: Vec<(Option<&str>, ResourceDiff<'_>)> = texts
        .iter()
        .flat_map(|(dir, text)| resource_diffs(text).into_iter().map(move |d| (*dir, d)))
        .collect();
    let mut unused_diffs: HashMap<DiffKey<'_>, Vec<usize>> = HashMap::new();
    for (index, (dir, diff)) in diffs.iter().enumerate().rev() {
        unused_diffs
            .entry((*dir, diff.address.as_str(), diff.deposed))
            .or_default()
            .push(index);
    }
    let modules = modules(report);
    let module_index: HashMap<&str, usize> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_str(), i))
        .collect();
    let mut used = Vec::new();
    let mut rows = Vec::with_capacity(report.resources.len());
    for change in report.resources.iter() {
        let action = actions.iter().position(|a| *a == change.action);
        let module = module_index[module_of(change).as_str()];
        // Each diff goes to the first resource with its address and deposed key that has
        // none yet, so resources and diffs pair in Terraform's own order.
        let key = (
            change.module_dir().map(|d| &**d),
            &*change.address,
            change.deposed(),
        );
        let diff = unused_diffs
            .get_mut(&key)
            .and_then(Vec::pop)
            .map_or(-1, |index| {
                used.push(diffs[index].1.text);
                i64::try_from(used.len() - 1).unwrap_or(-1)
            });
        rows.push(json!([
            &*change.address,
            action,
            module,
            diff,
            note(change)
        ]));
    }
    let labels: Vec<Value> = actions
        .iter()
        .map(|a| json!([a.as_str(), label(*a)]))
        .collect();
    let mut value = json!({
        "actions": labels,
        "modules": modules,
        "resources": rows,
        "diffs": used,
        "no_diff": no_diff_text(report),
    });
    masker.mask_value(&mut value);
    value
}

/// The JSON text of `value`, safe inside `<script type="application/json">`: no `<` can
/// close the element or open a comment, whatever the texts hold.
pub(super) fn script_json(value: &Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The module a change belongs to, as the module filter offers it: the Terragrunt
/// directory, then the module path of the address without instance keys; `(root)` for
/// the root module.
pub(super) fn module_of(change: &ResourceChange) -> String {
    let path = module_path(&change.address);
    match (change.module_dir(), path.is_empty()) {
        (Some(dir), true) => format!("{dir}: (root)"),
        (Some(dir), false) => format!("{dir}: {path}"),
        (None, true) => "(root)".to_owned(),
        (None, false) => path,
    }
}

/// Every module of the report, sorted, each once.
fn modules(report: &Report) -> Vec<String> {
    let mut modules: Vec<String> = report.resources.iter().map(module_of).collect();
    modules.sort_unstable();
    modules.dedup();
    modules
}

/// `module.a["k.1"].module.b[0].x.y` into `module.a.module.b`: the leading `module.NAME`
/// steps, with the keys of their instances (which may hold dots and brackets in quotes)
/// left out.
fn module_path(address: &str) -> String {
    let mut path = String::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_end = after.find(['.', '[']).unwrap_or(after.len());
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str("module.");
        path.push_str(&after[..name_end]);
        let mut tail = &after[name_end..];
        if tail.starts_with('[') {
            tail = skip_key(tail);
        }
        match tail.strip_prefix('.') {
            Some(next) => rest = next,
            None => break,
        }
    }
    path
}

/// What follows an instance key `[…]` at the start of `text`; quotes are honoured, so a
/// `]` inside a string key does not end it.
fn skip_key(text: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return &text[i + 1..],
            _ => {}
        }
    }
    ""
}

/// What a row says beside its address: why, a move, an import, a deposed object.
fn note(change: &ResourceChange) -> String {
    let mut parts = Vec::new();
    if let Some(reason) = change.reason() {
        parts.push(reason.to_owned());
    }
    if let Some(from) = change.moved_from() {
        parts.push(format!("moved from {from}"));
    }
    if change.imported {
        parts.push("imported".to_owned());
    }
    if let Some(key) = change.deposed() {
        parts.push(format!("deposed object {key}"));
    }
    parts.join(" · ")
}

/// What an opened resource shows when its diff was not kept.
fn no_diff_text(report: &Report) -> &'static str {
    if report.transcript.changes.omitted_bytes() > 0 {
        "Terraform's diff for this resource was not kept: the plan's changes were longer than tfnotify keeps."
    } else {
        "Terraform printed no diff for this resource (a JSON plan has none to show)."
    }
}

#[cfg(test)]
mod tests {
    use super::{module_path, payload, script_json};
    use crate::mask::Masker;
    use crate::model::Command;
    use serde_json::json;
    use std::fmt::Write as _;

    #[test]
    fn module_paths_leave_instance_keys_out() {
        for (address, path) in [
            ("aws_s3_bucket.b", ""),
            ("module.app.aws_s3_bucket.b", "module.app"),
            (
                r#"module.app["a.b]"].module.db[0].x.y"#,
                "module.app.module.db",
            ),
            ("module.app[3].terraform_data.svc[\"s-1\"]", "module.app"),
            ("data.module.x", ""),
        ] {
            assert_eq!(module_path(address), path, "{address}");
        }
    }

    #[test]
    fn the_same_address_in_two_terragrunt_modules_gets_its_own_modules_diff() {
        let mut text = String::new();
        for (dir, value) in [("live/a", "from-a"), ("live/b", "from-b")] {
            for line in [
                "Terraform will perform the following actions:",
                "",
                "  # terraform_data.x will be created",
                "  + resource \"terraform_data\" \"x\" {",
                &format!("      + input = \"{value}\""),
                "    }",
                "",
                "Plan: 1 to add, 0 to change, 0 to destroy.",
            ] {
                let _ = writeln!(text, "09:32:48.251 STDOUT [{dir}] terraform: {line}");
            }
        }
        let report = crate::parse::parse(text.as_bytes(), Command::Plan).expect("parsed");
        assert_eq!(report.modules.len(), 2);
        let value = payload(&report, &Masker::empty());
        let rows = value["resources"].as_array().expect("rows");
        assert_eq!(rows.len(), 2);
        for (row, (module, expected)) in rows
            .iter()
            .zip([("live/a: (root)", "from-a"), ("live/b: (root)", "from-b")])
        {
            let index = |at: usize| usize::try_from(row[at].as_u64().expect("an index"));
            assert_eq!(value["modules"][index(2).expect("module")], module);
            let text = value["diffs"][index(3).expect("diff")]
                .as_str()
                .expect("text");
            assert!(text.contains(expected), "{text}");
        }
    }

    #[test]
    fn script_json_cannot_close_the_script_element() {
        let text = script_json(&json!({"a": "</script><!-- & \"q\""}));
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back["a"], "</script><!-- & \"q\"");
    }
}
