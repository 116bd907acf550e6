//! The local destinations: the terminal (stderr) and a Markdown file.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use crate::error::Error;

/// Prints a summary on stderr, after everything Terraform wrote.
pub fn print_summary(text: &str) {
    let mut stderr = io::stderr().lock();
    // stderr gone is nothing to report on stderr.
    let _ = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// Appends `markdown` to `path`, creating it, so several steps can share one step summary.
pub fn append_markdown(path: &Path, markdown: &str) -> Result<(), Error> {
    let write = || -> io::Result<()> {
        let mut file = OpenOptions::new().create(true).append(true).open(path)?;
        // Each message ends with a blank line, so the next one (another step's, or the
        // destroy warning) starts a new Markdown block.
        file.write_all(markdown.trim_end_matches('\n').as_bytes())?;
        file.write_all(b"\n\n")?;
        file.flush()
    };
    write().map_err(|source| Error::Output {
        path: path.to_owned(),
        source,
    })
}
