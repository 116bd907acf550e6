//! Sprig's numeric functions (`numeric.go` and the arithmetic in `functions.go`).
//! Integer math goes through spf13/cast's `ToInt64` and returns `int64`; the `*f`
//! variants compute in decimal (shopspring/decimal) so `addf 1.1 2.2` is `3.3`.

use crate::template::funcs::Param;
use crate::template::funcs::{Func, FuncSet};
use crate::template::sprig::{Any, Int, add, n, to_float64, to_int64};
use crate::template::value::Value;

/// A decimal `mantissa * 10^exp`, enough for shopspring's add/sub/mul/div.
#[derive(Clone, Copy)]
struct Dec {
    m: i128,
    e: i32,
}

impl Dec {
    /// shopspring's `NewFromFloat`: the shortest decimal that round-trips.
    fn from_f64(f: f64) -> Dec {
        if f == 0.0 || !f.is_finite() {
            return Dec { m: 0, e: 0 };
        }
        let s = format!("{f:e}");
        let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
        let e = exp - (digits.len() as i32 - 1);
        let m: i128 = digits.parse().unwrap_or(0);
        Dec {
            m: if neg { -m } else { m },
            e,
        }
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(f64::NAN)
    }

    fn align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
        let e = a.e.min(b.e);
        let scale = |d: Dec| -> Option<i128> {
            let p = u32::try_from(d.e - e).ok()?;
            d.m.checked_mul(10i128.checked_pow(p)?)
        };
        Some((scale(a)?, scale(b)?, e))
    }

    fn op(a: Dec, b: Dec, op: char) -> Option<Dec> {
        match op {
            '+' | '-' => {
                let (x, y, e) = Dec::align(a, b)?;
                let m = if op == '+' {
                    x.checked_add(y)?
                } else {
                    x.checked_sub(y)?
                };
                Some(Dec { m, e })
            }
            '*' => Some(Dec {
                m: a.m.checked_mul(b.m)?,
                e: a.e + b.e,
            }),
            _ => {
                if b.m == 0 {
                    return None;
                }
                // DivRound(b, 16): quotient rounded half away from zero to 16 places.
                let target = -16;
                let shift = u32::try_from(a.e - b.e - target + 1).ok()?;
                let num = a.m.checked_mul(10i128.checked_pow(shift)?)?;
                let q10 = num / b.m;
                let mut q = q10 / 10;
                if (q10 % 10).abs() >= 5 {
                    q += q10.signum();
                }
                Some(Dec { m: q, e: target })
            }
        }
    }
}

fn decimal_op(first: &Value, rest: &[Value], op: char) -> f64 {
    let mut acc = Dec::from_f64(to_float64(first));
    let mut fallback = to_float64(first);
    let mut exact = true;
    for v in rest {
        let f = to_float64(v);
        fallback = match op {
            '+' => fallback + f,
            '-' => fallback - f,
            '*' => fallback * f,
            _ => fallback / f,
        };
        if exact {
            match Dec::op(acc, Dec::from_f64(f), op) {
                Some(d) => acc = d,
                None => exact = false,
            }
        }
    }
    if exact { acc.to_f64() } else { fallback }
}

