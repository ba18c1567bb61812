//! `colloquy`: the site owner's command. `import` reads another system's export (the
//! parsing is core's, shared with the Worker's tests) and writes SQL files for
//! `wrangler d1 execute` — or runs them; `export` downloads every thread and comment
//! from a running Worker as JSON (which `import colloquy` reads back).

mod args;
mod console;
mod error;
mod export;
mod import;
mod move_site;
mod progress;

use error::CliError;

const USAGE: &str = "\
usage:
  colloquy import <wordpress|disqus|isso|remark42|colloquy> <file> [options]
      --site <id>          the site to import into (default: the deployment's own)
      --out <dir>          where the SQL files go (default: colloquy-import)
      --dry-run            only say what would be imported
      --keep-going         skip what cannot be read (each skip is reported) instead of stopping
      --apply <local|remote>
                           run the files with `npx wrangler d1 execute` (else: print the commands)
      --database <name>    the D1 database for --apply (default: colloquy)
      --persist-to <dir>   wrangler's local state folder for --apply local
      --site-url <url>     Isso only: the blog's address, for thread links
      --to <worker url>    send it to a running Worker instead (console key in OWNER_KEY)
  colloquy export --from <worker url> [--out <file>] [--site <id>]
      logs in with the console key from the OWNER_KEY environment variable (the
      operator's, or the site's own) and writes every thread and comment of the site
      as JSON (default: colloquy-export.json)
  colloquy move-site --on <worker url> --site <id> --to <DB1|DB2|…>
      moves a site to another of the deployment's D1 databases (one with a higher
      number), with the operator's key in OWNER_KEY; writes to the site wait for about
      two minutes (reads go on); run it again if it stops half-way
";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("import") => import::run(&args[1..]),
        Some("export") => export::run(&args[1..]),
        Some("move-site") => move_site::run(&args[1..]),
        Some("-h" | "--help" | "help") | None => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(CliError::Usage(format!("unknown command {other:?}"))),
    };
    if let Err(e) = outcome {
        eprintln!("colloquy: {e}");
        if matches!(e, CliError::Usage(_)) {
            eprint!("{USAGE}");
        }
        std::process::exit(if matches!(e, CliError::Usage(_)) {
            2
        } else {
            1
        });
    }
}
