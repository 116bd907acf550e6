//! The message context as the template engine reads it, made without copying the report.
//!
//! A 50,000-resource plan would be a 12 MB context if every resource became a map of its
//! own before a template ran. Here the report's list of changes is shared (copied only
//! when a mask changes one of them), each classic list is a list of positions into it, and
//! a resource becomes a map only while a template looks at it ([`LazyList`], [`LazyMap`]);
//! so a template that prints only `.Result` costs nothing per resource, and one that lists
//! a hundred addresses costs a hundred. What templates see is exactly [`Context`] in its
//! JSON form (`--dump-context`), masks applied to every text, as a test checks field by
//! field.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use serde::Serialize;

use crate::mask::{MASK, Masker};
use crate::model::{Action, Command, Report, ResourceChange};
use crate::render::context::{
    Context, Extras, ModuleSection, RESOURCE_LISTS, ResourceLists, with_reasons,
};
use crate::template::{LazyList, LazyMap, Value};

/// Keys of the maps built here by hand: a mask that matched one would rename it, as
/// masking the JSON form does, so such a masker gets the JSON form instead.
const KEYS: &[&str] = &[
    "Title",
    "Message",
    "Result",
    "Body",
    "Link",
    "ChangedResult",
    "ChangeOutsideTerraform",
    "Warning",
    "Vars",
    "Stdout",
    "Stderr",
    "CombinedOutput",
    "ExitCode",
    "HasError",
    "HasDestroy",
    "HasProtectedDestroy",
    "ProtectedResources",
    "ErrorMessages",
    "Notices",
    "Owners",
    "Command",
    "Target",
    "Report",
    "Modules",
    "CI",
    "AISummary",
    "SummaryEnabled",
    "ResourceReasons",
    "ResourceCounts",
    "MovedResources",
    "Dir",
    "Before",
    "After",
    "schema",
    "command",
    "tool",
    "outcome",
    "result",
    "counts",
    "resources",
    "resources_omitted",
    "outputs",
    "drift",
    "warnings",
    "errors",
    "failed",
    "files",
    "has_destroy",
    "protected",
    "notices",
    "address",
    "action",
    "moved_from",
    "imported",
    "reason",
    "deposed",
    "module_dir",
];

/// The context of `context` as template data, every text masked by `masker`.
pub fn template_data(context: &Context<'_>, masker: &Masker) -> Value {
    if renames_a_key(masker) {
        let mut json = context.to_value();
        masker.mask_value(&mut json);
        return Value::from(&json);
    }
    Builder { masker }.context(context)
}

/// Whether a mask matches a key of the maps built here, which the JSON form would rename.
fn renames_a_key(masker: &Masker) -> bool {
    !masker.is_empty()
        && KEYS
            .iter()
            .chain(RESOURCE_LISTS.iter().map(|(name, _)| name))
            .any(|key| !masker.spans(key.as_bytes()).is_empty())
}

/// `data`, made by [`template_data`] for a report and some extras, with the fields that
/// differ between the deliveries of one run (`.Title`, `.Message`, `.ErrorMessages`,
/// `.Owners`) taken from `extras` instead, so that one context serves every message of the
/// run. `None` when masks rename keys, where only a context made whole is exact.
pub fn for_delivery(
    data: &Value,
    command: Command,
    extras: &Extras<'_>,
    masker: &Masker,
) -> Option<Value> {
    let Value::Map(root) = data else {
        return None;
    };
    if renames_a_key(masker) {
        return None;
    }
    let builder = Builder { masker };
    let mut map = root.borrow().clone();
    map.insert("Title".to_owned(), builder.text(&extras.title_for(command)));
    let message = extras.message.as_deref().unwrap_or_default();
    map.insert("Message".to_owned(), builder.text(message));
    map.insert(
        "ErrorMessages".to_owned(),
        builder.json(&extras.error_messages),
    );
    map.insert("Owners".to_owned(), builder.json(&extras.owners));
    Some(Value::map(map))
}

/// Builds the values, masking as it goes.
struct Builder<'m> {
    masker: &'m Masker,
}

