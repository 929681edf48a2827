//! Many orders at once against wallets that cover only some of them: the
//! holds are conditional additions, so exactly as many orders succeed as the
//! money covers, whatever the interleaving, and not a unit more is held.
//!
//! Written against a store factory (see `ledger_suite`), so every backend
//! runs the same suite.

#![allow(dead_code)]

use crate::ledger_suite::{StoreFactory, World, all_wallets, audit_wallet};
use rust_decimal::Decimal;
use std::sync::Arc;
use storefront_core::catalogue::Action;
use storefront_core::ledger::{Balance, Funds, Party};
use storefront_core::order::{Line, LineExtras};
use storefront_functions::orders::{LineRequest, LineState, NewOrder, Order, OrderError, Payment};

/// How many orders are placed at once.
pub const ORDERS: usize = 200;

fn line(domain: &str) -> LineRequest {
    LineRequest {
        domain: domain.to_string(),
        action: Action::Register,
        years: 1,
        auth_code: None,
    }
}

/// What a one-year .com costs at `reseller`: the customer's price and what
/// each reseller pays its parent, seller first (from a quote never ordered).
async fn prices(w: &World, reseller: &str, account: &str) -> (Decimal, Vec<Decimal>) {
    let s = w.snapshot(reseller);
    let q = w
        .orders
        .quote(
            &s,
            account,
            "default",
            &[line("price-probe-name.com")],
            None,
        )
        .await
        .expect("quote");
    // What each level's wallet pays for the line: its cost, with its
    // parent's tax on top (the legs an order of it gets).
    let probe = Line::new(
        "probe-1".into(),
        &q.lines[0].priced,
        LineExtras::default(),
        &Party::customer(reseller, account),
        &s.levels,
        s.currency,
    )
    .expect("legs");
    let pays = probe.legs[1..].iter().map(|l| l.amount).collect();
    (q.lines[0].priced.gross, pays)
}

/// Quote, create and pay one order of one line, from the wallet.
async fn place(
    w: Arc<World>,
    reseller: String,
    account: String,
    domain: String,
) -> (String, Result<Order, OrderError>) {
    let s = w.snapshot(&reseller);
    let q = w
        .orders
        .quote(&s, &account, "default", &[line(&domain)], None)
        .await
        .expect("quote");
    let (o, created) = w
        .orders
        .create(
            &s,
            &NewOrder {
                customer: &account,
                group: "default",
                quote: &q.id,
                payment: Payment::Wallet,
                key: &domain,
                request_hash: &domain,
            },
        )
        .await
        .expect("create");
    assert!(created);
    let paid = w.orders.pay(&o.id, &account, false).await;
    (o.id, paid)
}

async fn balance(w: &World, p: &Party) -> Balance {
    w.ledger()
        .wallet(p)
        .await
        .expect("read wallet")
        .unwrap_or_else(|| panic!("no wallet for {p:?}"))
        .balance
}

#[track_caller]
fn assert_balance(b: Balance, posted: Decimal, held: Decimal, who: &str) {
    assert_eq!(
        (b.posted, b.held, b.spendable),
        (posted, held, posted - held),
        "{who}: {b:?}"
    );
    assert!(b.consistent(), "{who}: {b:?}");
}

/// Every wallet's counters agree with its entries, and the refused orders
/// moved nothing.
async fn audit(w: &World, refused: &[String]) {
    let ledger = w.ledger();
    for p in all_wallets(ledger).await.expect("wallets") {
        let entries = audit_wallet(ledger, &p)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for id in refused {
            let reference = format!("order:{id}");
            assert!(
                entries.iter().all(|e| e.reference != reference),
                "a refused order moved money on {p:?}"
            );
        }
    }
    for id in refused {
        let (o, _) = w.orders.order(id).await.expect("read").expect("order");
        assert!(
            o.lines
                .iter()
                .all(|l| l.funds() == Funds::None && l.state() == LineState::AwaitingPayment),
            "refused order {id}: {:?}",
            o.lines
        );
    }
}

