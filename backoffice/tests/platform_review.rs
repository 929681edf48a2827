//! Who reviews is data per extension: with `review = "both"` the
//! storefront approves first and the platform decides last (what
//! `storefront documents approve|reject` records); with `"platform"` the
//! storefront's staff do not see the documents at all.

mod common;

use axum::http::StatusCode;
use common::*;
use serde_json::{Value, json};
use storefront_core::documents::{Decision, Level};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";
/// A real 16x16 baseline JPEG.
const JPEG: &[u8] = include_bytes!("data/ktp.jpg");

/// The fixture's catalogue with `.co.id` reviewed by both in turn and
/// `.my.id` by the platform alone.
async fn reviewed_by_the_platform() -> Shop {
    shop_with(|project| {
        let path = project.join("content/platform/catalogue.toml");
        let toml = std::fs::read_to_string(&path).expect("catalogue");
        let toml = toml
            .replace(
                "documents = [\"ktp\", \"type\"]\n",
                "documents = [\"ktp\", \"type\"]\nreview = \"both\"\n",
            )
            .replace(
                "years = { min = 1, max = 2 }\ngrace = { add = 5, renew = 30, transfer = 5, redemption = 30 }\ndocuments = [\"ktp\"]\n",
                "years = { min = 1, max = 2 }\ngrace = { add = 5, renew = 30, transfer = 5, redemption = 30 }\ndocuments = [\"ktp\"]\nreview = \"platform\"\n",
            );
        assert_eq!(toml.matches("review = ").count(), 2, "both edits made");
        std::fs::write(&path, toml).expect("write");
    })
    .await
}

