//! Password hashing with argon2id (OWASP's parameters: 19 MiB, 2 passes), off the async threads, on a few
//! long-lived threads of its own: one per core.

use std::sync::mpsc::{Sender, channel};
use std::sync::{LazyLock, Mutex};

use std::cell::RefCell;

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;

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
        // The request gave up (time-out, client gone) while this waited: a flood leaves no backlog to hash.
        if !answer.is_closed() {
            let _ = answer.send(work());
        }
    });
    HASHERS.send(job).map_err(|_| anyhow::anyhow!("the password threads have stopped"))?;
    Ok(answered.await?)
}

pub async fn hash(password: String) -> anyhow::Result<String> {
    on_password_thread(move || hash_now(password.as_bytes())).await?
}

/// True when `password` matches `stored`. With no stored hash a dummy one is checked, so that an unknown
/// account takes as long to refuse as a known one.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    on_password_thread(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        // Always hash, then decide: an unknown address must cost the same time as a known one.
        let matched = matches(password.as_bytes(), &stored)?;
        Ok(known && matched)
    })
    .await?
}

thread_local! {
    /// The password thread's own working memory for argon2, kept between hashes: freed and allocated again
    /// each time, the heap (glibc's malloc, then) kept growing (270 MB resident after a burst of sign-ins,
    /// against 60 MB here).
    static BLOCKS: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    BLOCKS.with(|blocks| {
        let mut blocks = blocks.borrow_mut();
        if blocks.len() < count {
            blocks.resize(count, Block::default());
        }
        work(&mut blocks[..count])
    })
}

/// argon2's `hash_password` with the thread's kept memory: the same PHC string.
fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let argon2 = Argon2::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let length = argon2.params().output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(length, |out| {
        with_blocks(argon2.params().block_count(), |memory| {
            argon2.hash_password_into_with_memory(password, salt_bytes, out, memory)
        })
        .map_err(password_hash::Error::from)
    })
    .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(argon2.params()).map_err(|e| anyhow::anyhow!("parameters: {e}"))?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// argon2's `verify_password` with the thread's kept memory: the stored string's own algorithm, version and
/// parameters, compared in constant time.
fn matches(password: &[u8], stored: &str) -> anyhow::Result<bool> {
    let unreadable = |e: password_hash::Error| anyhow::anyhow!("stored hash unreadable: {e}");
    let parsed = PasswordHash::new(stored).map_err(unreadable)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else { return Ok(false) };
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(unreadable)?;
    let version =
        parsed.version.map(Version::try_from).transpose().map_err(|e| unreadable(e.into()))?.unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(unreadable)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(unreadable)?;
    let mut out = vec![0u8; expected.len()];
    with_blocks(params.block_count(), |memory| {
        argon2.hash_password_into_with_memory(password, salt_bytes, &mut out, memory)
    })
    .map_err(|e| unreadable(e.into()))?;
    Ok(bool::from(out.as_slice().ct_eq(expected.as_bytes())))
}

/// A hash of a random string, with the default parameters.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jq4cZ4mSvYN2Z5AWQYQ0eiuy7Trq2TfCg1UtjjK2Hcc";

/// How many guesses a new password must withstand, as zxcvbn scores it: 3 is "safely unguessable" (10^8
/// guesses and more), which refuses every password on its common and breached lists and their variants.
const MIN_SCORE: u8 = 3;
/// zxcvbn's matching grows faster than the length; a password's first 64 characters decide (a longer one is
/// stronger unless it repeats, and a repeat shows in its start).
const SCORED_CHARS: usize = 64;

/// Says what is wrong with a new password, if anything. `about` holds what an attacker would try first for
/// this person (their e-mail address and name).
pub fn problem(password: &str, confirm: &str, about: &[&str]) -> Option<String> {
    let len = password.chars().count();
    if len < MIN_LEN {
        Some(format!("Choose a password of at least {MIN_LEN} characters."))
    } else if len > MAX_LEN {
        Some(format!("Choose a password of at most {MAX_LEN} characters."))
    } else if password != confirm {
        Some("The two passwords do not match.".to_string())
    } else {
        too_guessable(password, about)
    }
}

/// Refuses a common, breached or predictable password (ASVS 2.1.7) with zxcvbn, whose frequency lists ship in
/// the binary, and says how to choose a better one.
fn too_guessable(password: &str, about: &[&str]) -> Option<String> {
    let scored: String = password.chars().take(SCORED_CHARS).collect();
    let mut hints: Vec<String> = about
        .iter()
        .flat_map(|a| a.split(|c: char| !c.is_alphanumeric()))
        .filter(|h| h.len() >= 3)
        .map(str::to_lowercase)
        .collect();
    hints.extend(["smart", "working", "network"].map(String::from));
    let hints: Vec<&str> = hints.iter().map(String::as_str).collect();
    let estimate = zxcvbn::zxcvbn(&scored, &hints);
    if u8::from(estimate.score()) >= MIN_SCORE {
        return None;
    }
    let why = match estimate.feedback().and_then(|f| f.warning()) {
        Some(warning) => format!(
            "This password is too easy to guess ({}).",
            warning.to_string().trim_end_matches('.').to_lowercase()
        ),
        None => "This password is too easy to guess.".to_string(),
    };
    Some(format!(
        "{why} A passphrase of three or four unrelated words (for example \"kettle orbit lantern meadow\") is hard to guess and easy to remember."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Our hashing with kept memory and argon2's own API agree, both ways.
    #[test]
    fn the_same_strings_as_argon2s_own_api() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash_now(b"correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse battery", &parsed).is_ok());
        assert!(Argon2::default().verify_password(b"wrong horse battery", &parsed).is_err());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse battery", &salt).unwrap().to_string();
        assert!(matches(b"correct horse battery", &theirs).unwrap());
        assert!(!matches(b"correct horse batterz", &theirs).unwrap());
        // Other parameters than ours (an older or stronger stored hash) are honoured too.
        let strong = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(32768, 3, 1, None).unwrap());
        let stored = strong.hash_password(b"pass phrase long", &salt).unwrap().to_string();
        assert!(matches(b"pass phrase long", &stored).unwrap() && !matches(b"pass phrase lonG", &stored).unwrap());
        assert!(matches(b"anything", "not a hash").is_err());
    }

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
        assert!(problem("short", "short", &[]).is_some());
        assert!(problem("long enough pass", "long enough pasS", &[]).is_some());
        assert!(problem("long enough pass", "long enough pass", &[]).is_none());
    }

    /// Common and breached passwords, and their usual variants, are refused with advice; passphrases pass.
    #[test]
    fn guessable_passwords_are_refused() {
        for weak in ["password12", "Password123", "qwertyuiop1", "iloveyou2024", "Summer2024!", "aaaaaaaaaaaa"] {
            let said = problem(weak, weak, &[]).unwrap_or_else(|| panic!("{weak} was accepted"));
            assert!(said.contains("too easy to guess") && said.contains("passphrase"), "{said}");
        }
        let repeated = "abc123".repeat(33);
        assert!(problem(&repeated, &repeated, &[]).is_some(), "a long repeat is still guessable");
        // What the person's own address and name give away counts against it.
        let own = "Northshire2026";
        assert_eq!(problem(own, own, &["someone@example.org"]), None);
        assert!(problem(own, own, &["priya.shah@northshire.gov.uk", "Priya Shah"]).is_some());
        for strong in ["correct horse battery staple", "kettle orbit lantern meadow", "member-password-1"] {
            assert_eq!(problem(strong, strong, &["someone@example.org"]), None, "{strong}");
        }
    }
}
