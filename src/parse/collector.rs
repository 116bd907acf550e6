//! Parsing output that arrives in chunks from one or two streams.
//!
//! The collector sees bytes only after they have been passed through, so nothing it does can
//! hold Terraform's output back. JSON is recognised by its first byte on stdout and read on
//! a worker thread as a stream; everything else goes through the line reader.

use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::input::Stream;
use crate::model::{CappedText, Command, Outcome, Report};
use crate::parse::lines::{self, LineAssembler};
use crate::parse::reader::TextReader;
use crate::parse::{ParseError, ansi, json};

/// The most leading white space kept for the JSON reader; past it positions in its errors
/// may be off, nothing else.
const LEADING_LIMIT: usize = 64 * 1024;

/// Chunks in flight to the JSON worker; bounded so a slow parse cannot grow memory.
const JSON_QUEUE: usize = 16;

#[derive(Debug)]
enum Mode {
    /// Nothing but white space seen on stdout yet.
    Detecting,
    Text,
    Json(JsonWorker),
}

#[derive(Debug)]
struct JsonWorker {
    sender: SyncSender<Vec<u8>>,
    handle: JoinHandle<Result<Report, ParseError>>,
}

/// Receives chunks, splits them into lines and hands them to the parser.
#[derive(Debug)]
pub struct Collector {
    command: Command,
    parser: TextReader,
    mode: Mode,
    stdout_lines: LineAssembler,
    stderr_lines: LineAssembler,
    /// Separate copies of each stream, kept only when there are two streams to tell apart.
    streams: Option<(CappedText, CappedText)>,
    meaningful: bool,
    /// The white space stdout began with, while it cannot yet be told whether JSON
    /// follows: the JSON reader gets it too, so its error positions are the input's.
    leading: Vec<u8>,
}

impl Collector {
    /// A collector for the output of `command` read from one stream (a pipe or a file).
    pub fn new(command: Command) -> Self {
        Collector {
            command,
            parser: TextReader::new(command),
            mode: Mode::Detecting,
            stdout_lines: LineAssembler::default(),
            stderr_lines: LineAssembler::default(),
            streams: None,
            meaningful: false,
            leading: Vec::new(),
        }
    }

    /// A collector for a program's stdout and stderr, which templates may quote apart.
    pub fn with_streams(command: Command) -> Self {
        Collector {
            streams: Some((CappedText::default(), CappedText::default())),
            ..Collector::new(command)
        }
    }

    /// Keeps up to `head` bytes of the planned changes instead of the default 256 KiB, so
    /// a report that shows each resource's diff has them all (memory grows with the plan).
    #[must_use]
    pub fn keep_changes(mut self, head: usize) -> Self {
        self.parser.keep_changes(head);
        self
    }

    /// The command whose output this is.
    pub fn command(&self) -> Command {
        self.command
    }

