//! Fitting a rendered message into a destination's size limit.
//!
//! GitHub refuses a comment over 65,536 characters, Slack and Teams have their own caps, and
//! a 50,000-resource plan renders far beyond any of them. Rather than fail, the message is
//! rendered again with less in it, in the order a reviewer misses least: first the quoted
//! output (kept as its start and end), then the resource lists (counts stay exact;
//! destroyed and replaced resources go last), and only as a last resort the text itself,
//! cut at a line boundary with any open code fence closed. A note says what was cut.
//!
//! Each round cuts a shallow copy of the context that shares everything it does not cut
//! (a cut lazy list is a list of chosen positions), so a round costs one render.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use crate::model::Action;
use crate::render::message::{Message, MessageError};
use crate::template::{LazyList, List, Value};

/// Quoted text fields of the context, largest-first candidates for shrinking.
const TEXT_FIELDS: &[&str] = &[
    "Body",
    "CombinedOutput",
    "Stdout",
    "Stderr",
    "ChangedResult",
    "ChangeOutsideTerraform",
    "Warning",
    "AISummary",
    "Result",
];

/// Resource lists of the context, in stages cut in order: what matters least first. All
/// lists of a stage are cut together, each to about the share of the text that must go.
/// `*` stands for every entry of a list: each module's section of a consolidated run has
/// lists of its own.
const LIST_STAGES: &[&[&[&str]]] = &[
    &[
        &["CreatedResources"],
        &["UpdatedResources"],
        &["ImportedResources"],
        &["MovedResources"],
        &["Report", "drift"],
        &["Report", "outputs"],
        &["Report", "warnings"],
        &["Modules", "*", "CreatedResources"],
        &["Modules", "*", "UpdatedResources"],
        &["Modules", "*", "ImportedResources"],
        &["Modules", "*", "MovedResources"],
    ],
    // Destroyed and replaced entries are moved to the front before these lists are cut,
    // and what is made from them follows the cut (see [`follow_resources`]).
    &[
        &["Report", "resources"],
        &["Modules", "*", "Report", "resources"],
    ],
    &[
        &["ReplacedResources"],
        &["DeletedResources"],
        &["Modules", "*", "ReplacedResources"],
        &["Modules", "*", "DeletedResources"],
    ],
];

/// Rounds of shrinking before the last-resort cut.
const MAX_ROUNDS: usize = 40;

/// How many renders' worth of steps the rounds may take together: a template that
/// works near the step limit on every render would otherwise take forty times as long.
const MAX_RENDERS_OF_WORK: f64 = 2.0;

/// A message that fits, and what had to go for it to fit.
#[derive(Debug)]
pub struct Fitted {
    pub text: String,
    /// Human descriptions of what was cut, empty when nothing was.
    pub shortened: Vec<String>,
}

/// Length as the strictest of our destinations counts it: UTF-16 code units, which is at
/// least the number of characters.
pub fn length(text: &str) -> usize {
    // A character is one unit, or two when it needs four bytes in UTF-8: every byte but a
    // continuation byte starts one, and a four-byte one starts with 0xF0 or more. One pass
    // over the bytes, which is quick on the megabytes of a big plan.
    text.bytes()
        .map(|b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0))
        .sum()
}

/// Renders `message` with `context` (see [`Context::data`](crate::render::Context::data)),
/// shrinking a copy of the context until the text is at most `limit` long. The copy
/// shares every text and list it does not cut with `context`.
pub fn render_within(
    message: &Message,
    context: &Value,
    limit: usize,
) -> Result<Fitted, MessageError> {
    let (mut text, mut spent) = message.render_counting(context)?;
    let mut shortened = Vec::new();
    if length(&text) <= limit {
        return Ok(Fitted { text, shortened });
    }
    let context = shallow_copy(context);
    add_note(&context, limit);
    let mut before = None;
    // The resource lists already cut destroyed-first: a cut keeps that order.
    let mut sorted = Vec::new();
    for _ in 0..MAX_ROUNDS {
        let total = length(&text);
        let over = total.saturating_sub(limit);
        if over == 0 {
            return Ok(Fitted { text, shortened });
        }
        // Quoted output goes first; when even all of it could not make the room, or when
        // cutting it changed nothing (the template does not show it), the lists are cut in
        // the same round, so a huge plan needs few renders.
        let quoted = quoted_length(&context);
        let stalled = before == Some(total);
        before = Some(total);
        let mut changed = shrink_text(&context, over, &mut shortened);
        if !changed || over > quoted || stalled {
            changed |= shrink_lists(&context, over, total, &mut sorted, &mut shortened);
        }
        if !changed || spent >= MAX_RENDERS_OF_WORK {
            break;
        }
        let share;
        (text, share) = message.render_counting(&context)?;
        spent += share;
    }
    if length(&text) > limit {
        text = cut(&text, limit);
        shortened.push("the end of the message".to_owned());
    }
    Ok(Fitted { text, shortened })
}

