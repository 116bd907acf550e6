//! Tokenizer for Go template text, a port of `text/template/parse/lex.go`.
//!
//! It mirrors Go's item types and quirks (trim markers need a space next to the `-`,
//! comments must touch the delimiters, newlines are allowed inside actions) because the
//! parser's error messages quote tokens exactly as Go's lexer produced them.

/// The kind of a lexed token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Error,
    Bool,
    Char,
    CharConstant,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords (Go: item > itemKeyword).
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Kind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Kind::Block
                | Kind::Break
                | Kind::Continue
                | Kind::Dot
                | Kind::Define
                | Kind::Else
                | Kind::End
                | Kind::If
                | Kind::Nil
                | Kind::Range
                | Kind::Template
                | Kind::With
        )
    }
}

/// One token: its kind, byte offset, text and 1-based line.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) kind: Kind,
    pub(crate) pos: usize,
    pub(crate) val: String,
    pub(crate) line: usize,
}

impl std::fmt::Display for Item {
    /// Go's `item.String()`, which parse errors embed ("unexpected \"x\" in operand").
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            Kind::Eof => f.write_str("EOF"),
            Kind::Error => f.write_str(&self.val),
            k if k.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let head: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", crate::template::printf::quote_go(&head))
                } else {
                    f.write_str(&crate::template::printf::quote_go(&self.val))
                }
            }
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";

