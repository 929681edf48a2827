//! The store contract as executable checks, written once. Every backend's
//! test file runs them all through `store_conformance!`, so a backend that
//! passes behaves exactly as the rest of the system assumes.

use super::{
    Condition, Item, MAX_ITEM_BYTES, MAX_TRANSACTION_ITEMS, Query, Store, StoreError, Write,
};
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A partition key unique to one check, so checks can share a store.
fn pk(name: &str) -> String {
    format!("TEST#{name}#{}", rand_suffix())
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    t ^ (N.fetch_add(1, Ordering::Relaxed) << 48)
}

fn q(prefix: &str) -> Query<'_> {
    Query {
        sk_prefix: prefix,
        ..Default::default()
    }
}

pub async fn put_then_get_returns_the_item(s: Arc<dyn Store>) {
    let p = pk("roundtrip");
    let item = Item::new(
        &p,
        "A",
        json!({"name": "Toko", "amount": "1.50", "nested": {"list": [1, 2, 3]}, "unicode": "bücher ✓"}),
    );
    s.put(item.clone(), Condition::None).await.expect("put");
    assert_eq!(s.get(&p, "A").await.expect("get"), Some(item));
    assert_eq!(s.get(&p, "B").await.expect("get"), None);
}

pub async fn not_exists_condition_refuses_a_second_put(s: Arc<dyn Store>) {
    let p = pk("notexists");
    s.put(Item::new(&p, "A", json!(1)), Condition::NotExists)
        .await
        .expect("first put");
    let err = s
        .put(Item::new(&p, "A", json!(2)), Condition::NotExists)
        .await
        .expect_err("second put");
    assert!(matches!(err, StoreError::ConditionFailed { .. }), "{err:?}");
    assert_eq!(
        s.get(&p, "A").await.expect("get").map(|i| i.data),
        Some(json!(1)),
        "the first value stays"
    );
}

pub async fn version_condition_is_optimistic_locking(s: Arc<dyn Store>) {
    let p = pk("version");
    let v1 = Item::new(&p, "A", json!({"n": 1}));
    s.put(v1.clone(), Condition::NotExists).await.expect("v1");
    let v2 = v1.next(json!({"n": 2}));
    s.put(v2.clone(), Condition::Version(1))
        .await
        .expect("v2 over v1");
    let stale = v1.next(json!({"n": 99}));
    assert!(
        matches!(
            s.put(stale, Condition::Version(1)).await,
            Err(StoreError::ConditionFailed { .. })
        ),
        "a stale writer loses"
    );
    let got = s.get(&p, "A").await.expect("get").expect("present");
    assert_eq!((got.version, got.data), (2, json!({"n": 2})));
    assert!(matches!(
        s.put(Item::new(&p, "missing", json!(0)), Condition::Exists)
            .await,
        Err(StoreError::ConditionFailed { .. })
    ));
    assert!(matches!(
        s.put(Item::new(&p, "missing", json!(0)), Condition::Version(1))
            .await,
        Err(StoreError::ConditionFailed { .. })
    ));
}

pub async fn delete_honours_its_condition(s: Arc<dyn Store>) {
    let p = pk("delete");
    s.put(Item::new(&p, "A", json!(1)), Condition::None)
        .await
        .expect("put");
    assert!(matches!(
        s.delete(&p, "A", Condition::Version(7)).await,
        Err(StoreError::ConditionFailed { .. })
    ));
    s.delete(&p, "A", Condition::Version(1))
        .await
        .expect("delete");
    assert_eq!(s.get(&p, "A").await.expect("get"), None);
    s.delete(&p, "A", Condition::None)
        .await
        .expect("deleting nothing is fine");
    assert!(matches!(
        s.delete(&p, "A", Condition::Exists).await,
        Err(StoreError::ConditionFailed { .. })
    ));
}