    /// Feeds a chunk read from `stream`.
    pub fn feed(&mut self, stream: Stream, chunk: &[u8]) {
        if !self.meaningful && chunk.iter().any(|b| !b.is_ascii_whitespace()) {
            self.meaningful = true;
        }
        if stream == Stream::Stdout && matches!(self.mode, Mode::Detecting) {
            self.mode = match chunk.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => {
                    let worker = JsonWorker::start(self.command);
                    let leading = std::mem::take(&mut self.leading);
                    if !leading.is_empty() {
                        let _ = worker.sender.send(leading);
                    }
                    Mode::Json(worker)
                }
                Some(_) => {
                    self.leading = Vec::new();
                    Mode::Text
                }
                None => {
                    if self.leading.len() + chunk.len() <= LEADING_LIMIT {
                        self.leading.extend_from_slice(chunk);
                    }
                    Mode::Detecting
                }
            };
        }
        if let (Stream::Stdout, Mode::Json(worker)) = (stream, &self.mode) {
            // A worker that stopped early has its error waiting in `finish`.
            let _ = worker.sender.send(chunk.to_vec());
            return;
        }
        let (assembler, mut copy, parser) = self.stream_parts(stream);
        assembler.push(chunk, |block| {
            if let Some(copy) = copy.as_deref_mut() {
                copy_block(copy, block);
            }
            parser.block(block);
        });
    }

    /// The line assembler and copy of `stream`, and the parser they feed.
    fn stream_parts(
        &mut self,
        stream: Stream,
    ) -> (&mut LineAssembler, Option<&mut CappedText>, &mut TextReader) {
        let parser = &mut self.parser;
        match stream {
            Stream::Stdout => (
                &mut self.stdout_lines,
                self.streams.as_mut().map(|s| &mut s.0),
                parser,
            ),
            Stream::Stderr => (
                &mut self.stderr_lines,
                self.streams.as_mut().map(|s| &mut s.1),
                parser,
            ),
        }
    }

    /// Feeds a whole text as stdout, for input already in memory.
    pub fn feed_text(&mut self, text: &[u8]) {
        self.feed(Stream::Stdout, text);
    }

    /// The report, once every stream has ended.
    pub fn finish(mut self) -> Result<Report, ParseError> {
        for stream in [Stream::Stdout, Stream::Stderr] {
            let (assembler, mut copy, parser) = self.stream_parts(stream);
            assembler.finish(|block| {
                if let Some(copy) = copy.as_deref_mut() {
                    copy_block(copy, block);
                }
                parser.block(block);
            });
        }
        let text_report = self.parser.finish();
        let mut report = match self.mode {
            Mode::Json(worker) => worker.finish(text_report)?,
            Mode::Detecting | Mode::Text => {
                if !self.meaningful && self.command != Command::Fmt {
                    return Err(ParseError::Empty);
                }
                text_report
            }
        };
        // With one stream, stdout is the combined text; the model says so by leaving both
        // stream copies empty rather than holding the same megabyte twice.
        if let Some((stdout, stderr)) = self.streams {
            report.transcript.stdout = stdout;
            report.transcript.stderr = stderr;
        }
        Ok(report)
    }
}

/// Adds a block of lines to a per-stream copy, colours stripped as in the combined copy.
fn copy_block(copy: &mut CappedText, block: &[u8]) {
    if memchr::memchr2(0x1b, b'\r', block).is_none() {
        // The common case: nothing to strip, so the block goes in whole.
        let body = block.strip_suffix(b"\n").unwrap_or(block);
        let count = memchr::memchr_iter(b'\n', body).count() as u64 + 1;
        copy.push_lines(body, count);
        return;
    }
    lines::for_each_line(block, |line| {
        copy.push_line(&ansi::strip(lines::clean(line)));
    });
}

impl JsonWorker {
    fn start(command: Command) -> Self {
        let (sender, receiver) = sync_channel(JSON_QUEUE);
        let handle = std::thread::spawn(move || {
            let reader = io::BufReader::with_capacity(256 * 1024, ChannelReader::new(receiver));
            json::parse_reader(reader, command)
        });
        JsonWorker { sender, handle }
    }

    /// The JSON report, with diagnostics that arrived as text on stderr added to it.
    fn finish(self, text: Report) -> Result<Report, ParseError> {
        drop(self.sender);
        let mut report = match self.handle.join() {
            Ok(result) => result?,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        if !text.errors.is_empty() {
            report.errors.extend(text.errors);
            report.outcome = if report.command.is_apply_like() {
                Outcome::ApplyFailed
            } else {
                Outcome::Error
            };
        }
        report.warnings.extend(text.warnings);
        report.transcript.combined = text.transcript.combined;
        Ok(report)
    }
}

/// A reader over chunks sent from the thread that passes the input through.
struct ChannelReader {
    receiver: Receiver<Vec<u8>>,
    current: Vec<u8>,
    offset: usize,
}

impl ChannelReader {
    fn new(receiver: Receiver<Vec<u8>>) -> Self {
        ChannelReader {
            receiver,
            current: Vec::new(),
            offset: 0,
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.offset == self.current.len() {
            match self.receiver.recv() {
                Ok(chunk) => {
                    self.current = chunk;
                    self.offset = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len() - self.offset);
        buf[..n].copy_from_slice(&self.current[self.offset..self.offset + n]);
        self.offset += n;
        Ok(n)
    }
}
