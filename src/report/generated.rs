//! Output of the commands that print a generated document (shell completions, man pages, the
//! configuration's JSON Schema) and of `init`, which says what it wrote.

use std::io::{self, Write};

use super::ignore_broken_pipe;

/// Prints a generated document on stdout as it is. A reader that goes away is not an error.
pub fn print_document(bytes: &[u8]) -> io::Result<()> {
    let stdout = io::stdout();
    let mut lock = stdout.lock();
    ignore_broken_pipe(lock.write_all(bytes).and_then(|()| lock.flush()))
}

/// `init`'s summary: the file, the items read, the attributes declared, the account.
pub fn print_init_summary(w: &Written) -> io::Result<()> {
    let account = match &w.local_account {
        Some(a) => format!("local account {a}"),
        None => "no local account (a commented placeholder)".to_string(),
    };
    let line = format!(
        "Wrote {}: {} items read, {} attributes declared, {}\n",
        super::escape_terminal(&w.path.display().to_string()),
        w.items,
        w.declared,
        account
    );
    print_document(line.as_bytes())
}

/// What `init` did, for the summary it prints.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub path: std::path::PathBuf,
    pub items: usize,
    pub declared: usize,
    pub local_account: Option<String>,
}
