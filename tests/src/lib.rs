//! Helpers shared by the end-to-end tests: fixture folders copied into a
//! temporary project, and builds as of a fixed day so output is stable.

pub mod moto;

use chrono::NaiveDate;
use std::fs;
use std::path::{Path, PathBuf};
use storefront_generator::{BuildOptions, Paths};

/// The day every test builds as of: promotions in the fixtures are active on it.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("valid date")
}

/// The instant every test builds at: noon UTC of `today()`, the same day in
/// every time zone a storefront may keep.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    today().and_hms_opt(12, 0, 0).expect("noon").and_utc()
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Copy every file under `from` into `to`, replacing what is there.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
        } else {
            fs::copy(entry.path(), &dest).expect("copy fixture file");
        }
    }
}

/// A temporary project: the valid fixture, with `overlay` (a folder under
/// fixtures/invalid/) copied over it when given.
pub fn project(overlay: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_tree(&fixtures().join("valid"), dir.path());
    if let Some(case) = overlay {
        copy_tree(&fixtures().join("invalid").join(case), dir.path());
        let _ = fs::remove_file(dir.path().join("expect.txt"));
    }
    dir
}

/// Make `storefront` the fixture project's platform storefront, where
/// resellers register: `platform.toml` names it, the plan `idr` asks an
/// initial deposit of IDR 2,000,000, and the catalogue asks a person for
/// a KTP and a company for a KTP and its NPWP card.
pub fn as_platform(project: &Path, storefront: &str) {
    let dir = project.join("content/platform");
    let edit = |file: &str, f: &dyn Fn(String) -> String| {
        let path = dir.join(file);
        let s = fs::read_to_string(&path).expect("fixture");
        fs::write(&path, f(s)).expect("write");
    };
    edit("platform.toml", &|s| {
        s.replacen(
            "country = \"ID\"",
            &format!("country = \"ID\"\nstorefront = \"{storefront}\""),
            1,
        )
    });
    edit("plans.toml", &|s| {
        s.replacen(
            "currency = \"IDR\"",
            "currency = \"IDR\"\ndeposit = \"2000000\"",
            1,
        )
    });
    edit("catalogue.toml", &|s| {
        format!(
            "[registration]\npersonal = [\"ktp\"]\ncompany = [\"ktp\", \"npwp\"]\n\n[documents.npwp]\nlabel = {{ en = \"Tax card (NPWP)\" }}\nkind = \"file\"\naccept = [\"pdf\"]\nmax_size_kb = 1024\n\n{s}"
        )
    });
}

pub fn options(project: &Path, out: &Path) -> BuildOptions {
    BuildOptions {
        paths: Paths::under(project),
        out: out.to_path_buf(),
        only: None,
        now: now(),
        progress: false,
    }
}

/// Diagnostics as the CLI prints them, with the temporary folder removed so
/// they read `content/resellers/x/site.toml:12: ...`.
pub fn check_output(project: &Path) -> Result<String, String> {
    match storefront_generator::check(&Paths::under(project), now()) {
        Ok(_) => Ok(String::new()),
        Err(d) => {
            let prefix = format!("{}/", project.display());
            Err(d.to_string().replace(&prefix, ""))
        }
    }
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub fn snapshot_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .expect("inside")
                    .to_string_lossy()
                    .into_owned(),
                fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    out.sort();
    out
}

/// A `storefront serve` process on a free port of 127.0.0.1, killed on drop.
pub struct Server {
    child: std::process::Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `bin serve` for the project in `dir` and wait until it listens.
pub fn serve(bin: &str, dir: &Path, watch: bool) -> Server {
    use std::io::BufRead;
    let mut cmd = std::process::Command::new(bin);
    cmd.arg("-C")
        .arg(dir)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("STOREFRONT_TODAY", "2026-11-22")
        .env("CI", "1");
    if !watch {
        cmd.arg("--no-watch");
    }
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("serve printed its address")
            .expect("read line");
        if let Some(rest) = line.split("on http://").nth(1) {
            break rest
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server { child, addr }
}

/// A raw HTTP/1.1 request, so the path reaches the server exactly as
/// written. Returns status, lowercased head and body.
pub fn http(
    addr: &str,
    method: &str,
    host: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .expect("timeout");
    let body = body.unwrap_or("");
    write!(s, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}", body.len()).expect("send");
    // Read the head, then exactly the body it announces: some servers keep
    // the connection open whatever the request says.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = s.read(&mut buf).expect("read");
        if n == 0 {
            break raw.len();
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let body_len = raw.len() - head_end;
        let complete = match length {
            Some(n) => body_len >= n,
            None if chunked => raw[head_end..].windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            break;
        }
        let n = s.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let body = if chunked { dechunk(&body) } else { body };
    (status, head.trim_end().to_string(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

pub mod webdriver;

/// The valid fixture's priced catalogues, as a build publishes them:
/// checked once per process.
pub fn fixture_snapshots() -> &'static [storefront_core::snapshot::Snapshot] {
    static SNAPSHOTS: std::sync::OnceLock<Vec<storefront_core::snapshot::Snapshot>> =
        std::sync::OnceLock::new();
    SNAPSHOTS.get_or_init(|| {
        let project = project(None);
        let checkout = storefront_generator::check(&Paths::under(project.path()), now())
            .expect("fixture checks");
        storefront_generator::snapshot::all(&checkout)
    })
}
