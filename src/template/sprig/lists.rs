//! Sprig's list functions (`list.go`, `splitList`, `join`...). Lists are immutable:
//! every function returns a new list, as sprig does.
//!
//! A list's length is checked against the item and memory limits before it is built,
//! and so is the count of numbers `until`, `untilStep` and `seq` yield, which is
//! computed rather than counted out.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::{ALLOC, ITEM, Meter};
use crate::template::printf;
use crate::template::sprig::{Any, Int, Str, add, empty, n, s, strval, to_int64};
use crate::template::value::{Elem, List, Value};

/// Go's `reflect.Kind` name, which sprig's panics print.
pub(super) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Int64(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::Str(_) | Value::Html(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Time(_) => "struct",
        Value::Semver(_) => "ptr",
    }
}

const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

fn as_list<'v>(v: &'v Value, what: &str) -> Result<&'v Rc<List>, String> {
    match v {
        Value::List(l) => Ok(l),
        Value::Nil => Err(NIL_DEREF.into()),
        other => Err(format!("Cannot {what} type {}", kind_name(other))),
    }
}

/// Sprig's `strslice`: list elements as strings, nils dropped. Strings are shared, not
/// copied; the text other elements print counts against the memory limit.
pub(super) fn strslice(v: &Value, m: &Meter) -> Result<Vec<Rc<str>>, String> {
    let items = match v {
        Value::List(l) => &l[..],
        Value::Nil => return Ok(Vec::new()),
        other => std::slice::from_ref(other),
    };
    let slots = items.len().saturating_mul(ITEM);
    m.room(slots)?;
    let mut printed = 0;
    let mut out = Vec::with_capacity(items.len());
    for e in items.iter().filter(|e| !e.is_nil()) {
        m.step()?;
        out.push(match e {
            Value::Str(s) | Value::Html(s) => Rc::clone(s),
            other => {
                let s = printf::to_string(other, m)?;
                printed += ALLOC + s.len();
                m.room(slots + printed)?;
                Rc::from(s)
            }
        });
    }
    Ok(out)
}

/// A Go `[]string`.
pub(super) fn strings_value(items: Vec<Rc<str>>) -> Value {
    Value::typed_list(items.into_iter().map(Value::Str).collect(), Elem::Str)
}

/// Whether a list of `n` items may be built: its length, and its slots in memory.
fn room_for(n: usize, m: &Meter) -> Result<(), String> {
    m.items(n)?;
    // Copying a slot costs a few times what copying its bytes would.
    m.work(n.saturating_mul(ITEM))?;
    m.room(ALLOC + n.saturating_mul(ITEM))
}

/// A new `[]interface{}` of `items` (whose length is known), checked before it is built.
fn copied<'v>(items: impl Iterator<Item = &'v Value>, m: &Meter) -> Result<Value, String> {
    room_for(items.size_hint().0, m)?;
    Ok(Value::list(items.cloned().collect()))
}

/// Go's `reflect.DeepEqual`, which sprig uses for `has`, `uniq` and `without`: unlike
/// `eq`, values of different dynamic types are simply unequal. Every value and byte
/// compared is work, and values nest at most as deep as the meter allows.
pub(super) fn deep_equal(a: &Value, b: &Value, m: &Meter, depth: usize) -> Result<bool, String> {
    m.step()?;
    Ok(match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Int(a), Value::Int(b)) | (Value::Int64(a), Value::Int64(b)) => a == b,
        (Value::Uint(a), Value::Uint(b)) => a == b,
        #[allow(clippy::float_cmp)]
        (Value::Float(a), Value::Float(b)) => a == b,
        (Value::Str(a), Value::Str(b)) | (Value::Html(a), Value::Html(b)) => {
            if a.len() == b.len() && !Rc::ptr_eq(a, b) {
                m.scan(a.len())?;
            }
            a == b
        }
        // Like Go, the same slice or map is equal to itself without a look inside.
        (Value::List(a), Value::List(b)) if Rc::ptr_eq(a, b) => true,
        (Value::Map(a), Value::Map(b)) if Rc::ptr_eq(a, b) => true,
        (Value::List(a), Value::List(b)) => {
            m.nested(depth + 1)?;
            if a.elem != b.elem || a.len() != b.len() {
                return Ok(false);
            }
            for (x, y) in a.iter().zip(b.iter()) {
                if !deep_equal(x, y, m, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Map(a), Value::Map(b)) => {
            m.nested(depth + 1)?;
            if a.elem() != b.elem() {
                return Ok(false);
            }
            let (a, b) = (a.borrow(), b.borrow());
            if a.len() != b.len() {
                return Ok(false);
            }
            for ((ka, va), (kb, vb)) in a.iter().zip(b.iter()) {
                if ka != kb || !deep_equal(va, vb, m, depth + 1)? {
                    return Ok(false);
                }
            }
            true
        }
        (Value::Time(a), Value::Time(b)) => a == b,
        (Value::Semver(a), Value::Semver(b)) => a == b,
        _ => false,
    })
}

