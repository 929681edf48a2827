//! Password hashing with argon2id, off the async threads and bounded in
//! how many run at once.
//!
//! Sign-in takes the same time whether or not the account exists: when it
//! does not, the password is checked against a dummy hash made with the same
//! parameters, so timing does not tell which emails have accounts.

use super::config::AccountsConfig;
use super::secrets;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::{Arc, OnceLock};
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("argon2: {0}")]
    Argon2(String),
    #[error(transparent)]
    Random(#[from] secrets::RandomError),
    #[error("hashing task failed: {0}")]
    Task(String),
}

#[derive(Debug, Clone)]
pub struct Hasher {
    params: Params,
    permits: Arc<Semaphore>,
    dummy: Arc<OnceLock<String>>,
}

impl Hasher {
    /// Parameters argon2 refuses (memory below 8 KiB per lane, ...) are
    /// raised to the nearest it accepts, and said so in the log.
    pub fn new(config: &AccountsConfig) -> Hasher {
        let p = config.argon2_p.max(1);
        let params = Params::new(
            config.argon2_m_kib.max(8 * p),
            config.argon2_t.max(1),
            p,
            None,
        )
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "argon2 parameters refused; using the defaults");
            Params::DEFAULT
        });
        Hasher {
            params,
            permits: Arc::new(Semaphore::new(config.max_concurrent_hashes.max(1))),
            dummy: Arc::default(),
        }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    fn hash_now(params: Params, password: &[u8]) -> Result<String, HashError> {
        let salt = secrets::new_salt()?;
        Hasher::argon2(params)
            .hash_password_with_salt(password, &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError::Argon2(e.to_string()))
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| HashError::Task(e.to_string()))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| HashError::Task(e.to_string()))
    }

    /// A PHC string (`$argon2id$v=19$m=...`) with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let params = self.params.clone();
        self.blocking(move || Hasher::hash_now(params, password.as_bytes()))
            .await?
    }

    /// Whether `password` matches `stored`; with no stored hash, the work is
    /// done against the dummy and the answer is no. The parameters come from
    /// the stored hash, so raising the cost does not lock anyone out.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, HashError> {
        let params = self.params.clone();
        let dummy = self.dummy.clone();
        self.blocking(move || {
            let (hash, real) = match stored {
                Some(h) => (h, true),
                None => {
                    let d = dummy.get_or_init(|| {
                        Hasher::hash_now(params, b"not anybody's password").unwrap_or_default()
                    });
                    (d.clone(), false)
                }
            };
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), hash.as_str())
                .is_ok();
            ok && real
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_carry_their_parameters() {
        let h = Hasher::new(&AccountsConfig::fast_for_tests());
        let stored = h.hash("correct horse".into()).await.expect("hash");
        assert!(
            stored.starts_with("$argon2id$v=19$m=8,t=1,p=1$"),
            "{stored}"
        );
        assert!(
            h.verify("correct horse".into(), Some(stored.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !h.verify("wrong horse".into(), Some(stored.clone()))
                .await
                .expect("verify")
        );
        assert!(
            !h.verify("correct horse".into(), None)
                .await
                .expect("verify")
        );
        assert!(
            !h.verify("x".into(), Some("garbage".into()))
                .await
                .expect("verify")
        );
        assert_ne!(
            stored,
            h.hash("correct horse".into()).await.expect("hash"),
            "salted"
        );
    }
}