fn int64(v: i64) -> Value {
    Value::Int64(v)
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "add1",
        Func::new(&[Any], |a| Ok(int64(to_int64(&a[0]).wrapping_add(1)))),
    );
    add(
        set,
        "add",
        Func::variadic(&[], Any, |a| {
            Ok(int64(a.iter().map(to_int64).fold(0, i64::wrapping_add)))
        }),
    );
    add(
        set,
        "sub",
        Func::new(&[Any, Any], |a| {
            Ok(int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
        }),
    );
    add(
        set,
        "mul",
        Func::variadic(&[Any], Any, |a| {
            Ok(int64(
                a[1..]
                    .iter()
                    .map(to_int64)
                    .fold(to_int64(&a[0]), i64::wrapping_mul),
            ))
        }),
    );
    add(
        set,
        "div",
        Func::new(&[Any, Any], |a| {
            let d = to_int64(&a[1]);
            if d == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(int64(to_int64(&a[0]).wrapping_div(d)))
        }),
    );
    add(
        set,
        "mod",
        Func::new(&[Any, Any], |a| {
            let d = to_int64(&a[1]);
            if d == 0 {
                return Err("runtime error: integer divide by zero".into());
            }
            Ok(int64(to_int64(&a[0]).wrapping_rem(d)))
        }),
    );
    for (name, want_max) in [("max", true), ("biggest", true), ("min", false)] {
        add(
            set,
            name,
            Func::variadic(&[Any], Any, move |a| {
                let mut acc = to_int64(&a[0]);
                for v in &a[1..] {
                    let x = to_int64(v);
                    if (want_max && x > acc) || (!want_max && x < acc) {
                        acc = x;
                    }
                }
                Ok(int64(acc))
            }),
        );
    }
    for (name, want_max) in [("maxf", true), ("minf", false)] {
        add(
            set,
            name,
            Func::variadic(&[Any], Any, move |a| {
                let mut acc = to_float64(&a[0]);
                for v in &a[1..] {
                    let x = to_float64(v);
                    acc = if want_max { acc.max(x) } else { acc.min(x) };
                }
                Ok(Value::Float(acc))
            }),
        );
    }
    add(
        set,
        "floor",
        Func::new(&[Any], |a| Ok(Value::Float(to_float64(&a[0]).floor()))),
    );
    add(
        set,
        "ceil",
        Func::new(&[Any], |a| Ok(Value::Float(to_float64(&a[0]).ceil()))),
    );
    add(
        set,
        "round",
        Func::variadic(&[Any, Int], Param::Float, |a| {
            let round_on = a.get(2).map_or(0.5, to_float64);
            let val = to_float64(&a[0]);
            #[allow(clippy::cast_precision_loss)]
            let pow = 10f64.powf(n(a, 1) as f64);
            let digit = pow * val;
            let div = digit.fract();
            let r = if div >= round_on {
                digit.ceil()
            } else {
                digit.floor()
            };
            Ok(Value::Float(r / pow))
        }),
    );
    add(
        set,
        "add1f",
        Func::new(&[Any], |a| {
            Ok(Value::Float(decimal_op(&a[0], &[Value::Int(1)], '+')))
        }),
    );
    add(
        set,
        "addf",
        Func::variadic(&[], Any, |a| {
            Ok(Value::Float(decimal_op(&Value::Float(0.0), a, '+')))
        }),
    );
    for (name, op) in [("subf", '-'), ("mulf", '*'), ("divf", '/')] {
        add(
            set,
            name,
            Func::variadic(&[Any], Any, move |a| {
                Ok(Value::Float(decimal_op(&a[0], &a[1..], op)))
            }),
        );
    }
    add(
        set,
        "int64",
        Func::new(&[Any], |a| Ok(int64(to_int64(&a[0])))),
    );
    add(
        set,
        "int",
        Func::new(&[Any], |a| Ok(Value::Int(to_int64(&a[0])))),
    );
    add(
        set,
        "float64",
        Func::new(&[Any], |a| Ok(Value::Float(to_float64(&a[0])))),
    );
    add(
        set,
        "toDecimal",
        Func::metered(&[Any], |a, m| {
            let s = crate::template::printf::to_string(&a[0], m)?;
            Ok(int64(i64::from_str_radix(&s, 8).unwrap_or(0)))
        }),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::decimal_op;
    use crate::template::value::Value;

    #[test]
    fn decimal_math() {
        assert!(
            (decimal_op(&Value::Float(1.1), &[Value::Float(2.2)], '+') - 3.3).abs() < f64::EPSILON
        );
        assert!(
            (decimal_op(&Value::Float(10.0), &[Value::Int(3)], '/') - 3.333_333_333_333_333_5)
                .abs()
                < 1e-15
        );
    }
}
