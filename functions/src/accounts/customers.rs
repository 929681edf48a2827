//! A storefront's customers as its staff sees them: every customer account
//! (not only those with a wallet), listed by name and searched by the start
//! of a name or of an email address a page at a time, through the
//! customers' index `records::customers_pk` (one query a page, never a
//! scan); created from the back office (an account without a password and a
//! mailed link to set one, as staff invitations are); put in a price group;
//! their newsletter consent; suspended and reinstated.
//!
//! Each change goes with its audit entry in one transaction (an invitation:
//! right after the account is made, as the staff's).
//!
//! Existing storefronts: accounts made before the index have no entry in
//! it, and the store has no scan to find them; each joins it at its next
//! sign-in (`records::index_if_missing`), and one that never signs in again
//! stays out of the list (a one-off migration with a DynamoDB Scan would
//! be needed for those).

use super::fields::{self, FieldError, MAX_NAME_CHARS};
use super::mail::Mail;
use super::messages::MailText;
use super::records::{self, CreateError, Kind, Profile, Role};
use super::routes::{CompanyBody, company};
use super::tokens::{self, Purpose, TokenRecord};
use super::{AccountsState, guard::Visit, secrets, sessions};
use crate::audit::{Actor, Entry};
use crate::store::{Item, Store, StoreError};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use storefront_core::Locale;
use storefront_core::snapshot::Snapshot;

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 7;

/// The most a page may hold.
pub const MAX_PER_PAGE: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    /// A field typed wrong (name, email, company...).
    #[error("{}: {:?}", .0.field, .0.problem)]
    Field(FieldError),
    /// The address already has an account on this storefront.
    #[error("the email is taken on this storefront")]
    EmailTaken,
    /// Not one of the storefront's languages.
    #[error("not a language of this storefront")]
    UnknownLanguage,
    /// Not one of the storefront's customer price groups.
    #[error("not a price group of this storefront")]
    UnknownGroup,
    /// A cursor this list did not give.
    #[error("not a cursor of this list")]
    BadCursor,
    /// No customer of this storefront with that id.
    #[error("no such customer")]
    NotFound,
    /// It has set its password already: no invitation is needed.
    #[error("already active")]
    AlreadyActive,
    /// Someone changed the account meanwhile, again and again.
    #[error("changed meanwhile")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the invitation was not sent: {0}")]
    Mail(String),
}

impl CustomerError {
    /// The form field to mark, if the error is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            CustomerError::Field(e) => Some(e.field),
            CustomerError::EmailTaken => Some("email"),
            CustomerError::UnknownLanguage => Some("language"),
            CustomerError::UnknownGroup => Some("group"),
            CustomerError::BadCursor => Some("after"),
            _ => None,
        }
    }
}

/// What a list is searched by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Name,
    Email,
}

impl By {
    /// `name` or `email`; anything else is the name.
    pub fn parse(s: &str) -> By {
        match s {
            "email" => By::Email,
            _ => By::Name,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            By::Name => "name",
            By::Email => "email",
        }
    }
}

/// One page of customers and the cursor of the next, if there is more.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub customers: Vec<Profile>,
    pub next: Option<String>,
}

/// The index's sort-key prefix a search starts with: the name folded as the
/// index folds it, an email in lowercase (as its key is).
fn prefix(by: By, typed: &str) -> String {
    match by {
        By::Name => format!("NAME#{}", records::fold(typed)),
        By::Email => format!("EMAIL#{}", typed.trim().to_lowercase()),
    }
}

/// A cursor as handed out: the last sort key shown, encoded so that nobody
/// builds one by hand or reads our keys from it.
fn cursor(sk: &str) -> String {
    URL_SAFE_NO_PAD.encode(sk)
}

