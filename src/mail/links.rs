//! Signed links in e-mails: the preference page and one-click unsubscribe work without signing in, and
//! without a stored row per e-mail. A link carries what it is for and the recipient's address, signed with a
//! key the application keeps in the database (so every instance shares it); a forged or altered link fails.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::db::Db;
use crate::{execute, fetch_scalar};

type HmacSha256 = hmac::Hmac<Sha256>;

/// The key that signs links, 256 random bits.
#[derive(Clone)]
pub struct SigningKey(Vec<u8>);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// What a signed link lets its holder do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Open the e-mail preference page of the address.
    Preferences,
    /// Stop one category of e-mail to the address; `issue` is the newsletter issue whose link it was, so its
    /// report can count the unsubscribes it brought (older links carry none).
    Unsubscribe { category: String, issue: Option<String> },
}

impl LinkPurpose {
    fn label(&self) -> String {
        match self {
            LinkPurpose::Preferences => "preferences".into(),
            LinkPurpose::Unsubscribe { category, issue: None } => format!("unsubscribe:{category}"),
            LinkPurpose::Unsubscribe { category, issue: Some(issue) } => format!("unsubscribe:{category}:{issue}"),
        }
    }

    fn parse(label: &str) -> Option<LinkPurpose> {
        match label.split_once(':') {
            None if label == "preferences" => Some(LinkPurpose::Preferences),
            Some(("unsubscribe", rest)) => {
                let (category, issue) = match rest.split_once(':') {
                    Some((category, issue)) if !issue.is_empty() => (category, Some(issue.to_string())),
                    Some(_) => return None,
                    None => (rest, None),
                };
                (!category.is_empty()).then(|| LinkPurpose::Unsubscribe { category: category.into(), issue })
            }
            _ => None,
        }
    }
}

/// Loads the signing key, making it on first start (the first instance to insert it wins).
pub async fn signing_key(db: &Db) -> Result<SigningKey, sqlx::Error> {
    execute!(
        db,
        "INSERT INTO app_secrets (name, value, created_at) VALUES ('link_signing_key', $1, $2) ON CONFLICT (name) DO NOTHING",
        crate::auth::tokens::random_token(),
        Utc::now()
    )?;
    let value = fetch_scalar!(db, String, "SELECT value FROM app_secrets WHERE name = 'link_signing_key'")?;
    Ok(SigningKey(value.into_bytes()))
}

/// How much of its HMAC-SHA-256 a form token keeps.
const FORM_TAG_BYTES: usize = 16;

impl SigningKey {
    fn mac(&self, payload: &str) -> HmacSha256 {
        // HMAC takes a key of any length, so this cannot fail.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(payload.as_bytes());
        mac
    }

    /// A token for `purpose` on `address` (compared lower-cased).
    pub fn sign(&self, purpose: &LinkPurpose, address: &str) -> String {
        let payload = format!("v1\n{}\n{}", purpose.label(), address.trim().to_lowercase());
        let tag = self.mac(&payload).finalize().into_bytes();
        format!("{}.{}", URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(tag))
    }

    /// A browser's form token (the double-submit cookie's value): a random part and its tag, so that a token
    /// one network made is refused by another (each network has its own key).
    ///
    /// 128 random bits and a 128-bit tag: every form of a page carries the token (a topic page has a hundred
    /// forms), so it is kept as short as the unsigned one was.
    pub fn form_token(&self) -> String {
        let nonce = crate::auth::tokens::random_token_of::<16>();
        let tag = self.mac(&format!("form\n{nonce}")).finalize().into_bytes();
        format!("{nonce}.{}", URL_SAFE_NO_PAD.encode(&tag[..FORM_TAG_BYTES]))
    }

    /// Whether `token` is a form token this key made.
    pub fn is_form_token(&self, token: &str) -> bool {
        let Some((nonce, tag)) = token.split_once('.') else { return false };
        let Ok(tag) = URL_SAFE_NO_PAD.decode(tag) else { return false };
        nonce.len() == 22
            && tag.len() == FORM_TAG_BYTES
            && self.mac(&format!("form\n{nonce}")).verify_truncated_left(&tag).is_ok()
    }

    /// What a token allows, and for which address; `None` for anything not signed by this key.
    pub fn verify(&self, token: &str) -> Option<(LinkPurpose, String)> {
        let (payload, tag) = token.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        self.mac(&payload).verify_slice(&tag).ok()?;
        let mut parts = payload.splitn(3, '\n');
        if parts.next()? != "v1" {
            return None;
        }
        let purpose = LinkPurpose::parse(parts.next()?)?;
        Some((purpose, parts.next()?.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_links_verify_and_forgeries_do_not() {
        let key = SigningKey(b"a key for tests".to_vec());
        let plain = LinkPurpose::Unsubscribe { category: "newsletter".into(), issue: None };
        let token = key.sign(&plain, "Ann@Example.org");
        assert_eq!(key.verify(&token), Some((plain, "ann@example.org".into())));
        let from_issue = LinkPurpose::Unsubscribe { category: "newsletter".into(), issue: Some("n1".into()) };
        let token = key.sign(&from_issue, "ann@example.org");
        assert_eq!(key.verify(&token), Some((from_issue, "ann@example.org".into())));
        let prefs = key.sign(&LinkPurpose::Preferences, "ann@example.org");
        assert_eq!(key.verify(&prefs).map(|p| p.0), Some(LinkPurpose::Preferences));

        // Form tokens: this key's only.
        let form = key.form_token();
        assert!(key.is_form_token(&form) && !SigningKey(b"another key".to_vec()).is_form_token(&form));
        assert!(!key.is_form_token(form.split('.').next().unwrap()) && !key.is_form_token(&format!("{form}x")));

        // Another key, another address, a cut tag, or garbage: refused.
        assert!(SigningKey(b"another key".to_vec()).verify(&token).is_none());
        let (_, tag) = token.split_once('.').unwrap_or_default();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode("v1\nunsubscribe:newsletter\nbob@example.org"));
        assert!(key.verify(&forged).is_none());
        assert!(key.verify(&token[..token.len() - 2]).is_none());
        assert!(key.verify("not-a-token").is_none());
        assert!(key.verify("..").is_none());
    }
}
