//! Who is asking, as far as abuse limits care: an IPv4 address, or an IPv6 /64 — one
//! subscriber's whole network, since a home or a phone gets a /64 and can rotate through
//! it at will. A /56 (what many providers hand one customer) gets a wider budget of its own.

use std::net::{IpAddr, Ipv6Addr};

/// How many times the per-client limits a whole IPv6 /56 may use.
pub const WIDE_BUDGET: u32 = 4;

/// The rate-limit identities of one request's client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientKeys {
    /// IPv4 address or IPv6 /64 (`6:2001:db8:1:2::/64`): the client for limits, likes and
    /// form tokens.
    pub client: String,
    /// The IPv6 /56 around it, counted against [`WIDE_BUDGET`] times the limits.
    pub network: Option<String>,
}

impl ClientKeys {
    /// From `CF-Connecting-IP`. Anything that is not an address (only possible off
    /// Cloudflare) is its own client, as given.
    pub fn from_ip(ip: &str) -> ClientKeys {
        match ip.trim().parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => ClientKeys {
                client: format!("4:{v4}"),
                network: None,
            },
            Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKeys::from_ip(&v4.to_string()),
                None => ClientKeys {
                    client: format!("6:{}/64", prefix(v6, 64)),
                    network: Some(format!("6:{}/56", prefix(v6, 56))),
                },
            },
            Err(_) => ClientKeys {
                client: format!("?:{}", ip.trim()),
                network: None,
            },
        }
    }
}

/// The first `bits` of an address, the rest zeroed.
fn prefix(addr: Ipv6Addr, bits: u32) -> Ipv6Addr {
    let mask = u128::MAX << (128 - bits);
    Ipv6Addr::from(u128::from(addr) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_ipv6_subscriber_network_is_one_client() {
        let a = ClientKeys::from_ip("2001:db8:1:2::2");
        let b = ClientKeys::from_ip("2001:db8:1:2:ffff:ffff:ffff:3");
        assert_eq!(a, b);
        assert_eq!(a.client, "6:2001:db8:1:2::/64");
        let next_64 = ClientKeys::from_ip("2001:db8:1:3::2");
        assert_ne!(next_64.client, a.client);
        assert_eq!(next_64.network, a.network, "the same /56");
        assert_eq!(a.network.as_deref(), Some("6:2001:db8:1::/56"));
    }

    #[test]
    fn ipv4_and_mapped_addresses_are_the_address_itself() {
        let v4 = ClientKeys::from_ip(" 203.0.113.9 ");
        assert_eq!(v4.client, "4:203.0.113.9");
        assert_eq!(v4.network, None);
        assert_eq!(ClientKeys::from_ip("::ffff:203.0.113.9"), v4);
        assert_ne!(ClientKeys::from_ip("203.0.113.10"), v4);
        assert_eq!(ClientKeys::from_ip("unknown").client, "?:unknown");
    }
}
