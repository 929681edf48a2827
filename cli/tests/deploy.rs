//! `storefront deploy` against a local DynamoDB/S3-compatible server (moto)
//! that the test starts: files by content hash, catalogues to the table, and
//! a second deploy with no change uploads and writes nothing. And the
//! platform's own work on the deployed table: `topups` and `tick` with
//! `--table`.

use std::path::Path;
use std::process::{Command, Output};
use storefront_e2e::moto::Moto;
use storefront_e2e::project;
use storefront_functions::store::Store;

fn deploy(dir: &Path, moto: &Moto, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(dir)
        .args([
            "deploy",
            "--table",
            "storefront",
            "--bucket",
            "storefronts",
            "--files-bucket",
            "documents",
        ])
        .args(extra)
        .env("STOREFRONT_TODAY", "2026-11-22")
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .output()
        .expect("run storefront deploy")
}

fn ok(out: &Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn line<'a>(stdout: &'a str, start: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starting {start:?} in:\n{stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_uploads_what_changed_and_publishes_catalogues() {
    let moto = Moto::start();
    let config = storefront_aws::local_config(&moto.endpoint()).await;
    let s3 = storefront_aws::s3_client(&config);
    for bucket in ["storefronts", "documents"] {
        s3.create_bucket()
            .bucket(bucket)
            .send()
            .await
            .expect("bucket");
    }
    let store = storefront_aws::DynamoStore::local(&moto.endpoint(), "storefront")
        .await
        .expect("table");

    let p = project(None);
    let first = ok(&deploy(p.path(), &moto, &[]));
    let uploaded: usize = line(&first, "uploaded ")
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(uploaded > 50, "{first}");
    assert!(
        first.contains("published 2 catalogue(s) to storefront (2 changed)"),
        "{first}"
    );
    // The files are the built ones, under the storefront's id.
    let local = std::fs::read(p.path().join("public/toko/index.html")).expect("built page");
    let remote = s3
        .get_object()
        .bucket("storefronts")
        .key("sites/toko/index.html")
        .send()
        .await
        .expect("uploaded page");
    assert_eq!(
        remote.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(
        remote
            .body
            .collect()
            .await
            .expect("body")
            .into_bytes()
            .to_vec(),
        local
    );
    // The API can now price for the storefront's own domain.
    let catalogs = storefront_functions::catalog::Catalogs::new(std::sync::Arc::new(store.clone()));
    assert_eq!(
        catalogs
            .reseller_for_host("toko.example")
            .await
            .expect("lookup"),
        Some("toko".to_string())
    );
    assert!(
        storefront_functions::catalog::current(&store, "toko")
            .await
            .expect("read")
            .is_some()
    );

    // Customers' browsers may POST documents to the documents bucket from
    // every storefront's own domains, and from nowhere else.
    let cors = s3
        .get_bucket_cors()
        .bucket("documents")
        .send()
        .await
        .expect("the documents bucket's CORS");
    let rules = cors.cors_rules();
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(rules[0].allowed_methods(), ["POST"]);
    let expected = [
        "https://agen.example",
        "https://toko.example",
        "https://www.toko.example",
    ];
    assert_eq!(rules[0].allowed_origins(), expected);
    assert!(
        first.contains(&format!(
            "documents may be uploaded to s3://documents from {} storefront domain(s)",
            expected.len()
        )),
        "{first}"
    );

    // Nothing changed: nothing uploaded, nothing written.
    let second = ok(&deploy(p.path(), &moto, &[]));
    assert!(
        line(&second, "uploaded ").starts_with("uploaded 0 file(s) (0 bytes), deleted 0,"),
        "{second}"
    );
    assert!(second.contains("(0 changed)"), "{second}");
    let version_before = store.get("RESELLER#toko", "CURRENT").await.expect("get");

    // One page of one storefront changes: only its files go up.
    let page = p.path().join("content/resellers/toko/pages/syarat.md");
    let text = std::fs::read_to_string(&page).expect("page");
    std::fs::write(&page, format!("{text}\n\nDiperbarui.\n")).expect("edit");
    let third = ok(&deploy(p.path(), &moto, &[]));
    assert!(third.contains("  toko: "), "{third}");
    assert!(!third.contains("  agen: "), "{third}");
    let n: usize = line(&third, "uploaded ")
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(n >= 1 && n < uploaded / 4, "{third}");
    assert_eq!(
        store.get("RESELLER#toko", "CURRENT").await.expect("get"),
        version_before,
        "a text change moves no price"
    );

    // The owner renames the storefront in the back office and publishes.
    // The repository's folder, still the old name, no longer wins: deploy
    // says so, and builds toko from what the owner published.
    let revisions = storefront_revisions::Revisions::new(
        std::sync::Arc::new(store),
        std::sync::Arc::new(storefront_aws::S3Blobs::new(s3.clone(), "documents")),
    );
    let live = revisions
        .published("toko")
        .await
        .unwrap()
        .expect("imported");
    let mut files = revisions.files("toko", &live.revision).await.unwrap();
    let site = String::from_utf8(files["site.toml"].clone()).unwrap();
    files.insert(
        "site.toml".into(),
        site.replacen("name = \"Toko Domain\"", "name = \"Toko Domain Baru\"", 1)
            .into_bytes(),
    );
    let edited = revisions.save("toko", &files).await.unwrap();
    revisions
        .publish(
            "toko",
            &edited,
            Some(&live.revision),
            "owner@toko.example",
            storefront_revisions::Source::Panel,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    std::fs::write(&page, format!("{text}\n\nDiperbarui lagi.\n")).expect("edit");
    let fourth = deploy(p.path(), &moto, &[]);
    let said = String::from_utf8_lossy(&fourth.stderr).into_owned();
    assert!(
        said.contains(
            "content/resellers/toko is not deployed: this folder was exported from no revision"
        ),
        "{said}"
    );
    assert!(
        said.contains("edited in the panel by owner@toko.example"),
        "{said}"
    );
    ok(&fourth);
    let home = s3
        .get_object()
        .bucket("storefronts")
        .key("sites/toko/index.html")
        .send()
        .await
        .expect("page");
    let home = String::from_utf8(home.body.collect().await.unwrap().into_bytes().to_vec()).unwrap();
    assert!(
        home.contains("Toko Domain Baru"),
        "built from what the owner published"
    );
}

#[test]
fn deploy_without_a_target_says_what_is_missing() {
    let p = project(None);
    let out = Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(p.path())
        .arg("deploy")
        .env_remove("STOREFRONT_TABLE")
        .env_remove("STOREFRONT_BUCKET")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--table") && err.contains("--bucket"), "{err}");
}

/// `storefront <args> --table storefront` against moto, from `dir`.
fn on_table(dir: &Path, moto: &Moto, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(dir)
        .arg(args[0])
        .args(["--table", "storefront"])
        .args(&args[1..])
        .env("AWS_ENDPOINT_URL", moto.endpoint())
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("SMTP_URL")
        .env_remove("MAIL_FROM")
        .output()
        .expect("run storefront")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_platform_decides_top_ups_and_ticks_on_the_deployed_table() {
    use rust_decimal::Decimal;
    use std::sync::Arc;
    use storefront_core::ledger::Party;
    use storefront_functions::clock::SystemClock;
    use storefront_functions::ledger::Ledger;
    use storefront_functions::ledger::topups::Request;

    let moto = Moto::start();
    let store: Arc<dyn Store> = Arc::new(
        storefront_aws::DynamoStore::local(&moto.endpoint(), "storefront")
            .await
            .expect("table"),
    );
    storefront_functions::catalog::publish(
        store.as_ref(),
        storefront_e2e::fixture_snapshots(),
        |_| vec![],
    )
    .await
    .expect("publish");
    // toko buys from the platform and asks it for a top-up, as the panel
    // would record it.
    let ledger = Ledger::new(store.clone(), Arc::new(SystemClock));
    let amount = Decimal::new(2_500_000, 0);
    let asked = ledger
        .request_topup(Request {
            holder: Party::reseller("toko"),
            parent: Party::Platform,
            currency: storefront_core::money::Currency::IDR,
            amount,
            bank_account: "BCA 123 456 7890".into(),
            transfer_reference: "TOKO-NOV".into(),
            by: "owner@toko.example".into(),
        })
        .await
        .expect("request");
    let dir = tempfile::tempdir().expect("tempdir");
    async fn posted(ledger: &Ledger) -> Decimal {
        let wallet = ledger.wallet(&Party::reseller("toko")).await.expect("read");
        wallet.expect("a wallet").balance.posted
    }

    let list = ok(&on_table(dir.path(), &moto, &["topups", "list"]));
    let row = line(&list, &asked.id);
    assert!(row.contains("pending") && row.contains("toko"), "{list}");

    let approved = ok(&on_table(
        dir.path(),
        &moto,
        &["topups", "approve", &asked.id],
    ));
    assert!(approved.contains("approved"), "{approved}");
    assert_eq!(posted(&ledger).await, amount);
    // Once, however often it is run.
    let again = on_table(dir.path(), &moto, &["topups", "approve", &asked.id]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already approved"),
        "{again:?}"
    );
    assert_eq!(posted(&ledger).await, amount);
    let pending = ok(&on_table(dir.path(), &moto, &["topups", "list"]));
    assert!(pending.contains("no pending top-ups"), "{pending}");

    // The scheduler's work, once, on the same table.
    let tick = ok(&on_table(
        dir.path(),
        &moto,
        &["tick", "--at", "2026-11-22"],
    ));
    let report: serde_json::Value = serde_json::from_str(&tick).expect("a JSON report");
    assert!(report["settled"].is_u64(), "{report}");
    assert!(report["renewals"].is_u64(), "{report}");

    // Without the table it is the local store, which is not there.
    let local = Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(dir.path())
        .args(["topups", "list"])
        .env_remove("STOREFRONT_TABLE")
        .output()
        .expect("run");
    assert!(!local.status.success());
    assert!(
        String::from_utf8_lossy(&local.stderr).contains("no store at"),
        "{local:?}"
    );
}
