//! `POST /graphql`, limited to what tfnotify sends: a query listing a pull request's
//! comments with `isMinimized` (`repository { pullRequest { comments } }`), `viewer { login }`
//! and the `minimizeComment` mutation. Anything else is rejected with GitHub's error shape
//! (HTTP 200 with an `errors` array) and recorded as a violation.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::State;
use super::http::Request;
use super::rest::{Reply, error};

/// The classifiers `minimizeComment` accepts (`ReportedContentClassifiers`).
const CLASSIFIERS: &[&str] = &[
    "SPAM",
    "ABUSE",
    "OFF_TOPIC",
    "OUTDATED",
    "DUPLICATE",
    "RESOLVED",
    "LOW_QUALITY",
];
const CURSOR_PREFIX: &str = "Y3Vyc29yOnYyOpHO";
const MAX_PAGE: i64 = 100;

/// A GraphQL error with its position.
struct GqlError {
    message: String,
    line: usize,
    column: usize,
    extra: Map<String, Value>,
}

impl GqlError {
    fn at(message: impl Into<String>, line: usize, column: usize) -> Self {
        Self {
            message: message.into(),
            line,
            column,
            extra: Map::new(),
        }
    }

    fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_owned(), value);
        self
    }

    fn to_json(&self) -> Value {
        let mut object = self.extra.clone();
        object.insert(
            "locations".into(),
            json!([{"line": self.line, "column": self.column}]),
        );
        object.insert("message".into(), Value::from(self.message.clone()));
        Value::Object(object)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Punct(char),
    Spread,
    Name(String),
    Str(String),
    Int(i64),
    Float(f64),
}

struct Token {
    tok: Tok,
    line: usize,
    column: usize,
}

fn lex(source: &str) -> Result<Vec<Token>, GqlError> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let (mut i, mut line, mut line_start) = (0, 1, 0);
    while i < chars.len() {
        let c = chars[i];
        let column = i - line_start + 1;
        let start = i;
        match c {
            '\n' => {
                line += 1;
                line_start = i + 1;
                i += 1;
            }
            ' ' | '\t' | '\r' | ',' | '\u{feff}' => i += 1,
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '!' | '$' | '&' | '(' | ')' | ':' | '=' | '@' | '[' | ']' | '{' | '}' | '|' => {
                tokens.push(Token {
                    tok: Tok::Punct(c),
                    line,
                    column,
                });
                i += 1;
            }
            '.' if chars.get(i..i + 3) == Some(&['.', '.', '.']) => {
                tokens.push(Token {
                    tok: Tok::Spread,
                    line,
                    column,
                });
                i += 3;
            }
            '"' if chars.get(i..i + 3) == Some(&['"', '"', '"']) => {
                i += 3;
                let mut text = String::new();
                loop {
                    match chars.get(i..i + 3) {
                        Some(['"', '"', '"']) => break,
                        Some(_) | None if i >= chars.len() => {
                            return Err(GqlError::at("Unterminated block string", line, column));
                        }
                        _ => {}
                    }
                    if chars[i] == '\n' {
                        line += 1;
                        line_start = i + 1;
                    }
                    text.push(chars[i]);
                    i += 1;
                }
                i += 3;
                tokens.push(Token {
                    tok: Tok::Str(text.trim().to_owned()),
                    line,
                    column,
                });
            }
            '"' => {
                i += 1;
                let mut text = String::new();
                loop {
                    let Some(&ch) = chars.get(i) else {
                        return Err(GqlError::at("Unterminated string", line, column));
                    };
                    i += 1;
                    match ch {
                        '"' => break,
                        '\n' => return Err(GqlError::at("Unterminated string", line, column)),
                        '\\' => {
                            let Some(&esc) = chars.get(i) else {
                                return Err(GqlError::at("Unterminated string", line, column));
                            };
                            i += 1;
                            match esc {
                                'n' => text.push('\n'),
                                't' => text.push('\t'),
                                'r' => text.push('\r'),
                                'b' => text.push('\u{8}'),
                                'f' => text.push('\u{c}'),
                                'u' => {
                                    let hex: String =
                                        chars.get(i..i + 4).unwrap_or_default().iter().collect();
                                    let Some(decoded) =
                                        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                                    else {
                                        return Err(GqlError::at(
                                            "Bad unicode escape",
                                            line,
                                            column,
                                        ));
                                    };
                                    text.push(decoded);
                                    i += 4;
                                }
                                other => text.push(other),
                            }
                        }
                        other => text.push(other),
                    }
                }
                tokens.push(Token {
                    tok: Tok::Str(text),
                    line,
                    column,
                });
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                while i < chars.len() && (chars[i] == '_' || chars[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                tokens.push(Token {
                    tok: Tok::Name(chars[start..i].iter().collect()),
                    line,
                    column,
                });
            }
            c if c == '-' || c.is_ascii_digit() => {
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || "+-.".contains(chars[i]))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                let tok = if let Ok(n) = text.parse::<i64>() {
                    Tok::Int(n)
                } else if let Ok(f) = text.parse::<f64>() {
                    Tok::Float(f)
                } else {
                    return Err(GqlError::at(
                        format!("Parse error on \"{text}\" (error)"),
                        line,
                        column,
                    ));
                };
                tokens.push(Token { tok, line, column });
            }
            other => {
                return Err(GqlError::at(
                    format!("Parse error on \"{other}\" (error)"),
                    line,
                    column,
                ));
            }
        }
    }
    Ok(tokens)
}

