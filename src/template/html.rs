//! html/template's contextual auto-escaping, reduced to the contexts Markdown comment
//! templates use.
//!
//! Go decides statically, per action, which escapers to append by tracking an HTML
//! parser state through the template text. We track the same state dynamically while
//! executing: every literal text chunk is fed through the state machine (which also
//! performs Go's text rewrites: `<!-- -->` comments removed, a stray `<` in text turned
//! into `&lt;`), and every interpolated value is escaped for the state at that point.
//! For templates Go accepts, the output is the same; templates Go rejects as
//! ambiguous (branches ending in different contexts) are rendered, not rejected.
//!
//! Modelled: HTML text, RCDATA (`<textarea>`, `<title>`), HTML comments, tags,
//! attribute names, quoted and unquoted attribute values, URL-valued attributes
//! (`href`, `src`, ... and any name containing `src`/`uri`/`url`) with Go's scheme
//! filter (`#ZgotmplZ`), normalisation and query escaping.
//!
//! Not modelled: JavaScript and CSS (`<script>`, `<style>`, `on*=` and `style=`
//! attributes, `srcset`). Literal text there is passed through unchanged (Go would
//! also strip JS/CSS comments), and an action that interpolates a value there fails
//! with an error instead of guessing an escaping. The errors Go raises while
//! escaping (bad attribute names, `html` mid-pipeline, output ending inside a tag,
//! missing templates) come from `escape_check.rs`, which runs this state machine over
//! the whole template before execution, as Go does.

