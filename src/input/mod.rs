//! Input: getting Terraform's bytes, and passing every one of them through untouched.
//!
//! This stage owns the promise that output is never lost or delayed: each chunk is written
//! to our own stdout (or stderr) the moment it is read, before anyone parses it, and a
//! failure further down the pipeline cannot stop it. It knows nothing of Terraform's
//! formats; it hands raw chunks to whoever listens.

mod command;
mod masked;
mod passthrough;
mod plan_file;
mod signals;

pub use command::{CommandError, run_command};
pub use masked::Masked;
pub use passthrough::{Passthrough, tee};
pub use plan_file::{PlanFileError, Program};
pub use signals::guard_stdin_mode;

/// Which of Terraform's streams a chunk came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}
