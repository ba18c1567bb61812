//! Reading from D1's read replicas without losing one's own writes. D1's Sessions API
//! starts a request's queries at a constraint (`first-primary`, `first-unconstrained`) or
//! at a *bookmark* — a point in the database's history the replica serving the session
//! must have reached. Colloquy keeps, beside each thread's page version in KV, the bookmark
//! of the write that made it: a reader whose page names that version reads from a
//! replica that holds that write (their own comment right after posting, the owner's
//! moderation right after deciding), while readers of unchanged threads read from the
//! nearest replica. The console reads and writes at the primary: its traffic is small
//! and the owner must see every decision at once.

/// Start at the primary (writes, and everything the console does).
pub const FIRST_PRIMARY: &str = "first-primary";
/// Start at whichever replica is nearest (reads with nothing to wait for).
pub const FIRST_UNCONSTRAINED: &str = "first-unconstrained";

/// Where a request's D1 session starts, before any bookmark is known.
pub fn session_start(writes: bool, console: bool) -> &'static str {
    if writes || console {
        FIRST_PRIMARY
    } else {
        FIRST_UNCONSTRAINED
    }
}

/// A thread's page version as KV keeps it: the stamp that names its cached pages, and
/// the bookmark of the write that set it (absent before this existed, and where the
/// runtime gives none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub stamp: String,
    pub bookmark: Option<String>,
}

impl Version {
    /// `stamp` or `stamp bookmark` (bookmarks have no spaces).
    pub fn parse(kv: &str) -> Version {
        let mut parts = kv.trim().splitn(2, ' ');
        let stamp = parts.next().unwrap_or_default();
        Version {
            stamp: if stamp.is_empty() { "0" } else { stamp }.to_owned(),
            bookmark: parts
                .next()
                .map(str::trim)
                .filter(|b| !b.is_empty() && !b.contains(' '))
                .map(str::to_owned),
        }
    }

    pub fn to_kv(&self) -> String {
        match &self.bookmark {
            Some(b) => format!("{} {b}", self.stamp),
            None => self.stamp.clone(),
        }
    }
}

/// A bookmark as kept beside a page version: with the database it belongs to
/// (`DB1:…`). A site that moved reads from another database, whose history an old
/// bookmark is not part of.
pub fn tag(shard: &str, bookmark: &str) -> String {
    format!("{shard}:{bookmark}")
}

/// The bookmark in `kept` if it is one of `shard`'s (one kept before shards existed is
/// the first database's).
pub fn of_shard<'a>(kept: &'a str, shard: &str) -> Option<&'a str> {
    match kept.split_once(':') {
        Some((of, bookmark)) => (of == shard).then_some(bookmark),
        None => (shard == crate::wire::sites::FIRST_SHARD).then_some(kept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn a_bookmark_is_used_only_in_the_database_it_came_from() {
        let kept = tag("DB1", "0000-00af-01");
        assert_eq!(of_shard(&kept, "DB1"), Some("0000-00af-01"));
        assert_eq!(of_shard(&kept, "DB"), None);
        assert_eq!(of_shard(&kept, "DB2"), None);
        // Kept before shards: the first database's.
        assert_eq!(of_shard("0000-00af-01", "DB"), Some("0000-00af-01"));
        assert_eq!(of_shard("0000-00af-01", "DB1"), None);
        // Through KV's text and back.
        let v = Version::parse(
            &Version {
                stamp: "5".into(),
                bookmark: Some(kept.clone()),
            }
            .to_kv(),
        );
        assert_eq!(
            v.bookmark.as_deref().and_then(|b| of_shard(b, "DB1")),
            Some("0000-00af-01")
        );
    }

    #[test]
    fn versions_keep_their_bookmark_and_old_ones_still_read() {
        let v = Version {
            stamp: "1700000000000".into(),
            bookmark: Some("0000002a-00000007-00004f4c-6b3c".into()),
        };
        assert_eq!(Version::parse(&v.to_kv()), v);
        assert_eq!(
            Version::parse("1700000000000"),
            Version {
                stamp: "1700000000000".into(),
                bookmark: None
            }
        );
        assert_eq!(Version::parse("").stamp, "0");
        assert_eq!(Version::parse("5 a b").bookmark, None, "not a bookmark");
    }

    #[test]
    fn the_console_and_writes_start_at_the_primary() {
        assert_eq!(session_start(true, false), FIRST_PRIMARY);
        assert_eq!(session_start(false, true), FIRST_PRIMARY);
        assert_eq!(session_start(false, false), FIRST_UNCONSTRAINED);
    }

    /// A primary and replicas that lag behind it, as D1's replication does: a session
    /// started at a bookmark is served by a replica that has reached it.
    struct Replicated {
        /// The primary's history: position → the thread's comments after that write.
        primary: Vec<Vec<&'static str>>,
        /// How far each replica has applied the primary's history.
        replicas: Vec<usize>,
    }

    impl Replicated {
        fn write(&mut self, comment: &'static str) -> String {
            let mut next = self.primary.last().cloned().unwrap_or_default();
            next.push(comment);
            self.primary.push(next);
            format!("{:08x}", self.primary.len())
        }

        /// Read at a session start: unconstrained takes the nearest (the most lagging
        /// here, the worst case); a bookmark takes the first replica at or past it.
        fn read(&self, start: &str) -> Vec<&'static str> {
            let at = match start {
                FIRST_UNCONSTRAINED => *self.replicas.iter().min().unwrap(),
                FIRST_PRIMARY => self.primary.len(),
                bookmark => {
                    let need = usize::from_str_radix(bookmark, 16).unwrap();
                    *self
                        .replicas
                        .iter()
                        .find(|r| **r >= need)
                        .unwrap_or(&self.primary.len())
                }
            };
            at.checked_sub(1)
                .map(|i| self.primary[i].clone())
                .unwrap_or_default()
        }
    }

    #[test]
    fn a_reader_after_a_write_reads_it_through_the_versions_bookmark() {
        let mut db = Replicated {
            primary: Vec::new(),
            replicas: vec![0, 0],
        };
        let mut kv: BTreeMap<&str, String> = BTreeMap::new();
        // A reader posts: the write's bookmark goes into the thread's version.
        let bookmark = db.write("my comment");
        kv.insert(
            "/t/",
            Version {
                stamp: "1".into(),
                bookmark: Some(bookmark),
            }
            .to_kv(),
        );
        // Replication has not reached the replicas yet. Without the bookmark the reload
        // reads a replica that does not have it…
        assert!(db.read(FIRST_UNCONSTRAINED).is_empty());
        // …with the version's bookmark it does, on any replica that has caught up, or
        // the primary until one has.
        let version = Version::parse(&kv["/t/"]);
        let start = version.bookmark.as_deref().unwrap_or(FIRST_UNCONSTRAINED);
        assert_eq!(db.read(start), vec!["my comment"]);
        db.replicas[1] = 1;
        assert_eq!(db.read(start), vec!["my comment"]);
        // A thread nobody wrote to reads unconstrained (no wait at all).
        assert_eq!(
            Version::parse(kv.get("/other/").map_or("0", String::as_str)).bookmark,
            None
        );
    }
}
