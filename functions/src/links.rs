//! Short-lived links to one version of a registrant's document.
//!
//! A document is read only through a link made for its reader when the
//! page that shows it is drawn: an HMAC-SHA256 token over (reseller,
//! order, line, item, version, audience, expiry) with the server's link
//! secret, valid for a few minutes. The file route wants the link *and* a
//! session that may read it (`may_read`), so a link that leaks is useless to
//! anyone else, and a session alone reaches no file.
//!
//! A token is `<payload>.<mac>`, both base64url without padding: the
//! payload is a JSON array `["d1", reseller, order, line, item, version,
//! "customer"|"staff", expires]` (seconds since the epoch), the MAC is over
//! the payload's bytes with a context of its own. Nothing in it is secret
//! (the reader sees the order in the page anyway); it only cannot be made
//! or changed without the key. The MAC is checked, in constant time, before
//! anything in the payload is believed.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chrono::{DateTime, Utc};
use ring::hmac;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// How long a link lasts unless configured otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(5 * 60);

/// The shortest secret taken: 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;

/// The longest token looked at; a real one is a few hundred characters.
const MAX_TOKEN_CHARS: usize = 2048;

/// The payload's first element: the format, and what the MAC is for.
const FORMAT: &str = "d1";

/// Signed before the payload, so that this key's MACs mean nothing to
/// anything else that might ever share it.
const CONTEXT: &[u8] = b"storefront document link\0";

/// Whom a link was made for: the customer's pages or the reviewers'.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Audience {
    Customer,
    Staff,
}

/// What a link names, once its MAC is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub reseller: String,
    pub order: String,
    pub line: String,
    pub item: String,
    pub version: u32,
    pub audience: Audience,
    /// Seconds since the epoch; the link is refused from then on.
    pub expires: i64,
}

type Payload = (String, String, String, String, String, u32, Audience, i64);

impl Link {
    /// Whether the link has run out at `now`: from its expiry second on.
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        now.timestamp() >= self.expires
    }
}

/// The signed-in person asking to read a linked file.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a> {
    /// The storefront whose host they are signed in on.
    pub reseller: &'a str,
    pub account: &'a str,
    /// A customer, or staff who may review this storefront's documents.
    pub reviewer: bool,
}

/// The document's owners, as its record says.
#[derive(Debug, Clone, Copy)]
pub struct Owners<'a> {
    pub reseller: &'a str,
    pub customer: &'a str,
    /// Whether its storefront reviews it (the catalogue's `review` for its
    /// extension, as kept with the set): a set only the platform reviews
    /// does not exist for the storefront's staff.
    pub storefront_reviews: bool,
}

/// Whether `who` may read the file `link` names, whose record says
/// `owners`: the link's storefront is the reader's and the document's;
/// a customer's link for that very customer, a staff link for a reviewer
/// of that storefront when the storefront reviews this set. Anyone else
/// is told nothing.
pub fn may_read(link: &Link, who: Reader<'_>, owners: Owners<'_>) -> bool {
    let storefront = link.reseller == who.reseller && owners.reseller == who.reseller;
    let person = match link.audience {
        Audience::Customer => !who.reviewer && owners.customer == who.account,
        Audience::Staff => who.reviewer && owners.storefront_reviews,
    };
    storefront && person
}

/// The key links are made and checked with, and how long they last.
#[derive(Clone)]
pub struct DocumentLinks {
    key: hmac::Key,
    pub ttl: Duration,
}