/// A new root map holding the same values, so cutting replaces entries of the copy only;
/// maps inside it are copied as they are reached ([`lists_at`]).
fn shallow_copy(context: &Value) -> Value {
    match context {
        Value::Map(m) => Value::map(m.borrow().clone()),
        other => other.clone(),
    }
}

/// Tells the template (through `.ErrorMessages`) that the message was shortened.
fn add_note(context: &Value, limit: usize) {
    let note = format!(
        "This message was shortened to fit the destination's limit of {limit} characters; the CI job has the full output."
    );
    let Value::Map(root) = context else { return };
    let mut root = root.borrow_mut();
    if let Some(Value::List(list)) = root.get("ErrorMessages") {
        let mut items = list.to_vec();
        items.push(Value::str(note));
        root.insert("ErrorMessages".to_owned(), Value::list(items));
    }
}

/// The root's text field `field`, when it is a string.
fn text_field(context: &Value, field: &str) -> Option<Rc<str>> {
    let Value::Map(root) = context else {
        return None;
    };
    match root.borrow().get(field) {
        Some(Value::Str(s)) => Some(Rc::clone(s)),
        _ => None,
    }
}

/// How long the quoted texts that can still shrink are, together.
fn quoted_length(context: &Value) -> usize {
    TEXT_FIELDS
        .iter()
        .filter_map(|f| text_field(context, f).map(|s| length(&s)))
        .filter(|len| *len > 200)
        .sum()
}

/// Shrinks the longest quoted text by about what is over, keeping its start and end.
fn shrink_text(context: &Value, over: usize, shortened: &mut Vec<String>) -> bool {
    let longest = TEXT_FIELDS
        .iter()
        .filter_map(|f| text_field(context, f).map(|s| (*f, length(&s), s)))
        .filter(|(_, len, _)| *len > 200)
        .max_by_key(|(_, len, _)| *len);
    let (Some((field, len, value)), Value::Map(root)) = (longest, context) else {
        return false;
    };
    // Escaping can make the rendered form longer than the field, and a field can appear
    // more than once; aim a little lower than strictly needed.
    let keep = len.saturating_sub(over + over / 4 + 200);
    let kept = Value::str(keep_ends(&value, keep));
    root.borrow_mut().insert(field.to_owned(), kept);
    let entry = format!("`.{field}` (start and end kept)");
    if !shortened.contains(&entry) {
        shortened.push(entry);
    }
    true
}

/// Cuts the lists of the first stage that still has a list longer than a handful, each to
/// about the share of the text that may stay (at most half, at least five entries).
fn shrink_lists(
    context: &Value,
    over: usize,
    total: usize,
    sorted: &mut Vec<Rc<List>>,
    shortened: &mut Vec<String>,
) -> bool {
    for (stage, paths) in LIST_STAGES.iter().enumerate() {
        let mut changed = false;
        for path in *paths {
            for (parent, key) in lists_at(context, path) {
                changed |= shrink_list(&parent, key, path, (over, total), sorted, shortened);
            }
        }
        if changed {
            if stage == RESOURCES_STAGE {
                follow_resources(context);
            }
            return true;
        }
    }
    false
}

/// The stage of [`LIST_STAGES`] that cuts `.Report.resources`.
const RESOURCES_STAGE: usize = 1;

/// Makes `.ResourceReasons`, `.ForgottenResources` and `.ReadResources` of the message and
/// of each module again from their `.Report.resources`, once that list is cut: they are
/// what a template would make from it (a reason for each resource listed), so they shrink
/// with it, as they did when templates made them.
fn follow_resources(context: &Value) {
    let Value::Map(root) = context else { return };
    let mut scopes = vec![context.clone()];
    if let Some(Value::List(modules)) = root.field("Modules") {
        scopes.extend(modules.iter().cloned());
    }
    for scope in scopes {
        let Value::Map(scope) = scope else { continue };
        let Some(Value::Map(report)) = scope.field("Report") else {
            continue;
        };
        let Some(Value::List(resources)) = report.field("resources") else {
            continue;
        };
        let mut reasons = BTreeMap::new();
        let (mut forgotten, mut read) = (Vec::new(), Vec::new());
        for i in 0..resources.count() {
            let Some(Value::Map(resource)) = resources.item(i) else {
                continue;
            };
            let text = |key| resource.field(key).filter(Value::truthy);
            let reason = text("reason");
            let action = text("action");
            let kept = match action
                .as_ref()
                .and_then(Value::as_str)
                .and_then(Action::from_name)
            {
                Some(Action::Forget) => Some(&mut forgotten),
                Some(Action::Read) => Some(&mut read),
                _ => None,
            };
            if reason.is_none() && kept.is_none() {
                continue;
            }
            let Some(address) = resource.field("address") else {
                continue;
            };
            if let (Value::Str(at), Some(reason)) = (&address, reason) {
                reasons.insert(at.to_string(), reason);
            }
            if let Some(list) = kept {
                list.push(address);
            }
        }
        let mut scope = scope.borrow_mut();
        scope.insert("ResourceReasons".to_owned(), Value::map(reasons));
        scope.insert("ForgottenResources".to_owned(), Value::list(forgotten));
        scope.insert("ReadResources".to_owned(), Value::list(read));
    }
}

