//! The resource list of the HTML report as data the page's script draws from.
//!
//! Fifty thousand resources as ready-made HTML would make the browser build every row
//! before showing anything; as compact JSON the page draws only the rows on screen and a
//! diff only when it is opened. Every text is masked before it is serialised, and the
//! JSON is made safe to sit inside a `<script>` element (see [`push_script_safe`]).

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, Write as _};

use serde::Serialize;

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

/// What the filters offer: the actions present, in group order, and the modules.
pub(super) struct Lists {
    pub(super) actions: Vec<Action>,
    pub(super) modules: Vec<String>,
}

/// The actions and modules of `report`'s resources.
pub(super) fn lists(report: &Report) -> Lists {
    Lists {
        actions: GROUP_ORDER
            .into_iter()
            .filter(|a| report.resources.iter().any(|r| r.action == *a))
            .collect(),
        modules: modules(report),
    }
}

/// The page's data as the script reads it: `actions` (`[name, label]` in group order),
/// `modules`, `resources` as `[address, action index, module index, diff index or null,
/// note]`, `diffs`, and what an opened row without a diff says.
#[derive(Serialize)]
struct Payload<'a> {
    actions: Vec<(&'static str, &'static str)>,
    modules: Vec<Cow<'a, str>>,
    resources: Vec<Row<'a>>,
    diffs: Vec<Cow<'a, str>>,
    no_diff: &'static str,
}

#[derive(Serialize)]
struct Row<'a>(Cow<'a, str>, usize, usize, Option<usize>, String);

/// Writes the data of `report`'s resources to `out`, masked and safe inside
/// `<script type="application/json">`, as it is serialised: a plan of 50,000 resources
/// makes 18 MB of it, which is not worth holding. Each row and each diff ends its line, so
/// a writer that masks whole lines holds one at a time.
pub(super) fn write_data(
    out: &mut dyn io::Write,
    report: &Report,
    lists: &Lists,
    masker: &Masker,
) -> io::Result<()> {
    // Each Terragrunt module's own changes, so the same address in two modules gets its
    // own module's diff; the whole text for any other run.
    let texts: Vec<(Option<&str>, Cow<'_, str>)> = if report.modules.is_empty() {
        vec![(None, report.transcript.changes.text_cow())]
    } else {
        report
            .modules
            .iter()
            .map(|m| {
                let dir = (!m.dir.is_empty()).then_some(m.dir.as_str());
                (dir, m.report.transcript.changes.text_cow())
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
    let module_index: HashMap<&str, usize> = lists
        .modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.as_str(), i))
        .collect();
    let mut used = Vec::new();
    let mut rows = Vec::with_capacity(report.resources.len());
    for change in report.resources.iter() {
        let action = lists
            .actions
            .iter()
            .position(|a| *a == change.action)
            .expect("the actions are those of the resources");
        let module = module_index[module_of(change).as_str()];
        // Each diff goes to the first resource with its address and deposed key that has
        // none yet, so resources and diffs pair in Terraform's own order.
        let key = (
            change.module_dir().map(|d| &**d),
            &*change.address,
            change.deposed(),
        );
        let diff = unused_diffs.get_mut(&key).and_then(Vec::pop).map(|index| {
            used.push(masker.mask(diffs[index].1.text));
            used.len() - 1
        });
        let note = masker.mask(&note(change)).into_owned();
        rows.push(Row(
            masker.mask(&change.address),
            action,
            module,
            diff,
            note,
        ));
    }
    let payload = Payload {
        actions: lists
            .actions
            .iter()
            .map(|a| (a.as_str(), label(*a)))
            .collect(),
        modules: lists.modules.iter().map(|m| masker.mask(m)).collect(),
        resources: rows,
        diffs: used,
        no_diff: no_diff_text(report),
    };
    let mut safe = io::BufWriter::with_capacity(64 * 1024, ScriptSafe::new(out));
    let mut json = serde_json::Serializer::with_formatter(&mut safe, LinePerItem::default());
    payload.serialize(&mut json).map_err(io::Error::other)?;
    safe.flush()
}

/// Compact JSON with a line break between the items of the payload's lists: the same
/// value, in lines of one row or one diff.
#[derive(Default)]
struct LinePerItem {
    /// How many lists the writer is in.
    depth: usize,
}

impl serde_json::ser::Formatter for LinePerItem {
    fn begin_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth += 1;
        out.write_all(b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.depth -= 1;
        out.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> io::Result<()> {
        match (first, self.depth) {
            (true, _) => Ok(()),
            (false, 1) => out.write_all(b",\n"),
            (false, _) => out.write_all(b","),
        }
    }
}

/// Writes JSON on to the page as it is serialised, script-safe (see [`push_script_safe`]).
struct ScriptSafe<'a> {
    out: &'a mut dyn io::Write,
    /// The start of a character that a write cut in two, until its end arrives.
    pending: Vec<u8>,
    /// The escaped form of one write, kept for its room.
    escaped: String,
}

impl<'a> ScriptSafe<'a> {
    fn new(out: &'a mut dyn io::Write) -> Self {
        ScriptSafe {
            out,
            pending: Vec::new(),
            escaped: String::new(),
        }
    }
}

impl io::Write for ScriptSafe<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        let whole = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        };
        let (text, _) = self.pending.split_at(whole);
        self.escaped.clear();
        push_script_safe(
            &mut self.escaped,
            std::str::from_utf8(text).map_err(io::Error::other)?,
        );
        self.out.write_all(self.escaped.as_bytes())?;
        self.pending.drain(..whole);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.pending.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "the JSON ended inside a character",
            ));
        }
        self.out.flush()
    }
}

