//! Content revisions on both stores: the embedded store with a local blob
//! folder, and DynamoDB with S3 (moto, started by the test).

use chrono::{DateTime, Duration, TimeZone, Utc};
use std::sync::{Arc, OnceLock};
use storefront_e2e::moto::Moto;
use storefront_revisions::{
    EventKind, Files, Imported, RevisionError, Revisions, Saved, Source, read_folder, write_folder,
};
use storefront_store::blobs::LocalBlobs;
use storefront_store::embedded::EmbeddedStore;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap() + Duration::minutes(minute)
}

fn files(price: &str) -> Files {
    Files::from([
        (
            "site.toml".into(),
            format!("name = \"Toko\"\nprice = \"{price}\"\n").into_bytes(),
        ),
        (
            "pages/terms.md".into(),
            b"+++\ntitle = \"Terms\"\n+++\nBe kind.\n".to_vec(),
        ),
        (
            "logo.svg".into(),
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(),
        ),
    ])
}

fn embedded() -> (Revisions, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(&dir.path().join("store.db")).unwrap();
    let blobs = LocalBlobs::new(dir.path().join("files"));
    (Revisions::new(Arc::new(store), Arc::new(blobs)), dir)
}

fn moto() -> &'static Moto {
    static SERVER: OnceLock<Moto> = OnceLock::new();
    SERVER.get_or_init(Moto::start)
}

async fn on_aws() -> Revisions {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let endpoint = moto().endpoint();
    let store = storefront_aws::DynamoStore::local(&endpoint, &format!("revisions-{n}"))
        .await
        .unwrap();
    let config = storefront_aws::local_config(&endpoint).await;
    let s3 = storefront_aws::s3_client(&config);
    let bucket = format!("revisions-{n}");
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    Revisions::new(
        Arc::new(store),
        Arc::new(storefront_aws::S3Blobs::new(s3, bucket)),
    )
}

async fn saving_is_content_addressed(r: Revisions) {
    let a = r.save("toko", &files("100")).await.unwrap();
    assert_eq!(a.len(), 32);
    assert_eq!(
        r.save("toko", &files("100")).await.unwrap(),
        a,
        "same content, same revision"
    );
    let b = r.save("toko", &files("120")).await.unwrap();
    assert_ne!(a, b);
    assert_eq!(r.files("toko", &a).await.unwrap(), files("100"));
    assert_eq!(r.files("toko", &b).await.unwrap(), files("120"));
    match r.files("other", &a).await {
        Err(RevisionError::Unknown { reseller, .. }) => assert_eq!(reseller, "other"),
        x => panic!("another storefront's revision must be unknown to it: {x:?}"),
    }
}

async fn publishing_moves_only_from_what_the_publisher_saw(r: Revisions) {
    let a = r.save("toko", &files("100")).await.unwrap();
    let b = r.save("toko", &files("120")).await.unwrap();
    r.publish("toko", &a, None, "owner@toko", Source::Panel, at(0))
        .await
        .unwrap();
    match r
        .publish("toko", &b, None, "admin@toko", Source::Panel, at(1))
        .await
    {
        Err(RevisionError::Moved { now: Some(p) }) => {
            assert_eq!(
                (p.revision.as_str(), p.by.as_str()),
                (a.as_str(), "owner@toko")
            )
        }
        x => panic!("a publish from a stale view must be refused: {x:?}"),
    }
    r.publish("toko", &b, Some(&a), "admin@toko", Source::Panel, at(2))
        .await
        .unwrap();
    r.publish("toko", &a, Some(&b), "owner@toko", Source::Rollback, at(3))
        .await
        .unwrap();
    let p = r.published("toko").await.unwrap().unwrap();
    assert_eq!((p.revision, p.source), (a.clone(), Source::Rollback));
    let h = r.history("toko", 10).await.unwrap();
    let seen: Vec<(EventKind, &str, Vec<String>)> = h
        .iter()
        .map(|e| (e.kind, e.by.as_str(), e.changed.clone()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                EventKind::RolledBack,
                "owner@toko",
                vec!["site.toml".to_string()]
            ),
            (
                EventKind::Published,
                "admin@toko",
                vec!["site.toml".to_string()]
            ),
            (
                EventKind::Published,
                "owner@toko",
                vec![
                    "logo.svg".into(),
                    "pages/terms.md".into(),
                    "site.toml".into()
                ]
            ),
        ]
    );
    assert_eq!(h[0].previous.as_deref(), Some(b.as_str()));
}