/// Cuts the list at `key` of `parent` when it is longer than a handful; see
/// [`shrink_lists`].
fn shrink_list(
    parent: &Value,
    key: &str,
    path: &[&str],
    (over, total): (usize, usize),
    sorted: &mut Vec<Rc<List>>,
    shortened: &mut Vec<String>,
) -> bool {
    let Value::Map(map) = parent else {
        return false;
    };
    let Some(Value::List(list)) = map.field(key) else {
        return false;
    };
    let before = list.count();
    if before <= 5 {
        return false;
    }
    let mut picks: Vec<u32> = (0..before).filter_map(|i| u32::try_from(i).ok()).collect();
    let resources = path.ends_with(&["Report", "resources"]);
    if resources && !sorted.iter().any(|done| Rc::ptr_eq(done, &list)) {
        // Keep what a reviewer must see longest: destroyed and replaced resources.
        let action = |i: u32| match list.item(i as usize) {
            Some(Value::Map(r)) => r.field("action"),
            _ => None,
        };
        let destroys = |i: &u32| {
            !matches!(
                action(*i).as_ref().and_then(Value::as_str),
                Some("delete" | "replace")
            )
        };
        picks.sort_by_cached_key(destroys);
    }
    // The share of the text that may stay, with a fifth off for what does not shrink.
    let share = before.saturating_mul(total.saturating_sub(over)) / total.max(1) * 4 / 5;
    picks.truncate(share.min(before / 2).max(5));
    let kept = match list.lazy() {
        Some(source) => Value::lazy_list(Rc::new(Picked {
            source: Rc::clone(source),
            picks,
        })),
        None => Value::typed_list(
            picks.iter().map(|i| list[*i as usize].clone()).collect(),
            list.elem,
        ),
    };
    if let (true, Value::List(cut)) = (resources, &kept) {
        sorted.push(Rc::clone(cut));
    }
    map.borrow_mut().insert(key.to_owned(), kept);
    let entry = format!("`.{}` (counts are exact)", path.join("."));
    if !shortened.contains(&entry) {
        shortened.push(entry);
    }
    true
}

/// Some items of a lazy list, in a chosen order: a cut list that still copies nothing.
#[derive(Debug)]
struct Picked {
    source: Rc<dyn LazyList>,
    picks: Vec<u32>,
}

impl LazyList for Picked {
    fn len(&self) -> usize {
        self.picks.len()
    }

    fn item(&self, index: usize) -> Value {
        self.source.item(self.picks[index] as usize)
    }
}

/// The maps holding the lists at `path` in `value`, with the key of each list; `*`
/// stands for every entry of a list. Each map on the way is replaced by a copy in its
/// parent first, so cutting never changes the context the caller holds.
fn lists_at<'p>(value: &Value, path: &[&'p str]) -> Vec<(Value, &'p str)> {
    match path {
        [] => Vec::new(),
        [key] => vec![(value.clone(), *key)],
        [key, rest @ ..] => {
            let Value::Map(map) = value else {
                return Vec::new();
            };
            let Some(inner) = map.field(key) else {
                return Vec::new();
            };
            if *key == "*" {
                return Vec::new();
            }
            match (rest.first(), &inner) {
                (Some(&"*"), Value::List(items)) => {
                    let copies: Vec<Value> = items.iter().map(shallow_copy).collect();
                    map.borrow_mut().insert(
                        (*key).to_owned(),
                        Value::typed_list(copies.clone(), items.elem),
                    );
                    copies
                        .iter()
                        .flat_map(|entry| lists_at(entry, &rest[1..]))
                        .collect()
                }
                (_, Value::Map(_)) => {
                    let copy = shallow_copy(&inner);
                    map.borrow_mut().insert((*key).to_owned(), copy.clone());
                    lists_at(&copy, rest)
                }
                _ => Vec::new(),
            }
        }
    }
}

