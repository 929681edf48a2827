//! Asking whether a storefront's own domains point at the edge: one A and
//! one AAAA query per domain, over UDP, to exactly the configured resolver
//! — no system configuration, and no cache, so "Check again" asks again
//! and sees a record the reseller has just changed (as far as that
//! resolver has). Every question has a short timeout: a resolver that does
//! not answer makes a line on the page, never a slow or failed page. What
//! the answers mean is core's (`own_domain::judge`).

use futures_util::future::join_all;
use hickory_net::client::{Client, ClientHandle};
use hickory_net::proto::op::ResponseCode;
use hickory_net::proto::rr::{DNSClass, Name, RData, RecordType};
use hickory_net::runtime::TokioRuntimeProvider;
use hickory_net::udp::UdpClientStream;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use storefront_core::own_domain::{Edge, EdgeError, Lookup, Verdict, judge};

/// The resolver asked when none is configured: Cloudflare's public one,
/// which sees a domain as the storefront's visitors do (not as this
/// machine's own configuration may).
pub const DEFAULT_RESOLVER: &str = "1.1.1.1:53";

/// How long one question may take, retries included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// What the own-domain check needs: the edge's addresses, the resolver
/// to ask and how long to wait for it.
#[derive(Debug, Clone)]
pub struct OwnDomainCheck {
    pub edge: Edge,
    pub resolver: SocketAddr,
    pub timeout: Duration,
}

/// A setting that cannot be used, naming it.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    // Not a `source`: the reason is the message, said once.
    #[error("the edge's addresses: {0}")]
    Edge(EdgeError),
    #[error("the resolver {0:?} is not an address such as 1.1.1.1:53 or 1.1.1.1")]
    Resolver(String),
}

impl Default for OwnDomainCheck {
    fn default() -> OwnDomainCheck {
        OwnDomainCheck {
            edge: Edge::default(),
            resolver: DEFAULT_RESOLVER.parse().expect("a socket address"),
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl OwnDomainCheck {
    /// From the settings as typed (flags or environment): the edge's
    /// addresses (`203.0.113.10, 2001:db8::10`; none or empty: not
    /// configured) and the resolver (`ip:port`, or an IP for port 53;
    /// none or empty: [`DEFAULT_RESOLVER`]).
    pub fn from_settings(
        edge: Option<&str>,
        resolver: Option<&str>,
    ) -> Result<OwnDomainCheck, SettingError> {
        let edge = Edge::parse(edge.unwrap_or_default()).map_err(SettingError::Edge)?;
        let resolver = match resolver.map(str::trim).filter(|r| !r.is_empty()) {
            None => DEFAULT_RESOLVER,
            Some(r) => r,
        };
        let resolver = resolver
            .parse::<SocketAddr>()
            .or_else(|_| resolver.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
            .map_err(|_| SettingError::Resolver(resolver.to_string()))?;
        Ok(OwnDomainCheck {
            edge,
            resolver,
            ..OwnDomainCheck::default()
        })
    }

    /// Wait at most `timeout` for each question.
    pub fn with_timeout(mut self, timeout: Duration) -> OwnDomainCheck {
        self.timeout = timeout;
        self
    }

    /// Each domain's verdict, in order, asked all at once.
    pub async fn check(&self, domains: &[String]) -> Vec<Verdict> {
        if domains.is_empty() {
            return Vec::new();
        }
        let stream = UdpClientStream::builder(self.resolver, TokioRuntimeProvider::default())
            .with_timeout(Some(self.timeout))
            .build();
        let (client, background) = Client::<TokioRuntimeProvider>::from_sender(stream);
        let background = tokio::spawn(background);
        let verdicts = join_all(domains.iter().map(|d| async {
            let (a, aaaa) = tokio::join!(
                self.lookup(&client, d, RecordType::A),
                self.lookup(&client, d, RecordType::AAAA),
            );
            judge(&self.edge, &a, &aaaa)
        }))
        .await;
        // The exchange's task ends with its last client; this one is done.
        drop(client);
        background.abort();
        verdicts
    }

    async fn lookup(
        &self,
        client: &Client<TokioRuntimeProvider>,
        domain: &str,
        kind: RecordType,
    ) -> Lookup {
        // Asked as a full name (trailing dot): never completed with a
        // search domain.
        let Ok(name) = Name::from_ascii(format!("{}.", domain.trim_end_matches('.'))) else {
            return Lookup::Failed;
        };
        let mut client = client.clone();
        // The stream's own timeout covers each try; this one bounds them all.
        let asked =
            tokio::time::timeout(self.timeout, client.query(name, DNSClass::IN, kind)).await;
        let Ok(Ok(response)) = asked else {
            return Lookup::Failed;
        };
        match response.metadata.response_code {
            ResponseCode::NoError => {
                let found: Vec<IpAddr> = response
                    .answers
                    .iter()
                    .filter_map(|r| match &r.data {
                        RData::A(a) => Some(IpAddr::V4(a.0)),
                        RData::AAAA(a) => Some(IpAddr::V6(a.0)),
                        _ => None,
                    })
                    .collect();
                if found.is_empty() {
                    Lookup::NoRecord
                } else {
                    Lookup::Addresses(found)
                }
            }
            ResponseCode::NXDomain => Lookup::NoRecord,
            _ => Lookup::Failed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_or_refused_by_name() {
        let none = OwnDomainCheck::from_settings(None, None).expect("defaults");
        assert!(none.edge.is_empty());
        assert_eq!(none.resolver.to_string(), DEFAULT_RESOLVER);
        let set = OwnDomainCheck::from_settings(Some("203.0.113.10"), Some(" 127.0.0.1:5353 "))
            .expect("set");
        assert_eq!(set.edge.v4.len(), 1);
        assert_eq!(set.resolver.to_string(), "127.0.0.1:5353");
        let port_53 = OwnDomainCheck::from_settings(Some(""), Some("9.9.9.9")).expect("an IP");
        assert_eq!(port_53.resolver.to_string(), "9.9.9.9:53");
        assert_eq!(
            OwnDomainCheck::from_settings(None, Some("dns.example:53"))
                .expect_err("a name")
                .to_string(),
            "the resolver \"dns.example:53\" is not an address such as 1.1.1.1:53 or 1.1.1.1"
        );
        assert_eq!(
            OwnDomainCheck::from_settings(Some("edge.example"), None)
                .expect_err("a name")
                .to_string(),
            "the edge's addresses: \"edge.example\" is not an IP address such as 203.0.113.10"
        );
    }
}
