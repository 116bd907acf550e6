//! Go's `time.Duration` text forms: `String()` (`1h0m0s`, `1.5ms`) and
//! `time.ParseDuration`, used by sprig's `duration`, `ago` and `dateModify`.

use std::fmt::Write as _;

/// Go's `Duration.String()` for a duration in nanoseconds.
pub(crate) fn duration_string(d: i128) -> String {
    if d == 0 {
        return "0s".into();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    let frac = |v: u128, prec: u32| -> (String, u128) {
        let p = 10u128.pow(prec);
        let mut f = format!("{:0width$}", v % p, width = prec as usize);
        while f.ends_with('0') {
            f.pop();
        }
        (if f.is_empty() { f } else { format!(".{f}") }, v / p)
    };
    if u < 1_000_000_000 {
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (f, whole) = frac(u, prec);
        out = format!("{whole}{f}{unit}");
    } else {
        let (f, secs) = frac(u, 9);
        let (s, mins) = (secs % 60, secs / 60);
        if mins > 0 {
            let (m, hours) = (mins % 60, mins / 60);
            if hours > 0 {
                let _ = write!(out, "{hours}h");
            }
            let _ = write!(out, "{m}m");
        }
        let _ = write!(out, "{s}{f}s");
    }
    if neg { format!("-{out}") } else { out }
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(crate) fn parse_duration(s: &str) -> Result<i128, String> {
    let orig = s;
    let bad = || {
        format!(
            "time: invalid duration {}",
            crate::template::printf::quote_go(orig)
        )
    };
    let (neg, mut s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(bad());
    }
    let mut total: f64 = 0.0;
    while !s.is_empty() {
        let n = s
            .bytes()
            .take_while(|c| c.is_ascii_digit() || *c == b'.')
            .count();
        if n == 0 {
            return Err(bad());
        }
        let number: f64 = s[..n].parse().map_err(|_| bad())?;
        s = &s[n..];
        let u = s
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(s.len(), |(i, _)| i);
        let unit = match &s[..u] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    crate::template::printf::quote_go(orig)
                ));
            }
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::template::printf::quote_go(other),
                    crate::template::printf::quote_go(orig)
                ));
            }
        };
        total += number * unit;
        s = &s[u..];
    }
    #[allow(clippy::cast_possible_truncation)]
    let t = total.round() as i128;
    Ok(if neg { -t } else { t })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{duration_string, parse_duration};

    #[test]
    fn durations() {
        assert_eq!(duration_string(90_000_000_000), "1m30s");
        assert_eq!(duration_string(3_600_000_000_000), "1h0m0s");
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(parse_duration("-1h30m").unwrap(), -5_400_000_000_000);
    }
}