/// An input value as written in the document.
#[derive(Clone, Debug, PartialEq)]
enum GValue {
    Var(String),
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    Null,
    Enum(String),
    List(Vec<GValue>),
    Object(Vec<(String, GValue)>),
}

#[derive(Debug)]
struct Field {
    alias: Option<String>,
    name: String,
    args: Vec<(String, GValue)>,
    selection: Vec<Field>,
    line: usize,
    column: usize,
}

impl Field {
    fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }

    fn arg(&self, name: &str) -> Option<&GValue> {
        self.args.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

struct Operation {
    kind: String,
    name: Option<String>,
    defaults: BTreeMap<String, GValue>,
    selection: Vec<Field>,
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.tok)
    }

    fn here(&self) -> (usize, usize) {
        self.tokens
            .get(self.pos)
            .or_else(|| self.tokens.last())
            .map_or((1, 1), |t| (t.line, t.column))
    }

    fn fail<T>(&self) -> Result<T, GqlError> {
        let (line, column) = self.here();
        let message = match self.peek() {
            None => "Unexpected end of document".to_owned(),
            Some(Tok::Name(n)) => {
                format!("Parse error on \"{n}\" (IDENTIFIER) at [{line}, {column}]")
            }
            Some(Tok::Str(s)) => format!("Parse error on \"{s}\" (STRING) at [{line}, {column}]"),
            Some(Tok::Punct(c)) => format!("Parse error on \"{c}\" at [{line}, {column}]"),
            Some(other) => format!("Parse error on {other:?} at [{line}, {column}]"),
        };
        Err(GqlError::at(message, line, column))
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(&Tok::Punct(c)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), GqlError> {
        if self.eat(c) { Ok(()) } else { self.fail() }
    }

    fn name(&mut self) -> Result<String, GqlError> {
        match self.peek() {
            Some(Tok::Name(n)) => {
                let n = n.clone();
                self.pos += 1;
                Ok(n)
            }
            _ => self.fail(),
        }
    }

    fn unsupported<T>(&self, what: &str) -> Result<T, GqlError> {
        let (line, column) = self.here();
        Err(GqlError::at(
            format!("fake GitHub: {what} are not supported"),
            line,
            column,
        ))
    }

    fn document(&mut self) -> Result<Operation, GqlError> {
        let mut op = Operation {
            kind: "query".into(),
            name: None,
            defaults: BTreeMap::new(),
            selection: Vec::new(),
        };
        if !matches!(self.peek(), Some(Tok::Punct('{'))) {
            let kind = self.name()?;
            match kind.as_str() {
                "query" | "mutation" => op.kind = kind,
                "fragment" => return self.unsupported("fragments"),
                "subscription" => return self.unsupported("subscriptions"),
                _ => {
                    self.pos -= 1;
                    return self.fail();
                }
            }
            if matches!(self.peek(), Some(Tok::Name(_))) {
                op.name = Some(self.name()?);
            }
            if self.eat('(') {
                while !self.eat(')') {
                    self.expect('$')?;
                    let var = self.name()?;
                    self.expect(':')?;
                    self.type_ref()?;
                    if self.eat('=') {
                        let default = self.value()?;
                        op.defaults.insert(var, default);
                    }
                    if self.peek() == Some(&Tok::Punct('@')) {
                        return self.unsupported("directives");
                    }
                }
            }
        }
        if self.peek() == Some(&Tok::Punct('@')) {
            return self.unsupported("directives");
        }
        op.selection = self.selection_set()?;
        if self.pos < self.tokens.len() {
            return match self.peek() {
                Some(Tok::Name(n)) if n == "fragment" => self.unsupported("fragments"),
                Some(Tok::Name(_) | Tok::Punct('{')) => {
                    self.unsupported("documents with several operations")
                }
                _ => self.fail(),
            };
        }
        Ok(op)
    }

    fn type_ref(&mut self) -> Result<(), GqlError> {
        if self.eat('[') {
            self.type_ref()?;
            self.expect(']')?;
        } else {
            self.name()?;
        }
        self.eat('!');
        Ok(())
    }

    fn selection_set(&mut self) -> Result<Vec<Field>, GqlError> {
        self.expect('{')?;
        let mut fields = Vec::new();
        while !self.eat('}') {
            if self.peek() == Some(&Tok::Spread) {
                return self.unsupported("fragments");
            }
            let (line, column) = self.here();
            let first = self.name()?;
            let (alias, name) = if self.eat(':') {
                (Some(first), self.name()?)
            } else {
                (None, first)
            };
            let mut args = Vec::new();
            if self.eat('(') {
                while !self.eat(')') {
                    let arg = self.name()?;
                    self.expect(':')?;
                    args.push((arg, self.value()?));
                }
            }
            if self.peek() == Some(&Tok::Punct('@')) {
                return self.unsupported("directives");
            }
            let selection = if self.peek() == Some(&Tok::Punct('{')) {
                self.selection_set()?
            } else {
                Vec::new()
            };
            fields.push(Field {
                alias,
                name,
                args,
                selection,
                line,
                column,
            });
        }
        Ok(fields)
    }

    fn value(&mut self) -> Result<GValue, GqlError> {
        let Some(tok) = self.peek().cloned() else {
            return self.fail();
        };
        self.pos += 1;
        Ok(match tok {
            Tok::Punct('$') => GValue::Var(self.name()?),
            Tok::Int(n) => GValue::Int(n),
            Tok::Float(f) => GValue::Float(f),
            Tok::Str(s) => GValue::Str(s),
            Tok::Name(n) => match n.as_str() {
                "true" => GValue::Bool(true),
                "false" => GValue::Bool(false),
                "null" => GValue::Null,
                _ => GValue::Enum(n),
            },
            Tok::Punct('[') => {
                let mut items = Vec::new();
                while !self.eat(']') {
                    items.push(self.value()?);
                }
                GValue::List(items)
            }
            Tok::Punct('{') => {
                let mut fields = Vec::new();
                while !self.eat('}') {
                    let name = self.name()?;
                    self.expect(':')?;
                    fields.push((name, self.value()?));
                }
                GValue::Object(fields)
            }
            _ => {
                self.pos -= 1;
                return self.fail();
            }
        })
    }
}

