//! The back office's reports as a browser downloads them, read back with
//! calamine: the transactions of a storefront with 1,000 orders (a few
//! made through the API as a customer does, the rest written by the ledger
//! as an order's capture writes them) equal its ledger row for row and in
//! every total; an empty period gives the header and a note; a bad period
//! is shown on the form; only staff may download.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use calamine::{Data, Reader, Xlsx};
use common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use storefront_core::Currency;
use storefront_core::ledger::{Entry, EntryKind, Movement, Party};
use storefront_functions::ledger::Context;
use tower::ServiceExt;

/// A download: status, headers and the body's bytes.
async fn download(
    shop: &Shop,
    cookie: &str,
    query: &str,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let req = Request::builder()
        .uri(format!("/panel/reports/download?{query}"))
        .header("host", TOKO)
        .header("accept-language", "en")
        .header("cookie", cookie)
        .body(Body::empty())
        .expect("request");
    let resp = shop.router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 1 << 28)
        .await
        .expect("body");
    (status, headers, body.to_vec())
}

/// The first worksheet's rows.
fn rows(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("an .xlsx");
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).expect("the sheet");
    range.rows().map(<[Data]>::to_vec).collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

/// A number cell as the amount it shows: whole rupiah.
fn rupiah(d: &Data) -> Decimal {
    match d {
        Data::Float(f) => Decimal::try_from(*f).expect("finite").round_dp(0),
        Data::Int(i) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    }
}

fn kind_label(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::TopUp => "Top-up",
        EntryKind::Hold => "Reserved for an order",
        EntryKind::Capture => "Paid for an order",
        EntryKind::Release => "Reservation released",
        EntryKind::Refund => "Refund",
        EntryKind::Adjustment => "Adjustment",
    }
}

/// The storefront's day now (Asia/Jakarta), as the form takes it.
fn toko_today() -> chrono::NaiveDate {
    storefront_core::dates::Zone::named("Asia/Jakarta")
        .expect("zone")
        .date_at(chrono::Utc::now())
}

async fn customer_account(shop: &Shop, cookie: &str) -> String {
    let (_, me) = api(
        &shop.router,
        "GET",
        TOKO,
        "/api/accounts/me",
        cookie,
        None,
        &[],
    )
    .await;
    me["id"].as_str().expect("account id").to_string()
}

