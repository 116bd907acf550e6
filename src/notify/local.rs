//! The local destinations: the terminal (stderr) and a Markdown file, both masked.
//!
//! What stays on this machine is read by as many people as what is posted (a CI log is
//! often public), so it goes through the run's masks too, in one writer: the summary after
//! Terraform's output, tfnotify's own lines about each delivery and each error, and the
//! `--output` file (GitHub's step summary, or the HTML report).

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use crate::error::Error;
use crate::mask::{LineMasker, Masker};

/// Writes to stderr and to files through the run's masks.
#[derive(Debug, Clone, Default)]
pub struct Local {
    masker: Masker,
}

impl Local {
    /// A writer that hides what `masker` hides.
    pub fn new(masker: Masker) -> Local {
        Local { masker }
    }

    /// Prints `text` on stderr, masked, after everything Terraform wrote.
    pub fn print(&self, text: &str) {
        // stderr gone is nothing to report on stderr.
        let _ = self.write(io::stderr().lock(), text);
    }

    /// Appends `markdown` to `path`, masked, creating it, so several steps can share one
    /// step summary.
    pub fn append_markdown(&self, path: &Path, markdown: &str) -> Result<(), Error> {
        let write = || -> io::Result<()> {
            let file = OpenOptions::new().create(true).append(true).open(path)?;
            // Each message ends with a blank line, so the next one (another step's, or the
            // destroy warning) starts a new Markdown block.
            let text = format!("{}\n\n", markdown.trim_end_matches('\n'));
            self.write(file, &text)
        };
        write().map_err(|source| Error::Output {
            path: path.to_owned(),
            source,
        })
    }

    /// Writes the page `write` makes to `path`, masked as it is made, replacing what was
    /// there: a page is one document, not a log to append to.
    pub fn write_page(
        &self,
        path: &Path,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), Error> {
        let write = || -> io::Result<()> {
            let file = std::fs::File::create(path)?;
            let mut out = LineMasker::new(self.masker.clone(), io::BufWriter::new(file));
            write(&mut out)?;
            out.finish()
        };
        write().map_err(|source| Error::HtmlReport {
            path: path.to_owned(),
            source,
        })
    }

    /// The one masking writer: whole lines, so a secret is hidden wherever a line breaks.
    fn write(&self, to: impl Write, text: &str) -> io::Result<()> {
        let mut out = LineMasker::new(self.masker.clone(), to);
        out.write_all(text.as_bytes())?;
        out.finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Local;
    use crate::mask::Masker;

    #[test]
    fn the_markdown_file_is_masked_and_messages_are_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        let local = Local::new(Masker::empty().with_literal("env:S", r#"Pa"ss"#));
        local
            .append_markdown(&path, "## Plan\n\n`\"Pa\\\"ss\"`\n")
            .unwrap();
        local.append_markdown(&path, "next Pa\"ss").unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "## Plan\n\n`\"***\"`\n\nnext ***\n\n"
        );
    }

    #[test]
    fn a_page_replaces_the_file_and_is_masked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.html");
        let local = Local::new(Masker::empty().with_literal("env:S", "s3cret"));
        let page =
            |text: &'static str| move |out: &mut dyn std::io::Write| out.write_all(text.as_bytes());
        local.write_page(&path, page("<p>old</p>\n")).unwrap();
        // A secret cut across two writes is masked all the same.
        local
            .write_page(&path, |out| {
                out.write_all(b"<p>s3")?;
                out.write_all(b"cret</p>\n")
            })
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "<p>***</p>\n");
        let missing = dir.path().join("no").join("report.html");
        let error = local
            .write_page(&missing, page("x"))
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("could not write the HTML report to `"),
            "{error}"
        );
    }
}
