//! Findings written as they are found, for the formats that print one finding after another
//! (`text`, `concise`, `jsonl`, `github`): a run over millions of items holds none of them.
//! The `json`, `sarif`, `gitlab` and `html` documents have their summary or rules before
//! their findings (or are one array), so their findings are written as they are found to an unnamed
//! temporary file ([`Spilled`]) that the renderer copies into the document at the end; `junit`
//! groups them by rule, so its cases go to one such file per rule.
//!
//! Items arrive in source order, so the findings of one item are held until the next item
//! starts, put in report order (line, column, rule) and written. The summary follows at the
//! end, written by the format's renderer as usual. A reader that goes away ends the output
//! quietly, as for a report written at the end.

use std::fs::File;
use std::io::{self, BufWriter, Write};

use super::text::Palette;
use super::{
    concise, github, gitlab, html, json, junit, order_key, sarif, text, working_dir, OutputFormat,
    RenderOptions,
};
use crate::diagnostic::Diagnostic;

pub struct Stream {
    format: OutputFormat,
    opts: RenderOptions,
    palette: Palette,
    cwd: Option<String>,
    /// `None` once the reader has gone away.
    out: Option<BufWriter<Box<dyn Write + Send>>>,
    /// Where `json`, `sarif` and `gitlab` findings go until the document is written.
    spill: Option<(BufWriter<File>, usize)>,
    /// `gitlab`: how often each fingerprint was written, and the folder paths are relative to.
    occurrences: gitlab::Occurrences,
    gitlab_base: Option<String>,
    /// `junit`: its cases, by rule.
    junit: Option<junit::Spill>,
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
    /// A stream of findings in `format` to `out` (for `json`, `sarif` and `gitlab`, to a
    /// temporary file; for `junit`, to one per rule), or `None` when the format is a document
    /// that is written whole (the audit formats), or when no temporary file can be made.
    pub fn new(
        format: OutputFormat,
        opts: RenderOptions,
        out: Box<dyn Write + Send>,
    ) -> Option<Self> {
        let spill = match format {
            OutputFormat::Text
            | OutputFormat::Concise
            | OutputFormat::Jsonl
            | OutputFormat::Github => None,
            OutputFormat::Json
            | OutputFormat::Sarif
            | OutputFormat::Gitlab
            | OutputFormat::Html => Some((
                BufWriter::with_capacity(1 << 16, tempfile::tempfile().ok()?),
                0,
            )),
            OutputFormat::Junit => {
                // Its files are made per rule as findings come: one now shows they can be.
                tempfile::tempfile().ok()?;
                None
            }
            OutputFormat::Emf | OutputFormat::Openmetrics => return None,
        };
        Some(Stream {
            spill,
            format,
            occurrences: gitlab::Occurrences::default(),
            junit: (format == OutputFormat::Junit).then(junit::Spill::default),
            gitlab_base: (format == OutputFormat::Gitlab)
                .then(gitlab::project_dir)
                .flatten(),
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
    /// For `json` and `sarif`, the findings written so far, for the renderer to put in the
    /// document.
    pub fn finish(mut self) -> io::Result<Finished> {
        self.write_pending();
        if let Some(out) = self.out.as_mut() {
            if let Err(e) = out.flush() {
                self.fail(e);
            }
        }
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut junit = self.junit.take();
        if let Some(j) = junit.as_mut() {
            j.flush()?;
        }
        let spilled = match self.spill.take() {
            Some((file, count)) => {
                let file = file.into_inner().map_err(io::IntoInnerError::into_error)?;
                Some(Spilled { file, count })
            }
            None => None,
        };
        Ok(Finished { spilled, junit })
    }

    fn write_pending(&mut self) {
        // Stable: findings with the same place keep the order they were found in.
        self.pending.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
        let pending = std::mem::take(&mut self.pending);
        if self.format == OutputFormat::Junit {
            let taken = self.junit.as_mut().map(|j| j.take(&pending));
            if let Some(Err(e)) = taken {
                self.fail(io::Error::new(
                    e.kind(),
                    format!("the report's temporary file: {e}"),
                ));
            }
        } else {
            for d in &pending {
                if let Err(e) = self.write(d) {
                    self.fail(e);
                }
            }
        }
        self.pending = pending;
        self.pending.clear();
    }

    fn write(&mut self, d: &Diagnostic) -> io::Result<()> {
        if let Some((file, count)) = self.spill.as_mut() {
            let written = match self.format {
                OutputFormat::Sarif => {
                    sarif::write_element(d, self.cwd.as_deref(), *count == 0, file)
                }
                OutputFormat::Html => html::write_element(d, *count == 0, file),
                OutputFormat::Gitlab => {
                    let n = self.occurrences.next(&d.fingerprint);
                    gitlab::write_element(d, self.gitlab_base.as_deref(), n, *count == 0, file)
                }
                _ => json::write_element(d, *count == 0, file),
            };
            *count += 1;
            return written.map_err(|e| {
                io::Error::new(e.kind(), format!("the report's temporary file: {e}"))
            });
        }
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
        self.spill = None;
        self.junit = None;
        if e.kind() != io::ErrorKind::BrokenPipe && self.error.is_none() {
            self.error = Some(e);
        }
    }
}

/// What a stream leaves for the renderer: the spilled findings of `json`, `sarif` or
/// `gitlab`, or the cases of `junit`.
#[derive(Debug, Default)]
pub struct Finished {
    pub spilled: Option<Spilled>,
    pub junit: Option<junit::Spill>,
}

/// The `json` or `sarif` findings of a run, as the elements of the document's array of
/// findings, in the layout of the pretty-printed document.
#[derive(Debug)]
pub struct Spilled {
    pub(super) file: File,
    pub(super) count: usize,
}

impl Spilled {
    /// Copies the elements, as they were written, to `out`; how many there are.
    pub(super) fn copy_to(&self, out: &mut dyn Write) -> io::Result<usize> {
        use std::io::{Seek, SeekFrom};
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0))?;
        io::copy(&mut file, out)?;
        Ok(self.count)
    }

    /// The array: `[`, the elements, and `]` on its own line indented by `close_indent` (or
    /// `[]` when there are none), as serde_json's pretty printer writes it.
    pub(super) fn write_array(&self, close_indent: &[u8], out: &mut dyn Write) -> io::Result<()> {
        out.write_all(b"[")?;
        self.copy_to(out)?;
        if self.count > 0 {
            out.write_all(b"\n")?;
            out.write_all(close_indent)?;
        }
        out.write_all(b"]")
    }
}

/// `value` as an element of a pretty-printed array whose elements are indented by `indent`,
/// separator first: byte for byte what serde_json writes inside the whole document.
pub(super) fn write_element(
    value: &impl serde::Serialize,
    first: bool,
    indent: &[u8],
    out: &mut dyn Write,
) -> io::Result<()> {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        let layout = Indented::new(indent);
        layout.line(buf, first)?;
        let mut ser = serde_json::Serializer::with_formatter(&mut *buf, layout);
        value.serialize(&mut ser)?;
        out.write_all(buf)
    })
}

