//! Sprig's date functions on [`GoTime`], with an injectable clock so `now` and `ago`
//! are testable.

use std::rc::Rc;

use crate::template::duration::{duration_string, parse_duration};
use crate::template::funcs::{Func, FuncSet};
use crate::template::gotime::GoTime;
use crate::template::sprig::{Any, Str, Time, add, s};
use crate::template::value::Value;

/// sprig's `dateInZone` argument handling: times, and Go `int`/`int64` Unix seconds;
/// anything else means "now".
fn as_time(v: &Value, clock: &Rc<dyn Fn() -> GoTime>) -> GoTime {
    match v {
        Value::Time(t) => t.as_ref().clone(),
        Value::Int(i) | Value::Int64(i) => GoTime::from_unix(*i, 0),
        _ => clock(),
    }
}

pub(super) fn register(set: &mut FuncSet, clock: &Rc<dyn Fn() -> GoTime>) {
    let c = clock.clone();
    add(
        set,
        "now",
        Func::new(&[], move |_| Ok(Value::Time(Rc::new(c())))),
    );
    let c = clock.clone();
    add(
        set,
        "date",
        Func::new(&[Str, Any], move |a| {
            Ok(Value::str(
                as_time(&a[1], &c).in_zone("Local").format(s(a, 0)),
            ))
        }),
    );
    for name in ["dateInZone", "date_in_zone"] {
        let c = clock.clone();
        add(
            set,
            name,
            Func::new(&[Str, Any, Str], move |a| {
                Ok(Value::str(
                    as_time(&a[1], &c).in_zone(s(a, 2)).format(s(a, 0)),
                ))
            }),
        );
    }
    let c = clock.clone();
    add(
        set,
        "htmlDate",
        Func::new(&[Any], move |a| {
            Ok(Value::str(as_time(&a[0], &c).format("2006-01-02")))
        }),
    );
    let c = clock.clone();
    add(
        set,
        "htmlDateInZone",
        Func::new(&[Any, Str], move |a| {
            Ok(Value::str(
                as_time(&a[0], &c).in_zone(s(a, 1)).format("2006-01-02"),
            ))
        }),
    );
    add(
        set,
        "toDate",
        Func::new(&[Str, Str], |a| {
            Ok(Value::Time(Rc::new(
                GoTime::parse(s(a, 0), s(a, 1)).unwrap_or_else(|_| zero_time()),
            )))
        }),
    );
    add(
        set,
        "mustToDate",
        Func::new(&[Str, Str], |a| {
            GoTime::parse(s(a, 0), s(a, 1)).map(|t| Value::Time(Rc::new(t)))
        }),
    );
    for name in ["dateModify", "date_modify"] {
        add(
            set,
            name,
            Func::new(&[Str, Time], |a| {
                let Value::Time(t) = &a[1] else {
                    return Ok(a[1].clone());
                };
                Ok(match parse_duration(s(a, 0)) {
                    Ok(d) => Value::Time(Rc::new(t.add_nanos(d))),
                    Err(_) => a[1].clone(),
                })
            }),
        );
    }
    for name in ["mustDateModify", "must_date_modify"] {
        add(
            set,
            name,
            Func::new(&[Str, Time], |a| {
                let Value::Time(t) = &a[1] else {
                    return Ok(a[1].clone());
                };
                let d = parse_duration(s(a, 0))?;
                Ok(Value::Time(Rc::new(t.add_nanos(d))))
            }),
        );
    }
    add(
        set,
        "unixEpoch",
        Func::new(&[Time], |a| {
            let Value::Time(t) = &a[0] else {
                return Ok(Value::str(""));
            };
            Ok(Value::str(t.unix.to_string()))
        }),
    );
    let c = clock.clone();
    add(
        set,
        "ago",
        Func::new(&[Any], move |a| {
            let now = c();
            let t = match &a[0] {
                Value::Time(t) => t.as_ref().clone(),
                Value::Int(i) => GoTime::from_unix(*i, 0),
                Value::Int64(i) => GoTime::from_unix(*i, 0),
                _ => now.clone(),
            };
            let nanos = (i128::from(now.unix) - i128::from(t.unix)) * 1_000_000_000
                + i128::from(now.nanos)
                - i128::from(t.nanos);
            // Duration.Round(time.Second): half away from zero.
            let secs = (nanos.abs() + 500_000_000) / 1_000_000_000 * nanos.signum();
            Ok(Value::str(duration_string(secs * 1_000_000_000)))
        }),
    );
    let clock_round = clock.clone();
    add(
        set,
        "durationRound",
        Func::new(&[Any], move |a| {
            Ok(Value::str(duration_round(&a[0], clock_round.as_ref())))
        }),
    );
    add(
        set,
        "duration",
        Func::new(&[Any], |a| {
            let secs: i64 = match &a[0] {
                Value::Str(x) => x.parse().unwrap_or(0),
                Value::Int64(i) => *i,
                _ => 0,
            };
            Ok(Value::str(duration_string(
                i128::from(secs) * 1_000_000_000,
            )))
        }),
    );
}

