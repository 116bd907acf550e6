//! How much one execution of a template may do.
//!
//! Templates come from configuration that whoever edits a pull request can change, and
//! Go's engine bounds almost nothing: `{{range seq 1 999999999}}`, `{{repeat 999999999
//! "x"}}` or a template that calls itself run until the machine gives up. Every
//! execution here runs under [`Limits`], far above any real message and low enough
//! that any template stops within seconds with memory to spare; going past one ends the
//! execution with an error that names the template, the line and the limit.

/// The bounds on one execution of a template (see [`Template::set_limits`]).
///
/// [`Template::set_limits`]: crate::template::Template::set_limits
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of output, and of any one string a function builds (`repeat`, `printf`...).
    pub output: usize,
    /// Items in any one list, or entries in any one map, a function builds.
    pub items: usize,
    /// Steps: each node executed, `range` iteration and function call is one, and so is
    /// each 256 bytes that functions build, copy, compare or scan.
    pub steps: u64,
    /// Nested `{{template}}` calls and control bodies (`if`, `with`, `range`) at once.
    pub depth: usize,
    /// Bytes held at once by the strings, lists and maps the execution has built.
    pub memory: usize,
}

impl Default for Limits {
    /// A 50,000-resource plan renders its default messages within a few percent of each.
    fn default() -> Self {
        Limits {
            output: 16 << 20,
            items: 1_000_000,
            steps: 10_000_000,
            depth: 1000,
            memory: 64 << 20,
        }
    }
}

/// A byte count as people read limits: `16 MiB`, `4 KiB` or `100 bytes`.
pub(crate) fn size(bytes: usize) -> String {
    const KIB: usize = 1 << 10;
    const MIB: usize = 1 << 20;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_as_written() {
        assert_eq!(size(16 << 20), "16 MiB");
        assert_eq!(size(4096), "4 KiB");
        assert_eq!(size(1000), "1000 bytes");
    }
}
