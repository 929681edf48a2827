//! Availability over RDAP (RFC 9224 bootstrap, RFC 9083 responses).
