//! Resellers' applications to the platform, made on the platform's own
//! storefront: who applies (an account of that storefront), for which
//! storefront id and plan, the deposit the plan asks and the one an
//! operator saw arrive, and the platform's decision. What may be decided
//! when is `storefront_core::application`; this module keeps it.
//!
//! | item | pk | sk |
//! |---|---|---|
//! | an application | `APPLICATION#<id>` | `APPLICATION` |
//! | every application, oldest first (a copy) | `APPLICATIONS` | `<created>#<id>` |
//!
//! An application's id is its applicant's account id on the platform's
//! storefront: one application per account. Its documents are a set of
//! `crate::documents` whose subject is the application. Both items are
//! written in one transaction, the first on condition of the version read.

use crate::accounts::{Company, Kind};
use crate::store::{Attempt, Condition, Item, Query, Store, StoreError, Write, retry};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use storefront_core::application::{Deposit, Refusal, State};
use storefront_core::{Currency, Locale};

const SK: &str = "APPLICATION";
const LIST: &str = "APPLICATIONS";

fn pk(id: &str) -> String {
    format!("APPLICATION#{id}")
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// The applicant's account on the platform's storefront.
    pub id: String,
    /// The platform's storefront, where it applied.
    pub platform: String,
    /// The storefront id asked for: its subdomain.
    pub wanted: String,
    /// The storefront's name: the company's, or the person's.
    pub name: String,
    pub kind: Kind,
    /// The applicant (the new storefront's owner).
    pub person: String,
    pub email: String,
    /// E.164.
    pub mobile: String,
    pub company: Option<Company>,
    pub plan: String,
    pub currency: Currency,
    /// What the plan asked as the initial deposit when it applied.
    #[serde(with = "storefront_core::money::decimal_serde")]
    pub deposit_asked: Decimal,
    pub language: Locale,
    pub state: State,
    /// Why it was rejected, as the applicant reads it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit: Option<Deposit>,
    /// The top-up that credits the deposit to the new wallet: named before
    /// it is decided, so an approval tried again credits it once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topup: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    #[error("no such application")]
    NotFound,
    /// This account applied already.
    #[error("already applied")]
    Exists,
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Clone)]
pub struct Applications {
    pub store: Arc<dyn Store>,
}

fn value(a: &Application) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(a).map_err(|e| StoreError::Invalid(format!("application: {e}")))
}

fn list_sk(a: &Application) -> String {
    format!("{}#{}", a.created_at, a.id)
}

impl Applications {
    pub async fn create(&self, a: &Application) -> Result<(), ApplicationError> {
        let writes = vec![
            Write::Put {
                item: Item::new(pk(&a.id), SK, value(a)?),
                condition: Condition::NotExists,
            },
            Write::Put {
                item: Item::new(LIST, list_sk(a), value(a)?),
                condition: Condition::None,
            },
        ];
        match self.store.transact(writes).await {
            Ok(()) => Ok(()),
            Err(StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. }) => {
                Err(ApplicationError::Exists)
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn get(&self, id: &str) -> Result<Option<(Application, u64)>, ApplicationError> {
        let Some(item) = self.store.get(&pk(id), SK).await? else {
            return Ok(None);
        };
        let a = serde_json::from_value(item.data)
            .map_err(|e| StoreError::Invalid(format!("application: {e}")))?;
        Ok(Some((a, item.version)))
    }

    /// Every application, oldest first.
    pub async fn list(&self) -> Result<Vec<Application>, ApplicationError> {
        let items = self.store.query(LIST, Query::default()).await?;
        Ok(items
            .into_iter()
            .filter_map(|i| serde_json::from_value(i.data).ok())
            .collect())
    }

    /// Read, change (`f` may refuse), write back on condition of the
    /// version read; the list's copy follows in the same transaction.
    pub async fn change(
        &self,
        id: &str,
        f: impl Fn(&mut Application) -> Result<(), Refusal>,
    ) -> Result<Application, ApplicationError> {
        retry(|| async {
            let Some((mut a, version)) = self.get(id).await? else {
                return Err(ApplicationError::NotFound);
            };
            f(&mut a)?;
            let mut item = Item::new(pk(id), SK, value(&a)?);
            item.version = version + 1;
            let writes = vec![
                Write::Put {
                    item,
                    condition: Condition::Version(version),
                },
                Write::Put {
                    item: Item::new(LIST, list_sk(&a), value(&a)?),
                    condition: Condition::None,
                },
            ];
            match self.store.transact(writes).await {
                Ok(()) => Ok(Attempt::Done(a)),
                Err(
                    StoreError::TransactionCancelled { .. } | StoreError::ConditionFailed { .. },
                ) => Ok(Attempt::Raced),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }
}
