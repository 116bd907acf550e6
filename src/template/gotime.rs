//! Go's `time.Time` and `time.Duration` as far as sprig's date functions need them:
//! layout-based formatting and parsing, `String()`, and duration syntax.
//!
//! Zones: the engine has no time-zone database. "Local" is UTC (the Go oracle runs
//! with `TZ=UTC`), `UTC` is UTC, and any other zone name falls back to UTC, which is
//! also what sprig does when `time.LoadLocation` fails.

use std::fmt;
use std::rc::Rc;

/// An instant with a fixed zone offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// Nanoseconds within the second.
    pub nanos: u32,
    /// Zone offset east of UTC, in seconds.
    pub offset: i32,
    /// Zone abbreviation printed by `MST`.
    pub zone: Rc<str>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Days since 1970-01-01 to (year, month 1-12, day 1-31) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (if m <= 2 { y + 1 } else { y }, m as u32, d as u32)
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    weekday: usize,
    yday: u32,
}

impl GoTime {
    /// The current instant in UTC.
    pub fn now() -> GoTime {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        GoTime::from_unix(
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        )
    }

    /// A UTC instant from Unix seconds and nanoseconds.
    pub fn from_unix(unix: i64, nanos: u32) -> GoTime {
        GoTime {
            unix,
            nanos,
            offset: 0,
            zone: Rc::from("UTC"),
        }
    }

    /// The same instant shown in a named zone; see the module docs for what is known.
    pub(crate) fn in_zone(&self, _zone: &str) -> GoTime {
        GoTime {
            offset: 0,
            zone: Rc::from("UTC"),
            ..self.clone()
        }
    }

    /// Adds a duration in nanoseconds.
    pub(crate) fn add_nanos(&self, d: i128) -> GoTime {
        let total = i128::from(self.unix) * 1_000_000_000 + i128::from(self.nanos) + d;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        GoTime {
            unix: total.div_euclid(1_000_000_000) as i64,
            nanos: total.rem_euclid(1_000_000_000) as u32,
            ..self.clone()
        }
    }

