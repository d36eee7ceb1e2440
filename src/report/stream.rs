//! Findings written as they are found, for the formats that print one finding after another
//! (`text`, `concise`, `jsonl`, `github`): a run over millions of items holds none of them.
//!
//! Items arrive in source order, so the findings of one item are held until the next item
//! starts, put in report order (line, column, rule) and written. The summary follows at the
//! end, written by the format's renderer as usual. A reader that goes away ends the output
//! quietly, as for a report written at the end.

use std::io::{self, BufWriter, Write};

use super::text::Palette;
use super::{concise, github, json, order_key, text, working_dir, OutputFormat, RenderOptions};
use crate::diagnostic::Diagnostic;

pub struct Stream {
    format: OutputFormat,
    opts: RenderOptions,
    palette: Palette,
    cwd: Option<String>,
    /// `None` once the reader has gone away.
    out: Option<BufWriter<Box<dyn Write + Send>>>,
    pending: Vec<Diagnostic>,
    pending_item: Option<(usize, usize)>,
    error: Option<io::Error>,
    buf: String,
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("format", &self.format)
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl Stream {
    /// A stream of findings in `format` to `out`, or `None` when the format is a document
    /// that is written whole (`json`, `sarif`, `junit`).
    pub fn new(
        format: OutputFormat,
        opts: RenderOptions,
        out: Box<dyn Write + Send>,
    ) -> Option<Self> {
        if !matches!(
            format,
            OutputFormat::Text | OutputFormat::Concise | OutputFormat::Jsonl | OutputFormat::Github
        ) {
            return None;
        }
        Some(Stream {
            format,
            palette: Palette::new(opts.color),
            opts,
            cwd: working_dir(),
            out: Some(BufWriter::with_capacity(1 << 16, out)),
            pending: Vec::new(),
            pending_item: None,
            error: None,
            buf: String::with_capacity(1024),
        })
    }

    /// Takes a finding; the findings of the previous item are written once another item's
    /// finding arrives.
    pub fn push(&mut self, d: Diagnostic) {
        let item = d.item.as_ref().map(|i| (i.source, i.index));
        if item != self.pending_item || item.is_none() {
            self.write_pending();
            self.pending_item = item;
        }
        self.pending.push(d);
    }

    /// Writes what is held and flushes; the first write error, if any (a broken pipe is not).
    pub fn finish(mut self) -> io::Result<()> {
        self.write_pending();
        if let Some(out) = self.out.as_mut() {
            if let Err(e) = out.flush() {
                self.fail(e);
            }
        }
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn write_pending(&mut self) {
        // Stable: findings with the same place keep the order they were found in.
        self.pending.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let pending = std::mem::take(&mut self.pending);
        for d in &pending {
            if let Err(e) = self.write(d) {
                self.fail(e);
            }
        }
        self.pending = pending;
        self.pending.clear();
    }

    fn write(&mut self, d: &Diagnostic) -> io::Result<()> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        self.buf.clear();
        match self.format {
            OutputFormat::Text => text::write_one(&mut self.buf, d, &self.palette),
            OutputFormat::Concise => concise::write_one(&mut self.buf, d, &self.opts),
            OutputFormat::Github => github::write_one(&mut self.buf, d, self.cwd.as_deref()),
            _ => return json::write_line(d, out),
        }
        out.write_all(self.buf.as_bytes())
    }

    /// The reader went away (output ends quietly) or writing failed (kept for the end).
    fn fail(&mut self, e: io::Error) {
        self.out = None;
        if e.kind() != io::ErrorKind::BrokenPipe && self.error.is_none() {
            self.error = Some(e);
        }
    }
}
