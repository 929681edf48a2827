//! The edge as it runs in production, on loopback: `storefront serve` is the
//! API, `storefront edge --internal-tls` writes the Caddyfile, and Debian's
//! `caddy` runs it. Over HTTPS (curl, trusting only the edge's own local
//! CA): a reseller's host gets its storefront and its API; a host that is
//! no storefront's gets no certificate at all.
//!
//! Needs `caddy` and `curl` on the PATH (`scripts/test` installs them).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use storefront_e2e::{Server, http, project};

const BIN: &str = env!("CARGO_BIN_EXE_storefront");

/// A `caddy run` process, killed on drop (also when the test panics).
struct Caddy {
    child: Child,
    log: PathBuf,
}

impl Drop for Caddy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Caddy {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Start caddy on `config` and wait until it listens on `port` and its local
/// CA's root certificate is written.
fn caddy(config: &Path, home: &Path, port: u16, root_ca: &Path) -> Caddy {
    let log = home.join("caddy.log");
    let child = Command::new("caddy")
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(config)
        // Caddy's own config and data folders, away from the user's.
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("run caddy: install it (Debian: apt-get install caddy; scripts/test does)");
    let mut caddy = Caddy { child, log };
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = caddy.child.try_wait() {
            panic!("caddy exited ({status}):\n{}", caddy.log());
        }
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() && root_ca.is_file() {
            return caddy;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "caddy did not listen on {port}:\n{}",
            caddy.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What curl got: its exit code, the response head (lowercase) and body.
struct Got {
    code: Option<i32>,
    head: String,
    body: String,
    stderr: String,
}

impl Got {
    fn status(&self) -> u16 {
        self.head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|c| c.parse().ok())
            .unwrap_or(0)
    }

    fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.head.lines().find_map(|l| {
            l.split_once(':')
                .filter(|(n, _)| n.trim() == name)
                .map(|(_, v)| v.trim())
        })
    }
}

/// `curl` to `url` with its host resolved to 127.0.0.1, trusting `ca` only
/// (or anything, with `insecure`), plus `extra` arguments.
fn curl(url: &str, host: &str, port: u16, ca: &Path, insecure: bool, extra: &[&str]) -> Got {
    let dir = tempfile::tempdir().expect("tempdir");
    let head = dir.path().join("head");
    let mut cmd = Command::new("curl");
    cmd.args(["--silent", "--show-error", "--max-time", "30"])
        .arg("--resolve")
        .arg(format!("{host}:{port}:127.0.0.1"))
        .arg("--dump-header")
        .arg(&head)
        .args(extra);
    if insecure {
        cmd.arg("--insecure");
    } else {
        cmd.arg("--cacert").arg(ca);
    }
    let out: Output = cmd.arg(url).output().expect("run curl");
    Got {
        code: out.status.code(),
        head: std::fs::read_to_string(&head)
            .unwrap_or_default()
            .to_ascii_lowercase(),
        body: text(&out.stdout),
        stderr: text(&out.stderr),
    }
}

#[test]
fn the_edge_serves_a_resellers_host_over_https_and_no_other_host() {
    // The fixture's storefronts: toko (toko.example, www.toko.example) and
    // agen (agen.example), built into public/ and served with the API.
    let p = project(None);
    let api: Server = storefront_e2e::serve(BIN, p.path(), false);
    let public = p.path().join("public");
    let toko_home = std::fs::read_to_string(public.join("toko/index.html")).expect("built");
    let agen_home = std::fs::read_to_string(public.join("agen/index.html")).expect("built");
    let toko_404 = std::fs::read_to_string(public.join("toko/404.html")).expect("built");
    assert_ne!(toko_home, agen_home);
    // A dotfile in a storefront's folder is never served (as `serve` refuses them).
    std::fs::write(public.join("toko/.secret"), "not for visitors").expect("write");

    let home = tempfile::tempdir().expect("tempdir");
    let storage = home.path().join("storage");
    let (https, http_port) = (free_port(), free_port());
    let caddyfile = home.path().join("Caddyfile");
    let out = Command::new(BIN)
        .arg("-C")
        .arg(p.path())
        .args([
            "edge",
            "--internal-tls",
            "--bind",
            "127.0.0.1",
            "--admin",
            "off",
        ])
        .arg("--api")
        .arg(format!("http://{}", api.addr))
        .args(["--root", "public"])
        .arg("--out")
        .arg(&caddyfile)
        .arg("--storage")
        .arg(&storage)
        .args(["--https-port", &https.to_string()])
        .args(["--http-port", &http_port.to_string()])
        .env("STOREFRONT_TODAY", "2026-11-22")
        .output()
        .expect("run storefront edge");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let config = std::fs::read_to_string(&caddyfile).expect("written");
    for line in [
        "\t\ttoko.example toko\n",
        "\t\twww.toko.example toko\n",
        "\t\tagen.example agen\n",
        &format!("\t\task http://{}/api/edge/ask\n", api.addr),
    ] {
        assert!(config.contains(line), "{line:?} in\n{config}");
    }

    let ca = storage.join("pki/authorities/local/root.crt");
    let caddy = caddy(&caddyfile, home.path(), https, &ca);
    let get = |host: &str, path: &str| {
        curl(
            &format!("https://{host}:{https}{path}"),
            host,
            https,
            &ca,
            false,
            &[],
        )
    };

    // A reseller's host: a certificate the edge's CA vouches for, and the
    // storefront's own home page, byte for byte, with serve's headers.
    let home_page = get("toko.example", "/");
    assert_eq!(
        home_page.code,
        Some(0),
        "{}\n{}",
        home_page.stderr,
        caddy.log()
    );
    assert_eq!(home_page.status(), 200, "{}", home_page.head);
    assert!(home_page.body.contains("Toko Domain"), "{}", home_page.body);
    assert_eq!(home_page.body, toko_home);
    let (_, serve_head, _) = http(&api.addr, "GET", "toko.example", "/", None);
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
    ] {
        let served = serve_head.lines().find_map(|l| {
            l.strip_prefix(&format!("{name}:"))
                .map(|v| v.trim().to_string())
        });
        assert!(served.is_some(), "serve sends {name}");
        assert_eq!(
            home_page.header(name).map(String::from),
            served,
            "{name} as serve sends it"
        );
    }
    // Its other hosts, and the other storefront on its own host.
    assert_eq!(get("www.toko.example", "/").body, toko_home);
    let agen = get("agen.example", "/");
    assert_eq!(agen.status(), 200, "{}", agen.stderr);
    assert_eq!(agen.body, agen_home);
    // The storefront's own 404 page, with the same headers; no dotfiles.
    for path in ["/no-such-page/", "/.secret"] {
        let missing = get("toko.example", path);
        assert_eq!(missing.status(), 404, "{path}: {}", missing.head);
        assert_eq!(missing.body, toko_404, "{path}");
        assert!(
            missing.header("content-security-policy").is_some(),
            "{}",
            missing.head
        );
    }