/// serde_json's pretty layout (two spaces a level) with every line after the first starting
/// with `base`: an element as it sits inside a document, without re-indenting its text.
struct Indented<'a> {
    base: &'a [u8],
    level: usize,
    has_value: bool,
}

impl<'a> Indented<'a> {
    fn new(base: &'a [u8]) -> Self {
        Indented {
            base,
            level: 0,
            has_value: false,
        }
    }

    /// A new line (after `,` unless it is the first member) at the current level.
    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        w.write_all(self.base)?;
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    /// `[` or `{`: one level deeper, nothing in it yet.
    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    /// `]` or `}`, on a line of its own when something came before it.
    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Indented<'_> {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod testing {
    use super::*;
    use crate::report::Report;

    /// Checks that a document whose findings went through `write_element` to a temporary file
    /// is byte for byte the document rendered whole, for 0, 1 and 2 findings. `make` builds
    /// the report without its findings.
    pub fn assert_spilled_is_whole(
        make: impl Fn() -> Report,
        write_element: impl Fn(&Diagnostic, bool, &mut dyn Write) -> io::Result<()>,
        render: fn(&Report, &mut dyn Write) -> io::Result<()>,
    ) {
        let sample = crate::report::json::tests::sample;
        for findings in [
            vec![],
            vec![sample(true)],
            vec![sample(true), sample(false)],
        ] {
            let mut whole = make();
            whole.diagnostics = findings.clone();
            let mut expected = Vec::new();
            render(&whole, &mut expected).unwrap();

            let mut file = tempfile::tempfile().unwrap();
            for (i, d) in findings.iter().enumerate() {
                write_element(d, i == 0, &mut file).unwrap();
            }
            file.flush().unwrap();
            let mut spilled = make();
            spilled.spilled = Some(Spilled {
                file,
                count: findings.len(),
            });
            let mut written = Vec::new();
            render(&spilled, &mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(expected).unwrap(),
                "{} findings",
                findings.len()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// What serde_json writes pretty, with `indent` after every line break.
    fn reindented(value: &serde_json::Value, first: bool, indent: &[u8]) -> Vec<u8> {
        let text = serde_json::to_vec_pretty(value).unwrap();
        let mut out = if first {
            b"\n".to_vec()
        } else {
            b",\n".to_vec()
        };
        out.extend_from_slice(indent);
        for (i, line) in text.split(|b| *b == b'\n').enumerate() {
            if i > 0 {
                out.push(b'\n');
                out.extend_from_slice(indent);
            }
            out.extend_from_slice(line);
        }
        out
    }

    #[test]
    fn an_element_is_laid_out_as_serde_json_lays_it_out_inside_the_document() {
        let values = [
            json!({"a": 1, "b": [], "c": {}, "d": [1, [2, []], {"e": {"f": null}}], "g": "x\ny"}),
            json!([]),
            json!({}),
            json!("text"),
            json!([{"k": [true, false]}, 1.5, -0]),
        ];
        for v in &values {
            for (first, indent) in [
                (true, &b"    "[..]),
                (false, &b""[..]),
                (false, &b"      "[..]),
            ] {
                let mut written = Vec::new();
                super::write_element(v, first, indent, &mut written).unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(reindented(v, first, indent)).unwrap()
                );
            }
        }
    }
}
