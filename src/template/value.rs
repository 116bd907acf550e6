//! The value model templates compute with.
//!
//! Go templates run on `interface{}` values inspected through reflection; we model the
//! handful of dynamic types that JSON data and our functions can produce. Containers sit
//! behind `Rc` so that walking a 50,000-element list, binding `$v` or passing a map to a
//! function never copies the data. Maps use `RefCell` because sprig's `set`/`unset`
//! mutate their argument in place and templates rely on that (`{{$_ := set $d "k" 1}}`).
//!
//! A template can nest values a million deep (`{{$l = list $l}}` in a loop), so lists
//! and maps take their contents apart one by one when dropped: Rust's own drop would
//! recurse once per level and overflow the stack.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::rc::Rc;

use crate::template::gotime::GoTime;
use crate::template::semver::SemVer;

/// The element type of a Go slice value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Elem {
    /// `interface{}`: elements are interface slots (JSON arrays, `list`).
    #[default]
    Any,
    /// `string` (`splitList`, `toStrings`, `sortAlpha`, `keys`, regex results).
    Str,
    /// `int` (`until`, `untilStep`).
    Int,
    /// `[]interface{}` (`chunk`'s `[][]interface{}`).
    List,
}

/// The items of a list made on demand, for data the engine does not own: a report of
/// 50,000 resources becomes a list without a copy of each, and a template that prints only
/// `.Result` costs nothing per resource. The engine asks for the length and one item at a
/// time where it can (`range`, `len`, `index`, a field), and builds the whole list only
/// when a function needs it.
pub trait LazyList: Debug {
    /// How many items the list has.
    fn len(&self) -> usize;
    /// Whether the list has no items.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The item at `index` (below [`LazyList::len`]), made anew on every call.
    fn item(&self, index: usize) -> Value;
}

/// The entries of a map made on demand (see [`LazyList`]): a field read asks for one
/// entry, and the whole map is built only when a function needs it.
pub trait LazyMap: Debug {
    /// The value at `key`, `None` when the map has no such key.
    fn get(&self, key: &str) -> Option<Value>;
    /// Every entry.
    fn entries(&self) -> BTreeMap<String, Value>;
}

/// A slice's elements plus its Go element type; derefs to the elements. The elements of a
/// list made from a [`LazyList`] are built the first time anyone derefs it.
#[derive(Debug, Default)]
pub struct List {
    /// The elements, shared by every copy of the value.
    items: OnceCell<Vec<Value>>,
    /// Where the elements come from until they are built.
    lazy: Option<Rc<dyn LazyList>>,
    /// The Go element type.
    pub elem: Elem,
}

impl List {
    /// How many elements the list has, without building a lazy one.
    pub fn count(&self) -> usize {
        match (self.items.get(), &self.lazy) {
            (None, Some(lazy)) => lazy.len(),
            (items, _) => items.map_or(0, Vec::len),
        }
    }

    /// The element at `index`, without building a lazy list.
    pub fn item(&self, index: usize) -> Option<Value> {
        match (self.items.get(), &self.lazy) {
            (None, Some(lazy)) => (index < lazy.len()).then(|| lazy.item(index)),
            (items, _) => items.and_then(|items| items.get(index)).cloned(),
        }
    }

    /// The source of a lazy list that nobody has built yet.
    pub fn lazy(&self) -> Option<&Rc<dyn LazyList>> {
        self.lazy.as_ref().filter(|_| self.items.get().is_none())
    }

    /// The slots the built elements take, for the memory meter: none before they are built.
    pub(crate) fn capacity(&self) -> usize {
        self.items.get().map_or(0, Vec::capacity)
    }
}

impl std::ops::Deref for List {
    type Target = Vec<Value>;

    fn deref(&self) -> &Vec<Value> {
        self.items.get_or_init(|| match &self.lazy {
            Some(lazy) => (0..lazy.len()).map(|i| lazy.item(i)).collect(),
            None => Vec::new(),
        })
    }
}

impl Drop for List {
    fn drop(&mut self) {
        drop_flat(self.items.take().unwrap_or_default());
    }
}

/// A shared, mutable string-keyed map (Go's `map[string]interface{}`).
pub type Map = Rc<Entries>;

