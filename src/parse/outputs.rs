//! The `Outputs:` section an apply prints after its summary line.
//!
//! Output values are the module authors' text, and a multi-line string is printed as a
//! heredoc whose lines start at column 0, so a value can hold a line that reads like
//! `Error: …` or `Apply complete! …`. Terraform prints nothing after this section, so the
//! reader takes every line that fits its shape (names, heredocs to their delimiter, nested
//! values to their closing bracket) and none of them is read as anything else. A line of
//! Terraform's own shape outside any value (a summary, a diagnostic headline, a progress
//! line) says the summary line before it was not Terraform's. Other lines are taken: a
//! wrapper's log line or "Releasing state lock…" can follow the outputs in a real log.

use crate::parse::progress;

/// Where in the section the reader is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// After the summary line: blank lines, then `Outputs:`.
    BeforeHeader,
    /// Between values.
    Values,
    /// Inside a heredoc, until a line that is exactly its delimiter.
    Heredoc(String),
    /// Inside a list, map or object, until its closing line at column 0.
    Nested,
}

/// Reads the lines after an apply summary while they are outputs.
#[derive(Debug, Clone)]
pub(crate) struct OutputsReader {
    state: State,
}

impl OutputsReader {
    /// A reader placed right after the summary line.
    pub(crate) fn new() -> Self {
        OutputsReader {
            state: State::BeforeHeader,
        }
    }

    /// Takes one line (colours stripped; `escaped` when it had escape codes); false when
    /// the line cannot be part of the section.
    pub(crate) fn take(&mut self, line: &str, escaped: bool) -> bool {
        match &self.state {
            State::BeforeHeader => {
                if line == "Outputs:" {
                    self.state = State::Values;
                }
                !is_terraform_line(line) || line == "Outputs:"
            }
            State::Heredoc(delimiter) => {
                // Terraform ends a top-level heredoc with its delimiter alone at column 0,
                // with no escape codes, and picks a delimiter that no line of the value is
                // (a value's line can still read as one once its codes are taken out).
                if line == delimiter && !escaped {
                    self.state = State::Values;
                }
                true
            }
            State::Nested => {
                if line.starts_with([']', '}', ')']) {
                    self.state = State::Values;
                    true
                } else {
                    line.is_empty() || line.starts_with(' ')
                }
            }
            State::Values => {
                if line.trim().is_empty() {
                    return true;
                }
                let Some((_, value)) = line
                    .split_once(" = ")
                    .filter(|(name, _)| is_name(name.trim_end()))
                else {
                    return !is_terraform_line(line);
                };
                let value = value.trim();
                if let Some(delimiter) = value.strip_prefix("<<") {
                    let delimiter = delimiter.trim_start_matches('-');
                    if delimiter.is_empty() {
                        return false;
                    }
                    self.state = State::Heredoc(delimiter.to_owned());
                } else if value.ends_with(['[', '{', '(']) {
                    self.state = State::Nested;
                }
                true
            }
        }
    }
}

/// Whether a line has the shape of one Terraform prints outside the outputs, which no
/// output can print at column 0 outside a heredoc.
fn is_terraform_line(line: &str) -> bool {
    const STARTS: &[&str] = &[
        "Apply complete!",
        "Destroy complete!",
        "Error:",
        "Warning:",
        "Outputs:",
        "Plan: ",
        "╷",
        "│",
        "╵",
    ];
    STARTS.iter().any(|s| line.starts_with(s)) || progress::progress(line).is_some()
}

/// An output name as Terraform allows it: a letter or `_`, then letters, digits, `_`, `-`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::OutputsReader;

    fn takes_all(lines: &[&str]) -> bool {
        let mut reader = OutputsReader::new();
        lines.iter().all(|line| reader.take(line, false))
    }

    #[test]
    fn every_shape_terraform_prints_is_taken() {
        assert!(takes_all(&[
            "",
            "Outputs:",
            "",
            "listy = [",
            "  <<-EOT",
            "  x",
            "  EOT,",
            "  \"z\",",
            "]",
            "m = tomap({",
            "  \"a\" = \"b\"",
            "})",
            "note = <<EOT",
            "release notes",
            "Apply complete! Resources: 0 added, 1 changed, 0 destroyed.",
            "Error: something",
            "",
            "EOT",
            "pw = <sensitive>",
            "tricky = <<EOT_",
            "EOT",
            "EOT_",
            "n = 3",
        ]));
    }

    #[test]
    fn a_line_outside_any_value_is_not_an_output() {
        let mut reader = OutputsReader::new();
        assert!(reader.take("", false));
        assert!(reader.take("Outputs:", false));
        assert!(reader.take("note = <<XYZ", false));
        assert!(reader.take(
            "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
            false
        ));
        assert!(reader.take("XYZ", false));
        assert!(!reader.take(
            "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.",
            false
        ));
        let mut reader = OutputsReader::new();
        assert!(!reader.take("Error: boom", false));
        let mut reader = OutputsReader::new();
        assert!(!reader.take("terraform_data.decoy: Destruction complete after 0s", false));
    }

    #[test]
    fn a_wrapper_s_log_lines_around_the_outputs_are_taken() {
        assert!(takes_all(&[
            "",
            "Releasing state lock. This may take a few moments...",
            "Outputs:",
            "",
            "n = 3",
            "14:02:03.123 INFO   Finished in 12s",
        ]));
    }

    #[test]
    fn only_the_delimiter_alone_at_column_0_ends_a_heredoc() {
        let mut reader = OutputsReader::new();
        for line in ["Outputs:", "note = <<EOT", "  EOT", "EOT ", "Error: inside"] {
            assert!(reader.take(line, false), "{line}");
        }
        assert!(
            reader.take("EOT", true),
            "a value's line with codes taken out"
        );
        assert!(reader.take("Error: inside", false));
        assert!(reader.take("EOT", false));
        assert!(!reader.take("Error: outside", false));
    }
}
