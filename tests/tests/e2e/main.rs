//! The end-to-end suite, one binary: what people do with Colloquy, against the deployments
//! `cargo xtask test` starts (`wrangler dev` on local D1s, the demo pages, ChromeDriver).
//! Each module is one thing a person does; `cargo xtask test --only <module>` runs one.

mod accessibility;
mod console;
mod embedding;
mod faults;
mod feeds;
mod import;
mod languages;
mod load;
mod moderation;
mod notifications;
mod reading;
mod safety;
mod shards;
mod sites;
mod writing;
