//! Sprig's `bcrypt`, `htpasswd`, `encryptAES` and `decryptAES` (`crypto.go`).
//!
//! The key and certificate generators of the same file are refused instead (see
//! [`FuncSet::standard`]): whatever they make ends up in a review comment.
//!
//! `encryptAES` is AES-256-CBC with sprig's key handling: the password's bytes,
//! cut or zero-padded to 32, a random IV in front of the ciphertext and PKCS #7
//! padding, all in standard base64. `decryptAES` checks no padding, like sprig, and
//! fails where Go panics, with Go's runtime message.
//!
//! [`FuncSet::standard`]: crate::template::FuncSet::standard

use aes::cipher::block_padding::{NoPadding, Pkcs7};
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::template::funcs::{Func, FuncSet};
use crate::template::meter::Meter;
use crate::template::sprig::encoding::go_b64_error;
use crate::template::sprig::{Str, add, s};
use crate::template::value::Value;

/// bcrypt's cost in sprig (`bcrypt.DefaultCost`).
const COST: u32 = 10;

/// Units of work one bcrypt hash at cost 10 stands for: some 50 ms of computing, a
/// tenth of the default step budget, so a loop of them stops at the limit.
const BCRYPT_WORK: usize = 256 * 1_000_000;

const BLOCK: usize = 16;

/// Sprig's `bcrypt`: a `$2a$10$` hash with a random salt.
fn bcrypt(password: &str, m: &Meter) -> Result<String, String> {
    m.work(BCRYPT_WORK)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("reading random bytes: {e}"))?;
    let parts = bcrypt::hash_with_salt(password, COST, salt)
        .map_err(|e| format!("failed to encrypt string with bcrypt: {e}"))?;
    Ok(parts.format_for_version(bcrypt::Version::TwoA))
}

/// Sprig's key: the password's first 32 bytes, zero-padded.
fn key(password: &str) -> [u8; 32] {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    key
}

fn encrypt(password: &str, plain: &str, m: &Meter) -> Result<String, String> {
    if plain.is_empty() {
        return Ok(String::new());
    }
    let padded = (plain.len() / BLOCK + 1) * BLOCK;
    m.text((BLOCK + padded).div_ceil(3).saturating_mul(4))?;
    m.scan(padded)?;
    let mut buf = vec![0u8; BLOCK + padded];
    getrandom::fill(&mut buf[..BLOCK]).map_err(|e| format!("reading random bytes: {e}"))?;
    let (iv, body) = buf.split_at_mut(BLOCK);
    body[..plain.len()].copy_from_slice(plain.as_bytes());
    let iv: [u8; BLOCK] = iv.try_into().map_err(|_| "bad IV length")?;
    cbc::Encryptor::<aes::Aes256>::new(&key(password).into(), &iv.into())
        .encrypt_padded::<Pkcs7>(body, plain.len())
        .map_err(|_| "padding the plaintext failed")?;
    Ok(STANDARD.encode(&buf))
}

fn decrypt(password: &str, crypt64: &str, m: &Meter) -> Result<String, String> {
    if crypt64.is_empty() {
        return Ok(String::new());
    }
    m.scan(crypt64.len())?;
    let crypt = STANDARD.decode(crypt64).map_err(|e| go_b64_error(&e))?;
    if crypt.len() < BLOCK {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(BLOCK);
    if !body.len().is_multiple_of(BLOCK) {
        return Err("crypto/cipher: input not full blocks".into());
    }
    let Some(&last) = body.last() else {
        return Err("runtime error: index out of range [-1]".into());
    };
    let iv: [u8; BLOCK] = iv.try_into().map_err(|_| "bad IV length")?;
    let mut plain = body.to_vec();
    cbc::Decryptor::<aes::Aes256>::new(&key(password).into(), &iv.into())
        .decrypt_padded::<NoPadding>(&mut plain)
        .map_err(|_| "crypto/cipher: input not full blocks")?;
    let last = usize::from(plain.last().copied().unwrap_or(last));
    // Sprig strips as many bytes as the last one says, unchecked.
    let keep = plain.len().checked_sub(last).ok_or_else(|| {
        format!(
            "runtime error: slice bounds out of range [:{}]",
            i64::try_from(plain.len()).unwrap_or(0) - i64::try_from(last).unwrap_or(0)
        )
    })?;
    plain.truncate(keep);
    Ok(String::from_utf8_lossy(&plain).into_owned())
}

pub(super) fn register(set: &mut FuncSet) {
    add(
        set,
        "bcrypt",
        Func::metered(&[Str], |a, m| Ok(Value::str(bcrypt(s(a, 0), m)?))),
    );
    add(
        set,
        "htpasswd",
        Func::metered(&[Str, Str], |a, m| {
            let user = s(a, 0);
            if user.contains(':') {
                return Ok(Value::str(format!("invalid username: {user}")));
            }
            Ok(Value::str(format!("{user}:{}", bcrypt(s(a, 1), m)?)))
        }),
    );
    add(
        set,
        "encryptAES",
        Func::metered(&[Str, Str], |a, m| {
            Ok(Value::str(encrypt(s(a, 0), s(a, 1), m)?))
        }),
    );
    add(
        set,
        "decryptAES",
        Func::metered(&[Str, Str], |a, m| {
            Ok(Value::str(decrypt(s(a, 0), s(a, 1), m)?))
        }),
    );
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::{decrypt, encrypt};
    use crate::template::limits::Limits;
    use crate::template::meter::Meter;

    #[test]
    fn aes_round_trips_and_keeps_sprigs_layout() {
        let m = Meter::new(Limits::default());
        for text in ["x", "exactly sixteen!", "plain text, longer than one block"] {
            let sealed = encrypt("secret", text, &m).unwrap();
            assert_eq!(decrypt("secret", &sealed, &m).unwrap(), text);
            let raw = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, sealed);
            assert_eq!(raw.unwrap().len(), 16 + (text.len() / 16 + 1) * 16);
        }
        assert_eq!(
            decrypt("k", "YWJj", &m).unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
    }
}
