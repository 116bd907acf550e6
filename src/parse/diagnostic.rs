//! `Error:` and `Warning:` blocks, boxed (`╷ │ ╵`, with colour) or plain (`-no-color`).
//!
//! A boxed block says where it ends; a plain one does not, so it runs until a line that
//! clearly belongs to Terraform's own flow (another diagnostic, a summary, a progress line).

use crate::model::{Diagnostic, Severity};

/// The most detail text kept for one diagnostic.
const MAX_DETAIL: usize = 16 * 1024;

/// A diagnostic still being read.
#[derive(Debug)]
pub(crate) struct OpenDiagnostic {
    pub(crate) severity: Severity,
    pub(crate) boxed: bool,
    summary: String,
    detail: String,
    address: Option<String>,
}

/// `Error: …` or `Warning: …` at the start of `text`, with the summary.
pub(crate) fn start(text: &str) -> Option<(Severity, &str)> {
    if let Some(summary) = text.strip_prefix("Error: ") {
        Some((Severity::Error, summary))
    } else if let Some(summary) = text.strip_prefix("Warning: ") {
        Some((Severity::Warning, summary))
    } else if text == "Error:" {
        Some((Severity::Error, ""))
    } else {
        None
    }
}

/// The content of a box line (`│ text` or `| text`), or `None` when the line is not one.
pub(crate) fn box_content(line: &str) -> Option<&str> {
    let rest = line.strip_prefix('│').or_else(|| line.strip_prefix("| "))?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

impl OpenDiagnostic {
    /// Starts a diagnostic from its headline.
    pub(crate) fn new(severity: Severity, summary: &str, boxed: bool) -> Self {
        OpenDiagnostic {
            severity,
            boxed,
            summary: summary.trim().to_owned(),
            detail: String::new(),
            address: None,
        }
    }

    /// Adds one line of the body.
    pub(crate) fn push(&mut self, line: &str) {
        if self.address.is_none() {
            let trimmed = line.trim();
            if let Some(address) = trimmed
                .strip_prefix("with ")
                .and_then(|a| a.strip_suffix(','))
            {
                self.address = Some(address.to_owned());
            }
        }
        if self.detail.len() + line.len() < MAX_DETAIL {
            self.detail.push_str(line);
            self.detail.push('\n');
        }
    }

    /// The finished diagnostic, its body without surrounding blank lines.
    pub(crate) fn close(self) -> Diagnostic {
        let detail = self.detail.trim_matches('\n').trim_end();
        Diagnostic {
            summary: self.summary,
            detail: detail.to_owned(),
            address: self.address,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{OpenDiagnostic, box_content, start};
    use crate::model::Severity;

    #[test]
    fn headlines_and_boxes() {
        assert_eq!(
            start("Error: Bad thing"),
            Some((Severity::Error, "Bad thing"))
        );
        assert_eq!(
            start("Warning: Careful"),
            Some((Severity::Warning, "Careful"))
        );
        assert_eq!(start("Errors: none"), None);
        assert_eq!(box_content("│ Error: x"), Some("Error: x"));
        assert_eq!(box_content("│"), Some(""));
        assert_eq!(box_content("plain"), None);
    }

    #[test]
    fn detail_is_trimmed_and_names_the_resource() {
        let mut diag = OpenDiagnostic::new(Severity::Error, "local-exec provisioner error", true);
        for line in [
            "",
            "  with terraform_data.job,",
            "  on main.tf line 3:",
            "",
            "boom",
            "",
        ] {
            diag.push(line);
        }
        let diag = diag.close();
        assert_eq!(diag.address.as_deref(), Some("terraform_data.job"));
        assert_eq!(
            diag.detail,
            "  with terraform_data.job,\n  on main.tf line 3:\n\nboom"
        );
    }
}
