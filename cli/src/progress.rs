//! A progress bar on standard error for long imports (only when it is a terminal, so
//! logs stay clean).

use std::io::{IsTerminal, Write};

pub struct Progress {
    what: &'static str,
    total: usize,
    shown: bool,
    last: usize,
}

impl Progress {
    pub fn new(what: &'static str, total: usize) -> Self {
        Progress {
            what,
            total,
            shown: std::io::stderr().is_terminal() && total > 0,
            last: usize::MAX,
        }
    }

    pub fn at(&mut self, done: usize) {
        if !self.shown {
            return;
        }
        let percent = done * 100 / self.total.max(1);
        if percent == self.last {
            return;
        }
        self.last = percent;
        let filled = percent / 4;
        eprint!(
            "\r{} [{}{}] {done}/{} ",
            self.what,
            "#".repeat(filled),
            " ".repeat(25 - filled),
            self.total
        );
        let _ = std::io::stderr().flush();
    }

    pub fn done(self) {
        if self.shown {
            eprintln!();
        }
    }
}