fn uncursor(c: &str, within: &str) -> Result<String, CustomerError> {
    let sk = URL_SAFE_NO_PAD
        .decode(c.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or(CustomerError::BadCursor)?;
    // A cursor of another search would skip or repeat rows.
    let family = within.split('#').next().unwrap_or_default();
    if !sk.starts_with(&format!("{family}#")) {
        return Err(CustomerError::BadCursor);
    }
    Ok(sk)
}

/// The customers whose name (or email) starts with `typed` (all for ""),
/// by name (by email), `per` a page, after the cursor `after`.
pub async fn list(
    store: &dyn Store,
    reseller: &str,
    by: By,
    typed: &str,
    after: Option<&str>,
    per: usize,
) -> Result<Page, CustomerError> {
    let sk_prefix = prefix(by, typed);
    page_of(store, reseller, &sk_prefix, after, per).await
}

/// The customers who agree to the newsletter, by name, a page at a time.
pub async fn subscribers(
    store: &dyn Store,
    reseller: &str,
    after: Option<&str>,
    per: usize,
) -> Result<Page, CustomerError> {
    page_of(store, reseller, "NEWS#", after, per).await
}

async fn page_of(
    store: &dyn Store,
    reseller: &str,
    sk_prefix: &str,
    after: Option<&str>,
    per: usize,
) -> Result<Page, CustomerError> {
    let after = after
        .filter(|a| !a.trim().is_empty())
        .map(|a| uncursor(a, sk_prefix))
        .transpose()?;
    let page = crate::paging::in_order(
        store,
        &records::customers_pk(reseller),
        sk_prefix,
        after.as_deref(),
        per.min(MAX_PER_PAGE),
    )
    .await?;
    let ids: Vec<&str> = page
        .items
        .iter()
        .filter_map(|i| i.sk.rsplit_once('#').map(|(_, id)| id))
        .collect();
    let loaded =
        futures_util::future::try_join_all(ids.iter().map(|id| records::load(store, reseller, id)))
            .await?;
    let customers = loaded
        .into_iter()
        .flatten()
        .map(|(_, p)| p)
        .filter(|p| p.role == Role::Customer)
        .collect();
    Ok(Page {
        customers,
        next: page.next.as_deref().map(cursor),
    })
}

/// A customer of this storefront, with its item for a conditional write.
pub async fn load(
    store: &dyn Store,
    reseller: &str,
    id: &str,
) -> Result<(Item, Profile), CustomerError> {
    match records::load(store, reseller, id).await? {
        Some((item, p)) if p.role == Role::Customer => Ok((item, p)),
        _ => Err(CustomerError::NotFound),
    }
}

/// A new customer as the back office's form gives it.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    pub name: String,
    pub email: String,
    /// `personal` or `company`.
    pub kind: String,
    pub company_name: String,
    pub tax_id: String,
    /// A language code of the storefront's (`en`, `id`, `pl`).
    pub language: String,
}

/// The language a customer's mails go out in: one the storefront speaks.
fn language(snapshot: &Snapshot, typed: &str) -> Result<Locale, CustomerError> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(snapshot.default_language());
    }
    snapshot
        .languages
        .iter()
        .copied()
        .find(|l| l.code() == typed)
        .ok_or(CustomerError::UnknownLanguage)
}

/// A customer as the audit log records it.
fn card(p: &Profile) -> Value {
    json!({
        "email": p.email, "name": p.name, "kind": p.kind, "company": p.company,
        "language": p.language.code(),
    })
}

/// Make a customer account on the storefront of `visit` (unverified, no
/// password) and mail it, in its language, a link to set a password and
/// open its client area. Returns the new account and whether the mail
/// went.
pub async fn create(
    st: &AccountsState,
    visit: &Visit,
    by: &Actor,
    f: &NewCustomer,
) -> Result<(Profile, bool), CustomerError> {
    let snapshot = &visit.tenant.snapshot;
    let name = fields::line("name", &f.name, MAX_NAME_CHARS).map_err(CustomerError::Field)?;
    let email = fields::email(&f.email).map_err(CustomerError::Field)?;
    let kind = match f.kind.trim() {
        "company" => Kind::Company,
        _ => Kind::Personal,
    };
    let typed_company = (kind == Kind::Company).then(|| CompanyBody {
        name: f.company_name.clone(),
        tax_id: f.tax_id.clone(),
    });
    let company = company(kind, typed_company).map_err(CustomerError::Field)?;
    let language = language(snapshot, &f.language)?;
    let store = st.store.as_ref();
    let reseller = &visit.tenant.reseller;
    let id = secrets::new_id().map_err(|e| CustomerError::Mail(e.to_string()))?;
    let profile = Profile {
        kind,
        company,
        ..Profile::invited(id, reseller, email, name, Role::Customer, language)
    };
    match records::create(store, &profile).await {
        Ok(()) => {}
        Err(CreateError::Taken) => return Err(CustomerError::EmailTaken),
        Err(CreateError::Store(e)) => return Err(e.into()),
    }
    let entry = Entry::new(
        by,
        chrono::Utc::now(),
        "customer.create",
        &format!("account:{}", profile.id),
        json!(null),
        card(&profile),
    );
    if let Err(e) = crate::audit::record(store, reseller, &entry).await {
        tracing::error!(error = %e, "audit entry of a new customer not written");
    }
    // The account stands even when the mail does not go: the staff member
    // is told, and sends the invitation again from the customer's page.
    let mailed = match mail_invitation(st, visit, &profile).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, account = %profile.id, "invitation not sent");
            false
        }
    };
    Ok((profile, mailed))
}