pub async fn query_returns_a_prefix_in_sort_key_order(s: Arc<dyn Store>) {
    let p = pk("query");
    for sk in [
        "ORDER#2",
        "ORDER#10",
        "ORDER#1",
        "ORDES",
        "ORDER",
        "ORDEQ",
        "ITEM#1",
        "ORDER#\u{10ffff}",
        "ORDER#é",
    ] {
        s.put(Item::new(&p, sk, json!(sk)), Condition::None)
            .await
            .expect("put");
    }
    let other = pk("query-other");
    s.put(
        Item::new(&other, "ORDER#1", json!("other partition")),
        Condition::None,
    )
    .await
    .expect("put");
    let keys = |items: Vec<Item>| items.into_iter().map(|i| i.sk).collect::<Vec<_>>();
    // Byte order of UTF-8, as DynamoDB sorts string keys.
    assert_eq!(
        keys(s.query(&p, q("ORDER#")).await.expect("query")),
        [
            "ORDER#1",
            "ORDER#10",
            "ORDER#2",
            "ORDER#é",
            "ORDER#\u{10ffff}"
        ]
    );
    assert_eq!(
        keys(
            s.query(
                &p,
                Query {
                    sk_prefix: "ORDER#",
                    descending: true,
                    limit: Some(2),
                    after: None,
                    before: None
                }
            )
            .await
            .expect("q")
        ),
        ["ORDER#\u{10ffff}", "ORDER#é"]
    );
    assert_eq!(
        keys(
            s.query(
                &p,
                Query {
                    sk_prefix: "ORDER#",
                    after: Some("ORDER#10"),
                    before: None,
                    limit: Some(2),
                    descending: false
                }
            )
            .await
            .expect("q")
        ),
        ["ORDER#2", "ORDER#é"]
    );
    assert_eq!(s.query(&p, q("")).await.expect("whole partition").len(), 9);
    assert!(s.query(&p, q("NOPE")).await.expect("q").is_empty());
}

/// Paging both ways: ascending from the last key a page showed (`after`),
/// descending, newest first, from it (`before`); bounds outside the
/// prefix's range neither widen it nor break it.
pub async fn query_pages_in_either_direction(s: Arc<dyn Store>) {
    let p = pk("pages");
    for sk in [
        "A", "ORDER#01", "ORDER#02", "ORDER#03", "ORDER#04", "ORDER#05", "ORDES", "Z",
    ] {
        s.put(Item::new(&p, sk, json!(sk)), Condition::None)
            .await
            .expect("put");
    }
    let keys = |items: Vec<Item>| items.into_iter().map(|i| i.sk).collect::<Vec<_>>();
    let page = |after: Option<&'static str>, before: Option<&'static str>, descending: bool| {
        let s = s.clone();
        let p = p.clone();
        async move {
            keys(
                s.query(
                    &p,
                    Query {
                        sk_prefix: "ORDER#",
                        after,
                        before,
                        limit: Some(2),
                        descending,
                    },
                )
                .await
                .expect("query"),
            )
        }
    };
    // Newest first, two a page, each page from the last key shown.
    assert_eq!(page(None, None, true).await, ["ORDER#05", "ORDER#04"]);
    assert_eq!(
        page(None, Some("ORDER#04"), true).await,
        ["ORDER#03", "ORDER#02"]
    );
    assert_eq!(page(None, Some("ORDER#02"), true).await, ["ORDER#01"]);
    assert!(page(None, Some("ORDER#01"), true).await.is_empty());
    // Oldest first the same way.
    assert_eq!(
        page(Some("ORDER#02"), None, false).await,
        ["ORDER#03", "ORDER#04"]
    );
    assert_eq!(page(Some("ORDER#04"), None, false).await, ["ORDER#05"]);
    // Both bounds: strictly between them, in either direction.
    assert_eq!(
        page(Some("ORDER#01"), Some("ORDER#04"), false).await,
        ["ORDER#02", "ORDER#03"]
    );
    assert_eq!(
        page(Some("ORDER#01"), Some("ORDER#05"), true).await,
        ["ORDER#04", "ORDER#03"]
    );
    // Bounds beyond the prefix's range: the whole range, or nothing.
    assert_eq!(page(None, Some("ZZ"), true).await, ["ORDER#05", "ORDER#04"]);
    assert_eq!(
        page(None, Some("ZZ"), false).await,
        ["ORDER#01", "ORDER#02"]
    );
    assert!(page(None, Some("B"), true).await.is_empty());
    assert!(page(None, Some("ORDER#"), false).await.is_empty());
    assert!(page(Some("ORDES"), None, true).await.is_empty());
}

