//! Every size and count limit in one place: what a reader may send (counted in characters,
//! not bytes, so that non-Latin names get the same room as Latin ones), what one request of
//! the console may ask for, and what D1 takes. The widget, the console, the Worker and the
//! tests read them here, so a limit is written once.

pub const THREAD_KEY: usize = 300;
pub const THREAD_TITLE: usize = 300;
pub const THREAD_URL: usize = 2000;
pub const BODY: usize = 10_000;
pub const NAME: usize = 80;
/// RFC 5321's practical maximum for an address.
pub const EMAIL: usize = 254;
pub const WEBSITE: usize = 500;
/// Thread keys one counts request may ask about (D1 binds at most 100 values).
pub const COUNT_KEYS: usize = 50;
/// Whole request body, bytes. Generous for the field limits above even in 4-byte UTF-8.
pub const REQUEST_BYTES: usize = 64 * 1024;
/// Bytes of sanitized HTML one comment may render to (new or imported).
pub const BODY_HTML_BYTES: usize = 100_000;

/// Values D1 binds in one statement (SQLite allows thousands; the SQLite test store refuses
/// more, so every native test holds to D1's bound).
pub const D1_BOUND_VALUES: usize = 100;
/// Ids per store call in bulk work: [`D1_BOUND_VALUES`] less room for the statement's own
/// values.
pub const IDS_PER_STATEMENT: usize = 90;

/// The most ids one "select all" takes (a cost bound: the owner acts again for more).
pub const MATCHING_MAX: u32 = 5_000;
/// The most ids one `moderate` request takes; the console sends bigger selections in
/// requests of this size, showing progress. Bounded by what one Worker request may do:
/// each changed thread's page versions are written to KV (1,000 operations a request).
pub const MODERATE_MAX: usize = 200;
/// The most ids one approval takes: each comment it publishes queues its notifications
/// (a few D1 queries each: ten stay within the 50 queries a request gets on Workers' free
/// plan).
pub const APPROVE_MAX: usize = 10;
/// Comments per console list page.
pub const CONSOLE_PAGE: u32 = 50;
/// Threads the console shows at first, and adds with "More threads".
pub const THREADS_PAGE: usize = 50;
/// Lines per page of the audit list.
pub const AUDIT_PAGE: u32 = 200;
/// Threads per page of the site export (each with every comment).
pub const EXPORT_THREADS: u32 = 100;
/// Comments deleted for good per run when the Trash empties by age.
pub const TRASH_EMPTY_BATCH: u32 = 100;
/// The biggest import batch body the console and the `colloquy` command send, bytes.
pub const IMPORT_BYTES: usize = 5 * 1024 * 1024;

/// The shortest console key accepted: anything shorter can be guessed, so without a
/// key this long there is no console.
pub const OWNER_KEY_MIN: usize = 32;

/// How often a delivery is tried before it is given up (the first try and five retries).
pub const DELIVERY_TRIES: u32 = 6;
/// A failed delivery is tried again after the retry base (`NOTIFY_RETRY_SECS`) times
/// each of these in turn: with the default base, 1, 5, 30 minutes, 2 and 12 hours.
pub const RETRY_FACTORS: [u32; 5] = [1, 5, 30, 120, 720];
