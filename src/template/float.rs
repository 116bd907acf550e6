//! Go's `strconv.FormatFloat`, which `fmt` uses for `%v`, `%e`, `%f` and `%g`.
//!
//! Rust's float printing picks different notations (`1000000` where Go prints
//! `1e+06`), so we take Rust's exact shortest or rounded digits and lay them out with
//! strconv's rules.

use std::fmt::Write as _;

/// Decimal digits and decimal-point position of a float, as strconv's `decimal`.
struct Digits {
    d: Vec<u8>,
    /// Position of the decimal point relative to the start of `d`.
    dp: i32,
}

/// Shortest digits that round-trip (`prec` < 0) or `prec` significant digits, with
/// trailing zeros trimmed as strconv does.
fn digits(f: f64, sig: Option<usize>) -> Digits {
    let s = match sig {
        None => format!("{:e}", f.abs()),
        Some(p) => format!("{:.*e}", p.saturating_sub(1), f.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while d.len() > 1 && d.last() == Some(&b'0') {
        d.pop();
    }
    if d == [b'0'] {
        return Digits {
            d: Vec::new(),
            dp: 0,
        };
    }
    Digits { d, dp: exp + 1 }
}

fn fmt_e(neg: bool, dg: &Digits, prec: usize, ch: char) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let first = dg.d.first().copied().unwrap_or(b'0');
    out.push(first as char);
    if prec > 0 {
        out.push('.');
        for i in 1..=prec {
            out.push(dg.d.get(i).copied().unwrap_or(b'0') as char);
        }
    }
    out.push(ch);
    let exp = if dg.d.is_empty() { 0 } else { dg.dp - 1 };
    out.push(if exp < 0 { '-' } else { '+' });
    let e = exp.unsigned_abs();
    if e < 10 {
        out.push('0');
    }
    let _ = write!(out, "{e}");
    out
}

fn fmt_f(neg: bool, dg: &Digits, prec: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if dg.dp > 0 {
        #[allow(clippy::cast_sign_loss)]
        let dp = dg.dp as usize;
        for i in 0..dp {
            out.push(dg.d.get(i).copied().unwrap_or(b'0') as char);
        }
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        for i in 0..prec {
            #[allow(clippy::cast_possible_wrap, clippy::cast_possible_truncation)]
            let j = dg.dp + i as i32;
            let c = if j < 0 {
                b'0'
            } else {
                #[allow(clippy::cast_sign_loss)]
                dg.d.get(j as usize).copied().unwrap_or(b'0')
            };
            out.push(c as char);
        }
    }
    out
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)` for `e`, `E`, `f`, `g`, `G`.
pub(crate) fn format_float(f: f64, fmt: char, prec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let neg = f.is_sign_negative();
    let shortest = prec < 0;
    #[allow(clippy::cast_sign_loss)]
    let uprec = prec.max(0) as usize;
    match fmt {
        'e' | 'E' => {
            let dg = digits(f, if shortest { None } else { Some(uprec + 1) });
            let p = if shortest {
                dg.d.len().saturating_sub(1)
            } else {
                uprec
            };
            fmt_e(neg, &dg, p, fmt)
        }
        'f' | 'F' => {
            if shortest {
                let dg = digits(f, None);
                #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
                let p = (dg.d.len() as i32 - dg.dp).max(0);
                #[allow(clippy::cast_sign_loss)]
                fmt_f(neg, &dg, p as usize)
            } else {
                let s = format!("{:.*}", uprec, f.abs());
                if neg { format!("-{s}") } else { s }
            }
        }
        _ => {
            let mut p = if shortest { 0 } else { uprec.max(1) };
            let dg = digits(f, if shortest { None } else { Some(p) });
            if shortest {
                p = dg.d.len();
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let nd = dg.d.len() as i32;
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let mut eprec = p as i32;
            if eprec > nd && nd >= dg.dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dg.dp - 1;
            let e_char = if fmt == 'G' { 'E' } else { 'e' };
            if dg.d.is_empty() {
                return if neg { "-0".into() } else { "0".into() };
            }
            if exp < -4 || exp >= eprec {
                #[allow(clippy::cast_sign_loss)]
                let p2 = p.min(nd as usize);
                return fmt_e(neg, &dg, p2.saturating_sub(1), e_char);
            }
            #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
            let mut pp = p as i32;
            if pp > dg.dp {
                pp = nd;
            }
            #[allow(clippy::cast_sign_loss)]
            fmt_f(neg, &dg, (pp - dg.dp).max(0) as usize)
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::format_float;

    #[test]
    fn floats_like_go() {
        for (f, want) in [
            (1_000_000.0, "1e+06"),
            (123_456.0, "123456"),
            (0.1, "0.1"),
            (1.5, "1.5"),
            (0.00001, "1e-05"),
            (0.0, "0"),
            (-2.5, "-2.5"),
            (100.0, "100"),
        ] {
            assert_eq!(format_float(f, 'g', -1), want, "{f}");
        }
        assert_eq!(format_float(1.23456, 'f', 2), "1.23");
        assert_eq!(format_float(1234.5678, 'e', 3), "1.235e+03");
        assert_eq!(format_float(1234.5678, 'g', 3), "1.23e+03");
    }
}