/// Mail a customer a new link to set its password and open its client
/// area (a new invitation: the first one expired, or never arrived).
/// Only for an account that has not used one yet.
pub async fn invite_again(
    st: &AccountsState,
    visit: &Visit,
    by: &Actor,
    id: &str,
) -> Result<Profile, CustomerError> {
    let store = st.store.as_ref();
    let reseller = &visit.tenant.reseller;
    let (_, p) = load(store, reseller, id).await?;
    if p.verified {
        return Err(CustomerError::AlreadyActive);
    }
    mail_invitation(st, visit, &p).await?;
    let entry = Entry::new(
        by,
        chrono::Utc::now(),
        "customer.invite",
        &format!("account:{id}"),
        json!(null),
        json!({"email": p.email}),
    );
    if let Err(e) = crate::audit::record(store, reseller, &entry).await {
        tracing::error!(error = %e, "audit entry of an invitation not written");
    }
    Ok(p)
}

async fn mail_invitation(
    st: &AccountsState,
    visit: &Visit,
    profile: &Profile,
) -> Result<(), CustomerError> {
    let snapshot = &visit.tenant.snapshot;
    let record = TokenRecord {
        reseller: profile.reseller.clone(),
        account: profile.id.clone(),
        email_key: profile.email_key.clone(),
        epoch: profile.auth_epoch,
        expires_at: 0,
    };
    let token = tokens::issue(
        st.store.as_ref(),
        Purpose::Reset,
        record,
        INVITATION_DAYS * 86_400,
    )
    .await
    .map_err(|e| CustomerError::Mail(e.to_string()))?;
    let link = visit.link(st.config.secure_cookies, &format!("reset={token}"));
    let text = invitation_mail(profile.language, &snapshot.name, &profile.name, &link);
    st.mailer
        .send(Mail {
            from_name: snapshot.name.clone(),
            from: st.config.mail_from.clone(),
            to: profile.email_ascii.clone(),
            reply_to: Some(snapshot.reply_to().to_string()),
            subject: text.subject,
            text: text.body,
        })
        .await
        .map_err(|e| CustomerError::Mail(e.to_string()))
}

