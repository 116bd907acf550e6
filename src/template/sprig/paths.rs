//! Sprig's path helpers: `base`, `dir`, `clean`, `ext` and `isAbs` are Go's `path`
//! package, and the `os…` forms its `filepath` package, which on the Unix systems
//! `tfnotify` runs on splits and cleans paths the same way.

use crate::template::funcs::{Func, FuncSet};
use crate::template::sprig::{Str, add, s};
use crate::template::value::Value;

pub(super) fn register(set: &mut FuncSet) {
    let text = |f: fn(&str) -> String| Func::new(&[Str], move |a| Ok(Value::str(f(s(a, 0)))));
    for prefix in ["", "os"] {
        let name = |n: &str| {
            if prefix.is_empty() {
                n.to_string()
            } else {
                format!("{prefix}{}{}", n[..1].to_uppercase(), &n[1..])
            }
        };
        add(set, &name("base"), text(base));
        add(set, &name("dir"), text(dir));
        add(set, &name("clean"), text(clean));
        add(set, &name("ext"), text(|p| ext(p).to_string()));
        add(
            set,
            &name("isAbs"),
            Func::new(&[Str], |a| Ok(Value::Bool(s(a, 0).starts_with('/')))),
        );
    }
}

/// Go's `path.Base`: the last element, trailing slashes dropped.
fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    let last = trimmed.rsplit('/').next().unwrap_or(trimmed);
    if last.is_empty() {
        "/".into()
    } else {
        last.into()
    }
}

/// Go's `path.Dir`: everything up to the last slash, cleaned.
fn dir(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// Go's `path.Ext`: from the last dot of the last element.
fn ext(path: &str) -> &str {
    for (i, b) in path.bytes().enumerate().rev() {
        match b {
            b'/' => return "",
            b'.' => return &path[i..],
            _ => {}
        }
    }
    ""
}

/// Go's `path.Clean`: the shortest equivalent path, purely lexically.
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let p = path.as_bytes();
    let rooted = p[0] == b'/';
    let n = p.len();
    let mut out: Vec<u8> = Vec::with_capacity(n);
    let (mut r, mut dotdot) = (0, 0);
    if rooted {
        out.push(b'/');
        (r, dotdot) = (1, 1);
    }
    while r < n {
        // An empty element or `.`: skipped.
        if p[r] == b'/' || (p[r] == b'.' && (r + 1 == n || p[r + 1] == b'/')) {
            r += 1;
        } else if p[r] == b'.' && p[r + 1] == b'.' && (r + 2 == n || p[r + 2] == b'/') {
            r += 2;
            if out.len() > dotdot {
                // Back to the last slash after `dotdot`, which goes too.
                let mut w = out.len() - 1;
                while w > dotdot && out[w] != b'/' {
                    w -= 1;
                }
                out.truncate(w);
            } else if !rooted {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(b"..");
                dotdot = out.len();
            }
        } else {
            if (rooted && out.len() != 1) || (!rooted && !out.is_empty()) {
                out.push(b'/');
            }
            while r < n && p[r] != b'/' {
                out.push(p[r]);
                r += 1;
            }
        }
    }
    if out.is_empty() {
        return ".".into();
    }
    // Only whole elements between ASCII slashes were copied, so the text stays UTF-8.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::{base, clean, dir, ext};

    #[test]
    fn paths_like_go() {
        assert_eq!(clean("a//b/../c/./d/"), "a/c/d");
        assert_eq!(clean("/../x"), "/x");
        assert_eq!(clean("../../x/.."), "../..");
        assert_eq!(base("/a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("a/b/c.txt"), "a/b");
        assert_eq!(dir("file"), ".");
        assert_eq!(ext("a.b/c.tar.gz"), ".gz");
        assert_eq!(ext("a.b/c"), "");
    }
}