/// Sprig's `durationRound`: the largest whole unit (`2h`, `3mo`, `1y`) of a duration
/// string, a nanosecond count (`int64`) or the time since a `time.Time`.
fn duration_round(v: &Value, now: &dyn Fn() -> GoTime) -> String {
    const SECOND: u128 = 1_000_000_000;
    let nanos: i128 = match v {
        Value::Str(s) => parse_duration(s).unwrap_or(0),
        Value::Int64(i) => i128::from(*i),
        Value::Time(t) => {
            let now = now();
            let d = (i128::from(now.unix) - i128::from(t.unix)) * 1_000_000_000
                + i128::from(now.nanos)
                - i128::from(t.nanos);
            // time.Since saturates to the range of a Duration.
            d.clamp(i128::from(i64::MIN), i128::from(i64::MAX))
        }
        _ => 0,
    };
    let u = nanos.unsigned_abs();
    let units: [(u128, &str); 6] = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    units.iter().find(|(size, _)| u > *size).map_or_else(
        || "0s".to_string(),
        |(size, unit)| format!("{}{unit}", u / size),
    )
}

/// Go's zero `time.Time`, which `toDate` returns on a parse error.
fn zero_time() -> GoTime {
    GoTime::from_unix(-62_135_596_800, 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::rc::Rc;

    use crate::template::{FuncSet, GoTime, Mode, Template, Value};

    #[test]
    fn clock_is_injectable() {
        let clock: Rc<dyn Fn() -> GoTime> = Rc::new(|| GoTime::from_unix(1_700_000_090, 0));
        let funcs = FuncSet::standard_with_clock(&clock);
        let text = "{{now | date \"2006-01-02 15:04:05\"}} {{ago .T}} {{ago 1699996400}}";
        let t = Template::parse("t", text, Mode::Text, &funcs).unwrap();
        let data = Value::from(serde_json::json!({"T": 1_700_000_000}));
        assert_eq!(
            t.execute_value(&data).unwrap(),
            "2023-11-14 22:14:50 1m30s 1h1m30s"
        );
    }

    #[test]
    fn duration_round_measures_from_the_clock() {
        let clock: Rc<dyn Fn() -> GoTime> = Rc::new(|| GoTime::from_unix(1_700_000_000, 0));
        let funcs = FuncSet::standard_with_clock(&clock);
        let text = "{{durationRound (toDate \"2006-01-02\" \"2020-01-02\")}} \
                    {{durationRound (toDate \"2006-01-02\" \"2023-11-10\")}} \
                    {{durationRound (toDate \"2006-01-02\" \"2030-01-01\")}}";
        let t = Template::parse("t", text, Mode::Text, &funcs).unwrap();
        assert_eq!(t.execute_value(&Value::Nil).unwrap(), "3y 4d 6y");
    }
}