    // /api/* reaches the API, which picks the storefront by the Host header:
    // the same answer as asking the API directly on that host.
    for host in ["toko.example", "agen.example"] {
        let through = get(host, "/api/search?q=budi");
        assert_eq!(through.status(), 200, "{host}: {}", through.body);
        let (status, _, direct) = http(&api.addr, "GET", host, "/api/search?q=budi", None);
        assert_eq!(status, 200);
        let through: serde_json::Value = serde_json::from_str(&through.body).expect("json");
        let direct: serde_json::Value = serde_json::from_str(&direct).expect("json");
        assert!(
            through["results"].as_array().is_some_and(|r| !r.is_empty()),
            "{through}"
        );
        assert_eq!(through, direct, "{host}");
    }
    let toko_search = get("toko.example", "/api/search?q=budi").body;
    let agen_search = get("agen.example", "/api/search?q=budi").body;
    assert_ne!(toko_search, agen_search, "each host is its own storefront");

    // Plain HTTP is sent to HTTPS.
    let plain = curl(
        &format!("http://toko.example:{http_port}/prices/"),
        "toko.example",
        http_port,
        &ca,
        false,
        &[],
    );
    assert_eq!(plain.status(), 308, "{}", plain.head);
    assert!(
        plain
            .header("location")
            .is_some_and(|l| l.starts_with("https://toko.example")),
        "{}",
        plain.head
    );