impl std::fmt::Debug for DocumentLinks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocumentLinks")
            .field("key", &"..")
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl DocumentLinks {
    /// Links signed with `secret` (at least 32 bytes), lasting `DEFAULT_TTL`.
    pub fn new(secret: &[u8]) -> Result<DocumentLinks, String> {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "the document link secret must be at least {MIN_SECRET_BYTES} characters"
            ));
        }
        Ok(DocumentLinks {
            key: hmac::Key::new(hmac::HMAC_SHA256, secret),
            ttl: DEFAULT_TTL,
        })
    }

    /// A key of this process alone, from the OS generator: for services
    /// built in one process (tests); a deployed function reads its key
    /// from the environment, the local server from beside its store.
    pub fn random() -> DocumentLinks {
        use rand::Rng;
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        DocumentLinks {
            key: hmac::Key::new(hmac::HMAC_SHA256, &secret),
            ttl: DEFAULT_TTL,
        }
    }

    /// The local server's key, kept in `file` (made on first use, readable
    /// by its owner only), so links survive a restart and other commands
    /// on the same store agree with the server.
    pub fn local(file: &Path) -> anyhow::Result<DocumentLinks> {
        use std::io::Write;
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        match open.open(file) {
            Ok(mut f) => {
                let secret = crate::accounts::secrets::new_secret()?;
                f.write_all(secret.as_bytes())
                    .and_then(|()| f.sync_all())
                    .map_err(|e| anyhow::anyhow!("writing {}: {e}", file.display()))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => anyhow::bail!("creating {}: {e}", file.display()),
        }
        let secret = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("reading {}: {e}", file.display()))?;
        DocumentLinks::new(secret.trim().as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
    }

    /// A token for `link` as it is (its expiry included).
    pub fn sign(&self, link: &Link) -> String {
        let payload: Payload = (
            FORMAT.into(),
            link.reseller.clone(),
            link.order.clone(),
            link.line.clone(),
            link.item.clone(),
            link.version,
            link.audience,
            link.expires,
        );
        let bytes = serde_json::to_vec(&payload).unwrap_or_default();
        let mac = hmac::sign(&self.key, &signed(&bytes));
        format!("{}.{}", B64.encode(&bytes), B64.encode(mac.as_ref()))
    }

    /// A token for one version of a document, for `audience`, lasting
    /// `ttl` from `now`.
    pub fn make(
        &self,
        what: (&str, &str, &str, &str, u32),
        audience: Audience,
        now: DateTime<Utc>,
    ) -> String {
        let (reseller, order, line, item, version) = what;
        let ttl = i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX);
        self.sign(&Link {
            reseller: reseller.into(),
            order: order.into(),
            line: line.into(),
            item: item.into(),
            version,
            audience,
            expires: now.timestamp().saturating_add(ttl),
        })
    }

    /// What `token` names, if this key made it and nothing in it changed
    /// (expired or not: that is the caller's to decide, `Link::expired`).
    pub fn open(&self, token: &str) -> Option<Link> {
        if token.len() > MAX_TOKEN_CHARS {
            return None;
        }
        let (payload, mac) = token.split_once('.')?;
        let bytes = B64.decode(payload).ok()?;
        let mac = B64.decode(mac).ok()?;
        // Constant time: how far a forged MAC matches says nothing.
        hmac::verify(&self.key, &signed(&bytes), &mac).ok()?;
        let (format, reseller, order, line, item, version, audience, expires): Payload =
            serde_json::from_slice(&bytes).ok()?;
        (format == FORMAT).then_some(Link {
            reseller,
            order,
            line,
            item,
            version,
            audience,
            expires,
        })
    }
}

fn signed(payload: &[u8]) -> Vec<u8> {
    [CONTEXT, payload].concat()
}