/// A map's entries, behind the `RefCell` that lets `set` change them in place, plus
/// the Go element type (`interface{}`, or `string` for `split`'s `map[string]string`,
/// which sprig's dict functions refuse); derefs to that cell. A map made from a
/// [`LazyMap`] fills the cell the first time anyone derefs it.
#[derive(Debug, Default)]
pub struct Entries(
    RefCell<BTreeMap<String, Value>>,
    Elem,
    RefCell<Option<Rc<dyn LazyMap>>>,
);

impl Entries {
    /// The Go element type: [`Elem::Any`] or [`Elem::Str`].
    pub fn elem(&self) -> Elem {
        self.1
    }

    /// The value at `key` (a field read, `get`, `hasKey`), without building a lazy map.
    pub fn field(&self, key: &str) -> Option<Value> {
        if let Some(lazy) = self.2.borrow().as_ref() {
            return lazy.get(key);
        }
        self.0.borrow().get(key).cloned()
    }

    /// Whether the entries are still to be made, for the memory meter.
    pub(crate) fn is_pending(&self) -> bool {
        self.2.borrow().is_some()
    }
}

impl std::ops::Deref for Entries {
    type Target = RefCell<BTreeMap<String, Value>>;

    fn deref(&self) -> &Self::Target {
        let pending = self.2.borrow_mut().take();
        if let Some(lazy) = pending {
            *self.0.borrow_mut() = lazy.entries();
        }
        &self.0
    }
}

impl Drop for Entries {
    fn drop(&mut self) {
        drop_flat(std::mem::take(self.0.get_mut()).into_values());
    }
}

/// Drops `values` with a work list instead of recursion: a container nobody else holds
/// is emptied onto the list before it goes, so it has nothing left to drop itself.
pub(crate) fn drop_flat(values: impl IntoIterator<Item = Value>) {
    let is_container = |v: &Value| matches!(v, Value::List(_) | Value::Map(_));
    let mut work: Vec<Value> = values.into_iter().filter(is_container).collect();
    while let Some(v) = work.pop() {
        match v {
            Value::List(mut l) => {
                if let Some(list) = Rc::get_mut(&mut l) {
                    let items = list.items.take().unwrap_or_default();
                    work.extend(items.into_iter().filter(is_container));
                }
            }
            Value::Map(mut m) => {
                if let Some(entries) = Rc::get_mut(&mut m) {
                    let taken = std::mem::take(entries.0.get_mut());
                    work.extend(taken.into_values().filter(is_container));
                }
            }
            _ => {}
        }
    }
}

/// A dynamically typed template value.
#[derive(Debug, Clone, Default)]
pub enum Value {
    /// Go's `nil`, a missing map entry, or JSON `null`.
    #[default]
    Nil,
    /// `bool`.
    Bool(bool),
    /// Go `int`: JSON integers and builtin results such as `len`.
    Int(i64),
    /// Go `int64`: what sprig's integer math returns (only the type name differs).
    Int64(i64),
    /// Go `uint64`: JSON integers above `i64::MAX`.
    Uint(u64),
    /// Go `float64`.
    Float(f64),
    /// Go `string`.
    Str(Rc<str>),
    /// html/template's `template.HTML`: trusted markup that html mode never escapes.
    Html(Rc<str>),
    /// A Go slice: `[]interface{}`, or the `[]string`/`[]int` some sprig functions
    /// return (the element type shows in error messages and decides whether elements
    /// are `interface{}` slots).
    List(Rc<List>),
    /// Go `map[string]interface{}`; iteration is in sorted key order, like Go's printer.
    Map(Map),
    /// Go `time.Time`, produced by the date functions.
    Time(Rc<GoTime>),
    /// Masterminds' `*semver.Version`, produced by sprig's `semver`.
    Semver(Rc<SemVer>),
}

impl Value {
    /// Builds a string value; used everywhere functions return text.
    pub fn str(s: impl Into<Rc<str>>) -> Value {
        Value::Str(s.into())
    }

    /// Builds a `[]interface{}` value from owned elements.
    pub fn list(items: Vec<Value>) -> Value {
        Value::typed_list(items, Elem::Any)
    }

