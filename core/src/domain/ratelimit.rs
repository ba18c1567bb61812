//! Fixed-window rate limits: "at most `max` per `window_secs`", counted per client in the
//! store so the count holds across Worker instances.

/// One limit, e.g. 5 comments per 60 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window_secs: u32,
}

impl RateLimit {
    /// The window containing `now_ms`: `(start_ms, end_ms)`.
    pub fn window(&self, now_ms: i64) -> (i64, i64) {
        let len = i64::from(self.window_secs.max(1)) * 1000;
        let start = now_ms - now_ms.rem_euclid(len);
        (start, start + len)
    }

    /// Whole seconds until the window containing `now_ms` ends (at least 1), for
    /// `Retry-After`.
    pub fn retry_after_secs(&self, now_ms: i64) -> u32 {
        let (_, end) = self.window(now_ms);
        u32::try_from((end - now_ms + 999) / 1000)
            .unwrap_or(u32::MAX)
            .max(1)
    }
}

/// Parse `"5/60,30/3600"` (count/seconds, comma-separated). Errors name the bad part.
pub fn parse_limits(spec: &str) -> Result<Vec<RateLimit>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (max, secs) = part
                .split_once('/')
                .ok_or_else(|| format!("{part:?}: expected count/seconds"))?;
            let max = max
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: bad count"))?;
            let window_secs: u32 = secs
                .trim()
                .parse()
                .map_err(|_| format!("{part:?}: bad seconds"))?;
            if window_secs == 0 {
                return Err(format!("{part:?}: window must be at least 1 second"));
            }
            Ok(RateLimit { max, window_secs })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_aligned_and_retry_after_counts_to_their_end() {
        let l = RateLimit {
            max: 5,
            window_secs: 60,
        };
        assert_eq!(l.window(125_000), (120_000, 180_000));
        assert_eq!(l.retry_after_secs(125_000), 55);
        assert_eq!(l.retry_after_secs(179_999), 1);
        assert_eq!(l.retry_after_secs(120_000), 60);
    }

    #[test]
    fn limit_specs_parse_and_reject_nonsense() {
        assert_eq!(
            parse_limits(crate::wire::defaults::COMMENT_LIMITS).unwrap(),
            vec![
                RateLimit {
                    max: 5,
                    window_secs: 60
                },
                RateLimit {
                    max: 30,
                    window_secs: 3600
                }
            ]
        );
        assert!(parse_limits("").unwrap().is_empty());
        assert!(parse_limits("5").is_err());
        assert!(parse_limits("5/0").is_err());
        assert!(parse_limits("x/60").is_err());
    }
}
