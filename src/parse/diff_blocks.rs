//! Each resource's own part of the planned changes, for reports that show one diff per
//! resource (the HTML report).
//!
//! The text parser keeps the changes section as one text ([`Transcript::changes`]). A
//! resource's part starts at its header (`  # ADDRESS will be created`), read at the same
//! indentation and with the same header reader as the parser itself, so a line inside a
//! diff (a heredoc that holds `# x will be created`, indented deeper) never starts one. The
//! caller pairs the parts with the resources the parser listed, by address, so a part
//! only ever shows under the resource Terraform's structure named.
//!
//! [`Transcript::changes`]: crate::model::Transcript::changes

use crate::parse::resource_line::{self, HeaderKind};

/// The diff Terraform printed for one resource instance, header line included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceDiff<'a> {
    /// The address the report lists the change under: the new one for a move.
    pub address: String,
    /// The deposed-object key, when the part is about a deposed object.
    pub deposed: Option<&'a str>,
    pub text: &'a str,
}

/// Splits the changes section `changes` into the parts of each resource, in order.
pub fn resource_diffs(changes: &str) -> Vec<ResourceDiff<'_>> {
    let mut diffs: Vec<ResourceDiff<'_>> = Vec::new();
    // Where the open part starts, and its address and deposed key.
    let mut open: Option<(usize, String, Option<&str>)> = None;
    let mut at = 0;
    for line in changes.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start().len();
        let header = (indent <= 2)
            .then(|| body.trim_start().strip_prefix("# "))
            .flatten()
            .and_then(resource_line::header);
        let ends = header.is_some() || (indent == 0 && ends_section(body));
        if ends && let Some((from, address, deposed)) = open.take() {
            diffs.push(ResourceDiff {
                address,
                deposed,
                text: changes[from..start].trim_end(),
            });
        }
        if let Some(header) = header {
            let address = match header.kind {
                HeaderKind::Change { .. } => header.address.to_owned(),
                HeaderKind::MovedTo(to) => to,
                HeaderKind::Drift(_) => continue,
            };
            open = Some((start, address, header.deposed));
        }
    }
    if let Some((from, address, deposed)) = open {
        diffs.push(ResourceDiff {
            address,
            deposed,
            text: changes[from..].trim_end(),
        });
    }
    diffs
}

/// Lines at the left margin that close the last resource's part: the summary, the outputs
/// section, and the marker where a long text's middle was left out.
fn ends_section(line: &str) -> bool {
    line.starts_with("Plan: ")
        || line.starts_with("Changes to Outputs:")
        || line.starts_with("─")
        || (line.starts_with("… ") && line.ends_with(" omitted by tfnotify …"))
}

#[cfg(test)]
mod tests {
    use super::resource_diffs;

    #[test]
    fn each_header_opens_a_part_and_a_deeper_header_like_line_does_not() {
        let text = "  # a.x will be created\n  + resource \"a\" \"x\" {\n      + v = <<-EOT\n            # b.y will be destroyed\n        EOT\n    }\n\n  # b.y (deposed object 1a2b) will be destroyed\n  - resource \"b\" \"y\" {}\n\n  # c.old has moved to c.new\n    resource \"c\" \"new\" {}\n\nPlan: 1 to add, 0 to change, 1 to destroy.\n\nChanges to Outputs:\n  + o = 1";
        let diffs = resource_diffs(text);
        let seen: Vec<(&str, Option<&str>)> = diffs
            .iter()
            .map(|d| (d.address.as_str(), d.deposed))
            .collect();
        assert_eq!(
            seen,
            [("a.x", None), ("b.y", Some("1a2b")), ("c.new", None)]
        );
        assert!(diffs[0].text.contains("# b.y will be destroyed"));
        assert!(diffs[0].text.ends_with("    }"));
        assert_eq!(
            diffs[2].text,
            "  # c.old has moved to c.new\n    resource \"c\" \"new\" {}"
        );
    }

    #[test]
    fn the_omission_marker_closes_a_part() {
        let text = "  # a.x will be created\n  + resource \"a\" \"x\" {\n… 10 lines (400 bytes) omitted by tfnotify …\n    }\n  # a.y will be created\n  + x";
        let diffs = resource_diffs(text);
        assert_eq!(diffs.len(), 2);
        assert_eq!(
            diffs[0].text,
            "  # a.x will be created\n  + resource \"a\" \"x\" {"
        );
        assert_eq!(diffs[1].address, "a.y");
    }
}
