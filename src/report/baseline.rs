//! What `baseline write` and `baseline prune` say they did.

use std::io::{self, Write};

/// A baseline file written.
#[derive(Debug)]
pub struct Written<'a> {
    pub path: &'a str,
    pub entries: usize,
    pub findings: usize,
    pub added: usize,
    pub removed: usize,
}

/// One line on stdout: the file, its size, and what changed.
pub fn render_written(w: &Written) -> io::Result<()> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = writeln!(
        out,
        "wrote {}: {} entries for {} findings ({} added, {} removed)",
        super::escape_terminal(w.path),
        w.entries,
        w.findings,
        w.added,
        w.removed
    )
    .and_then(|()| out.flush());
    super::ignore_broken_pipe(result)
}
