//! The store contract on DynamoDB: one table, every item under `pk`/`sk`.
//!
//! ## The table
//!
//! | attribute | type | what |
//! |---|---|---|
//! | `pk` | S | partition key (hash) |
//! | `sk` | S | sort key (range) |
//! | `v` | N | the item's version, raised by every write (optimistic locking) |
//! | `expires_at` | N | Unix seconds; the table's TTL attribute. DynamoDB deletes expired items within days, so reads and conditions also treat an item past it as absent |
//! | `d` | S | the item's JSON document |
//! | `c_<name>` | N | a decimal counter (`Item::counters`), changed by `ADD` |
//!
//! There are no secondary indexes: every access pattern of the system is a
//! key read or a query of one partition by sort-key prefix, and the modules
//! that own the items document theirs next to their code (`catalog.rs`,
//! `orders/engine.rs`, `ledger/`, `invoices.rs`, `accounts/records.rs`).
//! Index items (`ORDERS#<reseller>`, `DUE#<date>`, ...) are written in the
//! same transaction as the item they point at, so they are never stale.
//! Nothing here scans.
//!
//! ## Operations
//!
//! | contract | DynamoDB |
//! |---|---|
//! | `get` | `GetItem`, strongly consistent |
//! | `query` | `Query`, strongly consistent, `begins_with(sk)`, paged until the limit is met |
//! | `put`, `delete` | `PutItem`, `DeleteItem` with a `ConditionExpression` |
//! | `transact` of one write | the same single-item call (`UpdateItem` for `Add`): half the write units of a transaction |
//! | `transact` | `TransactWriteItems`: `Put`, `Delete`, `ConditionCheck`, `Update` with `ADD` |
//!
//! Conflicts with another transaction, throttling and transient failures
//! are retried here, a bounded number of times with full jitter, then
//! reported as `Conflict` or `Unavailable`. A failed condition is never
//! retried: it is an answer.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, KeySchemaElement,
    KeyType, Put, ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem, Update,
};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use storefront_store::{
    Condition, Item, Query, Store, StoreError, Write, now, validate_item, validate_key,
    validate_transaction,
};

/// The TTL attribute; the SAM template names the same one.
pub const TTL_ATTRIBUTE: &str = "expires_at";
const COUNTER_PREFIX: &str = "c_";
/// Attempts per call for conflicts, throttling and transient errors.
const MAX_ATTEMPTS: u32 = 8;
const BACKOFF_BASE: Duration = Duration::from_millis(10);
const BACKOFF_CAP: Duration = Duration::from_millis(500);

#[derive(Debug, Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

type Attrs = HashMap<String, AttributeValue>;

/// How a failed call is answered.
enum Failure {
    /// The request's condition did not hold.
    Condition,
    /// A transaction was cancelled; the positions whose condition failed.
    Cancelled(Vec<usize>),
    /// Worth another attempt: a conflicting transaction, throttling, a
    /// server or network error.
    Retry(String),
    Invalid(String),
    Fatal(String),
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
    }

    /// A store in a new table on a local DynamoDB-compatible server (the
    /// tests' moto), with dummy credentials.
    pub async fn local(endpoint: &str, table: &str) -> Result<DynamoStore, StoreError> {
        let config = crate::local_config(endpoint).await;
        let store = DynamoStore::new(Client::new(&config), table);
        store.create_table().await?;
        Ok(store)
    }

    /// Create the table as infra/template.yaml declares it, for tests and
    /// local runs (on AWS the template owns it). An existing table is fine.
    pub async fn create_table(&self) -> Result<(), StoreError> {
        let key = |name: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(t)
                .build()
                .map_err(|e| StoreError::Invalid(e.to_string()))
        };
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(|e| StoreError::Invalid(e.to_string()))
        };
        let created = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .attribute_definitions(attr("pk")?)
            .attribute_definitions(attr("sk")?)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e) if e.code() == Some("ResourceInUseException") => return Ok(()),
            Err(e) => return Err(StoreError::Unavailable(describe(&e))),
        }
        let ttl = TimeToLiveSpecification::builder()
            .attribute_name(TTL_ATTRIBUTE)
            .enabled(true)
            .build()
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(ttl)
            .send()
            .await
            .map_err(|e| StoreError::Unavailable(describe(&e)))?;
        Ok(())
    }

    /// Run `call` until it succeeds, fails for good, or runs out of attempts.
    async fn retrying<T, F, Fut>(&self, what: &str, mut call: F) -> Result<T, Failure>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, Failure>>,
    {
        let mut attempt = 0;
        loop {
            match call().await {
                Err(Failure::Retry(why)) if attempt + 1 < MAX_ATTEMPTS => {
                    attempt += 1;
                    tracing::debug!(what, attempt, why, "retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(Failure::Retry(why)) => {
                    return Err(Failure::Retry(format!(
                        "{what}: still failing after {MAX_ATTEMPTS} attempts: {why}"
                    )));
                }
                other => return other,
            }
        }
    }

    fn key(pk: &str, sk: &str) -> Attrs {
        HashMap::from([
            ("pk".to_string(), AttributeValue::S(pk.to_string())),
            ("sk".to_string(), AttributeValue::S(sk.to_string())),
        ])
    }
}

