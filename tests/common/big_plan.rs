//! A large, realistic `terraform plan -no-color` output, for benchmarks and limit tests.
//! Shared by `examples/generate_plan.rs` and the test suites, so both use the same shape.

use std::io::{self, Write};

/// Writes a plan of `resources` resources (six creates, two updates, one replacement and
/// one destroy in every ten) and, while fewer than `min_bytes` have been written, more of
/// the same with fresh addresses.
pub fn write_plan(out: impl Write, resources: u64, min_bytes: u64) -> io::Result<()> {
    let mut out = Counting {
        inner: out,
        bytes: 0,
    };
    for i in 0..resources.min(20_000) {
        writeln!(
            out,
            "module.app[{}].terraform_data.svc[\"s-{i}\"]: Refreshing state... [id=6c3f8a2e-{i:08}]",
            i % 40
        )?;
    }
    out.write_all(
        b"\nTerraform used the selected providers to generate the following execution\n\
          plan. Resource actions are indicated with the following symbols:\n  + create\n  ~ update in-place\n  - destroy\n\
          -/+ destroy and then create replacement\n\nTerraform will perform the following actions:\n\n",
    )?;
    let (mut add, mut change, mut destroy) = (0_u64, 0_u64, 0_u64);
    let mut i = 0_u64;
    while i < resources || out.bytes < min_bytes {
        let address = format!("module.app[{}].terraform_data.svc[\"s-{i}\"]", i % 40);
        match i % 10 {
            0..=5 => {
                add += 1;
                write!(
                    out,
                    "  # {address} will be created\n  + resource \"terraform_data\" \"svc\" {{\n      + id     = (known after apply)\n      + input  = {{\n          + name     = \"service-{i}\"\n          + replicas = 3\n        }}\n      + output = (known after apply)\n    }}\n\n"
                )?;
            }
            6 | 7 => {
                change += 1;
                write!(
                    out,
                    "  # {address} will be updated in-place\n  ~ resource \"terraform_data\" \"svc\" {{\n        id     = \"6c3f8a2e-{i:08}\"\n      ~ input  = \"v1-{i}\" -> \"v2-{i}\"\n      ~ output = \"v1-{i}\" -> (known after apply)\n    }}\n\n"
                )?;
            }
            8 => {
                add += 1;
                destroy += 1;
                write!(
                    out,
                    "  # {address} must be replaced\n-/+ resource \"terraform_data\" \"svc\" {{\n      ~ id               = \"6c3f8a2e-{i:08}\" -> (known after apply)\n      ~ triggers_replace = \"a\" -> \"b\" # forces replacement\n        # (2 unchanged attributes hidden)\n    }}\n\n"
                )?;
            }
            _ => {
                destroy += 1;
                write!(
                    out,
                    "  # {address} will be destroyed\n  # (because key [\"s-{i}\"] is not in for_each map)\n  - resource \"terraform_data\" \"svc\" {{\n      - id     = \"6c3f8a2e-{i:08}\" -> null\n      - input  = \"old-{i}\" -> null\n    }}\n\n"
                )?;
            }
        }
        i += 1;
    }
    writeln!(
        out,
        "Plan: {add} to add, {change} to change, {destroy} to destroy."
    )?;
    out.write_all(b"\nChanges to Outputs:\n  ~ service_count = 1 -> 2\n")?;
    out.inner.flush()
}

/// Counts what passes through, so generation knows when the size target is met.
struct Counting<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
