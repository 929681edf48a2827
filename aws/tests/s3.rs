//! Uploaded files and published storefronts on S3, against a local
//! S3-compatible server (moto) that the test starts.

use std::sync::Arc;
use storefront_aws::S3Blobs;
use storefront_aws::deploy::{SiteReport, Target};
use storefront_e2e::moto::Moto;
use storefront_store::blobs::{BlobError, Blobs, LocalBlobs};

async fn client(moto: &Moto) -> aws_sdk_s3::Client {
    let config = storefront_aws::local_config(&moto.endpoint()).await;
    storefront_aws::s3_client(&config)
}

async fn bucket(client: &aws_sdk_s3::Client, name: &str) {
    client
        .create_bucket()
        .bucket(name)
        .send()
        .await
        .expect("create bucket");
}

/// What every blob store must do, run on S3 and on the local folder.
async fn blobs_contract(blobs: Arc<dyn Blobs>) {
    let pdf = b"%PDF-1.7 proof".to_vec();
    blobs
        .put("topups/T1/proof", pdf.clone(), "application/pdf")
        .await
        .expect("put");
    assert_eq!(
        blobs.get("topups/T1/proof").await.expect("get"),
        Some((pdf, "application/pdf".to_string()))
    );
    assert_eq!(blobs.get("topups/T2/proof").await.expect("get"), None);
    // A new upload replaces the old one whole.
    blobs
        .put("topups/T1/proof", vec![0x89, b'P'], "image/png")
        .await
        .expect("replace");
    assert_eq!(
        blobs.get("topups/T1/proof").await.expect("get"),
        Some((vec![0x89, b'P'], "image/png".to_string()))
    );
    // Five megabytes, the most a proof may be.
    let big = vec![7u8; 5 * 1024 * 1024];
    blobs
        .put("topups/T3/proof", big.clone(), "application/pdf")
        .await
        .expect("big put");
    assert_eq!(
        blobs
            .get("topups/T3/proof")
            .await
            .expect("get")
            .map(|b| b.0),
        Some(big)
    );
    // Its size without its bytes; deleted, it is gone, and deleting what
    // is gone is no error.
    assert_eq!(
        blobs.size("topups/T3/proof").await.expect("size"),
        Some(5 * 1024 * 1024)
    );
    assert_eq!(blobs.size("topups/T9/proof").await.expect("size"), None);
    blobs.delete("topups/T3/proof").await.expect("delete");
    assert_eq!(blobs.get("topups/T3/proof").await.expect("get"), None);
    assert_eq!(blobs.size("topups/T3/proof").await.expect("size"), None);
    blobs.delete("topups/T3/proof").await.expect("delete again");
    for bad in ["", "../x", "a//b", "a/./b", "é", "a b", "/abs"] {
        assert!(
            matches!(blobs.put(bad, vec![1], "x/y").await, Err(BlobError::Key(_))),
            "{bad:?}"
        );
        assert!(
            matches!(blobs.get(bad).await, Err(BlobError::Key(_))),
            "{bad:?}"
        );
        assert!(
            matches!(blobs.delete(bad).await, Err(BlobError::Key(_))),
            "{bad:?}"
        );
    }
}

#[tokio::test]
async fn s3_blobs_keep_files_exactly() {
    let moto = Moto::start();
    let client = client(&moto).await;
    bucket(&client, "documents").await;
    blobs_contract(Arc::new(S3Blobs::new(client, "documents"))).await;
}

#[tokio::test]
async fn local_blobs_keep_files_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    blobs_contract(Arc::new(LocalBlobs::new(dir.path()))).await;
}

#[tokio::test]
async fn s3_blobs_report_a_missing_bucket() {
    let moto = Moto::start();
    let blobs = S3Blobs::new(client(&moto).await, "no-such-bucket");
    assert!(matches!(
        blobs.put("a", vec![1], "x/y").await,
        Err(BlobError::Unavailable(_))
    ));
}

fn write(dir: &std::path::Path, path: &str, body: &str) {
    let p = dir.join(path);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, body).expect("write");
}

async fn object(client: &aws_sdk_s3::Client, key: &str) -> Option<(String, String, String)> {
    let o = client
        .get_object()
        .bucket("storefronts")
        .key(key)
        .send()
        .await
        .ok()?;
    let (ct, cc) = (
        o.content_type.clone().unwrap_or_default(),
        o.cache_control.clone().unwrap_or_default(),
    );
    let body = o.body.collect().await.expect("body").into_bytes();
    Some((String::from_utf8_lossy(&body).into_owned(), ct, cc))
}

#[tokio::test]
async fn a_site_uploads_only_what_changed() {
    let moto = Moto::start();
    let client = client(&moto).await;
    bucket(&client, "storefronts").await;
    let target = Target::new(client.clone(), "storefronts");
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "index.html", "<h1>Toko</h1>");
    write(dir.path(), "assets/site.css", "body{}");
    write(dir.path(), "prices/index.html", "<p>Rp 198.000</p>");

    let first = target
        .sync_site("nusantara", dir.path(), false)
        .await
        .expect("first");
    assert_eq!(
        first,
        SiteReport {
            uploaded: 3,
            uploaded_bytes: 13 + 6 + 17,
            deleted: 0,
            unchanged: 0
        }
    );
    assert_eq!(
        object(&client, "sites/nusantara/index.html").await,
        Some((
            "<h1>Toko</h1>".into(),
            "text/html; charset=utf-8".into(),
            "no-cache".into()
        ))
    );
    assert_eq!(
        object(&client, "sites/nusantara/assets/site.css")
            .await
            .map(|o| o.1),
        Some("text/css; charset=utf-8".into())
    );

    let again = target
        .sync_site("nusantara", dir.path(), false)
        .await
        .expect("again");
    assert_eq!(
        again,
        SiteReport {
            uploaded: 0,
            uploaded_bytes: 0,
            deleted: 0,
            unchanged: 3
        },
        "an unchanged site uploads nothing"
    );

    // One page changes, one goes, one arrives.
    write(dir.path(), "prices/index.html", "<p>Rp 199.000</p>");
    std::fs::remove_file(dir.path().join("assets/site.css")).expect("rm");
    write(dir.path(), "terms/index.html", "<h1>Syarat</h1>");
    let third = target
        .sync_site("nusantara", dir.path(), false)
        .await
        .expect("third");
    assert_eq!((third.uploaded, third.deleted, third.unchanged), (2, 1, 1));
    assert_eq!(
        object(&client, "sites/nusantara/prices/index.html")
            .await
            .map(|o| o.0),
        Some("<p>Rp 199.000</p>".into())
    );
    assert_eq!(
        object(&client, "sites/nusantara/assets/site.css").await,
        None
    );

    // Another storefront's files and manifest are its own.
    let other = tempfile::tempdir().expect("tempdir");
    write(other.path(), "index.html", "<h1>Toko</h1>");
    let r = target
        .sync_site("sieciowo", other.path(), false)
        .await
        .expect("other site");
    assert_eq!(r.uploaded, 1, "the same bytes under another storefront");
    // --full uploads everything again.
    let full = target
        .sync_site("nusantara", dir.path(), true)
        .await
        .expect("full");
    assert_eq!(full.uploaded, 3);
}
