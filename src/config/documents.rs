//! Files with several YAML documents (`---`): only the first one is the config.
//!
//! Go's `yaml.v2` and `yaml.v3` `Unmarshal`, which tfnotify and tfcmt used, read the first
//! document and drop the rest without a word, so real files carry a second document (an
//! old config kept below the new one, a stray `---` before a pasted block). We read the
//! first one too, and name the lines of the others in a warning so nobody edits a part
//! that is never read.
//!
//! Documents are found by their markers: a line that is `---` (alone or followed by a
//! space) starts one, a line that is `...` ends one. YAML allows neither inside a quoted
//! or block scalar at the start of a line, so a line scan finds what the parser finds.

/// Where one document sits in the file, 1-based and inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) first_line: u32,
    pub(crate) last_line: u32,
}

/// The text of the first document (the file cut where the second one begins, so every
/// position stays the file's own) and the spans of the later documents that hold
/// anything besides comments and blank lines.
pub(crate) fn first_document(text: &str) -> (&str, Vec<Span>) {
    let mut spans: Vec<(Span, usize, bool)> = Vec::new();
    let mut start = Span {
        first_line: 1,
        last_line: 1,
    };
    let mut start_byte = 0;
    let mut content = false;
    let mut opened = false;
    let mut offset = 0;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let number = saturate(index + 1);
        let bare = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = marker(bare, "---") {
            if content || opened {
                start.last_line = number - 1;
                spans.push((start, start_byte, content));
                start.first_line = number;
                start_byte = offset;
                content = false;
            }
            opened = true;
            content |= has_content(rest);
        } else if marker(bare, "...").is_some() {
            start.last_line = number;
            spans.push((start, start_byte, content));
            start.first_line = number + 1;
            start_byte = offset + line.len();
            content = false;
            opened = false;
        } else {
            content |= has_content(bare);
        }
        offset += line.len();
    }
    start.last_line = saturate(text.lines().count()).max(start.first_line);
    spans.push((start, start_byte, content));
    let cut = spans.get(1).map_or(text.len(), |(_, byte, _)| *byte);
    let later = spans
        .iter()
        .skip(1)
        .filter(|(_, _, content)| *content)
        .map(|(span, _, _)| *span)
        .collect();
    (&text[..cut], later)
}

/// The rest of `line` after a document marker at its start, if it is one.
fn marker<'a>(line: &'a str, mark: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(mark)?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(rest)
}

/// Whether a line holds YAML content rather than blanks or a comment.
fn has_content(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with('%')
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::{Span, first_document};

    #[track_caller]
    fn case(text: &str, first: &str, later: &[(u32, u32)]) {
        let (got, spans) = first_document(text);
        assert_eq!(got, first, "{text:?}");
        let expected: Vec<Span> = later
            .iter()
            .map(|&(first_line, last_line)| Span {
                first_line,
                last_line,
            })
            .collect();
        assert_eq!(spans, expected, "{text:?}");
    }

    #[test]
    fn the_first_document_is_cut_where_the_second_begins() {
        case("ci: a\n", "ci: a\n", &[]);
        case("---\nci: a\n", "---\nci: a\n", &[]);
        case("# head\n---\nci: a\n", "# head\n---\nci: a\n", &[]);
        case("ci: a\n---\nci: b\n", "ci: a\n", &[(2, 3)]);
        case(
            "---\nci: a\n---\nci: b\n--- # third\nci: c\n",
            "---\nci: a\n",
            &[(3, 4), (5, 6)],
        );
        case("ci: a\n...\nci: b\n", "ci: a\n...\n", &[(3, 3)]);
        case("ci: a\n--- {ci: b}\n", "ci: a\n", &[(2, 2)]);
    }

    #[test]
    fn empty_later_documents_are_not_reported() {
        case("ci: a\n---\n", "ci: a\n", &[]);
        case("ci: a\n---\n# old\n\n---\nci: c", "ci: a\n", &[(5, 6)]);
    }

    #[test]
    fn markers_inside_lines_are_not_markers() {
        case("t: |\n  ---\n  x\n", "t: |\n  ---\n  x\n", &[]);
        case("t: ---x\n----\n", "t: ---x\n----\n", &[]);
    }
}