impl Builder<'_> {
    fn context(&self, c: &Context<'_>) -> Value {
        // `.Body`, `.CombinedOutput` and often `.Stdout` are one text in the context: when
        // masks change it, they stay one.
        let mut masked_texts: Vec<(Rc<str>, Rc<str>)> = Vec::new();
        let mut shared = |s: &Rc<str>| {
            if let Some((_, masked)) = masked_texts.iter().find(|(t, _)| Rc::ptr_eq(t, s)) {
                return Value::Str(Rc::clone(masked));
            }
            let masked: Rc<str> = match self.masker.mask(s) {
                Cow::Borrowed(_) => Rc::clone(s),
                Cow::Owned(changed) => changed.into(),
            };
            masked_texts.push((Rc::clone(s), Rc::clone(&masked)));
            Value::Str(masked)
        };
        let text = |s: &str| self.text(s);
        let mut map = BTreeMap::new();
        map.insert("Title".to_owned(), text(&c.title));
        map.insert("Message".to_owned(), text(&c.message));
        map.insert("Result".to_owned(), text(&c.result));
        map.insert("Body".to_owned(), shared(&c.body));
        map.insert("Link".to_owned(), text(&c.link));
        map.insert("ChangedResult".to_owned(), shared(&c.changed_result));
        map.insert(
            "ChangeOutsideTerraform".to_owned(),
            shared(&c.change_outside_terraform),
        );
        map.insert("Warning".to_owned(), text(&c.warning));
        map.insert("Stdout".to_owned(), shared(&c.stdout));
        map.insert("Stderr".to_owned(), shared(&c.stderr));
        map.insert("CombinedOutput".to_owned(), shared(&c.combined_output));
        map.insert("Command".to_owned(), text(c.command));
        map.insert("Target".to_owned(), text(&c.target));
        map.insert("Vars".to_owned(), self.json(c.vars));
        map.insert("ExitCode".to_owned(), self.number(i64::from(c.exit_code)));
        map.insert("HasError".to_owned(), Value::Bool(c.has_error));
        map.insert("HasDestroy".to_owned(), Value::Bool(c.has_destroy));
        map.insert(
            "HasProtectedDestroy".to_owned(),
            Value::Bool(c.has_protected_destroy),
        );
        map.insert(
            "ProtectedResources".to_owned(),
            self.json(&c.protected_resources),
        );
        map.insert("ErrorMessages".to_owned(), self.json(c.error_messages));
        map.insert("Notices".to_owned(), self.json(c.notices));
        map.insert("Owners".to_owned(), self.json(c.owners));
        map.insert("CI".to_owned(), self.json(&c.ci));
        map.insert("AISummary".to_owned(), text(c.ai_summary));
        map.insert("SummaryEnabled".to_owned(), Value::Bool(c.summary_enabled));
        let table = Rc::new(Table::new(&c.report.resources, self.masker));
        self.lists(&mut map, &c.resources, &table);
        map.insert("Report".to_owned(), self.report(c.report, table));
        let modules = c.modules.iter().map(|m| self.module(m)).collect();
        map.insert("Modules".to_owned(), Value::list(modules));
        Value::map(map)
    }

    fn module(&self, m: &ModuleSection<'_>) -> Value {
        let mut map = BTreeMap::new();
        map.insert("Dir".to_owned(), self.text(m.dir));
        map.insert("Result".to_owned(), self.text(m.result));
        map.insert("HasError".to_owned(), Value::Bool(m.has_error));
        map.insert("HasDestroy".to_owned(), Value::Bool(m.has_destroy));
        let table = Rc::new(Table::new(&m.report.resources, self.masker));
        self.lists(&mut map, &m.resources, &table);
        map.insert("Report".to_owned(), self.report(m.report, table));
        Value::map(map)
    }

    /// The classic lists (`.CreatedResources`, …) as positions into `table`.
    fn lists(
        &self,
        map: &mut BTreeMap<String, Value>,
        lists: &ResourceLists<'_>,
        table: &Rc<Table>,
    ) {
        let counts = lists
            .counts()
            .into_iter()
            .map(|(name, n)| {
                (
                    name.to_owned(),
                    self.number(i64::try_from(n).unwrap_or(i64::MAX)),
                )
            })
            .collect();
        map.insert("ResourceCounts".to_owned(), Value::map(counts));
        for (name, picks) in lists.picks() {
            let list = Addresses {
                table: Rc::clone(table),
                picks: picks.into(),
            };
            map.insert(name.to_owned(), Value::lazy_list(Rc::new(list)));
        }
        let moved = Moves {
            table: Rc::clone(table),
            picks: lists.moved_picks().into(),
        };
        map.insert(
            "MovedResources".to_owned(),
            Value::lazy_list(Rc::new(moved)),
        );
        map.insert(
            "ResourceReasons".to_owned(),
            Value::lazy_map(Rc::new(Reasons::new(Rc::clone(table)))),
        );
    }

    /// `.Report`: its small parts as their JSON, its resource lists lazily.
    fn report(&self, report: &Report, table: Rc<Table>) -> Value {
        let mut map = BTreeMap::new();
        map.insert("schema".to_owned(), self.number(i64::from(report.schema)));
        map.insert("command".to_owned(), self.json(&report.command));
        map.insert("tool".to_owned(), self.json(&report.tool));
        map.insert("outcome".to_owned(), self.json(&report.outcome));
        map.insert("result".to_owned(), self.json(&report.result));
        map.insert("counts".to_owned(), self.json(&report.counts));
        map.insert("resources".to_owned(), Resources::all(table));
        if report.resources_omitted != 0 {
            let omitted = i64::try_from(report.resources_omitted).unwrap_or(i64::MAX);
            map.insert("resources_omitted".to_owned(), self.number(omitted));
        }
        map.insert("outputs".to_owned(), self.json(&report.outputs));
        let drift = Rc::new(Table::new(&Arc::new(report.drift.clone()), self.masker));
        map.insert("drift".to_owned(), Resources::all(drift));
        map.insert("warnings".to_owned(), self.json(&report.warnings));
        map.insert("errors".to_owned(), self.json(&report.errors));
        let optional: [(&str, bool, Value); 4] = [
            (
                "failed",
                report.failed.is_empty(),
                self.json(&report.failed),
            ),
            ("files", report.files.is_empty(), self.json(&report.files)),
            (
                "protected",
                report.protected.is_empty(),
                self.json(&report.protected),
            ),
            (
                "notices",
                report.notices.is_empty(),
                self.json(&report.notices),
            ),
        ];
        for (key, empty, value) in optional {
            if !empty {
                map.insert(key.to_owned(), value);
            }
        }
        map.insert("has_destroy".to_owned(), Value::Bool(report.has_destroy));
        Value::map(map)
    }

    fn text(&self, s: &str) -> Value {
        Value::str(self.masker.mask(s).as_ref())
    }

    /// A number, or the mask when a mask matches its digits (as in the JSON form).
    fn number(&self, n: i64) -> Value {
        if self.masker.spans(n.to_string().as_bytes()).is_empty() {
            Value::Int(n)
        } else {
            Value::str(MASK)
        }
    }

    /// A small part of the context, through its JSON form.
    fn json<T: Serialize + ?Sized>(&self, part: &T) -> Value {
        let mut json = serde_json::to_value(part).unwrap_or(serde_json::Value::Null);
        self.masker.mask_value(&mut json);
        Value::from(&json)
    }
}

