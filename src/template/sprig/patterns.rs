//! Compiled regular expressions and what they cost.
//!
//! Matching is linear in the text, but the factor depends on the pattern: `.{1000}`
//! tracks thousands of states per byte of non-ASCII text (microseconds a byte), and
//! compiling `\w{100}` takes tens of milliseconds. So each pattern is costed from its
//! syntax tree before it is compiled, compiling and every search are charged to the
//! meter, and compiled patterns are kept so that a loop compiles each one once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use regex::{Regex, RegexBuilder};
use regex_syntax::hir::{Class, Hir, HirKind};
use regex_syntax::utf8::Utf8Sequences;

use crate::template::meter::{Meter, SCAN};
use crate::template::printf::quote_go;
use crate::template::sprig::perl_classes::ascii_perl_classes;

/// Units of work per automaton state compiled: up to about a microsecond each.
const COMPILE: u64 = 16_384;

/// Units of work per byte searched for each state a search may track at once: up to
/// about two nanoseconds each, when the lazy DFA cannot help.
const TRACK: u64 = 32;

/// Patterns kept compiled; few enough to bound the memory their DFA caches can take.
const KEEP: usize = 16;

/// A compiled pattern with what searching it costs per byte of text.
pub(super) struct Compiled {
    pub(super) re: Regex,
    per_byte: u64,
}

impl Compiled {
    /// Charges a search through `text`.
    pub(super) fn search(&self, text: &str, m: &Meter) -> Result<(), String> {
        let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
        m.work(usize::try_from(len.saturating_mul(self.per_byte)).unwrap_or(usize::MAX))
    }
}

/// The patterns compiled so far, shared by every regular-expression function.
#[derive(Default)]
pub(super) struct Patterns {
    compiled: RefCell<HashMap<String, Rc<Compiled>>>,
}

impl Patterns {
    /// `pattern` compiled, from the kept ones or after charging its compilation.
    pub(super) fn get(&self, pattern: &str, m: &Meter) -> Result<Rc<Compiled>, String> {
        if let Some(c) = self.compiled.borrow().get(pattern) {
            return Ok(Rc::clone(c));
        }
        // Go's `\d`, `\w`, `\s` and `\b` are ASCII-only.
        let go_pattern = ascii_perl_classes(pattern);
        // A pattern that does not parse fails to compile just as cheaply, with the
        // message users know.
        let cost = regex_syntax::Parser::new()
            .parse(&go_pattern)
            .map_or(Cost::default(), |hir| cost(&hir));
        let units = cost.states.saturating_mul(COMPILE);
        m.work(usize::try_from(units).unwrap_or(usize::MAX))?;
        let re = RegexBuilder::new(&go_pattern)
            .dfa_size_limit(1 << 20)
            .build()
            .map_err(|e| compile_error(pattern, &e))?;
        let per_byte = u64::try_from(SCAN)
            .unwrap_or(u64::MAX)
            .saturating_add(cost.width.saturating_mul(TRACK));
        let compiled = Rc::new(Compiled { re, per_byte });
        let mut kept = self.compiled.borrow_mut();
        if kept.len() >= KEEP {
            kept.clear();
        }
        kept.insert(pattern.to_string(), Rc::clone(&compiled));
        Ok(compiled)
    }
}

/// Go's wording for a pattern that does not compile.
pub(super) fn compile_error(pattern: &str, e: &regex::Error) -> String {
    let detail = e.to_string();
    let last = detail.lines().last().unwrap_or("").trim();
    format!(
        "regexp: Compile({}): error parsing regexp: {last}",
        quote_go(pattern).replace('"', "`")
    )
}

/// A pattern's size, in automaton states: `states` is what compiling builds (each
/// UTF-8 byte range of a class, each copy a counted repetition makes), `width` what a
/// search may track at once for each byte (a class counts its longest UTF-8 sequence).
#[derive(Default)]
struct Cost {
    states: u64,
    width: u64,
}

/// The cost of `h`. `Hir` nests no deeper than the parser's nest limit, so recursion is
/// safe.
fn cost(h: &Hir) -> Cost {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Cost {
            states: 1,
            width: 1,
        },
        HirKind::Literal(l) => {
            let n = u64::try_from(l.0.len()).unwrap_or(u64::MAX);
            Cost {
                states: n,
                width: n,
            }
        }
        HirKind::Class(Class::Unicode(c)) => {
            let mut states = 0u64;
            let mut width = 1;
            for r in c.ranges() {
                for seq in Utf8Sequences::new(r.start(), r.end()) {
                    states += 1;
                    width = width.max(u64::try_from(seq.len()).unwrap_or(4));
                }
            }
            Cost {
                states: states.max(1),
                width,
            }
        }
        HirKind::Class(Class::Bytes(c)) => Cost {
            states: u64::try_from(c.ranges().len()).unwrap_or(u64::MAX).max(1),
            width: 1,
        },
        HirKind::Repetition(r) => {
            let copies = u64::from(r.max.unwrap_or(r.min).max(1));
            let sub = cost(&r.sub);
            Cost {
                states: sub.states.saturating_mul(copies),
                width: sub.width.saturating_mul(copies),
            }
        }
        HirKind::Capture(c) => cost(&c.sub),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().map(cost).fold(Cost::default(), |a, b| Cost {
                states: a.states.saturating_add(b.states),
                width: a.width.saturating_add(b.width),
            })
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Patterns, cost};
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;

    fn of(pattern: &str) -> (u64, u64) {
        let c = cost(&regex_syntax::Parser::new().parse(pattern).unwrap());
        (c.states, c.width)
    }

    #[test]
    fn counted_repetitions_and_classes_cost_what_they_build() {
        assert_eq!(of("abc"), (3, 3));
        assert_eq!(of("(a{30}){30}"), (900, 900));
        assert_eq!(of(".{1000}").1, 4000);
        assert!(of(r"\w").0 > 500);
    }

    #[test]
    fn a_pattern_compiles_once_and_costs_its_size() {
        let m = Meter::new(Limits {
            steps: 1000,
            ..Limits::default()
        });
        let patterns = Patterns::default();
        patterns.get("a+b", &m).unwrap();
        patterns.get("a+b", &m).unwrap();
        assert!(patterns.get(r"\pL{100}", &m).is_err());
        let fresh = Meter::new(Limits::default());
        let err = patterns.get("(", &fresh).err().unwrap();
        assert!(err.contains("error parsing regexp"), "{err}");
    }
}
