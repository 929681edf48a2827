//! Sending mail. One `Mail` shape, two ways out: `Outbox` writes each
//! message as an RFC 5322 `.eml` file into a folder (the local default: open
//! the file, follow the link), and `Smtp` hands it to a relay over TLS.

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The display name of the sender: the storefront's name.
    pub from_name: String,
    /// The sender's address (a platform address: resellers' domains do not
    /// authorise us to send as them).
    pub from: String,
    /// The recipient in ASCII form (IDN domains as `xn--`).
    pub to: String,
    /// Where answers go (the reseller's contact address), when not `from`.
    pub reply_to: Option<String>,
    pub subject: String,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("bad address {0:?}: {1}")]
    Address(String, String),
    #[error("cannot build the message: {0}")]
    Build(String),
    #[error("cannot write to the outbox: {0}")]
    Io(#[from] std::io::Error),
    #[error("smtp: {0}")]
    Smtp(String),
}

#[async_trait]
pub trait Mailer: Send + Sync + std::fmt::Debug {
    async fn send(&self, mail: Mail) -> Result<(), MailError>;
}

fn address(s: &str) -> Result<Address, MailError> {
    s.parse::<Address>()
        .map_err(|e| MailError::Address(s.to_string(), e.to_string()))
}

/// The message as lettre builds it, which picks the transfer encoding:
/// quoted-printable as soon as a line (a link) is longer than 76 characters.
fn message(mail: &Mail) -> Result<Message, MailError> {
    let from = Mailbox::new(Some(mail.from_name.clone()), address(&mail.from)?);
    let to = Mailbox::new(None, address(&mail.to)?);
    let mut builder = Message::builder().from(from).to(to);
    if let Some(r) = &mail.reply_to {
        builder = builder.reply_to(Mailbox::new(None, address(r)?));
    }
    builder
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.text.clone())
        .map_err(|e| MailError::Build(e.to_string()))
}

/// Messages as files in a folder, one `<millis>-<sequence>-<random>.eml` each.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Outbox {
        Outbox { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for Outbox {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let bytes = message(&mail)?.formatted();
        tokio::fs::create_dir_all(&self.dir).await?;
        // Sorted by name is sorted by sending, within a process at least.
        static SEQUENCE: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "{:013}-{:06}-{}",
            chrono::Utc::now().timestamp_millis(),
            SEQUENCE.fetch_add(1, Ordering::Relaxed) % 1_000_000,
            &super::secrets::new_id()
                .map_err(|e| MailError::Io(std::io::Error::other(e.to_string())))?[..8]
        );
        // Written aside and renamed, so a reader never sees half a message.
        let tmp = self.dir.join(format!(".{name}.tmp"));
        tokio::fs::write(&tmp, bytes).await?;
        tokio::fs::rename(&tmp, self.dir.join(format!("{name}.eml"))).await?;
        Ok(())
    }
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (port 465).
    Tls,
    /// Plain, then STARTTLS, which is required (port 587).
    StartTls,
    /// No TLS: only for a relay on the same machine or network.
    Plain,
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
}

impl SmtpConfig {
    /// How long one SMTP exchange may take before the mail counts as failed.
    pub const TIMEOUT: Duration = Duration::from_secs(10);

    /// The relay and the sender as deployed code is given them: `SMTP_URL`,
    /// an optional `SMTP_PASSWORD` (instead of one in the URL) and
    /// `MAIL_FROM`. Each error names its variable.
    pub fn from_vars(
        url: &str,
        password: Option<String>,
        from: &str,
    ) -> Result<(SmtpConfig, String), String> {
        let mut smtp = SmtpConfig::from_url(url.trim(), SmtpConfig::TIMEOUT)
            .map_err(|e| format!("SMTP_URL: {e}"))?;
        if let Some(p) = password.filter(|p| !p.is_empty()) {
            if smtp.username.is_none() {
                return Err("SMTP_PASSWORD is set but SMTP_URL names no user".into());
            }
            smtp.password = Some(p);
        }
        let from = from.trim();
        from.parse::<Address>()
            .map_err(|e| format!("MAIL_FROM {from:?} is not an address: {e}"))?;
        Ok((smtp, from.to_string()))
    }

