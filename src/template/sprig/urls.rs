//! Sprig's `urlParse` and `urlJoin` (`url.go`), on a port of the parts of Go's
//! `net/url` they use.
//!
//! The `url` crate follows the WHATWG URL standard, which Go does not: it rejects
//! relative references (`/path?q=1`), lowercases hosts, adds a `/` path to `https://h`
//! and escapes differently. Templates see exactly what Go's `url.Parse` and
//! `URL.String` give, so those are ported here, function for function.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::template::funcs::{Func, FuncSet};
use crate::template::printf::quote_go;
use crate::template::sprig::lists::kind_name;
use crate::template::sprig::{Map, Str, add, s};
use crate::template::value::Value;

/// The escaping contexts of Go's `shouldEscape`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// The fields of Go's `url.URL` that sprig reads or writes.
#[derive(Default)]
struct GoUrl {
    scheme: String,
    opaque: String,
    user: Option<(String, Option<String>)>,
    host: String,
    path: String,
    raw_query: String,
    force_query: bool,
    omit_host: bool,
    fragment: String,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

fn escape(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, mode) {
            let _ = write!(out, "%{c:02X}");
        } else {
            out.push(char::from(c));
        }
    }
    out
}

fn unhex(c: u8) -> u8 {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
        .unwrap_or(0)
}

fn unescape(s: &str, mode: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    let mut end = (i + 3).min(s.len());
                    while !s.is_char_boundary(end) {
                        end -= 1;
                    }
                    let bad = &s[i..end];
                    return Err(format!("invalid URL escape {}", quote_go(bad)));
                }
                let code = &s[i..i + 3];
                if mode == Mode::Host && unhex(b[i + 1]) < 8 && code != "%25" {
                    return Err(format!("invalid URL escape {}", quote_go(code)));
                }
                if mode == Mode::Zone {
                    let v = (unhex(b[i + 1]) << 4) | unhex(b[i + 2]);
                    if code != "%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(format!("invalid URL escape {}", quote_go(code)));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    let bad = char::from(c).to_string();
                    return Err(format!("invalid character {} in host name", quote_go(&bad)));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push((unhex(b[i + 1]) << 4) | unhex(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `getScheme`.
fn get_scheme(raw: &str) -> Result<(&str, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i > 0 => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok(("", raw)),
        }
    }
    Ok(("", raw))
}

fn valid_optional_port(port: &str) -> bool {
    port.is_empty() || (port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

/// Go's `parseHost`.
fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let i = host.rfind(']').ok_or("missing ']' in host")?;
        let colon_port = &host[i + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote_go(colon_port)));
        }
        if let Some(zone) = host[..i].find("%25") {
            return Ok(unescape(&host[..zone], Mode::Host)?
                + &unescape(&host[zone..i], Mode::Zone)?
                + &unescape(&host[i..], Mode::Host)?);
        }
    } else if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", quote_go(colon_port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.chars()
        .all(|r| r.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(r))
}

/// Go's `parseAuthority`: the user and the host.
type Authority = (Option<(String, Option<String>)>, String);

