//! Counting one execution's work and memory against its [`Limits`].
//!
//! The executor, and every function that can build or scan something large, asks the
//! meter before doing the work, so a runaway template stops at the first step past a
//! limit rather than after allocating gigabytes. The first limit hit is remembered: a
//! function that swallows errors (`toJson`) cannot hide it, and the executor reports it
//! in the limit's own words rather than as `error calling f`.
//!
//! Memory is counted, not measured: a value a function returns is charged for the parts
//! nobody else holds yet (its own text or slots, and the new values inside it), and the
//! executor gives the charge back when it drops the last reference. Sharing through
//! `Rc` is therefore free, as it is in fact, and a string rebuilt a thousand times in a
//! loop costs only its latest version.

use std::cell::Cell;
use std::rc::Rc;

use crate::template::gotime::GoTime;
use crate::template::limits::{Limits, size};
use crate::template::semver::SemVer;
use crate::template::value::{Entries, List, Value};

/// Units of work one step stands for. A unit is about what copying a byte costs, so
/// building or copying 256 bytes costs about as much as executing a node (some 20 ns).
const STEP: u64 = 256;

/// Units a function spends per byte it reads through: case mapping, escaping, hashing
/// and matching cost from a few to a few dozen nanoseconds a byte.
pub(crate) const SCAN: usize = 64;

/// What a heap allocation costs beyond its contents: the reference counts and the
/// allocator's own bookkeeping.
pub(crate) const ALLOC: usize = 32;

/// What a map entry costs beyond its key text and its value's own heap: the key's
/// `String` and its allocation, the value slot and the B-tree node around them.
pub(crate) const ENTRY: usize = size_of::<String>() + ALLOC + size_of::<Value>() + 16;

/// What one list item costs beyond its own heap: its slot.
pub(crate) const ITEM: usize = size_of::<Value>();

/// How deeply values may nest for the functions that walk them recursively (printing,
/// JSON, comparing, copying, merging). Data parsed from JSON nests at most 128 deep; a
/// template can nest deeper, or build a map that holds itself, and walking that would
/// overflow the native stack.
pub(crate) const VALUE_DEPTH: usize = 200;

#[derive(Clone, Copy)]
enum Hit {
    Output,
    Items,
    Steps,
    Memory,
    Nesting,
}

/// One execution's counters (see the module docs).
pub(crate) struct Meter {
    limits: Limits,
    /// Bytes of work done; a step counts [`STEP`].
    work: Cell<u64>,
    /// Bytes held by the values the execution built and may still hold.
    held: Cell<usize>,
    /// The first limit hit.
    hit: Cell<Option<Hit>>,
}

impl Meter {
    pub(crate) fn new(limits: Limits) -> Meter {
        Meter {
            limits,
            work: Cell::new(0),
            held: Cell::new(0),
            hit: Cell::new(None),
        }
    }

    pub(crate) fn limits(&self) -> &Limits {
        &self.limits
    }

    fn trip(&self, hit: Hit) -> String {
        if self.hit.get().is_none() {
            self.hit.set(Some(hit));
        }
        self.message(hit)
    }

    fn message(&self, hit: Hit) -> String {
        let l = &self.limits;
        match hit {
            Hit::Output => format!(
                "output would exceed {} (the engine's limit)",
                size(l.output)
            ),
            Hit::Items => format!(
                "a list or map would exceed {} items (the engine's limit)",
                l.items
            ),
            Hit::Steps => format!(
                "execution would exceed {} steps (the engine's limit)",
                l.steps
            ),
            Hit::Memory => format!(
                "values would hold more than {} (the engine's limit)",
                size(l.memory)
            ),
            Hit::Nesting => {
                format!("a value would nest deeper than {VALUE_DEPTH} levels (the engine's limit)")
            }
        }
    }

    /// The steps taken so far, work included.
    pub(crate) fn steps(&self) -> u64 {
        self.work.get() / STEP
    }

    /// The first limit hit, in its own words.
    pub(crate) fn exceeded(&self) -> Option<String> {
        self.hit.get().map(|h| self.message(h))
    }

    /// One step of execution: a node, a `range` iteration, a function call, or one value
    /// visited while printing, comparing or copying a list or map.
    pub(crate) fn step(&self) -> Result<(), String> {
        self.charge(STEP)
    }

    /// Work in proportion to `bytes` built or copied; or, in units, any other work.
    pub(crate) fn work(&self, bytes: usize) -> Result<(), String> {
        self.charge(u64::try_from(bytes).unwrap_or(u64::MAX))
    }

    /// Work in proportion to `bytes` a function reads through (see [`SCAN`]).
    pub(crate) fn scan(&self, bytes: usize) -> Result<(), String> {
        self.work(bytes.saturating_mul(SCAN))
    }

    fn charge(&self, units: u64) -> Result<(), String> {
        let work = self.work.get().saturating_add(units);
        self.work.set(work);
        if work > self.limits.steps.saturating_mul(STEP) {
            return Err(self.trip(Hit::Steps));
        }
        Ok(())
    }

    /// Whether a string of `len` bytes may be built, or the output grow to `len`.
    pub(crate) fn text(&self, len: usize) -> Result<(), String> {
        if len > self.limits.output {
            return Err(self.too_long());
        }
        Ok(())
    }

    /// The error for a string that would outgrow the output limit.
    pub(crate) fn too_long(&self) -> String {
        self.trip(Hit::Output)
    }

