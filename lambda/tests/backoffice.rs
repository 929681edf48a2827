//! The publish path on AWS, against moto (a local DynamoDB and S3 the test
//! starts): content revisions in the table and the documents bucket, the
//! back office's router as the Lambda runs it, and a publish that uploads
//! the storefront to the storefronts bucket and moves its catalogue in the
//! table.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::sync::Arc;
use storefront_e2e::moto::Moto;
use storefront_functions::accounts::{self, AccountsConfig, Role};
use storefront_lambda::{Function, Settings};
use storefront_revisions::{PLATFORM, Revisions};
use tower::ServiceExt;

const HOST: &str = "toko.example";
const OWNER: &str = "owner@toko.example";
const PASSWORD: &str = "lambda-backoffice-2026";

async fn send(
    r: &Router,
    method: &str,
    path: &str,
    cookie: &str,
    body: Option<(&str, String)>,
) -> (StatusCode, String, String) {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header("host", HOST)
        .header("origin", format!("https://{HOST}"))
        .header("accept-language", "en")
        .header("cookie", cookie);
    let body = match body {
        Some((kind, text)) => {
            b = b.header("content-type", kind);
            Body::from(text)
        }
        None => Body::empty(),
    };
    let resp = r.clone().oneshot(b.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let set = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let location = headers
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let cookie_or_location = if set.is_empty() {
        location.to_string()
    } else {
        set.split(';').next().unwrap_or_default().to_string()
    };
    let text = String::from_utf8_lossy(
        &axum::body::to_bytes(resp.into_body(), 1 << 24)
            .await
            .unwrap(),
    )
    .into_owned();
    (status, cookie_or_location, text)
}

fn value_of(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .unwrap_or_else(|| panic!("no {name}"));
    let rest = &html[at + name.len() + 15..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// moto, with what `storefront deploy` leaves on it: every folder of the
/// fixture project (changed first by `tune`) and the platform's content as
/// published revisions, every storefront built and its catalogue in the
/// table; the back office's services and settings as its Lambda reads them,
/// and toko's owner.
struct Deployed {
    moto: Moto,
    s3: aws_sdk_s3::Client,
    store: Arc<storefront_aws::DynamoStore>,
    services: storefront_functions::app::Services,
    settings: Settings,
    _project: tempfile::TempDir,
}

async fn deploy(tune: impl FnOnce(&std::path::Path)) -> Deployed {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let config = storefront_aws::local_config(&endpoint).await;
    let s3 = storefront_aws::s3_client(&config);
    for bucket in ["documents", "storefronts"] {
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("bucket");
    }
    let store = Arc::new(
        storefront_aws::DynamoStore::local(&endpoint, "storefront")
            .await
            .expect("table"),
    );
    let vars = [
        ("TABLE_NAME", "storefront"),
        ("DOCUMENTS_BUCKET", "documents"),
        ("STOREFRONTS_BUCKET", "storefronts"),
        ("SMTP_URL", "smtp+insecure://127.0.0.1:1"),
        ("MAIL_FROM", "platform@storefront.example"),
        ("DOCUMENT_LINK_SECRET", "0123456789abcdef0123456789abcdef"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
    ];
    let settings = Settings::from_lookup(Function::Backoffice, |k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .expect("settings");
    let mut services =
        storefront_lambda::services(Function::Backoffice, &settings).expect("services");
    services.accounts = AccountsConfig::fast_for_tests();

    // What `storefront deploy` leaves: every folder and the platform's
    // content as published revisions, every storefront built and its
    // catalogue in the table.
    let project = storefront_e2e::project(None);
    tune(project.path());
    let revisions = Revisions::new(services.store.clone(), services.blobs.clone());
    let now = storefront_e2e::now();
    let platform = storefront_revisions::read_platform(project.path());
    revisions
        .import(PLATFORM, &platform.files, None, "deploy", now)
        .await
        .expect("platform");
    let deployed = storefront_publish::Site::new(
        storefront_generator::Paths::under(project.path()),
        project.path().join("public"),
        revisions.clone(),
        services.store.clone(),
        services.catalogs.clone(),
        |_| vec![],
    );
    assert!(deployed.import_folders("deploy", now).await.is_empty());
    deployed.build(now).await.expect("built");
    accounts::create_reseller_user(
        store.as_ref(),
        "toko",
        OWNER,
        PASSWORD,
        Role::Owner,
        &services.accounts,
    )
    .await
    .expect("owner");

    Deployed {
        moto,
        s3,
        store,
        services,
        settings,
        _project: project,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_publish_on_aws_uploads_the_storefront_and_moves_its_catalogue() {
    let deployed = deploy(|_| {}).await;
    let (endpoint, s3, store, services, settings) = (
        deployed.moto.endpoint(),
        deployed.s3.clone(),
        deployed.store.clone(),
        deployed.services.clone(),
        deployed.settings.clone(),
    );
    let work = tempfile::tempdir().unwrap();
    let backoffice = storefront_lambda::backoffice::router(&services, &settings, work.path())
        .await
        .expect("router");
    // The platform's content is read from the published `@platform`
    // revision by each build: nothing of it is in the folder.
    assert!(!work.path().join("content/platform").exists());
    let signin = storefront_lambda::router(Function::Accounts, &services);
    let (status, cookie, _) = send(
        &signin,
        "POST",
        "/api/accounts/signin",
        "",
        Some((
            "application/json",
            serde_json::json!({"email": OWNER, "password": PASSWORD}).to_string(),
        )),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, page) = send(
        &backoffice,
        "GET",
        "/panel/prices?group=default",
        &cookie,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let loaded = value_of(&page, "loaded");
    let form = format!(
        "group=default&table=customers&loaded={loaded}&kind=percent&markup=20&round_to=1000&o.co.id.register=300000"
    );
    let (status, location, _) = send(
        &backoffice,
        "POST",
        "/panel/prices",
        &cookie,
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(
        location.starts_with("/panel/prices?group=default&saved="),
        "{location}"
    );
    let (_, _, page) = send(&backoffice, "GET", "/panel/publish", &cookie, None).await;
    let form = format!(
        "revision={}&expected={}",
        value_of(&page, "revision"),
        value_of(&page, "expected")
    );
    let (status, location, page) = send(
        &backoffice,
        "POST",
        "/panel/publish",
        &cookie,
        Some(("application/x-www-form-urlencoded", form)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(
        location.starts_with("/panel/publish?published="),
        "{location}"
    );

    // The storefronts bucket serves the new price table...
    let object = s3
        .get_object()
        .bucket("storefronts")
        .key("sites/toko/prices/index.html")
        .send()
        .await
        .expect("uploaded");
    let html =
        String::from_utf8(object.body.collect().await.unwrap().into_bytes().to_vec()).unwrap();
    assert!(
        html.contains("Rp\u{a0}300.000"),
        "the new price is on the page"
    );
    // ...and the table the API prices from has it.
    let s = storefront_functions::catalog::current(store.as_ref(), "toko")
        .await
        .unwrap()
        .expect("published");
    let ask = storefront_core::price::Ask {
        ext: "co.id",
        action: storefront_core::catalogue::Action::Register,
        years: 1,
        group: "default",
        today: storefront_e2e::today(),
        premium: None,
        code: None,
    };
    assert_eq!(
        storefront_core::price::price(&s, &ask)
            .unwrap()
            .shown
            .to_string(),
        "300000"
    );
    // The content blobs are in the documents bucket, never the public one.
    let listed = s3
        .list_objects_v2()
        .bucket("storefronts")
        .prefix("content/")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.key_count(), Some(0));
    let listed = s3
        .list_objects_v2()
        .bucket("documents")
        .prefix("content/")
        .send()
        .await
        .unwrap();
    assert!(listed.key_count().unwrap_or(0) > 5);

    // A report on AWS goes to the documents bucket, and the browser to a
    // link good for five minutes, which it follows to S3 itself: a
    // Lambda's answer is capped at 6 MB.
    let today = storefront_e2e::today();
    let (status, location, page) = send(
        &backoffice,
        "GET",
        &format!("/panel/reports/download?kind=transactions&from={today}&to={today}"),
        &cookie,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert!(
        location.starts_with(&format!("{endpoint}/documents/reports/toko/")),
        "{location}"
    );
    assert!(location.contains("X-Amz-Expires=300"), "{location}");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let got = reqwest::get(&location).await.expect("the link answers");
    assert_eq!(got.status(), reqwest::StatusCode::OK);
    assert_eq!(
        got.headers()["content-disposition"],
        format!("attachment; filename=\"toko-transactions-{today}-{today}.xlsx\"").as_str()
    );
    let bytes = got.bytes().await.expect("the file");
    assert!(bytes.starts_with(b"PK\x03\x04"), "an .xlsx is a zip");

    // The dashboard's counters and the customers' index on DynamoDB: a
    // customer made in the back office is found by the start of its name.
    let (status, _, page) = send(&backoffice, "GET", "/panel/", &cookie, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<tr id=\"sales-toko\">"), "{page}");
    let form =
        "name=Sari+Dewi&email=sari%40example.co.id&kind=personal&company_name=&tax_id=&language=en";
    let (status, _, page) = send(
        &backoffice,
        "POST",
        "/panel/customers/new",
        &cookie,
        Some(("application/x-www-form-urlencoded", form.to_string())),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let (status, _, page) = send(
        &backoffice,
        "GET",
        "/panel/customers?q=SARI&by=name",
        &cookie,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("sari@example.co.id"), "{page}");
}

/// toko's price for one year of a `.co.id` as the table has it on `day`.
async fn co_id_price(store: &storefront_aws::DynamoStore, day: chrono::NaiveDate) -> String {
    let s = storefront_functions::catalog::current(store, "toko")
        .await
        .unwrap()
        .expect("published");
    let ask = storefront_core::price::Ask {
        ext: "co.id",
        action: storefront_core::catalogue::Action::Register,
        years: 1,
        group: "default",
        today: day,
        premium: None,
        code: None,
    };
    storefront_core::price::price(&s, &ask)
        .unwrap()
        .shown
        .to_string()
}

/// A plan's price change scheduled for tomorrow goes on sale on AWS with
/// nobody publishing: the hourly build of the day, run on its day, moves
/// toko's catalogue in the table and uploads its new price table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_build_of_the_day_puts_a_scheduled_price_change_on_sale() {
    let today = storefront_e2e::today();
    let tomorrow = today + chrono::Duration::days(1);
    let mut deployed = deploy(|dir| {
        let plans = dir.join("content/platform/plans.toml");
        let mut s = std::fs::read_to_string(&plans).expect("plans");
        s.push_str(&format!(
            "\n[[changes.idr]]\nfrom = {tomorrow}\n\n[changes.idr.extensions.\"co.id\"]\nregister = \"400000\"\n"
        ));
        std::fs::write(&plans, s).expect("write");
    })
    .await;
    assert_eq!(co_id_price(&deployed.store, today).await, "288000");
    // Built before its day, the catalogue does not know the change yet.
    assert_eq!(co_id_price(&deployed.store, tomorrow).await, "288000");

    // The first hour of tomorrow.
    let clock = Arc::new(storefront_functions::clock::ManualClock::new(
        tomorrow.and_hms_opt(1, 5, 0).expect("a time").and_utc(),
    ));
    deployed.services.clock = clock;
    let work = tempfile::tempdir().unwrap();
    let rendered = storefront_lambda::backoffice::daily_build(
        &deployed.services,
        &deployed.settings,
        work.path(),
    )
    .await
    .expect("the build of the day");
    assert!(rendered.contains(&"toko".to_string()), "{rendered:?}");
    assert_eq!(co_id_price(&deployed.store, tomorrow).await, "480000");
    let object = deployed
        .s3
        .get_object()
        .bucket("storefronts")
        .key("sites/toko/prices/index.html")
        .send()
        .await
        .expect("uploaded");
    let html =
        String::from_utf8(object.body.collect().await.unwrap().into_bytes().to_vec()).unwrap();
    assert!(
        html.contains("Rp\u{a0}480.000"),
        "the new price is on the page"
    );
}