/// Provision the paid orders, all at once; each line is captured.
async fn provision_all(w: &Arc<World>, paid: &[String]) {
    let tasks: Vec<_> = paid
        .iter()
        .map(|id| {
            let (w, id) = (w.clone(), id.clone());
            tokio::spawn(async move { w.orders.provision(&id, "worker").await })
        })
        .collect();
    for t in tasks {
        let o = t.await.expect("task").expect("provision");
        assert!(
            o.lines.iter().all(|l| l.funds() == Funds::Captured),
            "{:?}",
            o.lines
        );
    }
}

/// (a) 200 orders at once by one customer of `toko` whose wallet holds the
/// price of exactly 100 of them: 100 are paid, 100 are refused for the
/// customer's balance, and every counter is exact.
pub async fn one_customer_pays_for_exactly_what_the_wallet_holds(factory: Arc<dyn StoreFactory>) {
    let w = Arc::new(World::new(factory.as_ref(), vec![]).await);
    let account = w.customer("toko", "many@example.com").await;
    let customer = Party::customer("toko", account.clone());
    let toko = Party::reseller("toko");
    let (gross, costs) = prices(&w, "toko", &account).await;
    let covered = ORDERS / 2;
    let plenty = costs[0] * Decimal::from(ORDERS * 10);
    w.fund(&toko, plenty).await;
    w.fund(&customer, gross * Decimal::from(covered)).await;

    let tasks: Vec<_> = (0..ORDERS)
        .map(|n| {
            tokio::spawn(place(
                w.clone(),
                "toko".into(),
                account.clone(),
                format!("many-orders-{n}.com"),
            ))
        })
        .collect();
    let (mut paid, mut refused) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await.expect("task") {
            (id, Ok(_)) => paid.push(id),
            (id, Err(OrderError::InsufficientBalance)) => refused.push(id),
            (_, Err(e)) => panic!("an order failed otherwise: {e:?}"),
        }
    }
    assert_eq!((paid.len(), refused.len()), (covered, ORDERS - covered));

    let n = Decimal::from(covered);
    assert_balance(
        balance(&w, &customer).await,
        gross * n,
        gross * n,
        "customer",
    );
    assert_eq!(balance(&w, &customer).await.spendable, Decimal::ZERO);
    assert_balance(balance(&w, &toko).await, plenty, costs[0] * n, "toko");
    audit(&w, &refused).await;

    provision_all(&w, &paid).await;
    assert_balance(
        balance(&w, &customer).await,
        Decimal::ZERO,
        Decimal::ZERO,
        "customer",
    );
    assert_balance(
        balance(&w, &toko).await,
        plenty - costs[0] * n,
        Decimal::ZERO,
        "toko",
    );
    audit(&w, &refused).await;
}

