//! `colloquy export --from <worker>`: log in to the console API with `OWNER_KEY` and
//! write the whole site, page by page, as one JSON file `import colloquy` reads.

use colloquy_core::wire::console::query::SiteExportQuery;
use colloquy_core::wire::console::{ExportFile, SiteExportPage};
use colloquy_core::wire::endpoint::AdminOp;

use crate::args::Args;
use crate::error::CliError;

pub fn run(raw: &[String]) -> Result<(), CliError> {
    let args = Args::parse(raw, &["--from", "--out", "--site"])?;
    let base = args
        .value("--from")
        .ok_or_else(|| CliError::Usage("export needs --from <worker url>".into()))?;
    let out = args.value("--out").unwrap_or("colloquy-export.json");
    let session = crate::console::Session::login(base, args.value("--site"))?;
    let mut file = ExportFile::new();
    let mut next = Some(SiteExportQuery::default());
    while let Some(query) = next {
        let page: SiteExportPage = session.get(AdminOp::SiteExport, &query.to_query())?;
        next = file.add_page(page);
        eprint!("\rexported {} threads", file.threads.len());
    }
    eprintln!();
    session.logout();
    file.exported_at = now_rfc3339();
    let comments = file.comments();
    let json = serde_json::to_string_pretty(&file).map_err(|e| CliError::Http(e.to_string()))?;
    std::fs::write(out, json).map_err(|source| CliError::File {
        path: out.to_owned(),
        source,
    })?;
    println!(
        "wrote {} threads and {comments} comments to {out}",
        file.threads.len()
    );
    Ok(())
}

fn now_rfc3339() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
        .unwrap_or(0);
    colloquy_core::domain::dates::rfc3339(ms)
}
