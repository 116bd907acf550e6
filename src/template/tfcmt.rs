//! The helpers tfcmt (and tfnotify v1) add on top of sprig.

use crate::template::builtins::html_escape;
use crate::template::funcs::{Func, FuncSet, Param};
use crate::template::value::Value;

/// Wraps `text` in a Markdown code fence with language `hcl`. tfcmt switches to `~~~`
/// or `<pre>` when the text contains a fence; we instead use a backtick fence one
/// longer than the longest backtick run in the text (at least three), which the text
/// can never close. The result is trusted HTML so html mode leaves it alone.
pub(crate) fn wrap_code(text: &str) -> String {
    // Backticks are rare in Terraform's output: jump from one to the next.
    let (mut longest, mut run, mut next) = (0, 0, usize::MAX);
    for at in memchr::memchr_iter(b'`', text.as_bytes()) {
        run = if at == next { run + 1 } else { 1 };
        longest = longest.max(run);
        next = at + 1;
    }
    let fence = "`".repeat((longest + 1).max(3));
    format!("\n{fence}hcl\n{text}\n{fence}\n")
}

pub(crate) fn register(set: &mut FuncSet) {
    set.insert(
        "wrapCode",
        Func::new(&[Param::Str], |a| {
            Ok(Value::Html(wrap_code(a[0].as_str().unwrap_or("")).into()))
        }),
    );
    set.insert(
        "avoidHTMLEscape",
        Func::new(&[Param::Str], |a| {
            Ok(Value::Html(a[0].as_str().unwrap_or("").into()))
        }),
    );
    set.insert(
        "escapeHTML",
        Func::metered(&[Param::Str], |a, m| {
            let escaped = html_escape(a[0].as_str().unwrap_or(""), m.limits().output);
            Ok(Value::str(escaped.ok_or_else(|| m.too_long())?))
        }),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::wrap_code;

    #[test]
    fn fence_outgrows_backticks() {
        assert_eq!(wrap_code("a"), "\n```hcl\na\n```\n");
        assert_eq!(wrap_code("x ```` y"), "\n`````hcl\nx ```` y\n`````\n");
        assert_eq!(wrap_code("`` a ` b ```"), "\n````hcl\n`` a ` b ```\n````\n");
    }
}