pub async fn expired_items_are_absent(s: Arc<dyn Store>) {
    let p = pk("ttl");
    let past = super::now() - 10;
    s.put(
        Item::new(&p, "OLD", json!(1)).expiring(past),
        Condition::None,
    )
    .await
    .expect("put");
    s.put(
        Item::new(&p, "NEW", json!(2)).expiring(super::now() + 3600),
        Condition::None,
    )
    .await
    .expect("put");
    assert_eq!(s.get(&p, "OLD").await.expect("get"), None);
    assert_eq!(s.query(&p, q("")).await.expect("q").len(), 1);
    // An expired item does not block a NotExists write (a used-up session, a spent rate-limit window).
    s.put(Item::new(&p, "OLD", json!(3)), Condition::NotExists)
        .await
        .expect("expired counts as absent");
}

pub async fn a_transaction_is_all_or_nothing(s: Arc<dyn Store>) {
    let p = pk("tx");
    s.put(Item::new(&p, "TAKEN", json!(0)), Condition::None)
        .await
        .expect("put");
    let err = s
        .transact(vec![
            Write::Put {
                item: Item::new(&p, "A", json!(1)),
                condition: Condition::NotExists,
            },
            Write::Put {
                item: Item::new(&p, "TAKEN", json!(1)),
                condition: Condition::NotExists,
            },
            Write::Delete {
                pk: p.clone(),
                sk: "TAKEN".into(),
                condition: Condition::None,
            },
        ])
        .await;
    // Two writes to one key are refused before any condition is looked at.
    assert!(matches!(err, Err(StoreError::Invalid(_))), "{err:?}");
    let err = s
        .transact(vec![
            Write::Put {
                item: Item::new(&p, "A", json!(1)),
                condition: Condition::NotExists,
            },
            Write::Put {
                item: Item::new(&p, "B", json!(1)),
                condition: Condition::None,
            },
            Write::Check {
                pk: p.clone(),
                sk: "TAKEN".into(),
                condition: Condition::NotExists,
            },
        ])
        .await
        .expect_err("the check fails");
    assert_eq!(err, StoreError::TransactionCancelled { failed: vec![2] });
    assert_eq!(
        s.get(&p, "A").await.expect("get"),
        None,
        "nothing was written"
    );
    assert_eq!(
        s.get(&p, "B").await.expect("get"),
        None,
        "nothing was written"
    );
    let twice = s
        .transact(vec![
            Write::Check {
                pk: p.clone(),
                sk: "TAKEN".into(),
                condition: Condition::Version(1),
            },
            Write::Delete {
                pk: p.clone(),
                sk: "TAKEN".into(),
                condition: Condition::Exists,
            },
        ])
        .await;
    assert!(
        matches!(twice, Err(StoreError::Invalid(_))),
        "a check and a delete of one key are two writes to it: {twice:?}"
    );
    s.transact(vec![
        Write::Put {
            item: Item::new(&p, "A", json!(1)),
            condition: Condition::NotExists,
        },
        Write::Delete {
            pk: p.clone(),
            sk: "TAKEN".into(),
            condition: Condition::Version(1),
        },
    ])
    .await
    .expect("both succeed");
    assert!(s.get(&p, "A").await.expect("get").is_some());
    assert_eq!(s.get(&p, "TAKEN").await.expect("get"), None);
}

pub async fn transactions_are_limited_to_100_items(s: Arc<dyn Store>) {
    let p = pk("limit");
    let writes = |n: usize| {
        (0..n)
            .map(|i| Write::Put {
                item: Item::new(&p, format!("I#{i:03}"), json!(i)),
                condition: Condition::NotExists,
            })
            .collect::<Vec<_>>()
    };
    assert!(matches!(
        s.transact(writes(MAX_TRANSACTION_ITEMS + 1)).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.transact(vec![]).await,
        Err(StoreError::Invalid(_))
    ));
    s.transact(writes(MAX_TRANSACTION_ITEMS))
        .await
        .expect("100 items");
    assert_eq!(
        s.query(&p, q("I#")).await.expect("q").len(),
        MAX_TRANSACTION_ITEMS
    );
}