async fn two_admins_saving_at_once_both_keep_their_work(r: Revisions) {
    let a = r.save("toko", &files("100")).await.unwrap();
    r.publish("toko", &a, None, "owner@toko", Source::Import, at(0))
        .await
        .unwrap();
    // Both opened the editor on the published revision.
    let loaded = r.working("toko").await.unwrap();
    assert_eq!(loaded.as_deref(), Some(a.as_str()));
    let first = r
        .save_draft(
            "toko",
            &files("110"),
            loaded.as_deref(),
            "owner@toko",
            "prices",
            at(1),
        )
        .await
        .unwrap();
    let Saved::Draft(first) = first else {
        panic!("the first save is the draft: {first:?}")
    };
    let second = r
        .save_draft(
            "toko",
            &files("130"),
            loaded.as_deref(),
            "admin@toko",
            "prices",
            at(2),
        )
        .await
        .unwrap();
    let Saved::Aside {
        revision: second,
        other,
    } = second
    else {
        panic!("the later save goes beside the first: {second:?}")
    };
    assert_eq!(
        (other.revision.as_str(), other.by.as_str()),
        (first.as_str(), "owner@toko")
    );
    assert_eq!(
        r.working("toko").await.unwrap().as_deref(),
        Some(first.as_str())
    );
    let h = r.history("toko", 10).await.unwrap();
    assert_eq!(
        h.iter()
            .map(|e| (e.kind, e.revision.clone()))
            .collect::<Vec<_>>(),
        vec![
            (EventKind::SavedAside, second.clone()),
            (EventKind::Saved, first.clone()),
            (EventKind::Imported, a.clone()),
        ]
    );
    assert_eq!(
        r.files("toko", &second).await.unwrap(),
        files("130"),
        "nothing is lost"
    );
    // Publishing the draft clears it.
    r.publish("toko", &first, Some(&a), "owner@toko", Source::Panel, at(3))
        .await
        .unwrap();
    assert_eq!(r.draft("toko").await.unwrap(), None);
}

async fn imports_never_overwrite_panel_edits(r: Revisions) {
    let folder = files("100");
    let first = match r.import("toko", &folder, None, "git", at(0)).await.unwrap() {
        Imported::Published {
            revision,
            previous: None,
        } => revision,
        x => panic!("{x:?}"),
    };
    assert_eq!(
        r.import("toko", &folder, None, "git", at(1)).await.unwrap(),
        Imported::Unchanged(first.clone())
    );
    // A folder from git (no base) follows the last import.
    let second = match r
        .import("toko", &files("105"), None, "git", at(2))
        .await
        .unwrap()
    {
        Imported::Published { revision, previous } => {
            assert_eq!(previous.as_deref(), Some(first.as_str()));
            revision
        }
        x => panic!("{x:?}"),
    };
    // The panel publishes an edit: the same git folder is now stale...
    let panel = r.save("toko", &files("150")).await.unwrap();
    r.publish(
        "toko",
        &panel,
        Some(&second),
        "owner@toko",
        Source::Panel,
        at(3),
    )
    .await
    .unwrap();
    match r.import("toko", &files("106"), None, "git", at(4)).await {
        Err(e @ RevisionError::Stale { .. }) => assert!(
            e.to_string().contains("edited in the panel by owner@toko"),
            "{e}"
        ),
        x => panic!("{x:?}"),
    }
    // ... and so is an export of the old revision.
    assert!(matches!(
        r.import("toko", &files("106"), Some(&second), "git", at(5))
            .await,
        Err(RevisionError::Stale { .. })
    ));
    // An export of what is published goes in.
    assert!(matches!(
        r.import("toko", &files("160"), Some(&panel), "git", at(6))
            .await,
        Ok(Imported::Published { .. })
    ));
    assert_eq!(r.files("toko", &panel).await.unwrap(), files("150"));
    assert_eq!(r.resellers().await.unwrap(), vec!["toko".to_string()]);
}

