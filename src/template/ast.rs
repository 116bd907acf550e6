//! Parsed template trees.
//!
//! A template is parsed once into these nodes and executed many times. Every node keeps
//! its byte offset because Go's execution errors print `LINE:COL` and the node's
//! `String()` form, both of which [`Arg::write_go`] and friends reproduce.

use std::fmt::Write as _;
use std::rc::Rc;

use crate::template::printf::quote_go;

/// One parsed template body, as produced by the top-level text, a `{{define}}` or a
/// `{{block}}`.
#[derive(Debug)]
pub(crate) struct Tree {
    /// The name `{{template "x"}}` looks up.
    pub(crate) name: String,
    /// The name of the text this tree was parsed from (Go's `ParseName`), which errors
    /// print as the location.
    pub(crate) parse_name: String,
    /// The full source text, used to turn byte offsets into line and column.
    pub(crate) text: Rc<str>,
    pub(crate) root: Vec<Node>,
}

impl Tree {
    /// Go's `parse.IsEmptyTree`: only whitespace text and comments.
    pub(crate) fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text { text, .. } => text.trim().is_empty(),
            _ => false,
        })
    }
}

/// A statement-level node.
#[derive(Debug)]
pub(crate) enum Node {
    Text {
        pos: usize,
        text: Rc<str>,
    },
    Action {
        pipe: Pipe,
    },
    If(Branch),
    Range(Branch),
    With(Branch),
    Template {
        pos: usize,
        name: String,
        pipe: Option<Pipe>,
    },
    Break,
    Continue,
}

/// The shared shape of `if`, `range` and `with`.
#[derive(Debug)]
pub(crate) struct Branch {
    pub(crate) pipe: Pipe,
    pub(crate) list: Vec<Node>,
    pub(crate) else_list: Option<Vec<Node>>,
}

/// A pipeline, optionally declaring or assigning variables.
#[derive(Debug)]
pub(crate) struct Pipe {
    pub(crate) pos: usize,
    pub(crate) decl: Vec<Rc<str>>,
    pub(crate) is_assign: bool,
    pub(crate) cmds: Vec<Command>,
}

/// One `|`-separated stage of a pipeline.
#[derive(Debug)]
pub(crate) struct Command {
    pub(crate) pos: usize,
    pub(crate) args: Vec<Arg>,
}

/// What an ideal numeric constant can be read as, decided at parse time like Go does.
#[derive(Debug, Clone)]
pub(crate) struct Number {
    pub(crate) text: String,
    pub(crate) int: Option<i64>,
    pub(crate) uint: Option<u64>,
    pub(crate) float: Option<f64>,
    pub(crate) is_char: bool,
}

/// An operand.
#[derive(Debug)]
pub(crate) enum Arg {
    Field {
        pos: usize,
        idents: Vec<Rc<str>>,
    },
    Chain {
        pos: usize,
        node: Box<Arg>,
        fields: Vec<Rc<str>>,
    },
    Identifier {
        pos: usize,
        name: Rc<str>,
    },
    Pipe(Box<Pipe>),
    /// `$x` or `$x.A.B`; `idents[0]` is the variable name including `$`.
    Variable {
        pos: usize,
        idents: Vec<Rc<str>>,
    },
    Dot {
        pos: usize,
    },
    Nil {
        pos: usize,
    },
    Bool {
        pos: usize,
        val: bool,
    },
    Number {
        pos: usize,
        num: Number,
    },
    String {
        pos: usize,
        quoted: Rc<str>,
        text: Rc<str>,
    },
}

impl Arg {
    /// Byte offset for error locations.
    pub(crate) fn pos(&self) -> usize {
        match self {
            Arg::Field { pos, .. }
            | Arg::Chain { pos, .. }
            | Arg::Identifier { pos, .. }
            | Arg::Variable { pos, .. }
            | Arg::Dot { pos }
            | Arg::Nil { pos }
            | Arg::Bool { pos, .. }
            | Arg::Number { pos, .. }
            | Arg::String { pos, .. } => *pos,
            Arg::Pipe(p) => p.pos,
        }
    }

    /// Go's `Node.String()` for this operand.
    pub(crate) fn go_string(&self) -> String {
        let mut s = String::new();
        self.write_go(&mut s);
        s
    }

    pub(crate) fn write_go(&self, s: &mut String) {
        match self {
            Arg::Field { idents, .. } => {
                for id in idents {
                    s.push('.');
                    s.push_str(id);
                }
            }
            Arg::Chain { node, fields, .. } => {
                if let Arg::Pipe(p) = node.as_ref() {
                    s.push('(');
                    p.write_go(s);
                    s.push(')');
                } else {
                    node.write_go(s);
                }
                for f in fields {
                    s.push('.');
                    s.push_str(f);
                }
            }
            Arg::Identifier { name, .. } => s.push_str(name),
            Arg::Pipe(p) => p.write_go(s),
            Arg::Variable { idents, .. } => {
                for (i, id) in idents.iter().enumerate() {
                    if i > 0 {
                        s.push('.');
                    }
                    s.push_str(id);
                }
            }
            Arg::Dot { .. } => s.push('.'),
            Arg::Nil { .. } => s.push_str("nil"),
            Arg::Bool { val, .. } => {
                let _ = write!(s, "{val}");
            }
            Arg::Number { num, .. } => s.push_str(&num.text),
            Arg::String { quoted, .. } => s.push_str(quoted),
        }
    }
}

impl Pipe {
    /// Go's `PipeNode.String()`.
    pub(crate) fn write_go(&self, s: &mut String) {
        if !self.decl.is_empty() {
            for (i, v) in self.decl.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(v);
            }
            s.push_str(" := ");
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                s.push_str(" | ");
            }
            c.write_go(s);
        }
    }

    pub(crate) fn go_string(&self) -> String {
        let mut s = String::new();
        self.write_go(&mut s);
        s
    }
}

impl Command {
    /// Go's `CommandNode.String()`: parenthesised pipelines keep their parentheses.
    pub(crate) fn write_go(&self, s: &mut String) {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            if let Arg::Pipe(p) = a {
                s.push('(');
                p.write_go(s);
                s.push(')');
            } else {
                a.write_go(s);
            }
        }
    }

    pub(crate) fn go_string(&self) -> String {
        let mut s = String::new();
        self.write_go(&mut s);
        s
    }
}

/// Go's `TemplateNode.String()`.
pub(crate) fn template_node_string(name: &str, pipe: Option<&Pipe>) -> String {
    let mut s = format!("{{{{template {}", quote_go(name));
    if let Some(p) = pipe {
        s.push(' ');
        p.write_go(&mut s);
    }
    s.push_str("}}");
    s
}
