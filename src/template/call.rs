//! Function calls and argument evaluation: Go's `evalFunction`, `evalCall`, `evalArg`
//! and `validateType`, which decide how each operand is converted for a parameter and
//! produce Go's "wrong type for value" family of errors.

use crate::template::ast::Arg;
use crate::template::builtins;
use crate::template::exec::{At, Exec, R, Rv, Slot};
use crate::template::funcs::{Func, Param};
use crate::template::printf;
use crate::template::value::Value;

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
        match (f.body)(&argv) {
            Ok(v) => Ok(Rv::concrete(v)),
            Err(m) => {
                self.at = call_node;
                Err(self.error(format!("error calling {name}: {m}")))
            }
        }
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
            let want = name == "or";
            let mut v = Rv::invalid();
            for a in args {
                v = self.eval_arg(dot, Slot::Raw, a)?;
                if v.v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(fv) = fin {
                v = fv;
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
        let plain = |argv: &[Rv]| -> Vec<Value> { argv.iter().map(|a| a.v.clone()).collect() };
        let eval_args = |argv: &[Rv]| -> String { builtins::eval_args(&plain(argv)) };
        let result: Result<Rv, String> = match name {
            "not" => Ok(Rv::concrete(Value::Bool(!argv[0].v.truthy()))),
            "len" => builtins::len(&argv[0]).map(Rv::concrete),
            "index" => builtins::index(&argv[0], &argv[1..]),
            "slice" => builtins::slice(&argv[0], &argv[1..]).map(Rv::concrete),
            "eq" => builtins::eq(&argv).map(|b| Rv::concrete(Value::Bool(b))),
            "ne" => builtins::eq(&argv).map(|b| Rv::concrete(Value::Bool(!b))),
            "lt" => builtins::lt(&argv[0], &argv[1]).map(|b| Rv::concrete(Value::Bool(b))),
            "le" => builtins::le(&argv[0], &argv[1]).map(|b| Rv::concrete(Value::Bool(b))),
            "gt" => builtins::le(&argv[0], &argv[1]).map(|b| Rv::concrete(Value::Bool(!b))),
            "ge" => builtins::lt(&argv[0], &argv[1]).map(|b| Rv::concrete(Value::Bool(!b))),
            "print" => Ok(Rv::concrete(Value::str(printf::sprint(&plain(&argv))))),
            "println" => Ok(Rv::concrete(Value::str(printf::sprintln(&plain(&argv))))),
            "printf" => {
                let all = plain(&argv);
                let fmt = all[0].as_str().unwrap_or("").to_string();
                Ok(Rv::concrete(Value::str(printf::sprintf(&fmt, &all[1..]))))
            }
            "html" => Ok(Rv::concrete(Value::str(builtins::html_escape(&eval_args(
                &argv,
            ))))),
            "js" => Ok(Rv::concrete(Value::str(builtins::js_escape(&eval_args(
                &argv,
            ))))),
            "urlquery" => Ok(Rv::concrete(Value::str(builtins::query_escape(
                &eval_args(&argv),
            )))),
            "call" => Err(if argv[0].v.is_nil() {
                "call of nil".to_string()
            } else {
                format!("non-function of type {}", argv[0].v.type_name())
            }),
            _ => Err(format!("unknown builtin {name}")),
        };
        result.map_err(|m| {
            self.at = call_node;
            self.error(format!("error calling {name}: {m}"))
        })
    }

    /// Go's `evalArg`: evaluates an operand for a parameter of a given type.
    pub(super) fn eval_arg(&mut self, dot: &Rv, slot: Slot, n: &'a Arg) -> R<Rv> {
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
            Param::Map => matches!(v.v, Value::Map(_)),
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
