//! Where the orders function keeps its records: every key format in one
//! place (the table in `orders`' module documentation), so a record and
//! its copies are always written and read under the same keys.

/// A quote (30 min): `QUOTE#<id>` / [`QUOTE_SK`].
pub fn quote(id: &str) -> String {
    format!("QUOTE#{id}")
}
pub const QUOTE_SK: &str = "QUOTE";

/// An order: `ORDER#<id>` / [`ORDER_SK`].
pub fn order(id: &str) -> String {
    format!("ORDER#{id}")
}
pub const ORDER_SK: &str = "ORDER";

/// A customer's copies of its orders and domains.
pub fn account(reseller: &str, account: &str) -> String {
    format!("RESELLER#{reseller}#ACCOUNT#{account}")
}

/// The sort key of an order's copy under its customer.
pub fn account_order(id: &str) -> String {
    format!("{ACCOUNT_ORDERS}{id}")
}
pub const ACCOUNT_ORDERS: &str = "ORDER#";

/// The sort key of a domain's copy under its customer.
pub fn account_domain(name: &str) -> String {
    format!("{ACCOUNT_DOMAINS}{name}")
}
pub const ACCOUNT_DOMAINS: &str = "DOMAIN#";

/// A reseller's orders (copies, by order id).
pub fn orders_of(reseller: &str) -> String {
    format!("ORDERS#{reseller}")
}

/// An idempotency key (24 h): `IDEMPOTENCY#<r>#<a>#<key>` / [`KEY_SK`].
pub fn idempotency(reseller: &str, customer: &str, key: &str) -> String {
    format!("IDEMPOTENCY#{reseller}#{customer}#{key}")
}
pub const KEY_SK: &str = "KEY";

/// Orders with lines waiting on the registry (by order id).
pub const PROVISIONING: &str = "PROVISIONING";

/// Unpaid orders by due date (by order id).
pub fn due(day: chrono::NaiveDate) -> String {
    format!("DUE#{day}")
}

/// Orders with lines waiting for documents, by their last day.
pub fn documents_due(day: chrono::NaiveDate) -> String {
    format!("DOCDUE#{day}")
}

/// Settled orders waiting for the seller's invoice run (by order id).
pub fn invoice_due(reseller: &str) -> String {
    format!("INVOICE_DUE#{reseller}")
}

/// Orders with refunded lines their tax invoice lists and no corrective
/// invoice yet (by order id).
pub const CORRECTIONS: &str = "CORRECTIONS";

/// A domain: `DOMAIN#<name>` / [`DOMAIN_SK`].
pub fn domain(name: &str) -> String {
    format!("DOMAIN#{name}")
}
pub const DOMAIN_SK: &str = "DOMAIN";

/// A reseller's domains (copies, by name).
pub fn domains_of(reseller: &str) -> String {
    format!("DOMAINS#{reseller}")
}

/// Domains by expiry date (by name).
pub fn expiry(day: chrono::NaiveDate) -> String {
    format!("EXPIRY#{day}")
}

/// One mail an hour to a reseller whose wallet stopped an order.
pub fn notified_short(reseller: &str) -> String {
    format!("NOTIFIED#short#{reseller}")
}
