//! Whether a storefront's own domain reaches the platform's edge.
//!
//! A reseller points its domain's A record (and, when the edge has one, its
//! AAAA record) at the edge's public addresses; the edge then serves the
//! storefront under that name. This module judges what a resolver answered
//! for a domain against those addresses. It asks nothing itself: the back
//! office does the asking and shows the verdict.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The edge's public addresses: what resellers point their records at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edge {
    pub v4: Vec<Ipv4Addr>,
    pub v6: Vec<Ipv6Addr>,
}

/// Why a list of edge addresses was refused, naming what was typed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EdgeError {
    #[error("{0:?} is not an IP address such as 203.0.113.10")]
    NotAnAddress(String),
    #[error(
        "{0} is not a public address: resellers' records must point at one the internet reaches"
    )]
    NotPublic(IpAddr),
    #[error("the edge needs an IPv4 address for resellers' A records (an IPv6 one is optional)")]
    NoIpv4,
}

impl Edge {
    /// Addresses separated by commas or spaces, e.g. `203.0.113.10,
    /// 2001:db8::10`. Empty text is no edge (nothing to point at yet).
    pub fn parse(s: &str) -> Result<Edge, EdgeError> {
        let mut edge = Edge::default();
        for word in s.split([',', ' ']).map(str::trim).filter(|w| !w.is_empty()) {
            let ip: IpAddr = word
                .parse()
                .map_err(|_| EdgeError::NotAnAddress(word.to_string()))?;
            // A loopback or unspecified address can only be a typing
            // mistake: no reseller's visitor would ever reach it.
            if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
                return Err(EdgeError::NotPublic(ip));
            }
            match ip {
                IpAddr::V4(v4) if !edge.v4.contains(&v4) => edge.v4.push(v4),
                IpAddr::V6(v6) if !edge.v6.contains(&v6) => edge.v6.push(v6),
                _ => {}
            }
        }
        if edge.v4.is_empty() && !edge.v6.is_empty() {
            return Err(EdgeError::NoIpv4);
        }
        Ok(edge)
    }

    /// No address configured: there is nothing to tell resellers yet.
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty()
    }

    fn has(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => self.v4.contains(&v4),
            IpAddr::V6(v6) => self.v6.contains(&v6),
        }
    }
}

/// What the resolver said about one record type of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The addresses it answered with (after any CNAME it followed).
    Addresses(Vec<IpAddr>),
    /// No such record: the name does not exist, or has none of this type.
    NoRecord,
    /// No usable answer: a timeout, SERVFAIL, a refusal.
    Failed,
}

/// What a domain does now, as far as the resolver knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every address it has is the edge's, and it has an A record.
    PointsHere,
    /// Some of its records point elsewhere: these addresses, which are not
    /// the edge's (visitors sent there never reach the storefront).
    Elsewhere(Vec<IpAddr>),
    /// No A record yet.
    NoRecord,
    /// The resolver could not be asked, or did not say: try again.
    Unchecked,
}

/// Judge a domain by its A and AAAA answers. The A record decides whether
/// it can be checked at all; an AAAA answer that failed is left out (the
/// A record alone then decides), but an AAAA record pointing elsewhere
/// sends IPv6 visitors away, so it counts as pointing elsewhere.
pub fn judge(edge: &Edge, a: &Lookup, aaaa: &Lookup) -> Verdict {
    let a = match a {
        Lookup::Failed => return Verdict::Unchecked,
        Lookup::NoRecord => &[][..],
        Lookup::Addresses(found) => found.as_slice(),
    };
    let aaaa = match aaaa {
        Lookup::Addresses(found) => found.as_slice(),
        Lookup::NoRecord | Lookup::Failed => &[][..],
    };
    let mut elsewhere: Vec<IpAddr> = Vec::new();
    for ip in a.iter().chain(aaaa) {
        if !edge.has(*ip) && !elsewhere.contains(ip) {
            elsewhere.push(*ip);
        }
    }
    if !elsewhere.is_empty() {
        Verdict::Elsewhere(elsewhere)
    } else if a.is_empty() {
        Verdict::NoRecord
    } else {
        Verdict::PointsHere
    }
}

/// Whether `domain` is a storefront's own domain, which the reseller
/// points at the edge itself, rather than an address the platform gives
/// it: `<id>.localhost` locally, or a name under the platform's domain,
/// whose wildcard record the platform keeps.
pub fn is_own(domain: &str, platform_domain: &str) -> bool {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let platform = platform_domain.trim_matches('.').to_ascii_lowercase();
    let under = |parent: &str| domain == parent || domain.ends_with(&format!(".{parent}"));
    !(under("localhost") || (!platform.is_empty() && under(&platform)))
}

