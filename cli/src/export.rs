//! `colloquy export --from <worker>`: log in to the console API with `OWNER_KEY` and
//! write the whole site, page by page, as one JSON file `import colloquy` reads.

use colloquy_core::console::{ExportFile, SiteExportPage, EXPORT_VERSION};
use colloquy_core::endpoint::{AdminOp, Endpoint};

use crate::args::Args;
use crate::error::CliError;

pub fn run(raw: &[String]) -> Result<(), CliError> {
    let args = Args::parse(raw, &["--from", "--out"])?;
    let base = args
        .value("--from")
        .ok_or_else(|| CliError::Usage("export needs --from <worker url>".into()))?
        .trim_end_matches('/')
        .to_owned();
    let key = std::env::var("OWNER_KEY")
        .map_err(|_| CliError::Usage("set OWNER_KEY to the console key".into()))?;
    let out = args.value("--out").unwrap_or("colloquy-export.json");
    let http = |e: ureq::Error| CliError::Http(format!("{base}: {e}"));
    // The console's writes must come from its own origin.
    let origin = url_origin(&base);
    let mut login = ureq::post(&Endpoint::Admin(AdminOp::Login).url(&base))
        .header("Origin", &origin)
        .send_json(serde_json::json!({ "key": key }))
        .map_err(http)?;
    let cookie = login
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
        .ok_or_else(|| CliError::Http("the login gave no session".into()))?;
    let _ = login.body_mut().read_to_string();
    let mut file = ExportFile {
        version: EXPORT_VERSION,
        site: String::new(),
        exported_at: String::new(),
        threads: Vec::new(),
    };
    let mut after = 0;
    loop {
        let url = format!(
            "{}?after={after}",
            Endpoint::Admin(AdminOp::SiteExport).url(&base)
        );
        let page: SiteExportPage = ureq::get(&url)
            .header("Cookie", &cookie)
            .call()
            .map_err(http)?
            .body_mut()
            .read_json()
            .map_err(http)?;
        file.site = page.site;
        file.threads.extend(page.threads);
        eprint!("\rexported {} threads", file.threads.len());
        match page.next_after {
            Some(next) => after = next,
            None => break,
        }
    }
    eprintln!();
    file.exported_at = now_rfc3339();
    let comments: usize = file.threads.iter().map(|t| t.comments.len()).sum();
    let json = serde_json::to_string_pretty(&file).map_err(|e| CliError::Http(e.to_string()))?;
    std::fs::write(out, json).map_err(|source| CliError::File {
        path: out.to_owned(),
        source,
    })?;
    let _ = ureq::post(&Endpoint::Admin(AdminOp::Logout).url(&base))
        .header("Origin", &origin)
        .header("Cookie", &cookie)
        .send_json(serde_json::json!({}));
    println!(
        "wrote {} threads and {comments} comments to {out}",
        file.threads.len()
    );
    Ok(())
}

fn url_origin(base: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    let host = rest.split('/').next().unwrap_or(rest);
    format!("{scheme}://{host}")
}

fn now_rfc3339() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
        .unwrap_or(0);
    colloquy_core::service::rfc3339(ms)
}
