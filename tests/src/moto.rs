//! A local DynamoDB and S3 (moto's server) that a test starts on a free
//! port of 127.0.0.1 and that stops with it.
//!
//! The server is `tests/moto/serve.py` run by the project's Python venv
//! (`scripts/test` creates `.venv` with moto in it). `STOREFRONT_PYTHON`
//! names another interpreter that has moto installed.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};

#[derive(Debug)]
pub struct Moto {
    child: Child,
    /// Held open: the server exits when it closes, even if this process
    /// dies without running `Drop`.
    _stdin: ChildStdin,
    pub port: u16,
}

fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("STOREFRONT_PYTHON") {
        return PathBuf::from(p);
    }
    crate::repo_root().join(".venv/bin/python")
}

impl Moto {
    /// Start a server and wait until it listens. Panics with what to do if
    /// moto is not installed.
    pub fn start() -> Moto {
        let python = python();
        let script = crate::repo_root().join("tests/moto/serve.py");
        let mut child = Command::new(&python)
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "could not start {} (moto's server for the AWS tests): {e}. \
                     Run scripts/test once, or: python3 -m venv .venv && \
                     .venv/bin/pip install 'moto[server]'",
                    python.display()
                )
            });
        let stdin = child.stdin.take().expect("piped stdin");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("reading moto's port");
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            let status = child.try_wait().ok().flatten();
            panic!(
                "moto's server did not start ({status:?}); is moto installed in {}? \
                 Run scripts/test once, or: .venv/bin/pip install 'moto[server]'",
                python.display()
            )
        });
        Moto {
            child,
            _stdin: stdin,
            port,
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