    fn civil(&self) -> Civil {
        let local = self.unix + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Civil {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            min: (secs % 3600 / 60) as u32,
            sec: (secs % 60) as u32,
            weekday: (days + 4).rem_euclid(7) as usize,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// Go's `Time.Format(layout)`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::new();
        let mut rest = layout;
        while !rest.is_empty() {
            let Some((tok, len)) = next_token(rest) else {
                let ch = rest.chars().next().unwrap_or(' ');
                out.push(ch);
                rest = &rest[ch.len_utf8()..];
                continue;
            };
            rest = &rest[len..];
            self.write_token(&c, tok, &mut out);
        }
        out
    }

    fn write_token(&self, c: &Civil, tok: Tok, out: &mut String) {
        use std::fmt::Write as _;
        let h12 = if c.hour.is_multiple_of(12) {
            12
        } else {
            c.hour % 12
        };
        let _ = match tok {
            Tok::LongMonth => write!(out, "{}", MONTHS[c.month as usize - 1]),
            Tok::Month => write!(out, "{}", &MONTHS[c.month as usize - 1][..3]),
            Tok::NumMonth => write!(out, "{}", c.month),
            Tok::ZeroMonth => write!(out, "{:02}", c.month),
            Tok::LongWeekDay => write!(out, "{}", DAYS[c.weekday]),
            Tok::WeekDay => write!(out, "{}", &DAYS[c.weekday][..3]),
            Tok::Day => write!(out, "{}", c.day),
            Tok::UnderDay => write!(out, "{:>2}", c.day),
            Tok::ZeroDay => write!(out, "{:02}", c.day),
            Tok::YearDay => write!(out, "{:03}", c.yday),
            Tok::Hour => write!(out, "{:02}", c.hour),
            Tok::Hour12 => write!(out, "{h12}"),
            Tok::ZeroHour12 => write!(out, "{h12:02}"),
            Tok::Minute => write!(out, "{}", c.min),
            Tok::ZeroMinute => write!(out, "{:02}", c.min),
            Tok::Second => write!(out, "{}", c.sec),
            Tok::ZeroSecond => write!(out, "{:02}", c.sec),
            Tok::LongYear => write!(out, "{:04}", c.year),
            Tok::Year => write!(out, "{:02}", c.year.rem_euclid(100)),
            Tok::PM => write!(out, "{}", if c.hour >= 12 { "PM" } else { "AM" }),
            Tok::Pm => write!(out, "{}", if c.hour >= 12 { "pm" } else { "am" }),
            Tok::TzName => write!(out, "{}", self.zone),
            Tok::Tz {
                z,
                colon,
                secs,
                hours_only,
            } => {
                if z && self.offset == 0 {
                    write!(out, "Z")
                } else {
                    let sign = if self.offset < 0 { '-' } else { '+' };
                    let o = self.offset.unsigned_abs();
                    let (hh, mm, ss) = (o / 3600, o / 60 % 60, o % 60);
                    let sep = if colon { ":" } else { "" };
                    if hours_only {
                        write!(out, "{sign}{hh:02}")
                    } else if secs {
                        write!(out, "{sign}{hh:02}{sep}{mm:02}{sep}{ss:02}")
                    } else {
                        write!(out, "{sign}{hh:02}{sep}{mm:02}")
                    }
                }
            }
            Tok::Frac { sep, digits, trim } => {
                let frac = format!("{:09}", self.nanos);
                let mut f = frac[..digits.min(9)].to_string();
                if trim {
                    while f.ends_with('0') {
                        f.pop();
                    }
                    if f.is_empty() {
                        return;
                    }
                }
                write!(out, "{sep}{f}")
            }
        };
    }

    /// Go's `time.ParseInLocation(layout, value, UTC)` for numeric layouts, month and
    /// weekday names, AM/PM, fractions and numeric zones.
    pub fn parse(layout: &str, value: &str) -> Result<GoTime, String> {
        let err = || {
            format!(
                "parsing time {} as {}: cannot parse",
                crate::template::printf::quote_go(value),
                crate::template::printf::quote_go(layout)
            )
        };
        let (mut year, mut month, mut day) = (1_i64, 1_u32, 1_u32);
        let (mut hour, mut min, mut sec, mut nanos, mut offset) =
            (0_u32, 0_u32, 0_u32, 0_u32, 0_i32);
        let mut pm: Option<bool> = None;
        let mut l = layout;
        let mut v = value;
        let num = |v: &mut &str, min_d: usize, max_d: usize| -> Option<u32> {
            let n = v.bytes().take(max_d).take_while(u8::is_ascii_digit).count();
            if n < min_d {
                return None;
            }
            let (d, r) = v.split_at(n);
            *v = r;
            d.parse().ok()
        };
        while !l.is_empty() {
            let Some((tok, len)) = next_token(l) else {
                let ch = l.chars().next().unwrap_or(' ');
                if !v.starts_with(ch) {
                    return Err(err());
                }
                l = &l[ch.len_utf8()..];
                v = &v[ch.len_utf8()..];
                continue;
            };
            l = &l[len..];
            match tok {
                Tok::LongYear => year = i64::from(num(&mut v, 4, 4).ok_or_else(err)?),
                Tok::Year => year = 2000 + i64::from(num(&mut v, 2, 2).ok_or_else(err)?),
                Tok::ZeroMonth => month = num(&mut v, 2, 2).ok_or_else(err)?,
                Tok::NumMonth => month = num(&mut v, 1, 2).ok_or_else(err)?,
                Tok::LongMonth | Tok::Month => {
                    let idx = MONTHS
                        .iter()
                        .position(|m| {
                            let name = if matches!(tok, Tok::Month) {
                                &m[..3]
                            } else {
                                m
                            };
                            v.get(..name.len())
                                .is_some_and(|p| p.eq_ignore_ascii_case(name))
                        })
                        .ok_or_else(err)?;
                    let name_len = if matches!(tok, Tok::Month) {
                        3
                    } else {
                        MONTHS[idx].len()
                    };
                    v = &v[name_len..];
                    #[allow(clippy::cast_possible_truncation)]
                    {
                        month = idx as u32 + 1;
                    }
                }
                Tok::LongWeekDay | Tok::WeekDay => {
                    let idx = DAYS
                        .iter()
                        .position(|d| {
                            let name = if matches!(tok, Tok::WeekDay) {
                                &d[..3]
                            } else {
                                d
                            };
                            v.get(..name.len())
                                .is_some_and(|p| p.eq_ignore_ascii_case(name))
                        })
                        .ok_or_else(err)?;
                    let n = if matches!(tok, Tok::WeekDay) {
                        3
                    } else {
                        DAYS[idx].len()
                    };
                    v = &v[n..];
                }
                Tok::ZeroDay => day = num(&mut v, 2, 2).ok_or_else(err)?,
                Tok::Day => day = num(&mut v, 1, 2).ok_or_else(err)?,
                Tok::UnderDay => {
                    v = v.strip_prefix(' ').unwrap_or(v);
                    day = num(&mut v, 1, 2).ok_or_else(err)?;
                }
                Tok::YearDay => {
                    num(&mut v, 3, 3).ok_or_else(err)?;
                }
                Tok::Hour => hour = num(&mut v, 2, 2).ok_or_else(err)?,
                Tok::Hour12 => hour = num(&mut v, 1, 2).ok_or_else(err)?,
                Tok::ZeroHour12 => hour = num(&mut v, 2, 2).ok_or_else(err)?,
                Tok::Minute => min = num(&mut v, 1, 2).ok_or_else(err)?,
                Tok::ZeroMinute => min = num(&mut v, 2, 2).ok_or_else(err)?,
                Tok::Second | Tok::ZeroSecond => {
                    sec = num(&mut v, if matches!(tok, Tok::Second) { 1 } else { 2 }, 2)
                        .ok_or_else(err)?;
                    // Go accepts a fraction after seconds even if the layout has none.
                    if v.starts_with('.') && !l.starts_with('.') {
                        v = &v[1..];
                        let n = v.bytes().take_while(u8::is_ascii_digit).count();
                        let digits = &v[..n];
                        v = &v[n..];
                        nanos = frac_nanos(digits);
                    }
                }
                Tok::PM | Tok::Pm => {
                    let p = v.get(..2).ok_or_else(err)?.to_ascii_uppercase();
                    pm = Some(match p.as_str() {
                        "PM" => true,
                        "AM" => false,
                        _ => return Err(err()),
                    });
                    v = &v[2..];
                }
                Tok::TzName => {
                    let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                    if n < 3 {
                        return Err(err());
                    }
                    v = &v[n..];
                }
                Tok::Tz {
                    z,
                    colon,
                    secs,
                    hours_only,
                } => {
                    if z && v.starts_with('Z') {
                        v = &v[1..];
                    } else {
                        let sign = match v.chars().next() {
                            Some('+') => 1,
                            Some('-') => -1,
                            _ => return Err(err()),
                        };
                        v = &v[1..];
                        let hh = num(&mut v, 2, 2).ok_or_else(err)?;
                        let mut mm = 0;
                        let mut ss = 0;
                        if !hours_only {
                            if colon {
                                v = v.strip_prefix(':').ok_or_else(err)?;
                            }
                            mm = num(&mut v, 2, 2).ok_or_else(err)?;
                            if secs {
                                if colon {
                                    v = v.strip_prefix(':').ok_or_else(err)?;
                                }
                                ss = num(&mut v, 2, 2).ok_or_else(err)?;
                            }
                        }
                        #[allow(clippy::cast_possible_wrap)]
                        {
                            offset = sign * (hh * 3600 + mm * 60 + ss) as i32;
                        }
                    }
                }
                Tok::Frac { sep, digits, trim } => {
                    if v.starts_with(sep) {
                        let body = &v[1..];
                        let n = body.bytes().take_while(u8::is_ascii_digit).count();
                        if !trim && n != digits {
                            return Err(err());
                        }
                        nanos = frac_nanos(&body[..n]);
                        v = &body[n..];
                    } else if !trim {
                        return Err(err());
                    }
                }
            }
        }
        if !v.is_empty() {
            return Err(format!(
                "parsing time {}: extra text: {}",
                crate::template::printf::quote_go(value),
                crate::template::printf::quote_go(v)
            ));
        }
        match pm {
            Some(true) if hour < 12 => hour += 12,
            Some(false) if hour == 12 => hour = 0,
            _ => {}
        }
        if !(1..=12).contains(&month)
            || !(1..=31).contains(&day)
            || hour > 23
            || min > 59
            || sec > 59
        {
            return Err(format!(
                "parsing time {}: value out of range",
                crate::template::printf::quote_go(value)
            ));
        }
        let days = days_from_civil(year, month, day);
        let unix = days * 86_400 + i64::from(hour * 3600 + min * 60 + sec) - i64::from(offset);
        Ok(GoTime {
            unix,
            nanos,
            offset,
            zone: Rc::from(if offset == 0 { "UTC" } else { "" }),
        })
    }
}

fn frac_nanos(digits: &str) -> u32 {
    let mut s: String = digits.chars().take(9).collect();
    while s.len() < 9 {
        s.push('0');
    }
    s.parse().unwrap_or(0)
}

impl fmt::Display for GoTime {
    /// Go's `Time.String()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.format("2006-01-02 15:04:05.999999999 -0700 MST");
        if self.zone.is_empty() {
            // Go prints the numeric offset again when the zone has no name.
            let off = self.format("-0700");
            s.push_str(&off);
        }
        f.write_str(&s)
    }
}

