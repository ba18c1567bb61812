//! Per-deployment settings read from `[vars]` in wrangler.toml (or `--var` in dev).

use worker::Env;

/// The site this deployment serves until multi-site configuration lands.
const DEFAULT_SITE_ID: &str = "default";

pub struct Config {
    pub site_id: String,
    /// Origins allowed to write, exactly as browsers send them (`scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
}

impl Config {
    pub fn from_env(env: &Env) -> Self {
        let var = |name: &str| env.var(name).map(|v| v.to_string()).unwrap_or_default();
        let site_id = var("SITE_ID");
        Config {
            site_id: if site_id.trim().is_empty() {
                DEFAULT_SITE_ID.to_owned()
            } else {
                site_id.trim().to_owned()
            },
            allowed_origins: parse_origins(&var("ALLOWED_ORIGINS")),
        }
    }

    pub fn origin_allowed(&self, origin: &str) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }
}

/// `ALLOWED_ORIGINS` is a comma- or whitespace-separated list; trailing slashes are
/// dropped because the `Origin` header never has one.
fn parse_origins(raw: &str) -> Vec<String> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .map(|o| o.trim().trim_end_matches('/'))
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse_origins;

    #[test]
    fn origins_are_split_on_commas_and_spaces_without_trailing_slashes() {
        assert_eq!(
            parse_origins(" https://a.example, http://localhost:8788/\nhttps://b.example "),
            vec![
                "https://a.example",
                "http://localhost:8788",
                "https://b.example"
            ]
        );
        assert!(parse_origins("").is_empty());
    }
}