/// Full jitter: a random wait up to an exponentially growing ceiling.
fn backoff(attempt: u32) -> Duration {
    let ceiling = BACKOFF_BASE
        .saturating_mul(1 << attempt.min(10))
        .min(BACKOFF_CAP);
    let millis = u64::try_from(ceiling.as_millis())
        .unwrap_or(u64::MAX)
        .max(1);
    Duration::from_millis(rand::random_range(0..=millis))
}

fn describe<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &SdkError<E, R>,
) -> String {
    match e {
        SdkError::ServiceError(s) => {
            let err = s.err();
            format!(
                "{}: {}",
                err.code().unwrap_or("unknown"),
                err.message().unwrap_or("")
            )
        }
        other => format!("{other:?}"),
    }
}

/// The answer to a failed single-item call, by its error code.
fn classify<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &SdkError<E, R>,
) -> Failure {
    match e {
        SdkError::ServiceError(_) => match e.code() {
            Some("ConditionalCheckFailedException") => Failure::Condition,
            Some(
                "TransactionConflictException"
                | "TransactionInProgressException"
                | "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "InternalServerError"
                | "ServiceUnavailable",
            ) => Failure::Retry(describe(e)),
            Some("ValidationException") => Failure::Invalid(describe(e)),
            _ => Failure::Fatal(describe(e)),
        },
        // The request may not have arrived, or its answer was lost: every
        // write here is conditional or idempotent, so sending it again is
        // safe (a repeated conditional write fails its condition at worst,
        // which callers already handle as "someone else did it").
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Failure::Retry(describe(e))
        }
        _ => Failure::Fatal(describe(e)),
    }
}

fn classify_transaction<R: std::fmt::Debug>(e: &SdkError<TransactWriteItemsError, R>) -> Failure {
    if let SdkError::ServiceError(s) = e
        && let TransactWriteItemsError::TransactionCanceledException(c) = s.err()
    {
        let reasons = c.cancellation_reasons();
        let failed: Vec<usize> = reasons
            .iter()
            .enumerate()
            .filter(|(_, r)| r.code() == Some("ConditionalCheckFailed"))
            .map(|(i, _)| i)
            .collect();
        if !failed.is_empty() {
            return Failure::Cancelled(failed);
        }
        let codes: Vec<&str> = reasons.iter().filter_map(|r| r.code()).collect();
        if codes.iter().any(|c| {
            matches!(
                *c,
                "TransactionConflict"
                    | "ThrottlingError"
                    | "ProvisionedThroughputExceeded"
                    | "RequestLimitExceeded"
                    | "InternalServerError"
            )
        }) {
            return Failure::Retry(format!("transaction cancelled: {codes:?}"));
        }
        if codes.contains(&"ValidationError") {
            return Failure::Invalid(format!("transaction cancelled: {codes:?}"));
        }
        return Failure::Fatal(format!("transaction cancelled: {codes:?}"));
    }
    classify(e)
}

