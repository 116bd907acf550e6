//! Slack's message shape: text defused so nothing in it can mention anyone, and cut into
//! section blocks within every limit Slack documents (and the ones it does not). The
//! blocks go in the message's one attachment; Slack applies the same limits there.

use serde_json::{Value, json};

use crate::notify::slack::{BLOCKS_BUDGET, MAX_BLOCKS, SECTION_LIMIT};

/// Room kept in each section for closing and reopening a code fence cut by a split.
const FENCE_ROOM: usize = 8;

/// Words Slack turns into a broadcast when `link_names` or `parse: full` is in effect.
const BROADCASTS: [&str; 3] = ["channel", "here", "everyone"];

/// Text Slack shows as written, whatever template produced it: every `<` that does not
/// open a web or mail link is escaped (so `<!channel>`, `<!here>`, `<@U123>`, `<#C1>` and
/// `<!subteam^…>` stay text), and `@channel`, `@here`, `@everyone` get an invisible word
/// joiner after the `@`. What the template already escaped (`&lt;`) is left alone.
pub fn defuse(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(len) = link_len(after) {
            out.push('<');
            out.push_str(&after[..len]);
            rest = &after[len..];
        } else {
            out.push_str("&lt;");
            rest = after;
        }
    }
    out.push_str(rest);
    let mut defused = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(i) = rest.find('@') {
        defused.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let broadcast = BROADCASTS.iter().any(|word| {
            rest.get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
        });
        if broadcast {
            defused.push('\u{2060}');
        }
    }
    defused.push_str(rest);
    defused
}

/// The length up to and including the `>` of a `<http…|label>` or `<mailto:…>` link that
/// starts `text` (just after its `<`), when it is one: no `<` or line break inside, and no
/// space in the URL.
fn link_len(text: &str) -> Option<usize> {
    let end = text.find('>')?;
    let inner = &text[..end];
    let url = inner.split('|').next().unwrap_or(inner);
    let scheme = ["https://", "http://", "mailto:"]
        .iter()
        .any(|s| url.len() > s.len() && url[..s.len()].eq_ignore_ascii_case(s));
    let clean = !inner.contains(['<', '\n', '\r']) && !url.contains(char::is_whitespace);
    (scheme && clean).then_some(end + 1)
}

/// Section blocks for the message and the destroy warning, within every limit: each
/// section at most [`SECTION_LIMIT`] characters, at most [`MAX_BLOCKS`] blocks and
/// [`BLOCKS_BUDGET`] characters in all; what does not fit is cut with a note.
pub(super) fn blocks(text: &str, warning: Option<&str>) -> Vec<Value> {
    let mut parts = sections(text);
    if let Some(warning) = warning {
        parts.push(String::new()); // a divider
        parts.extend(sections(warning));
    }
    let mut blocks = Vec::new();
    let mut used = 0;
    let mut cut = false;
    for part in parts {
        // Room is kept for the note, whatever block comes next.
        let len = part.chars().count();
        if blocks.len() + 1 >= MAX_BLOCKS || used + len > BLOCKS_BUDGET {
            cut = true;
            break;
        }
        if part.is_empty() {
            blocks.push(json!({"type": "divider"}));
            continue;
        }
        used += len;
        blocks.push(section(&part));
    }
    if cut {
        blocks.push(json!({
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": "_The message was shortened to fit Slack's limits._"}],
        }));
    }
    blocks
}

pub(super) fn section(text: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})
}

