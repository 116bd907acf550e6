//! Function registry.
//!
//! Go checks function arguments through reflection against each function's static
//! signature and reports mismatches with fixed messages ("wrong type for value; expected
//! string; got int"). A [`Func`] therefore declares its parameter types with [`Param`]
//! so the executor can coerce and reject arguments exactly like Go before the Rust body
//! runs; the body itself only sees well-typed [`Value`]s.
//!
//! Sprig's functions that can build or scan something large also get the execution's
//! [`Meter`], so that they check a size before allocating it.

use std::collections::HashMap;
use std::rc::Rc;

use crate::template::meter::Meter;
use crate::template::value::Value;

/// Sprig's key, certificate and password generators, refused like `env`.
const KEY_GENERATORS: [&str; 9] = [
    "genPrivateKey",
    "genCA",
    "genCAWithKey",
    "genSelfSignedCert",
    "genSelfSignedCertWithKey",
    "genSignedCert",
    "genSignedCertWithKey",
    "buildCustomCert",
    "derivePassword",
];

/// The Go type a function parameter is declared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`: anything, including nil.
    Any,
    /// `string` (note that `template.HTML` is a different type and is rejected).
    Str,
    /// `int`.
    Int,
    /// `float64`.
    Float,
    /// `bool`.
    Bool,
    /// `map[string]interface{}`.
    Map,
    /// `time.Time`.
    Time,
}

impl Param {
    /// Go's spelling of the type, used in error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Float => "float64",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
            Param::Time => "time.Time",
        }
    }
}

/// The body of a function: receives already type-checked arguments. An `Err` becomes
/// Go's `error calling NAME: MESSAGE`.
pub type FuncBody = dyn Fn(&[Value]) -> Result<Value, String>;

/// What the executor calls: a body that also sees the execution's [`Meter`].
pub(crate) type MeteredBody = dyn Fn(&[Value], &Meter) -> Result<Value, String>;

/// A template function with its Go signature.
#[derive(Clone)]
pub struct Func {
    pub(crate) params: Vec<Param>,
    pub(crate) variadic: Option<Param>,
    pub(crate) body: Rc<MeteredBody>,
}

impl std::fmt::Debug for Func {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Func")
            .field("params", &self.params)
            .field("variadic", &self.variadic)
            .finish_non_exhaustive()
    }
}

impl Func {
    /// A function with fixed parameters, like Go's `func(a string, n int) T`.
    pub fn new(
        params: &[Param],
        body: impl Fn(&[Value]) -> Result<Value, String> + 'static,
    ) -> Func {
        Func::metered(params, move |a, _| body(a))
    }

    /// A variadic function, like Go's `func(a string, rest ...interface{}) T`; the
    /// variadic arguments follow the fixed ones in the slice the body receives.
    pub fn variadic(
        params: &[Param],
        rest: Param,
        body: impl Fn(&[Value]) -> Result<Value, String> + 'static,
    ) -> Func {
        Func::metered_variadic(params, rest, move |a, _| body(a))
    }

    /// Like [`Func::new`], for a body that checks sizes with the execution's meter.
    pub(crate) fn metered(
        params: &[Param],
        body: impl Fn(&[Value], &Meter) -> Result<Value, String> + 'static,
    ) -> Func {
        Func {
            params: params.to_vec(),
            variadic: None,
            body: Rc::new(body),
        }
    }

    /// Like [`Func::variadic`], for a body that checks sizes with the execution's meter.
    pub(crate) fn metered_variadic(
        params: &[Param],
        rest: Param,
        body: impl Fn(&[Value], &Meter) -> Result<Value, String> + 'static,
    ) -> Func {
        Func {
            params: params.to_vec(),
            variadic: Some(rest),
            body: Rc::new(body),
        }
    }

    /// The parameter type of argument `i` (0-based), honouring the variadic tail.
    pub(crate) fn param(&self, i: usize) -> Param {
        self.params
            .get(i)
            .copied()
            .or(self.variadic)
            .unwrap_or(Param::Any)
    }
}

