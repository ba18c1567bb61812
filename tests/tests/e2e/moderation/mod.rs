//! The owner moderating: the queue and what each decision does to what readers see at
//! once, readers' reports, blocks and a commenter's data, and the author badge — through
//! the console's API and the server-rendered views readers get.

mod badge;
mod people;
mod queue;
mod reports;

use colloquy_core::wire::endpoint::AdminOp;
use colloquy_e2e::console::Console;
use colloquy_e2e::fixtures::Deployment;

/// The badge token the strict console issued for this run (one for every test here: a
/// new one would end the previous one).
fn badge() -> String {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN
        .get_or_init(|| {
            let console = Console::login(&Deployment::strict());
            let reply = console.post(AdminOp::Badge, &serde_json::json!({}));
            reply.json()["token"]
                .as_str()
                .expect("a badge token")
                .to_owned()
        })
        .clone()
}
