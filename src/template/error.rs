//! Template errors.
//!
//! Parse and execution errors reproduce Go's text verbatim (`template: NAME:LINE: ...`
//! and `template: NAME:LINE:COL: executing "NAME" at <NODE>: ...`) because template
//! authors search the web for those exact strings and our conformance suite compares them
//! byte for byte with Go. The one message of our own (a function refused on purpose)
//! follows the crate style instead: lowercase, names in backticks.

use std::fmt;

use crate::template::printf::quote_go;

/// Where and why execution failed; boxed inside [`Error::Exec`] to keep `Result`s small.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecError {
    /// Name of the template being executed when the error happened.
    pub name: String,
    /// Name of the template whose text holds the node (Go's `ParseName`): a
    /// `{{define}}` parsed inside `main` reports `main` here.
    pub parse_name: String,
    /// 1-based line, or 0 when Go reports no location.
    pub line: usize,
    /// 0-based byte column within the line, as Go prints it.
    pub col: usize,
    /// Go's `String()` of the node being evaluated; empty when there is none.
    pub context: String,
    /// The message after `: `.
    pub message: String,
    /// The text of the template that holds the node, for [`Error::excerpt`].
    pub source: Option<std::rc::Rc<str>>,
}

/// An error raised while parsing or executing a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The template text is not valid Go template syntax.
    Parse {
        /// Name of the template whose text failed to parse.
        name: String,
        /// 1-based line of the offending token.
        line: usize,
        /// Go's message without the `template: NAME:LINE: ` prefix.
        message: String,
        /// The full template text, kept so [`Error::excerpt`] can show the line.
        source: Option<std::rc::Rc<str>>,
    },
    /// Executing the template failed (bad field access, function error...).
    Exec(Box<ExecError>),
    /// html/template refused the template (Go reports these before executing).
    Escape {
        /// Template (or `NAME:LINE:COL` location) the problem is in.
        location: String,
        /// Go's description after `html/template:LOCATION: `.
        message: String,
    },
}

impl Error {
    /// The 1-based line the error points at, if any, so callers can build their own
    /// `Error::Template { line, .. }` without parsing the message.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Parse { line, .. } if *line > 0 => Some(*line),
            Error::Exec(e) if e.line > 0 => Some(e.line),
            _ => None,
        }
    }

    /// Formats the error followed by the template line it points at and a caret under
    /// the column, which is far quicker to act on than Go's bare `NAME:LINE:COL`.
    pub fn excerpt(&self) -> String {
        let (line, col, source) = match self {
            Error::Parse { line, source, .. } => (*line, None, source),
            Error::Exec(e) => (e.line, Some(e.col), &e.source),
            Error::Escape { .. } => return self.to_string(),
        };
        let Some(text) = source.as_deref().filter(|_| line > 0) else {
            return self.to_string();
        };
        let Some(src_line) = text.split('\n').nth(line - 1) else {
            return self.to_string();
        };
        let gutter = line.to_string();
        let pad = " ".repeat(gutter.len());
        let mut out = format!("{self}\n{pad} |\n{gutter} | {src_line}\n{pad} |");
        if let Some(col) = col {
            let prefix = src_line.get(..col.min(src_line.len())).unwrap_or(src_line);
            let width = prefix.chars().count();
            out.push(' ');
            out.push_str(&" ".repeat(width));
            out.push('^');
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse {
                name,
                line,
                message,
                ..
            } => write!(f, "template: {name}:{line}: {message}"),
            Error::Exec(e) => {
                if e.line == 0 {
                    write!(f, "template: {}: {}", e.name, e.message)
                } else {
                    write!(
                        f,
                        "template: {}:{}:{}: executing {} at <{}>: {}",
                        e.parse_name,
                        e.line,
                        e.col,
                        quote_go(&e.name),
                        e.context,
                        e.message
                    )
                }
            }
            Error::Escape { location, message } => {
                write!(f, "html/template:{location}: {message}")
            }
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Error, ExecError};

    #[test]
    fn excerpt_points_at_column() {
        let err = Error::Exec(Box::new(ExecError {
            name: "main".into(),
            parse_name: "main".into(),
            line: 2,
            col: 3,
            context: ".A.B".into(),
            message: "boom".into(),
            source: Some("first\nab {{.A.B}}".into()),
        }));
        let text = err.excerpt();
        assert!(text.ends_with("2 | ab {{.A.B}}\n  |    ^"), "{text}");
    }
}