fn parse_authority(authority: &str) -> Result<Authority, String> {
    let at = authority.rfind('@');
    let host = parse_host(at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".into());
    }
    let user = match userinfo.split_once(':') {
        None => (unescape(userinfo, Mode::UserPassword)?, None),
        Some((name, password)) => (
            unescape(name, Mode::UserPassword)?,
            Some(unescape(password, Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

impl GoUrl {
    /// Go's `url.Parse`, with its `*url.Error` wording.
    fn parse(raw: &str) -> Result<GoUrl, String> {
        let (u, frag) = raw.split_once('#').unwrap_or((raw, ""));
        let mut url =
            GoUrl::parse_without_fragment(u).map_err(|e| format!("parse {}: {e}", quote_go(u)))?;
        if !frag.is_empty() {
            url.fragment = unescape(frag, Mode::Fragment)
                .map_err(|e| format!("parse {}: {e}", quote_go(raw)))?;
        }
        Ok(url)
    }

    fn parse_without_fragment(raw: &str) -> Result<GoUrl, String> {
        if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
            return Err("net/url: invalid control character in URL".into());
        }
        let mut url = GoUrl::default();
        if raw == "*" {
            url.path = "*".into();
            return Ok(url);
        }
        let (scheme, rest) = get_scheme(raw)?;
        url.scheme = scheme.to_ascii_lowercase();
        let mut rest = rest;
        if rest.ends_with('?') && rest.matches('?').count() == 1 {
            url.force_query = true;
            rest = &rest[..rest.len() - 1];
        } else if let Some((r, q)) = rest.split_once('?') {
            rest = r;
            url.raw_query = q.to_string();
        }
        if !rest.starts_with('/') {
            if !url.scheme.is_empty() {
                url.opaque = rest.to_string();
                return Ok(url);
            }
            if rest.split('/').next().unwrap_or("").contains(':') {
                return Err("first path segment in URL cannot contain colon".into());
            }
        }
        if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
            let authority = &rest[2..];
            let (authority, path) = authority
                .find('/')
                .map_or((authority, ""), |i| (&authority[..i], &authority[i..]));
            (url.user, url.host) = parse_authority(authority)?;
            rest = path;
        } else if !url.scheme.is_empty() && rest.starts_with('/') {
            url.omit_host = true;
        }
        url.path = unescape(rest, Mode::Path)?;
        Ok(url)
    }

    /// Go's `Userinfo.String`.
    fn userinfo(&self) -> String {
        self.user
            .as_ref()
            .map_or_else(String::new, |(name, password)| {
                let mut s = escape(name, Mode::UserPassword);
                if let Some(p) = password {
                    s.push(':');
                    s.push_str(&escape(p, Mode::UserPassword));
                }
                s
            })
    }

    /// Go's `Hostname`: the host without its port or IPv6 brackets.
    fn hostname(&self) -> &str {
        let mut host = self.host.as_str();
        if let Some(colon) = host.rfind(':')
            && valid_optional_port(&host[colon..])
        {
            host = &host[..colon];
        }
        if host.starts_with('[') && host.ends_with(']') {
            host = &host[1..host.len() - 1];
        }
        host
    }

    /// Go's `URL.String`, for a URL built field by field (no raw forms kept).
    fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if self.opaque.is_empty() {
            let has_user = self.user.is_some();
            let authority = !self.scheme.is_empty() || !self.host.is_empty() || has_user;
            let omitted = self.omit_host && self.host.is_empty() && !has_user;
            if authority && !omitted {
                if !self.host.is_empty() || !self.path.is_empty() || has_user {
                    buf.push_str("//");
                }
                if has_user {
                    buf.push_str(&self.userinfo());
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = if self.path == "*" {
                "*".to_string()
            } else {
                escape(&self.path, Mode::Path)
            };
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().unwrap_or("").contains(':') {
                buf.push_str("./");
            }
            buf.push_str(&path);
        } else {
            buf.push_str(&self.opaque);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        buf
    }
}

/// Sprig's `dictGetOrEmpty`: a missing key is empty, a non-string one an error.
fn field(d: &BTreeMap<String, Value>, key: &str) -> Result<String, String> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::Str(s)) => Ok(s.to_string()),
        Some(Value::Nil) => {
            Err("runtime error: invalid memory address or nil pointer dereference".into())
        }
        Some(other) => Err(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            kind_name(other)
        )),
    }
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "urlParse",
        Func::new(&[Str], |a| {
            let url = GoUrl::parse(s(a, 0)).map_err(|e| format!("unable to parse url: {e}"))?;
            let mut d = BTreeMap::new();
            let mut put = |k: &str, v: &str| d.insert(k.to_string(), Value::str(v));
            put("scheme", &url.scheme);
            put("host", &url.host);
            put("hostname", url.hostname());
            put("path", &url.path);
            put("query", &url.raw_query);
            put("opaque", &url.opaque);
            put("fragment", &url.fragment);
            put("userinfo", &url.userinfo());
            Ok(Value::map(d))
        }),
    );
    add(
        set,
        "urlJoin",
        Func::new(&[Map], |a| {
            let Value::Map(m) = &a[0] else {
                return Err(
                    "runtime error: invalid memory address or nil pointer dereference".into(),
                );
            };
            let d = m.borrow();
            let mut url = GoUrl {
                scheme: field(&d, "scheme")?,
                host: field(&d, "host")?,
                path: field(&d, "path")?,
                raw_query: field(&d, "query")?,
                opaque: field(&d, "opaque")?,
                fragment: field(&d, "fragment")?,
                ..GoUrl::default()
            };
            let userinfo = field(&d, "userinfo")?;
            if !userinfo.is_empty() {
                let parsed = GoUrl::parse(&format!("proto://{userinfo}@host"))
                    .map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
                url.user = parsed.user;
            }
            Ok(Value::str(url.to_go_string()))
        }),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::GoUrl;

    #[test]
    fn parses_and_prints_like_go() {
        let u = GoUrl::parse("https://user:p%40ss@Example.com:8080/a%20b?x=1#frag").unwrap();
        assert_eq!(u.host, "Example.com:8080");
        assert_eq!(u.hostname(), "Example.com");
        assert_eq!(u.path, "/a b");
        assert_eq!(u.userinfo(), "user:p%40ss");
        assert_eq!(
            u.to_go_string(),
            "https://user:p%40ss@Example.com:8080/a%20b?x=1#frag"
        );
        let rel = GoUrl::parse("/only/path?q").unwrap();
        assert_eq!((rel.scheme.as_str(), rel.path.as_str()), ("", "/only/path"));
        assert_eq!(GoUrl::parse("a:b/c").unwrap().opaque, "b/c");
        assert!(GoUrl::parse(":x").is_err());
    }
}