impl Failure {
    /// The contract's error for a single-item call on `pk`/`sk`.
    fn single(self, pk: &str, sk: &str) -> StoreError {
        match self {
            Failure::Condition | Failure::Cancelled(_) => StoreError::ConditionFailed {
                pk: pk.into(),
                sk: sk.into(),
            },
            other => other.general(),
        }
    }

    /// The contract's error for a transaction.
    fn transaction(self) -> StoreError {
        match self {
            Failure::Condition => StoreError::TransactionCancelled { failed: vec![0] },
            Failure::Cancelled(failed) => StoreError::TransactionCancelled { failed },
            other => other.general(),
        }
    }

    fn general(self) -> StoreError {
        match self {
            Failure::Retry(why) => StoreError::Conflict(why),
            Failure::Invalid(why) => StoreError::Invalid(why),
            Failure::Fatal(why) => StoreError::Unavailable(why),
            Failure::Condition | Failure::Cancelled(_) => {
                StoreError::Unavailable("a condition failed".into())
            }
        }
    }
}

/// A condition as a DynamoDB expression, with the names and values it uses.
#[derive(Default)]
struct Expr {
    text: Option<String>,
    names: HashMap<String, String>,
    values: Attrs,
}

impl Expr {
    fn name(&mut self, placeholder: &str, attribute: &str) {
        self.names
            .insert(placeholder.to_string(), attribute.to_string());
    }

    fn and(&mut self, clause: String) {
        self.text = Some(match self.text.take() {
            Some(t) => format!("{t} AND {clause}"),
            None => clause,
        });
    }

    /// The item is there and has not expired.
    fn live(&mut self, now: i64) {
        self.name("#pk", "pk");
        self.name("#e", TTL_ATTRIBUTE);
        self.values
            .insert(":now".into(), AttributeValue::N(now.to_string()));
        self.and("(attribute_exists(#pk) AND (attribute_not_exists(#e) OR #e > :now))".into());
    }