/// A list of resource changes, masked: the report's own list when no mask changes any
/// of its texts (the usual case), else a copy in which only what a mask changed is new.
#[derive(Debug)]
struct Table {
    changes: Arc<Vec<ResourceChange>>,
    /// The name of each action, made once: templates read `.action` of every entry.
    actions: BTreeMap<Action, Rc<str>>,
}

impl Table {
    fn new(resources: &Arc<Vec<ResourceChange>>, masker: &Masker) -> Table {
        let touched =
            |text: Option<&str>| text.is_some_and(|t| !masker.spans(t.as_bytes()).is_empty());
        let any_text_masked = !masker.is_empty()
            && resources.iter().any(|r| {
                touched(Some(&r.address))
                    || touched(r.moved_from())
                    || touched(r.reason())
                    || touched(r.deposed())
                    || touched(r.module_dir().map(|d| &**d))
            });
        if !any_text_masked {
            return Table::of(Arc::clone(resources));
        }
        // Only a text a mask changes is copied; the rest stay shared with the report.
        let changed = |text: Option<&str>| match text.map(|t| masker.mask(t)) {
            Some(Cow::Owned(new)) => Some(new),
            _ => None,
        };
        let copies = resources
            .iter()
            .map(|r| {
                let mut change = r.clone();
                if let Some(address) = changed(Some(&r.address)) {
                    change.address = address.into();
                }
                if let Some(from) = changed(r.moved_from()) {
                    change.set_moved_from(Some(&from));
                }
                if let Some(reason) = changed(r.reason()) {
                    change.set_reason(Some(&reason));
                }
                if let Some(key) = changed(r.deposed()) {
                    change.set_deposed(Some(&key));
                }
                if let Some(dir) = changed(r.module_dir().map(|d| &**d)) {
                    change.set_module_dir(Some(dir.into()));
                }
                change
            })
            .collect();
        Table::of(Arc::new(copies))
    }

