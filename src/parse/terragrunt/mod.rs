//! Terragrunt's output: Terraform's text behind per-line prefixes, several modules at once.
//!
//! `terragrunt run-all plan` runs Terraform in many module directories in parallel and
//! writes their lines interleaved, each behind a prefix naming its directory, with
//! Terragrunt's own log lines in between. [`Demux`] takes the prefix off every line and
//! hands the text to one [`TextParser`] per directory, so each module is read as the
//! Terraform stream it was, with every safeguard of the plain reader; [`merge`] then joins
//! the modules' reports into one.
//!
//! The prefix only routes, it never adds meaning: exactly one prefix is taken off, so text
//! a module prints that imitates another module's prefixed line stays in the module that
//! printed it, as text. Which lines are prefixed is fixed by the stream's structure, not by
//! any one line: the format is chosen by the stream's first line (see [`prefix::opening`]),
//! and whether Terraform's lines carry the prefix at all by the first line that is not
//! Terragrunt's own. Where Terraform's lines carry no prefix (Terragrunt told to forward
//! Terraform's output as it is), a line that looks prefixed is read as it stands.

mod merge;
mod prefix;

use std::collections::HashMap;

use crate::model::{Command, Report};
use crate::parse::text::TextParser;
use crate::parse::{ansi, lines};

pub(crate) use prefix::opening;
use prefix::{Format, Line};

/// How many module directories one output may hold; the lines of any beyond are not read,
/// which keeps memory bounded on any input, and the report says so.
const MAX_MODULES: usize = 512;

/// Whether Terraform's lines carry Terragrunt's prefix, once the stream has shown it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Only Terragrunt's own lines seen so far.
    Undecided,
    /// Every line of Terraform's is prefixed; unprefixed lines are Terragrunt's.
    Prefixed,
    /// Terraform's output is passed on as it is, between Terragrunt's log lines.
    Bare,
}

/// Splits Terragrunt's output into one Terraform stream per module directory.
#[derive(Debug)]
pub(crate) struct Demux {
    command: Command,
    format: Format,
    layout: Layout,
    /// One parser per module directory, in the order the directories first appeared.
    modules: Vec<(String, TextParser)>,
    index: HashMap<Vec<u8>, usize>,
    /// Whether directories past [`MAX_MODULES`] appeared, whose lines were not read.
    overflow: bool,
    /// Blank lines read before the layout was known: Terraform's, if its output turns out
    /// to be unprefixed (bounded; a run of blank lines says nothing past its start).
    blank: Vec<(Vec<u8>, bool)>,
    /// How much of its planned changes each module's parser keeps, when not the default.
    changes_head: Option<usize>,
}

/// How many blank lines before the layout is known are kept for Terraform's stream.
const MAX_BLANK: usize = 64;

impl Demux {
    /// A reader for a stream whose first line showed Terragrunt's `format`.
    pub(crate) fn new(command: Command, format: prefix::Format) -> Self {
        Demux {
            command,
            format,
            layout: Layout::Undecided,
            modules: Vec::new(),
            index: HashMap::new(),
            overflow: false,
            blank: Vec::new(),
            changes_head: None,
        }
    }

    /// Has each module's parser keep up to `head` bytes of its planned changes (see
    /// [`TextParser::keep_changes`]).
    pub(crate) fn keep_changes(&mut self, head: Option<usize>) {
        self.changes_head = head;
    }

    /// Reads one raw line (no newline; colours and `\r` allowed).
    pub(crate) fn line(&mut self, raw: &[u8]) {
        let clean = lines::clean(raw);
        let stripped = ansi::strip(clean);
        let kind = match self.format {
            Format::Pretty => prefix::pretty(&stripped),
            Format::Legacy => prefix::legacy(&stripped),
        };
        if self.layout == Layout::Undecided {
            self.layout = match kind {
                Line::Prefixed { .. } => Layout::Prefixed,
                Line::Other if !stripped.trim_ascii().is_empty() => Layout::Bare,
                Line::Log | Line::Other => Layout::Undecided,
            };
        }
        match (self.layout, kind) {
            (Layout::Undecided, Line::Other) => {
                if self.blank.len() < MAX_BLANK {
                    self.blank
                        .push((stripped.to_vec(), stripped.len() != clean.len()));
                }
            }
            (_, Line::Log) | (Layout::Undecided, _) | (Layout::Prefixed, Line::Other) => {}
            (Layout::Prefixed, Line::Prefixed { module, start }) => {
                let text = &stripped[start..];
                let escaped =
                    memchr::memchr(0x1b, &clean[ansi::visible_offset(clean, start)..]).is_some();
                if let Some(parser) = self.module(module) {
                    parser.stripped_line(text, escaped);
                }
            }
            (Layout::Bare, _) => {
                let escaped = stripped.len() != clean.len();
                let blank = std::mem::take(&mut self.blank);
                if let Some(parser) = self.module(b"") {
                    for (line, escaped) in blank {
                        parser.stripped_line(&line, escaped);
                    }
                    parser.stripped_line(&stripped, escaped);
                }
            }
        }
    }

    /// The parser of one module directory, started when it first appears.
    fn module(&mut self, dir: &[u8]) -> Option<&mut TextParser> {
        let at = if let Some(&at) = self.index.get(dir) {
            at
        } else {
            if self.modules.len() >= MAX_MODULES {
                self.overflow = true;
                return None;
            }
            let name = String::from_utf8_lossy(dir).into_owned();
            let mut parser = TextParser::new(self.command);
            if let Some(head) = self.changes_head {
                parser.keep_changes(head);
            }
            self.modules.push((name, parser));
            self.index.insert(dir.to_vec(), self.modules.len() - 1);
            self.modules.len() - 1
        };
        Some(&mut self.modules[at].1)
    }

    /// One report for the whole output: the module's own when there was one.
    pub(crate) fn finish(self) -> Report {
        let reports: Vec<(String, Report)> = self
            .modules
            .into_iter()
            .map(|(dir, parser)| (dir, parser.finish()))
            .collect();
        merge::merge(self.command, reports, self.overflow)
    }
}
