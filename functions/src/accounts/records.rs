//! Accounts as stored: the profile item and the item that reserves an email
//! on a storefront, written together or not at all, and the indexes that
//! list a storefront's staff and customers.

use crate::store::{Condition, Item, Store, StoreError, Write};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use storefront_core::Locale;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Buys on the storefront.
    Customer,
    /// The reseller who owns the storefront.
    Owner,
    /// A reseller's staff member: everything but staff and bank accounts.
    Admin,
    /// A reseller's staff member: wallet, top-ups, invoices, reports.
    Finance,
    /// A reseller's staff member: customers, orders and domains read only;
    /// document review.
    Support,
}

impl Role {
    /// The roles a storefront's staff may hold (see `roles::allows`).
    pub const STAFF: [Role; 4] = [Role::Owner, Role::Admin, Role::Finance, Role::Support];

    pub fn is_staff(self) -> bool {
        self != Role::Customer
    }

    /// As stored and posted: `owner`, `admin`, `finance`, `support`.
    pub fn key(self) -> &'static str {
        match self {
            Role::Customer => "customer",
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Support => "support",
        }
    }

    /// A staff role by its key; None for anything else (a customer too).
    pub fn staff(key: &str) -> Option<Role> {
        Role::STAFF.into_iter().find(|r| r.key() == key)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Personal,
    Company,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Company {
    pub name: String,
    pub tax_id: String,
}

/// An account's id: 32 hex digits, unique across the platform.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountId(pub String);

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub id: String,
    pub reseller: String,
    /// As shown (see `fields::Email`).
    pub email: String,
    /// As mailed.
    pub email_ascii: String,
    /// The uniqueness key.
    pub email_key: String,
    pub name: String,
    pub kind: Kind,
    pub company: Option<Company>,
    pub role: Role,
    pub verified: bool,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Raised whenever every session and reset link must stop working (a new
    /// password). Sessions and reset tokens carry the epoch they were made in.
    pub auth_epoch: u64,
    /// The language the account was made in, for mails sent later.
    pub language: Locale,
    pub created_at: i64,
    /// The customer price group the reseller put this customer in; None
    /// prices as `default`, what the public pages show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_group: Option<String>,
    /// The customer agreed to receive the storefront's newsletter (the
    /// reseller's subscriber list); they change it on their account, the
    /// reseller in the back office.
    #[serde(default)]
    pub newsletter: bool,
    /// Suspended by the reseller: it cannot sign in, and the epoch raised
    /// with it ended its sessions. Nothing else of it changes.
    #[serde(default)]
    pub suspended: bool,
}

impl Profile {
    /// A personal account made by someone else (staff inviting a customer,
    /// a colleague or a sub-reseller's owner): unconfirmed, and with no
    /// password until the invitation's link sets one (nothing verifies
    /// against an empty hash).
    pub fn invited(
        id: String,
        reseller: &str,
        email: super::fields::Email,
        name: String,
        role: Role,
        language: Locale,
    ) -> Profile {
        Profile {
            id,
            reseller: reseller.to_string(),
            email: email.display,
            email_ascii: email.ascii,
            email_key: email.key,
            name,
            kind: Kind::Personal,
            company: None,
            role,
            verified: false,
            password_hash: String::new(),
            auth_epoch: 0,
            language,
            created_at: crate::store::now(),
            price_group: None,
            newsletter: false,
            suspended: false,
        }
    }

    /// The price group to price this account's lines with.
    pub fn group(&self) -> &str {
        self.price_group.as_deref().unwrap_or("default")
    }
}

impl Profile {
    /// What `me` shows: never the hash or the epoch.
    pub fn view(&self) -> ProfileView {
        ProfileView {
            id: self.id.clone(),
            email: self.email.clone(),
            name: self.name.clone(),
            kind: self.kind,
            company: self.company.clone(),
            verified: self.verified,
            role: self.role,
            reseller: self.reseller.clone(),
            newsletter: self.newsletter,
        }
    }

    pub fn to_value(&self) -> Result<Value, StoreError> {
        serde_json::to_value(self).map_err(|e| StoreError::Invalid(e.to_string()))
    }
}

/// An account as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProfileView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub kind: Kind,
    pub company: Option<Company>,
    /// The email address was confirmed through the link mailed to it.
    pub verified: bool,
    pub role: Role,
    /// The storefront this account belongs to.
    pub reseller: String,
    /// It agrees to receive the storefront's newsletter.
    pub newsletter: bool,
}