use crate::template::escapers::{Table, html_replace, strip_tags, url_filter, url_process};
use crate::template::meter::Meter;
use crate::template::printf;
use crate::template::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    Tag,
    AttrName,
    AfterName,
    BeforeValue,
    HtmlComment,
    RcData,
    Attr,
    Url,
    Js,
    Css,
    Srcset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Element {
    None,
    Script,
    Style,
    Textarea,
    Title,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Attr {
    None,
    Script,
    ScriptType,
    Style,
    Url,
    Srcset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delim {
    None,
    Double,
    Single,
    SpaceOrTagEnd,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UrlPart {
    None,
    PreQuery,
    QueryOrFrag,
}

/// The escaping context at the current output position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HtmlState {
    state: State,
    element: Element,
    attr: Attr,
    delim: Delim,
    url_part: UrlPart,
}

impl Default for HtmlState {
    fn default() -> Self {
        HtmlState {
            state: State::Text,
            element: Element::None,
            attr: Attr::None,
            delim: Delim::None,
            url_part: UrlPart::None,
        }
    }
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

fn eat_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    i
}

fn eat_tag_name(s: &[u8], i: usize) -> (usize, Element) {
    if i == s.len() || !s[i].is_ascii_alphabetic() {
        return (i, Element::None);
    }
    let mut j = i + 1;
    while j < s.len() {
        let x = s[j];
        if x.is_ascii_alphanumeric() {
            j += 1;
            continue;
        }
        if (x == b':' || x == b'-') && j + 1 < s.len() && s[j + 1].is_ascii_alphanumeric() {
            j += 2;
            continue;
        }
        break;
    }
    let name = String::from_utf8_lossy(&s[i..j]).to_ascii_lowercase();
    let e = match name.as_str() {
        "script" => Element::Script,
        "style" => Element::Style,
        "textarea" => Element::Textarea,
        "title" => Element::Title,
        _ => Element::None,
    };
    (j, e)
}

/// Go's `attrType` for the attribute kinds we distinguish.
fn attr_type(name: &str) -> Attr {
    let mut n = name;
    if let Some(rest) = n.strip_prefix("data-") {
        n = rest;
    } else if let Some((prefix, rest)) = n.split_once(':') {
        if prefix == "xmlns" {
            return Attr::Url;
        }
        n = rest;
    }
    match n {
        "action" | "archive" | "background" | "cite" | "classid" | "codebase" | "data"
        | "formaction" | "href" | "icon" | "longdesc" | "manifest" | "poster" | "profile"
        | "src" | "usemap" | "xmlns" => return Attr::Url,
        "srcset" => return Attr::Srcset,
        "style" => return Attr::Style,
        _ => {}
    }
    if n.starts_with("on") {
        return Attr::Script;
    }
    if n.contains("src") || n.contains("uri") || n.contains("url") {
        return Attr::Url;
    }
    Attr::None
}

fn element_state(e: Element) -> State {
    match e {
        Element::None => State::Text,
        Element::Script => State::Js,
        Element::Style => State::Css,
        Element::Textarea | Element::Title => State::RcData,
    }
}

fn end_marker(e: Element) -> &'static str {
    match e {
        Element::Script => "script",
        Element::Style => "style",
        Element::Textarea => "textarea",
        Element::Title => "title",
        Element::None => "",
    }
}

/// Go's `indexTagEnd`: the offset of `</name` (case-insensitive) followed by a
/// space, `/` or `>`.
fn index_tag_end(s: &[u8], name: &str) -> Option<usize> {
    let lower = s.to_ascii_lowercase();
    let pat = format!("</{name}");
    let mut from = 0;
    while let Some(i) = find(&lower[from..], pat.as_bytes()) {
        let at = from + i;
        let after = at + pat.len();
        if after >= s.len()
            || matches!(
                s[after],
                b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'/' | b'>'
            )
        {
            return Some(at);
        }
        from = after;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

impl HtmlState {
    /// Feeds literal template text, writing what Go's escaper would emit for it.
    pub(crate) fn text(&mut self, text: &str, out: &mut String) -> Result<(), String> {
        let s = text.as_bytes();
        let mut i = 0;
        let mut written = 0;
        while i < s.len() {
            let before = self.state;
            let n = self.context_after_text(&s[i..])?;
            let i1 = i + n;
            if before == State::Text || before == State::RcData {
                let mut end = i1;
                if self.state != before
                    && let Some(j) = s[i..i1].iter().rposition(|&b| b == b'<')
                {
                    end = i + j;
                }
                for j in i..end {
                    if s[j] == b'<'
                        && !s[j..]
                            .get(..9)
                            .is_some_and(|p| p.eq_ignore_ascii_case(b"<!DOCTYPE"))
                    {
                        out.push_str(&text[written..j]);
                        out.push_str("&lt;");
                        written = j + 1;
                    }
                }
            } else if before == State::HtmlComment {
                written = i1;
            }
            if before != self.state && self.state == State::HtmlComment {
                let cs = i1 - 4;
                out.push_str(&text[written..cs]);
                written = i1;
            }
            i = i1;
        }
        out.push_str(&text[written..]);
        Ok(())
    }

    /// Go's `contextAfterText`: special elements end at their end tag first.
    fn context_after_text(&mut self, s: &[u8]) -> Result<usize, String> {
        if self.delim == Delim::None
            && self.element != Element::None
            && let Some(i) = index_tag_end(s, end_marker(self.element))
        {
            if i == 0 {
                *self = HtmlState::default();
                return Ok(0);
            }
            return self.transition(&s[..i]);
        }
        self.transition(s)
    }

    /// Go's end-of-template check: output must end in plain text.
    pub(crate) fn check_end(self) -> Result<(), String> {
        if self.state == State::Text && self.delim == Delim::None {
            return Ok(());
        }
        let state = match self.state {
            State::Text => "stateText",
            State::Tag => "stateTag",
            State::AttrName => "stateAttrName",
            State::AfterName => "stateAfterName",
            State::BeforeValue => "stateBeforeValue",
            State::HtmlComment => "stateHTMLCmt",
            State::RcData => "stateRCDATA",
            State::Attr => "stateAttr",
            State::Url => "stateURL",
            State::Js => "stateJS",
            State::Css => "stateCSS",
            State::Srcset => "stateSrcset",
        };
        let delim = match self.delim {
            Delim::None => "delimNone",
            Delim::Double => "delimDoubleQuote",
            Delim::Single => "delimSingleQuote",
            Delim::SpaceOrTagEnd => "delimSpaceOrTagEnd",
        };
        let url = match self.url_part {
            UrlPart::None => "urlPartNone",
            UrlPart::PreQuery => "urlPartPreQuery",
            UrlPart::QueryOrFrag => "urlPartQueryOrFrag",
        };
        let attr = match self.attr {
            Attr::None => "attrNone",
            Attr::Script => "attrScript",
            Attr::ScriptType => "attrScriptType",
            Attr::Style => "attrStyle",
            Attr::Url => "attrURL",
            Attr::Srcset => "attrSrcset",
        };
        let element = match self.element {
            Element::None => "elementNone",
            Element::Script => "elementScript",
            Element::Style => "elementStyle",
            Element::Textarea => "elementTextarea",
            Element::Title => "elementTitle",
        };
        Err(format!(
            "ends in a non-text context: {{{state} {delim} {url} jsCtxRegexp {attr} {element} <nil>}}"
        ))
    }

    /// One transition step; returns how many bytes were consumed.
    fn transition(&mut self, s: &[u8]) -> Result<usize, String> {
        if self.delim != Delim::None {
            return self.attr_value(s);
        }
        Ok(match self.state {
            State::Text => self.t_text(s),
            State::Tag => self.t_tag(s)?,
            State::AttrName => {
                let i = eat_attr_name(s, 0)?;
                if i != s.len() {
                    self.state = State::AfterName;
                }
                i
            }
            State::AfterName => {
                let i = eat_ws(s, 0);
                if i == s.len() {
                    return Ok(s.len());
                }
                if s[i] == b'=' {
                    self.state = State::BeforeValue;
                    return Ok(i + 1);
                }
                self.state = State::Tag;
                i
            }
            State::BeforeValue => {
                let mut i = eat_ws(s, 0);
                if i == s.len() {
                    return Ok(s.len());
                }
                let mut delim = Delim::SpaceOrTagEnd;
                match s[i] {
                    b'\'' => {
                        delim = Delim::Single;
                        i += 1;
                    }
                    b'"' => {
                        delim = Delim::Double;
                        i += 1;
                    }
                    _ => {}
                }
                self.state = attr_start_state(self.attr);
                self.delim = delim;
                i
            }
            State::HtmlComment => match find(s, b"-->") {
                Some(i) => {
                    *self = HtmlState::default();
                    i + 3
                }
                None => s.len(),
            },
            State::RcData | State::Js | State::Css => {
                match index_tag_end(s, end_marker(self.element)) {
                    Some(i) => {
                        *self = HtmlState::default();
                        i
                    }
                    None => s.len(),
                }
            }
            State::Attr | State::Url | State::Srcset => s.len(),
        })
    }

    fn t_text(&mut self, s: &[u8]) -> usize {
        let mut k = 0;
        loop {
            let Some(off) = s[k..].iter().position(|&b| b == b'<') else {
                return s.len();
            };
            let mut i = k + off;
            if i + 1 == s.len() {
                return s.len();
            }
            if s[i..].starts_with(b"<!--") {
                self.state = State::HtmlComment;
                return i + 4;
            }
            i += 1;
            let mut end = false;
            if s[i] == b'/' {
                if i + 1 == s.len() {
                    return s.len();
                }
                end = true;
                i += 1;
            }
            let (j, e) = eat_tag_name(s, i);
            if j != i {
                *self = HtmlState {
                    state: State::Tag,
                    element: if end { Element::None } else { e },
                    ..HtmlState::default()
                };
                return j;
            }
            k = j;
        }
    }

    fn t_tag(&mut self, s: &[u8]) -> Result<usize, String> {
        let i = eat_ws(s, 0);
        if i == s.len() {
            return Ok(s.len());
        }
        if s[i] == b'>' {
            let e = self.element;
            *self = HtmlState {
                state: element_state(e),
                element: e,
                ..HtmlState::default()
            };
            return Ok(i + 1);
        }
        let j = eat_attr_name(s, i)?;
        if j == i {
            return Err(format!(
                "expected space, attr name, or end of tag, but got {}",
                quote_bytes(&s[i..], usize::MAX)
            ));
        }
        let name = String::from_utf8_lossy(&s[i..j]).to_ascii_lowercase();
        self.attr = if self.element == Element::Script && name == "type" {
            Attr::ScriptType
        } else {
            attr_type(&name)
        };
        self.state = if j == s.len() {
            State::AttrName
        } else {
            State::AfterName
        };
        Ok(j)
    }

    fn attr_value(&mut self, s: &[u8]) -> Result<usize, String> {
        let ends: &[u8] = match self.delim {
            Delim::Double => b"\"",
            Delim::Single => b"'",
            _ => b" \t\n\x0c\r>",
        };
        let i = s.iter().position(|b| ends.contains(b)).unwrap_or(s.len());
        if self.delim == Delim::SpaceOrTagEnd
            && let Some(j) = s[..i].iter().position(|b| b"\"'<=`".contains(b))
        {
            return Err(format!(
                "{} in unquoted attr: {}",
                quote_bytes(&s[j..=j], usize::MAX),
                quote_bytes(&s[..i], usize::MAX)
            ));
        }
        if i == s.len() {
            if self.state == State::Url {
                let decoded = &s[..i];
                if decoded.iter().any(|&b| b == b'#' || b == b'?') {
                    self.url_part = UrlPart::QueryOrFrag;
                } else if eat_ws(decoded, 0) != decoded.len() && self.url_part == UrlPart::None {
                    self.url_part = UrlPart::PreQuery;
                }
            }
            return Ok(s.len());
        }
        let e = self.element;
        let consumed = if self.delim == Delim::SpaceOrTagEnd {
            i
        } else {
            i + 1
        };
        *self = HtmlState {
            state: State::Tag,
            element: e,
            ..HtmlState::default()
        };
        Ok(consumed)
    }

    /// Go's `nudge`: an action right after an attribute name or `=` starts a value.
    pub(crate) fn nudge(&mut self) {
        match self.state {
            State::Tag | State::AfterName => self.state = State::AttrName,
            State::BeforeValue => {
                self.state = attr_start_state(self.attr);
                self.delim = Delim::SpaceOrTagEnd;
            }
            _ => {}
        }
    }

    /// Whether an action here fills an unquoted plain attribute value, where Go
    /// forbids the `html` escaper.
    pub(crate) fn is_unquoted_attr(self) -> bool {
        self.state == State::Attr && self.delim == Delim::SpaceOrTagEnd
    }

    /// Whether the predefined escaper `name` (`html` or `urlquery`) is one html/template
    /// considers equivalent to an escaper this context needs, in which case Go uses it
    /// in place of its own (and drops its arguments).
    pub(crate) fn is_equivalent_escaper(self, name: &str) -> bool {
        let mut c = self;
        c.nudge();
        match name {
            "html" => {
                matches!(c.delim, Delim::Double | Delim::Single)
                    || c.delim == Delim::None && matches!(c.state, State::Text | State::RcData)
            }
            "urlquery" => c.state == State::Url,
            _ => false,
        }
    }

    /// Writes an interpolated value escaped for the current context. `predefined` is
    /// `html` or `urlquery` when the pipeline already ends with that escaper, which Go
    /// then uses in place of its own.
    /// Hitting the output limit is an error too; the meter tells it from the others.
    pub(crate) fn value(
        &mut self,
        v: &Value,
        predefined: Option<&str>,
        out: &mut String,
        m: &Meter,
    ) -> Result<(), String> {
        self.nudge();
        let is_html = matches!(v, Value::Html(_));
        let plain = match v {
            Value::Nil => String::new(),
            other => printf::to_string(other, m)?,
        };
        // Printing is work even where the context then drops the text (a comment).
        m.scan(plain.len())?;
        let room = m.limits().output.saturating_sub(out.len());
        let html_replace =
            |s: &str, table| html_replace(s, table, room).ok_or_else(|| m.too_long());
        let url_process = |s: &str, norm| url_process(s, norm, room).ok_or_else(|| m.too_long());
        let is_html_esc = predefined == Some("html");
        let is_url_esc = predefined == Some("urlquery");
        let s = match (self.state, predefined) {
            (State::Text | State::RcData, Some("html")) | (State::Attr, _) => plain,
            (State::Text, _) => {
                if is_html {
                    plain
                } else {
                    html_replace(&plain, Table::Html)?
                }
            }
            (State::RcData, _) => html_replace(
                &plain,
                if is_html {
                    Table::HtmlNorm
                } else {
                    Table::Html
                },
            )?,
            (State::HtmlComment, _) => return Ok(()),
            (State::Url, _) if is_url_esc => plain,
            (State::Url, _) => match self.url_part {
                UrlPart::None => url_process(&url_filter(&plain), true)?,
                UrlPart::PreQuery => url_process(&plain, true)?,
                UrlPart::QueryOrFrag => url_process(&plain, false)?,
            },
            (State::AttrName, _) => {
                let lower = plain.to_ascii_lowercase();
                if lower.is_empty()
                    || attr_type(&lower) != Attr::None
                    || !lower
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                {
                    "ZgotmplZ".to_string()
                } else {
                    lower
                }
            }
            (State::Js | State::Css | State::Srcset, _) => {
                return Err(format!(
                    "html/template escaping of values inside {} is not supported",
                    match self.state {
                        State::Js => "JavaScript",
                        State::Css => "CSS",
                        _ => "`srcset`",
                    }
                ));
            }
            (State::Tag | State::AfterName | State::BeforeValue, _) => plain,
        };
        let s = match self.delim {
            Delim::None => s,
            Delim::SpaceOrTagEnd => {
                if is_html {
                    html_replace(&strip_tags(&s), Table::NospaceNorm)?
                } else {
                    html_replace(&s, Table::Nospace)?
                }
            }
            _ => {
                if is_html_esc {
                    s
                } else if is_html && self.state == State::Attr {
                    html_replace(&strip_tags(&s), Table::HtmlNorm)?
                } else {
                    html_replace(&s, Table::Html)?
                }
            }
        };
        printf::put(out, &s, m)
    }
}

fn attr_start_state(a: Attr) -> State {
    match a {
        Attr::None | Attr::ScriptType => State::Attr,
        Attr::Script => State::Js,
        Attr::Style => State::Css,
        Attr::Url => State::Url,
        Attr::Srcset => State::Srcset,
    }
}

fn eat_attr_name(s: &[u8], i: usize) -> Result<usize, String> {
    let mut j = i;
    while j < s.len() {
        match s[j] {
            b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'=' | b'>' => return Ok(j),
            b'\'' | b'"' | b'<' => {
                return Err(format!(
                    "{} in attribute name: {}",
                    quote_bytes(&s[j..=j], usize::MAX),
                    quote_bytes(s, 32)
                ));
            }
            _ => {}
        }
        j += 1;
    }
    Ok(s.len())
}

/// Go's `%q` (or `%.Nq`, truncating to N runes) of raw template text.
fn quote_bytes(s: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(s);
    let cut: String = text.chars().take(max).collect();
    printf::quote_go(&cut)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::HtmlState;
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;
    use crate::template::value::Value;

    fn render(parts: &[Result<&str, &str>]) -> String {
        let mut h = HtmlState::default();
        let mut out = String::new();
        let m = Meter::new(Limits::default());
        for p in parts {
            match p {
                Ok(text) => h.text(text, &mut out).unwrap(),
                Err(v) => h.value(&Value::str(*v), None, &mut out, &m).unwrap(),
            }
        }
        out
    }

    #[test]
    fn text_and_comments() {
        assert_eq!(
            render(&[Ok("a <!-- x --> b < c "), Err("<&'\"+>")]),
            "a  b &lt; c &lt;&amp;&#39;&#34;&#43;&gt;"
        );
    }

    #[test]
    fn url_attributes() {
        assert_eq!(
            render(&[Ok("<a href=\""), Err("javascript:alert(1)"), Ok("\">")]),
            "<a href=\"#ZgotmplZ\">"
        );
        assert_eq!(
            render(&[Ok("<a href=\"/s?q="), Err("a b&c"), Ok("\">")]),
            "<a href=\"/s?q=a%20b%26c\">"
        );
        assert_eq!(
            render(&[Ok("<a title="), Err("x y"), Ok(">")]),
            "<a title=x&#32;y>"
        );
    }
}