    fn of(changes: Arc<Vec<ResourceChange>>) -> Table {
        let actions = Action::ALL
            .into_iter()
            .map(|action| (action, Rc::from(action.as_str())))
            .collect();
        Table { changes, actions }
    }

    fn address(&self, index: usize) -> &str {
        &self.changes[index].address
    }

    /// The value of one field of the resource at `index`, as its JSON form has it.
    fn field(&self, index: usize, key: &str) -> Option<Value> {
        let change = &self.changes[index];
        let text = |s: Option<&str>| s.map_or(Value::Nil, Value::str);
        Some(match key {
            "address" => Value::str(&*change.address),
            "action" => self.actions.get(&change.action).map_or_else(
                || Value::str(change.action.as_str()),
                |name| Value::Str(Rc::clone(name)),
            ),
            "imported" => Value::Bool(change.imported),
            "moved_from" => text(change.moved_from()),
            "reason" => text(change.reason()),
            // Left out of the JSON form when absent, so missing here too.
            "deposed" => Value::str(change.deposed()?),
            "module_dir" => Value::str(&**change.module_dir()?),
            _ => return None,
        })
    }
}

/// A list of resource changes (`.Report.resources`), each a map while a template reads it.
#[derive(Debug)]
struct Resources {
    table: Rc<Table>,
}

impl Resources {
    fn all(table: Rc<Table>) -> Value {
        Value::lazy_list(Rc::new(Resources { table }))
    }
}

impl LazyList for Resources {
    fn len(&self) -> usize {
        self.table.changes.len()
    }

    fn item(&self, index: usize) -> Value {
        Value::lazy_map(Rc::new(Resource {
            table: Rc::clone(&self.table),
            index,
        }))
    }
}

/// One resource change of a [`Table`].
#[derive(Debug)]
struct Resource {
    table: Rc<Table>,
    index: usize,
}

impl LazyMap for Resource {
    fn get(&self, key: &str) -> Option<Value> {
        self.table.field(self.index, key)
    }

    fn entries(&self) -> BTreeMap<String, Value> {
        [
            "action",
            "address",
            "deposed",
            "imported",
            "module_dir",
            "moved_from",
            "reason",
        ]
        .into_iter()
        .filter_map(|key| Some((key.to_owned(), self.get(key)?)))
        .collect()
    }
}

/// The addresses of some resources of a [`Table`] (`.CreatedResources`, …).
#[derive(Debug)]
struct Addresses {
    table: Rc<Table>,
    picks: Rc<[u32]>,
}

impl LazyList for Addresses {
    fn len(&self) -> usize {
        self.picks.len()
    }

    fn item(&self, index: usize) -> Value {
        Value::str(self.table.address(self.picks[index] as usize))
    }
}

/// The resources of a [`Table`] that moved, as `{Before, After}` maps.
#[derive(Debug)]
struct Moves {
    table: Rc<Table>,
    picks: Rc<[u32]>,
}

impl LazyList for Moves {
    fn len(&self) -> usize {
        self.picks.len()
    }

    fn item(&self, index: usize) -> Value {
        let at = self.picks[index] as usize;
        let before = self.table.changes[at]
            .moved_from()
            .map_or(Value::Nil, Value::str);
        let entries = [
            ("After".to_owned(), Value::str(self.table.address(at))),
            ("Before".to_owned(), before),
        ];
        Value::map(entries.into())
    }
}

/// `.ResourceReasons`: Terraform's reason for a resource's action, by address, for the
/// resources that have one.
#[derive(Debug)]
struct Reasons {
    table: Rc<Table>,
    /// The resources with a reason, by address; the last of equal addresses wins, as when
    /// a map is filled in order.
    sorted: Vec<u32>,
}

impl Reasons {
    fn new(table: Rc<Table>) -> Reasons {
        let sorted = with_reasons(&table.changes);
        Reasons { table, sorted }
    }

    fn reason(&self, at: u32) -> Value {
        self.table.changes[at as usize]
            .reason()
            .map_or(Value::Nil, Value::str)
    }
}

impl LazyMap for Reasons {
    fn get(&self, key: &str) -> Option<Value> {
        let found = self
            .sorted
            .binary_search_by(|at| self.table.address(*at as usize).cmp(key))
            .ok()?;
        Some(self.reason(self.sorted[found]))
    }

