//! A storefront's staff: invited by its owner with a role (an account made
//! without a password and a mailed link to set one), listed, given another
//! role, revoked (the account is deleted, so its sessions stop working at
//! their next request). Who may do what is `roles::allows`. Each change
//! leaves an entry in the audit log (`crate::audit`): with the change in
//! one transaction, or, for an invitation, right after it.

use super::fields::{self, FieldError};
use super::mail::Mail;
use super::messages::MailText;
use super::records::{self, CreateError, Profile, Role};
use super::tokens::{self, Purpose, TokenRecord};
use super::{AccountsState, guard::Visit, secrets, sessions};
use crate::audit::{Actor, Entry};
use crate::store::{Condition, Query, Store, StoreError, Write};
use serde_json::json;
use storefront_core::Locale;

/// How long an invitation's link works.
pub const INVITATION_DAYS: i64 = 7;

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    /// Not one of owner, admin, finance, support.
    #[error("not a staff role")]
    UnknownRole,
    #[error("{}: {:?}", .0.field, .0.problem)]
    Email(FieldError),
    /// The address is already staff of this storefront.
    #[error("already staff")]
    AlreadyStaff,
    /// The address is a customer's account on this storefront.
    #[error("a customer's address")]
    Customer,
    /// No staff account of this storefront with that id.
    #[error("no such staff member")]
    NotFound,
    /// One's own role is not changed or revoked here (so a storefront is
    /// never left without the owner who did it).
    #[error("yourself")]
    Yourself,
    /// Someone changed the account meanwhile.
    #[error("changed meanwhile")]
    Conflict,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the invitation was not sent: {0}")]
    Mail(String),
}

impl StaffError {
    /// The form field to mark, if the error is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            StaffError::UnknownRole => Some("role"),
            StaffError::Email(_) | StaffError::AlreadyStaff | StaffError::Customer => Some("email"),
            _ => None,
        }
    }
}

/// The storefront's staff, oldest first.
pub async fn list(store: &dyn Store, reseller: &str) -> Result<Vec<Profile>, StoreError> {
    let items = store
        .query(
            &records::staff_pk(reseller),
            Query {
                sk_prefix: "ACCOUNT#",
                ..Query::default()
            },
        )
        .await?;
    let mut out = Vec::new();
    for item in items {
        let Some(id) = item.sk.strip_prefix("ACCOUNT#") else {
            continue;
        };
        if let Some((_, p)) = records::load(store, reseller, id).await?
            && p.role.is_staff()
        {
            out.push(p);
        }
    }
    out.sort_by(|a, b| (a.created_at, &a.email_key).cmp(&(b.created_at, &b.email_key)));
    Ok(out)
}

/// Invite `email` as `role` to the storefront of `visit`: the account is made
/// (verified when its password is set through the link) and the link mailed
/// in the storefront's default language. Returns the new account.
pub async fn invite(
    st: &AccountsState,
    visit: &Visit,
    by: &Actor,
    email: &str,
    role: &str,
) -> Result<Profile, StaffError> {
    let link = |token: &str| visit.link(st.config.secure_cookies, &format!("reset={token}"));
    invite_to(st, &visit.tenant.snapshot, &link, by, email, None, role).await
}

/// Invite `email` (called `name`, else by its address) as `role` to the
/// storefront `snapshot` is of, the link that sets the password made by
/// `link` from the token: a staff invitation, or a new sub-reseller's
/// owner invited by its parent's staff.
pub async fn invite_to(
    st: &AccountsState,
    snapshot: &storefront_core::snapshot::Snapshot,
    link: &(dyn Fn(&str) -> String + Send + Sync),
    by: &Actor,
    email: &str,
    name: Option<&str>,
    role: &str,
) -> Result<Profile, StaffError> {
    let role = Role::staff(role.trim()).ok_or(StaffError::UnknownRole)?;
    let email = fields::email(email).map_err(StaffError::Email)?;
    let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => n.to_string(),
        None => email
            .display
            .split('@')
            .next()
            .unwrap_or_default()
            .to_string(),
    };
    let (profile, token) = invited(st.store.as_ref(), snapshot, by, email, name, role).await?;
    let link = link(&token);
    let text = invitation_mail(profile.language, &snapshot.name, role, &link);
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
        .map_err(|e| StaffError::Mail(e.to_string()))?;
    Ok(profile)
}