/// What a field returns.
#[derive(Clone, Copy)]
enum Kind {
    Scalar,
    Object(&'static str),
}

/// The type `parent.field` returns, if the field exists.
#[allow(clippy::match_same_arms)] // a table of the schema, one type per line
fn field_type(parent: &str, field: &str) -> Option<Kind> {
    let object = |t: &'static str| Some(Kind::Object(t));
    let scalar = Some(Kind::Scalar);
    match (parent, field) {
        (_, "__typename") => scalar,
        ("Query", "repository") => object("Repository"),
        ("Query", "viewer") => object("User"),
        ("Mutation", "minimizeComment") => object("MinimizeCommentPayload"),
        ("Repository", "pullRequest") => object("PullRequest"),
        ("Repository", "id" | "name" | "nameWithOwner") => scalar,
        ("PullRequest", "comments") => object("IssueCommentConnection"),
        ("PullRequest", "id" | "number" | "headRefOid" | "state" | "url") => scalar,
        ("IssueCommentConnection", "nodes") => object("IssueComment"),
        ("IssueCommentConnection", "edges") => object("IssueCommentEdge"),
        ("IssueCommentConnection", "pageInfo") => object("PageInfo"),
        ("IssueCommentConnection", "totalCount") => scalar,
        ("IssueCommentEdge", "node") => object("IssueComment"),
        ("IssueCommentEdge", "cursor") => scalar,
        ("PageInfo", "hasNextPage" | "hasPreviousPage" | "startCursor" | "endCursor") => scalar,
        ("IssueComment", "author") => object("Actor"),
        (
            "IssueComment",
            "id" | "databaseId" | "body" | "isMinimized" | "minimizedReason" | "createdAt"
            | "updatedAt" | "url" | "viewerDidAuthor" | "viewerCanMinimize" | "viewerCanUpdate"
            | "viewerCanDelete",
        ) => scalar,
        ("Actor" | "User", "login" | "url") => scalar,
        ("MinimizeCommentPayload", "minimizedComment") => object("Minimizable"),
        ("MinimizeCommentPayload", "clientMutationId") => scalar,
        ("Minimizable", "isMinimized" | "minimizedReason" | "viewerCanMinimize") => scalar,
        _ => None,
    }
}

fn required_args(parent: &str, field: &str) -> &'static [&'static str] {
    match (parent, field) {
        ("Query", "repository") => &["owner", "name"],
        ("Repository", "pullRequest") => &["number"],
        ("Mutation", "minimizeComment") => &["input"],
        _ => &[],
    }
}