/// The first and last lines of `text` that fit in about `keep` units, with a line saying
/// how many lines were left out between them.
fn keep_ends(text: &str, keep: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let half = keep / 2;
    let (mut head, mut head_len) = (0, 0);
    while head < lines.len() && head_len + length(lines[head]) < half {
        head_len += length(lines[head]) + 1;
        head += 1;
    }
    let (mut tail, mut tail_len) = (lines.len(), 0);
    while tail > head && tail_len + length(lines[tail - 1]) < half {
        tail_len += length(lines[tail - 1]) + 1;
        tail -= 1;
    }
    let omitted = tail - head;
    let mut out = lines[..head].join("\n");
    if omitted > 0 {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = write!(
            out,
            "… {omitted} lines omitted to fit the message size limit …"
        );
    }
    if tail < lines.len() {
        out.push('\n');
        out.push_str(&lines[tail..].join("\n"));
    }
    out
}

/// The last resort: the text cut at a line boundary within `limit`, any code fence open at
/// the cut closed, and a last line saying so. Also for a notifier that must add to a text
/// already fitted (GitLab's quick-action guards).
pub fn cut(text: &str, limit: usize) -> String {
    const NOTE: &str = "\n\n… (cut to fit the message size limit; the CI job has the full output)";
    let budget = limit.saturating_sub(length(NOTE) + 16);
    let mut out = String::new();
    let mut used = 0;
    let mut fence: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let len = length(line);
        if used + len > budget {
            break;
        }
        track_fence(line, &mut fence);
        out.push_str(line);
        used += len;
    }
    if let Some(open) = fence {
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&open);
    }
    out.push_str(NOTE);
    out
}

/// Follows Markdown code fences: a line of three or more backticks (or tildes) opens one,
/// and a line of at least as many of the same character closes it.
fn track_fence(line: &str, fence: &mut Option<String>) {
    let trimmed = line.trim_end_matches(['\n', '\r']).trim_start();
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
    let Some(c) = marker else {
        return;
    };
    let run: String = trimmed.chars().take_while(|x| *x == c).collect();
    if run.len() < 3 {
        return;
    }
    match fence {
        Some(open) if open.starts_with(c) && run.len() >= open.len() && trimmed == run => {
            *fence = None;
        }
        Some(_) => {}
        None => *fence = Some(run),
    }
}

#[cfg(test)]
mod tests {
    use super::{cut, keep_ends, length, lists_at};
    use crate::template::Value;
    use serde_json::json;

    #[test]
    fn a_star_reaches_the_lists_of_every_module_and_leaves_the_original_alone() {
        let original = Value::from(json!({
            "CreatedResources": ["x"],
            "Modules": [
                {"CreatedResources": ["a", "b"]},
                {"CreatedResources": ["c"]},
                {"Dir": "no list here"},
            ],
        }));
        let copy = super::shallow_copy(&original);
        let found = lists_at(&copy, &["Modules", "*", "CreatedResources"]);
        let lengths: Vec<usize> = found
            .iter()
            .filter_map(|(parent, key)| match parent {
                Value::Map(m) => match m.field(key) {
                    Some(Value::List(l)) => Some(l.count()),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        assert_eq!(lengths, [2, 1]);
        for (parent, key) in &found {
            if let Value::Map(m) = parent {
                m.borrow_mut()
                    .insert((*key).to_owned(), Value::list(Vec::new()));
            }
        }
        let Value::Map(root) = &original else {
            panic!()
        };
        let Some(Value::List(modules)) = root.field("Modules") else {
            panic!()
        };
        let Some(Value::Map(first)) = modules.item(0) else {
            panic!()
        };
        let Some(Value::List(kept)) = first.field("CreatedResources") else {
            panic!()
        };
        assert_eq!(kept.count(), 2, "the caller's context is not cut");
        assert_eq!(lists_at(&copy, &["CreatedResources"]).len(), 1);
        assert!(lists_at(&copy, &["Missing", "*", "List"]).is_empty());
    }

    #[test]
    fn length_counts_utf16_units() {
        for text in ["", "plain", "é and ü", "emoji 😀 and 𝄞", "日本語\n😀😀"] {
            assert_eq!(length(text), text.encode_utf16().count(), "{text}");
        }
    }

    #[test]
    fn keep_ends_keeps_whole_lines_from_both_ends() {
        let text: String = (0..100)
            .map(|i| format!("line {i:02}"))
            .collect::<Vec<_>>()
            .join("\n");
        let kept = keep_ends(&text, 40);
        assert_eq!(
            kept,
            "line 00\nline 01\n… 96 lines omitted to fit the message size limit …\nline 98\nline 99"
        );
    }

    #[test]
    fn the_last_resort_cut_closes_an_open_fence() {
        let text = format!("title\n````hcl\n{}````\nafter\n", "x\n".repeat(100));
        let cut = cut(&text, 120);
        assert!(length(&cut) <= 120, "{}", length(&cut));
        assert!(cut.starts_with("title\n````hcl\nx\n"));
        assert!(cut.contains("x\n````\n\n… (cut to fit"), "{cut}");
    }
}