pub async fn items_are_limited_in_size(s: Arc<dyn Store>) {
    let p = pk("size");
    let big = "x".repeat(MAX_ITEM_BYTES - 100);
    s.put(Item::new(&p, "BIG", json!(big)), Condition::None)
        .await
        .expect("just under the limit");
    let too_big = "x".repeat(MAX_ITEM_BYTES + 1);
    assert!(matches!(
        s.put(Item::new(&p, "HUGE", json!(too_big)), Condition::None)
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.put(Item::new("", "A", json!(1)), Condition::None).await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn racing_creators_exactly_one_wins(s: Arc<dyn Store>) {
    let p = pk("race");
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (s, p) = (s.clone(), p.clone());
        tasks.push(tokio::spawn(async move {
            s.put(Item::new(&p, "ONE", json!(i)), Condition::NotExists)
                .await
                .is_ok()
        }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.expect("task"));
    }
    assert_eq!(wins, 1);
}

pub async fn optimistic_increments_lose_no_update(s: Arc<dyn Store>) {
    let p = pk("counter");
    s.put(Item::new(&p, "C", json!({"n": 0})), Condition::NotExists)
        .await
        .expect("put");
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let (s, p) = (s.clone(), p.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let cur = s.get(&p, "C").await.expect("get").expect("present");
                let n = cur.data["n"].as_u64().expect("n");
                match s
                    .put(
                        cur.next(json!({"n": n + 1})),
                        Condition::Version(cur.version),
                    )
                    .await
                {
                    Ok(()) => break,
                    Err(StoreError::ConditionFailed { .. } | StoreError::Conflict(_)) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let end = s.get(&p, "C").await.expect("get").expect("present");
    assert_eq!(end.data["n"], 20);
    assert_eq!(end.version, 21);
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn add(pk: &str, sk: &str, adds: &[(&str, &str)], floors: &[(&str, &str)]) -> Write {
    let map = |v: &[(&str, &str)]| -> BTreeMap<String, Decimal> {
        v.iter().map(|(k, d)| (k.to_string(), dec(d))).collect()
    };
    Write::Add {
        pk: pk.into(),
        sk: sk.into(),
        add: map(adds),
        floors: map(floors),
    }
}

pub async fn counters_add_exactly_and_raise_the_version(s: Arc<dyn Store>) {
    let p = pk("counters");
    let item = Item::new(&p, "W", json!({"currency": "IDR"})).with_counter("balance", dec("10.10"));
    s.put(item, Condition::NotExists).await.expect("put");
    s.transact(vec![add(
        &p,
        "W",
        &[("balance", "-0.10"), ("held", "0.1")],
        &[],
    )])
    .await
    .expect("add");
    let got = s.get(&p, "W").await.expect("get").expect("present");
    assert_eq!(got.counter("balance"), dec("10.00"));
    assert_eq!(
        got.counter("held"),
        dec("0.1"),
        "a new counter starts at zero"
    );
    assert_eq!(got.version, 2);
    assert_eq!(got.data, json!({"currency": "IDR"}), "data is untouched");
    // Decimals stay exact beyond what a float holds.
    s.transact(vec![add(
        &p,
        "W",
        &[("balance", "0.000000000000000001")],
        &[],
    )])
    .await
    .expect("tiny add");
    let got = s.get(&p, "W").await.expect("get").expect("present");
    assert_eq!(got.counter("balance"), dec("10.000000000000000001"));
}

pub async fn a_floor_refuses_the_whole_transaction(s: Arc<dyn Store>) {
    let p = pk("floors");
    for w in ["A", "B"] {
        s.put(
            Item::new(&p, w, json!({})).with_counter("spendable", dec("100")),
            Condition::NotExists,
        )
        .await
        .expect("put");
    }
    // Reaching the floor exactly is allowed.
    s.transact(vec![add(
        &p,
        "A",
        &[("spendable", "-100")],
        &[("spendable", "0")],
    )])
    .await
    .expect("down to the floor");
    let err = s
        .transact(vec![
            Write::Put {
                item: Item::new(&p, "ENTRY", json!({})),
                condition: Condition::NotExists,
            },
            add(&p, "B", &[("spendable", "-60")], &[("spendable", "0")]),
            add(&p, "A", &[("spendable", "-0.01")], &[("spendable", "0")]),
        ])
        .await
        .expect_err("one leg short");
    assert_eq!(err, StoreError::TransactionCancelled { failed: vec![2] });
    assert_eq!(
        s.get(&p, "ENTRY").await.expect("get"),
        None,
        "nothing written"
    );
    let b = s.get(&p, "B").await.expect("get").expect("present");
    assert_eq!((b.counter("spendable"), b.version), (dec("100"), 1));
    // A negative floor is a credit limit.
    s.transact(vec![add(
        &p,
        "A",
        &[("spendable", "-25")],
        &[("spendable", "-25")],
    )])
    .await
    .expect("within the credit limit");
    // Adding to a missing item fails its condition.
    let err = s
        .transact(vec![add(&p, "MISSING", &[("spendable", "1")], &[])])
        .await
        .expect_err("missing item");
    assert_eq!(err, StoreError::TransactionCancelled { failed: vec![0] });
    assert_eq!(s.get(&p, "MISSING").await.expect("get"), None);
    // Counter names are plain, and an addition adds something.
    assert!(matches!(
        s.transact(vec![add(&p, "A", &[("Bad Name", "1")], &[])])
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        s.transact(vec![add(&p, "A", &[], &[("spendable", "0")])])
            .await,
        Err(StoreError::Invalid(_))
    ));
}

pub async fn concurrent_additions_never_cross_a_floor(s: Arc<dyn Store>) {
    let p = pk("hot");
    s.put(
        Item::new(&p, "W", json!({})).with_counter("spendable", dec("30.00")),
        Condition::NotExists,
    )
    .await
    .expect("put");
    // 100 concurrent withdrawals of 0.50 from 30.00: exactly 60 succeed.
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let (s, p) = (s.clone(), p.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                match s
                    .transact(vec![add(
                        &p,
                        "W",
                        &[("spendable", "-0.50"), ("spent", "0.50")],
                        &[("spendable", "0")],
                    )])
                    .await
                {
                    Ok(()) => return true,
                    Err(StoreError::TransactionCancelled { .. }) => return false,
                    Err(StoreError::Conflict(_)) => continue,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.expect("task"));
    }
    assert_eq!(won, 60);
    let w = s.get(&p, "W").await.expect("get").expect("present");
    assert_eq!(w.counter("spendable"), Decimal::ZERO);
    assert_eq!(w.counter("spent"), dec("30.00"));
    assert_eq!(w.version, 61);
}

/// One `#[tokio::test]` per check, for a backend made by `$make` (an async
/// expression giving `Arc<dyn Store>`).
#[macro_export]
macro_rules! store_conformance {
    ($make:expr) => {
        $crate::store_conformance!(@each $make;
            put_then_get_returns_the_item, not_exists_condition_refuses_a_second_put,
            version_condition_is_optimistic_locking, delete_honours_its_condition,
            query_returns_a_prefix_in_sort_key_order, query_pages_in_either_direction,
            expired_items_are_absent,
            a_transaction_is_all_or_nothing, transactions_are_limited_to_100_items,
            items_are_limited_in_size, racing_creators_exactly_one_wins,
            optimistic_increments_lose_no_update, counters_add_exactly_and_raise_the_version,
            a_floor_refuses_the_whole_transaction, concurrent_additions_never_cross_a_floor);
    };
    (@each $make:expr; $($name:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $name() {
                let store = $make.await;
                $crate::conformance::$name(store).await;
            }
        )*
    };
}
