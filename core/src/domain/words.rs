//! Counts in words, for every message that says how many ("1 comment", "2 replies"): the
//! console, the importer's summary and the command line say them the same way.

/// `n` with the noun in the number it takes: `count(1, "reply", "replies")` is "1 reply".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The same for a noun whose plural adds an "s".
pub fn count_s(n: usize, one: &str) -> String {
    count(n, one, &format!("{one}s"))
}

/// A wait in words, rounded up: "30 seconds", "11 minutes", "2 hours".
pub fn wait(secs: u32) -> String {
    let (n, unit) = match secs {
        0..=59 => (secs.max(1), "second"),
        60..=3599 => (secs.div_ceil(60), "minute"),
        _ => (secs.div_ceil(3600), "hour"),
    };
    count_s(n as usize, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_every_other_number_plural() {
        assert_eq!(count(1, "reply", "replies"), "1 reply");
        assert_eq!(count(0, "reply", "replies"), "0 replies");
        assert_eq!(count(2, "reply", "replies"), "2 replies");
        assert_eq!(count_s(1, "thread"), "1 thread");
        assert_eq!(count_s(11, "thread"), "11 threads");
    }

    #[test]
    fn waits_are_said_in_the_largest_unit_rounded_up() {
        assert_eq!(wait(0), "1 second");
        assert_eq!(wait(1), "1 second");
        assert_eq!(wait(59), "59 seconds");
        assert_eq!(wait(60), "1 minute");
        assert_eq!(wait(61), "2 minutes");
        assert_eq!(wait(619), "11 minutes");
        assert_eq!(wait(3599), "60 minutes");
        assert_eq!(wait(3600), "1 hour");
        assert_eq!(wait(7201), "3 hours");
    }
}