/// Appends JSON text to `page` so that no `<` can close the script element or open a
/// comment, whatever the texts hold; `>` and `&` go the same way, as Go's encoder does.
fn push_script_safe(page: &mut String, json: &str) {
    page.reserve(json.len() + json.len() / 16);
    for c in json.chars() {
        match c {
            '<' => page.push_str("\\u003c"),
            '>' => page.push_str("\\u003e"),
            '&' => page.push_str("\\u0026"),
            _ => page.push(c),
        }
    }
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
    use std::io::Write as _;

    use super::{ScriptSafe, lists, module_path, push_script_safe, write_data};
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
        let mut json = Vec::new();
        write_data(&mut json, &report, &lists(&report), &Masker::empty()).expect("written");
        let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
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
    fn the_data_cannot_close_the_script_element() {
        let mut text = String::new();
        push_script_safe(
            &mut text,
            &json!({"a": "</script><!-- & \"q\""}).to_string(),
        );
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back["a"], "</script><!-- & \"q\"");
    }

    #[test]
    fn json_written_in_pieces_is_the_json_written_whole() {
        let json = json!({"a": "</script> é ✓ 🦀 & done"}).to_string();
        let mut whole = String::new();
        push_script_safe(&mut whole, &json);
        // Every split, including inside each multi-byte character.
        for at in 0..=json.len() {
            let mut page = Vec::new();
            let mut out = ScriptSafe::new(&mut page);
            out.write_all(&json.as_bytes()[..at]).expect("first part");
            out.write_all(&json.as_bytes()[at..]).expect("second part");
            out.flush().expect("whole characters");
            assert_eq!(
                String::from_utf8(page).expect("UTF-8"),
                whole,
                "split at {at}"
            );
        }
        let mut page = Vec::new();
        let mut cut = ScriptSafe::new(&mut page);
        cut.write_all(&"é".as_bytes()[..1])
            .expect("half a character waits");
        assert!(
            cut.flush().is_err(),
            "a JSON cut inside a character is an error"
        );
        assert!(ScriptSafe::new(&mut Vec::new()).write_all(b"\xff").is_err());
    }

    #[test]
    fn each_row_and_each_diff_ends_its_line_and_the_data_is_the_same_json() {
        let plan = std::fs::read(format!(
            "{}/tests/fixtures/terraform/1.11/plan_mixed.txt",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture");
        let report = crate::parse::parse(&plan, Command::Plan).expect("parsed");
        let mut json = Vec::new();
        write_data(&mut json, &report, &lists(&report), &Masker::empty()).expect("written");
        let text = String::from_utf8(json).expect("UTF-8");
        let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let length = |key: &str| value[key].as_array().expect("a list").len();
        assert!(length("resources") > 10 && length("diffs") > 10, "{text}");
        // One line for the first item of each list, one more for each further item.
        let breaks: usize = ["actions", "modules", "resources", "diffs"]
            .iter()
            .map(|key| length(key).saturating_sub(1))
            .sum();
        assert_eq!(text.matches(",\n").count(), breaks, "{text}");
        assert!(text.lines().all(|line| line.len() < 4096), "{text}");
    }
}
