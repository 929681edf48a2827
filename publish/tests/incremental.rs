//! A build or a draft's check after a change checks again only what the
//! change reaches (`incremental`): whatever changes, the result must be
//! what checking and building everything gives — the same checkout, the
//! same files byte for byte, the same catalogues in the store, the same
//! diagnostics. Each test compares with a second `Site` over the same store
//! that has built nothing yet, so it checks everything.
//!
//! The fixture's toko (top level) and agen (buys from toko), with agen-dua
//! (also toko's), cucu (buys from agen) and solo (top level, unrelated).

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use storefront_core::snapshot::Snapshot;
use storefront_functions::catalog::{self, Catalogs};
use storefront_generator::{Checkout, Paths};
use storefront_publish::{Built, PublishError, Site};
use storefront_revisions::{Files, Revisions, Source};
use storefront_store::Store;
use storefront_store::blobs::LocalBlobs;
use storefront_store::embedded::EmbeddedStore;

struct World {
    project: tempfile::TempDir,
    store: Arc<dyn Store>,
    site: Site,
    now: DateTime<Utc>,
}

fn site_over(project: &Path, store: &Arc<dyn Store>, out: &Path) -> Site {
    Site::new(
        Paths::under(project),
        out.to_path_buf(),
        Revisions::new(
            store.clone(),
            Arc::new(LocalBlobs::new(project.join(".storefront/files"))),
        ),
        store.clone(),
        Arc::new(Catalogs::new(store.clone())),
        |id| vec![format!("{id}.localhost")],
    )
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

fn copy_reseller(project: &Path, from: &str, to: &str, site: &[(&str, &str)]) {
    let resellers = project.join("content/resellers");
    storefront_e2e::copy_tree(&resellers.join(from), &resellers.join(to));
    for (a, b) in site {
        edit(&resellers.join(to).join("site.toml"), a, b);
    }
}

/// Five storefronts imported and built once.
async fn world() -> World {
    let project = storefront_e2e::project(None);
    let p = project.path();
    copy_reseller(
        p,
        "agen",
        "agen-dua",
        &[("\"agen.example\"", "\"agen-dua.example\"")],
    );
    copy_reseller(
        p,
        "agen",
        "cucu",
        &[
            ("\"agen.example\"", "\"cucu.example\""),
            ("parent = \"toko\"", "parent = \"agen\""),
            ("plan = \"agen\"", "plan = \"cucu\""),
        ],
    );
    edit(
        &p.join("content/resellers/agen/site.toml"),
        "[seller]",
        "[pricing.sub_resellers.cucu]\nmarkup_percent = \"5\"\n\n[seller]",
    );
    copy_reseller(
        p,
        "toko",
        "solo",
        &[(
            "[\"toko.example\", \"www.toko.example\"]",
            "[\"solo.example\", \"www.solo.example\"]",
        )],
    );
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&p.join(".storefront/store.db")).expect("store"));
    let site = site_over(p, &store, &p.join("public"));
    let now = storefront_e2e::now();
    assert_eq!(site.import_folders("test", now).await, vec![]);
    let built = site.build(now).await.expect("the world builds");
    assert_eq!(built.checkout.checked.len(), 5);
    World {
        project,
        store,
        site,
        now,
    }
}

impl World {
    fn path(&self) -> &Path {
        self.project.path()
    }

    /// A `Site` that has built nothing: it checks everything.
    fn fresh(&self, out: &str) -> Site {
        site_over(self.path(), &self.store, &self.path().join(out))
    }

    /// `id`'s published files with `from` replaced by `to` in its site.toml.
    async fn changed(&self, id: &str, from: &str, to: &str) -> Files {
        let rev = self.published(id).await;
        let mut files = self.site.files_of(id, &rev).await.expect("files");
        let text = String::from_utf8(files["site.toml"].clone()).expect("utf-8");
        assert!(text.contains(from), "{id}'s site.toml has no {from:?}");
        files.insert("site.toml".into(), text.replacen(from, to, 1).into_bytes());
        files
    }