/// An order for one `.com` name, paid from the wallet, through the API.
async fn order(shop: &Shop, customer: &str, name: &str) -> Value {
    let r = &shop.router;
    let items = json!({"items": [{"domain": name, "action": "register", "years": 1}]});
    let (status, quote) =
        api_json(r, "POST", TOKO, "/api/orders/quote", customer, items, &[]).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let (status, order) = api_json(
        r,
        "POST",
        TOKO,
        "/api/orders",
        customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", name)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    order
}

/// `n` orders' money as the engine moves it for a paid and registered
/// line: the customer's leg and toko's leg each held and captured, with
/// PPN inside, in one commit per order (what `Orders::pay` and the
/// capture write, through the same ledger).
async fn seed_orders(shop: &Shop, account: &str, n: u32) {
    let ledger = &shop.orders.ledger;
    let customer = Party::customer("toko", account);
    let toko = Party::reseller("toko");
    for i in 0..n {
        let price = Decimal::from(150_000 + 1_000 * (i % 37));
        let cost = Decimal::from(120_000 + 500 * (i % 11));
        // PPN 11% inside a gross amount, whole rupiah.
        let tax = |gross: Decimal| (gross * Decimal::from(11) / Decimal::from(111)).round_dp(0);
        let mut movements = Vec::new();
        for (party, amount, leg) in [(&customer, price, 0u8), (&toko, cost, 1u8)] {
            for kind in [EntryKind::Hold, EntryKind::Capture] {
                movements.push(Movement {
                    party: party.clone(),
                    kind,
                    amount,
                    tax: if kind == EntryKind::Capture {
                        tax(amount)
                    } else {
                        Decimal::ZERO
                    },
                    leg: Some(leg),
                });
            }
        }
        let ctx = Context {
            by: account.to_string(),
            reason: format!("order seeded-{i:04} nama{i}.com"),
            reference: format!("order:seeded-{i:04}"),
            currency: Currency::IDR,
        };
        ledger
            .commit(&movements, &ctx, vec![])
            .await
            .expect("the ledger takes the order");
    }
}

/// What the ledger holds for toko's report: its own wallet's entries and
/// those of every wallet held with it.
async fn ledger_entries(shop: &Shop) -> Vec<Entry> {
    let ledger = &shop.orders.ledger;
    let toko = Party::reseller("toko");
    let mut all = ledger.all_entries(&toko).await.expect("entries");
    for p in ledger.children(&toko).await.expect("children") {
        all.extend(ledger.all_entries(&p).await.expect("entries"));
    }
    all
}

#[tokio::test]
async fn the_transactions_report_of_1000_orders_equals_the_ledger() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let account = customer_account(&shop, &customer).await;
    credit(&shop, &account, 500_000_000).await;
    // agen, toko's sub-reseller, tops up its wallet with toko.
    fund(
        &shop,
        Party::reseller("agen"),
        Party::reseller("toko"),
        "bca",
        2_500_000,
    )
    .await;
    // A few orders as the customer makes them, then the rest seeded.
    for i in 0..3 {
        order(&shop, &customer, &format!("laporan-{i}.com")).await;
    }
    seed_orders(&shop, &account, 997).await;

    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    let page = request(r, "GET", TOKO, "/panel/reports", &owner, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("id=\"report\""), "{}", page.html);
    let today = toko_today();
    let query = format!(
        "kind=transactions&from={}&to={}",
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    );
    let (status, headers, bytes) = download(&shop, &owner, &query).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        headers["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"toko-transactions-"),
        "{:?}",
        headers["content-disposition"]
    );
    let sheet = rows(&bytes);
    assert_eq!(
        sheet[0].iter().map(text).collect::<Vec<_>>(),
        [
            "Date",
            "Wallet",
            "Kind",
            "Amount",
            "Tax",
            "Currency",
            "Reference",
            "Reason",
            "By",
            "Entry"
        ]
    );

    // Every entry once, as the ledger has it.
    let expected = ledger_entries(&shop).await;
    let orders = expected
        .iter()
        .filter(|e| e.kind == EntryKind::Capture && e.leg == Some(0))
        .count();
    assert_eq!(orders, 1000, "1,000 orders captured from the customer");
    let data: Vec<&Vec<Data>> = sheet[1..]
        .iter()
        .take_while(|row| !text(&row[0]).is_empty())
        .collect();
    assert_eq!(data.len(), expected.len());
    let by_id: BTreeMap<String, &Vec<Data>> = data.iter().map(|r| (text(&r[9]), *r)).collect();
    assert_eq!(by_id.len(), expected.len(), "each entry is one row");
    let mut owner_rows = 0;
    for e in &expected {
        let row = by_id.get(&e.id).unwrap_or_else(|| panic!("entry {e:?}"));
        assert_eq!(text(&row[2]), kind_label(e.kind), "{e:?}");
        assert_eq!(rupiah(&row[3]), e.amount, "{e:?}");
        match e.tax {
            Some(t) => assert_eq!(rupiah(&row[4]), t, "{e:?}"),
            None => assert_eq!(row[4], Data::Empty, "{e:?}"),
        }
        assert_eq!(text(&row[5]), "IDR");
        assert_eq!(text(&row[6]), e.reference);
        assert_eq!(text(&row[7]), e.reason);
        assert_eq!(text(&row[8]), e.by);
        assert!(matches!(row[0], Data::DateTime(_)), "{:?}", row[0]);
        let who = text(&row[1]);
        match e.wallet.as_str() {
            "R#toko" => {
                owner_rows += 1;
                assert_eq!(who, "Own wallet");
            }
            "R#agen" => assert_eq!(who, "Sub-reseller agen"),
            _ => assert!(who.contains("customer@toko.localhost"), "{who}"),
        }
    }
    assert!(owner_rows >= 2000, "toko's own legs: {owner_rows}");
    assert!(
        expected
            .iter()
            .any(|e| e.wallet == "R#agen" && e.kind == EntryKind::TopUp),
        "the sub-reseller's top-up is in"
    );

    // The totals: per kind as the ledger sums them, and the net change
    // equal to the balances the wallets now hold (they began empty).
    let mut sums: BTreeMap<&str, (u64, Decimal, Decimal)> = BTreeMap::new();
    for e in &expected {
        let s = sums.entry(kind_label(e.kind)).or_default();
        s.0 += 1;
        s.1 += e.amount;
        s.2 += e.tax.unwrap_or_default();
    }
    let totals: Vec<&Vec<Data>> = sheet[1 + data.len()..]
        .iter()
        .filter(|row| text(&row[0]) == "Total")
        .collect();
    assert_eq!(totals.len(), sums.len());
    for row in totals {
        let (n, amount, tax) = sums[text(&row[2]).as_str()];
        assert_eq!(rupiah(&row[1]), Decimal::from(n), "{row:?}");
        assert_eq!(rupiah(&row[3]), amount, "{row:?}");
        assert_eq!(rupiah(&row[4]), tax, "{row:?}");
    }
    let net = sheet
        .iter()
        .find(|row| text(&row[0]) == "Net change of balances")
        .expect("the net change");
    let ledger = &shop.orders.ledger;
    let mut posted = Decimal::ZERO;
    let toko = Party::reseller("toko");
    for p in std::iter::once(toko.clone()).chain(ledger.children(&toko).await.unwrap()) {
        let w = ledger.wallet(&p).await.unwrap().expect("a wallet");
        posted += w.balance.posted;
    }
    assert_eq!(rupiah(&net[3]), posted);

    // The customers' report: the customer's balance as its wallet holds it.
    let query = format!("kind=customers&from={today}&to={today}");
    let (status, _, bytes) = download(&shop, &owner, &query).await;
    assert_eq!(status, StatusCode::OK);
    let sheet = rows(&bytes);
    let me = ledger
        .wallet(&Party::customer("toko", &account))
        .await
        .unwrap()
        .unwrap();
    let row = sheet
        .iter()
        .find(|r| text(&r[1]) == "customer@toko.localhost")
        .expect("the customer's row");
    assert_eq!(rupiah(&row[3]), me.balance.posted);
    assert_eq!(rupiah(&row[5]), me.balance.spendable);

    // The domains' report: the names ordered through the API.
    let (status, _, bytes) = download(
        &shop,
        &owner,
        &format!("kind=domains&from={today}&to={today}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<String> = rows(&bytes).iter().map(|r| text(&r[0])).collect();
    for i in 0..3 {
        assert!(names.contains(&format!("laporan-{i}.com")), "{names:?}");
    }

    // The invoices' report: what toko issued to its customer today, as the
    // customer's list of invoices has them.
    let (status, _, bytes) = download(
        &shop,
        &owner,
        &format!("kind=invoices&from={today}&to={today}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let sheet = rows(&bytes);
    assert_eq!(text(&sheet[0][0]), "Number");
    let received = storefront_functions::invoices::of(
        shop.store.as_ref(),
        &Party::customer("toko", &account),
        None,
        50,
    )
    .await
    .unwrap()
    .items;
    let issued: Vec<&Value> = received
        .iter()
        .filter(|i| i["seller"] == json!(Party::reseller("toko")))
        .filter(|i| i["issued"] == json!(today.to_string()))
        .collect();
    assert!(
        !issued.is_empty(),
        "the API's orders were invoiced: {received:?}"
    );
    let listed: Vec<&Vec<Data>> = sheet[1..]
        .iter()
        .take_while(|r| !text(&r[0]).is_empty())
        .collect();
    assert_eq!(listed.len(), issued.len(), "{sheet:?}");
    let mut gross = Decimal::ZERO;
    for i in &issued {
        let row = listed
            .iter()
            .find(|r| text(&r[0]) == i["number"].as_str().unwrap())
            .unwrap_or_else(|| panic!("{i}"));
        let g: Decimal = i["gross"].as_str().unwrap().parse().unwrap();
        assert_eq!(rupiah(&row[4]), g, "{i}");
        assert!(text(&row[3]).contains("customer@toko.localhost"));
        gross += g;
    }
    let total = sheet
        .iter()
        .find(|r| text(&r[0]) == "Total")
        .expect("the total");
    assert_eq!(rupiah(&total[4]), gross);
}

#[tokio::test]
async fn an_empty_period_gives_the_header_and_a_note() {
    let shop = shop().await;
    let owner = sign_in(&shop.router, TOKO, "owner@toko.localhost").await;
    for (kind, first) in [
        ("transactions", "Date"),
        ("domains", "Domain"),
        ("customers", "Name"),
        ("invoices", "Number"),
    ] {
        let (status, _, bytes) = download(
            &shop,
            &owner,
            &format!("kind={kind}&from=2020-01-01&to=2020-01-31"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{kind}");
        let sheet = rows(&bytes);
        assert_eq!(text(&sheet[0][0]), first, "{kind}: its header");
        if kind != "customers" && kind != "domains" {
            assert_eq!(sheet.len(), 2, "{kind}: {sheet:?}");
            assert_eq!(text(&sheet[1][0]), "No rows in this period.", "{kind}");
        }
    }
}

#[tokio::test]
async fn a_bad_period_is_shown_on_the_form() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    for (query, field, said) in [
        (
            "kind=transactions&from=2026-12-31&to=2026-12-01",
            "to",
            "The last day comes before the first (2026-12-31): swap them.",
        ),
        (
            "kind=transactions&from=2025-01-01&to=2026-12-31",
            "to",
            "A report covers at most 366 days: choose a shorter period.",
        ),
        (
            "kind=transactions&from=31.12.2026&to=2026-12-31",
            "from",
            "Write the day as YYYY-MM-DD; \"31.12.2026\" is not one.",
        ),
        (
            "kind=everything&from=2026-12-01&to=2026-12-31",
            "kind",
            "Choose one of the reports; \"everything\" is not one.",
        ),
    ] {
        let page = request(
            r,
            "GET",
            TOKO,
            &format!("/panel/reports/download?{query}"),
            &owner,
            None,
        )
        .await;
        assert_eq!(page.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            page.html.contains(&format!("<li data-field=\"{field}\">"))
                && unescape(&page.html).contains(said),
            "{query}: {}",
            page.html
        );
        // What was typed stays in the form.
        assert!(page.html.contains("id=\"report\""));
    }
}

#[tokio::test]
async fn only_staff_may_read_reports() {
    let shop = shop().await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let query = "kind=transactions&from=2026-12-01&to=2026-12-31";
    for path in [
        "/panel/reports".to_string(),
        format!("/panel/reports/download?{query}"),
    ] {
        let page = request(r, "GET", TOKO, &path, &customer, None).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}");
        let page = request(r, "GET", TOKO, &path, "", None).await;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // An admin may.
    let admin = sign_in(r, TOKO, "admin@toko.localhost").await;
    let (status, _, _) = download(&shop, &admin, query).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_sub_resellers_report_lists_each_with_its_sales_domains_and_wallet() {
    let shop = shop().await;
    let r = &shop.router;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;
    // UTC's today and tomorrow: Jakarta's day is one of them.
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().expect("a day");
    let query = format!("kind=subresellers&from={today}&to={tomorrow}");

    // agen, toko's sub-reseller, has sold nothing yet: one row of zeros.
    let (status, _, bytes) = download(&shop, &owner, &query).await;
    assert_eq!(status, StatusCode::OK);
    let sheet = rows(&bytes);
    assert_eq!(
        sheet[0].iter().map(text).collect::<Vec<_>>(),
        [
            "Storefront",
            "Name",
            "Under",
            "Paid orders",
            "Sales",
            "Refunded",
            "Active domains",
            "Balance",
            "Reserved",
            "Available",
            "Currency"
        ]
    );
    assert_eq!(
        sheet[1].iter().take(7).map(text).collect::<Vec<_>>(),
        ["agen", "Agen Web", "toko", "0", "0", "0", "0"]
    );

    // A customer of agen's buys a name, paid from its wallet.
    let host = "agen.localhost";
    storefront_functions::accounts::create_demo_customer(
        shop.store.as_ref(),
        "agen",
        "customer@agen.localhost",
        "back-office-test-2026",
        &storefront_functions::accounts::AccountsConfig::fast_for_tests(),
    )
    .await
    .expect("agen's customer");
    let customer = sign_in(r, host, "customer@agen.localhost").await;
    let (_, me) = api(r, "GET", host, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    let (toko, agen) = (Party::reseller("toko"), Party::reseller("agen"));
    fund(&shop, toko.clone(), Party::Platform, "bca-idr", 2_000_000).await;
    fund(&shop, agen.clone(), toko, "bca", 2_000_000).await;
    fund(
        &shop,
        Party::customer("agen", &account),
        agen.clone(),
        "bca",
        2_000_000,
    )
    .await;
    let items =
        json!({"items": [{"domain": "cabang-laporan.com", "action": "register", "years": 1}]});
    let (status, quote) =
        api_json(r, "POST", host, "/api/orders/quote", &customer, items, &[]).await;
    assert_eq!(status, StatusCode::OK, "{quote}");
    let (status, order) = api_json(
        r,
        "POST",
        host,
        "/api/orders",
        &customer,
        json!({"quote": quote["id"], "payment": "wallet"}),
        &[("idempotency-key", "laporan-1")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let gross: Decimal = order["gross"]["amount"]
        .as_str()
        .expect("gross")
        .parse()
        .expect("a decimal");
    let wallet = shop
        .orders
        .ledger
        .wallet(&agen)
        .await
        .expect("read")
        .expect("agen's wallet")
        .balance;

    // The report: agen's paid order, its amount, its domain and its wallet
    // as the ledger holds it; and the total row.
    let (_, _, bytes) = download(&shop, &owner, &query).await;
    let sheet = rows(&bytes);
    let number = |d: &Data| match d {
        Data::Float(f) => Decimal::try_from(*f).expect("a number"),
        Data::Int(i) => Decimal::from(*i),
        other => panic!("not a number: {other:?}"),
    };
    let row = &sheet[1];
    assert_eq!(text(&row[0]), "agen");
    assert_eq!(number(&row[3]), Decimal::ONE);
    assert_eq!(number(&row[4]), gross);
    assert_eq!(number(&row[5]), Decimal::ZERO);
    assert_eq!(number(&row[6]), Decimal::ONE);
    assert_eq!(number(&row[7]), wallet.posted);
    assert_eq!(number(&row[8]), wallet.held);
    assert_eq!(number(&row[9]), wallet.spendable);
    assert_eq!(text(&row[10]), "IDR");
    let last = sheet.last().expect("the total row");
    assert_eq!(text(&last[0]), "Total");
    assert_eq!(number(&last[3]), Decimal::ONE);
    assert_eq!(number(&last[4]), gross);

    // agen's own report lists nobody below it.
    let theirs = sign_in(r, host, "owner@agen.localhost").await;
    let req = Request::builder()
        .uri(format!("/panel/reports/download?{query}"))
        .header("host", host)
        .header("accept-language", "en")
        .header("cookie", &theirs)
        .body(Body::empty())
        .expect("request");
    let resp = shop.router.clone().oneshot(req).await.expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 24)
        .await
        .expect("body");
    let sheet = rows(&bytes);
    assert_eq!(sheet.len(), 2, "{sheet:?}");
    assert_eq!(text(&sheet[1][0]), "No sub-resellers yet.");
}