    fn condition(condition: Condition, now: i64) -> Expr {
        let mut x = Expr::default();
        match condition {
            Condition::None => {}
            Condition::NotExists => {
                x.name("#pk", "pk");
                x.name("#e", TTL_ATTRIBUTE);
                x.values
                    .insert(":now".into(), AttributeValue::N(now.to_string()));
                x.and("(attribute_not_exists(#pk) OR #e <= :now)".into());
            }
            Condition::Exists => x.live(now),
            Condition::Version(v) => {
                x.live(now);
                x.name("#v", "v");
                x.values
                    .insert(":version".into(), AttributeValue::N(v.to_string()));
                x.and("#v = :version".into());
            }
        }
        x
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    fn values(&self) -> Option<Attrs> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// `ADD` to counters of a live item, each staying at or above its floor.
fn addition(
    add: &BTreeMap<String, Decimal>,
    floors: &BTreeMap<String, Decimal>,
    now: i64,
) -> (String, Expr) {
    let mut x = Expr::default();
    x.live(now);
    x.name("#v", "v");
    x.values
        .insert(":one".into(), AttributeValue::N("1".into()));
    let mut adds = vec!["#v :one".to_string()];
    let names: std::collections::BTreeSet<&String> = add.keys().chain(floors.keys()).collect();
    for (i, name) in names.into_iter().enumerate() {
        let (n, d, t) = (format!("#c{i}"), format!(":d{i}"), format!(":t{i}"));
        x.name(&n, &format!("{COUNTER_PREFIX}{name}"));
        let delta = add.get(name).copied().unwrap_or_default();
        if add.contains_key(name) {
            x.values
                .insert(d.clone(), AttributeValue::N(delta.to_string()));
            adds.push(format!("{n} {d}"));
        }
        if let Some(floor) = floors.get(name) {
            // current + delta >= floor  <=>  current >= floor - delta. A
            // counter never written is zero, so its absence passes exactly
            // when zero would.
            let threshold = *floor - delta;
            x.values
                .insert(t.clone(), AttributeValue::N(threshold.to_string()));
            if Decimal::ZERO >= threshold {
                x.and(format!("(attribute_not_exists({n}) OR {n} >= {t})"));
            } else {
                x.and(format!("{n} >= {t}"));
            }
        }
    }
    (format!("ADD {}", adds.join(", ")), x)
}

fn to_attrs(item: &Item) -> Result<Attrs, StoreError> {
    let mut a = DynamoStore::key(&item.pk, &item.sk);
    a.insert("v".into(), AttributeValue::N(item.version.to_string()));
    if let Some(at) = item.expires_at {
        a.insert(TTL_ATTRIBUTE.into(), AttributeValue::N(at.to_string()));
    }
    let json = serde_json::to_string(&item.data).map_err(|e| StoreError::Invalid(e.to_string()))?;
    a.insert("d".into(), AttributeValue::S(json));
    for (name, value) in &item.counters {
        a.insert(
            format!("{COUNTER_PREFIX}{name}"),
            AttributeValue::N(value.to_string()),
        );
    }
    Ok(a)
}

fn from_attrs(mut a: Attrs) -> Result<Item, StoreError> {
    let bad = |what: &str| StoreError::Unavailable(format!("stored item has a bad {what}"));
    let s = |a: &mut Attrs, k: &str| match a.remove(k) {
        Some(AttributeValue::S(s)) => Ok(s),
        _ => Err(bad(k)),
    };
    let pk = s(&mut a, "pk")?;
    let sk = s(&mut a, "sk")?;
    let data = serde_json::from_str(&s(&mut a, "d")?).map_err(|_| bad("document"))?;
    let version = match a.remove("v") {
        Some(AttributeValue::N(n)) => n.parse().map_err(|_| bad("version"))?,
        _ => return Err(bad("version")),
    };
    let expires_at = match a.remove(TTL_ATTRIBUTE) {
        Some(AttributeValue::N(n)) => Some(n.parse().map_err(|_| bad("expiry"))?),
        None => None,
        _ => return Err(bad("expiry")),
    };
    let mut counters = BTreeMap::new();
    for (k, v) in a {
        if let (Some(name), AttributeValue::N(n)) = (k.strip_prefix(COUNTER_PREFIX), v) {
            // DynamoDB keeps numbers canonical ("1.50" comes back "1.5"):
            // equal as decimals, which is what callers compare.
            let value = Decimal::from_str_exact(&n)
                .or_else(|_| Decimal::from_scientific(&n))
                .map_err(|_| bad("counter"))?;
            counters.insert(name.to_string(), value);
        }
    }
    Ok(Item {
        pk,
        sk,
        version,
        expires_at,
        data,
        counters,
    })
}

fn live(item: &Item, now: i64) -> bool {
    item.expires_at.is_none_or(|at| at > now)
}

fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

impl DynamoStore {
    fn transact_item(&self, w: &Write, now: i64) -> Result<TransactWriteItem, StoreError> {
        Ok(match w {
            Write::Put { item, condition } => {
                let x = Expr::condition(*condition, now);
                let put = Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attrs(item)?))
                    .set_condition_expression(x.text.clone())
                    .set_expression_attribute_names(x.names())
                    .set_expression_attribute_values(x.values())
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().put(put).build()
            }
            Write::Delete { pk, sk, condition } => {
                let x = Expr::condition(*condition, now);
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(Self::key(pk, sk)))
                    .set_condition_expression(x.text.clone())
                    .set_expression_attribute_names(x.names())
                    .set_expression_attribute_values(x.values())
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().delete(delete).build()
            }
            Write::Check { pk, sk, condition } => {
                let x = Expr::condition(*condition, now);
                // DynamoDB requires an expression on a check; `None` holds
                // for any item, present or not.
                let text = x
                    .text
                    .clone()
                    .unwrap_or_else(|| "attribute_exists(#pk) OR attribute_not_exists(#pk)".into());
                let mut names = x.names().unwrap_or_default();
                names.insert("#pk".into(), "pk".into());
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(Self::key(pk, sk)))
                    .condition_expression(text)
                    .set_expression_attribute_names(Some(names))
                    .set_expression_attribute_values(x.values())
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().condition_check(check).build()
            }
            Write::Add {
                pk,
                sk,
                add,
                floors,
            } => {
                let (update_expr, x) = addition(add, floors, now);
                let update = Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(Self::key(pk, sk)))
                    .update_expression(update_expr)
                    .set_condition_expression(x.text.clone())
                    .set_expression_attribute_names(x.names())
                    .set_expression_attribute_values(x.values())
                    .build()
                    .map_err(build_err)?;
                TransactWriteItem::builder().update(update).build()
            }
        })
    }

    async fn put_one(&self, item: &Item, condition: Condition) -> Result<(), Failure> {
        let attrs = to_attrs(item).map_err(|e| Failure::Invalid(e.to_string()))?;
        self.retrying("PutItem", || async {
            let x = Expr::condition(condition, now());
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(attrs.clone()))
                .set_condition_expression(x.text.clone())
                .set_expression_attribute_names(x.names())
                .set_expression_attribute_values(x.values())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify(&e))
        })
        .await
    }

    async fn delete_one(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), Failure> {
        self.retrying("DeleteItem", || async {
            let x = Expr::condition(condition, now());
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(Self::key(pk, sk)))
                .set_condition_expression(x.text.clone())
                .set_expression_attribute_names(x.names())
                .set_expression_attribute_values(x.values())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify(&e))
        })
        .await
    }

    async fn add_one(
        &self,
        pk: &str,
        sk: &str,
        add: &BTreeMap<String, Decimal>,
        floors: &BTreeMap<String, Decimal>,
    ) -> Result<(), Failure> {
        self.retrying("UpdateItem", || async {
            let (update_expr, x) = addition(add, floors, now());
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Self::key(pk, sk)))
                .update_expression(update_expr)
                .set_condition_expression(x.text.clone())
                .set_expression_attribute_names(x.names())
                .set_expression_attribute_values(x.values())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify(&e))
        })
        .await
    }
}

