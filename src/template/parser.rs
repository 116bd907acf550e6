//! Recursive-descent parser, a port of `text/template/parse/parse.go`.
//!
//! Error messages and the line they report match Go's, including its quirks (the line
//! is that of the last token looked at, and unknown functions are rejected at parse
//! time) because users compare them with what tfcmt printed.

use std::collections::HashMap;
use std::rc::Rc;

use crate::template::ast::{Arg, Branch, Command, Node, Pipe, Tree};
use crate::template::error::Error;
use crate::template::funcs::FuncSet;
use crate::template::lexer::{Item, Kind, lex};
use crate::template::literal::{parse_number, unquote_go};

/// How deeply controls (`if`, `with`, `range`, `block`, each `else if` of a chain) and
/// parenthesized pipelines may nest. Parsing, escaping, executing and dropping a tree
/// all recurse once per level on the native stack, which a few thousand levels
/// overflow; Go allows 10000 parentheses and any number of controls, but no real
/// template comes near a hundred of either.
const MAX_NESTING: usize = 100;

/// How long one template text may be. Parsing holds its tokens and tree, about a
/// hundred times the text at worst, so a few megabytes of `{{if 1}}x{{end}}` would take
/// hundreds of megabytes; the default templates are a few kilobytes.
const MAX_TEXT: usize = 1 << 20;

/// Parses `text` and returns the top-level tree plus every `{{define}}`/`{{block}}`
/// tree found in it, in source order. `has_func` answers Go's parse-time question
/// "is this identifier a function?".
pub(crate) fn parse(name: &str, text: &str, funcs: &FuncSet) -> Result<Vec<Tree>, Error> {
    if text.len() > MAX_TEXT {
        let cut = text.floor_char_boundary(MAX_TEXT);
        return Err(Error::Parse {
            name: name.to_string(),
            line: 1 + text[..cut].matches('\n').count(),
            message: format!(
                "the template is longer than {} (the engine's limit)",
                crate::template::limits::size(MAX_TEXT)
            ),
            source: None,
        });
    }
    let source: Rc<str> = Rc::from(text);
    let items = lex(text, !funcs.has("break"));
    let mut p = Parser {
        items,
        i: 0,
        line: 1,
        name: name.to_string(),
        source: source.clone(),
        vars: Scope::new(),
        range_depth: 0,
        nesting: 0,
        action_line: 0,
        funcs,
        trees: Vec::new(),
        tree_index: HashMap::new(),
    };
    let root = p.parse_top()?;
    let mut trees = vec![Tree {
        name: name.to_string(),
        parse_name: name.to_string(),
        text: source,
        root,
    }];
    trees.append(&mut p.trees);
    Ok(trees)
}

struct Parser<'f> {
    funcs: &'f FuncSet,
    items: Vec<Item>,
    i: usize,
    line: usize,
    name: String,
    source: Rc<str>,
    vars: Scope,
    range_depth: usize,
    /// Controls and parentheses open around the current token (see [`MAX_NESTING`]).
    nesting: usize,
    action_line: usize,
    trees: Vec<Tree>,
    /// Where each name is in `trees`: a template can define thousands.
    tree_index: HashMap<String, usize>,
}

type PResult<T> = Result<T, Error>;

/// The variables in scope, in declaration order, with a count per name so that a
/// lookup does not read them all: a template can declare thousands.
struct Scope {
    names: Vec<Rc<str>>,
    count: HashMap<Rc<str>, usize>,
}

impl Scope {
    /// A template's scope at its start: only `$`.
    fn new() -> Scope {
        let mut scope = Scope {
            names: Vec::new(),
            count: HashMap::new(),
        };
        scope.push(Rc::from("$"));
        scope
    }

    fn push(&mut self, name: Rc<str>) {
        *self.count.entry(Rc::clone(&name)).or_default() += 1;
        self.names.push(name);
    }

    fn len(&self) -> usize {
        self.names.len()
    }

    /// Forgets the variables declared after the first `n`.
    fn truncate(&mut self, n: usize) {
        for name in self.names.drain(n..) {
            if let Some(c) = self.count.get_mut(&name) {
                *c -= 1;
                if *c == 0 {
                    self.count.remove(&name);
                }
            }
        }
    }