    /// Whether a list or map of `n` items may be built.
    pub(crate) fn items(&self, n: usize) -> Result<(), String> {
        if n > self.limits.items {
            return Err(self.trip(Hit::Items));
        }
        Ok(())
    }

    /// Whether values nested `depth` levels deep may be walked (see [`VALUE_DEPTH`]).
    pub(crate) fn nested(&self, depth: usize) -> Result<(), String> {
        if depth > VALUE_DEPTH {
            return Err(self.trip(Hit::Nesting));
        }
        Ok(())
    }

    /// Whether `bytes` more may be built on top of what is held. It charges nothing:
    /// functions check before building what the executor charges once it is built.
    pub(crate) fn room(&self, bytes: usize) -> Result<(), String> {
        if self.held.get().saturating_add(bytes) > self.limits.memory {
            return Err(self.trip(Hit::Memory));
        }
        Ok(())
    }

    /// Charges `bytes` built and held where the executor cannot see them being made:
    /// entries `set` adds to a map, the keys a `range` over a map copies.
    pub(crate) fn hold_bytes(&self, bytes: usize) -> Result<(), String> {
        self.work(bytes)?;
        self.room(bytes)?;
        self.held.set(self.held.get() + bytes);
        Ok(())
    }

    /// Gives back what [`Meter::hold_bytes`] or [`Meter::built`] charged.
    pub(crate) fn release_bytes(&self, bytes: usize) {
        self.held.set(self.held.get().saturating_sub(bytes));
    }

    /// Checks a value a function returned against the size limits, and charges the
    /// parts of it that are new (see the module docs).
    pub(crate) fn built(&self, v: &Value) -> Result<(), String> {
        match v {
            Value::Str(s) | Value::Html(s) => self.text(s.len())?,
            Value::List(l) => self.items(l.count())?,
            Value::Map(m) if !m.is_pending() => self.items(m.borrow().len())?,
            _ => {}
        }
        self.hold_bytes(new_bytes(v))
    }

    /// Drops a value the executor is done with, giving back its charge when this was
    /// the last reference to it.
    pub(crate) fn release(&self, v: Value) {
        self.release_bytes(new_bytes(&v));
        drop(v);
    }
}

/// The heap bytes of `v` that nothing else holds: `v` itself when the caller's is the
/// only reference, and then the values only it holds. A work list instead of recursion
/// copes with values nested a million deep.
fn new_bytes(v: &Value) -> usize {
    let mut work = Vec::new();
    let mut total = own_bytes(v, 1, &mut work);
    while let Some(inner) = work.pop() {
        // The queued copy is the second reference to a value only its container holds.
        total += own_bytes(&inner, 2, &mut work);
    }
    total
}

/// `v`'s own heap bytes when exactly `refs` references to it exist, queuing copies of
/// the values it holds; nothing when others hold it too.
fn own_bytes(v: &Value, refs: usize, work: &mut Vec<Value>) -> usize {
    let is_heap = |v: &&Value| {
        matches!(
            v,
            Value::Str(_)
                | Value::Html(_)
                | Value::List(_)
                | Value::Map(_)
                | Value::Time(_)
                | Value::Semver(_)
        )
    };
    match v {
        Value::Str(s) | Value::Html(s) if Rc::strong_count(s) == refs => ALLOC + s.len(),
        // A list is two allocations: the shared header and the slots.
        // Lazy containers hold what their source makes, not copies: only their headers.
        Value::List(l) if Rc::strong_count(l) == refs && l.lazy().is_some() => {
            ALLOC + size_of::<List>()
        }
        Value::Map(m) if Rc::strong_count(m) == refs && m.is_pending() => {
            ALLOC + size_of::<Entries>()
        }
        Value::List(l) if Rc::strong_count(l) == refs => {
            work.extend(l.iter().filter(is_heap).cloned());
            2 * ALLOC + size_of::<List>() + l.capacity() * ITEM
        }
        Value::Map(m) if Rc::strong_count(m) == refs => {
            let m = m.borrow();
            work.extend(m.values().filter(is_heap).cloned());
            ALLOC + size_of::<Entries>() + m.keys().map(|k| k.len() + ENTRY).sum::<usize>()
        }
        Value::Time(t) if Rc::strong_count(t) == refs => ALLOC + size_of::<GoTime>(),
        Value::Semver(v) if Rc::strong_count(v) == refs => {
            ALLOC + size_of::<SemVer>() + v.original().len() + v.to_string().len()
        }
        _ => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{ALLOC, ITEM, Meter};
    use crate::template::limits::Limits;
    use crate::template::value::{List, Value};

    #[test]
    fn only_what_nobody_else_holds_is_charged() {
        let meter = Meter::new(Limits::default());
        let shared = Value::str("shared");
        let list = Value::list(vec![shared.clone(), Value::str("new"), Value::Int(1)]);
        meter.built(&list).unwrap();
        let expected = 2 * ALLOC + size_of::<List>() + 3 * ITEM + ALLOC + 3;
        assert_eq!(meter.held.get(), expected);
        drop(shared);
        meter.release(list);
        // `shared` was ours alone by the time the list went, so a little more is back.
        assert_eq!(meter.held.get(), 0);
    }

    #[test]
    fn the_first_limit_hit_is_kept() {
        let meter = Meter::new(Limits {
            steps: 1,
            ..Limits::default()
        });
        meter.step().unwrap();
        assert!(meter.step().is_err());
        assert!(meter.items(usize::MAX).is_err());
        assert_eq!(
            meter.exceeded().unwrap(),
            "execution would exceed 1 steps (the engine's limit)"
        );
    }
}