    async fn published(&self, id: &str) -> String {
        self.site
            .revisions()
            .published(id)
            .await
            .expect("store")
            .expect("published")
            .revision
    }

    /// Publish `files` as `id`'s content, as the panel does (the draft's
    /// check is the caller's).
    async fn publish(&self, id: &str, files: &Files) {
        let before = self.published(id).await;
        let rev = self.site.revisions().save(id, files).await.expect("save");
        self.site
            .revisions()
            .publish(id, &rev, Some(&before), "test", Source::Panel, self.now)
            .await
            .expect("publish");
    }

    /// Build, and check that the result is what building everything
    /// gives; returns the build.
    async fn build_as_full(&self, now: DateTime<Utc>) -> Built {
        let built = self.site.build(now).await.expect("builds");
        // The catalogues in the store are this build's.
        for s in storefront_generator::snapshot::all(&built.checkout) {
            let stored = catalog::current(self.store.as_ref(), &s.reseller)
                .await
                .expect("store")
                .expect("published");
            assert_eq!(stored, s, "{}'s catalogue", s.reseller);
        }
        let fresh = self.fresh("public-full");
        let full = fresh.build(now).await.expect("a full build");
        same_checkout(&built.checkout, &full.checkout);
        assert!(
            storefront_e2e::snapshot_tree(&self.path().join("public"))
                == storefront_e2e::snapshot_tree(&self.path().join("public-full")),
            "the same files, byte for byte"
        );
        std::fs::remove_dir_all(self.path().join("public-full")).expect("rm");
        built
    }

    /// Check a draft, and check that the answer is what checking
    /// everything gives.
    async fn draft_as_full(&self, id: &str, files: &Files) -> Result<Checkout, String> {
        let got = self.site.check_draft(id, files.clone(), self.now).await;
        let full = self
            .fresh("unused")
            .check_draft(id, files.clone(), self.now)
            .await;
        match (got, full) {
            (Ok(a), Ok(b)) => {
                same_checkout(&a, &b);
                Ok(a)
            }
            (Err(PublishError::Content(a)), Err(PublishError::Content(b))) => {
                assert_eq!(a.to_string(), b.to_string(), "the same diagnostics");
                Err(a.to_string())
            }
            (a, b) => panic!("{id}'s draft: {:?} here, {:?} in full", a.err(), b.err()),
        }
    }
}

fn same_checkout(a: &Checkout, b: &Checkout) {
    let ids = |c: &Checkout| c.checked.keys().cloned().collect::<Vec<_>>();
    assert_eq!(ids(a), ids(b));
    assert_eq!(
        a.content.resellers.keys().collect::<Vec<_>>(),
        b.content.resellers.keys().collect::<Vec<_>>()
    );
    for (id, x) in &a.checked {
        let y = &b.checked[id];
        assert_eq!(x.chain, y.chain, "{id}'s chain");
        assert_eq!(x.today, y.today, "{id}'s day");
        assert_eq!(x.prices, y.prices, "{id}'s prices");
        assert_eq!(x.parent, y.parent, "{id}'s parent");
        let (r, s) = (&a.content.resellers[id], &b.content.resellers[id]);
        assert_eq!(r.source_hash, s.source_hash, "{id}'s files");
        assert_eq!(r.site, s.site, "{id}'s site.toml");
    }
    let snapshots = |c: &Checkout| -> BTreeMap<String, Snapshot> {
        storefront_generator::snapshot::all(c)
            .into_iter()
            .map(|s| (s.reseller.clone(), s))
            .collect()
    };
    assert_eq!(snapshots(a), snapshots(b));
    let themes = |c: &Checkout| -> Vec<(String, String)> {
        c.themes
            .iter()
            .map(|(n, t)| (n.clone(), t.hash.to_hex().to_string()))
            .collect()
    };
    assert_eq!(themes(a), themes(b));
}

/// `id`'s default prices of `ext`, from its catalogue in the store.
async fn register(w: &World, id: &str, ext: &str) -> String {
    let s = catalog::current(w.store.as_ref(), id)
        .await
        .expect("store")
        .expect("published");
    format!("{:?}", s.prices.groups["default"][ext])
}

