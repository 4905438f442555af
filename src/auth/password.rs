//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes), off the async threads, at most one
//! per core at a time.

use std::sync::{Arc, LazyLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

/// Each hash takes 19 MiB. Unbounded, a burst of sign-ins ran one blocking thread per request, and the
/// allocator kept every thread's blocks: the load bench saw 1.9 GB resident after eight clients signing in.
/// One hash per core is as fast (the work is CPU-bound) and keeps memory to a few blocks.
static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    Arc::new(Semaphore::new(cores))
});

async fn turn() -> anyhow::Result<OwnedSemaphorePermit> {
    Ok(HASHING.clone().acquire_owned().await?)
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    let permit = turn().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
    })
    .await?
}

/// True when `password` matches `stored`. With no stored hash a dummy one is checked, so that an unknown
/// account takes as long to refuse as a known one.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    let permit = turn().await?;
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
        Ok(known && Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await?
}

/// A hash of a random string, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jq4cZ4mSvYN2Z5AWQYQ0eiuy7Trq2TfCg1UtjjK2Hcc";

/// Says what is wrong with a new password, if anything.
pub fn problem(password: &str, confirm: &str) -> Option<String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Some(format!("Choose a password of at least {MIN_LEN} characters."))
    } else if len > MAX_LEN {
        Some(format!("Choose a password of at most {MAX_LEN} characters."))
    } else if password != confirm {
        Some("The two passwords do not match.".to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery".into(), Some(h.clone())).await.unwrap());
        assert!(!verify("wrong horse battery".into(), Some(h)).await.unwrap());
        assert!(!verify("anything".into(), None).await.unwrap());
    }

    #[test]
    fn password_rules() {
        assert!(problem("short", "short").is_some());
        assert!(problem("long enough pass", "long enough pasS").is_some());
        assert!(problem("long enough pass", "long enough pass").is_none());
    }
}
