//! `--name value` options and plain arguments.

use crate::error::CliError;

pub struct Args {
    pub plain: Vec<String>,
    options: Vec<(String, Option<String>)>,
}

/// Options that take no value.
const FLAGS: [&str; 2] = ["--dry-run", "--keep-going"];

impl Args {
    pub fn parse(args: &[String], known: &[&str]) -> Result<Self, CliError> {
        let mut plain = Vec::new();
        let mut options = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if !a.starts_with("--") {
                plain.push(a.clone());
                continue;
            }
            if !known.contains(&a.as_str()) {
                return Err(CliError::Usage(format!("unknown option {a}")));
            }
            if FLAGS.contains(&a.as_str()) {
                options.push((a.clone(), None));
            } else {
                let value = it
                    .next()
                    .ok_or_else(|| CliError::Usage(format!("{a} needs a value")))?;
                options.push((a.clone(), Some(value.clone())));
            }
        }
        Ok(Args { plain, options })
    }

    pub fn flag(&self, name: &str) -> bool {
        self.options.iter().any(|(n, _)| n == name)
    }

    pub fn value(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.as_deref())
    }
}