    /// Builds a slice whose Go element type is `elem` (`[]string` from `splitList`...).
    pub fn typed_list(items: Vec<Value>, elem: Elem) -> Value {
        Value::List(Rc::new(List {
            items: OnceCell::from(items),
            lazy: None,
            elem,
        }))
    }

    /// A `[]interface{}` whose items `source` makes when they are needed.
    pub fn lazy_list(source: Rc<dyn LazyList>) -> Value {
        Value::List(Rc::new(List {
            items: OnceCell::new(),
            lazy: Some(source),
            elem: Elem::Any,
        }))
    }

    /// A `map[string]interface{}` whose entries `source` makes when they are needed.
    pub fn lazy_map(source: Rc<dyn LazyMap>) -> Value {
        Value::Map(Rc::new(Entries(
            RefCell::default(),
            Elem::Any,
            RefCell::new(Some(source)),
        )))
    }

    /// Builds a map value from owned entries.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(Entries(
            RefCell::new(entries),
            Elem::Any,
            RefCell::default(),
        )))
    }

    /// Builds a `map[string]string` (`split`, `splitn`) from string entries.
    pub fn string_map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(Entries(
            RefCell::new(entries),
            Elem::Str,
            RefCell::default(),
        )))
    }

    /// Go's type name, used verbatim in error messages and `printf "%T"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::Html(_) => "template.HTML",
            Value::List(l) => match l.elem {
                Elem::Any => "[]interface {}",
                Elem::Str => "[]string",
                Elem::Int => "[]int",
                Elem::List => "[][]interface {}",
            },
            Value::Map(m) if m.elem() == Elem::Str => "map[string]string",
            Value::Map(_) => "map[string]interface {}",
            Value::Time(_) => "time.Time",
            Value::Semver(_) => "*semver.Version",
        }
    }

    /// Go's truthiness (`if`, `with`, `and`, `or`, `not`): zero values are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) | Value::Html(s) => !s.is_empty(),
            Value::List(l) => l.count() > 0,
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Time(_) | Value::Semver(_) => true,
        }
    }

    /// The string inside a string-kinded value (`string` or `template.HTML`).
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Html(s) => Some(s),
            _ => None,
        }
    }

    /// The value as a signed integer when it is integer-kinded.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            #[allow(clippy::cast_possible_wrap)]
            Value::Uint(u) => Some(*u as i64),
            _ => None,
        }
    }

    /// Whether the value is integer-kinded (Go's `int*`/`uint*` kinds).
    pub fn is_integer(&self) -> bool {
        matches!(self, Value::Int(_) | Value::Int64(_) | Value::Uint(_))
    }

    /// Whether the value is Go's `nil`.
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }
}

impl From<&serde_json::Value> for Value {
    /// Converts JSON data the way the Go oracle decodes it: integers become `int`
    /// (or `uint64` when too large), other numbers `float64`.
    fn from(v: &serde_json::Value) -> Self {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::Int(i)
                } else if let Some(u) = n.as_u64() {
                    Value::Uint(u)
                } else {
                    Value::Float(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::str(s.as_str()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from).collect()),
            serde_json::Value::Object(o) => {
                Value::map(o.iter().map(|(k, v)| (k.clone(), Value::from(v))).collect())
            }
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(v: serde_json::Value) -> Self {
        Value::from(&v)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::str(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::Value;

    #[test]
    fn json_numbers_keep_their_kind() {
        let v = Value::from(serde_json::json!([1, 1.5, 18_446_744_073_709_551_615u64]));
        let Value::List(items) = v else { panic!() };
        assert_eq!(items[0].type_name(), "int");
        assert_eq!(items[1].type_name(), "float64");
        assert_eq!(items[2].type_name(), "uint64");
    }

    #[test]
    fn deeply_nested_values_drop_without_recursing() {
        let mut list = Value::list(Vec::new());
        let mut map = Value::map(std::collections::BTreeMap::new());
        for _ in 0..200_000 {
            list = Value::list(vec![list]);
            map = Value::map([("k".to_string(), map)].into());
        }
        drop(Value::list(vec![list, map]));
    }

    #[test]
    fn truthiness_follows_go() {
        assert!(!Value::str("").truthy());
        assert!(!Value::Int(0).truthy());
        assert!(Value::list(vec![Value::Nil]).truthy());
    }
}
