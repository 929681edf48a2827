//! The `storefront` binary as a person uses it: exit codes, messages, and
//! `serve` answering real HTTP requests on 127.0.0.1.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use storefront_e2e::{Server, copy_tree, fixtures, project};

fn storefront(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("STOREFRONT_TODAY", "2026-11-22")
        .env("CI", "1")
        .output()
        .expect("run storefront")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn help_lists_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_storefront"))
        .arg("--help")
        .output()
        .expect("run");
    let help = text(&out.stdout);
    assert!(out.status.success());
    for cmd in ["new", "check", "build", "serve"] {
        assert!(help.contains(cmd), "{help}");
    }
}

#[test]
fn check_passes_on_valid_content_and_fails_with_file_and_line() {
    let p = project(None);
    let ok = storefront(p.path(), &["check"]);
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).starts_with("ok: 2 storefronts"),
        "{}",
        text(&ok.stdout)
    );

    copy_tree(&fixtures().join("invalid/bad_colour"), p.path());
    let bad = storefront(p.path(), &["check"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = text(&bad.stderr);
    assert!(
        err.contains("content/resellers/toko/site.toml:15: colour primary"),
        "{err}"
    );
    assert!(err.contains("1 problem found"), "{err}");
}

#[test]
fn new_scaffolds_a_reseller_that_checks_and_builds() {
    let p = project(None);
    let out = storefront(p.path(), &["new", "toko-baru", "--language", "id"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        p.path()
            .join("content/resellers/toko-baru/site.toml")
            .is_file()
    );
    let check = storefront(p.path(), &["check"]);
    assert!(
        check.status.success(),
        "a new reseller passes check: {}",
        text(&check.stderr)
    );
    let build = storefront(p.path(), &["build", "--only", "toko-baru"]);
    assert!(build.status.success(), "{}", text(&build.stderr));
    assert!(p.path().join("public/toko-baru/index.html").is_file());
    assert!(
        !p.path().join("public/toko").exists(),
        "--only builds one reseller"
    );

    let again = storefront(p.path(), &["new", "toko-baru"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("already exists"));
    let bad = storefront(p.path(), &["new", "Toko Baru!"]);
    assert!(text(&bad.stderr).contains("cannot be a reseller name"));
}

#[test]
fn a_second_build_changes_nothing() {
    let p = project(None);
    let first = storefront(p.path(), &["build"]);
    assert!(
        text(&first.stdout).starts_with("built 2 storefront(s)"),
        "{}",
        text(&first.stdout)
    );
    assert!(
        text(&first.stdout).contains("published 2 catalogue(s)"),
        "{}",
        text(&first.stdout)
    );
    assert!(
        p.path().join(".storefront/store.db").is_file(),
        "catalogues are published to the embedded store"
    );
    let second = storefront(p.path(), &["build"]);
    assert!(
        text(&second.stdout).contains("(0 changed)"),
        "an unchanged build moves no catalogue: {}",
        text(&second.stdout)
    );
    assert!(
        text(&second.stdout).starts_with(
            "built 0 storefront(s) (0 pages, 0 files written, 0 removed), 2 unchanged"
        ),
        "{}",
        text(&second.stdout)
    );
}

fn serve(dir: &Path, watch: bool) -> Server {
    storefront_e2e::serve(env!("CARGO_BIN_EXE_storefront"), dir, watch)
}

fn get(addr: &str, host: &str, path: &str) -> (u16, String, String) {
    storefront_e2e::http(addr, "GET", host, path, None)
}

#[test]
fn serve_routes_by_host_and_preview_path() {
    let p = project(None);
    let server = serve(p.path(), false);
    let a = server.addr.as_str();

    let (status, head, body) = get(a, "toko.example", "/");
    assert_eq!(status, 200);
    assert!(body.contains("Toko Domain"));
    assert!(
        head.contains("content-security-policy: default-src 'self'"),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"));

    assert!(
        get(a, "www.toko.example:8080", "/prices/")
            .2
            .contains("<html lang=\"id\""),
        "port in Host is ignored"
    );
    assert!(
        get(a, "agen.localhost", "/").2.contains("Agen Web"),
        "<id>.localhost"
    );
    assert!(get(a, a, "/s/agen/").2.contains("Agen Web"), "preview path");
    assert_eq!(get(a, a, "/s/toko/en/prices/").0, 200);

    // API routes with their own path parameters, by host and by preview.
    for (host, path) in [
        ("toko.example", "/api/orders/some-order"),
        (a, "/s/toko/api/orders/some-order"),
        ("toko.example", "/api/panel/topups/some-topup/proof"),
    ] {
        let (status, _, body) = get(a, host, path);
        assert_eq!(status, 401, "{host}{path}: {body}");
        assert!(body.contains("\"error\":\"unauthorized\""), "{body}");
    }

    let (status, head, _) = get(a, a, "/s/toko/prices");
    assert_eq!(status, 308);
    assert!(head.contains("location: /s/toko/prices/"), "{head}");

    let (status, _, body) = get(a, a, "/s/toko/no/such/page");
    assert_eq!(status, 404);
    assert!(
        body.contains("<base href=\"/s/toko/\">"),
        "the 404 page links back into the preview"
    );
    let (status, _, body) = get(a, "toko.example", "/no/such/page");
    assert_eq!(status, 404);
    assert!(body.contains("<base href=\"/\">"));

    for evil in [
        "/../../etc/passwd",
        "/s/toko/../agen/",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/.storefront-build/index.json",
        "/s/toko/%2e%2e/%2e%2e/Cargo.toml",
    ] {
        let (status, _, body) = get(a, "toko.example", evil);
        assert_eq!(status, 404, "{evil}");
        assert!(
            !body.contains("root:") && !body.contains("[package]") && !body.contains("resellers"),
            "{evil}"
        );
    }

    let (status, _, body) = get(a, "unknown.example", "/prices/");
    assert_eq!(status, 404);
    assert!(body.contains("No storefront"));
    assert!(
        get(a, a, "/").2.contains("/s/toko/"),
        "the index lists storefronts"
    );

    let (status, head, body) = get(a, "toko.example", "/api/no-such-function");
    assert_eq!(status, 404);
    assert!(head.contains("application/json") && body.contains("\"error\""));
    // The API answers for the storefront the host (or preview path) names.
    let (status, _, body) = get(a, "toko.example", "/api/search?q=tokobudi.co.id");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"domain\":\"tokobudi.co.id\""));
    let (status, _, body) = get(a, a, "/s/agen/api/search?q=tokobudi&format=ndjson");
    assert_eq!(status, 200);
    assert!(
        body.lines()
            .next()
            .is_some_and(|l| l.contains("\"type\":\"query\""))
            && body.trim_end().ends_with("{\"type\":\"done\"}"),
        "{body}"
    );
}

#[test]
fn serve_rebuilds_when_content_changes() {
    let p = project(None);
    let server = serve(p.path(), true);
    let page = p.path().join("content/resellers/toko/pages/syarat.md");
    let src = std::fs::read_to_string(&page).expect("read");
    std::fs::write(&page, src.replace("Harga sudah", "Edited: harga sudah")).expect("write");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if get(&server.addr, "toko.example", "/syarat/")
            .2
            .contains("Edited: harga")
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the change was not served within 20 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The default build leaves the AWS SDK out (the `aws` feature): asking it
/// for AWS fails with the way to get it, never a panic or a bare usage error.
#[cfg(not(feature = "aws"))]
#[test]
fn without_the_aws_feature_deploy_and_table_say_how_to_get_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let asks: [&[&str]; 5] = [
        &["deploy"],
        &["deploy", "--table", "t", "--bucket", "b"],
        &["tick", "--table", "t"],
        &["topups", "--table", "t", "list"],
        &["documents", "--table", "t", "list"],
    ];
    for args in asks {
        let out = storefront(dir.path(), args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("cargo run --release --features aws --bin storefront -- "),
            "{args:?}: {err}"
        );
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// The example content, in a project of its own.
fn examples() -> tempfile::TempDir {
    let p = tempfile::tempdir().expect("tempdir");
    let root = storefront_e2e::repo_root();
    for dir in ["content", "themes"] {
        copy_tree(&root.join(dir), &p.path().join(dir));
    }
    p
}

#[test]
fn content_exports_and_imports_byte_for_byte_and_builds_the_same_from_the_store() {
    let p = examples();
    let ids = [
        "gerbang",
        "northwind",
        "nusantara",
        "pixelforge",
        "sieciowo",
    ];
    for id in ids {
        let folder = format!("content/resellers/{id}");
        let out = storefront(p.path(), &["content", "import", id, &folder]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(
            text(&out.stdout).starts_with(&format!("{id}: published revision ")),
            "{}",
            text(&out.stdout)
        );
        assert!(
            !p.path().join(&folder).join(".storefront-revision").exists(),
            "a folder kept in git gets no marker"
        );
        let export = format!("exported/{id}");
        let out = storefront(p.path(), &["content", "export", id, &export]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let marker = std::fs::read_to_string(p.path().join(&export).join(".storefront-revision"))
            .expect("the export records its revision");
        assert!(
            text(&out.stdout).contains(marker.trim()),
            "{}",
            text(&out.stdout)
        );
        let mut exported = storefront_e2e::snapshot_tree(&p.path().join(&export));
        exported.retain(|(path, _)| path != ".storefront-revision");
        assert_eq!(
            exported,
            storefront_e2e::snapshot_tree(&p.path().join(&folder)),
            "{id} round-trips byte for byte"
        );
        let again = storefront(p.path(), &["content", "import", id, &export]);
        assert!(
            text(&again.stdout).contains("already published"),
            "{}",
            text(&again.stdout)
        );
    }
    let folder = storefront(p.path(), &["build", "--out", "from-folder", "--no-publish"]);
    assert!(folder.status.success(), "{}", text(&folder.stderr));
    let store = storefront(p.path(), &["build", "--from-store", "--out", "from-store"]);
    assert!(store.status.success(), "{}", text(&store.stderr));
    assert!(
        text(&store.stdout).starts_with("built 5 storefront(s)"),
        "{}",
        text(&store.stdout)
    );
    let a = storefront_e2e::snapshot_tree(&p.path().join("from-folder"));
    let b = storefront_e2e::snapshot_tree(&p.path().join("from-store"));
    assert_eq!(
        a.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        b.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>()
    );
    assert!(a == b, "the store's build is the folder's, byte for byte");
}

#[test]
fn a_stale_import_is_refused_and_names_who_published_since() {
    let p = examples();
    let imported = storefront(
        p.path(),
        &[
            "content",
            "import",
            "pixelforge",
            "content/resellers/pixelforge",
        ],
    );
    assert!(imported.status.success(), "{}", text(&imported.stderr));
    // Two people export the same revision; one imports an edit first.
    for who in ["ana", "ben"] {
        let out = storefront(p.path(), &["content", "export", "pixelforge", who]);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let edit = |who: &str, name: &str| {
        let site = p.path().join(who).join("site.toml");
        let s = std::fs::read_to_string(&site).unwrap();
        std::fs::write(
            &site,
            s.replacen(
                "name = \"Pixelforge Studio\"",
                &format!("name = \"{name}\""),
                1,
            ),
        )
        .unwrap();
    };
    edit("ana", "PixelForge by Ana");
    edit("ben", "PixelForge by Ben");
    let first = storefront(p.path(), &["content", "import", "pixelforge", "ana"]);
    assert!(first.status.success(), "{}", text(&first.stderr));
    let stale = storefront(p.path(), &["content", "import", "pixelforge", "ben"]);
    assert_eq!(stale.status.code(), Some(1));
    let err = text(&stale.stderr);
    assert!(err.contains("this folder was exported from "), "{err}");
    assert!(
        err.contains("export again and redo your changes there"),
        "{err}"
    );
    // Ana's import recorded its new base: her next edit goes in.
    edit("ana", "PixelForge by Ana, again");
    let next = storefront(p.path(), &["content", "import", "pixelforge", "ana"]);
    assert!(next.status.success(), "{}", text(&next.stderr));
}