#[tokio::test]
async fn a_parents_price_change_reprices_its_children_and_grandchildren() {
    let w = world().await;
    let before: Vec<String> = com_prices(&w, &["agen", "agen-dua", "cucu", "solo"]).await;
    let partial = w.site.partial_checks();
    let files = w
        .changed(
            "toko",
            "[pricing.sub_resellers.agen]\nmarkup_percent = \"5\"",
            "[pricing.sub_resellers.agen]\nmarkup_percent = \"30\"",
        )
        .await;
    w.draft_as_full("toko", &files).await.expect("a good draft");
    w.publish("toko", &files).await;
    let built = w.build_as_full(w.now).await;
    assert!(w.site.partial_checks() > partial, "checked in part");
    let after: Vec<String> = com_prices(&w, &["agen", "agen-dua", "cucu", "solo"]).await;
    for (i, id) in ["agen", "agen-dua", "cucu"].iter().enumerate() {
        assert_ne!(before[i], after[i], "{id} pays toko more, and charges more");
    }
    assert_eq!(before[3], after[3], "solo does not buy from toko");
    assert_eq!(built.moved, 3, "agen, agen-dua and cucu");
    assert_eq!(
        built.report.rendered,
        vec!["agen", "agen-dua", "cucu", "toko"],
        "toko's folder changed, its children's prices"
    );
}

async fn com_prices(w: &World, ids: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        out.push(register(w, id, "com").await);
    }
    out
}

#[tokio::test]
async fn a_childs_change_rebuilds_it_alone() {
    let w = world().await;
    let partial = w.site.partial_checks();
    let files = w
        .changed(
            "agen",
            "[pricing.customers.default]\nmarkup_percent = \"10\"",
            "[pricing.customers.default]\nmarkup_percent = \"15\"",
        )
        .await;
    w.draft_as_full("agen", &files).await.expect("a good draft");
    w.publish("agen", &files).await;
    let built = w.build_as_full(w.now).await;
    assert_eq!(
        w.site.partial_checks(),
        partial + 2,
        "the draft and the build"
    );
    assert_eq!(built.report.rendered, vec!["agen"]);
    assert_eq!(built.moved, 1);
    // Nothing changed: nothing is checked again, rendered or published.
    let built = w.build_as_full(w.now).await;
    assert!(built.report.rendered.is_empty());
    assert_eq!(built.moved, 0);
}

#[tokio::test]
async fn a_bad_draft_gets_the_diagnostics_of_a_full_check() {
    let w = world().await;
    // Below what agen pays toko: refused, naming the line.
    let files = w
        .changed(
            "agen",
            "round_to = \"500\"",
            "round_to = \"500\"\n\n[pricing.customers.default.overrides.com]\nregister = \"1000\"",
        )
        .await;
    let refused = w.draft_as_full("agen", &files).await.expect_err("a loss");
    assert!(refused.contains("com"), "{refused}");
    // A domain another reseller outside what the change reaches serves.
    let files = w
        .changed("agen", "[\"agen.example\"]", "[\"solo.example\"]")
        .await;
    let refused = w
        .draft_as_full("agen", &files)
        .await
        .expect_err("a domain taken");
    assert!(refused.contains("solo.example"), "{refused}");
    // A parent that is not a reseller.
    let files = w
        .changed("cucu", "parent = \"agen\"", "parent = \"nobody\"")
        .await;
    w.draft_as_full("cucu", &files)
        .await
        .expect_err("no such parent");
    // Another parent that does not offer the plan.
    let files = w
        .changed("cucu", "parent = \"agen\"", "parent = \"toko\"")
        .await;
    w.draft_as_full("cucu", &files)
        .await
        .expect_err("toko has no plan 'cucu'");
    // A move to a parent outside what the change reaches (solo offers
    // plan agen too).
    let files = w
        .changed("agen-dua", "parent = \"toko\"", "parent = \"solo\"")
        .await;
    w.draft_as_full("agen-dua", &files)
        .await
        .expect("solo sells to agen-dua");
    w.publish("agen-dua", &files).await;
    let built = w.build_as_full(w.now).await;
    assert_eq!(
        built.checkout.checked["agen-dua"].chain,
        vec!["solo", "agen-dua"]
    );
    // A good one is fine after all that.
    let files = w
        .changed("cucu", "name = \"Agen Web\"", "name = \"Cucu Web\"")
        .await;
    w.draft_as_full("cucu", &files).await.expect("a good draft");
}

