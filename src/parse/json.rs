//! Terraform's machine-readable outputs: the JSON plan (`terraform show -json PLANFILE`),
//! `terraform validate -json`, and the JSON-lines log of `plan -json` / `apply -json`.
//!
//! Plans can be hundreds of megabytes, mostly attribute values we never show. The document
//! is read as a stream into types that name only the fields we use, so everything else is
//! skipped without being built in memory. Unknown fields are ignored, as Terraform's
//! compatibility promise asks; a major `format_version` other than 1 is refused.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read;

use serde::Deserialize;

use crate::model::{
    Action, Command, Counts, Diagnostic, MAX_DIAGNOSTICS, MAX_RESOURCES, Outcome, OutputChange,
    Report, ResourceChange,
};
use crate::parse::ParseError;
use crate::parse::outcome::counts_of;

/// One JSON value of the input: a whole plan or validate result, or one log line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Document {
    format_version: Option<String>,
    planned_values: Option<serde::de::IgnoredAny>,
    values: Option<serde::de::IgnoredAny>,
    resource_changes: Option<Vec<JsonChange>>,
    resource_drift: Option<Vec<JsonChange>>,
    output_changes: Option<BTreeMap<String, JsonOutput>>,
    errored: Option<bool>,
    valid: Option<bool>,
    diagnostics: Option<Vec<JsonDiagnostic>>,
    #[serde(rename = "@level")]
    level: Option<String>,
    #[serde(rename = "@message")]
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    change: Option<UiChange>,
    changes: Option<UiSummary>,
    diagnostic: Option<JsonDiagnostic>,
    outputs: Option<BTreeMap<String, UiOutput>>,
    hook: Option<UiHook>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonChange {
    address: String,
    previous_address: Option<String>,
    module_address: Option<String>,
    index: Option<serde_json::Value>,
    deposed: Option<String>,
    change: JsonChangeBody,
    action_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonChangeBody {
    actions: Vec<String>,
    importing: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonOutput {
    actions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonDiagnostic {
    severity: String,
    summary: String,
    detail: String,
    address: Option<String>,
    range: Option<JsonRange>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonRange {
    filename: String,
    start: JsonPos,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct JsonPos {
    line: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UiChange {
    resource: UiResource,
    previous_resource: Option<UiResource>,
    action: String,
    reason: Option<String>,
    importing: Option<serde::de::IgnoredAny>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UiResource {
    addr: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UiSummary {
    add: u64,
    change: u64,
    import: u64,
    remove: u64,
    forget: u64,
    operation: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UiOutput {
    action: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct UiHook {
    resource: UiResource,
}

/// Reads JSON from `reader` into a report for `command`.
pub(crate) fn parse_reader(reader: impl Read, command: Command) -> Result<Report, ParseError> {
    let mut report = Report::new(command);
    let mut log = UiLog::default();
    let documents = serde_json::Deserializer::from_reader(reader).into_iter::<Document>();
    let mut seen_any = false;
    for document in documents {
        let document = document.map_err(|source| ParseError::Json { source })?;
        seen_any = true;
        if document.level.is_some() {
            log.line(&mut report, document);
        } else if let Some(valid) = document.valid {
            validate_document(&mut report, valid, document.diagnostics.unwrap_or_default());
        } else if document.values.is_some()
            && document.planned_values.is_none()
            && document.resource_changes.is_none()
        {
            return Err(ParseError::StateNotPlan);
        } else if document.format_version.is_some()
            || document.resource_changes.is_some()
            || document.output_changes.is_some()
        {
            plan_document(&mut report, document)?;
        } else {
            return Err(ParseError::UnknownJson);
        }
    }
    if !seen_any {
        return Err(ParseError::Empty);
    }
    if log.lines > 0 {
        log.finish(&mut report);
    }
    Ok(report)
}

fn check_version(version: Option<&str>) -> Result<(), ParseError> {
    match version {
        Some(v) if v.split('.').next() != Some("1") => Err(ParseError::JsonVersion {
            version: v.to_owned(),
        }),
        _ => Ok(()),
    }
}

fn plan_document(report: &mut Report, doc: Document) -> Result<(), ParseError> {
    check_version(doc.format_version.as_deref())?;
    for change in doc.resource_changes.unwrap_or_default() {
        if let Some(resource) = resource_change(&change) {
            if report.resources.len() < MAX_RESOURCES {
                std::sync::Arc::make_mut(&mut report.resources).push(resource);
            } else {
                report.resources_omitted += 1;
            }
        }
    }
    for change in doc.resource_drift.unwrap_or_default() {
        if let Some(resource) = resource_change(&change)
            && resource.action != Action::NoOp
            && report.drift.len() < MAX_RESOURCES
        {
            report.drift.push(resource);
        }
    }
    for (name, output) in doc.output_changes.unwrap_or_default() {
        let action = action_of(&output.actions);
        if action != Action::NoOp {
            report.outputs.push(OutputChange {
                name,
                action,
                module_dir: None,
            });
        }
    }
    report.counts = counts_of(&report.resources);
    report.has_destroy = report.resources.iter().any(ResourceChange::is_destructive);
    let work = !report.counts.is_zero()
        || report.resources_omitted > 0
        || !report.resources.is_empty()
        || !report.outputs.is_empty();
    report.outcome = if doc.errored == Some(true) {
        Outcome::Error
    } else if work {
        Outcome::Changes
    } else {
        Outcome::NoChanges
    };
    report.result = Some(plan_result(report));
    Ok(())
}

/// The `Plan: …` line Terraform would have printed for these counts.
fn plan_result(report: &Report) -> String {
    let c = report.counts;
    if report.outcome == Outcome::NoChanges {
        return "No changes. Your infrastructure matches the configuration.".to_owned();
    }
    let mut line = String::from("Plan: ");
    if c.import > 0 {
        let _ = write!(line, "{} to import, ", c.import);
    }
    let _ = write!(
        line,
        "{} to add, {} to change, {} to destroy",
        c.add, c.change, c.destroy
    );
    if c.forget > 0 {
        let _ = write!(line, ", {} to forget", c.forget);
    }
    line.push('.');
    line
}

/// A resource entry worth listing: anything but a plain no-op.
fn resource_change(change: &JsonChange) -> Option<ResourceChange> {
    let action = action_of(&change.change.actions);
    let imported = change.change.importing.is_some();
    if action == Action::NoOp && change.previous_address.is_none() && !imported {
        return None;
    }
    let mut resource = ResourceChange::new(change.address.clone(), action);
    resource.set_moved_from(change.previous_address.as_deref());
    resource.imported = imported;
    resource.set_deposed(change.deposed.as_deref());
    resource.set_reason(reason(change, action).as_deref());
    Some(resource)
}

/// The JSON plan's action list as one action.
fn action_of(actions: &[String]) -> Action {
    match actions {
        [one] => match one.as_str() {
            "create" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            "read" => Action::Read,
            "forget" => Action::Forget,
            _ => Action::NoOp,
        },
        [a, b] if (a == "delete" && b == "create") || (a == "create" && b == "delete") => {
            Action::Replace
        }
        _ => Action::NoOp,
    }
}

/// Terraform's human wording for an `action_reason`, so text and JSON agree.
fn reason(change: &JsonChange, action: Action) -> Option<String> {
    let relative = change
        .module_address
        .as_deref()
        .and_then(|m| change.address.strip_prefix(m))
        .and_then(|a| a.strip_prefix('.'))
        .unwrap_or(&change.address);
    let key = change
        .index
        .as_ref()
        .map(|i| format!("[{i}]"))
        .unwrap_or_default();
    let text = match (change.action_reason.as_deref(), action) {
        (_, Action::Forget) => "destroy = false is set in the configuration".to_owned(),
        (Some("replace_because_tainted"), _) => "is tainted, so must be replaced".to_owned(),
        (Some("replace_by_request"), _) => "will be replaced, as requested".to_owned(),
        (Some("replace_by_triggers"), _) => {
            "will be replaced due to changes in replace_triggered_by".to_owned()
        }
        (_, Action::Replace) => "must be replaced".to_owned(),
        (Some("delete_because_no_resource_config"), _) => {
            let resource = relative.split('[').next().unwrap_or(relative);
            format!("because {resource} is not in configuration")
        }
        (Some("delete_because_no_module"), _) => format!(
            "because {} is not in configuration",
            change.module_address.as_deref().unwrap_or("its module")
        ),
        (Some("delete_because_count_index"), _) => {
            format!("because index {key} is out of range for count")
        }
        (Some("delete_because_each_key"), _) => {
            format!("because key {key} is not in for_each map")
        }
        (Some("delete_because_wrong_repetition"), _) => match &change.index {
            None => "because resource uses count or for_each".to_owned(),
            Some(serde_json::Value::Number(_)) => "because resource does not use count".to_owned(),
            Some(_) => "because resource does not use for_each".to_owned(),
        },
        (Some("delete_because_no_move_target"), _) => {
            "because it was moved to an address that is not in configuration".to_owned()
        }
        (Some("read_because_config_unknown"), _) => {
            "config refers to values not yet known".to_owned()
        }
        (Some("read_because_dependency_pending"), _) => {
            "depends on a resource or a module with changes pending".to_owned()
        }
        (Some("read_because_check_nested"), _) => {
            "config will be reloaded to verify a check block".to_owned()
        }
        (Some(other), _) => other.to_owned(),
        (None, Action::Delete) if change.deposed.is_some() => {
            "left over from a partially-failed replacement of this instance".to_owned()
        }
        (None, _) => return None,
    };
    Some(text)
}

fn validate_document(report: &mut Report, valid: bool, diagnostics: Vec<JsonDiagnostic>) {
    for diag in diagnostics {
        push_diagnostic(report, diag);
    }
    report.outcome = if valid && report.errors.is_empty() {
        report.result = Some("Success! The configuration is valid.".to_owned());
        Outcome::Valid
    } else {
        report.result = report
            .errors
            .first()
            .map(|d| format!("Error: {}", d.summary));
        Outcome::Invalid
    };
}

fn push_diagnostic(report: &mut Report, diag: JsonDiagnostic) {
    let mut detail = String::new();
    if let Some(range) = &diag.range {
        let _ = write!(
            detail,
            "on {} line {}:\n\n",
            range.filename, range.start.line
        );
    }
    detail.push_str(&diag.detail);
    let entry = Diagnostic {
        summary: diag.summary,
        detail: detail.trim().to_owned(),
        address: diag.address,
        module_dir: None,
    };
    if diag.severity == "error" {
        if let Some(address) = &entry.address
            && !report.failed.contains(address)
        {
            report.failed.push(address.clone());
        }
        if report.errors.len() < MAX_DIAGNOSTICS {
            report.errors.push(entry);
        }
    } else if report.warnings.len() < MAX_DIAGNOSTICS {
        report.warnings.push(entry);
    }
}

/// State of a `-json` log (one JSON object per line) while it is read.
#[derive(Debug, Default)]
struct UiLog {
    lines: u64,
    summary: Option<UiSummary>,
    complete: bool,
}

impl UiLog {
    fn line(&mut self, report: &mut Report, doc: Document) {
        self.lines += 1;
        match doc.kind.as_deref().unwrap_or_default() {
            "planned_change" | "resource_drift" => {
                let Some(change) = doc.change else { return };
                let resource = ui_change(change);
                if doc.kind.as_deref() == Some("resource_drift") {
                    if report.drift.len() < MAX_RESOURCES {
                        report.drift.push(resource);
                    }
                } else if report.resources.len() < MAX_RESOURCES {
                    std::sync::Arc::make_mut(&mut report.resources).push(resource);
                } else {
                    report.resources_omitted += 1;
                }
            }
            "change_summary" => {
                self.complete = true;
                report.result = doc.message;
                self.summary = doc.changes;
            }
            "diagnostic" => {
                if let Some(diag) = doc.diagnostic {
                    push_diagnostic(report, diag);
                }
            }
            "outputs" => {
                for (name, output) in doc.outputs.unwrap_or_default() {
                    let action = match output.action.as_deref() {
                        Some("create") => Action::Create,
                        Some("update") => Action::Update,
                        Some("delete") => Action::Delete,
                        _ => continue,
                    };
                    report.outputs.push(OutputChange {
                        name,
                        action,
                        module_dir: None,
                    });
                }
            }
            "apply_errored" => {
                if let Some(hook) = doc.hook
                    && !report.failed.contains(&hook.resource.addr)
                {
                    report.failed.push(hook.resource.addr);
                }
            }
            _ => {}
        }
    }

    fn finish(self, report: &mut Report) {
        let apply = self.summary.as_ref().is_some_and(|s| s.operation != "plan");
        report.counts = match &self.summary {
            Some(s) => Counts {
                add: s.add,
                change: s.change,
                destroy: s.remove,
                import: s.import,
                forget: s.forget,
            },
            None => counts_of(&report.resources),
        };
        report.has_destroy = report.counts.destroy > 0;
        let failed = !report.errors.is_empty();
        report.outcome = match (
            report.command.is_apply_like() || apply,
            failed,
            self.complete,
        ) {
            (true, true, _) => Outcome::ApplyFailed,
            (true, false, true) => Outcome::Applied,
            (false, true, _) => Outcome::Error,
            (false, false, true) if report.counts.is_zero() && report.outputs.is_empty() => {
                if report.resources.is_empty() {
                    Outcome::NoChanges
                } else {
                    Outcome::Changes
                }
            }
            (false, false, true) => Outcome::Changes,
            (_, false, false) => Outcome::Unparsed,
        };
    }
}

fn ui_change(change: UiChange) -> ResourceChange {
    let action = match change.action.as_str() {
        "create" => Action::Create,
        "update" => Action::Update,
        "delete" => Action::Delete,
        "replace" => Action::Replace,
        "read" => Action::Read,
        "forget" | "remove" => Action::Forget,
        _ => Action::NoOp,
    };
    let mut resource = ResourceChange::new(change.resource.addr, action);
    resource.set_moved_from(change.previous_resource.as_ref().map(|r| r.addr.as_str()));
    resource.imported = change.importing.is_some() || change.action == "import";
    resource.set_reason(change.reason.as_deref());
    resource
}