/// Addresses as a person reads them: `198.51.100.7, 2001:db8::7`.
pub struct Addresses<'a>(pub &'a [IpAddr]);

impl fmt::Display for Addresses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, ip) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{ip}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn edge() -> Edge {
        Edge::parse("203.0.113.10, 2001:db8::10").expect("an edge")
    }

    fn found(list: &[&str]) -> Lookup {
        Lookup::Addresses(list.iter().map(|s| ip(s)).collect())
    }

    #[test]
    fn an_a_record_at_the_edge_points_here() {
        let e = edge();
        assert_eq!(
            judge(&e, &found(&["203.0.113.10"]), &Lookup::NoRecord),
            Verdict::PointsHere
        );
        assert_eq!(
            judge(&e, &found(&["203.0.113.10"]), &found(&["2001:db8::10"])),
            Verdict::PointsHere
        );
        // An AAAA the resolver could not answer leaves the A to decide.
        assert_eq!(
            judge(&e, &found(&["203.0.113.10"]), &Lookup::Failed),
            Verdict::PointsHere
        );
    }

    #[test]
    fn a_record_elsewhere_is_named() {
        let e = edge();
        assert_eq!(
            judge(&e, &found(&["198.51.100.7"]), &Lookup::NoRecord),
            Verdict::Elsewhere(vec![ip("198.51.100.7")])
        );
        // Half the visitors sent elsewhere is not pointing here.
        assert_eq!(
            judge(
                &e,
                &found(&["203.0.113.10", "198.51.100.7"]),
                &Lookup::NoRecord
            ),
            Verdict::Elsewhere(vec![ip("198.51.100.7")])
        );
        // An old AAAA record sends IPv6 visitors away.
        assert_eq!(
            judge(&e, &found(&["203.0.113.10"]), &found(&["2001:db8::99"])),
            Verdict::Elsewhere(vec![ip("2001:db8::99")])
        );
        // An edge without IPv6: any AAAA record is elsewhere.
        let v4_only = Edge::parse("203.0.113.10").expect("an edge");
        assert_eq!(
            judge(
                &v4_only,
                &found(&["203.0.113.10"]),
                &found(&["2001:db8::10"])
            ),
            Verdict::Elsewhere(vec![ip("2001:db8::10")])
        );
    }

    #[test]
    fn no_a_record_and_no_answer() {
        let e = edge();
        assert_eq!(
            judge(&e, &Lookup::NoRecord, &Lookup::NoRecord),
            Verdict::NoRecord
        );
        assert_eq!(
            judge(&e, &Lookup::NoRecord, &found(&["2001:db8::10"])),
            Verdict::NoRecord,
            "IPv4 visitors still cannot reach it"
        );
        assert_eq!(
            judge(&e, &Lookup::Failed, &found(&["2001:db8::10"])),
            Verdict::Unchecked
        );
        assert_eq!(
            judge(&e, &Lookup::Failed, &Lookup::NoRecord),
            Verdict::Unchecked
        );
    }

    #[test]
    fn edge_addresses_are_parsed_and_checked() {
        assert_eq!(Edge::parse("").expect("none"), Edge::default());
        assert!(Edge::parse("  ").expect("none").is_empty());
        let e = Edge::parse("203.0.113.10 203.0.113.10,2001:db8::10").expect("an edge");
        assert_eq!(e.v4, vec!["203.0.113.10".parse::<Ipv4Addr>().unwrap()]);
        assert_eq!(e.v6, vec!["2001:db8::10".parse::<Ipv6Addr>().unwrap()]);
        assert_eq!(
            Edge::parse("203.0.113.300"),
            Err(EdgeError::NotAnAddress("203.0.113.300".into()))
        );
        assert_eq!(
            Edge::parse("127.0.0.1"),
            Err(EdgeError::NotPublic(ip("127.0.0.1")))
        );
        assert_eq!(Edge::parse("2001:db8::10"), Err(EdgeError::NoIpv4));
    }

    #[test]
    fn own_domains_are_not_the_platforms() {
        assert!(is_own("toko.example", "shops.platform.example"));
        assert!(is_own("www.toko.example", ""));
        assert!(!is_own("toko.localhost", ""));
        assert!(!is_own(
            "toko.shops.platform.example",
            "shops.platform.example"
        ));
        assert!(!is_own(
            "Toko.Shops.Platform.Example.",
            ".shops.platform.example"
        ));
        assert!(is_own(
            "notshops.platform.example",
            "shops.platform.example"
        ));
    }

    #[test]
    fn addresses_read_as_a_list() {
        let list = [ip("198.51.100.7"), ip("2001:db8::7")];
        assert_eq!(Addresses(&list).to_string(), "198.51.100.7, 2001:db8::7");
    }
}
