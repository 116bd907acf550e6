//! Fitting a rendered message into a destination's size limit.
//!
//! GitHub refuses a comment over 65,536 characters, Slack and Teams have their own caps, and
//! a 50,000-resource plan renders far beyond any of them. Rather than fail, the message is
//! rendered again with less in it, in the order a reviewer misses least: first the quoted
//! output (kept as its start and end), then the resource lists (counts stay exact;
//! destroyed and replaced resources go last), and only as a last resort the text itself,
//! cut at a line boundary with any open code fence closed. A note says what was cut.

use std::fmt::Write as _;

use serde_json::Value;

use crate::render::message::{Message, MessageError};

/// Quoted text fields of the context, largest-first candidates for shrinking.
const TEXT_FIELDS: &[&str] = &[
    "Body",
    "CombinedOutput",
    "Stdout",
    "Stderr",
    "ChangedResult",
    "ChangeOutsideTerraform",
    "Warning",
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
    // Destroyed and replaced entries are moved to the front before these lists are cut.
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
    text.encode_utf16().count()
}

/// Renders `message` with `context`, shrinking the context until the text is at most
/// `limit` long.
pub fn render_within(
    message: &Message,
    mut context: Value,
    limit: usize,
) -> Result<Fitted, MessageError> {
    let (mut text, mut spent) = message.render_counting(&context)?;
    let mut shortened = Vec::new();
    if length(&text) <= limit {
        return Ok(Fitted { text, shortened });
    }
    add_note(&mut context, limit);
    let mut before = None;
    for _ in 0..MAX_ROUNDS {
        let over = length(&text).saturating_sub(limit);
        if over == 0 {
            return Ok(Fitted { text, shortened });
        }
        let total = length(&text);
        // Quoted output goes first; when even all of it could not make the room, or when
        // cutting it changed nothing (the template does not show it), the lists are cut in
        // the same round, so a huge plan needs few renders.
        let quoted = quoted_length(&context);
        let stalled = before == Some(total);
        before = Some(total);
        let mut changed = shrink_text(&mut context, over, &mut shortened);
        if !changed || over > quoted || stalled {
            changed |= shrink_lists(&mut context, over, total, &mut shortened);
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

/// Tells the template (through `.ErrorMessages`) that the message was shortened.
fn add_note(context: &mut Value, limit: usize) {
    let note = format!(
        "This message was shortened to fit the destination's limit of {limit} characters; the CI job has the full output."
    );
    if let Some(list) = context
        .get_mut("ErrorMessages")
        .and_then(Value::as_array_mut)
    {
        list.push(Value::String(note));
    }
}

/// How long the quoted texts that can still shrink are, together.
fn quoted_length(context: &Value) -> usize {
    TEXT_FIELDS
        .iter()
        .filter_map(|f| context.get(*f).and_then(Value::as_str).map(length))
        .filter(|len| *len > 200)
        .sum()
}

/// Shrinks the longest quoted text by about what is over, keeping its start and end.
fn shrink_text(context: &mut Value, over: usize, shortened: &mut Vec<String>) -> bool {
    let longest = TEXT_FIELDS
        .iter()
        .filter_map(|f| {
            context
                .get(*f)
                .and_then(Value::as_str)
                .map(|s| (*f, length(s)))
        })
        .filter(|(_, len)| *len > 200)
        .max_by_key(|(_, len)| *len);
    let Some((field, len)) = longest else {
        return false;
    };
    // Escaping can make the rendered form longer than the field, and a field can appear
    // more than once; aim a little lower than strictly needed.
    let keep = len.saturating_sub(over + over / 4 + 200);
    let Some(Value::String(value)) = context.get_mut(field) else {
        return false;
    };
    *value = keep_ends(value, keep);
    let entry = format!("`.{field}` (start and end kept)");
    if !shortened.contains(&entry) {
        shortened.push(entry);
    }
    true
}

/// Cuts the lists of the first stage that still has a list longer than a handful, each to
/// about the share of the text that may stay (at most half, at least five entries).
fn shrink_lists(
    context: &mut Value,
    over: usize,
    total: usize,
    shortened: &mut Vec<String>,
) -> bool {
    for stage in LIST_STAGES {
        let mut changed = false;
        for path in *stage {
            for list in lists_mut(context, path) {
                changed |= shrink_list(list, path, over, total, shortened);
            }
        }
        if changed {
            return true;
        }
    }
    false
}

/// Cuts one list longer than a handful; see [`shrink_lists`].
fn shrink_list(
    list: &mut Vec<Value>,
    path: &[&str],
    over: usize,
    total: usize,
    shortened: &mut Vec<String>,
) -> bool {
    if list.len() <= 5 {
        return false;
    }
    if path.ends_with(&["Report", "resources"]) {
        // Keep what a reviewer must see longest: destroyed and replaced resources.
        list.sort_by_key(|r| {
            let action = r.get("action").and_then(Value::as_str).unwrap_or_default();
            !matches!(action, "delete" | "replace")
        });
    }
    let before = list.len();
    // The share of the text that may stay, with a fifth off for what does not shrink.
    let share = before.saturating_mul(total.saturating_sub(over)) / total.max(1) * 4 / 5;
    list.truncate(share.min(before / 2).max(5));
    let entry = format!("`.{}` (counts are exact)", path.join("."));
    if !shortened.contains(&entry) {
        shortened.push(entry);
    }
    true
}

/// The lists at `path` in `value`, where `*` stands for every entry of a list.
fn lists_mut<'a>(value: &'a mut Value, path: &[&str]) -> Vec<&'a mut Vec<Value>> {
    match path.split_first() {
        None => value.as_array_mut().into_iter().collect(),
        Some((&"*", rest)) => value
            .as_array_mut()
            .into_iter()
            .flatten()
            .flat_map(|entry| lists_mut(entry, rest))
            .collect(),
        Some((key, rest)) => value
            .get_mut(*key)
            .map(|inner| lists_mut(inner, rest))
            .unwrap_or_default(),
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
    use super::{cut, keep_ends, length, lists_mut};
    use serde_json::json;

    #[test]
    fn a_star_reaches_the_lists_of_every_module() {
        let mut context = json!({
            "CreatedResources": ["x"],
            "Modules": [
                {"CreatedResources": ["a", "b"]},
                {"CreatedResources": ["c"]},
                {"Dir": "no list here"},
            ],
        });
        let lengths: Vec<usize> = lists_mut(&mut context, &["Modules", "*", "CreatedResources"])
            .iter()
            .map(|l| l.len())
            .collect();
        assert_eq!(lengths, [2, 1]);
        assert_eq!(lists_mut(&mut context, &["CreatedResources"]).len(), 1);
        assert!(lists_mut(&mut context, &["Missing", "*", "List"]).is_empty());
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
