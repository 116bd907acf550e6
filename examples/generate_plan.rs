//! Writes a large, realistic `terraform plan -no-color` output to stdout, for benchmarks.
//!
//! Usage: `cargo run --release --example generate_plan -- RESOURCES [MIN_BYTES]`
//! With `MIN_BYTES`, resource blocks keep coming (with fresh addresses) until the output is at
//! least that long, so the same shape scales from a big plan to a gigabyte.

#[allow(unreachable_pub)] // shared with the tests, where it is public to their crate
#[path = "../tests/common/big_plan.rs"]
mod big_plan;

use std::io::{self, BufWriter};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let resources: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let min_bytes: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let stdout = io::stdout();
    big_plan::write_plan(
        BufWriter::with_capacity(1 << 20, stdout.lock()),
        resources,
        min_bytes,
    )
}