fn check_selection(
    parent: &str,
    fields: &[Field],
    path: &mut Vec<String>,
    errors: &mut Vec<GqlError>,
) {
    for field in fields {
        path.push(field.key().to_owned());
        let path_json = || Value::from(path.clone());
        match field_type(parent, &field.name) {
            None => errors.push(
                GqlError::at(format!("Field '{}' doesn't exist on type '{parent}'", field.name), field.line, field.column)
                    .with("path", path_json())
                    .with("extensions", json!({"code": "undefinedField", "typeName": parent, "fieldName": field.name})),
            ),
            Some(Kind::Scalar) if !field.selection.is_empty() => errors.push(
                GqlError::at(
                    format!("Selections can't be made on scalars (field '{}' returns a scalar but has selections)", field.name),
                    field.line,
                    field.column,
                )
                .with("path", path_json())
                .with("extensions", json!({"code": "selectionMismatch", "nodeName": format!("field '{}'", field.name)})),
            ),
            Some(Kind::Object(ty)) if field.selection.is_empty() => errors.push(
                GqlError::at(
                    format!(
                        "Field must have selections (field '{}' returns {ty} but has no selections. Did you mean '{} {{ ... }}'?)",
                        field.name, field.name
                    ),
                    field.line,
                    field.column,
                )
                .with("path", path_json())
                .with("extensions", json!({"code": "selectionMismatch", "nodeName": format!("field '{}'", field.name), "typeName": ty})),
            ),
            Some(ty) => {
                let missing: Vec<&str> = required_args(parent, &field.name)
                    .iter()
                    .copied()
                    .filter(|a| field.arg(a).is_none())
                    .collect();
                if !missing.is_empty() {
                    errors.push(
                        GqlError::at(
                            format!("Field '{}' is missing required arguments: {}", field.name, missing.join(", ")),
                            field.line,
                            field.column,
                        )
                        .with("path", path_json())
                        .with("extensions", json!({"code": "missingRequiredArguments", "className": "Field", "name": field.name, "arguments": missing.join(", ")})),
                    );
                }
                if let Kind::Object(ty) = ty {
                    check_selection(ty, &field.selection, path, errors);
                }
            }
        }
        path.pop();
    }
}

