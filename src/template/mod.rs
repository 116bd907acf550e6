//! A Go `text/template` / `html/template` engine that renders what Go renders.
//!
//! tfnotify and tfcmt users have years of templates written for Go's engine with
//! sprig; this module lets them keep those templates byte for byte. It knows nothing
//! about Terraform: callers hand it template text, a [`FuncSet`] and JSON-like data.
//!
//! Templates are parsed once into an AST ([`Template::parse`]) and executed many times
//! ([`Template::execute`]); data lives behind `Rc`, so ranging over tens of thousands
//! of entries costs milliseconds.
//!
//! Conformance is measured against Go itself: `tools/go-oracle` renders the corpus in
//! `tests/fixtures/template/cases` with Go 1.19 and sprig 3.2, and the integration test
//! `template_conformance` compares every output and error message.
//!
//! Differences from Go worth knowing:
//! - html mode escapes dynamically (see `html.rs`): JavaScript and CSS contexts
//!   are not modelled and interpolating into them is an error; templates that Go
//!   rejects as ambiguous are rendered.
//! - `{{else with}}` (Go 1.23) is accepted; Go 1.19 rejects it.
//! - Only the function values our [`Value`] model has exist: no methods on data, so
//!   `call` always fails like Go does on a non-function, and `time.Time` values have no
//!   methods (`.Unix`, `.Format`). `semver` versions have their argument-less
//!   accessors (`.Major`, `.Original`...) and no other method.
//! - Every execution runs under [`Limits`] (output size, list length, steps, nesting
//!   depth, memory held), so no template runs for ever or exhausts memory; Go has
//!   none of these but the depth (100000 template calls; ours counts control bodies
//!   too and stops at 1000). Controls and parenthesized pipelines nest at most 100
//!   deep in the text (Go: 10000 parentheses, any number of controls), and values 200
//!   deep, since deeper would overflow the native stack.
//! - Complex number literals are rejected.
//! - Slices know `[]interface{}`, `[]string`, `[]int` and `[][]interface{}`, maps
//!   `map[string]interface{}` and `map[string]string`; the `uint8` from indexing a
//!   string is modelled as `int`, which only shows in type names.
//! - `keys` and `values` are sorted (random in Go), `now`/`ago` read an injectable clock.
//! - `env`, `expandenv`, `getHostByName` and sprig's key and certificate generators are
//!   refused with a clear parse error.

// This module is a port of Go's packages and keeps their short local names (`s`, `n`,
// `c`...) and parallel match arms so it can be read side by side with the Go source.
#![allow(
    clippy::many_single_char_names,
    clippy::similar_names,
    clippy::match_same_arms
)]

mod ast;
mod builtins;
mod call;
mod duration;
mod error;
mod escape_check;
mod escapers;
mod exec;
mod float;
mod funcs;
mod gotime;
mod html;
mod lexer;
mod limits;
mod literal;
mod meter;
mod parser;
mod printf;
mod semver;
mod sprig;
mod tfcmt;
mod value;

use std::collections::HashMap;
use std::rc::Rc;

pub(crate) use builtins::html_escape;
pub use error::{Error, ExecError};
pub use funcs::{Func, FuncBody, FuncSet, Param};
pub use gotime::GoTime;
pub use limits::Limits;
pub use semver::SemVer;
pub use value::{Elem, Entries, LazyList, LazyMap, List, Map, Value};

use ast::Tree;

/// Which Go package's semantics to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `text/template`: values are printed as they are.
    Text,
    /// `html/template`: values are escaped for their HTML context. tfnotify and tfcmt
    /// use this unless `use_raw_output: true`.
    Html,
}

/// A parsed template together with the named templates it can call.
#[derive(Debug, Clone)]
pub struct Template {
    name: String,
    mode: Mode,
    funcs: FuncSet,
    trees: HashMap<String, Rc<Tree>>,
    /// Whether the data's top level is read as a Go struct (see [`Template::strict_root`]).
    strict_root: bool,
    /// What each execution may do.
    limits: Limits,
}

impl Template {
    /// Parses `text` as the template `name`. `{{define}}` and `{{block}}` inside it
    /// become callable templates. `funcs` is consulted at parse time (Go rejects
    /// unknown functions while parsing) and kept for execution.
    pub fn parse(name: &str, text: &str, mode: Mode, funcs: &FuncSet) -> Result<Template, Error> {
        let mut t = Template {
            name: name.to_string(),
            mode,
            funcs: funcs.clone(),
            trees: HashMap::new(),
            strict_root: false,
            limits: Limits::default(),
        };
        t.add(name, text)?;
        Ok(t)
    }

    /// Parses `text` as the named template `name` in this set, like Go's
    /// `t.New(name).Parse(text)`. It replaces an earlier definition (so user templates
    /// override built-in sub-templates) unless the new body is empty.
    pub fn add_define(&mut self, name: &str, text: &str) -> Result<(), Error> {
        self.add(name, text)
    }