#[async_trait::async_trait]
impl Store for DynamoStore {
    async fn get(&self, pk: &str, sk: &str) -> Result<Option<Item>, StoreError> {
        validate_key(pk, sk)?;
        let got = self
            .retrying("GetItem", || async {
                self.client
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(Self::key(pk, sk)))
                    .consistent_read(true)
                    .send()
                    .await
                    .map_err(|e| classify(&e))
            })
            .await
            .map_err(Failure::general)?;
        match got.item {
            Some(a) => {
                let item = from_attrs(a)?;
                Ok(live(&item, now()).then_some(item))
            }
            None => Ok(None),
        }
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        validate_item(&item)?;
        self.put_one(&item, condition)
            .await
            .map_err(|f| f.single(&item.pk, &item.sk))
    }

    async fn delete(&self, pk: &str, sk: &str, condition: Condition) -> Result<(), StoreError> {
        validate_key(pk, sk)?;
        self.delete_one(pk, sk, condition)
            .await
            .map_err(|f| f.single(pk, sk))
    }

    async fn query(&self, pk: &str, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        if pk.is_empty() {
            return Err(StoreError::Invalid("a query needs a partition key".into()));
        }
        // The contract's `after` is a lower bound and `before` an upper one,
        // in either direction. Bounds outside the prefix's range add
        // nothing (or leave nothing). The key condition starts the query
        // at the bound it runs from (`sk > after` ascending, `sk < before`
        // descending) and the loop stops at the first key out of range:
        // with the bounds inside the prefix's range, every key between
        // them has the prefix, so the first one out is past the end.
        let prefix_end = upper_bound(q.sk_prefix);
        let after = q.after.filter(|a| a.as_bytes() >= q.sk_prefix.as_bytes());
        let before = q.before.filter(|b| {
            prefix_end
                .as_ref()
                .is_none_or(|e| b.as_bytes() < e.as_slice())
        });
        if q.before
            .is_some_and(|b| b.as_bytes() <= q.sk_prefix.as_bytes())
        {
            return Ok(Vec::new());
        }
        let now = now();
        let mut out: Vec<Item> = Vec::new();
        let mut start: Option<Attrs> = None;
        loop {
            let mut names = HashMap::from([
                ("#pk".to_string(), "pk".to_string()),
                ("#e".to_string(), TTL_ATTRIBUTE.to_string()),
            ]);
            let mut values: Attrs = HashMap::from([
                (":pk".to_string(), AttributeValue::S(pk.to_string())),
                (":now".to_string(), AttributeValue::N(now.to_string())),
            ]);
            let key_condition = match (after, before, q.descending) {
                (Some(a), _, false) => {
                    names.insert("#sk".into(), "sk".into());
                    values.insert(":after".into(), AttributeValue::S(a.to_string()));
                    "#pk = :pk AND #sk > :after"
                }
                (_, Some(b), true) => {
                    names.insert("#sk".into(), "sk".into());
                    values.insert(":before".into(), AttributeValue::S(b.to_string()));
                    "#pk = :pk AND #sk < :before"
                }
                _ if q.sk_prefix.is_empty() => "#pk = :pk",
                _ => {
                    names.insert("#sk".into(), "sk".into());
                    values.insert(":prefix".into(), AttributeValue::S(q.sk_prefix.to_string()));
                    "#pk = :pk AND begins_with(#sk, :prefix)"
                }
            };
            let remaining = q.limit.map(|l| l.saturating_sub(out.len()));
            let page = self
                .retrying("Query", || async {
                    self.client
                        .query()
                        .table_name(&self.table)
                        .consistent_read(true)
                        .key_condition_expression(key_condition)
                        .filter_expression("attribute_not_exists(#e) OR #e > :now")
                        .set_expression_attribute_names(Some(names.clone()))
                        .set_expression_attribute_values(Some(values.clone()))
                        .scan_index_forward(!q.descending)
                        .set_limit(
                            remaining.map(|r| i32::try_from(r.clamp(1, 1000)).unwrap_or(1000)),
                        )
                        .set_exclusive_start_key(start.clone())
                        .send()
                        .await
                        .map_err(|e| classify(&e))
                })
                .await
                .map_err(Failure::general)?;
            for a in page.items.unwrap_or_default() {
                let item = from_attrs(a)?;
                let in_range = item.sk.starts_with(q.sk_prefix)
                    && after.is_none_or(|a| item.sk.as_bytes() > a.as_bytes())
                    && before.is_none_or(|b| item.sk.as_bytes() < b.as_bytes());
                if !in_range {
                    return Ok(out);
                }
                if live(&item, now) {
                    out.push(item);
                }
                if q.limit.is_some_and(|l| out.len() >= l) {
                    return Ok(out);
                }
            }
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        validate_transaction(&writes)?;
        if let [one] = writes.as_slice() {
            let done = match one {
                Write::Put { item, condition } => Some(self.put_one(item, *condition).await),
                Write::Delete { pk, sk, condition } => {
                    Some(self.delete_one(pk, sk, *condition).await)
                }
                Write::Add {
                    pk,
                    sk,
                    add,
                    floors,
                } => Some(self.add_one(pk, sk, add, floors).await),
                Write::Check { .. } => None,
            };
            if let Some(done) = done {
                return done.map_err(Failure::transaction);
            }
        }
        self.retrying("TransactWriteItems", || async {
            let now = now();
            let items = writes
                .iter()
                .map(|w| self.transact_item(w, now))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure::Invalid(e.to_string()))?;
            self.client
                .transact_write_items()
                .set_transact_items(Some(items))
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify_transaction(&e))
        })
        .await
        .map_err(Failure::transaction)
    }
}

/// The least key above every key that starts with `prefix`, None when
/// there is none (a prefix of only 0xff bytes, or empty).
fn upper_bound(prefix: &str) -> Option<Vec<u8>> {
    let mut b = prefix.as_bytes().to_vec();
    while let Some(last) = b.pop() {
        if last < 0xff {
            b.push(last + 1);
            return Some(b);
        }
    }
    None
}