/// Whether `list` holds a value deeply equal to `v`.
fn contains(list: &[Value], v: &Value, m: &Meter) -> Result<bool, String> {
    for item in list {
        if deep_equal(item, v, m, 0)? {
            return Ok(true);
        }
    }
    Ok(false)
}

fn both(set: &mut FuncSet, name: &str, f: &Func) {
    add(set, name, f.clone());
    let mut must = String::from("must");
    must.push_str(&name[..1].to_uppercase());
    must.push_str(&name[1..]);
    add(set, &must, f.clone());
}

/// Go's `strings.Split`, each part built once, straight into the value it becomes.
fn go_split(orig: &str, sep: &str) -> Vec<Rc<str>> {
    if sep.is_empty() {
        return orig
            .chars()
            .map(|c| Rc::from(c.encode_utf8(&mut [0; 4]) as &str))
            .collect();
    }
    orig.split(sep).map(Rc::from).collect()
}

/// The numbers sprig's `untilStep` yields: `start`, `start + step`... while short of
/// `stop` (or above it, counting down). Their count is computed, not counted out, so it
/// is known before anything is built, and the arithmetic cannot overflow.
struct Steps {
    start: i128,
    step: i128,
    count: usize,
}

impl Steps {
    fn new(start: i128, stop: i128, step: i128) -> Steps {
        let count = if step > 0 && start < stop {
            (stop - start + step - 1) / step
        } else if step < 0 && start > stop {
            (start - stop - step - 1) / -step
        } else {
            0
        };
        Steps {
            start,
            step,
            count: usize::try_from(count).unwrap_or(usize::MAX),
        }
    }

    fn iter(&self) -> impl Iterator<Item = i64> + '_ {
        (0..self.count).map(|k| {
            let k = i128::try_from(k).unwrap_or(i128::MAX);
            i64::try_from(self.start + k * self.step).unwrap_or_default()
        })
    }

    /// The numbers as a Go `[]int`, checked before it is built.
    fn ints(&self, m: &Meter) -> Result<Value, String> {
        room_for(self.count, m)?;
        Ok(Value::typed_list(
            self.iter().map(Value::Int).collect(),
            Elem::Int,
        ))
    }
}

/// Sprig's `seq`, like the Unix command: the numbers joined by spaces.
fn seq(params: &[i64], m: &Meter) -> Result<String, String> {
    let p: Vec<i128> = params.iter().map(|&x| i128::from(x)).collect();
    let steps = match *p {
        [end] => {
            let inc = if end < 1 { -1 } else { 1 };
            Steps::new(1, end + inc, inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            Steps::new(start, end + step, step)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(String::new());
                }
            }
            Steps::new(start, end + inc, step)
        }
        _ => return Ok(String::new()),
    };
    m.items(steps.count)?;
    let mut out = String::new();
    for (i, x) in steps.iter().enumerate() {
        if i > 0 {
            printf::put(&mut out, " ", m)?;
        }
        printf::put(&mut out, &x.to_string(), m)?;
    }
    Ok(out)
}

