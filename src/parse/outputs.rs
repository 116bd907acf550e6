//! The `Outputs:` section an apply prints after its summary line.
//!
//! Output values are the module authors' text, and a multi-line string is printed as a
//! heredoc whose lines start at column 0, so a value can hold a line that reads like
//! `Error: …` or `Apply complete! …`. Terraform prints nothing after this section, so the
//! reader takes every line that fits its shape (names, heredocs to their delimiter, nested
//! values to their closing bracket) and none of them is read as anything else. A line that
//! does not fit says the summary line before it was not Terraform's.

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

    /// Takes one line (colours stripped); false when the line cannot be part of the section.
    pub(crate) fn take(&mut self, line: &str) -> bool {
        match &self.state {
            State::BeforeHeader => {
                if line == "Outputs:" {
                    self.state = State::Values;
                }
                line.trim().is_empty() || line == "Outputs:"
            }
            State::Heredoc(delimiter) => {
                // Terraform ends a top-level heredoc with its delimiter alone at column 0,
                // and picks a delimiter that no line of the value is.
                if line == delimiter {
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
                let Some((name, value)) = line.split_once(" = ") else {
                    return false;
                };
                if !is_name(name.trim_end()) {
                    return false;
                }
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
        lines.iter().all(|line| reader.take(line))
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
        assert!(reader.take(""));
        assert!(reader.take("Outputs:"));
        assert!(reader.take("note = <<XYZ"));
        assert!(reader.take("Apply complete! Resources: 1 added, 0 changed, 0 destroyed."));
        assert!(reader.take("XYZ"));
        assert!(!reader.take("more notes"));
        let mut reader = OutputsReader::new();
        assert!(!reader.take("Error: boom"));
    }

    #[test]
    fn only_the_delimiter_alone_at_column_0_ends_a_heredoc() {
        let mut reader = OutputsReader::new();
        for line in ["Outputs:", "note = <<EOT", "  EOT", "EOT ", "Error: inside"] {
            assert!(reader.take(line), "{line}");
        }
        assert!(reader.take("EOT"));
        assert!(!reader.take("Error: outside"));
    }
}