    // A host that is no storefront's gets no certificate: the handshake
    // fails, even for a client that would accept any certificate. Had the
    // API said yes to every host, Caddy's local CA would have issued one.
    for host in ["other.example", "toko.example.evil.example", "localhost"] {
        let refused = curl(
            &format!("https://{host}:{https}/"),
            host,
            https,
            &ca,
            true,
            &[],
        );
        assert_eq!(
            refused.code,
            Some(35),
            "{host}: TLS handshake refused; got {} {}",
            refused.head,
            refused.stderr
        );
        assert_eq!(refused.status(), 0);
        assert!(!refused.body.contains("Toko"));
    }
    // The API said no to it (the edge asked).
    let (status, _, _) = http(
        &api.addr,
        "GET",
        "api.internal",
        "/api/edge/ask?domain=other.example",
        None,
    );
    assert_eq!(status, 404);
    // A certified name with another Host header gets nothing either: the
    // connection is closed without an answer.
    let smuggled = curl(
        &format!("https://toko.example:{https}/"),
        "toko.example",
        https,
        &ca,
        false,
        &["--header", "Host: other.example", "--http1.1"],
    );
    assert_ne!(smuggled.code, Some(0), "{}", smuggled.head);
    assert_eq!(smuggled.status(), 0, "{}", smuggled.head);
    assert!(smuggled.body.is_empty(), "{}", smuggled.body);

    drop(caddy);
    drop(api);
}

/// infra/edge/Caddyfile.example is what `storefront edge` writes for this
/// repository's content with production options, and Caddy reads it.
#[test]
fn the_example_caddyfile_is_current_and_caddy_reads_it() {
    let root = storefront_e2e::repo_root();
    let example = root.join("infra/edge/Caddyfile.example");
    let dir = tempfile::tempdir().expect("tempdir");
    let fresh = dir.path().join("Caddyfile");
    let args = [
        "edge",
        "--api",
        "https://abc123defg.execute-api.eu-central-1.amazonaws.com",
        "--root",
        "/srv/storefronts",
        "--email",
        "ops@platform.example",
    ];
    let out = Command::new(BIN)
        .arg("-C")
        .arg(&root)
        .args(args)
        .arg("--out")
        .arg(&fresh)
        .env("STOREFRONT_TODAY", "2026-11-22")
        .output()
        .expect("run storefront edge");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&fresh).expect("written"),
        std::fs::read_to_string(&example).expect("the example"),
        "infra/edge/Caddyfile.example is stale: run `storefront {} --out infra/edge/Caddyfile.example`",
        args.join(" ")
    );
    let adapted = Command::new("caddy")
        .args(["adapt", "--adapter", "caddyfile", "--config"])
        .arg(&example)
        .env("HOME", dir.path())
        .output()
        .expect("run caddy: install it (Debian: apt-get install caddy; scripts/test does)");
    assert!(adapted.status.success(), "{}", text(&adapted.stderr));
    // No warning but one: Caddy calls X-Forwarded-Host "unnecessary", but
    // its own value keeps the port the visitor's Host header may carry.
    for line in text(&adapted.stderr).lines() {
        assert!(
            !line.contains("\"warn\"") || line.contains("Unnecessary header_up X-Forwarded-Host"),
            "{line}"
        );
    }
    let json: serde_json::Value = serde_json::from_slice(&adapted.stdout).expect("json");
    let tls = &json["apps"]["tls"]["automation"];
    assert_eq!(
        tls["on_demand"]["ask"],
        "https://abc123defg.execute-api.eu-central-1.amazonaws.com/api/edge/ask"
    );
    assert_eq!(tls["policies"][0]["on_demand"], true);
}
