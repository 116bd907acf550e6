//! What a Markdown reader sees outside code: the text left once fenced blocks and inline
//! code spans are taken out, for tests that hostile names stay inert.

/// `text` without its fenced code blocks and inline code spans (`CommonMark`'s rules: a fence
/// is closed by a run of the same character at least as long; a span by a run of exactly as
/// many backticks). An unclosed fence hides the rest, as it does on screen.
pub fn outside_code(text: &str) -> String {
    let mut out = String::new();
    let mut fence: Option<(char, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~');
        let run = marker.map_or(0, |m| trimmed.chars().take_while(|c| *c == m).count());
        match (fence, marker) {
            (Some((c, n)), Some(m)) if m == c && run >= n && trimmed[run..].trim().is_empty() => {
                fence = None;
            }
            (Some(_), _) => {}
            (None, Some(m)) if run >= 3 => fence = Some((m, run)),
            (None, _) => {
                out.push_str(&without_spans(line));
                out.push('\n');
            }
        }
    }
    out
}

/// A line without its inline code spans.
fn without_spans(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '`' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|c| **c == '`').count();
        let mut j = i + run;
        let mut close = None;
        while j < chars.len() {
            let here = chars[j..].iter().take_while(|c| **c == '`').count();
            if here == run {
                close = Some(j);
                break;
            }
            j += here.max(1);
        }
        if let Some(end) = close {
            i = end + run;
        } else {
            out.extend(&chars[i..i + run]);
            i += run;
        }
    }
    out
}

#[test]
fn code_is_taken_out() {
    let text = "a `x` b ``y`z`` c\n```hcl\nsecret\n````\nstill\n```\nd `open";
    assert_eq!(outside_code(text), "a  b  c\nstill\n");
}
