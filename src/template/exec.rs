//! The executor: walks a parsed tree against data, following `text/template/exec.go`
//! step by step so that results and error messages (including which node an error
//! points at) match Go.
//!
//! Values are reference-counted, so ranging over a large list only clones `Rc`s.
//!
//! Every node, `range` iteration and function call is a step on the execution's
//! [`Meter`], nested templates and control bodies count against its depth, output
//! against its size, and the values the executor drops give their memory back (see
//! `meter.rs`).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::template::ast::{Arg, Branch, Command, Node, Number, Pipe, Tree, template_node_string};
use crate::template::builtins;
use crate::template::error::{Error, ExecError};
use crate::template::funcs::{FuncSet, Param};
use crate::template::html::HtmlState;
use crate::template::limits::Limits;
use crate::template::meter::{ENTRY, Meter};
use crate::template::printf;
use crate::template::semver::MethodResult;
use crate::template::value::{Elem, Value};

/// A value as Go's reflection sees it during evaluation. `iface` marks a value read out
/// of an `interface{}` slot (a map entry or list element) that has not yet been
/// unwrapped; `Nil` with `iface == false` is Go's zero `reflect.Value`, which is what a
/// missing map key yields. The distinction drives Go's `<no value>` vs `nil pointer
/// evaluating interface {}.X` behaviour.
#[derive(Debug, Clone)]
pub(crate) struct Rv {
    pub(crate) v: Value,
    pub(crate) iface: bool,
}

impl Rv {
    pub(super) fn concrete(v: Value) -> Rv {
        Rv { v, iface: false }
    }

    pub(super) fn invalid() -> Rv {
        Rv::concrete(Value::Nil)
    }

    pub(super) fn is_invalid(&self) -> bool {
        self.v.is_nil() && !self.iface
    }

    /// Go's "lovely!" step in `evalPipeline`: unwrap an `interface{}`.
    pub(super) fn dig(self) -> Rv {
        Rv::concrete(self.v)
    }

    pub(super) fn go_type(&self) -> &'static str {
        if self.iface {
            "interface {}"
        } else {
            self.v.type_name()
        }
    }
}

/// Units of work for each variable a lookup passes over (see `meter.rs`).
const VAR: usize = 16;

