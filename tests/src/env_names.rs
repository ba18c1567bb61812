//! The environment variables through which `cargo xtask test` hands the running stack to
//! the end-to-end tests. xtask includes this very file, so the two sides share the names.

/// Base URL of the main `wrangler dev` deployment.
pub const API: &str = "COLLOQUY_API";
/// Origin of the demo page for the main deployment (an allowed writer).
pub const DEMO: &str = "COLLOQUY_DEMO";
/// ChromeDriver's URL.
pub const WEBDRIVER: &str = "COLLOQUY_WEBDRIVER";
/// Where the browser tests write the README's screenshots.
pub const SCREENSHOTS: &str = "COLLOQUY_SCREENSHOTS";
/// Path of axe-core's `axe.min.js`.
pub const AXE: &str = "COLLOQUY_AXE";
/// The strict deployment (Turnstile, moderation, owner key, Gravatar) and its demo page.
pub const STRICT_API: &str = "COLLOQUY_STRICT_API";
pub const STRICT_DEMO: &str = "COLLOQUY_STRICT_DEMO";
/// The strict deployment's owner key.
pub const OWNER_KEY: &str = "COLLOQUY_OWNER_KEY";
/// The comment rate limits both test deployments run with (`count/seconds,…`).
pub const RATE_LIMITS: &str = "COLLOQUY_RATE_LIMITS";
/// The main deployment's edit window, in seconds.
pub const EDIT_WINDOW_SECS: &str = "COLLOQUY_EDIT_WINDOW_SECS";
