//! Times as the wire and the feeds write them.

/// Format milliseconds since the epoch as UTC RFC 3339 with millisecond precision.
pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}