pub fn profile_pk(reseller: &str, id: &str) -> String {
    format!("RESELLER#{reseller}#ACCOUNT#{id}")
}

pub const PROFILE_SK: &str = "PROFILE";

pub fn email_pk(reseller: &str, key: &str) -> String {
    format!("RESELLER#{reseller}#EMAIL#{key}")
}

pub const EMAIL_SK: &str = "ACCOUNT";

/// The partition listing a storefront's staff: one item per staff account
/// (sk `ACCOUNT#<id>`, data `{}`), written and deleted with the profile.
pub fn staff_pk(reseller: &str) -> String {
    format!("RESELLER#{reseller}#STAFF")
}

pub fn staff_sk(id: &str) -> String {
    format!("ACCOUNT#{id}")
}

/// The partition listing a storefront's customers (the back office's list
/// and its searches): per customer one item under
/// `NAME#<folded name>#<id>`, one under `EMAIL#<email key>#<id>` and, while
/// it agrees to the newsletter, one under `NEWS#<folded name>#<id>`; data
/// `{}`. Written in the transaction that writes the profile
/// (`customer_index`), so a page of the list is one query, never a scan.
pub fn customers_pk(reseller: &str) -> String {
    format!("RESELLER#{reseller}#CUSTOMERS")
}

/// A name as the customers' index sorts and searches it: lowercase, spaces
/// collapsed, `#` (the key's separator) and control characters as a space.
pub fn fold(name: &str) -> String {
    name.to_lowercase()
        .replace('#', " ")
        .replace(char::is_control, " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Ends a folded name in the customers' index keys.
const NAME_END: char = '\u{1}';

/// The index keys of a customer (none for staff).
fn customer_keys(p: &Profile) -> Vec<String> {
    if p.role != Role::Customer {
        return Vec::new();
    }
    // The name ends with a byte below every character a folded name has
    // (a space is 0x20), so "budi" sorts before "budi santoso": with the
    // id's `#` (0x23) straight after it, it would not.
    let name = format!("{}{NAME_END}", fold(&p.name));
    let mut keys = vec![
        format!("NAME#{name}#{}", p.id),
        format!("EMAIL#{}#{}", p.email_key, p.id),
    ];
    if p.newsletter {
        keys.push(format!("NEWS#{name}#{}", p.id));
    }
    keys
}

/// The writes that keep the customers' index in step with a profile going
/// from `before` to `after` (None: not there), for the same transaction:
/// keys no longer true deleted, new ones put.
pub fn customer_index(before: Option<&Profile>, after: Option<&Profile>) -> Vec<Write> {
    let old = before.map(customer_keys).unwrap_or_default();
    let new = after.map(customer_keys).unwrap_or_default();
    let reseller = after.or(before).map(|p| p.reseller.as_str()).unwrap_or("");
    let pk = customers_pk(reseller);
    let mut writes: Vec<Write> = old
        .iter()
        .filter(|k| !new.contains(k))
        .map(|k| Write::Delete {
            pk: pk.clone(),
            sk: k.clone(),
            condition: Condition::None,
        })
        .collect();
    writes.extend(new.iter().filter(|k| !old.contains(k)).map(|k| Write::Put {
        item: Item::new(pk.clone(), k.clone(), json!({})),
        condition: Condition::None,
    }));
    writes
}

/// Put a customer in the customers' index where it is not there: for
/// accounts made before the index, at their next sign-in. Two or three
/// reads when it is there already.
pub async fn index_if_missing(store: &dyn Store, p: &Profile) -> Result<(), StoreError> {
    let pk = customers_pk(&p.reseller);
    let mut missing = false;
    for key in customer_keys(p) {
        if store.get(&pk, &key).await?.is_none() {
            missing = true;
            break;
        }
    }
    if !missing {
        return Ok(());
    }
    // Conditional on the profile as read, so a rename meanwhile is not
    // indexed under the old name.
    let item = store
        .get(&profile_pk(&p.reseller, &p.id), PROFILE_SK)
        .await?;
    let Some(item) = item else {
        return Ok(());
    };
    let mut writes = vec![Write::Check {
        pk: item.pk.clone(),
        sk: item.sk.clone(),
        condition: Condition::Version(item.version),
    }];
    let (_, current) = parse(item)?;
    // Every key put again (unconditionally, data `{}`): the ones there
    // already are unchanged by it.
    writes.extend(customer_index(None, Some(&current)));
    match store.transact(writes).await {
        Ok(()) | Err(StoreError::TransactionCancelled { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

fn parse(item: Item) -> Result<(Item, Profile), StoreError> {
    let p = serde_json::from_value(item.data.clone()).map_err(|e| {
        StoreError::Unavailable(format!("profile {}/{} unreadable: {e}", item.pk, item.sk))
    })?;
    Ok((item, p))
}

/// The profile item of an account, with its version for conditional writes.
pub async fn load(
    store: &dyn Store,
    reseller: &str,
    id: &str,
) -> Result<Option<(Item, Profile)>, StoreError> {
    match store.get(&profile_pk(reseller, id), PROFILE_SK).await? {
        Some(item) => parse(item).map(Some),
        None => Ok(None),
    }
}

/// The account that holds an email on a storefront.
pub async fn by_email(
    store: &dyn Store,
    reseller: &str,
    key: &str,
) -> Result<Option<(Item, Profile)>, StoreError> {
    let Some(claim) = store.get(&email_pk(reseller, key), EMAIL_SK).await? else {
        return Ok(None);
    };
    let Some(id) = claim.data["account"].as_str() else {
        return Ok(None);
    };
    load(store, reseller, id).await
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("the email is taken on this storefront")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Write a new account: the email claim and the profile in one transaction,
/// each on condition it does not exist yet, so of two sign-ups racing for
/// one email exactly one succeeds. A staff account is listed among its
/// storefront's staff in the same transaction, a customer in its
/// customers' index.
pub async fn create(store: &dyn Store, p: &Profile) -> Result<(), CreateError> {
    let mut writes = vec![
        Write::Put {
            item: Item::new(
                email_pk(&p.reseller, &p.email_key),
                EMAIL_SK,
                json!({"account": p.id}),
            ),
            condition: Condition::NotExists,
        },
        Write::Put {
            item: Item::new(profile_pk(&p.reseller, &p.id), PROFILE_SK, p.to_value()?),
            condition: Condition::NotExists,
        },
    ];
    if p.role.is_staff() {
        writes.push(Write::Put {
            item: Item::new(staff_pk(&p.reseller), staff_sk(&p.id), json!({})),
            condition: Condition::None,
        });
    }
    writes.extend(customer_index(None, Some(p)));
    match store.transact(writes).await {
        Ok(()) => Ok(()),
        Err(StoreError::TransactionCancelled { failed }) if failed.contains(&0) => {
            Err(CreateError::Taken)
        }
        Err(e) => Err(e.into()),
    }
}

/// The next version of a profile item, on condition nobody wrote it since
/// it was read (optimistic locking).
pub fn update(item: &Item, p: &Profile) -> Result<Write, StoreError> {
    Ok(Write::Put {
        item: item.next(p.to_value()?),
        condition: Condition::Version(item.version),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(name: &str, id: &str) -> Profile {
        Profile {
            id: id.into(),
            reseller: "toko".into(),
            email: format!("{id}@example.com"),
            email_ascii: format!("{id}@example.com"),
            email_key: format!("{id}@example.com"),
            name: name.into(),
            kind: Kind::Personal,
            company: None,
            role: Role::Customer,
            verified: true,
            password_hash: String::new(),
            auth_epoch: 0,
            language: Locale::En,
            created_at: 0,
            price_group: None,
            newsletter: false,
            suspended: false,
        }
    }

    #[test]
    fn a_name_sorts_before_the_longer_names_it_begins() {
        let mut keys: Vec<String> = [
            ("Budiman", "c"),
            ("Budi Santoso", "b"),
            ("Budi", "z"),
            ("budi\u{1}x", "y"),
        ]
        .iter()
        .map(|(n, id)| customer_keys(&customer(n, id))[0].clone())
        .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "NAME#budi\u{1}#z",
                "NAME#budi santoso\u{1}#b",
                "NAME#budi x\u{1}#y",
                "NAME#budiman\u{1}#c",
            ]
        );
    }
}