/// (b) 200 orders at once by 200 customers of `agen`, each with plenty in
/// its wallet, while `agen`'s own wallet with `toko` covers exactly 60 of
/// its legs: 60 are paid, 140 are refused for the seller, and nothing stays
/// held for the refused ones at any level.
pub async fn a_short_sub_reseller_stops_exactly_the_orders_it_cannot_cover(
    factory: Arc<dyn StoreFactory>,
) {
    const COVERED: usize = 60;
    let w = Arc::new(World::new(factory.as_ref(), vec![]).await);
    let agen = Party::reseller("agen");
    let toko = Party::reseller("toko");
    let first = w.customer("agen", "probe@example.com").await;
    let (gross, costs) = prices(&w, "agen", &first).await;
    // agen pays toko costs[0]; toko pays the platform costs[1]; each with
    // the tax of the one it pays.
    let (agen_cost, toko_cost) = (costs[0], costs[1]);
    let toko_funds = toko_cost * Decimal::from(ORDERS * 10);
    let customer_funds = gross * Decimal::from(3);
    w.fund(&toko, toko_funds).await;
    w.fund(&agen, agen_cost * Decimal::from(COVERED)).await;

    let setup: Vec<_> = (0..ORDERS)
        .map(|n| {
            let w = w.clone();
            tokio::spawn(async move {
                let account = w.customer("agen", &format!("buyer{n}@example.com")).await;
                w.fund(&Party::customer("agen", account.clone()), customer_funds)
                    .await;
                account
            })
        })
        .collect();
    let mut accounts = Vec::new();
    for t in setup {
        accounts.push(t.await.expect("setup"));
    }

    let tasks: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(n, account)| {
            let w = w.clone();
            let account = account.clone();
            tokio::spawn(async move {
                let r = place(
                    w,
                    "agen".into(),
                    account.clone(),
                    format!("agen-buyer-{n}.com"),
                )
                .await;
                (account, r)
            })
        })
        .collect();
    let (mut paid, mut refused) = (Vec::new(), Vec::new());
    for t in tasks {
        match t.await.expect("task") {
            (account, (id, Ok(_))) => paid.push((account, id)),
            (account, (id, Err(OrderError::SellerShort { reseller }))) => {
                assert_eq!(reseller, "agen");
                refused.push((account, id));
            }
            (_, (_, Err(e))) => panic!("an order failed otherwise: {e:?}"),
        }
    }
    assert_eq!((paid.len(), refused.len()), (COVERED, ORDERS - COVERED));

    let n = Decimal::from(COVERED);
    let held_agen = agen_cost * n;
    assert_balance(balance(&w, &agen).await, held_agen, held_agen, "agen");
    assert_eq!(balance(&w, &agen).await.spendable, Decimal::ZERO);
    assert_balance(balance(&w, &toko).await, toko_funds, toko_cost * n, "toko");
    for (account, _) in &paid {
        let p = Party::customer("agen", account.clone());
        assert_balance(
            balance(&w, &p).await,
            customer_funds,
            gross,
            "a paying customer",
        );
    }
    for (account, _) in &refused {
        let p = Party::customer("agen", account.clone());
        assert_balance(
            balance(&w, &p).await,
            customer_funds,
            Decimal::ZERO,
            "a refused customer",
        );
    }
    let refused_ids: Vec<String> = refused.iter().map(|(_, id)| id.clone()).collect();
    audit(&w, &refused_ids).await;

    let paid_ids: Vec<String> = paid.iter().map(|(_, id)| id.clone()).collect();
    provision_all(&w, &paid_ids).await;
    assert_balance(
        balance(&w, &agen).await,
        Decimal::ZERO,
        Decimal::ZERO,
        "agen",
    );
    assert_balance(
        balance(&w, &toko).await,
        toko_funds - toko_cost * n,
        Decimal::ZERO,
        "toko",
    );
    for (account, _) in &paid {
        let p = Party::customer("agen", account.clone());
        assert_balance(
            balance(&w, &p).await,
            customer_funds - gross,
            Decimal::ZERO,
            "a paying customer",
        );
    }
    audit(&w, &refused_ids).await;
}

