//! The parser behind a lock, fenced off so that a bug in it cannot stop the pass-through.

use std::panic::AssertUnwindSafe;
use std::sync::{Mutex, PoisonError};

use crate::error::{Error, Reader};
use crate::input::Stream;
use crate::model::{Command, Report};
use crate::parse::{Collector, ParseError};
use crate::run::inspect::parse_error;

/// What [`Guarded`] fences off: something that parses chunks into a report.
pub(super) trait ChunkParser {
    fn command(&self) -> Command;
    fn feed(&mut self, stream: Stream, chunk: &[u8]);
    fn finish(self) -> Result<Report, ParseError>;
}

impl ChunkParser for Collector {
    fn command(&self) -> Command {
        Collector::command(self)
    }
    fn feed(&mut self, stream: Stream, chunk: &[u8]) {
        Collector::feed(self, stream, chunk);
    }
    fn finish(self) -> Result<Report, ParseError> {
        Collector::finish(self)
    }
}

/// The parser behind a lock, fenced off so that a bug in it cannot stop the pass-through.
pub(super) struct Guarded<P> {
    parser: Mutex<Option<P>>,
    command: Command,
}

impl<P: ChunkParser> Guarded<P> {
    pub(super) fn new(parser: P) -> Self {
        let command = parser.command();
        Guarded {
            parser: Mutex::new(Some(parser)),
            command,
        }
    }

    /// Parses a chunk that has already been passed through. After a panic the parser is
    /// dropped and later chunks are only passed through.
    pub(super) fn feed(&self, stream: Stream, chunk: &[u8]) {
        let mut slot = self.parser.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(parser) = slot.as_mut() else {
            return;
        };
        if std::panic::catch_unwind(AssertUnwindSafe(|| parser.feed(stream, chunk))).is_err() {
            *slot = None;
        }
    }

    pub(super) fn finish(self) -> Result<Report, Error> {
        let parser = self
            .parser
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let command = self.command;
        let Some(parser) = parser else {
            return Err(Error::Internal { stage: "parsing" });
        };
        match std::panic::catch_unwind(AssertUnwindSafe(|| parser.finish())) {
            Ok(result) => result.map_err(|source| parse_error(command, Reader::Notify, source)),
            Err(_) => Err(Error::Internal { stage: "parsing" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ChunkParser, Guarded};
    use crate::error::Error;
    use crate::input::Stream;
    use crate::model::{Command, Report};
    use crate::parse::ParseError;

    /// A parser with a bug: it panics on the chunk that says so.
    struct Buggy {
        fed: usize,
    }

    impl ChunkParser for Buggy {
        fn command(&self) -> Command {
            Command::Plan
        }
        fn feed(&mut self, _: Stream, chunk: &[u8]) {
            assert!(chunk != b"boom", "parser bug");
            self.fed += 1;
        }
        fn finish(self) -> Result<Report, ParseError> {
            Ok(Report::new(Command::Plan))
        }
    }

    #[test]
    fn a_parser_panic_stops_parsing_not_the_caller() {
        let guarded = Guarded::new(Buggy { fed: 0 });
        guarded.feed(Stream::Stdout, b"fine");
        guarded.feed(Stream::Stdout, b"boom");
        guarded.feed(Stream::Stdout, b"after");
        assert!(matches!(
            guarded.finish(),
            Err(Error::Internal { stage: "parsing" })
        ));
    }

    #[test]
    fn a_healthy_parser_finishes() {
        let guarded = Guarded::new(Buggy { fed: 0 });
        guarded.feed(Stream::Stdout, b"fine");
        assert!(guarded.finish().is_ok());
    }
}
