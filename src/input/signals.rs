//! Interrupts while reading a pipe.
//!
//! In `terraform plan | tfnotify plan`, Ctrl-C reaches both programs. Terraform stops
//! gracefully and prints why; if we died at once, that output would be lost and Terraform
//! would get a broken pipe. So the first interrupt only says what is happening and reading
//! goes on until Terraform closes the pipe; a second one ends tfnotify.

use std::io::Write;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Installs the two-step interrupt behaviour for stdin mode.
pub fn guard_stdin_mode() {
    let Ok(mut signals) = Signals::new([SIGINT, SIGTERM]) else {
        return;
    };
    std::thread::spawn(move || {
        let mut received = 0;
        for signal in signals.forever() {
            received += 1;
            if received > 1 {
                std::process::exit(128 + signal);
            }
            let _ = writeln!(
                std::io::stderr(),
                "tfnotify: interrupted; still passing the input through until it ends (interrupt again to stop now)"
            );
        }
    });
}