/// A paid order for `name` waiting for its documents, with every item
/// sent: (order, line).
async fn sent(shop: &Shop, customer: &str, name: &str, key: &str) -> (String, String) {
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
        &[("idempotency-key", key)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let line = order["lines"][0]["id"].as_str().unwrap().to_string();
    let base = format!("/api/orders/{id}/documents/{line}");
    // A photo of the card for .co.id, a scan for .my.id.
    let (file, kind, bytes) = if name.ends_with(".co.id") {
        ("ktp.jpg", "image/jpeg", JPEG.to_vec())
    } else {
        ("ktp.pdf", "application/pdf", PDF.to_vec())
    };
    let (status, set) = api(
        r,
        "PUT",
        TOKO,
        &format!("{base}/ktp?name={file}"),
        customer,
        Some((kind, bytes)),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    if name.ends_with(".co.id") {
        let (status, set) = api_json(
            r,
            "PUT",
            TOKO,
            &format!("{base}/type"),
            customer,
            json!({"choice": "Company"}),
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{set}");
    }
    (id, line)
}

/// The owner's decision through the review page's form.
async fn owner_decides(
    shop: &Shop,
    owner: &str,
    (id, line): (&str, &str),
    item: &str,
    decision: &str,
) -> Page {
    let form = [
        ("order", id),
        ("line", line),
        ("item", item),
        ("version", "1"),
        ("decision", decision),
        ("reason", ""),
    ];
    request(
        &shop.router,
        "POST",
        TOKO,
        "/panel/documents/review",
        owner,
        Some(&form),
    )
    .await
}

/// The platform's decision, as `storefront documents approve|reject` makes it.
async fn platform_decides(
    shop: &Shop,
    (id, line): (&str, &str),
    item: &str,
    reason: Option<&str>,
) -> Result<(), String> {
    let at = shop.clock_now();
    let d = Decision {
        approve: reason.is_none(),
        reason: reason.map(str::to_string),
        at: &at,
        by: "platform",
    };
    let r = shop
        .orders
        .documents()
        .review(id, line, item, 1, d, Level::Platform)
        .await
        .map_err(|e| e.to_string())?;
    let s = shop.orders.catalogs.current("toko").await.unwrap().unwrap();
    shop.orders
        .document_reviewed(&s, &r, item, "platform")
        .await
        .map_err(|e| e.to_string())
}

async fn domain_status(shop: &Shop, customer: &str, name: &str) -> Value {
    let (_, d) = api(
        &shop.router,
        "GET",
        TOKO,
        &format!("/api/domains/{name}"),
        customer,
        None,
        &[],
    )
    .await;
    d["status"].clone()
}

async fn line_state(shop: &Shop, customer: &str, id: &str) -> Value {
    let (_, o) = api(
        &shop.router,
        "GET",
        TOKO,
        &format!("/api/orders/{id}"),
        customer,
        None,
        &[],
    )
    .await;
    o["lines"][0]["status"].clone()
}

#[tokio::test]
async fn both_review_in_turn_and_a_platform_only_extension_is_not_the_storefronts_to_see() {
    let shop = reviewed_by_the_platform().await;
    co_id_waits_for_documents(&shop).await;
    let r = &shop.router;
    let customer = sign_in(r, TOKO, "customer@toko.localhost").await;
    let (_, me) = api(r, "GET", TOKO, "/api/accounts/me", &customer, None, &[]).await;
    let account = me["id"].as_str().expect("account id").to_string();
    credit(&shop, &account, 1_000_000).await;
    let owner = sign_in(r, TOKO, "owner@toko.localhost").await;

    // .co.id: the storefront first.
    let (id, line) = sent(&shop, &customer, "bergiliran.co.id", "both").await;
    assert_eq!(
        line_state(&shop, &customer, &id).await,
        "awaiting_documents"
    );
    let co = (id.as_str(), line.as_str());
    let docs = shop.orders.documents();
    assert_eq!(
        docs.waiting_for_platform().await.unwrap(),
        vec![],
        "nothing for the platform before the storefront approved"
    );
    assert_eq!(
        platform_decides(&shop, co, "ktp", None).await,
        Err("ktp: it is the other reviewer's turn".into())
    );
    for item in ["ktp", "type"] {
        let ok = owner_decides(&shop, &owner, co, item, "approve").await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{item}: {}", ok.html);
    }
    // Approved here, not yet there: the page says whose turn it is and
    // offers no decision; still waiting, off the storefront's list.
    let review = format!("/panel/documents/review?order={id}&line={line}");
    let page = request(r, "GET", TOKO, &review, &owner, None).await;
    assert_eq!(
        page.text("turn-ktp"),
        "Approved here: the platform reviews it next."
    );
    assert!(
        !page.html.contains("class=\"primary approve\""),
        "no buttons"
    );
    // The photo is shown on the page, through its reviewer's link.
    let link = page.href_in("item-ktp");
    let img = "<img class=\"doc-preview\" src=\"";
    let at = page.html.find(img).expect("the KTP shown inline") + img.len();
    let src = unescape(&page.html[at..at + page.html[at..].find('"').expect("quote")]);
    assert_eq!(src, link);
    let photo = request(r, "GET", TOKO, &link, &owner, None).await;
    assert_eq!(photo.status, StatusCode::OK);
    assert_eq!(photo.headers["content-type"], "image/jpeg");
    assert_eq!(
        line_state(&shop, &customer, &id).await,
        "awaiting_documents"
    );
    let list = request(r, "GET", TOKO, "/panel/documents", &owner, None).await;
    assert_eq!(list.text("empty"), "No documents wait for your review.");
    assert_eq!(
        docs.waiting_for_platform().await.unwrap(),
        vec![(
            "toko".to_string(),
            id.clone(),
            line.clone(),
            "bergiliran.co.id".to_string(),
            2
        )]
    );
    let again = owner_decides(&shop, &owner, co, "ktp", "approve").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.html);
    assert_eq!(
        again.text("problem"),
        "Identity card (KTP): Approved here already: the platform reviews it next."
    );
    // The platform rejects the choice with a reason the customer is mailed.
    platform_decides(&shop, co, "type", Some("Perusahaan tanpa NIB."))
        .await
        .unwrap();
    let mails: Vec<String> = std::fs::read_dir(&shop.mail)
        .expect("the outbox")
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|m| m.contains("Subject: Dokumen untuk bergiliran.co.id perlu dikirim ulang"))
        .collect();
    assert_eq!(mails.len(), 1, "{mails:?}");
    // Sent again, approved by the storefront, then by the platform: active.
    let (status, _) = api_json(
        r,
        "PUT",
        TOKO,
        &format!("/api/orders/{id}/documents/{line}/type"),
        &customer,
        json!({"choice": "Individual"}),
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let form = [
        ("order", id.as_str()),
        ("line", line.as_str()),
        ("item", "type"),
        ("version", "2"),
        ("decision", "approve"),
        ("reason", ""),
    ];
    let ok = request(
        r,
        "POST",
        TOKO,
        "/panel/documents/review",
        &owner,
        Some(&form),
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.html);
    platform_decides(&shop, co, "ktp", None).await.unwrap();
    let at = shop.clock_now();
    let r2 = docs
        .review(
            &id,
            &line,
            "type",
            2,
            Decision {
                approve: true,
                reason: None,
                at: &at,
                by: "platform",
            },
            Level::Platform,
        )
        .await
        .unwrap();
    let s = shop.orders.catalogs.current("toko").await.unwrap().unwrap();
    shop.orders
        .document_reviewed(&s, &r2, "type", "platform")
        .await
        .unwrap();
    assert_eq!(line_state(&shop, &customer, &id).await, "active");
    assert_eq!(docs.waiting_for_platform().await.unwrap(), vec![]);

    // .my.id, registered first: the platform's alone to review. The
    // storefront's staff find nothing.
    let (id, line) = sent(&shop, &customer, "pusat.my.id", "platform").await;
    assert_eq!(
        domain_status(&shop, &customer, "pusat.my.id").await,
        "awaiting_documents"
    );
    let review = format!("/panel/documents/review?order={id}&line={line}");
    let page = request(r, "GET", TOKO, &review, &owner, None).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let list = request(r, "GET", TOKO, "/panel/documents", &owner, None).await;
    assert_eq!(list.text("empty"), "No documents wait for your review.");
    let decided = owner_decides(&shop, &owner, (&id, &line), "ktp", "approve").await;
    assert_eq!(decided.status, StatusCode::NOT_FOUND);
    assert_eq!(
        docs.waiting_for_platform().await.unwrap().len(),
        1,
        "the platform's to review"
    );
    platform_decides(&shop, (&id, &line), "ktp", None)
        .await
        .unwrap();
    assert_eq!(
        domain_status(&shop, &customer, "pusat.my.id").await,
        "active"
    );
    assert_eq!(docs.waiting_for_platform().await.unwrap(), vec![]);
}