/// 150 paid orders of one shop provisioned at once: every completed order
/// gets its tax invoice, if not at once then after a tick.
///
/// Fails today (about 1 order in 6 is left without one, for good): the
/// shop's invoice numbers come from one sequence item taken optimistically,
/// `invoices::issue` gives up after 50 lost races, and the scheduler only
/// retries invoices of orders still listed under `PROVISIONING`, which
/// settling the last line removed.
pub async fn every_settled_order_gets_its_invoice(factory: Arc<dyn StoreFactory>) {
    const N: usize = 150;
    let w = Arc::new(World::new(factory.as_ref(), vec![]).await);
    let account = w.customer("toko", "invoices@example.com").await;
    let (gross, costs) = prices(&w, "toko", &account).await;
    w.fund(&Party::reseller("toko"), costs[0] * Decimal::from(N))
        .await;
    w.fund(
        &Party::customer("toko", account.clone()),
        gross * Decimal::from(N),
    )
    .await;
    let mut paid = Vec::new();
    for n in 0..N {
        let (id, r) = place(
            w.clone(),
            "toko".into(),
            account.clone(),
            format!("invoiced-{n}.com"),
        )
        .await;
        r.expect("paid");
        paid.push(id);
    }
    provision_all(&w, &paid).await;
    storefront_functions::scheduler::tick(&w.orders)
        .await
        .expect("tick");
    let mut missing = Vec::new();
    for id in &paid {
        let (o, _) = w.orders.order(id).await.expect("read").expect("order");
        if o.invoice.is_none() {
            missing.push(id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "{} of {N} completed orders have no tax invoice, even after a tick",
        missing.len()
    );
}

/// Quote one line with a code and create the order, paid by transfer (no
/// money moves until it is paid): the code's use is taken when the order
/// is placed.
async fn place_with_code(
    w: Arc<World>,
    account: String,
    domain: String,
) -> Result<Order, OrderError> {
    let s = w.snapshot("toko");
    let q = w
        .orders
        .quote(&s, &account, "default", &[line(&domain)], Some("lima5"))
        .await?;
    assert_eq!(q.lines[0].priced.code.as_deref(), Some("LIMA5"));
    w.orders
        .create(
            &s,
            &NewOrder {
                customer: &account,
                group: "default",
                quote: &q.id,
                payment: Payment::BankTransfer,
                key: &domain,
                request_hash: &domain,
            },
        )
        .await
        .map(|(o, _)| o)
}

/// A code with five uses, raced by fifty orders of fifty customers, is used
/// exactly five times; a cancelled unpaid order gives its use back, once.
pub async fn a_code_with_five_uses_is_used_exactly_five_times(factory: Arc<dyn StoreFactory>) {
    let w = Arc::new(World::new(factory.as_ref(), vec![]).await);
    let mut accounts = Vec::new();
    for n in 0..50 {
        accounts.push(w.customer("toko", &format!("code-{n}@example.com")).await);
    }
    let tasks: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(n, a)| {
            tokio::spawn(place_with_code(
                w.clone(),
                a.clone(),
                format!("code-race-{n}.com"),
            ))
        })
        .collect();
    let (mut placed, mut used_up) = (Vec::new(), 0);
    for t in tasks {
        match t.await.expect("task") {
            Ok(o) => placed.push(o),
            Err(OrderError::CodeUsedUp(code)) => {
                assert_eq!(code, "LIMA5");
                used_up += 1;
            }
            Err(e) => panic!("an order failed otherwise: {e:?}"),
        }
    }
    assert_eq!((placed.len(), used_up), (5, 45));
    let store = w.store.clone();
    let used = storefront_functions::orders::codes::used(store.as_ref(), "toko", "LIMA5");
    assert_eq!(used.await.expect("read"), 5);

    // A sixth customer is refused; one of the five cancels and gives its
    // use back (a second cancel gives nothing more); then the sixth gets it.
    let sixth = accounts[49].clone();
    let late = place_with_code(w.clone(), sixth.clone(), "code-late.com".into()).await;
    assert!(matches!(late, Err(OrderError::CodeUsedUp(_))), "{late:?}");
    let first = &placed[0];
    w.orders
        .cancel_unpaid(&first.id, &first.customer, false)
        .await
        .expect("cancel");
    w.orders
        .cancel_unpaid(&first.id, &first.customer, false)
        .await
        .expect("cancel again");
    let used = storefront_functions::orders::codes::used(store.as_ref(), "toko", "LIMA5");
    assert_eq!(used.await.expect("read"), 4);
    place_with_code(w.clone(), sixth.clone(), "code-late.com".into())
        .await
        .expect("the use given back is taken");
    let used = storefront_functions::orders::codes::used(store.as_ref(), "toko", "LIMA5");
    assert_eq!(used.await.expect("read"), 5);
}

/// Two uses per customer: the third order of the same customer is refused
/// while the code still has uses left in all.
pub async fn a_customer_uses_a_code_at_most_twice(factory: Arc<dyn StoreFactory>) {
    let w = Arc::new(World::new(factory.as_ref(), vec![]).await);
    let a = w.customer("toko", "twice@example.com").await;
    for n in 0..2 {
        place_with_code(w.clone(), a.clone(), format!("twice-{n}.com"))
            .await
            .expect("within the customer's uses");
    }
    let third = place_with_code(w.clone(), a.clone(), "twice-2.com".into()).await;
    assert!(matches!(third, Err(OrderError::CodeUsedUp(_))), "{third:?}");
    let used = storefront_functions::orders::codes::used(w.store.as_ref(), "toko", "LIMA5");
    assert_eq!(
        used.await.expect("read"),
        2,
        "the refused order took no use"
    );
}