/// The platform's first operator: an owner of the platform's own
/// storefront `snapshot`, made on a deployed platform that has none yet
/// (`storefront platform init`). Nothing is mailed: the one-time token
/// that sets its password is returned for whoever runs the command to
/// open, since on a new platform the mail relay may not be set up yet.
/// Refused (`AlreadyStaff`) once the storefront has any staff: from then
/// on operators are invited from the back office.
pub async fn first_operator(
    store: &dyn Store,
    snapshot: &storefront_core::snapshot::Snapshot,
    by: &Actor,
    email: &str,
    name: Option<&str>,
) -> Result<(Profile, String), StaffError> {
    let email = fields::email(email).map_err(StaffError::Email)?;
    if !list(store, &snapshot.reseller).await?.is_empty() {
        return Err(StaffError::AlreadyStaff);
    }
    let name = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map_or_else(|| email.display.clone(), str::to_string);
    invited(store, snapshot, by, email, name, Role::Owner).await
}

/// The staff account an invitation makes on `snapshot`'s storefront:
/// refused when the address already has an account there; unconfirmed and
/// passwordless until the one-time token returned with it sets a password.
/// Audited right after it is made (its own transaction).
async fn invited(
    store: &dyn Store,
    snapshot: &storefront_core::snapshot::Snapshot,
    by: &Actor,
    email: fields::Email,
    name: String,
    role: Role,
) -> Result<(Profile, String), StaffError> {
    let reseller = &snapshot.reseller;
    if let Some((_, p)) = records::by_email(store, reseller, &email.key).await? {
        return Err(if p.role.is_staff() {
            StaffError::AlreadyStaff
        } else {
            StaffError::Customer
        });
    }
    let id = secrets::new_id().map_err(|e| StaffError::Mail(e.to_string()))?;
    let profile = Profile::invited(id, reseller, email, name, role, snapshot.default_language());
    match records::create(store, &profile).await {
        Ok(()) => {}
        Err(CreateError::Taken) => return Err(StaffError::AlreadyStaff),
        Err(CreateError::Store(e)) => return Err(e.into()),
    }
    let entry = Entry::new(
        by,
        chrono::Utc::now(),
        "staff.invite",
        &format!("account:{}", profile.id),
        json!(null),
        member(&profile),
    );
    if let Err(e) = crate::audit::record(store, reseller, &entry).await {
        tracing::error!(error = %e, "audit entry of an invitation not written");
    }
    let record = TokenRecord {
        reseller: reseller.clone(),
        account: profile.id.clone(),
        email_key: profile.email_key.clone(),
        epoch: profile.auth_epoch,
        expires_at: 0,
    };
    let token = tokens::issue(store, Purpose::Reset, record, INVITATION_DAYS * 86_400)
        .await
        .map_err(|e| StaffError::Mail(e.to_string()))?;
    Ok((profile, token))
}

/// A staff member as the audit log records them.
fn member(p: &Profile) -> serde_json::Value {
    json!({"email": p.email, "role": p.role})
}

/// A staff account of this storefront other than `by`'s own.
async fn other_staff(
    store: &dyn Store,
    reseller: &str,
    by: &str,
    id: &str,
) -> Result<(crate::store::Item, Profile), StaffError> {
    if id == by {
        return Err(StaffError::Yourself);
    }
    match records::load(store, reseller, id).await? {
        Some((item, p)) if p.role.is_staff() => Ok((item, p)),
        _ => Err(StaffError::NotFound),
    }
}

/// Give a staff member another role: (before, after).
pub async fn set_role(
    store: &dyn Store,
    reseller: &str,
    by: &Actor,
    id: &str,
    role: &str,
) -> Result<(Profile, Profile), StaffError> {
    let role = Role::staff(role.trim()).ok_or(StaffError::UnknownRole)?;
    let (item, before) = other_staff(store, reseller, &by.account, id).await?;
    let mut after = before.clone();
    after.role = role;
    // The change and its audit entry: one transaction.
    let entry = Entry::new(
        by,
        chrono::Utc::now(),
        "staff.role",
        &format!("account:{id}"),
        member(&before),
        member(&after),
    );
    let writes = vec![records::update(&item, &after)?, entry.write(reseller)?];
    match store.transact(writes).await {
        Ok(()) => Ok((before, after)),
        Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => {
            Err(StaffError::Conflict)
        }
        Err(e) => Err(e.into()),
    }
}

