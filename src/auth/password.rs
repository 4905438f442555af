//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes), off the async threads, on a few
//! long-lived threads of its own: one per core.

use std::sync::mpsc::{Sender, channel};
use std::sync::{LazyLock, Mutex};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};

pub const MIN_LEN: usize = 10;
pub const MAX_LEN: usize = 200;

type Job = Box<dyn FnOnce() + Send>;

/// Each hash takes 19 MiB. On tokio's blocking pool a burst of sign-ins ran on ever new threads, and the
/// allocator kept every thread's blocks: the load bench saw 1.9 GB resident with eight clients signing in
/// (522 MB with the pool limited to one hash per core). A fixed thread per core reuses its own block and is as
/// fast, since the work is CPU-bound; requests beyond that wait their turn in the queue.
static HASHERS: LazyLock<Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = channel::<Job>();
    let queue = std::sync::Arc::new(Mutex::new(queue));
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    for i in 0..cores {
        let queue = queue.clone();
        let spawned = std::thread::Builder::new().name(format!("password-{i}")).spawn(move || {
            loop {
                let job = match queue.lock() {
                    Ok(q) => q.recv(),
                    Err(poisoned) => poisoned.into_inner().recv(),
                };
                let Ok(job) = job else { return };
                // A job that panics loses its answer (the caller sees an error), not the thread.
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start a password thread");
        }
    }
    jobs
});

/// Runs `work` on a password thread and waits for its answer without holding up the async threads.
async fn on_password_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> anyhow::Result<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = answer.send(work());
    });
    HASHERS.send(job).map_err(|_| anyhow::anyhow!("the password threads have stopped"))?;
    Ok(answered.await?)
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    on_password_thread(move || {
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
    on_password_thread(move || {
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