    fn entries(&self) -> BTreeMap<String, Value> {
        self.sorted
            .iter()
            .map(|at| {
                (
                    self.table.address(*at as usize).to_owned(),
                    self.reason(*at),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::template_data;
    use crate::mask::Masker;
    use crate::model::Command;
    use crate::render::{Context, Extras};
    use crate::template::Value;

    /// The template value, every lazy part built, as JSON.
    fn json_of(value: &Value) -> serde_json::Value {
        match value {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => (*b).into(),
            Value::Int(i) | Value::Int64(i) => (*i).into(),
            Value::Uint(u) => (*u).into(),
            Value::Float(f) => (*f).into(),
            Value::Str(s) | Value::Html(s) => s.as_ref().into(),
            Value::List(l) => l.iter().map(json_of).collect(),
            Value::Map(m) => m
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), json_of(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            other => panic!("no such value in a context: {other:?}"),
        }
    }

    fn report(path: &str, command: Command) -> crate::model::Report {
        let path = format!(
            "{}/tests/fixtures/terraform/{path}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read(&path).expect("fixture");
        crate::parse::parse(&text, command).expect("parse")
    }

    const FIXTURES: &[(&str, Command)] = &[
        ("1.11/plan_mixed.txt", Command::Plan),
        ("1.11/plan_multiple_errors.txt", Command::Plan),
        ("1.11/apply_partial_failure.txt", Command::Apply),
        ("1.11/apply_forget.txt", Command::Apply),
        ("1.11/apply_deposed.txt", Command::Apply),
        ("1.11/apply_move_and_update.txt", Command::Apply),
        ("1.11/apply_read_during_apply.txt", Command::Apply),
        ("terragrunt/plan_run_all.txt", Command::Plan),
    ];

    #[test]
    fn templates_read_exactly_the_json_context() {
        for (path, command) in FIXTURES {
            let mut report = report(path, *command);
            let pattern = crate::guard::Pattern::new("*").expect("valid");
            crate::guard::Guard::new(vec![pattern], false).mark(&mut report);
            let extras = Extras {
                vars: [("target".to_owned(), "prod".to_owned())].into(),
                error_messages: vec!["a problem".to_owned()],
                owners: vec!["@org/team".to_owned()],
                ..Extras::default()
            };
            let context = Context::new(&report, &extras);
            assert_eq!(json_of(&context.data()), context.to_value(), "{path}");
        }
    }

    #[test]
    fn one_context_serves_every_delivery_of_a_run() {
        let report = report("1.11/plan_mixed.txt", Command::Plan);
        let lookup =
            |name: &str| (name == "TFNOTIFY_MASKS").then(|| "regexp:bastion|secret".to_owned());
        let masker = Masker::from_env(&lookup).expect("masks");
        let base = Extras::default();
        let data = template_data(&Context::new(&report, &base), &masker);
        let delivery = Extras {
            title: Some("## Plan for secret".to_owned()),
            message: Some("from bastion".to_owned()),
            error_messages: vec!["label secret failed".to_owned()],
            owners: vec!["@org/team".to_owned()],
            ..Extras::default()
        };
        let shared =
            super::for_delivery(&data, Command::Plan, &delivery, &masker).expect("no key masked");
        let whole = template_data(&Context::new(&report, &delivery), &masker);
        assert_eq!(json_of(&shared), json_of(&whole));
        assert!(!json_of(&shared).to_string().contains("secret"));
    }

    #[test]
    fn masks_apply_to_every_text_as_in_the_json_context() {
        let report = report("1.11/plan_mixed.txt", Command::Plan);
        let extras = Extras::default();
        let context = Context::new(&report, &extras);
        let lookup = |name: &str| {
            (name == "TFNOTIFY_MASKS").then(|| "regexp:bastion|log_archive|[0-9]+".to_owned())
        };
        let masker = Masker::from_env(&lookup).expect("masks");
        let mut expected = context.to_value();
        masker.mask_value(&mut expected);
        let data = json_of(&template_data(&context, &masker));
        assert_eq!(data, expected);
        assert!(!data.to_string().contains("bastion"));
    }

    #[test]
    fn a_mask_that_matches_a_field_name_renames_it_as_in_the_json_context() {
        let report = report("1.11/plan_mixed.txt", Command::Plan);
        let extras = Extras::default();
        let context = Context::new(&report, &extras);
        let lookup = |name: &str| (name == "TFNOTIFY_MASKS").then(|| "regexp:address".to_owned());
        let masker = Masker::from_env(&lookup).expect("masks");
        let mut expected = context.to_value();
        masker.mask_value(&mut expected);
        assert_eq!(json_of(&template_data(&context, &masker)), expected);
    }
}