    fn has(&self, name: &str) -> bool {
        self.count.contains_key(name)
    }
}

enum Ended {
    End,
    /// `{{else}}`, or `{{else if}}`/`{{else with}}` with the keyword still unread.
    Else {
        chain: Option<Kind>,
    },
}

impl Parser<'_> {
    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(Error::Parse {
            name: self.name.clone(),
            line: self.line,
            message: message.into(),
            source: Some(self.source.clone()),
        })
    }

    fn next(&mut self) -> Item {
        let item = self.items[self.i.min(self.items.len() - 1)].clone();
        if self.i < self.items.len() {
            self.i += 1;
        }
        self.line = item.line;
        item
    }

    fn backup(&mut self) {
        self.i -= 1;
    }

    fn peek(&mut self) -> Item {
        let item = self.next();
        self.backup();
        item
    }

    fn next_non_space(&mut self) -> Item {
        loop {
            let item = self.next();
            if item.kind != Kind::Space {
                return item;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item {
        let item = self.next_non_space();
        self.backup();
        item
    }

    fn unexpected<T>(&self, item: &Item, context: &str) -> PResult<T> {
        if item.kind == Kind::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != item.line {
                extra = format!(" in action started at {}:{}", self.name, self.action_line);
                if item.val.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.err(format!("{}{extra}", item.val));
        }
        self.err(format!("unexpected {item} in {context}"))
    }

    fn expect(&mut self, kind: Kind, context: &str) -> PResult<Item> {
        let item = self.next_non_space();
        if item.kind != kind {
            return self.unexpected(&item, context);
        }
        Ok(item)
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().kind != Kind::Eof {
            if self.peek().kind == Kind::LeftDelim {
                let save = self.i;
                self.next();
                if self.next_non_space().kind == Kind::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.i = save;
            }
            match self.text_or_action()? {
                Parsed::Node(n) => root.push(n),
                Parsed::End => return self.err("unexpected {{end}}"),
                Parsed::Else { .. } => return self.err("unexpected {{else}}"),
            }
        }
        Ok(root)
    }

    fn add_tree(&mut self, name: String, root: Vec<Node>) -> PResult<()> {
        let tree = Tree {
            name,
            parse_name: self.name.clone(),
            text: self.source.clone(),
            root,
        };
        if let Some(&at) = self.tree_index.get(&tree.name) {
            let old = &mut self.trees[at];
            if old.is_empty() {
                *old = tree;
            } else if !tree.is_empty() {
                return self.err(format!(
                    "template: multiple definition of template {}",
                    crate::template::printf::quote_go(&tree.name)
                ));
            }
            return Ok(());
        }
        if tree.name == self.name {
            // A define of the top-level name inside its own text: Go keeps whichever
            // is non-empty; the caller resolves that when it merges the tree set.
        }
        self.tree_index.insert(tree.name.clone(), self.trees.len());
        self.trees.push(tree);
        Ok(())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let item = self.next_non_space();
        if !matches!(item.kind, Kind::String | Kind::RawString) {
            return self.unexpected(&item, context);
        }
        let name = self.unquote(&item)?;
        self.expect(Kind::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, Scope::new());
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        if let Ended::Else { .. } = end {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_tree(name, list)
    }

    /// Opens one more level of nesting, or fails with `message` past [`MAX_NESTING`].
    fn enter(&mut self, message: &str) -> PResult<()> {
        if self.nesting >= MAX_NESTING {
            return self.err(message);
        }
        self.nesting += 1;
        Ok(())
    }

    fn unquote(&self, item: &Item) -> PResult<String> {
        match unquote_go(&item.val) {
            Some(s) => Ok(s),
            None => self.err("invalid syntax"),
        }
    }

    fn item_list(&mut self) -> PResult<(Vec<Node>, Ended)> {
        let mut list = Vec::new();
        while self.peek_non_space().kind != Kind::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.push(n),
                Parsed::End => return Ok((list, Ended::End)),
                Parsed::Else { chain } => return Ok((list, Ended::Else { chain })),
            }
        }
        self.err("unexpected EOF")
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let item = self.next_non_space();
        match item.kind {
            Kind::Text => Ok(Parsed::Node(Node::Text {
                pos: item.pos,
                text: Rc::from(item.val.as_str()),
            })),
            Kind::LeftDelim => {
                self.action_line = item.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => self.unexpected(&item, "input"),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let item = self.next_non_space();
        match item.kind {
            Kind::Block => return self.block_control().map(Parsed::Node),
            Kind::Break | Kind::Continue => {
                let what = if item.kind == Kind::Break {
                    "{{break}}"
                } else {
                    "{{continue}}"
                };
                let t = self.next_non_space();
                if t.kind != Kind::RightDelim {
                    return self.unexpected(&t, what);
                }
                if self.range_depth == 0 {
                    return self.err(format!("{what} outside {{{{range}}}}"));
                }
                return Ok(Parsed::Node(if item.kind == Kind::Break {
                    Node::Break
                } else {
                    Node::Continue
                }));
            }
            Kind::Else => {
                let peek = self.peek_non_space();
                if matches!(peek.kind, Kind::If | Kind::With) {
                    return Ok(Parsed::Else {
                        chain: Some(peek.kind),
                    });
                }
                self.expect(Kind::RightDelim, "else")?;
                return Ok(Parsed::Else { chain: None });
            }
            Kind::End => {
                self.expect(Kind::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            Kind::If => return self.if_control().map(Parsed::Node),
            Kind::Range => {
                let b = self.parse_control(false, "range")?;
                return Ok(Parsed::Node(Node::Range(b)));
            }
            Kind::With => {
                let b = self.parse_control(true, "with")?;
                return Ok(Parsed::Node(Node::With(b)));
            }
            Kind::Template => return self.template_control().map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Kind::RightDelim)?;
        Ok(Parsed::Node(Node::Action { pipe }))
    }

    fn if_control(&mut self) -> PResult<Node> {
        Ok(Node::If(self.parse_control(true, "if")?))
    }

    /// `allow_else_chain` covers both `else if` and (Go 1.23+, accepted by us too)
    /// `else with`; Go 1.19 rejects `else with`, see the module docs.
    fn parse_control(&mut self, allow_else_chain: bool, context: &str) -> PResult<Branch> {
        self.enter("max nesting depth exceeded")?;
        let nvars = self.vars.len();
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, end) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Ended::Else { chain } = end {
            let chained = allow_else_chain
                && (chain == Some(Kind::If) && context == "if"
                    || chain == Some(Kind::With) && context == "with");
            if chained {
                let kw = self.next_non_space();
                let inner = if kw.kind == Kind::If {
                    Node::If(self.parse_control(true, "if")?)
                } else {
                    Node::With(self.parse_control(true, "with")?)
                };
                else_list = Some(vec![inner]);
            } else {
                if chain.is_some() {
                    // `{{else if}}` after `range`/`with`: Go's item list then meets the
                    // bare keyword.
                    let kw = self.next_non_space();
                    return self.unexpected(&kw, "input");
                }
                let (l, next) = self.item_list()?;
                if let Ended::Else { .. } = next {
                    return self.err("expected end; found {{else}}");
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(nvars);
        self.nesting -= 1;
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let item = self.next_non_space();
        let name = self.template_name(&item, context)?;
        let pipe = self.pipeline(context, Kind::RightDelim)?;
        self.enter("max nesting depth exceeded")?;
        let saved_vars = std::mem::replace(&mut self.vars, Scope::new());
        let saved_depth = std::mem::replace(&mut self.range_depth, 0);
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        self.nesting -= 1;
        if let Ended::Else { .. } = end {
            return self.err(format!("unexpected {{{{else}}}} in {context}"));
        }
        self.add_tree(name.clone(), list)?;
        Ok(Node::Template {
            pos: item.pos,
            name,
            pipe: Some(pipe),
        })
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let item = self.next_non_space();
        let name = self.template_name(&item, context)?;
        let mut pipe = None;
        if self.next_non_space().kind != Kind::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, Kind::RightDelim)?);
        }
        Ok(Node::Template {
            pos: item.pos,
            name,
            pipe,
        })
    }

    fn template_name(&mut self, item: &Item, context: &str) -> PResult<String> {
        match item.kind {
            Kind::String | Kind::RawString => self.unquote(item),
            _ => self.unexpected(item, context),
        }
    }

    fn pipeline(&mut self, context: &str, end: Kind) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.pos,
            decl: Vec::new(),
            is_assign: false,
            cmds: Vec::new(),
        };
        loop {
            let v = self.peek_non_space();
            if v.kind != Kind::Variable {
                break;
            }
            let save = self.i;
            self.next_non_space();
            let after = self.peek();
            let nxt = self.peek_non_space();
            match nxt.kind {
                Kind::Assign | Kind::Declare => {
                    pipe.is_assign = nxt.kind == Kind::Assign;
                    self.next_non_space();
                    pipe.decl.push(Rc::from(v.val.as_str()));
                    self.vars.push(Rc::from(v.val.as_str()));
                    break;
                }
                Kind::Char if nxt.val == "," => {
                    self.next_non_space();
                    pipe.decl.push(Rc::from(v.val.as_str()));
                    self.vars.push(Rc::from(v.val.as_str()));
                    if context == "range" && pipe.decl.len() < 2 {
                        match self.peek_non_space().kind {
                            Kind::Variable | Kind::RightDelim | Kind::RightParen => continue,
                            _ => return self.err("range can only initialize variables"),
                        }
                    }
                    return self.err(format!("too many declarations in {context}"));
                }
                _ => {
                    let _ = after;
                    self.i = save;
                    break;
                }
            }
        }
        loop {
            let item = self.next_non_space();
            if item.kind == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match item.kind {
                Kind::Bool
                | Kind::CharConstant
                | Kind::Dot
                | Kind::Field
                | Kind::Identifier
                | Kind::Number
                | Kind::Nil
                | Kind::RawString
                | Kind::String
                | Kind::Variable
                | Kind::LeftParen => {
                    self.backup();
                    let cmd = self.command()?;
                    pipe.cmds.push(cmd);
                }
                _ => return self.unexpected(&item, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.err(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool { .. }
                    | Arg::Dot { .. }
                    | Arg::Nil { .. }
                    | Arg::Number { .. }
                    | Arg::String { .. }
            ) {
                return self.err(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command {
            pos,
            args: Vec::new(),
        };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let item = self.next();
            match item.kind {
                Kind::Space => continue,
                Kind::RightDelim | Kind::RightParen => self.backup(),
                Kind::Pipe => {}
                _ => return self.unexpected(&item, "operand"),
            }
            break;
        }
        if cmd.args.is_empty() {
            return self.err("empty command");
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().kind != Kind::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().pos;
        let mut fields: Vec<Rc<str>> = Vec::new();
        while self.peek().kind == Kind::Field {
            let f = self.next();
            fields.push(Rc::from(&f.val[1..]));
        }
        Ok(Some(match node {
            Arg::Field { mut idents, .. } => {
                idents.extend(fields);
                Arg::Field {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Variable { mut idents, .. } => {
                idents.extend(fields);
                Arg::Variable {
                    pos: chain_pos,
                    idents,
                }
            }
            Arg::Bool { .. }
            | Arg::String { .. }
            | Arg::Number { .. }
            | Arg::Nil { .. }
            | Arg::Dot { .. } => {
                let q = crate::template::printf::quote_go(&node.go_string());
                return self.err(format!("unexpected . after term {q}"));
            }
            other => Arg::Chain {
                pos: chain_pos,
                node: Box::new(other),
                fields,
            },
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let item = self.next_non_space();
        let pos = item.pos;
        Ok(Some(match item.kind {
            Kind::Identifier => {
                if !self.funcs.has(&item.val) {
                    let q = crate::template::printf::quote_go(&item.val);
                    if let Some(reason) = self.funcs.denied.get(&item.val) {
                        return self.err(format!("function {q} is not available: {reason}"));
                    }
                    return self.err(format!("function {q} not defined"));
                }
                Arg::Identifier {
                    pos,
                    name: Rc::from(item.val.as_str()),
                }
            }
            Kind::Dot => Arg::Dot { pos },
            Kind::Nil => Arg::Nil { pos },
            Kind::Variable => {
                let idents: Vec<Rc<str>> = item.val.split('.').map(Rc::from).collect();
                if !self.vars.has(&idents[0]) {
                    let q = crate::template::printf::quote_go(&idents[0]);
                    return self.err(format!("undefined variable {q}"));
                }
                Arg::Variable { pos, idents }
            }
            Kind::Field => Arg::Field {
                pos,
                idents: vec![Rc::from(&item.val[1..])],
            },
            Kind::Bool => Arg::Bool {
                pos,
                val: item.val == "true",
            },
            Kind::CharConstant | Kind::Number => {
                let num = match parse_number(&item) {
                    Ok(n) => n,
                    Err(m) => return self.err(m),
                };
                Arg::Number { pos, num }
            }
            Kind::LeftParen => {
                self.enter("max expression depth exceeded")?;
                let p = self.pipeline("parenthesized pipeline", Kind::RightParen)?;
                self.nesting -= 1;
                Arg::Pipe(Box::new(p))
            }
            Kind::String | Kind::RawString => {
                let text = self.unquote(&item)?;
                Arg::String {
                    pos,
                    quoted: Rc::from(item.val.as_str()),
                    text: Rc::from(text),
                }
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Parsed {
    Node(Node),
    End,
    Else { chain: Option<Kind> },
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::fmt::Write as _;

    use super::parse;
    use crate::template::funcs::FuncSet;

    #[track_caller]
    fn parse_err(text: &str) -> String {
        match parse("t", text, &FuncSet::new()) {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn go_style_messages() {
        assert_eq!(parse_err("{{if .A}}"), "template: t:1: unexpected EOF");
        assert_eq!(
            parse_err("{{nope 1}}"),
            "template: t:1: function \"nope\" not defined"
        );
        assert_eq!(parse_err("x\n{{end}}"), "template: t:2: unexpected {{end}}");
    }

    #[test]
    fn nesting_stops_before_the_stack_runs_out() {
        let nest =
            |open: &str, close: &str, n: usize| format!("{}x{}", open.repeat(n), close.repeat(n));
        let ifs = |n| nest("{{if 1}}", "{{end}}", n);
        let chain = |n| format!("{{{{if 0}}}}{}{{{{end}}}}", "{{else if 0}}".repeat(n));
        let parens = |n| format!("{{{{{}}}}}", nest("(", ")", n).replace('x', "1"));
        for (ok, bad) in [(ifs(100), ifs(101)), (chain(99), chain(100))] {
            assert!(parse("t", &ok, &FuncSet::new()).is_ok());
            assert_eq!(parse_err(&bad), "template: t:1: max nesting depth exceeded");
        }
        assert!(parse("t", &parens(100), &FuncSet::new()).is_ok());
        assert_eq!(
            parse_err(&parens(101)),
            "template: t:1: max expression depth exceeded"
        );
        let blocks = |n: usize| {
            let mut open = String::new();
            for i in 0..n {
                let _ = write!(open, "{{{{block \"b{i}\" .}}}}");
            }
            format!("{open}x{}", "{{end}}".repeat(n))
        };
        assert!(parse("t", &blocks(100), &FuncSet::new()).is_ok());
        assert_eq!(
            parse_err(&blocks(101)),
            "template: t:1: max nesting depth exceeded"
        );
    }

    #[test]
    fn a_template_longer_than_a_mebibyte_is_refused() {
        let text = "x\n".repeat(600_000);
        assert_eq!(
            parse_err(&text),
            "template: t:524289: the template is longer than 1 MiB (the engine's limit)"
        );
        assert!(parse("t", &text[..1 << 20], &FuncSet::new()).is_ok());
    }

    #[test]
    fn defines_are_collected() {
        let trees = parse("t", "a{{define \"x\"}}b{{end}}", &FuncSet::new()).unwrap();
        assert_eq!(trees.len(), 2);
        assert_eq!(trees[1].name, "x");
    }
}