async fn racing_publishers_exactly_one_wins(r: Revisions) {
    let base = r.save("toko", &files("100")).await.unwrap();
    r.publish("toko", &base, None, "owner", Source::Panel, at(0))
        .await
        .unwrap();
    let mut revs = Vec::new();
    for i in 0..8 {
        revs.push(r.save("toko", &files(&format!("2{i}0"))).await.unwrap());
    }
    let tasks: Vec<_> = revs
        .iter()
        .map(|rev| {
            let (r, rev, base) = (r.clone(), rev.clone(), base.clone());
            tokio::spawn(async move {
                r.publish("toko", &rev, Some(&base), "admin", Source::Panel, at(1))
                    .await
            })
        })
        .collect();
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => won += 1,
            Err(RevisionError::Moved { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(won, 1);
    let now = r.published("toko").await.unwrap().unwrap().revision;
    assert!(revs.contains(&now));
}

/// A first publish taken back (a new storefront whose build failed): the
/// id is free again, nothing else is; and never over someone's publish.
async fn a_withdrawn_first_publish_frees_the_id(r: Revisions) {
    let a = r.save("anak", &files("100")).await.unwrap();
    r.publish("anak", &a, None, "owner@toko", Source::Panel, at(0))
        .await
        .unwrap();
    assert_eq!(r.resellers().await.unwrap(), ["anak"]);
    r.withdraw("anak", &a).await.unwrap();
    assert_eq!(r.published("anak").await.unwrap(), None);
    assert!(r.resellers().await.unwrap().is_empty());
    // Created again from scratch: the publish that expects none wins.
    r.publish("anak", &a, None, "owner@toko", Source::Panel, at(1))
        .await
        .unwrap();
    let b = r.save("anak", &files("120")).await.unwrap();
    r.publish("anak", &b, Some(&a), "admin@anak", Source::Panel, at(2))
        .await
        .unwrap();
    match r.withdraw("anak", &a).await {
        Err(RevisionError::Moved { now: Some(p) }) => assert_eq!(p.revision, b),
        x => panic!("a later publish stays: {x:?}"),
    }
    assert_eq!(r.published("anak").await.unwrap().unwrap().revision, b);
}

macro_rules! both {
    ($($name:ident),*) => {
        mod embedded_store { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { let (r, _dir) = super::embedded(); super::$name(r).await; }
        )* }
        mod dynamodb_and_s3 { $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name(super::on_aws().await).await; }
        )* }
    };
}

both!(
    saving_is_content_addressed,
    publishing_moves_only_from_what_the_publisher_saw,
    two_admins_saving_at_once_both_keep_their_work,
    imports_never_overwrite_panel_edits,
    racing_publishers_exactly_one_wins,
    a_withdrawn_first_publish_frees_the_id
);

#[test]
fn a_folder_round_trips_byte_for_byte_with_its_revision() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("toko");
    write_folder(&out, &files("100"), "0123abcd").unwrap();
    let back = read_folder(&out);
    assert_eq!(back.files, files("100"));
    assert_eq!(back.base.as_deref(), Some("0123abcd"));
    assert!(back.problems.is_empty());
    // A second export over the first drops what the revision no longer has.
    let mut fewer = files("120");
    fewer.remove("logo.svg");
    write_folder(&out, &fewer, "4567ef01").unwrap();
    assert_eq!(read_folder(&out).files, fewer);
    assert!(!out.join("logo.svg").exists());
    // A folder that is not an export is never written into.
    let other = dir.path().join("mine");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "mine").unwrap();
    let err = write_folder(&other, &fewer, "4567ef01").unwrap_err();
    assert!(
        err.to_string().contains("is not an earlier export"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(other.join("notes.txt")).unwrap(),
        "mine"
    );
}