/// The link to a file as a page puts it: `root` is the storefront's root
/// (`/`, or a local preview's `/s/<id>/`), the API under it.
pub fn path(root: &str, token: &str) -> String {
    format!("{root}api/documents/file?t={token}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).expect("time")
    }

    fn links() -> DocumentLinks {
        DocumentLinks::new(SECRET).expect("key")
    }

    fn ktp(audience: Audience) -> String {
        links().make(("toko", "o1", "l1", "ktp", 2), audience, at(1_000_000))
    }

    #[test]
    fn a_link_names_what_it_was_made_for_and_lasts_five_minutes() {
        let link = links().open(&ktp(Audience::Customer)).expect("opens");
        assert_eq!(
            link,
            Link {
                reseller: "toko".into(),
                order: "o1".into(),
                line: "l1".into(),
                item: "ktp".into(),
                version: 2,
                audience: Audience::Customer,
                expires: 1_000_300,
            }
        );
        assert!(!link.expired(at(1_000_000)));
        assert!(!link.expired(at(1_000_299)));
        assert!(link.expired(at(1_000_300)));
        assert!(link.expired(at(1_000_360)));
        let token = ktp(Audience::Staff);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)),
            "{token}"
        );
    }

    #[test]
    fn a_changed_or_foreign_token_opens_nothing() {
        let token = ktp(Audience::Customer);
        let (payload, mac) = token.split_once('.').expect("two parts");
        // Another version, another audience, a later expiry: each its own
        // payload under the old MAC.
        let mut link = links().open(&token).expect("opens");
        for change in [
            |l: &mut Link| l.version = 3,
            |l: &mut Link| l.audience = Audience::Staff,
            |l: &mut Link| l.expires += 3600,
            |l: &mut Link| l.reseller = "agen".into(),
        ] {
            let mut other = link.clone();
            change(&mut other);
            let forged_payload = links().sign(&other);
            let forged = format!("{}.{mac}", forged_payload.split_once('.').unwrap().0);
            assert_eq!(links().open(&forged), None, "{other:?}");
        }
        // One character of the MAC or the payload.
        let flip = |s: &str, i: usize| {
            let mut b = s.as_bytes().to_vec();
            b[i] = if b[i] == b'A' { b'B' } else { b'A' };
            String::from_utf8(b).unwrap()
        };
        assert_eq!(links().open(&format!("{payload}.{}", flip(mac, 3))), None);
        assert_eq!(links().open(&format!("{}.{mac}", flip(payload, 5))), None);
        // Another key, no MAC, garbage, too long.
        let other = DocumentLinks::new(b"another secret, as long as it must be").expect("key");
        assert_eq!(other.open(&token), None);
        assert_eq!(links().open(payload), None);
        assert_eq!(links().open(&format!("{payload}.")), None);
        assert_eq!(links().open("not a token"), None);
        assert_eq!(links().open(""), None);
        assert_eq!(links().open(&"A".repeat(MAX_TOKEN_CHARS + 1)), None);
        link.expires = 0;
        assert!(links().open(&links().sign(&link)).is_some());
    }

    #[test]
    fn a_short_secret_is_refused_and_keys_differ() {
        assert!(DocumentLinks::new(b"short").is_err());
        assert!(DocumentLinks::new(&SECRET[1..]).is_err());
        let token = ktp(Audience::Customer);
        assert_eq!(DocumentLinks::random().open(&token), None);
    }

    #[test]
    fn the_local_key_is_made_once_and_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("document-links.key");
        let first = DocumentLinks::local(&file).expect("made");
        let token = first.make(("toko", "o", "l", "ktp", 1), Audience::Staff, Utc::now());
        let again = DocumentLinks::local(&file).expect("read");
        assert!(again.open(&token).is_some());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).expect("file").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&file, "too short").expect("write");
        assert!(DocumentLinks::local(&file).is_err());
    }

    #[test]
    fn only_its_customer_or_its_reviewers_may_read() {
        let link = |audience| Link {
            reseller: "toko".into(),
            order: "o1".into(),
            line: "l1".into(),
            item: "ktp".into(),
            version: 1,
            audience,
            expires: 0,
        };
        let owners = Owners {
            reseller: "toko",
            customer: "budi",
            storefront_reviews: true,
        };
        let reader = |reseller, account, reviewer| Reader {
            reseller,
            account,
            reviewer,
        };
        let customer = link(Audience::Customer);
        let staff = link(Audience::Staff);
        assert!(may_read(&customer, reader("toko", "budi", false), owners));
        assert!(may_read(&staff, reader("toko", "owner", true), owners));
        // Another customer; staff with a customer's link; the customer
        // with a staff link.
        assert!(!may_read(&customer, reader("toko", "sari", false), owners));
        assert!(!may_read(&customer, reader("toko", "owner", true), owners));
        assert!(!may_read(&staff, reader("toko", "budi", false), owners));
        // Another storefront's staff, above or below: the link's and the
        // document's storefront must be the reader's.
        assert!(!may_read(&staff, reader("agen", "owner", true), owners));
        let agen_doc = Owners {
            reseller: "agen",
            ..owners
        };
        assert!(!may_read(&staff, reader("toko", "owner", true), agen_doc));
        // A set only the platform reviews: not its storefront's staff's to
        // read; its customer still reads it.
        let platforms = Owners {
            storefront_reviews: false,
            ..owners
        };
        assert!(!may_read(&staff, reader("toko", "owner", true), platforms));
        assert!(may_read(
            &customer,
            reader("toko", "budi", false),
            platforms
        ));
        // A staff member who is also named as the customer is still staff.
        assert!(!may_read(&customer, reader("toko", "budi", true), owners));
    }
}
