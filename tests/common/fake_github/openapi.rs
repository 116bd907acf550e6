//! The extracted subset of GitHub's `OpenAPI` description
//! (`tests/fixtures/github-openapi/subset.json`, produced by `tools/github-openapi/extract.mjs`):
//! operation lookup, a small JSON Schema validator and a filler that completes responses.

use serde_json::{Map, Value};

const SUBSET: &str = include_str!("../../fixtures/github-openapi/subset.json");

/// Nesting limit for `$ref` chains, so a recursive schema can never loop.
const MAX_DEPTH: usize = 24;

/// The operations and component schemas of the subset.
pub(crate) struct Spec {
    operations: Vec<Operation>,
    schemas: Map<String, Value>,
}

/// One documented operation.
pub(crate) struct Operation {
    /// GitHub's `operationId`, e.g. `issues/create-comment`.
    pub(crate) id: String,
    pub(crate) method: String,
    segments: Vec<Segment>,
    /// Parameters (path and query).
    pub(crate) parameters: Vec<Parameter>,
    /// `(required, schema)` of the JSON request body.
    pub(crate) body: Option<(bool, Value)>,
    /// 2xx status → response schema (`null` for no content).
    pub(crate) responses: Vec<(u16, Value)>,
}

enum Segment {
    Literal(String),
    Variable(String),
}

/// One documented parameter.
pub(crate) struct Parameter {
    pub(crate) name: String,
    pub(crate) location: String,
    pub(crate) required: bool,
    pub(crate) schema: Value,
}

/// A request path matched against an operation: path variables, percent-decoded.
pub(crate) struct Matched<'a> {
    pub(crate) operation: &'a Operation,
    pub(crate) vars: Vec<(String, String)>,
}

