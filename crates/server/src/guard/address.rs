//! Who the client is: the socket's peer, or — only when that peer is a trusted proxy — the
//! address the proxy names in `X-Forwarded-For`. An untrusted client writing the header itself
//! changes nothing.

use std::net::{IpAddr, SocketAddr};

/// The client's address, given the connection's `peer` and the request's `X-Forwarded-For`
/// values. Proxies append to the header, so it is read from the right: the first address that is
/// not a trusted proxy is the client.
pub fn client_address<'a>(
    peer: SocketAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted_proxies: &[IpAddr],
) -> IpAddr {
    let peer = peer.ip().to_canonical();
    if !trusted_proxies.contains(&peer) {
        return peer;
    }
    let hops: Vec<IpAddr> = forwarded_for
        .flat_map(|value| value.split(','))
        .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
        .map(|hop| hop.to_canonical())
        .collect();
    hops.iter()
        .rev()
        .find(|hop| !trusted_proxies.contains(hop))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let proxy: SocketAddr = "10.0.0.2:40000".parse().unwrap();
        let trusted = [ip("10.0.0.2")];
        // A client cannot claim another address by writing the header itself.
        assert_eq!(
            client_address(
                "203.0.113.7:5000".parse().unwrap(),
                ["1.2.3.4"].into_iter(),
                &trusted
            ),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(proxy, ["198.51.100.9"].into_iter(), &trusted),
            ip("198.51.100.9")
        );
        // What the client wrote comes first; the proxy appends the address it saw.
        assert_eq!(
            client_address(proxy, ["1.2.3.4, 198.51.100.9"].into_iter(), &trusted),
            ip("198.51.100.9")
        );
        // Without the header, the proxy itself is the client.
        assert_eq!(
            client_address(proxy, std::iter::empty(), &trusted),
            ip("10.0.0.2")
        );
        // IPv4 reaching an IPv6 socket is the same address.
        assert_eq!(
            client_address(
                "[::ffff:10.0.0.2]:1".parse().unwrap(),
                ["198.51.100.9"].into_iter(),
                &trusted
            ),
            ip("198.51.100.9")
        );
    }
}