    /// The relay from a URL: `smtps://` (TLS, 465), `smtp://` (STARTTLS
    /// required, 587) or `smtp+insecure://` (25), an optional
    /// percent-encoded `user[:password]@`, a host and an optional port.
    pub fn from_url(url: &str, timeout: Duration) -> Result<SmtpConfig, String> {
        let (scheme, rest) = url
            .split_once("://")
            .ok_or("expected smtps://, smtp:// or smtp+insecure://")?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "smtps" => (SmtpSecurity::Tls, 465),
            "smtp" => (SmtpSecurity::StartTls, 587),
            "smtp+insecure" => (SmtpSecurity::Plain, 25),
            other => {
                return Err(format!(
                    "unknown scheme {other:?}: expected smtps, smtp (STARTTLS) or smtp+insecure"
                ));
            }
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err("expected no path or query after the host".into());
        }
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (username, password) = match userinfo {
            None => (None, None),
            Some(u) => {
                let (user, pass) = match u.split_once(':') {
                    Some((user, pass)) => (user, Some(pass)),
                    None => (u, None),
                };
                if user.is_empty() {
                    return Err("empty user before '@'".into());
                }
                (
                    Some(percent_decode(user)?),
                    pass.map(percent_decode).transpose()?,
                )
            }
        };
        // `host`, `host:port`, `[v6]` or `[v6]:port`.
        let (host, port) = match hostport.strip_prefix('[') {
            Some(v6) => {
                let (h, after) = v6.split_once(']').ok_or("an unclosed '['")?;
                if h.parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(format!("bad IPv6 address {h:?}"));
                }
                (h, after.strip_prefix(':'))
            }
            None => match hostport.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (hostport, None),
            },
        };
        let port = match port {
            None => default_port,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or_else(|| format!("bad port {p:?}"))?,
        };
        if host.is_empty() || host.contains([' ', '@', '[', ']']) {
            return Err(format!("bad host {host:?}"));
        }
        Ok(SmtpConfig {
            host: host.to_string(),
            port,
            security,
            username,
            password,
            timeout,
        })
    }
}

fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a '%' not followed by two hex digits")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-encoding that is not UTF-8".to_string())
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

/// A relay reached with lettre over rustls (no OpenSSL).
#[derive(Clone)]
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    host: String,
}

impl std::fmt::Debug for Smtp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Smtp").field("host", &self.host).finish()
    }
}

impl Smtp {
    /// Builds the transport; nothing connects until the first message.
    pub fn new(config: &SmtpConfig) -> Result<Smtp, MailError> {
        let builder = match config.security {
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host),
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host)
            }
            SmtpSecurity::Plain => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                config.host.clone(),
            )),
        }
        .map_err(|e| MailError::Smtp(e.to_string()))?;
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let (Some(u), Some(p)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(u.clone(), p.clone()));
        }
        Ok(Smtp {
            transport: builder.build(),
            host: config.host.clone(),
        })
    }
}

#[async_trait]
impl Mailer for Smtp {
    async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let m = message(&mail)?;
        self.transport
            .send(m)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Smtp(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(10);

    fn mail() -> Mail {
        Mail {
            from_name: "Sklep Żółw".into(),
            from: "no-reply@example.com".into(),
            to: "budi@xn--bcher-kva.example".into(),
            reply_to: Some("biuro@sklep.example".into()),
            subject: "Potwierdź adres e-mail – Sklep Żółw".into(),
            text: "Dzień dobry,\n\nhttps://toko.example/account/?verify=abc\n".into(),
        }
    }

    #[test]
    fn messages_are_rfc5322_with_the_storefront_as_sender() {
        let text = String::from_utf8(message(&mail()).expect("build").formatted()).expect("ascii");
        assert!(text.contains("From: =?utf-8?"), "{text}");
        assert!(text.contains("<no-reply@example.com>"));
        assert!(text.contains("To: budi@xn--bcher-kva.example"));
        assert!(text.contains("Reply-To: biuro@sklep.example\r\n"), "{text}");
        assert!(text.contains("Content-Transfer-Encoding: quoted-printable"));
        assert!(text.contains("https://toko.example/account/?verify=3Dabc"));
        assert!(text.contains("Date: "));
    }

    #[test]
    fn bad_addresses_are_errors_not_panics() {
        let mut m = mail();
        m.to = "not an address".into();
        assert!(matches!(message(&m), Err(MailError::Address(..))));
    }

    #[test]
    fn smtp_urls() {
        let c =
            SmtpConfig::from_url("smtps://mailer:p%40ss%3Aword@smtp.example.com", T).expect("url");
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("smtp.example.com", 465, SmtpSecurity::Tls)
        );
        assert_eq!(c.username.as_deref(), Some("mailer"));
        assert_eq!(c.password.as_deref(), Some("p@ss:word"));
        let c = SmtpConfig::from_url("smtp://relay.example:2525", T).expect("url");
        assert_eq!(
            (c.host.as_str(), c.port, c.security),
            ("relay.example", 2525, SmtpSecurity::StartTls)
        );
        assert_eq!((c.username, c.password), (None, None));
        let c = SmtpConfig::from_url("smtp+insecure://10.0.0.5", T).expect("url");
        assert_eq!((c.port, c.security), (25, SmtpSecurity::Plain));
        let c = SmtpConfig::from_url("smtp://[::1]:26", T).expect("url");
        assert_eq!((c.host.as_str(), c.port), ("::1", 26));
        for bad in [
            "relay.example",
            "http://relay.example",
            "smtp://",
            "smtp://relay.example:0",
            "smtp://relay.example:smtp",
            "smtp://relay.example/path",
            "smtp://@relay.example",
            "smtp://user:%zz@relay.example",
        ] {
            assert!(SmtpConfig::from_url(bad, T).is_err(), "{bad}");
        }
    }
}
