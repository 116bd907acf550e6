//! What loading a config file can report: hard errors and unknown-key warnings.
//!
//! Both print `file:line:column: message` first so editors and CI log viewers can jump to the
//! spot; errors add an excerpt of the offending line with a caret under the column.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a config could not be used. Converted into the crate-level error (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A path named by `--config`, `TFNOTIFY_CONFIG` or `TFCMT_CONFIG` does not exist; unlike a
    /// missing discovered file this is an error, because the user asked for that file.
    #[error("config file `{}` given by {origin} does not exist", path.display())]
    Missing { path: PathBuf, origin: &'static str },

    /// The file exists but could not be read (permissions, a directory, …).
    #[error("cannot read config file `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// The file is not valid YAML or a value has the wrong type. `excerpt` is empty or starts
    /// with a newline, so the first line of the message stays short.
    #[error("`{file}`:{line}:{column}: {message}{excerpt}")]
    Invalid {
        file: String,
        line: u32,
        column: u32,
        message: String,
        excerpt: String,
    },

    /// A `--var` flag without a colon; tfcmt rejected these too.
    #[error("invalid `--var` value `{value}`: expected `name:value`")]
    Var { value: String },

    /// A `--protect` pattern that can never match an address.
    #[error("invalid `--protect` value `{value}`: {reason}")]
    Protect { value: String, reason: String },
}

/// Something in the file that tfnotify ignores. Printed on stderr; the run continues,
/// because configs written for other tfnotify/tfcmt versions carry keys we do not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file name as the user would type it (the path we opened).
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub kind: WarningKind,
}

/// The closed set of warnings; each names the full key path so it can be found in big files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarningKind {
    /// A key that no dialect defines. `suggestion` is a sibling key with a similar spelling.
    UnknownKey {
        path: String,
        suggestion: Option<&'static str>,
    },
    /// A key given twice in one mapping; the last value is used, as tfnotify v0 did.
    DuplicateKey { path: String, first_line: u32 },
    /// A value inside a block the Go tools would have ignored (tfcmt's `ci:` block) that
    /// cannot be used; `message` says why, and the value is left out.
    Unusable { message: String },
    /// A YAML document after the first one (`number` counts from 1). Go's decoders read
    /// only the first document, so the others never took effect in tfnotify or tfcmt.
    IgnoredDocument {
        number: u32,
        first_line: u32,
        last_line: u32,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`:{}:{}: ", self.file, self.line, self.column)?;
        match &self.kind {
            WarningKind::UnknownKey { path, suggestion } => {
                write!(f, "unknown key `{path}` is ignored")?;
                match suggestion {
                    Some(known) => write!(f, "; did you mean `{known}`?"),
                    None => Ok(()),
                }
            }
            WarningKind::DuplicateKey { path, first_line } => {
                write!(
                    f,
                    "duplicate key `{path}` (first set on line {first_line}); the last one wins"
                )
            }
            WarningKind::Unusable { message } => write!(f, "{message}; it is ignored"),
            WarningKind::IgnoredDocument {
                number,
                first_line,
                last_line,
            } => {
                write!(f, "YAML document {number} (")?;
                if first_line == last_line {
                    write!(f, "line {first_line}")?;
                } else {
                    write!(f, "lines {first_line}-{last_line}")?;
                }
                write!(
                    f,
                    ") is ignored: only the first document of a file is read, as tfnotify and tfcmt did"
                )
            }
        }
    }
}

/// Renders the line `line` of `text` with a caret under `column` (both 1-based), prefixed by
/// a newline; empty when the line does not exist. Tabs before the column are copied into the
/// caret line so the caret lines up in a terminal.
pub(crate) fn excerpt(text: &str, line: u32, column: u32) -> String {
    let Some(source) = text.lines().nth(line.saturating_sub(1) as usize) else {
        return String::new();
    };
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    let pad: String = source
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!("\n{number} | {source}\n{gutter} | {pad}^")
}

#[cfg(test)]
mod tests {
    use super::{Error, Warning, WarningKind, excerpt};
    use std::path::PathBuf;

    #[track_caller]
    fn case(kind: WarningKind, expected: &str) {
        let warning = Warning {
            file: "tfnotify.yaml".into(),
            line: 3,
            column: 5,
            kind,
        };
        assert_eq!(warning.to_string(), expected);
    }

    #[test]
    fn warning_text() {
        case(
            WarningKind::UnknownKey {
                path: "terraform.plan.tmplate".into(),
                suggestion: Some("template"),
            },
            "`tfnotify.yaml`:3:5: unknown key `terraform.plan.tmplate` is ignored; did you mean `template`?",
        );
        case(
            WarningKind::UnknownKey {
                path: "extra".into(),
                suggestion: None,
            },
            "`tfnotify.yaml`:3:5: unknown key `extra` is ignored",
        );
        case(
            WarningKind::DuplicateKey {
                path: "ci".into(),
                first_line: 1,
            },
            "`tfnotify.yaml`:3:5: duplicate key `ci` (first set on line 1); the last one wins",
        );
        case(
            WarningKind::IgnoredDocument {
                number: 2,
                first_line: 4,
                last_line: 9,
            },
            "`tfnotify.yaml`:3:5: YAML document 2 (lines 4-9) is ignored: only the first document of a file is read, as tfnotify and tfcmt did",
        );
        case(
            WarningKind::IgnoredDocument {
                number: 3,
                first_line: 4,
                last_line: 4,
            },
            "`tfnotify.yaml`:3:5: YAML document 3 (line 4) is ignored: only the first document of a file is read, as tfnotify and tfcmt did",
        );
    }

    #[test]
    fn error_text() {
        let missing = Error::Missing {
            path: PathBuf::from("x.yaml"),
            origin: "`--config`",
        };
        assert_eq!(
            missing.to_string(),
            "config file `x.yaml` given by `--config` does not exist"
        );
        let var = Error::Var {
            value: "target".into(),
        };
        assert_eq!(
            var.to_string(),
            "invalid `--var` value `target`: expected `name:value`"
        );
    }

    #[track_caller]
    fn caret(text: &str, line: u32, column: u32, expected: &str) {
        assert_eq!(excerpt(text, line, column), expected);
    }

    #[test]
    fn caret_lines_up() {
        caret("a: 1\n  plan: x\n", 2, 3, "\n2 |   plan: x\n  |   ^");
        caret("\tkey: [\n", 1, 2, "\n1 | \tkey: [\n  | \t^");
        caret("a\n", 9, 1, "");
        caret(&"x\n".repeat(12), 12, 1, "\n12 | x\n   | ^");
    }
}