/// Go's `strings.Split` as a `[]string`, its length checked before it is built.
fn split_list(orig: &str, sep: &str, m: &Meter) -> Result<Vec<Rc<str>>, String> {
    let count = if sep.is_empty() {
        orig.chars().count()
    } else {
        orig.matches(sep).count() + 1
    };
    room_for(count, m)?;
    m.room(
        count
            .saturating_mul(ALLOC + ITEM)
            .saturating_add(orig.len()),
    )?;
    Ok(go_split(orig, sep))
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "list",
        Func::variadic(&[], Any, |a| Ok(Value::list(a.to_vec()))),
    );
    add(
        set,
        "tuple",
        Func::variadic(&[], Any, |a| Ok(Value::list(a.to_vec()))),
    );
    let push = Func::metered(&[Any, Any], |a, m| {
        let l = as_list(&a[0], "push on")?;
        copied(l.iter().chain(std::iter::once(&a[1])), m)
    });
    both(set, "push", &push);
    both(set, "append", &push);
    both(
        set,
        "prepend",
        &Func::metered(&[Any, Any], |a, m| {
            let l = as_list(&a[0], "prepend on")?;
            copied(std::iter::once(&a[1]).chain(l.iter()), m)
        }),
    );
    both(
        set,
        "first",
        &Func::new(&[Any], |a| {
            Ok(as_list(&a[0], "find first on")?
                .first()
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    both(
        set,
        "last",
        &Func::new(&[Any], |a| {
            Ok(as_list(&a[0], "find last on")?
                .last()
                .cloned()
                .unwrap_or(Value::Nil))
        }),
    );
    both(
        set,
        "rest",
        &Func::metered(&[Any], |a, m| {
            let l = as_list(&a[0], "find rest on")?;
            copied(l.get(1..).unwrap_or_default().iter(), m)
        }),
    );
    both(
        set,
        "initial",
        &Func::metered(&[Any], |a, m| {
            let l = as_list(&a[0], "find initial on")?;
            copied(l[..l.len().saturating_sub(1)].iter(), m)
        }),
    );
    both(
        set,
        "reverse",
        &Func::metered(&[Any], |a, m| {
            let l = as_list(&a[0], "find reverse on")?;
            copied(l.iter().rev(), m)
        }),
    );
    both(
        set,
        "compact",
        &Func::metered(&[Any], |a, m| {
            let l = as_list(&a[0], "compact on")?;
            room_for(l.len(), m)?;
            Ok(Value::list(
                l.iter().filter(|v| !empty(v)).cloned().collect(),
            ))
        }),
    );
    both(
        set,
        "uniq",
        &Func::metered(&[Any], |a, m| {
            let l = as_list(&a[0], "find uniq on")?;
            room_for(l.len(), m)?;
            let mut out: Vec<Value> = Vec::new();
            for v in l.iter() {
                if !contains(&out, v, m)? {
                    out.push(v.clone());
                }
            }
            Ok(Value::list(out))
        }),
    );
    both(
        set,
        "without",
        &Func::metered_variadic(&[Any], Any, |a, m| {
            let l = as_list(&a[0], "find without on")?;
            room_for(l.len(), m)?;
            let omit = &a[1..];
            let mut out = Vec::new();
            for v in l.iter() {
                if !contains(omit, v, m)? {
                    out.push(v.clone());
                }
            }
            Ok(Value::list(out))
        }),
    );
    both(
        set,
        "has",
        &Func::metered(&[Any, Any], |a, m| {
            if a[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            let l = as_list(&a[1], "find has on")?;
            Ok(Value::Bool(contains(l, &a[0], m)?))
        }),
    );
    both(
        set,
        "slice",
        &Func::metered_variadic(&[Any], Any, |a, m| {
            let l = match &a[0] {
                Value::List(l) => l,
                Value::Nil => return Err(NIL_DEREF.into()),
                other => {
                    return Err(format!(
                        "list should be type of slice or array but {}",
                        kind_name(other)
                    ));
                }
            };
            if l.is_empty() {
                return Ok(Value::Nil);
            }
            let start = a.get(1).map_or(0, to_int64);
            let end = if a.len() < 3 {
                i64::try_from(l.len()).unwrap_or(0)
            } else {
                to_int64(&a[2])
            };
            let (Ok(s0), Ok(e0)) = (usize::try_from(start), usize::try_from(end)) else {
                return Err("reflect.Value.Slice: slice index out of bounds".into());
            };
            if s0 > e0 || e0 > l.len() {
                return Err("reflect.Value.Slice: slice index out of bounds".into());
            }
            room_for(e0 - s0, m)?;
            Ok(Value::typed_list(l[s0..e0].to_vec(), l.elem))
        }),
    );
    add(
        set,
        "concat",
        Func::metered_variadic(&[], Any, |a, m| {
            let mut total = 0usize;
            for l in a {
                match l {
                    Value::List(items) => total = total.saturating_add(items.len()),
                    Value::Nil => return Err(NIL_DEREF.into()),
                    other => {
                        return Err(format!("Cannot concat type {} as list", kind_name(other)));
                    }
                }
            }
            room_for(total, m)?;
            let mut out = Vec::with_capacity(total);
            for l in a {
                if let Value::List(items) = l {
                    out.extend(items.iter().cloned());
                }
            }
            Ok(Value::list(out))
        }),
    );
    add(
        set,
        "sortAlpha",
        Func::metered(&[Any], |a, m| {
            let mut v = match &a[0] {
                Value::List(_) => strslice(&a[0], m)?,
                other => vec![Rc::from(strval(other, m)?)],
            };
            // Sorting reads each string about log2(n) times.
            let read = v.iter().map(|s| s.len()).fold(0, usize::saturating_add);
            let rounds = usize::try_from(usize::BITS - v.len().leading_zeros()).unwrap_or(64);
            m.work(read.saturating_mul(rounds))?;
            v.sort();
            Ok(strings_value(v))
        }),
    );
    add(
        set,
        "until",
        Func::metered(&[Int], |a, m| {
            let c = i128::from(n(a, 0));
            Steps::new(0, c, if c < 0 { -1 } else { 1 }).ints(m)
        }),
    );
    add(
        set,
        "untilStep",
        Func::metered(&[Int, Int, Int], |a, m| {
            let arg = |i| i128::from(n(a, i));
            Steps::new(arg(0), arg(1), arg(2)).ints(m)
        }),
    );
    add(
        set,
        "seq",
        Func::metered_variadic(&[], Int, |a, m| {
            let p: Vec<i64> = a.iter().filter_map(Value::as_int).collect();
            Ok(Value::str(seq(&p, m)?))
        }),
    );
    add(
        set,
        "splitList",
        Func::metered(&[Str, Str], |a, m| {
            Ok(strings_value(split_list(s(a, 1), s(a, 0), m)?))
        }),
    );
    add(
        set,
        "split",
        Func::metered(&[Str, Str], |a, m| {
            let parts = split_list(s(a, 1), s(a, 0), m)?;
            Ok(indexed(parts))
        }),
    );
    add(
        set,
        "splitn",
        Func::metered(&[Str, Int, Str], |a, m| {
            let (sep, cnt, orig) = (s(a, 0), n(a, 1), s(a, 2));
            let parts: Vec<Rc<str>> = match cnt.cmp(&0) {
                std::cmp::Ordering::Equal => Vec::new(),
                std::cmp::Ordering::Less => split_list(orig, sep, m)?,
                std::cmp::Ordering::Greater => {
                    let cnt = usize::try_from(cnt).unwrap_or(1);
                    room_for(cnt.min(orig.len() + 1), m)?;
                    orig.splitn(cnt, sep).map(Rc::from).collect()
                }
            };
            Ok(indexed(parts))
        }),
    );
    add(
        set,
        "join",
        Func::metered(&[Str, Any], |a, m| {
            let parts = strslice(&a[1], m)?;
            let sep = s(a, 0);
            let text = parts.iter().map(|p| p.len()).fold(0, usize::saturating_add);
            let seps = sep.len().saturating_mul(parts.len().saturating_sub(1));
            m.text(text.saturating_add(seps))?;
            Ok(Value::str(parts.join(sep)))
        }),
    );
    add(
        set,
        "toStrings",
        Func::metered(&[Any], |a, m| Ok(strings_value(strslice(&a[0], m)?))),
    );
    both(
        set,
        "chunk",
        &Func::metered(&[Int, Any], |a, m| {
            let size = usize::try_from(n(a, 0)).unwrap_or(0).max(1);
            let l = as_list(&a[1], "chunk")?;
            let chunks = l.len().div_ceil(size);
            room_for(chunks, m)?;
            m.room(
                chunks
                    .saturating_mul(2 * ALLOC)
                    .saturating_add(l.len() * ITEM),
            )?;
            Ok(Value::typed_list(
                l.chunks(size).map(|c| Value::list(c.to_vec())).collect(),
                Elem::List,
            ))
        }),
    );
}

/// Sprig's `split` and `splitn` result: a map from `_0`, `_1`... to the parts.
fn indexed(parts: Vec<Rc<str>>) -> Value {
    let m: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), Value::Str(p)))
        .collect();
    Value::string_map(m)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Steps, seq};
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;

    #[test]
    fn seq_like_sprig() {
        let m = Meter::new(Limits::default());
        assert_eq!(seq(&[3], &m).unwrap(), "1 2 3");
        assert_eq!(seq(&[2, -2], &m).unwrap(), "2 1 0 -1 -2");
        assert_eq!(seq(&[0, 2, 6], &m).unwrap(), "0 2 4 6");
        assert!(seq(&[1, 999_999_999], &m).is_err());
    }

    #[test]
    fn steps_are_counted_without_overflow() {
        let count = |a: i128, b: i128, c: i128| Steps::new(a, b, c).count;
        assert_eq!(count(0, 10, 3), 4);
        assert_eq!(count(10, 0, -3), 4);
        assert_eq!(count(0, 10, -1), 0);
        assert_eq!(count(1, i128::from(i64::MAX), i128::from(i64::MAX)), 1);
        assert_eq!(count(0, 99_999_999_999, 1), 99_999_999_999);
    }
}