#[tokio::test]
async fn the_platform_a_theme_or_a_new_day_rechecks_everything() {
    let w = world().await;
    let partial = w.site.partial_checks();
    let before = register(&w, "solo", "com").await;
    edit(
        &w.path().join("content/platform/plans.toml"),
        "register = \"152000\"",
        "register = \"170000\"",
    );
    let built = w.build_as_full(w.now).await;
    assert_eq!(w.site.partial_checks(), partial, "checked in full");
    assert_eq!(built.report.rendered.len(), 5);
    assert_ne!(register(&w, "solo", "com").await, before);

    std::fs::create_dir_all(w.path().join("themes/default/static")).expect("mkdir");
    std::fs::write(w.path().join("themes/default/static/note.txt"), "hello").expect("write");
    let built = w.build_as_full(w.now).await;
    assert_eq!(w.site.partial_checks(), partial, "checked in full");
    assert_eq!(built.report.rendered.len(), 5);

    let built = w.build_as_full(w.now + Duration::days(1)).await;
    assert_eq!(w.site.partial_checks(), partial, "checked in full");
    assert_eq!(
        built.report.unchanged.len() + built.report.rendered.len(),
        5
    );
    // The day after, a change is checked in part again.
    let files = w
        .changed("solo", "name = \"Toko Domain\"", "name = \"Solo Domain\"")
        .await;
    w.publish("solo", &files).await;
    let built = w.build_as_full(w.now + Duration::days(1)).await;
    assert_eq!(w.site.partial_checks(), partial + 1);
    assert_eq!(built.report.rendered, vec!["solo"]);
}

#[tokio::test]
async fn a_line_sold_below_a_raised_cost_keeps_drafts_and_builds_as_a_full_check() {
    let w = world().await;
    // agen sells .co.id at a fixed price above what it pays today...
    let files = w
        .changed(
            "agen",
            "round_to = \"500\"",
            "round_to = \"500\"\n\n[pricing.customers.default.overrides.\"co.id\"]\nregister = \"330000\"",
        )
        .await;
    w.draft_as_full("agen", &files).await.expect("above cost");
    w.publish("agen", &files).await;
    w.build_as_full(w.now).await;
    // ...then the platform raises it above that: agen's line is suspended.
    edit(
        &w.path().join("content/platform/plans.toml"),
        "register = \"240000\"",
        "register = \"400000\"",
    );
    let built = w.build_as_full(w.now).await;
    assert_eq!(
        built.checkout.checked["agen"].prices.suspended,
        vec![storefront_core::pricing::Suspended {
            group: "default".into(),
            ext: "co.id".into(),
            action: storefront_core::catalogue::Action::Register,
        }]
    );
    // Drafts and builds elsewhere are judged as a full check judges them.
    for id in ["solo", "agen-dua", "toko", "agen"] {
        let files = w
            .changed(id, "[colours]", "[colours]\nbackground = \"#fafafa\"")
            .await;
        if w.draft_as_full(id, &files).await.is_ok() {
            w.publish(id, &files).await;
            w.build_as_full(w.now).await;
        }
    }
    // agen re-prices above its new cost: sold again.
    let files = w
        .changed("agen", "register = \"330000\"", "register = \"600000\"")
        .await;
    w.draft_as_full("agen", &files).await.expect("above cost");
    w.publish("agen", &files).await;
    let built = w.build_as_full(w.now).await;
    assert!(built.checkout.checked["agen"].prices.suspended.is_empty());
}