    fn add(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let trees = parser::parse(name, text, &self.funcs)?;
        for tree in trees {
            let keep_old = tree.is_empty() && self.trees.contains_key(&tree.name);
            if !keep_old {
                self.trees.insert(tree.name.clone(), Rc::new(tree));
            }
        }
        Ok(())
    }

    /// Lets [`Template::execute_noting`] name the top-level fields a template reads that
    /// the data does not have: a typo, in a context whose fields are all known.
    pub fn strict_root(&mut self) {
        self.strict_root = true;
    }

    /// Renders like [`Template::execute`] (a missing field prints as Go prints a missing
    /// map key, so existing templates render unchanged) and also returns one note per
    /// missing top-level field read, when [`Template::strict_root`] was called.
    pub fn execute_noting(&self, data: &Value) -> Result<(String, Vec<String>), Error> {
        let run = self.run(&self.name, data, true)?;
        Ok((run.out, run.missing))
    }

    /// Sets what each execution may do; the defaults suit any real message, and tests
    /// lower them to reach a limit quickly.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// What each execution may do.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The template's name, which error messages print.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether values are escaped (`Html`) or printed as they are (`Text`).
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Whether a template of that name is defined (for "override only if present").
    pub fn has_template(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// Renders the main template with JSON data (converted once; see [`Value`]).
    pub fn execute(&self, data: &serde_json::Value) -> Result<String, Error> {
        self.execute_value(&Value::from(data))
    }

    /// Renders the main template with data already in our value model, which avoids a
    /// conversion when the same data is rendered through several templates.
    pub fn execute_value(&self, data: &Value) -> Result<String, Error> {
        self.execute_template(&self.name, data)
    }

    /// Renders the named template of this set.
    pub fn execute_template(&self, name: &str, data: &Value) -> Result<String, Error> {
        self.run(name, data, false).map(|r| r.out)
    }

    /// Renders like [`Template::execute`] and also says how many steps that took (see
    /// [`Limits::steps`]), so that a caller that renders again and again, with less data
    /// each time, can hold all the renders to a bound.
    pub fn execute_counting(&self, data: &Value) -> Result<(String, u64), Error> {
        let run = self.run(&self.name, data, false)?;
        Ok((run.out, run.steps))
    }

    fn run(&self, name: &str, data: &Value, noting: bool) -> Result<Run, Error> {
        let Some(tree) = self.trees.get(name) else {
            let q = printf::quote_go(name);
            return Err(Error::Exec(Box::new(ExecError {
                name: name.to_string(),
                parse_name: name.to_string(),
                line: 0,
                col: 0,
                context: String::new(),
                message: format!(
                    "no template {q} associated with template {}",
                    printf::quote_go(&self.name)
                ),
                source: None,
            })));
        };
        let html = (self.mode == Mode::Html).then(html::HtmlState::default);
        let mut exec = exec::Exec::new(&self.trees, &self.funcs, html, tree, self.limits);
        if let (true, true, Value::Map(root)) = (self.strict_root, noting, data) {
            exec.strict_root = Some(Rc::clone(root));
        }
        exec.run(data)?;
        Ok(Run {
            steps: exec.meter.steps(),
            out: exec.out,
            missing: exec.missing,
        })
    }
}

/// What one execution produced.
struct Run {
    out: String,
    /// The notes of [`Template::execute_noting`].
    missing: Vec<String>,
    steps: u64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::rc::Rc;

    use super::{FuncSet, Mode, Template, Value};

    #[track_caller]
    fn render(mode: Mode, text: &str, data: &serde_json::Value) -> String {
        let t = Template::parse("t", text, mode, &FuncSet::standard()).unwrap();
        t.execute(data).unwrap()
    }

    #[test]
    fn missing_top_level_fields_are_noted_and_render_as_go_does() {
        let data = serde_json::json!({"Result": "ok", "Vars": {"a": "1"}, "L": [1]});
        let text =
            "{{ .Reslt }}|{{ .Vars.nope }}|{{ range .L }}{{ $.Other }}{{ end }}|{{ .Result }}";
        let mut t = Template::parse("plan", text, Mode::Text, &FuncSet::standard()).unwrap();
        assert_eq!(
            t.execute_noting(&Value::from(&data)).unwrap().1,
            Vec::<String>::new()
        );
        t.strict_root();
        let (out, notes) = t.execute_noting(&Value::from(&data)).unwrap();
        assert_eq!(out, "<no value>|<no value>|<no value>|ok");
        assert_eq!(out, t.execute(&data).unwrap());
        assert_eq!(
            notes,
            [
                "template: plan:1:3: executing \"plan\" at <.Reslt>: can't evaluate field Reslt in the message context (did you mean .Result?)",
                "template: plan:1:48: executing \"plan\" at <$.Other>: can't evaluate field Other in the message context; it has .L, .Result, .Vars",
            ]
        );
    }