/// `text` in pieces of at most [`SECTION_LIMIT`] characters, cut at line ends where it can
/// be, never inside an entity, and with a code fence cut by a split closed at the end of
/// one piece and reopened at the start of the next.
fn sections(text: &str) -> Vec<String> {
    let max = SECTION_LIMIT - FENCE_ROOM;
    let mut raw: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut current_len = 0;
    for line in text.split_inclusive('\n') {
        for piece in hard_split(line, max) {
            let len = piece.chars().count();
            if current_len + len > max && !current.is_empty() {
                raw.push(std::mem::take(&mut current));
                current_len = 0;
            }
            current.push_str(piece);
            current_len += len;
        }
    }
    if !current.is_empty() {
        raw.push(current);
    }
    let mut out = Vec::new();
    let mut open = false;
    for piece in raw {
        let mut text = if open {
            format!("```{piece}")
        } else {
            piece.clone()
        };
        if piece.matches("```").count() % 2 == 1 {
            open = !open;
        }
        if open {
            text = format!("{}```", text.trim_end_matches('\n'));
        }
        let text = text.trim_end().to_owned();
        if !text.trim().is_empty() && text != "``````" {
            out.push(text);
        }
    }
    out
}

/// `line` in pieces of at most `max` characters, never splitting an entity such as `&lt;`.
fn hard_split(line: &str, max: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while rest.chars().count() > max {
        let mut end = rest.char_indices().nth(max).map_or(rest.len(), |(i, _)| i);
        if let Some(amp) = rest[..end].rfind('&')
            && end - amp < 8
            && !rest[amp..end].contains(';')
            && amp > 0
        {
            end = amp;
        }
        pieces.push(&rest[..end]);
        rest = &rest[end..];
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

/// At most `max` characters of `text`, never ending inside an entity, with `…` when cut.
pub(super) fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let pieces = hard_split(text, max - 1);
    format!("{}…", pieces.first().copied().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::{blocks, defuse, sections, truncate};
    use crate::notify::slack::{BLOCKS_BUDGET, MAX_BLOCKS, SECTION_LIMIT};

    #[test]
    fn mentions_never_survive() {
        assert_eq!(
            defuse("<!channel> <@U123> <#C1> <!subteam^S1> a<b"),
            "&lt;!channel> &lt;@U123> &lt;#C1> &lt;!subteam^S1> a&lt;b"
        );
        assert_eq!(
            defuse("@here @Channel @everyone @bob"),
            "@\u{2060}here @\u{2060}Channel @\u{2060}everyone @bob"
        );
        // Links the template makes stay links; escaped text stays as it was.
        assert_eq!(
            defuse("<https://ci/1|CI link> &lt;x&gt;"),
            "<https://ci/1|CI link> &lt;x&gt;"
        );
        assert_eq!(
            defuse("<https://x|<!channel>>"),
            "&lt;https://x|&lt;!channel>>"
        );
        assert_eq!(defuse("<javascript:x|y>"), "&lt;javascript:x|y>");
    }

    #[test]
    fn long_text_is_cut_within_limits_and_fences_stay_balanced() {
        let body = "line &lt;x&gt; of a long plan\n".repeat(2_000);
        let text = format!("*Plan*\n```{body}```\ndone");
        let parts = sections(&text);
        assert!(parts.len() > 1);
        for part in &parts {
            assert!(part.chars().count() <= SECTION_LIMIT, "{}", part.len());
            assert_eq!(part.matches("```").count() % 2, 0, "{part}");
        }
        let all = blocks(&text, Some("warning"));
        assert!(all.len() <= MAX_BLOCKS);
        let total: usize = all
            .iter()
            .filter_map(|b| b["text"]["text"].as_str())
            .map(|t| t.chars().count())
            .sum();
        assert!(total <= BLOCKS_BUDGET);
        assert_eq!(
            all.last().map(|b| b["type"].clone()),
            Some("context".into())
        );
    }

    #[test]
    fn a_line_longer_than_a_section_is_split_outside_entities() {
        let text = "&lt;".repeat(2_000);
        for part in sections(&text) {
            assert!(part.chars().count() <= SECTION_LIMIT);
            assert!(part.starts_with("&lt;") && part.ends_with("&lt;"), "{part}");
        }
        let short = truncate(&text, 10);
        assert_eq!(short, "&lt;&lt;…");
    }
}
