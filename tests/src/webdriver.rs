//! Just enough of the W3C WebDriver protocol to drive Debian's Chromium
//! through chromedriver: open a page, run a script, read the result. The
//! test command installs both (`scripts/test`); a browser cannot download
//! itself on these machines.

use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn call(port: u16, method: &str, path: &str, body: Option<Value>) -> Value {
    let body = body.map(|b| b.to_string());
    let (status, _, text) = crate::http(
        &format!("127.0.0.1:{port}"),
        method,
        &format!("127.0.0.1:{port}"),
        path,
        body.as_deref(),
    );
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(
        status < 400,
        "webdriver {method} {path} -> {status}: {text}"
    );
    v["value"].clone()
}

impl Browser {
    /// Start chromedriver and a headless Chromium session.
    pub fn start() -> Browser {
        let driver_bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver_bin) = driver_bin else {
            panic!(
                "chromedriver is not installed: run ./scripts/test, which installs Debian's chromium and chromium-driver"
            );
        };
        let port = free_port();
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1200,900",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", profile.path().display())])
        .collect::<Vec<_>>();
        let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}});
        let v = call(port, "POST", "/session", Some(caps));
        let session = v["sessionId"].as_str().expect("session id").to_string();
        Browser {
            driver,
            port,
            session,
            _profile: profile,
        }
    }

    pub fn goto(&self, url: &str) {
        call(
            self.port,
            "POST",
            &format!("/session/{}/url", self.session),
            Some(json!({"url": url})),
        );
    }

    /// Run `script` (a function body; `return` a value) in the page.
    pub fn eval(&self, script: &str) -> Value {
        call(
            self.port,
            "POST",
            &format!("/session/{}/execute/sync", self.session),
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Resize the window (the viewport of a headless browser), e.g. to a
    /// phone's 360 px width.
    pub fn set_window_size(&self, width: u32, height: u32) {
        call(
            self.port,
            "POST",
            &format!("/session/{}/window/rect", self.session),
            Some(json!({"width": width, "height": height})),
        );
    }

    /// Run `script` until it returns something truthy, or panic after `timeout`.
    pub fn wait_for(&self, script: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.eval(script);
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!([])) {
                return v;
            }
            assert!(Instant::now() < deadline, "timed out waiting for: {script}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = crate::http(
            &format!("127.0.0.1:{}", self.port),
            "DELETE",
            "127.0.0.1",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