#[derive(Clone, Copy)]
enum Tok {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    YearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    TzName,
    Tz {
        z: bool,
        colon: bool,
        secs: bool,
        hours_only: bool,
    },
    Frac {
        sep: char,
        digits: usize,
        trim: bool,
    },
}

/// Go's `nextStdChunk`, applied at the start of `s`: the layout element there, if any.
fn next_token(s: &str) -> Option<(Tok, usize)> {
    let b = s.as_bytes();
    let starts = |p: &str| s.starts_with(p);
    match b[0] {
        b'J' if starts("January") => Some((Tok::LongMonth, 7)),
        b'J' if starts("Jan") => Some((Tok::Month, 3)),
        b'M' if starts("Monday") => Some((Tok::LongWeekDay, 6)),
        b'M' if starts("Mon") => Some((Tok::WeekDay, 3)),
        b'M' if starts("MST") => Some((Tok::TzName, 3)),
        b'0' if starts("002") => Some((Tok::YearDay, 3)),
        b'0' if b.len() > 1 && (b'1'..=b'6').contains(&b[1]) => Some((
            match b[1] {
                b'1' => Tok::ZeroMonth,
                b'2' => Tok::ZeroDay,
                b'3' => Tok::ZeroHour12,
                b'4' => Tok::ZeroMinute,
                b'5' => Tok::ZeroSecond,
                _ => Tok::Year,
            },
            2,
        )),
        b'1' if starts("15") => Some((Tok::Hour, 2)),
        b'1' => Some((Tok::NumMonth, 1)),
        b'2' if starts("2006") => Some((Tok::LongYear, 4)),
        b'2' => Some((Tok::Day, 1)),
        b'_' if starts("_2") && !starts("_2006") => Some((Tok::UnderDay, 2)),
        b'3' => Some((Tok::Hour12, 1)),
        b'4' => Some((Tok::Minute, 1)),
        b'5' => Some((Tok::Second, 1)),
        b'P' if starts("PM") => Some((Tok::PM, 2)),
        b'p' if starts("pm") => Some((Tok::Pm, 2)),
        b'-' | b'Z' => {
            let z = b[0] == b'Z';
            let rest = &s[1..];
            for (pat, colon, secs, hours_only) in [
                ("070000", false, true, false),
                ("07:00:00", true, true, false),
                ("0700", false, false, false),
                ("07:00", true, false, false),
                ("07", false, false, true),
            ] {
                if rest.starts_with(pat) {
                    return Some((
                        Tok::Tz {
                            z,
                            colon,
                            secs,
                            hours_only,
                        },
                        pat.len() + 1,
                    ));
                }
            }
            None
        }
        c @ (b'.' | b',') if b.len() > 1 && (b[1] == b'0' || b[1] == b'9') => {
            let d = b[1];
            let n = b[1..].iter().take_while(|&&x| x == d).count();
            if b.get(1 + n).is_some_and(u8::is_ascii_digit) {
                return None;
            }
            Some((
                Tok::Frac {
                    sep: c as char,
                    digits: n,
                    trim: d == b'9',
                },
                n + 1,
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::GoTime;

    #[test]
    fn formats_like_go() {
        let t = GoTime::from_unix(1_700_000_000, 0);
        assert_eq!(t.to_string(), "2023-11-14 22:13:20 +0000 UTC");
        assert_eq!(
            t.format("Mon Jan _2 3:04PM 2006"),
            "Tue Nov 14 10:13PM 2023"
        );
        assert_eq!(t.format(time_rfc3339()), "2023-11-14T22:13:20Z");
    }

    fn time_rfc3339() -> &'static str {
        "2006-01-02T15:04:05Z07:00"
    }

    #[test]
    fn parses_and_round_trips() {
        let t = GoTime::parse("2006-01-02 15:04", "2024-02-29 13:45").unwrap();
        assert_eq!(t.format("2006-01-02T15:04:05"), "2024-02-29T13:45:00");
    }
}