/// Functions a template may call, beyond Go's builtins (which are always present and
/// can be overridden, as sprig overrides `slice`).
#[derive(Clone, Default, Debug)]
pub struct FuncSet {
    pub(crate) funcs: HashMap<String, Func>,
    pub(crate) denied: HashMap<String, String>,
}

impl FuncSet {
    /// Only Go's builtins: what mercari/tfnotify v0 offered.
    pub fn new() -> FuncSet {
        FuncSet::default()
    }

    /// Go builtins plus sprig and tfcmt's helpers, with the real clock; this is what
    /// tfcmt and tfnotify v1 give templates.
    pub fn standard() -> FuncSet {
        FuncSet::standard_with_clock(
            &(Rc::new(crate::template::gotime::GoTime::now) as Rc<dyn Fn() -> _>),
        )
    }

    /// Like [`FuncSet::standard`] but `now`/`ago` read `clock`, so tests are
    /// deterministic.
    pub fn standard_with_clock(clock: &Rc<dyn Fn() -> crate::template::gotime::GoTime>) -> FuncSet {
        let mut set = FuncSet::new();
        crate::template::sprig::register(&mut set, clock);
        crate::template::tfcmt::register(&mut set);
        for name in ["env", "expandenv", "getHostByName"] {
            set.deny(
                name,
                "it can leak secrets or reach the network, so `tfnotify` does not provide it",
            );
        }
        for name in KEY_GENERATORS {
            set.deny(
                name,
                "it makes private keys or passwords, and whatever a template renders ends up \
                 in a review comment, so `tfnotify` does not provide it",
            );
        }
        set
    }

    /// Adds or replaces a function.
    pub fn insert(&mut self, name: impl Into<String>, func: Func) -> &mut Self {
        let name = name.into();
        self.denied.remove(&name);
        self.funcs.insert(name, func);
        self
    }

    /// Makes `name` a parse error with a clear reason instead of Go's generic
    /// "function not defined", for functions we refuse on purpose.
    pub fn deny(&mut self, name: impl Into<String>, reason: impl Into<String>) -> &mut Self {
        let name = name.into();
        self.funcs.remove(&name);
        self.denied.insert(name, reason.into());
        self
    }

    /// The registered function names (builtins excluded), for listings and docs.
    pub fn names(&self) -> Vec<&str> {
        self.funcs.keys().map(String::as_str).collect()
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    /// Whether `name` resolves to a function (ours or a Go builtin).
    pub(crate) fn has(&self, name: &str) -> bool {
        self.funcs.contains_key(name) || crate::template::builtins::is_builtin(name)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Func, FuncSet, Param};
    use crate::template::{Mode, Template, Value};

    #[test]
    fn callers_can_add_functions() {
        let mut funcs = FuncSet::new();
        funcs.insert(
            "shout",
            Func::new(&[Param::Str], |a| {
                Ok(Value::str(format!("{}!", a[0].as_str().unwrap_or(""))))
            }),
        );
        let t = Template::parse("t", "{{shout .}} {{shout 1}}", Mode::Text, &funcs);
        let err = t.unwrap().execute(&serde_json::json!("hi")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template: t:1:20: executing \"t\" at <1>: expected string; found 1"
        );
        let t = Template::parse("t", "{{shout .}}", Mode::Text, &funcs).unwrap();
        assert_eq!(t.execute(&serde_json::json!("hi")).unwrap(), "hi!");
    }

    #[test]
    fn function_errors_are_wrapped_like_go() {
        let mut funcs = FuncSet::new();
        funcs.insert("boom", Func::new(&[], |_| Err("kaput".into())));
        let t = Template::parse("t", "a\n {{boom}}", Mode::Text, &funcs).unwrap();
        let err = t.execute(&serde_json::Value::Null).unwrap_err();
        assert_eq!(
            err.to_string(),
            "template: t:2:3: executing \"t\" at <boom>: error calling boom: kaput"
        );
        assert_eq!(
            err.excerpt(),
            "template: t:2:3: executing \"t\" at <boom>: error calling boom: kaput\n  |\n2 |  {{boom}}\n  |    ^"
        );
    }
}