impl Matched<'_> {
    /// The decoded value of a path variable (empty if absent).
    pub(crate) fn var(&self, name: &str) -> &str {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

impl Spec {
    /// Parse the embedded subset.
    pub(crate) fn load() -> Self {
        let root: Value = serde_json::from_str(SUBSET).expect("subset.json is valid JSON");
        let schemas = root["schemas"].as_object().cloned().unwrap_or_default();
        let operations = root["operations"]
            .as_array()
            .map(|ops| ops.iter().map(Operation::from_json).collect())
            .unwrap_or_default();
        Self {
            operations,
            schemas,
        }
    }

    /// Find the operation for `method` and the raw (still percent-encoded) `path`.
    /// `Err(true)` means the path exists with another method, `Err(false)` that it is unknown.
    pub(crate) fn find(&self, method: &str, path: &str) -> Result<Matched<'_>, bool> {
        let parts: Vec<&str> = path.split('/').collect();
        let mut path_known = false;
        for op in &self.operations {
            let Some(vars) = op.match_path(&parts) else {
                continue;
            };
            if op.method == method {
                return Ok(Matched {
                    operation: op,
                    vars,
                });
            }
            path_known = true;
        }
        Err(path_known)
    }

    /// Validate `value` against `schema`, appending `"<at>: <problem>"` to `errors`.
    pub(crate) fn validate(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        self.validate_at(schema, value, at, errors, 0);
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        let mut schema = schema;
        for _ in 0..MAX_DEPTH {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => match self.schemas.get(r.trim_start_matches("#/schemas/")) {
                    Some(s) => schema = s,
                    None => return &Value::Null,
                },
                None => return schema,
            }
        }
        schema
    }

    fn validate_at(
        &self,
        schema: &Value,
        value: &Value,
        at: &str,
        errors: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let schema = self.resolve(schema);
        let Some(s) = schema.as_object() else { return };
        if value.is_null() && s.get("nullable") == Some(&Value::Bool(true)) {
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alternatives) = s.get(key).and_then(Value::as_array) {
                // Treated as anyOf: GitHub's alternatives often overlap (private/public user).
                let mut first = None;
                for alt in alternatives {
                    let mut errs = Vec::new();
                    self.validate_at(alt, value, at, &mut errs, depth + 1);
                    if errs.is_empty() {
                        first = None;
                        break;
                    }
                    first.get_or_insert(errs);
                }
                if let Some(errs) = first {
                    errors.extend(errs);
                }
            }
        }
        if let Some(all) = s.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.validate_at(sub, value, at, errors, depth + 1);
            }
        }
        if let Some(ty) = s.get("type").and_then(Value::as_str) {
            let ok = match ty {
                "string" => value.is_string(),
                "integer" => value.is_i64() || value.is_u64(),
                "number" => value.is_number(),
                "boolean" => value.is_boolean(),
                "array" => value.is_array(),
                "object" => value.is_object(),
                "null" => value.is_null(),
                _ => true,
            };
            if !ok {
                errors.push(format!("{at}: {} is not of type {ty}", short(value)));
                return;
            }
        }
        if let Some(options) = s.get("enum").and_then(Value::as_array)
            && !options.contains(value)
        {
            errors.push(format!(
                "{at}: {} is not one of {}",
                short(value),
                Value::from(options.clone())
            ));
        }
        if let Some(text) = value.as_str() {
            let len = text.chars().count();
            if let Some(max) = s.get("maxLength").and_then(Value::as_u64)
                && u64::try_from(len).unwrap_or(u64::MAX) > max
            {
                errors.push(format!(
                    "{at}: string of {len} characters is longer than {max}"
                ));
            }
            if let Some(min) = s.get("minLength").and_then(Value::as_u64)
                && u64::try_from(len).unwrap_or(u64::MAX) < min
            {
                errors.push(format!(
                    "{at}: string of {len} characters is shorter than {min}"
                ));
            }
        }
        if let Some(n) = value.as_f64() {
            if let Some(max) = s.get("maximum").and_then(Value::as_f64)
                && n > max
            {
                errors.push(format!("{at}: {n} is greater than the maximum {max}"));
            }
            if let Some(min) = s.get("minimum").and_then(Value::as_f64)
                && n < min
            {
                errors.push(format!("{at}: {n} is less than the minimum {min}"));
            }
        }
        if let Some(items) = value.as_array() {
            if let Some(min) = s.get("minItems").and_then(Value::as_u64)
                && u64::try_from(items.len()).unwrap_or(u64::MAX) < min
            {
                errors.push(format!("{at}: array has fewer than {min} items"));
            }
            if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
                && u64::try_from(items.len()).unwrap_or(u64::MAX) > max
            {
                errors.push(format!("{at}: array has more than {max} items"));
            }
            if let Some(item_schema) = s.get("items") {
                for (i, item) in items.iter().enumerate() {
                    self.validate_at(item_schema, item, &format!("{at}/{i}"), errors, depth + 1);
                }
            }
        }
        if let Some(object) = value.as_object() {
            if let Some(required) = s.get("required").and_then(Value::as_array) {
                for name in required.iter().filter_map(Value::as_str) {
                    if !object.contains_key(name) {
                        errors.push(format!("{at}: required property \"{name}\" is missing"));
                    }
                }
            }
            let properties = s.get("properties").and_then(Value::as_object);
            for (name, v) in object {
                match properties.and_then(|p| p.get(name)) {
                    Some(sub) => {
                        self.validate_at(sub, v, &format!("{at}/{name}"), errors, depth + 1);
                    }
                    None => {
                        if s.get("additionalProperties") == Some(&Value::Bool(false)) {
                            errors.push(format!("{at}: property \"{name}\" is not allowed"));
                        } else if let Some(extra) =
                            s.get("additionalProperties").filter(|a| a.is_object())
                        {
                            self.validate_at(extra, v, &format!("{at}/{name}"), errors, depth + 1);
                        }
                    }
                }
            }
        }
    }

    /// Complete `value` so that it has every property `schema` requires: the fake sets
    /// the fields it models and this fills the rest with neutral placeholders.
    pub(crate) fn fill(&self, schema: &Value, value: &mut Value) {
        self.fill_at(schema, value, 0);
    }

    fn fill_at(&self, schema: &Value, value: &mut Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let schema = self.resolve(schema);
        if let Some(first) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            self.fill_at(first, value, depth + 1);
            return;
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for sub in all {
                self.fill_at(sub, value, depth + 1);
            }
        }
        match value {
            Value::Object(object) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                for name in schema
                    .get("required")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if !object.contains_key(name) {
                        let sub = properties.and_then(|p| p.get(name)).unwrap_or(&Value::Null);
                        object.insert(name.to_owned(), self.placeholder(sub, depth + 1));
                    }
                }
                if let Some(properties) = properties {
                    for (name, v) in object.iter_mut() {
                        if let Some(sub) = properties.get(name) {
                            self.fill_at(sub, v, depth + 1);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for item in items {
                        self.fill_at(item_schema, item, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    fn placeholder(&self, schema: &Value, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if schema.get("nullable") == Some(&Value::Bool(true)) || depth > MAX_DEPTH {
            return Value::Null;
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|e| e.first())
        {
            return first.clone();
        }
        let ty = schema
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_else(|| {
                if schema.get("properties").is_some() || schema.get("allOf").is_some() {
                    "object"
                } else {
                    ""
                }
            });
        let mut value = match ty {
            "string" => match schema.get("format").and_then(Value::as_str) {
                Some("date-time") => Value::from("2026-01-01T00:00:00Z"),
                Some("uri") => Value::from("https://github.com/"),
                _ => Value::from(""),
            },
            "integer" | "number" => Value::from(0),
            "boolean" => Value::Bool(false),
            "array" => Value::Array(Vec::new()),
            "object" => Value::Object(Map::new()),
            _ => match schema.get("oneOf").or_else(|| schema.get("anyOf")) {
                Some(Value::Array(alternatives)) if !alternatives.is_empty() => {
                    return self.placeholder(&alternatives[0], depth + 1);
                }
                _ => Value::Null,
            },
        };
        self.fill_at(schema, &mut value, depth + 1);
        value
    }
}

impl Operation {
    fn from_json(op: &Value) -> Self {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let segments = op["path"]
            .as_str()
            .unwrap_or_default()
            .split('/')
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(var) => Segment::Variable(var.to_owned()),
                    None => Segment::Literal(s.to_owned()),
                },
            )
            .collect();
        let parameters = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| Parameter {
                name: text(&p["name"]),
                location: text(&p["in"]),
                required: p["required"].as_bool().unwrap_or(false),
                schema: p["schema"].clone(),
            })
            .collect();
        let body = op["requestBody"].as_object().map(|b| {
            (
                b.get("required") == Some(&Value::Bool(true)),
                b["schema"].clone(),
            )
        });
        let responses = op["responses"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(status, schema)| Some((status.parse().ok()?, schema.clone())))
            .collect();
        Self {
            id: text(&op["operationId"]),
            method: text(&op["method"]),
            segments,
            parameters,
            body,
            responses,
        }
    }

    fn match_path(&self, parts: &[&str]) -> Option<Vec<(String, String)>> {
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut vars = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Variable(_) if part.is_empty() => return None,
                Segment::Variable(name) => vars.push((name.clone(), percent_decode(part))),
            }
        }
        Some(vars)
    }

    /// The response schema for `status`, if the operation documents it.
    pub(crate) fn response_schema(&self, status: u16) -> Option<&Value> {
        self.responses
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, v)| v)
    }
}

/// Decode `%XX` escapes (and nothing else); invalid escapes are kept as they are.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}
