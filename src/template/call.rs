//! Function calls and argument evaluation: Go's `evalFunction`, `evalCall`, `evalArg`
//! and `validateType`, which decide how each operand is converted for a parameter and
//! produce Go's "wrong type for value" family of errors.
//!
//! Every call is a step; reading its `string` arguments and building its result count
//! as work, and the result is checked against the size limits and charged to the meter
//! before the arguments are given back.

use crate::template::ast::Arg;
use crate::template::builtins;
use crate::template::exec::{At, Exec, R, Rv, Slot};
use crate::template::funcs::{Func, Param};
use crate::template::printf;
use crate::template::value::{Elem, Value};

impl<'a> Exec<'a> {
    pub(super) fn eval_function(
        &mut self,
        dot: &Rv,
        ident: &'a Arg,
        name: &'a str,
        call_node: At<'a>,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        self.at = At::Arg(ident);
        let args = if args.is_empty() { args } else { &args[1..] };
        if let Some(f) = self.funcs.get(name) {
            return self.call_func(dot, f, name, call_node, args, fin);
        }
        if builtins::is_builtin(name) {
            return self.call_builtin(dot, name, call_node, args, fin);
        }
        let q = printf::quote_go(name);
        Err(self.error(format!("{q} is not a defined function")))
    }

    fn arity(
        &self,
        name: &str,
        fixed: usize,
        variadic: bool,
        nargs: usize,
        num_in: usize,
    ) -> R<()> {
        if variadic {
            if num_in < fixed {
                return Err(self.error(format!(
                    "wrong number of args for {name}: want at least {fixed} got {nargs}"
                )));
            }
        } else if num_in != fixed {
            return Err(self.error(format!(
                "wrong number of args for {name}: want {fixed} got {num_in}"
            )));
        }
        Ok(())
    }

