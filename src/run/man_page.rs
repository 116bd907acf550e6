//! `tfnotify man`: the man page, generated from the same clap definition the binary parses
//! with, so it never lists a flag that is gone or misses a new one.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use clap::CommandFactory;

use crate::cli::{Cli, ManArgs};
use crate::error::Error;
use crate::run::{report_error, write_stdout};

/// Prints the top-level page, or writes every page into `--dir`.
pub(super) fn man(args: &ManArgs) -> i32 {
    let Some(dir) = &args.dir else {
        return write_stdout(page(pages_command()).as_bytes());
    };
    let written = fs::create_dir_all(dir)
        .map_err(|source| Error::ManPage {
            path: dir.clone(),
            source,
        })
        .and_then(|()| write_pages(pages_command(), dir));
    match written {
        Ok(()) => 0,
        Err(error) => {
            report_error(&error);
            error.exit_code()
        }
    }
}

/// The definition the pages describe: built, so each command knows its full name
/// (`tfnotify-config-check`), and without clap's `help` command, which has no page.
fn pages_command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// Writes `command`'s page and, depth first, one page per visible subcommand, as
/// `tfnotify.1`, `tfnotify-plan.1`, `tfnotify-config-check.1`, ….
fn write_pages(command: clap::Command, dir: &Path) -> Result<(), Error> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir)?;
    }
    let path = dir.join(man_of(command.clone()).get_filename());
    fs::write(&path, page(command)).map_err(|source| Error::ManPage { path, source })
}

/// One command's page as roff, in ASCII only: help texts hold characters such as `…`,
/// which roff reads as bytes unless a preprocessor converts them, so they become escapes
/// such as `\[u2026]` that groff and mandoc both draw as the character.
fn page(command: clap::Command) -> String {
    let mut roff = Vec::new();
    // Rendering into memory cannot fail.
    let _ = man_of(command).render(&mut roff);
    ascii_roff(&String::from_utf8_lossy(&roff))
}

/// The page of one command, footed with tfnotify's version (subcommands have none of their
/// own, and a page without it cannot be matched to the binary it describes).
fn man_of(command: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(command).source(concat!("tfnotify ", env!("CARGO_PKG_VERSION")))
}

/// `roff` with each non-ASCII character written as a roff Unicode escape.
fn ascii_roff(roff: &str) -> String {
    let mut out = String::with_capacity(roff.len());
    for c in roff.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "\\[u{:04X}]", u32::from(c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::ascii_roff;

    #[test]
    fn non_ascii_characters_become_roff_escapes() {
        assert_eq!(
            ascii_roff("`slack`, … or é 😀"),
            "`slack`, \\[u2026] or \\[u00E9] \\[u1F600]"
        );
    }
}
