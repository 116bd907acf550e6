//! The text reader: plain Terraform output, or Terragrunt's, decided by the first line.
//!
//! Terragrunt prefixes every line of the output it writes, its own and Terraform's, from the
//! first one on; Terraform's own output never begins with such a prefix. So the first line
//! with something on it decides, once, how the whole stream is read, and no line later in
//! the stream (which may be text a module author wrote) can change that.

use crate::model::{Command, Report};
use crate::parse::lines;
use crate::parse::terragrunt::{self, Demux};
use crate::parse::text::TextParser;

/// Reads blocks of whole lines into a report, through the reader the stream calls for.
#[derive(Debug)]
pub(crate) enum TextReader {
    /// Only blank lines so far, read as plain output in case it stays that.
    Undecided(TextParser),
    Plain(TextParser),
    Terragrunt(Demux),
}

impl TextReader {
    /// A reader for the output of `command`.
    pub(crate) fn new(command: Command) -> Self {
        TextReader::Undecided(TextParser::new(command))
    }

    /// Keeps up to `head` bytes of the changes section (see [`TextParser::keep_changes`]),
    /// of each module's when the stream turns out to be Terragrunt's.
    pub(crate) fn keep_changes(&mut self, head: usize) {
        if let TextReader::Undecided(parser) | TextReader::Plain(parser) = self {
            parser.keep_changes(head);
        }
    }

    /// Reads a block of whole lines, as the line assembler yields them.
    pub(crate) fn block(&mut self, mut block: &[u8]) {
        if let TextReader::Undecided(parser) = self {
            // The blank lines before the first line with something on it, then that line.
            let mut at = 0;
            let mut first = None;
            while at < block.len() {
                let end = memchr::memchr(b'\n', &block[at..]).map_or(block.len(), |n| at + n);
                let line = &block[at..end];
                if !crate::parse::ansi::strip(lines::clean(line))
                    .trim_ascii()
                    .is_empty()
                {
                    first = Some(line);
                    break;
                }
                at = (end + 1).min(block.len());
            }
            parser.block(&block[..at]);
            let Some(line) = first else {
                return;
            };
            let stripped = crate::parse::ansi::strip(lines::clean(line));
            let command = parser.command();
            *self = match terragrunt::opening(&stripped) {
                Some(format) => {
                    let mut demux = Demux::new(command, format);
                    demux.keep_changes(parser.kept_changes());
                    TextReader::Terragrunt(demux)
                }
                None => TextReader::Plain(std::mem::replace(parser, TextParser::new(command))),
            };
            block = &block[at..];
        }
        match self {
            TextReader::Undecided(parser) | TextReader::Plain(parser) => parser.block(block),
            TextReader::Terragrunt(demux) => lines::for_each_line(block, |line| demux.line(line)),
        }
    }

    /// The report, once every line has been read.
    pub(crate) fn finish(self) -> Report {
        match self {
            TextReader::Undecided(parser) | TextReader::Plain(parser) => parser.finish(),
            TextReader::Terragrunt(demux) => demux.finish(),
        }
    }
}