    fn call_func(
        &mut self,
        dot: &Rv,
        f: &Func,
        name: &str,
        call_node: At<'a>,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        let num_in = args.len() + usize::from(fin.is_some());
        self.arity(
            name,
            f.params.len(),
            f.variadic.is_some(),
            args.len(),
            num_in,
        )?;
        let mut argv = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let v = self.eval_arg(dot, Slot::Typed(f.param(i)), a)?;
            argv.push(v.v);
        }
        if let Some(fv) = fin {
            let v = self.validate(fv, Slot::Typed(f.param(num_in - 1)))?;
            argv.push(v.v);
        }
        self.tick(call_node)?;
        // A function reads its `string` arguments through, at least once; one that
        // takes `interface{}` (`list`, `dict`, `default`) passes them on unread.
        let read = argv
            .iter()
            .enumerate()
            .filter(|(i, _)| f.param(*i) == Param::Str)
            .filter_map(|(_, a)| a.as_str())
            .map(str::len)
            .sum();
        if let Err(m) = self.meter.scan(read) {
            self.at = call_node;
            return Err(self.error(m));
        }
        let result = (f.body)(&argv, &self.meter);
        let v = self.finish_call(name, call_node, result)?;
        for a in argv {
            self.meter.release(a);
        }
        Ok(Rv::concrete(v))
    }

    /// Turns what a function returned into its value, or into Go's `error calling`
    /// message; a limit hit during the call wins over both, even if the function
    /// swallowed it.
    fn finish_call(
        &mut self,
        name: &str,
        call_node: At<'a>,
        result: Result<Value, String>,
    ) -> R<Value> {
        self.check_meter(call_node)?;
        let v = result.map_err(|m| {
            self.at = call_node;
            self.error(format!("error calling {name}: {m}"))
        })?;
        self.meter.built(&v).map_err(|m| {
            self.at = call_node;
            self.error(m)
        })?;
        Ok(v)
    }

    fn call_builtin(
        &mut self,
        dot: &Rv,
        name: &str,
        call_node: At<'a>,
        args: &'a [Arg],
        fin: Option<Rv>,
    ) -> R<Rv> {
        let num_in = args.len() + usize::from(fin.is_some());
        let (fixed, variadic, slot) = match name {
            "and" | "or" | "index" | "slice" | "eq" | "call" => (1, true, Slot::Raw),
            "not" | "len" => (1, false, Slot::Raw),
            "ne" | "lt" | "le" | "gt" | "ge" => (2, false, Slot::Raw),
            "printf" => (1, true, Slot::Typed(Param::Any)),
            _ => (0, true, Slot::Typed(Param::Any)),
        };
        self.arity(name, fixed, variadic, args.len(), num_in)?;
        if name == "and" || name == "or" {
            self.tick(call_node)?;
            let want = name == "or";
            let mut v = Rv::invalid();
            for a in args {
                let passed = std::mem::replace(&mut v, self.eval_arg(dot, Slot::Raw, a)?);
                self.meter.release(passed.v);
                if v.v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(fv) = fin {
                let passed = std::mem::replace(&mut v, fv);
                self.meter.release(passed.v);
            }
            return Ok(v);
        }
        let mut argv: Vec<Rv> = Vec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            let s = if name == "printf" && i == 0 {
                Slot::Typed(Param::Str)
            } else {
                slot
            };
            argv.push(self.eval_arg(dot, s, a)?);
        }
        if let Some(fv) = fin {
            let s = if name == "printf" && num_in == 1 {
                Slot::Typed(Param::Str)
            } else {
                slot
            };
            argv.push(self.validate(fv, s)?);
        }
        self.tick(call_node)?;
        if matches!(name, "eq" | "ne" | "lt" | "le" | "gt" | "ge") {
            // Comparing strings reads them.
            let read = argv.iter().filter_map(|a| a.v.as_str()).map(str::len).sum();
            if let Err(m) = self.meter.scan(read) {
                self.at = call_node;
                return Err(self.error(m));
            }
        }
        let m = &self.meter;
        let room = m.limits().output;
        let plain = |argv: &[Rv]| -> Vec<Value> { argv.iter().map(|a| a.v.clone()).collect() };
        let escaped = |argv: &[Rv], escape: fn(&str, usize) -> Option<String>| {
            let s = builtins::eval_args(&plain(argv), m)?;
            let escaped = escape(&s, room).ok_or_else(|| m.too_long())?;
            Ok(Rv::concrete(Value::str(escaped)))
        };
        let result: Result<Rv, String> = match name {
            "not" => Ok(Rv::concrete(Value::Bool(!argv[0].v.truthy()))),
            "len" => builtins::len(&argv[0]).map(Rv::concrete),
            "index" => builtins::index(&argv[0], &argv[1..]),
            "slice" => builtins::slice(&argv[0], &argv[1..]).map(Rv::concrete),
            "eq" => builtins::eq(&argv, m).map(|b| Rv::concrete(Value::Bool(b))),
            "ne" => builtins::eq(&argv, m).map(|b| Rv::concrete(Value::Bool(!b))),
            "lt" => builtins::lt(&argv[0], &argv[1]).map(|b| Rv::concrete(Value::Bool(b))),
            "le" => builtins::le(&argv[0], &argv[1], m).map(|b| Rv::concrete(Value::Bool(b))),
            "gt" => builtins::le(&argv[0], &argv[1], m).map(|b| Rv::concrete(Value::Bool(!b))),
            "ge" => builtins::lt(&argv[0], &argv[1]).map(|b| Rv::concrete(Value::Bool(!b))),
            "print" => printf::sprint(&plain(&argv), m).map(|s| Rv::concrete(Value::str(s))),
            "println" => printf::sprintln(&plain(&argv), m).map(|s| Rv::concrete(Value::str(s))),
            "printf" => {
                let all = plain(&argv);
                let fmt = all[0].as_str().unwrap_or("");
                printf::sprintf(fmt, &all[1..], m).map(|s| Rv::concrete(Value::str(s)))
            }
            "html" => escaped(&argv, builtins::html_escape),
            "js" => escaped(&argv, builtins::js_escape),
            "urlquery" => escaped(&argv, builtins::query_escape),
            "call" => Err(if argv[0].v.is_nil() {
                "call of nil".to_string()
            } else {
                format!("non-function of type {}", argv[0].v.type_name())
            }),
            _ => Err(format!("unknown builtin {name}")),
        };
        let (result, iface) = match result {
            Ok(rv) => (Ok(rv.v), rv.iface),
            Err(m) => (Err(m), false),
        };
        let v = self.finish_call(name, call_node, result)?;
        for a in argv {
            self.meter.release(a.v);
        }
        Ok(Rv { v, iface })
    }

    /// Go's `evalArg`: evaluates an operand for a parameter of a given type.
    pub(super) fn eval_arg(&mut self, dot: &Rv, slot: Slot, n: &'a Arg) -> R<Rv> {
        self.tick(At::Arg(n))?;
        self.at = At::Arg(n);
        match n {
            Arg::Dot { .. } => return self.validate(dot.clone(), slot),
            Arg::Nil { .. } => {
                return match slot {
                    Slot::Raw | Slot::Typed(Param::Any | Param::Map) => Ok(Rv::invalid()),
                    Slot::Typed(p) => {
                        Err(self.error(format!("cannot assign nil to {}", p.go_name())))
                    }
                };
            }
            Arg::Field { idents, .. } => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    idents,
                    std::slice::from_ref(n),
                    false,
                )?;
                return self.validate(v, slot);
            }
            Arg::Variable { idents, .. } => {
                let v = self.eval_variable(dot, n, idents, &[], false)?;
                return self.validate(v, slot);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, Some(p))?;
                return self.validate(v, slot);
            }
            Arg::Identifier { name, .. } => {
                let v = self.eval_function(dot, n, name, At::Arg(n), &[], None)?;
                return self.validate(v, slot);
            }
            Arg::Chain { node, fields, .. } => {
                let v = self.eval_chain(dot, n, node, fields, &[], false)?;
                return self.validate(v, slot);
            }
            _ => {}
        }
        let found = n.go_string();
        match slot {
            Slot::Raw | Slot::Typed(Param::Any) => match n {
                Arg::Bool { val, .. } => Ok(Rv::concrete(Value::Bool(*val))),
                Arg::Number { num, .. } => self.ideal_constant(n, num),
                Arg::String { text, .. } => Ok(Rv::concrete(Value::Str(text.clone()))),
                _ => Err(self.error(format!(
                    "can't handle assignment of {found} to empty interface argument"
                ))),
            },
            Slot::Typed(Param::Bool) => match n {
                Arg::Bool { val, .. } => Ok(Rv::concrete(Value::Bool(*val))),
                _ => Err(self.error(format!("expected bool; found {found}"))),
            },
            Slot::Typed(Param::Str) => match n {
                Arg::String { text, .. } => Ok(Rv::concrete(Value::Str(text.clone()))),
                _ => Err(self.error(format!("expected string; found {found}"))),
            },
            Slot::Typed(Param::Int) => match n {
                Arg::Number { num, .. } if num.int.is_some() => {
                    Ok(Rv::concrete(Value::Int(num.int.unwrap_or(0))))
                }
                _ => Err(self.error(format!("expected integer; found {found}"))),
            },
            Slot::Typed(Param::Float) => match n {
                Arg::Number { num, .. } if num.float.is_some() => {
                    Ok(Rv::concrete(Value::Float(num.float.unwrap_or(0.0))))
                }
                _ => Err(self.error(format!("expected float; found {found}"))),
            },
            Slot::Typed(p) => Err(self.error(format!(
                "can't handle {found} for arg of type {}",
                p.go_name()
            ))),
        }
    }

    /// Go's `validateType`.
    fn validate(&self, v: Rv, slot: Slot) -> R<Rv> {
        let Slot::Typed(p) = slot else {
            return Ok(v);
        };
        if v.is_invalid() {
            return match p {
                Param::Any | Param::Map => Ok(Rv::invalid()),
                _ => Err(self.error(format!("invalid value; expected {}", p.go_name()))),
            };
        }
        let ok = match p {
            Param::Any => true,
            Param::Str => matches!(v.v, Value::Str(_)),
            Param::Int => matches!(v.v, Value::Int(_)),
            Param::Float => matches!(v.v, Value::Float(_)),
            Param::Bool => matches!(v.v, Value::Bool(_)),
            Param::Map => matches!(&v.v, Value::Map(m) if m.elem() == Elem::Any),
            Param::Time => matches!(v.v, Value::Time(_)),
        };
        if ok {
            return Ok(v.dig());
        }
        let got = if v.v.is_nil() {
            "interface {}"
        } else {
            v.v.type_name()
        };
        Err(self.error(format!(
            "wrong type for value; expected {}; got {got}",
            p.go_name()
        )))
    }
}
