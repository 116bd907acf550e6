//! Sprig's random helpers: `randAlpha`, `randAlphaNum`, `randAscii`, `randNumeric`,
//! `randBytes`, `randInt`, `uuidv4` and `shuffle`.
//!
//! Every one draws from the operating system's generator (sprig uses `crypto/rand`
//! for most of them, and nothing here needs to be reproducible). Characters are
//! drawn without bias by rejecting the bytes that would favour some of them. What
//! they build is checked against the output limit before it is built, and charged
//! as work by its size, so `randAlpha 999999999` stops at the limit at once.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::{Meter, SCAN};
use crate::template::sprig::{Int, Str, add, n, s};
use crate::template::value::Value;

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

fn failed(e: getrandom::Error) -> String {
    format!("reading random bytes: {e}")
}

/// `count` random bytes, after checking that a string this long may be built.
fn bytes(count: usize, m: &Meter) -> Result<Vec<u8>, String> {
    m.text(count)?;
    m.work(count.saturating_mul(SCAN))?;
    let mut buf = vec![0; count];
    getrandom::fill(&mut buf).map_err(failed)?;
    Ok(buf)
}

/// `count` characters drawn uniformly from `alphabet` (at most 256 of them).
fn pick(alphabet: &[u8], count: usize, m: &Meter) -> Result<String, String> {
    m.text(count)?;
    // Bytes at or above the largest multiple of the alphabet's size are rejected.
    let size = alphabet.len();
    let fair = 256 - 256 % size;
    let mut out = String::with_capacity(count);
    while out.len() < count {
        let want = (count - out.len()).max(16);
        for b in bytes(want + want / 4, m)? {
            if usize::from(b) < fair && out.len() < count {
                out.push(char::from(alphabet[usize::from(b) % size]));
            }
        }
    }
    Ok(out)
}

/// A number in `0..n`, without bias.
fn below(n: u64) -> Result<u64, String> {
    let fair = u64::MAX - u64::MAX % n;
    loop {
        let r = getrandom::u64().map_err(failed)?;
        if r < fair {
            return Ok(r % n);
        }
    }
}

/// goutils' `CryptoRandom*`: a negative count is an error sprig turns into "".
fn random_string(alphabet: &'static [u8]) -> Func {
    Func::metered(&[Int], move |a, m| {
        let Ok(count) = usize::try_from(n(a, 0)) else {
            return Ok(Value::str(""));
        };
        Ok(Value::str(pick(alphabet, count, m)?))
    })
}

pub(super) fn register(set: &mut FuncSet) {
    let alnum: &'static [u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    // goutils' `CryptoRandomAscii`: ' ' to '~'.
    let ascii: &'static [u8] = &const {
        let mut all = [0u8; 95];
        let mut c = b' ';
        while c <= b'~' {
            all[(c - b' ') as usize] = c;
            c += 1;
        }
        all
    };
    add(set, "randAlpha", random_string(LETTERS));
    add(set, "randAlphaNum", random_string(alnum));
    add(set, "randNumeric", random_string(DIGITS));
    add(set, "randAscii", random_string(ascii));
    add(
        set,
        "randBytes",
        Func::metered(&[Int], |a, m| {
            let count = usize::try_from(n(a, 0))
                .map_err(|_| "runtime error: makeslice: len out of range".to_string())?;
            m.text(count.div_ceil(3).saturating_mul(4))?;
            Ok(Value::str(STANDARD.encode(bytes(count, m)?)))
        }),
    );
    add(
        set,
        "randInt",
        Func::new(&[Int, Int], |a| {
            let (min, max) = (n(a, 0), n(a, 1));
            // Go's `rand.Intn(max-min) + min`, with Go's wrapping arithmetic.
            let span = max.wrapping_sub(min);
            let span = u64::try_from(span)
                .ok()
                .filter(|s| *s > 0)
                .ok_or("invalid argument to Intn")?;
            let r = i64::try_from(below(span)?).unwrap_or(0);
            Ok(Value::Int(r.wrapping_add(min)))
        }),
    );
    add(
        set,
        "uuidv4",
        Func::new(&[], |_| {
            let mut random = [0u8; 16];
            getrandom::fill(&mut random).map_err(failed)?;
            let id = uuid::Builder::from_random_bytes(random).into_uuid();
            Ok(Value::str(id.hyphenated().to_string()))
        }),
    );
    add(
        set,
        "shuffle",
        Func::metered(&[Str], |a, m| {
            let text = s(a, 0);
            m.scan(text.len())?;
            let mut chars: Vec<char> = text.chars().collect();
            // xstrings' Fisher-Yates, from the end.
            for i in (1..chars.len()).rev() {
                let j = usize::try_from(below(u64::try_from(i + 1).unwrap_or(1))?).unwrap_or(0);
                chars.swap(i, j);
            }
            Ok(Value::str(chars.into_iter().collect::<String>()))
        }),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{DIGITS, pick};
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;

    #[test]
    fn picks_come_from_the_alphabet_and_stop_at_the_limit() {
        let m = Meter::new(Limits::default());
        let s = pick(DIGITS, 1000, &m).unwrap();
        assert_eq!(s.len(), 1000);
        assert!(s.bytes().all(|b| b.is_ascii_digit()));
        // All ten digits show up in a thousand draws.
        assert!(DIGITS.iter().all(|d| s.as_bytes().contains(d)));
        assert!(pick(DIGITS, 999_999_999, &m).is_err());
    }
}