/// Resolve a written value against the request's variables and the operation's defaults.
fn resolve(
    value: &GValue,
    variables: &Map<String, Value>,
    defaults: &BTreeMap<String, GValue>,
) -> Value {
    match value {
        GValue::Var(name) => match variables.get(name) {
            Some(v) => v.clone(),
            None => defaults
                .get(name)
                .map_or(Value::Null, |d| resolve(d, variables, defaults)),
        },
        GValue::Int(n) => Value::from(*n),
        GValue::Float(f) => Value::from(*f),
        GValue::Str(s) | GValue::Enum(s) => Value::from(s.clone()),
        GValue::Bool(b) => Value::Bool(*b),
        GValue::Null => Value::Null,
        GValue::List(items) => items
            .iter()
            .map(|i| resolve(i, variables, defaults))
            .collect(),
        GValue::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), resolve(v, variables, defaults)))
                .collect(),
        ),
    }
}

/// Project `full` onto the selection (aliases, nested selections).
fn project(fields: &[Field], full: &Value) -> Value {
    match full {
        Value::Array(items) => items.iter().map(|i| project(fields, i)).collect(),
        Value::Object(object) => {
            let mut out = Map::new();
            for field in fields {
                let value = object.get(&field.name).cloned().unwrap_or(Value::Null);
                let value = if field.selection.is_empty() {
                    value
                } else {
                    project(&field.selection, &value)
                };
                out.insert(field.key().to_owned(), value);
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Answer a GraphQL request (already authenticated as `login`).
pub(crate) fn handle(state: &mut State, request: &Request, line: &str, login: &str) -> Reply {
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        state.violate(line, "GraphQL request body is not JSON");
        return error(
            400,
            "Problems parsing JSON",
            "https://docs.github.com/graphql",
        );
    };
    let Some(query) = body.get("query").and_then(Value::as_str) else {
        state.violate(line, "GraphQL request has no \"query\" string");
        return Reply::json(
            200,
            json!({"errors": [{"message": "A query attribute must be specified and must be a string."}]}),
        );
    };
    let variables = match body.get("variables") {
        Some(Value::Object(v)) => v.clone(),
        None | Some(Value::Null) => Map::new(),
        Some(_) => {
            state.violate(line, "GraphQL \"variables\" is not an object");
            return Reply::json(
                200,
                json!({"errors": [{"message": "Variables are invalid JSON."}]}),
            );
        }
    };
    let parsed = lex(query).and_then(|tokens| Parser { tokens, pos: 0 }.document());
    let op = match parsed {
        Ok(op) => op,
        Err(e) => {
            state.violate(line, format!("GraphQL: {}", e.message));
            return Reply::json(200, json!({"errors": [e.to_json()]}));
        }
    };
    let root = if op.kind == "mutation" {
        "Mutation"
    } else {
        "Query"
    };
    let mut errors = Vec::new();
    let head = match &op.name {
        Some(name) => format!("{} {name}", op.kind),
        None => op.kind.clone(),
    };
    check_selection(root, &op.selection, &mut vec![head], &mut errors);
    if errors.is_empty() && root == "Mutation" {
        for field in &op.selection {
            if field.name == "minimizeComment" {
                check_minimize_input(field, &variables, &op.defaults, &mut errors);
            }
        }
    }
    if !errors.is_empty() {
        for e in &errors {
            state.violate(line, format!("GraphQL: {}", e.message));
        }
        return Reply::json(
            200,
            json!({"errors": errors.iter().map(GqlError::to_json).collect::<Vec<_>>()}),
        );
    }
    let mut data = Map::new();
    let mut runtime = Vec::new();
    for field in &op.selection {
        let value = match field.name.as_str() {
            "__typename" => Value::from(root),
            "viewer" => project(&field.selection, &actor_json(login)),
            "repository" => repository(state, field, &variables, &op.defaults, login, &mut runtime),
            "minimizeComment" => {
                let who = (login, line);
                minimize(state, field, (&variables, &op.defaults), who, &mut runtime)
            }
            _ => Value::Null,
        };
        data.insert(field.key().to_owned(), value);
    }
    let mut out = json!({"data": data});
    if !runtime.is_empty() {
        for e in &runtime {
            if e.extra.get("type") != Some(&Value::from("NOT_FOUND")) {
                state.violate(line, format!("GraphQL: {}", e.message));
            }
        }
        out["errors"] = runtime.iter().map(GqlError::to_json).collect();
    }
    Reply::json(200, out)
}

fn check_minimize_input(
    field: &Field,
    variables: &Map<String, Value>,
    defaults: &BTreeMap<String, GValue>,
    errors: &mut Vec<GqlError>,
) {
    let at = |message: String| {
        GqlError::at(message, field.line, field.column)
            .with("extensions", json!({"code": "argumentLiteralsIncompatible", "typeName": "InputObject", "argumentName": "input"}))
    };
    // An enum written as a string literal is a GraphQL type error.
    if let Some(GValue::Object(fields)) = field.arg("input")
        && let Some((_, GValue::Str(s))) = fields.iter().find(|(k, _)| k == "classifier")
    {
        errors.push(at(format!(
            "Argument 'classifier' on InputObject 'MinimizeCommentInput' has an invalid value (\"{s}\"). Expected type 'ReportedContentClassifiers!'."
        )));
        return;
    }
    let input = field
        .arg("input")
        .map_or(Value::Null, |v| resolve(v, variables, defaults));
    let Some(input) = input.as_object() else {
        errors.push(at("Argument 'input' on Field 'minimizeComment' has an invalid value. Expected type 'MinimizeCommentInput!'.".into()));
        return;
    };
    for key in input.keys() {
        if !["subjectId", "classifier", "clientMutationId"].contains(&key.as_str()) {
            errors.push(at(format!(
                "InputObject 'MinimizeCommentInput' doesn't accept argument '{key}'"
            )));
        }
    }
    if !input.get("subjectId").is_some_and(Value::is_string) {
        errors.push(at("Argument 'subjectId' on InputObject 'MinimizeCommentInput' is required. Expected type ID!".into()));
    }
    match input.get("classifier").and_then(Value::as_str) {
        Some(c) if CLASSIFIERS.contains(&c) => {}
        Some(c) => errors.push(at(format!(
            "Argument 'classifier' on InputObject 'MinimizeCommentInput' has an invalid value ({c}). Expected type 'ReportedContentClassifiers!'."
        ))),
        None => errors.push(at(
            "Argument 'classifier' on InputObject 'MinimizeCommentInput' is required. Expected type ReportedContentClassifiers!".into(),
        )),
    }
}

fn not_found(message: String, field: &Field, path: Vec<String>) -> GqlError {
    GqlError::at(message, field.line, field.column)
        .with("type", Value::from("NOT_FOUND"))
        .with("path", Value::from(path))
}

/// GraphQL shows bots without the `[bot]` suffix REST uses.
fn actor_json(login: &str) -> Value {
    let (name, typename) = match login.strip_suffix("[bot]") {
        Some(bot) => (bot, "Bot"),
        None => (login, "User"),
    };
    json!({"login": name, "url": format!("https://github.com/{login}"), "__typename": typename})
}

fn minimized_reason(classifier: &str) -> String {
    classifier.to_ascii_lowercase()
}

fn repository(
    state: &State,
    field: &Field,
    variables: &Map<String, Value>,
    defaults: &BTreeMap<String, GValue>,
    login: &str,
    errors: &mut Vec<GqlError>,
) -> Value {
    let arg = |f: &Field, name: &str| {
        f.arg(name)
            .map_or(Value::Null, |v| resolve(v, variables, defaults))
    };
    let owner = arg(field, "owner").as_str().unwrap_or_default().to_owned();
    let name = arg(field, "name").as_str().unwrap_or_default().to_owned();
    let Some(repo) = state.repos.get(&super::repo_key(&owner, &name)) else {
        errors.push(not_found(
            format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
            field,
            vec![field.key().to_owned()],
        ));
        return Value::Null;
    };
    let mut out = Map::new();
    for sub in &field.selection {
        let value = match sub.name.as_str() {
            "__typename" => Value::from("Repository"),
            "id" => Value::from(format!("R_kgDOFake{}", repo.id)),
            "name" => Value::from(repo.name.clone()),
            "nameWithOwner" => Value::from(format!("{}/{}", repo.owner, repo.name)),
            "pullRequest" => {
                let number = arg(sub, "number").as_u64().unwrap_or(0);
                match repo.pulls.get(&number) {
                    None => {
                        errors.push(not_found(
                            format!(
                                "Could not resolve to a PullRequest with the number of {number}."
                            ),
                            sub,
                            vec![field.key().to_owned(), sub.key().to_owned()],
                        ));
                        Value::Null
                    }
                    Some(pull) => {
                        let mut pr = Map::new();
                        for f in &sub.selection {
                            let value = match f.name.as_str() {
                                "__typename" => Value::from("PullRequest"),
                                "id" => Value::from(format!("PR_kwDOFake{number}")),
                                "number" => Value::from(number),
                                "headRefOid" => Value::from(pull.head_sha.clone()),
                                "state" => Value::from(match (pull.merged, pull.state.as_str()) {
                                    (true, _) => "MERGED",
                                    (false, "open") => "OPEN",
                                    _ => "CLOSED",
                                }),
                                "url" => Value::from(format!(
                                    "https://github.com/{}/{}/pull/{number}",
                                    repo.owner, repo.name
                                )),
                                "comments" => {
                                    let path = vec![
                                        field.key().to_owned(),
                                        sub.key().to_owned(),
                                        f.key().to_owned(),
                                    ];
                                    let all: Vec<&super::Comment> = repo
                                        .comments
                                        .iter()
                                        .filter(|c| c.issue_number == number)
                                        .collect();
                                    match connection(&all, f, &arg, login) {
                                        Ok(full) => project(&f.selection, &full),
                                        Err(message) => {
                                            errors.push(
                                                GqlError::at(message, f.line, f.column)
                                                    .with("path", Value::from(path)),
                                            );
                                            Value::Null
                                        }
                                    }
                                }
                                _ => Value::Null,
                            };
                            pr.insert(f.key().to_owned(), value);
                        }
                        Value::Object(pr)
                    }
                }
            }
            _ => Value::Null,
        };
        out.insert(sub.key().to_owned(), value);
    }
    Value::Object(out)
}

fn cursor(id: u64) -> String {
    format!("{CURSOR_PREFIX}{id}")
}

/// Build the full `IssueCommentConnection` for `comments(first|last, after|before)`.
fn connection(
    all: &[&super::Comment],
    field: &Field,
    arg: &dyn Fn(&Field, &str) -> Value,
    login: &str,
) -> Result<Value, String> {
    let first = arg(field, "first").as_i64();
    let last = arg(field, "last").as_i64();
    for (name, n) in [("first", first), ("last", last)] {
        if let Some(n) = n {
            if n > MAX_PAGE {
                return Err(format!(
                    "Requesting {n} records on the `comments` connection exceeds the `{name}` limit of 100 records."
                ));
            }
            if n < 0 {
                return Err(format!(
                    "`{name}` on the `comments` connection cannot be less than zero."
                ));
            }
        }
    }
    if first.is_none() && last.is_none() {
        return Err("You must provide a `first` or `last` value to properly paginate the `comments` connection.".into());
    }
    let parse_cursor = |name: &str| -> Result<Option<u64>, String> {
        match arg(field, name) {
            Value::Null => Ok(None),
            Value::String(c) => c
                .strip_prefix(CURSOR_PREFIX)
                .and_then(|id| id.parse().ok())
                .map(Some)
                .ok_or_else(|| format!("`{c}` does not appear to be a valid cursor.")),
            other => Err(format!("`{other}` does not appear to be a valid cursor.")),
        }
    };
    let after = parse_cursor("after")?;
    let before = parse_cursor("before")?;
    let window: Vec<&super::Comment> = all
        .iter()
        .copied()
        .filter(|c| after.is_none_or(|a| c.id > a) && before.is_none_or(|b| c.id < b))
        .collect();
    let mut page: &[&super::Comment] = &window;
    if let Some(n) = first.and_then(|n| usize::try_from(n).ok()) {
        page = &page[..n.min(page.len())];
    }
    if let Some(n) = last.and_then(|n| usize::try_from(n).ok()) {
        page = &page[page.len().saturating_sub(n)..];
    }
    let node = |c: &super::Comment| {
        json!({
            "__typename": "IssueComment",
            "id": c.node_id,
            "databaseId": c.id,
            "body": c.body,
            "isMinimized": c.minimized.is_some(),
            "minimizedReason": c.minimized.as_deref().map(minimized_reason),
            "createdAt": c.created_at,
            "updatedAt": c.updated_at,
            "url": c.html_url,
            "viewerDidAuthor": c.user == login,
            "viewerCanMinimize": true,
            "viewerCanUpdate": true,
            "viewerCanDelete": true,
            "author": actor_json(&c.user),
        })
    };
    let first_id = page.first().map(|c| c.id);
    let last_id = page.last().map(|c| c.id);
    Ok(json!({
        "__typename": "IssueCommentConnection",
        "totalCount": all.len(),
        "nodes": page.iter().map(|c| node(c)).collect::<Vec<_>>(),
        "edges": page.iter().map(|c| json!({"__typename": "IssueCommentEdge", "cursor": cursor(c.id), "node": node(c)})).collect::<Vec<_>>(),
        "pageInfo": {
            "__typename": "PageInfo",
            "hasNextPage": last_id.is_some_and(|l| all.iter().any(|c| c.id > l)),
            "hasPreviousPage": first_id.is_some_and(|f| all.iter().any(|c| c.id < f)),
            "startCursor": first_id.map(cursor),
            "endCursor": last_id.map(cursor),
        },
    }))
}

fn minimize(
    state: &mut State,
    field: &Field,
    (variables, defaults): (&Map<String, Value>, &BTreeMap<String, GValue>),
    (login, line): (&str, &str),
    errors: &mut Vec<GqlError>,
) -> Value {
    let input = field
        .arg("input")
        .map_or(Value::Null, |v| resolve(v, variables, defaults));
    let subject = input["subjectId"].as_str().unwrap_or_default().to_owned();
    let classifier = input["classifier"].as_str().unwrap_or_default().to_owned();
    // GitHub lets anyone with write access hide any comment; tfnotify must hide only its own.
    let author = state
        .repos
        .values()
        .flat_map(|r| r.comments.iter())
        .find(|c| c.node_id == subject)
        .map(|c| c.user.clone());
    if let Some(author) = author.filter(|a| a != login) {
        state.violate(line, format!("hides a comment of `{author}`"));
    }
    let comment = state
        .repos
        .values_mut()
        .flat_map(|r| r.comments.iter_mut())
        .find(|c| c.node_id == subject);
    let Some(comment) = comment else {
        errors.push(not_found(
            format!("Could not resolve to a node with the global id of '{subject}'"),
            field,
            vec![field.key().to_owned()],
        ));
        return Value::Null;
    };
    comment.minimized = Some(classifier.clone());
    let full = json!({
        "__typename": "MinimizeCommentPayload",
        "clientMutationId": input.get("clientMutationId").cloned().unwrap_or(Value::Null),
        "minimizedComment": {
            "__typename": "IssueComment",
            "isMinimized": true,
            "minimizedReason": minimized_reason(&classifier),
            "viewerCanMinimize": true,
        },
    });
    project(&field.selection, &full)
}