/// Where the executor currently is, for error messages (Go's `state.node`).
#[derive(Clone, Copy)]
pub(super) enum At<'a> {
    None,
    /// Text between actions, which only a limit can stop at.
    Text(usize, &'a str),
    Arg(&'a Arg),
    Pipe(&'a Pipe),
    Cmd(&'a Command),
    Template(&'a str, Option<&'a Pipe>, usize),
}

enum Flow {
    Normal,
    Break,
    Continue,
}

/// Which typed slot an argument is evaluated for.
#[derive(Clone, Copy)]
pub(super) enum Slot {
    /// A Go builtin's `reflect.Value` parameter: raw values pass through untouched.
    Raw,
    Typed(Param),
}

pub(crate) struct Exec<'a> {
    pub(crate) trees: &'a HashMap<String, Rc<Tree>>,
    pub(crate) funcs: &'a FuncSet,
    pub(crate) html: Option<HtmlState>,
    pub(crate) out: String,
    pub(super) tree: &'a Tree,
    pub(super) current_name: &'a str,
    pub(super) at: At<'a>,
    pub(super) vars: Vec<(Rc<str>, Rv)>,
    /// Nested template calls and control bodies (Go counts only the calls, up to
    /// 100000; both recurse on our native stack, so both count, up to the limit).
    pub(super) depth: usize,
    pub(crate) meter: Meter,
    /// The top-level data when its fields are all known: a missing one read is noted
    /// (and renders as a missing map key does).
    pub(super) strict_root: Option<super::value::Map>,
    /// The notes, one per place a missing field is read.
    pub(crate) missing: Vec<String>,
    /// The places noted, as template, offset and field: a loop reads the same place
    /// again and again, and a note takes the whole text before it to place.
    noted: HashSet<(String, usize, String)>,
}

pub(super) type R<T> = Result<T, Error>;

impl<'a> Exec<'a> {
    pub(crate) fn new(
        trees: &'a HashMap<String, Rc<Tree>>,
        funcs: &'a FuncSet,
        html: Option<HtmlState>,
        tree: &'a Tree,
        limits: Limits,
    ) -> Exec<'a> {
        Exec {
            trees,
            funcs,
            html,
            out: String::new(),
            tree,
            current_name: &tree.name,
            at: At::None,
            vars: Vec::new(),
            depth: 0,
            meter: Meter::new(limits),
            strict_root: None,
            missing: Vec::new(),
            noted: HashSet::new(),
        }
    }

    /// Runs the tree with `data` as both `.` and `$`.
    pub(crate) fn run(&mut self, data: &Value) -> R<()> {
        let dot = Rv::concrete(data.clone());
        self.vars.push((Rc::from("$"), dot.clone()));
        let tree = self.tree;
        if self.html.is_some() {
            self.check_escaping(tree)?;
        }
        self.walk_list(&dot, &tree.root)?;
        if let Some(h) = &self.html {
            h.check_end().map_err(|message| Error::Escape {
                location: tree.name.clone(),
                message,
            })?;
        }
        Ok(())
    }

    /// The byte offset of the node the executor is at.
    fn at_pos(&self) -> usize {
        match self.at {
            At::None => 0,
            At::Text(pos, _) | At::Template(_, _, pos) => pos,
            At::Arg(a) => a.pos(),
            At::Pipe(p) => p.pos,
            At::Cmd(c) => c.pos,
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> Error {
        let (pos, context) = match self.at {
            At::None => {
                return Error::Exec(Box::new(ExecError {
                    name: self.current_name.to_string(),
                    parse_name: self.tree.parse_name.clone(),
                    line: 0,
                    col: 0,
                    context: String::new(),
                    message: message.into(),
                    source: None,
                }));
            }
            At::Text(pos, text) => (pos, text_context(text)),
            At::Arg(a) => (a.pos(), a.go_string()),
            At::Pipe(p) => (p.pos, p.go_string()),
            At::Cmd(c) => (c.pos, c.go_string()),
            At::Template(name, pipe, pos) => (pos, template_node_string(name, pipe)),
        };
        let text = &self.tree.text;
        let before = &text[..pos.min(text.len())];
        let line = 1 + before.bytes().filter(|&b| b == b'\n').count();
        let col = before.rfind('\n').map_or(pos, |nl| pos - (nl + 1));
        Error::Exec(Box::new(ExecError {
            name: self.current_name.to_string(),
            parse_name: self.tree.parse_name.clone(),
            line,
            col,
            context,
            message: message.into(),
            source: Some(self.tree.text.clone()),
        }))
    }

    fn walk_list(&mut self, dot: &Rv, nodes: &'a [Node]) -> R<Flow> {
        for node in nodes {
            match self.walk(dot, node)? {
                Flow::Normal => {}
                other => return Ok(other),
            }
        }
        Ok(Flow::Normal)
    }

    /// Counts a step, failing at `at` once the steps run out.
    pub(super) fn tick(&mut self, at: At<'a>) -> R<()> {
        self.meter.step().map_err(|m| {
            self.at = at;
            self.error(m)
        })
    }

    /// Fails at `at` with the limit the meter says was hit, if any.
    pub(super) fn check_meter(&mut self, at: At<'a>) -> R<()> {
        match self.meter.exceeded() {
            Some(m) => {
                self.at = at;
                Err(self.error(m))
            }
            None => Ok(()),
        }
    }

    /// Enters a template call or control body, failing at `at` past the depth limit.
    fn enter(&mut self, at: At<'a>) -> R<()> {
        let max = self.meter.limits().depth;
        if self.depth >= max {
            self.at = at;
            return Err(self.error(format!("exceeded maximum template depth ({max})")));
        }
        self.depth += 1;
        Ok(())
    }

    /// Drops the variables declared since `mark`, giving back what they held.
    fn truncate_vars(&mut self, mark: usize) {
        for (_, v) in self.vars.drain(mark..) {
            self.meter.release(v.v);
        }
    }

    fn walk(&mut self, dot: &Rv, node: &'a Node) -> R<Flow> {
        match node {
            Node::Text { pos, text } => {
                let at = At::Text(*pos, text);
                self.tick(at)?;
                // Text is read through even where html mode drops it (in a comment).
                if let Err(m) = self.meter.scan(text.len()) {
                    self.at = at;
                    return Err(self.error(m));
                }
                match &mut self.html {
                    Some(h) => h
                        .text(text, &mut self.out)
                        .map_err(|message| Error::Escape {
                            location: self.current_name.to_string(),
                            message,
                        })?,
                    None => {
                        if let Err(m) = printf::put(&mut self.out, text, &self.meter) {
                            self.at = at;
                            return Err(self.error(m));
                        }
                    }
                }
                // Escaping can lengthen text a little past the limit; stop there.
                if let Err(m) = self.meter.text(self.out.len()) {
                    self.at = at;
                    return Err(self.error(m));
                }
                Ok(Flow::Normal)
            }
            Node::Action { pipe } => {
                self.tick(At::Pipe(pipe))?;
                let val = if self.html.is_some() && pipe.decl.is_empty() {
                    self.eval_html_action(dot, pipe)?
                } else {
                    self.eval_pipeline(dot, Some(pipe))?
                };
                if pipe.decl.is_empty() {
                    self.print(pipe, &val)?;
                }
                self.meter.release(val.v);
                Ok(Flow::Normal)
            }
            Node::If(b) => self.walk_if_or_with(false, dot, b),
            Node::With(b) => self.walk_if_or_with(true, dot, b),
            Node::Range(b) => self.walk_range(dot, b),
            Node::Template { pos, name, pipe } => {
                self.tick(At::Template(name, pipe.as_ref(), *pos))?;
                self.walk_template(dot, *pos, name, pipe.as_ref())?;
                Ok(Flow::Normal)
            }
            Node::Break => Ok(Flow::Break),
            Node::Continue => Ok(Flow::Continue),
        }
    }

    fn print(&mut self, pipe: &'a Pipe, val: &Rv) -> R<()> {
        if let Some(h) = &mut self.html {
            let last = pipe.cmds.last().and_then(|c| match c.args.first() {
                Some(Arg::Identifier { name, .. })
                    if matches!(&**name, "html" | "urlquery")
                        && !self.funcs.funcs.contains_key(&**name) =>
                {
                    Some(&**name)
                }
                _ => None,
            });
            let printed = h.value(&val.v, last, &mut self.out, &self.meter);
            self.check_meter(At::Pipe(pipe))?;
            return printed.map_err(|message| Error::Escape {
                location: self.current_name.to_string(),
                message,
            });
        }
        let printed = if val.is_invalid() {
            printf::put(&mut self.out, "<no value>", &self.meter)
        } else {
            printf::write_value(&val.v, &mut self.out, &self.meter)
        };
        printed.map_err(|m| {
            self.at = At::Pipe(pipe);
            self.error(m)
        })
    }

    fn walk_if_or_with(&mut self, with: bool, dot: &Rv, b: &'a Branch) -> R<Flow> {
        self.tick(At::Pipe(&b.pipe))?;
        let mark = self.vars.len();
        let val = self.eval_pipeline(dot, Some(&b.pipe))?;
        self.enter(At::Pipe(&b.pipe))?;
        let flow = if val.v.truthy() {
            if with {
                self.walk_list(&val, &b.list)?
            } else {
                self.walk_list(dot, &b.list)?
            }
        } else if let Some(else_list) = &b.else_list {
            self.walk_list(dot, else_list)?
        } else {
            Flow::Normal
        };
        self.depth -= 1;
        self.truncate_vars(mark);
        self.meter.release(val.v);
        Ok(flow)
    }

    fn walk_range(&mut self, dot: &Rv, b: &'a Branch) -> R<Flow> {
        let at = At::Pipe(&b.pipe);
        self.tick(at)?;
        let mark0 = self.vars.len();
        let val = self.eval_pipeline(dot, Some(&b.pipe))?;
        self.enter(at)?;
        let mark = self.vars.len();
        let ndecl = b.pipe.decl.len();
        let one = |this: &mut Self, index: Value, elem: Rv| -> R<bool> {
            this.tick(at)?;
            let n = this.vars.len();
            if ndecl > 0 {
                let old = std::mem::replace(&mut this.vars[n - 1].1, elem.clone());
                this.meter.release(old.v);
            }
            if ndecl > 1 {
                let old = std::mem::replace(&mut this.vars[n - 2].1, Rv::concrete(index));
                this.meter.release(old.v);
            }
            let flow = this.walk_list(&elem, &b.list);
            this.truncate_vars(mark);
            Ok(matches!(flow?, Flow::Break))
        };
        let mut iterated = false;
        match &val.v {
            Value::List(items) => {
                let items = items.clone();
                let iface = items.elem == Elem::Any;
                // A lazy list gives its items one at a time, and is never built whole here.
                for i in 0..items.count() {
                    let Some(item) = items.item(i) else { break };
                    iterated = true;
                    let idx = Value::Int(i64::try_from(i).unwrap_or(i64::MAX));
                    let elem = Rv { v: item, iface };
                    if one(self, idx, elem)? {
                        break;
                    }
                }
            }
            Value::Map(m) => {
                // Go ranges over a sorted copy of the keys; so do we, and it is held.
                let entries: Vec<(Rc<str>, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (Rc::from(k.as_str()), v.clone()))
                    .collect();
                let copied = entries.iter().map(|(k, _)| k.len() + ENTRY).sum();
                self.meter.hold_bytes(copied).map_err(|m| {
                    self.at = at;
                    self.error(m)
                })?;
                let iface = m.elem() == Elem::Any;
                for (k, item) in entries {
                    iterated = true;
                    let elem = Rv { v: item, iface };
                    if one(self, Value::Str(k), elem)? {
                        break;
                    }
                }
                self.meter.release_bytes(copied);
            }
            Value::Nil => {}
            other => {
                let shown = printf::to_string(other, &self.meter).map_err(|m| self.error(m))?;
                return Err(self.error(format!("range can't iterate over {shown}")));
            }
        }
        if !iterated && let Some(else_list) = &b.else_list {
            self.walk_list(dot, else_list)?;
        }
        self.depth -= 1;
        self.truncate_vars(mark0);
        self.meter.release(val.v);
        Ok(Flow::Normal)
    }

    fn walk_template(
        &mut self,
        dot: &Rv,
        pos: usize,
        name: &'a str,
        pipe: Option<&'a Pipe>,
    ) -> R<()> {
        self.at = At::Template(name, pipe, pos);
        let Some(tree) = self.trees.get(name) else {
            let q = printf::quote_go(name);
            return Err(self.error(format!("template {q} not defined")));
        };
        self.enter(At::Template(name, pipe, pos))?;
        let new_dot = self.eval_pipeline(dot, pipe)?;
        let tree: &'a Tree = tree;
        let saved_vars = std::mem::replace(&mut self.vars, vec![(Rc::from("$"), new_dot.clone())]);
        let saved_tree = std::mem::replace(&mut self.tree, tree);
        let saved_name = std::mem::replace(&mut self.current_name, &tree.name);
        let result = self.walk_list(&new_dot, &tree.root);
        self.depth -= 1;
        self.truncate_vars(0);
        self.vars = saved_vars;
        self.tree = saved_tree;
        self.current_name = saved_name;
        self.meter.release(new_dot.v);
        result.map(|_| ())
    }

    /// html/template rewrites a pipeline that ends in the predefined escapers `html`
    /// or `urlquery` before running it: `{{html a b}}` becomes `{{_eval_args_ a b |
    /// html}}` (nil prints as `<nil>`), and when the escaper is equivalent to the one
    /// the context needs, a trailing `| html x y` loses its arguments. Both change
    /// output, so they are reproduced here.
    fn eval_html_action(&mut self, dot: &Rv, pipe: &'a Pipe) -> R<Rv> {
        let Some(last) = pipe.cmds.last() else {
            return self.eval_pipeline(dot, Some(pipe));
        };
        let name = match last.args.first() {
            Some(Arg::Identifier { name, .. })
                if matches!(&**name, "html" | "urlquery")
                    && !self.funcs.funcs.contains_key(&**name) =>
            {
                &**name
            }
            _ => return self.eval_pipeline(dot, Some(pipe)),
        };
        let escape = |this: &mut Self, s: Result<String, String>| -> R<Rv> {
            let room = this.meter.limits().output;
            let escaped = s.and_then(|s| {
                let escaped = if name == "html" {
                    builtins::html_escape(&s, room)
                } else {
                    builtins::query_escape(&s, room)
                };
                escaped.ok_or_else(|| this.meter.too_long())
            });
            let v = Value::str(escaped.map_err(|m| this.error(m))?);
            this.meter.built(&v).map_err(|m| this.error(m))?;
            Ok(Rv::concrete(v))
        };
        if pipe.cmds.len() == 1 && last.args.len() > 1 {
            self.at = At::Pipe(pipe);
            let mut values = Vec::with_capacity(last.args.len() - 1);
            for a in &last.args[1..] {
                values.push(self.eval_arg(dot, Slot::Typed(Param::Any), a)?.v);
            }
            let printed = printf::sprint(&values, &self.meter);
            for v in values {
                self.meter.release(v);
            }
            return escape(self, printed);
        }
        let dup = self.html.is_some_and(|h| h.is_equivalent_escaper(name));
        if pipe.cmds.len() > 1 && dup {
            self.at = At::Pipe(pipe);
            let mut value: Option<Rv> = None;
            for cmd in &pipe.cmds[..pipe.cmds.len() - 1] {
                let v = self.eval_command(dot, cmd, value.take())?;
                value = Some(v.dig());
            }
            let fin = value.map_or(Value::Nil, |v| v.v);
            let printed = builtins::eval_args(std::slice::from_ref(&fin), &self.meter);
            self.meter.release(fin);
            return escape(self, printed);
        }
        self.eval_pipeline(dot, Some(pipe))
    }

    pub(super) fn eval_pipeline(&mut self, dot: &Rv, pipe: Option<&'a Pipe>) -> R<Rv> {
        let Some(pipe) = pipe else {
            return Ok(Rv::invalid());
        };
        self.at = At::Pipe(pipe);
        let mut value: Option<Rv> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, cmd, value.take())?;
            value = Some(v.dig());
        }
        let value = value.unwrap_or_else(Rv::invalid);
        for var in &pipe.decl {
            if pipe.is_assign {
                self.set_var(var, value.clone())?;
            } else {
                self.vars.push((var.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn set_var(&mut self, name: &str, value: Rv) -> R<()> {
        let slot = self.find_var(name)?;
        let old = std::mem::replace(&mut self.vars[slot].1, value);
        self.meter.release(old.v);
        Ok(())
    }

    fn var_value(&self, name: &str) -> R<Rv> {
        Ok(self.vars[self.find_var(name)?].1.clone())
    }

    /// The slot of the innermost variable called `name`. A template can declare
    /// thousands of variables, so looking past them is work.
    fn find_var(&self, name: &str) -> R<usize> {
        let Some(back) = self.vars.iter().rev().position(|(n, _)| &**n == name) else {
            return Err(self.error(format!("undefined variable: {name}")));
        };
        self.meter
            .work(back.saturating_mul(VAR))
            .map_err(|m| self.error(m))?;
        Ok(self.vars.len() - 1 - back)
    }

    fn not_a_function(&self, args: &[Arg], has_final: bool) -> R<()> {
        if args.len() > 1 || has_final {
            let a = args[0].go_string();
            return Err(self.error(format!("can't give argument to non-function {a}")));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Rv, cmd: &'a Command, fin: Option<Rv>) -> R<Rv> {
        let first = &cmd.args[0];
        match first {
            Arg::Field { idents, .. } => {
                self.at = At::Arg(first);
                let d = dot.clone();
                return self.eval_field_chain(dot, d, idents, &cmd.args, fin.is_some());
            }
            Arg::Chain { node, fields, .. } => {
                return self.eval_chain(dot, first, node, fields, &cmd.args, fin.is_some());
            }
            Arg::Identifier { name, .. } => {
                return self.eval_function(dot, first, name, At::Cmd(cmd), &cmd.args, fin);
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, fin.is_some())?;
                return self.eval_pipeline(dot, Some(p));
            }
            Arg::Variable { idents, .. } => {
                return self.eval_variable(dot, first, idents, &cmd.args, fin.is_some());
            }
            _ => {}
        }
        self.at = At::Arg(first);
        self.not_a_function(&cmd.args, fin.is_some())?;
        match first {
            Arg::Bool { val, .. } => Ok(Rv::concrete(Value::Bool(*val))),
            Arg::Dot { .. } => Ok(dot.clone()),
            Arg::Nil { .. } => Err(self.error("nil is not a command")),
            Arg::Number { num, .. } => self.ideal_constant(first, num),
            Arg::String { text, .. } => Ok(Rv::concrete(Value::Str(text.clone()))),
            _ => Err(self.error("can't evaluate command")),
        }
    }

    pub(super) fn ideal_constant(&mut self, node: &'a Arg, num: &Number) -> R<Rv> {
        self.at = At::Arg(node);
        let t = &num.text;
        let hex = t.len() > 2
            && t.starts_with('0')
            && (t.as_bytes()[1] | 0x20) == b'x'
            && !t.contains(['p', 'P']);
        if num.float.is_some() && !hex && !num.is_char && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Rv::concrete(Value::Float(num.float.unwrap_or(0.0))));
        }
        if let Some(i) = num.int {
            return Ok(Rv::concrete(Value::Int(i)));
        }
        if num.uint.is_some() {
            return Err(self.error(format!("{t} overflows int")));
        }
        Ok(Rv::invalid())
    }

    pub(super) fn eval_chain(
        &mut self,
        dot: &Rv,
        chain: &'a Arg,
        node: &'a Arg,
        fields: &'a [Rc<str>],
        args: &'a [Arg],
        has_final: bool,
    ) -> R<Rv> {
        self.at = At::Arg(chain);
        if let Arg::Nil { .. } = node {
            let s = chain.go_string();
            return Err(self.error(format!("indirection through explicit nil in {s}")));
        }
        // Go leaves the error location wherever evaluating the receiver put it.
        let recv = self.eval_arg(dot, Slot::Raw, node)?;
        let field = self.eval_field_chain(dot, recv.clone(), fields, args, has_final);
        self.meter.release(recv.v);
        field
    }

    pub(super) fn eval_variable(
        &mut self,
        dot: &Rv,
        node: &'a Arg,
        idents: &'a [Rc<str>],
        args: &'a [Arg],
        has_final: bool,
    ) -> R<Rv> {
        self.at = At::Arg(node);
        let value = self.var_value(&idents[0])?;
        if idents.len() == 1 {
            self.not_a_function(args, has_final)?;
            return Ok(value);
        }
        self.eval_field_chain(dot, value, &idents[1..], args, has_final)
    }

    pub(super) fn eval_field_chain(
        &mut self,
        _dot: &Rv,
        mut recv: Rv,
        idents: &[Rc<str>],
        args: &[Arg],
        has_final: bool,
    ) -> R<Rv> {
        let n = idents.len();
        for id in &idents[..n - 1] {
            recv = self.eval_field(id, false, &recv)?;
        }
        let has_args = args.len() > 1 || has_final;
        self.eval_field(&idents[n - 1], has_args, &recv)
    }

    /// Where and what, in the words of Go's error for a struct without that field.
    fn missing_note(&self, name: &str, m: &super::value::Map) -> String {
        let error = self.error(format!(
            "can't evaluate field {name} in the message context{}",
            missing_hint(name, m)
        ));
        error.to_string()
    }

    fn eval_field(&mut self, name: &str, has_args: bool, recv: &Rv) -> R<Rv> {
        self.meter.step().map_err(|m| self.error(m))?;
        if recv.is_invalid() {
            return Ok(Rv::invalid());
        }
        let typ = recv.go_type();
        match &recv.v {
            Value::Nil => Err(self.error(format!("nil pointer evaluating {typ}.{name}"))),
            Value::Map(m) => {
                if has_args {
                    return Err(self.error(format!("{name} is not a method but has arguments")));
                }
                let root = self.strict_root.as_ref().filter(|r| Rc::ptr_eq(r, m));
                Ok(match m.field(name) {
                    Some(v) => Rv {
                        v,
                        iface: m.elem() == Elem::Any,
                    },
                    None if root.is_some() => {
                        let place = (self.current_name.to_string(), self.at_pos(), name.into());
                        if self.noted.insert(place) {
                            let note = self.missing_note(name, m);
                            self.missing.push(note);
                        }
                        Rv::invalid()
                    }
                    None => Rv::invalid(),
                })
            }
            Value::Semver(v) => match v.method(name) {
                Some(_) if has_args => Err(self.error(format!(
                    "method {name} of {typ} with arguments is not supported"
                ))),
                Some(MethodResult::Uint(u)) => Ok(Rv::concrete(Value::Uint(u))),
                Some(MethodResult::Text(t)) => Ok(Rv::concrete(Value::str(t))),
                Some(MethodResult::Unsupported) => Err(self.error(format!(
                    "method {name} of {typ} is not supported; use .Major, .Minor, .Patch, \
                     .Prerelease, .Metadata, .Original or semverCompare"
                ))),
                None => Err(self.error(format!("can't evaluate field {name} in type {typ}"))),
            },
            _ => Err(self.error(format!("can't evaluate field {name} in type {typ}"))),
        }
    }
}

/// Go's `String()` of a text node is the text; a line of it is enough to find it.
fn text_context(text: &str) -> String {
    let line = text.trim_start().lines().next().unwrap_or("");
    match line.char_indices().nth(30) {
        Some((cut, _)) => format!("{}...", &line[..cut]),
        None => line.to_string(),
    }
}

/// The closest field of the context, or the list of them.
fn missing_hint(name: &str, m: &super::value::Map) -> String {
    let known: Vec<String> = m.borrow().keys().cloned().collect();
    let score = |k: &String| strsim::jaro_winkler(&k.to_lowercase(), &name.to_lowercase());
    let closest = known
        .iter()
        .filter(|k| score(k) > 0.85)
        .max_by(|a, b| score(a).total_cmp(&score(b)));
    match closest {
        Some(k) => format!(" (did you mean .{k}?)"),
        None => format!("; it has .{}", known.join(", .")),
    }
}
