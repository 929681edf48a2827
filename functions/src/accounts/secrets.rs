//! Random secrets (session ids, one-time tokens, account ids) and how they
//! are stored: only a digest of a secret is ever written, so a copy of the
//! table signs nobody in. The secrets are 256 bits from the OS generator, so
//! a fast hash (BLAKE3) is enough; no salt or stretching is needed.

use rand::TryRng;
use rand::rngs::SysRng;

/// Digest contexts: the same secret hashed for two purposes gives two
/// unrelated keys.
pub const SESSION_CONTEXT: &str = "storefront accounts 2026 session id";
pub const TOKEN_CONTEXT: &str = "storefront accounts 2026 one-time token";
pub const RATE_CONTEXT: &str = "storefront accounts 2026 rate-limit key";

/// Bytes of a session id or token: 256 bits.
const SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
#[error("the operating system's random generator failed: {0}")]
pub struct RandomError(String);

fn random<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut buf = [0u8; N];
    SysRng
        .try_fill_bytes(&mut buf)
        .map_err(|e| RandomError(e.to_string()))?;
    Ok(buf)
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// A new session id or token: 64 lowercase hex digits.
pub fn new_secret() -> Result<String, RandomError> {
    Ok(hex(&random::<SECRET_BYTES>()?))
}

/// A new account id: 128 random bits, 32 hex digits. Not a secret, but not
/// guessable or countable either.
pub fn new_id() -> Result<String, RandomError> {
    Ok(hex(&random::<16>()?))
}

/// 16 bytes of salt for a password hash.
pub fn new_salt() -> Result<[u8; 16], RandomError> {
    random::<16>()
}

/// Whether `s` has the shape of a secret we issued; anything else is refused
/// before it reaches the store.
pub fn looks_like_secret(s: &str) -> bool {
    s.len() == SECRET_BYTES * 2 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The digest a secret is stored under.
pub fn digest(context: &str, secret: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key(context);
    h.update(secret.as_bytes());
    h.finalize().to_hex().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_distinct_and_recognised() {
        let a = new_secret().expect("random");
        let b = new_secret().expect("random");
        assert_ne!(a, b);
        assert!(looks_like_secret(&a));
        assert!(!looks_like_secret(&a.to_uppercase()));
        assert!(!looks_like_secret(&a[1..]));
        assert_ne!(digest(SESSION_CONTEXT, &a), digest(TOKEN_CONTEXT, &a));
        assert_eq!(new_id().expect("random").len(), 32);
    }
}