/// Revoke a staff member: the account, its address's claim and its place in
/// the staff list go in one transaction; its sessions find no account at
/// their next request. Returns the account as it was.
pub async fn revoke(
    store: &dyn Store,
    reseller: &str,
    by: &Actor,
    id: &str,
) -> Result<Profile, StaffError> {
    let (item, before) = other_staff(store, reseller, &by.account, id).await?;
    let entry = Entry::new(
        by,
        chrono::Utc::now(),
        "staff.revoke",
        &format!("account:{id}"),
        member(&before),
        json!(null),
    );
    let writes = vec![
        entry.write(reseller)?,
        Write::Delete {
            pk: item.pk.clone(),
            sk: item.sk.clone(),
            condition: Condition::Version(item.version),
        },
        Write::Delete {
            pk: records::email_pk(reseller, &before.email_key),
            sk: records::EMAIL_SK.to_string(),
            condition: Condition::None,
        },
        Write::Delete {
            pk: records::staff_pk(reseller),
            sk: records::staff_sk(&before.id),
            condition: Condition::None,
        },
    ];
    match store.transact(writes).await {
        Ok(()) => {}
        Err(StoreError::TransactionCancelled { .. } | StoreError::Conflict(_)) => {
            return Err(StaffError::Conflict);
        }
        Err(e) => return Err(e.into()),
    }
    if let Err(e) = sessions::end_all(store, reseller, &before.id).await {
        tracing::warn!(error = %e, account = %before.id, "a revoked account's sessions left to expire");
    }
    Ok(before)
}

/// A role's name in a mail.
fn role_name(lang: Locale, role: Role) -> &'static str {
    match (lang, role) {
        (Locale::Id, Role::Owner) => "pemilik",
        (Locale::Id, Role::Finance) => "keuangan",
        (Locale::Id, Role::Support) => "dukungan",
        (Locale::Id, _) => "admin",
        (Locale::Pl, Role::Owner) => "właściciel",
        (Locale::Pl, Role::Finance) => "finanse",
        (Locale::Pl, Role::Support) => "obsługa klienta",
        (Locale::Pl, _) => "administrator",
        (_, Role::Owner) => "owner",
        (_, Role::Finance) => "finance",
        (_, Role::Support) => "support",
        (_, _) => "admin",
    }
}

/// The invitation to join a storefront's staff.
pub fn invitation_mail(lang: Locale, store: &str, role: Role, link: &str) -> MailText {
    let role = role_name(lang, role);
    match lang {
        Locale::Id => MailText {
            subject: format!("Undangan ke back office {store}"),
            body: format!(
                "Halo,\n\n\
                 Anda diundang ke back office {store} dengan peran {role}. Untuk membuat kata sandi dan masuk, buka tautan berikut:\n\n\
                 {link}\n\n\
                 Tautan ini berlaku selama {INVITATION_DAYS} hari dan hanya dapat dipakai satu kali. \
                 Jika Anda tidak mengharapkan undangan ini, abaikan pesan ini.\n\n\
                 {store}\n"
            ),
        },
        Locale::Pl => MailText {
            subject: format!("Zaproszenie do panelu sklepu {store}"),
            body: format!(
                "Dzień dobry,\n\n\
                 zaproszono Cię do panelu sklepu {store} z rolą: {role}. Aby ustawić hasło i się zalogować, otwórz ten link:\n\n\
                 {link}\n\n\
                 Link jest ważny przez {INVITATION_DAYS} dni i działa tylko raz. \
                 Jeżeli nie spodziewasz się tego zaproszenia, zignoruj tę wiadomość.\n\n\
                 {store}\n"
            ),
        },
        _ => MailText {
            subject: format!("You are invited to the back office of {store}"),
            body: format!(
                "Hello,\n\n\
                 You are invited to the back office of {store} as {role}. To set your password and sign in, open this link:\n\n\
                 {link}\n\n\
                 The link works once and for {INVITATION_DAYS} days. \
                 If you did not expect this invitation, ignore this message.\n\n\
                 {store}\n"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_by_key() {
        for r in Role::STAFF {
            assert_eq!(Role::staff(r.key()), Some(r));
        }
        assert_eq!(Role::staff("customer"), None);
        assert_eq!(Role::staff("root"), None);
    }

    #[test]
    fn invitations_in_each_language() {
        for lang in [Locale::En, Locale::Id, Locale::Pl] {
            let m = invitation_mail(lang, "Toko", Role::Finance, "https://x/?reset=t");
            assert!(m.body.contains("https://x/?reset=t"), "{lang:?}");
            assert!(m.subject.contains("Toko"), "{lang:?}");
        }
    }
}
