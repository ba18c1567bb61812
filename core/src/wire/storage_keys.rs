//! The `localStorage` keys the loader (`embed.js`) and the widget share. Each is a prefix
//! followed by the comment server's address, so two deployments on one site never mix;
//! the build hands these to the loader, so the two cannot drift apart.

/// The reader's chosen order of comments (the loader asks for that order at once).
pub const SORT: &str = "colloquy:sort:";

/// The site owner's key, taken from `#colloquy-owner=…` by the loader before anything
/// else runs, and sent by the widget with the owner's comments.
pub const OWNER: &str = "colloquy:owner:";