    #[test]
    fn a_missing_field_read_in_a_loop_is_noted_once() {
        let data = serde_json::json!({"L": [1, 2, 3]});
        let text = "{{ range .L }}{{ $.Nope }}{{ end }}{{ .Nope }}";
        let mut t = Template::parse("plan", text, Mode::Text, &FuncSet::standard()).unwrap();
        t.strict_root();
        let (_, notes) = t.execute_noting(&Value::from(&data)).unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn renders_both_modes() {
        let data = serde_json::json!({"A": "<b>", "L": [1, 2]});
        assert_eq!(
            render(Mode::Text, "{{.A}} {{.L}} {{.X}}", &data.clone()),
            "<b> [1 2] <no value>"
        );
        assert_eq!(
            render(Mode::Html, "{{.A}} {{.L}} {{.X}}", &data),
            "&lt;b&gt; [1 2] "
        );
    }

    #[test]
    fn defines_can_be_overridden() {
        let mut t =
            Template::parse("t", "{{template \"x\" .}}", Mode::Text, &FuncSet::new()).unwrap();
        t.add_define("x", "one").unwrap();
        t.add_define("x", "two").unwrap();
        assert_eq!(t.execute_value(&Value::Nil).unwrap(), "two");
    }

    #[test]
    fn denied_functions_explain_themselves() {
        let err =
            Template::parse("t", "{{env \"HOME\"}}", Mode::Text, &FuncSet::standard()).unwrap_err();
        assert!(err.to_string().contains("leak secrets"), "{err}");
    }

    #[test]
    fn else_with_chains() {
        let text = "{{with .A}}a{{else with .B}}{{.}}{{else}}none{{end}}";
        assert_eq!(
            render(Mode::Text, text, &serde_json::json!({"B": "b"})),
            "b"
        );
    }

    #[test]
    fn range_over_many_entries_is_fast() {
        let items: Vec<serde_json::Value> = (0..50_000)
            .map(|i| serde_json::json!({"Name": format!("r{i}"), "N": i}))
            .collect();
        let data = Value::from(serde_json::json!({"Items": items}));
        let t = Template::parse(
            "t",
            "{{range $i, $e := .Items}}{{$i}}:{{$e.Name}} {{end}}",
            Mode::Html,
            &FuncSet::standard(),
        )
        .unwrap();
        let start = std::time::Instant::now();
        let out = t.execute_value(&data).unwrap();
        let took = start.elapsed();
        eprintln!("50,000-entry range rendered in {took:?}");
        assert!(out.len() > 50_000);
        assert!(took.as_secs() < 2, "took {took:?}");
    }

    /// A lazy list of `n` maps `{N: i}` that counts the items it made.
    #[derive(Debug)]
    struct Counted {
        n: usize,
        made: Rc<std::cell::Cell<usize>>,
    }

    impl super::LazyList for Counted {
        fn len(&self) -> usize {
            self.n
        }

        fn item(&self, index: usize) -> Value {
            self.made.set(self.made.get() + 1);
            Value::lazy_map(Rc::new(Numbered(index)))
        }
    }

    #[derive(Debug)]
    struct Numbered(usize);

    impl super::LazyMap for Numbered {
        fn get(&self, key: &str) -> Option<Value> {
            (key == "N").then(|| Value::Int(i64::try_from(self.0).unwrap()))
        }

        fn entries(&self) -> std::collections::BTreeMap<String, Value> {
            [("N".to_owned(), self.get("N").unwrap())].into()
        }
    }

    fn counted(n: usize) -> (Value, Rc<std::cell::Cell<usize>>) {
        let made = Rc::new(std::cell::Cell::new(0));
        let list = Value::lazy_list(Rc::new(Counted {
            n,
            made: Rc::clone(&made),
        }));
        (Value::map([("L".to_owned(), list)].into()), made)
    }

    #[test]
    fn a_lazy_list_makes_only_the_items_a_template_reads() {
        let (data, made) = counted(50_000);
        let text = "{{len .L}} {{if .L}}some{{end}} \
            {{range $i, $e := .L}}{{if eq $i 3}}{{break}}{{end}}{{$e.N}},{{end}} {{(index .L 7).N}}";
        let t = Template::parse("t", text, Mode::Html, &FuncSet::standard()).unwrap();
        assert_eq!(t.execute_value(&data).unwrap(), "50000 some 0,1,2, 7");
        assert_eq!(made.get(), 5, "four items ranged over, one indexed");
    }

    #[test]
    fn functions_see_lazy_values_whole_and_can_change_them() {
        let (data, _) = counted(3);
        let text = "{{toJson .L}} {{$m := index .L 1}}{{$_ := set $m \"X\" 2}}\
            {{$m.N}}{{$m.X}} {{keys $m | join \",\"}} {{hasKey $m \"N\"}} {{get $m \"N\"}}";
        let t = Template::parse("t", text, Mode::Text, &FuncSet::standard()).unwrap();
        assert_eq!(
            t.execute_value(&data).unwrap(),
            "[{\"N\":0},{\"N\":1},{\"N\":2}] 12 N,X true 1"
        );
    }
}
