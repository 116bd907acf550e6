//! Wrapper mode: running Terraform as a child and teeing its streams live.
//!
//! The child inherits our stdin (so an interactive `apply` can still ask), its stdout and
//! stderr are copied to ours as they arrive, and its exit code becomes ours. SIGINT and
//! SIGTERM are forwarded exactly once: when our stdin is a terminal the child shares our
//! process group and gets Ctrl-C from the terminal itself, so only SIGTERM is forwarded;
//! otherwise (CI) the child gets its own group and we forward both, so a runner that signals
//! our group does not interrupt Terraform twice (a second interrupt makes Terraform abort
//! without cleaning up).

use std::ffi::{OsStr, OsString};
use std::io::{self, IsTerminal};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, Stdio};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

use crate::input::Stream;
use crate::input::masked::Masked;
use crate::input::passthrough::tee;
use crate::mask::Masker;

/// The pipe buffer asked for the child's stdout (Linux caps it at `/proc/sys/fs/pipe-max-size`,
/// 1 MiB by default).
const PIPE_SIZE: usize = 1024 * 1024;

/// Why the child could not be run or watched.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error("could not run `{program}`: {source}")]
    Spawn { program: String, source: io::Error },
    #[error("lost track of `{program}`: {source}")]
    Wait { program: String, source: io::Error },
}

/// Runs `program` with `args`, passing its output through and to `on_chunk`; returns its
/// exit code (128 + the signal number when a signal ended it, as shells report it).
pub fn run_command(
    program: &OsStr,
    args: &[OsString],
    on_chunk: &(dyn Fn(Stream, &[u8]) + Sync),
    masker: Option<&Masker>,
) -> Result<i32, CommandError> {
    let name = program.to_string_lossy().into_owned();
    let interactive = io::stdin().is_terminal();
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::inherit())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !interactive {
        command.process_group(0);
    }
    let mut child = command.spawn().map_err(|source| CommandError::Spawn {
        program: name.clone(),
        source,
    })?;
    let to_forward: &[i32] = if interactive {
        &[SIGTERM]
    } else {
        &[SIGINT, SIGTERM]
    };
    let forwarder = Forwarder::start(child.id(), to_forward);
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    if let Some(out) = &stdout {
        // A larger pipe lets the child write ahead while we parse, instead of the two
        // taking turns every 64 KiB. Best effort: the default size works too.
        let _ = rustix::pipe::fcntl_setpipe_size(out, PIPE_SIZE);
    }
    let watched = io::stdout().is_terminal();
    std::thread::scope(|scope| {
        if let Some(out) = stdout {
            scope.spawn(move || match masker {
                None => tee(out, io::stdout(), |c| on_chunk(Stream::Stdout, c)).map(|_| ()),
                Some(m) => {
                    let mut writer = Masked::new(m.clone(), io::stdout(), watched);
                    tee(out, &mut writer, |c| on_chunk(Stream::Stdout, c))?;
                    writer.finish()
                }
            });
        }
        if let Some(err) = stderr {
            scope.spawn(move || match masker {
                None => tee(err, io::stderr(), |c| on_chunk(Stream::Stderr, c)).map(|_| ()),
                Some(m) => {
                    let mut writer = Masked::new(m.clone(), io::stderr(), watched);
                    tee(err, &mut writer, |c| on_chunk(Stream::Stderr, c))?;
                    writer.finish()
                }
            });
        }
    });
    let status = child.wait().map_err(|source| CommandError::Wait {
        program: name,
        source,
    });
    if let Some(forwarder) = forwarder {
        forwarder.stop();
    }
    let status = status?;
    Ok(status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
}

/// Passes our SIGINT/SIGTERM on to the child while it runs.
struct Forwarder {
    handle: signal_hook::iterator::Handle,
    thread: std::thread::JoinHandle<()>,
}

impl Forwarder {
    fn start(child: u32, forwarded: &[i32]) -> Option<Self> {
        let pid = rustix::process::Pid::from_raw(i32::try_from(child).ok()?)?;
        let mut signals = Signals::new([SIGINT, SIGTERM]).ok()?;
        let handle = signals.handle();
        let forwarded = forwarded.to_vec();
        let thread = std::thread::spawn(move || {
            for signal in signals.forever() {
                if forwarded.contains(&signal) {
                    let sig = if signal == SIGINT {
                        rustix::process::Signal::INT
                    } else {
                        rustix::process::Signal::TERM
                    };
                    // The child may already be gone; nothing useful to do about that.
                    let _ = rustix::process::kill_process(pid, sig);
                }
            }
        });
        Some(Forwarder { handle, thread })
    }

    fn stop(self) {
        self.handle.close();
        let _ = self.thread.join();
    }
}