/// Change a customer with `change` and write it with its index and its
/// audit entry (`action`, `what` the audit records of it) in one
/// transaction, read again and retried when someone wrote it meanwhile.
/// Returns (before, after).
async fn change(
    store: &dyn Store,
    reseller: &str,
    by: &Actor,
    id: &str,
    action: &str,
    what: impl Fn(&Profile) -> Value,
    apply: impl Fn(&mut Profile),
) -> Result<(Profile, Profile), CustomerError> {
    for attempt in 0..5u64 {
        tokio::time::sleep(std::time::Duration::from_millis(5 * attempt)).await;
        let (item, before) = load(store, reseller, id).await?;
        let mut after = before.clone();
        apply(&mut after);
        if after == before {
            return Ok((before, after));
        }
        let entry = Entry::new(
            by,
            chrono::Utc::now(),
            action,
            &format!("account:{id}"),
            what(&before),
            what(&after),
        );
        let mut writes = vec![records::update(&item, &after)?, entry.write(reseller)?];
        writes.extend(records::customer_index(Some(&before), Some(&after)));
        match store.transact(writes).await {
            Ok(()) => return Ok((before, after)),
            Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(CustomerError::Conflict)
}

/// The customer price groups of a storefront, `default` first.
pub fn groups(snapshot: &Snapshot) -> Vec<String> {
    let mut out = vec!["default".to_string()];
    out.extend(
        snapshot
            .customer_rules
            .keys()
            .filter(|g| *g != "default")
            .cloned(),
    );
    out
}

/// Put a customer in one of the storefront's price groups (`default`: the
/// public prices); its quotes price with it from the next one on.
pub async fn set_price_group(
    store: &dyn Store,
    snapshot: &Snapshot,
    by: &Actor,
    id: &str,
    group: &str,
) -> Result<(Profile, Profile), CustomerError> {
    let group = group.trim();
    if !groups(snapshot).iter().any(|g| g == group) {
        return Err(CustomerError::UnknownGroup);
    }
    let chosen = (group != "default").then(|| group.to_string());
    change(
        store,
        &snapshot.reseller,
        by,
        id,
        "customer.price_group",
        |p| json!({"price_group": p.group()}),
        |p| p.price_group = chosen.clone(),
    )
    .await
}

/// Record whether a customer agrees to the newsletter.
pub async fn set_newsletter(
    store: &dyn Store,
    reseller: &str,
    by: &Actor,
    id: &str,
    on: bool,
) -> Result<(Profile, Profile), CustomerError> {
    change(
        store,
        reseller,
        by,
        id,
        "customer.newsletter",
        |p| json!({"newsletter": p.newsletter}),
        |p| p.newsletter = on,
    )
    .await
}

/// Suspend a customer (it cannot sign in and every session of it ends: the
/// epoch is raised) or reinstate it (it signs in again). Its wallet,
/// orders and domains stay as they are.
pub async fn set_suspended(
    store: &dyn Store,
    reseller: &str,
    by: &Actor,
    id: &str,
    suspended: bool,
) -> Result<(Profile, Profile), CustomerError> {
    let action = if suspended {
        "customer.suspend"
    } else {
        "customer.reinstate"
    };
    let (before, after) = change(
        store,
        reseller,
        by,
        id,
        action,
        |p| json!({"suspended": p.suspended}),
        |p| {
            if p.suspended != suspended {
                p.suspended = suspended;
                // Every session and mailed link dies with the old epoch.
                p.auth_epoch += 1;
            }
        },
    )
    .await?;
    if suspended && let Err(e) = sessions::end_all(store, reseller, id).await {
        tracing::warn!(error = %e, account = %id, "a suspended account's sessions left to expire");
    }
    Ok((before, after))
}

/// The invitation to a customer's new account.
pub fn invitation_mail(lang: Locale, store: &str, name: &str, link: &str) -> MailText {
    match lang {
        Locale::Id => MailText {
            subject: format!("Akun Anda di {store} sudah dibuat"),
            body: format!(
                "Halo {name},\n\n\
                 {store} telah membuatkan akun pelanggan untuk Anda. Untuk membuat kata sandi dan membuka area klien Anda, buka tautan berikut:\n\n\
                 {link}\n\n\
                 Tautan ini berlaku selama {INVITATION_DAYS} hari dan hanya dapat dipakai satu kali. \
                 Jika Anda tidak mengharapkan pesan ini, abaikan saja.\n\n\
                 {store}\n"
            ),
        },
        Locale::Pl => MailText {
            subject: format!("Twoje konto w sklepie {store} jest gotowe"),
            body: format!(
                "Dzień dobry {name},\n\n\
                 sklep {store} założył dla Ciebie konto klienta. Aby ustawić hasło i otworzyć swój panel klienta, otwórz ten link:\n\n\
                 {link}\n\n\
                 Link jest ważny przez {INVITATION_DAYS} dni i działa tylko raz. \
                 Jeżeli nie spodziewasz się tej wiadomości, zignoruj ją.\n\n\
                 {store}\n"
            ),
        },
        Locale::En => MailText {
            subject: format!("Your account at {store} is ready"),
            body: format!(
                "Hello {name},\n\n\
                 {store} has opened a customer account for you. To set your password and open your client area, open this link:\n\n\
                 {link}\n\n\
                 The link works once and for {INVITATION_DAYS} days. \
                 If you did not expect this message, ignore it.\n\n\
                 {store}\n"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_stay_in_their_list() {
        let c = cursor("NAME#budi santoso#0123");
        assert_eq!(
            uncursor(&c, "NAME#bu").expect("ours"),
            "NAME#budi santoso#0123"
        );
        assert!(matches!(
            uncursor(&c, "EMAIL#bu"),
            Err(CustomerError::BadCursor)
        ));
        assert!(matches!(
            uncursor("not base64!", "NAME#"),
            Err(CustomerError::BadCursor)
        ));
    }

    #[test]
    fn invitations_in_each_language() {
        for lang in [Locale::En, Locale::Id, Locale::Pl] {
            let m = invitation_mail(lang, "Toko", "Budi", "https://x/?reset=t");
            assert!(m.body.contains("https://x/?reset=t"), "{lang:?}");
            assert!(m.body.contains("Budi"), "{lang:?}");
            assert!(m.subject.contains("Toko"), "{lang:?}");
        }
    }
}