/// Lexes the whole input; the last item is `Eof` or `Error`.
pub(crate) fn lex(input: &str, break_ok: bool) -> Vec<Item> {
    let mut l = Lexer {
        input,
        start: 0,
        pos: 0,
        line: 1,
        counted: 0,
        items: Vec::new(),
        paren_depth: 0,
        break_ok,
    };
    l.run();
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    /// The line `counted` is on: counting on from the last item keeps lexing linear.
    line: usize,
    counted: usize,
    items: Vec<Item>,
    paren_depth: i32,
    break_ok: bool,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

enum State {
    Text,
    LeftDelim,
    Inside,
    Done,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
        }
    }

    /// The 1-based line of byte `pos`; items come in order, so it counts on from the
    /// last one.
    fn line_at(&mut self, pos: usize) -> usize {
        if pos < self.counted {
            (self.line, self.counted) = (1, 0);
        }
        self.line += self.input[self.counted..pos].matches('\n').count();
        self.counted = pos;
        self.line
    }

    fn emit(&mut self, kind: Kind) {
        let val = self.input[self.start..self.pos].to_string();
        let line = self.line_at(self.start);
        self.items.push(Item {
            kind,
            pos: self.start,
            val,
            line,
        });
        self.start = self.pos;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn error(&mut self, msg: String) -> State {
        let line = self.line_at(self.start);
        self.items.push(Item {
            kind: Kind::Error,
            pos: self.start,
            val: msg,
            line,
        });
        State::Done
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Inside => self.lex_inside(),
                State::Done => return,
            }
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.rest().find(LEFT) {
            let delim_at = self.pos + x;
            let mut text_end = delim_at;
            if has_left_trim(&self.input[delim_at + LEFT.len()..]) {
                let text = &self.input[self.start..delim_at];
                text_end = self.start + text.trim_end_matches(is_space).len();
            }
            self.pos = text_end;
            if self.pos > self.start {
                self.emit(Kind::Text);
            }
            self.pos = delim_at;
            self.ignore();
            return State::LeftDelim;
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.emit(Kind::Text);
        }
        self.emit(Kind::Eof);
        State::Done
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.rest()[after..].starts_with("/*") {
            self.pos += after;
            self.ignore();
            return self.lex_comment();
        }
        self.emit(Kind::LeftDelim);
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        State::Inside
    }

    fn lex_comment(&mut self) -> State {
        self.pos += 2;
        let Some(i) = self.rest().find("*/") else {
            return self.error("unclosed comment".into());
        };
        self.pos += i + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.pos += self.rest().len() - self.rest().trim_start_matches(is_space).len();
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let trim = has_right_trim(self.rest());
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Kind::RightDelim);
        if trim {
            self.pos += self.rest().len() - self.rest().trim_start_matches(is_space).len();
            self.ignore();
        }
        State::Text
    }

    fn lex_inside(&mut self) -> State {
        loop {
            let (delim, _) = self.at_right_delim();
            if delim {
                if self.paren_depth == 0 {
                    return self.lex_right_delim();
                }
                return self.error("unclosed left paren".into());
            }
            let c = self.next();
            match c {
                None => return self.error("unclosed action".into()),
                Some(c) if is_space(c) => {
                    self.backup(Some(c));
                    if let Some(s) = self.lex_space() {
                        return s;
                    }
                }
                Some('=') => self.emit(Kind::Assign),
                Some(':') => {
                    if self.next() != Some('=') {
                        return self.error("expected :=".into());
                    }
                    self.emit(Kind::Declare);
                }
                Some('|') => self.emit(Kind::Pipe),
                Some('"') => {
                    if let Some(s) = self.lex_quote() {
                        return s;
                    }
                }
                Some('`') => {
                    if let Some(s) = self.lex_raw_quote() {
                        return s;
                    }
                }
                Some('$') => {
                    if let Some(s) = self.lex_variable() {
                        return s;
                    }
                }
                Some('\'') => {
                    if let Some(s) = self.lex_char() {
                        return s;
                    }
                }
                Some('.') if !self.peek().is_some_and(|d| d.is_ascii_digit()) => {
                    if let Some(s) = self.lex_field_or_variable(Kind::Field) {
                        return s;
                    }
                }
                Some(c) if c == '.' || c == '+' || c == '-' || c.is_ascii_digit() => {
                    self.backup(Some(c));
                    if let Some(s) = self.lex_number() {
                        return s;
                    }
                }
                Some(c) if is_alnum(c) => {
                    self.backup(Some(c));
                    if let Some(s) = self.lex_identifier() {
                        return s;
                    }
                }
                Some('(') => {
                    self.emit(Kind::LeftParen);
                    self.paren_depth += 1;
                }
                Some(')') => {
                    self.emit(Kind::RightParen);
                    self.paren_depth -= 1;
                    if self.paren_depth < 0 {
                        return self.error("unexpected right paren U+0029 ')'".into());
                    }
                }
                Some(c) if c.is_ascii() && !c.is_ascii_control() => self.emit(Kind::Char),
                Some(c) => {
                    return self.error(format!(
                        "unrecognized character in action: {}",
                        unicode_plus(c)
                    ));
                }
            }
        }
    }

    fn lex_space(&mut self) -> Option<State> {
        let mut n = 0;
        while self.peek().is_some_and(is_space) {
            self.next();
            n += 1;
        }
        let before = &self.input[self.pos - 1..];
        if has_right_trim(before) && before[2..].starts_with(RIGHT) {
            self.pos -= 1;
            if n == 1 {
                return Some(self.lex_right_delim());
            }
        }
        self.emit(Kind::Space);
        None
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn lex_identifier(&mut self) -> Option<State> {
        loop {
            let c = self.next();
            if c.is_some_and(is_alnum) {
                continue;
            }
            self.backup(c);
            let word = &self.input[self.start..self.pos];
            if !self.at_terminator() {
                let c = c.unwrap_or('\u{0}');
                return Some(self.error(format!("bad character {}", unicode_plus(c))));
            }
            let kind = match word {
                "block" => Kind::Block,
                "break" if self.break_ok => Kind::Break,
                "continue" if self.break_ok => Kind::Continue,
                "define" => Kind::Define,
                "else" => Kind::Else,
                "end" => Kind::End,
                "if" => Kind::If,
                "range" => Kind::Range,
                "nil" => Kind::Nil,
                "template" => Kind::Template,
                "with" => Kind::With,
                "true" | "false" => Kind::Bool,
                _ => Kind::Identifier,
            };
            self.emit(kind);
            return None;
        }
    }

    fn lex_variable(&mut self) -> Option<State> {
        if self.at_terminator() {
            self.emit(Kind::Variable);
            return None;
        }
        self.lex_field_or_variable(Kind::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Kind) -> Option<State> {
        if self.at_terminator() {
            self.emit(if kind == Kind::Variable {
                Kind::Variable
            } else {
                Kind::Dot
            });
            return None;
        }
        let mut c;
        loop {
            c = self.next();
            if !c.is_some_and(is_alnum) {
                self.backup(c);
                break;
            }
        }
        if !self.at_terminator() {
            let c = c.unwrap_or('\u{0}');
            return Some(self.error(format!("bad character {}", unicode_plus(c))));
        }
        self.emit(kind);
        None
    }

    fn lex_char(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => {
                    if matches!(self.next(), None | Some('\n')) {
                        return Some(self.error("unterminated character constant".into()));
                    }
                }
                None | Some('\n') => {
                    return Some(self.error("unterminated character constant".into()));
                }
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(Kind::CharConstant);
        None
    }

    fn accept(&mut self, valid: &str) -> bool {
        if let Some(c) = self.peek()
            && valid.contains(c)
        {
            self.next();
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }

    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            let text = crate::template::printf::quote_go(&self.input[self.start..self.pos]);
            return Some(self.error(format!("bad number syntax: {text}")));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // Complex constants are not supported by the engine; Go accepts them.
            self.scan_number();
            let text = crate::template::printf::quote_go(&self.input[self.start..self.pos]);
            return Some(self.error(format!("bad number syntax: {text}")));
        }
        self.emit(Kind::Number);
        None
    }

    fn lex_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => {
                    if matches!(self.next(), None | Some('\n')) {
                        return Some(self.error("unterminated quoted string".into()));
                    }
                }
                None | Some('\n') => return Some(self.error("unterminated quoted string".into())),
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(Kind::String);
        None
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        loop {
            match self.next() {
                None => return Some(self.error("unterminated raw quoted string".into())),
                Some('`') => break,
                _ => {}
            }
        }
        self.emit(Kind::RawString);
        None
    }
}

/// Go's `%#U` formatting: `U+0041 'A'`.
fn unicode_plus(c: char) -> String {
    format!("U+{:04X} '{c}'", c as u32)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{Kind, lex};

    #[track_caller]
    fn kinds(input: &str) -> Vec<Kind> {
        lex(input, true).into_iter().map(|i| i.kind).collect()
    }

    #[test]
    fn trims_and_fields() {
        use Kind::{Eof, Field, LeftDelim, RightDelim, Text};
        assert_eq!(
            kinds("a  {{- .A.B -}}  b"),
            vec![Text, LeftDelim, Field, Field, RightDelim, Text, Eof]
        );
        let items = lex("a  {{- .A -}}  b", true);
        assert_eq!(items[0].val, "a");
        assert_eq!(items[4].val, "b");
    }

    #[test]
    fn comment_is_skipped() {
        assert_eq!(kinds("{{/* c */}}x"), vec![Kind::Text, Kind::Eof]);
    }
}
