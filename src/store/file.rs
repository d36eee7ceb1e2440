//! A file as a store: items read with their spans; changes written as text edits at those
//! spans, so everything else stays byte-for-byte; the file replaced atomically, and only when
//! it still holds the bytes that were read (compare, then rename).
//!
//! A source that is to be changed or diffed is held in memory: a plain file, a gzip file
//! (decompressed) or stdin. Only a plain file can be written; the others can be diffed.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use crate::engine::{Change, Outcome, Read, SkipReason, Store};
use crate::error::RunError;
use crate::fix::{apply_text_edits, text_edits, write_atomically, TextEdit};
use crate::lint::{ItemOrigin, Linter};
use crate::report::{FileDiff, Report};
use crate::source::{FileReader, InputFormat, SourceError, SourceItem, SourceKind, SourceSpec};

/// What the store holds.
enum Content {
    /// Read as a stream when the run only reports.
    Stream(SourceSpec),
    /// Held in memory; `path` is set when the bytes can be written back there.
    Memory {
        bytes: Vec<u8>,
        path: Option<PathBuf>,
    },
}

/// A file source.
pub struct FileStore<'a> {
    linter: &'a Linter,
    source_index: usize,
    label: String,
    format: InputFormat,
    kind: SourceKind,
    content: Content,
}

impl<'a> FileStore<'a> {
    /// A store that only reads (streaming: nothing is held).
    pub fn streaming(
        linter: &'a Linter,
        source_index: usize,
        spec: &SourceSpec,
        format: InputFormat,
    ) -> FileStore<'a> {
        FileStore {
            linter,
            source_index,
            label: spec.display(),
            format,
            kind: kind_of(spec),
            content: Content::Stream(spec.clone()),
        }
    }

    /// A store held in memory, to be changed (`writable`) or diffed. A DynamoDB export cannot
    /// be; stdin and gzip files cannot be written.
    pub fn in_memory(
        linter: &'a Linter,
        source_index: usize,
        spec: &SourceSpec,
        format: InputFormat,
        writable: bool,
    ) -> Result<FileStore<'a>, RunError> {
        let label = spec.display();
        let (bytes, path) = load(spec)?;
        if writable && path.is_none() {
            return Err(RunError::ReadOnlySource { source_name: label });
        }
        Ok(FileStore {
            linter,
            source_index,
            label,
            format,
            kind: kind_of(spec),
            content: Content::Memory { bytes, path },
        })
    }

    /// Bytes and a label, as a test or fuzz target holds them; written back in memory.
    pub fn from_bytes(linter: &'a Linter, label: &str, bytes: Vec<u8>) -> FileStore<'a> {
        FileStore {
            linter,
            source_index: 0,
            label: label.to_string(),
            format: InputFormat::Auto,
            kind: SourceKind::File,
            content: Content::Memory { bytes, path: None },
        }
    }

    /// Reads the bytes as `format` instead of telling plain and typed JSON apart.
    pub fn with_format(mut self, format: InputFormat) -> Self {
        self.format = format;
        self
    }

    /// The bytes held now (after an in-memory write, the new bytes).
    pub fn bytes(&self) -> Option<&[u8]> {
        match &self.content {
            Content::Memory { bytes, .. } => Some(bytes),
            Content::Stream(_) => None,
        }
    }

    pub fn kind(&self) -> SourceKind {
        self.kind
    }

    fn origin(&self, si: &SourceItem) -> ItemOrigin {
        ItemOrigin {
            source: self.source_index,
            label: self.label.clone(),
            index: si.index,
            key: self.linter.file_key(&si.item),
            chunk: Some(si.chunk.clone()),
            item_span: si.item.span,
        }
    }

    fn text(&self) -> Result<&str, RunError> {
        let bytes = self.bytes().unwrap_or_default();
        std::str::from_utf8(bytes).map_err(|e| {
            RunError::Source(crate::source::not_utf8_at(&self.label, 1, e.valid_up_to()))
        })
    }

    /// The new text with every change's edits, and the outcome of each change: a change whose
    /// edits overlap cannot be written as text and is skipped, never half applied.
    fn edited(
        &self,
        reads: &[Read],
        changes: &[Change],
    ) -> Result<(String, Vec<Outcome>), RunError> {
        let text = self.text()?;
        let mut all: Vec<TextEdit> = Vec::new();
        let mut outcomes = Vec::with_capacity(changes.len());
        for c in changes {
            let read = &reads[c.read];
            let Some(chunk) = &read.origin.chunk else {
                outcomes.push(invalid(read, "the item has no text to edit"));
                continue;
            };
            let edits = text_edits(&read.item, &c.after, chunk);
            if overlapping(&edits) {
                outcomes.push(invalid(read, "its edits overlap in the file's text"));
                continue;
            }
            all.extend(edits);
            outcomes.push(Outcome::Written);
        }
        let after = apply_text_edits(text, &mut all).map_err(|e| RunError::Internal {
            what: format!("edits of {} overlap: {e}", self.label),
        })?;
        Ok((after, outcomes))
    }
}

fn invalid(read: &Read, why: &str) -> Outcome {
    Outcome::Skipped {
        reason: SkipReason::Invalid(why.to_string()),
        current: Some(read.item.clone()),
    }
}

fn overlapping(edits: &[TextEdit]) -> bool {
    let mut spans: Vec<(usize, usize)> = edits.iter().map(|e| (e.start, e.end)).collect();
    spans.sort_unstable();
    spans.windows(2).any(|w| w[1].0 < w[0].1)
}

fn kind_of(spec: &SourceSpec) -> SourceKind {
    match spec {
        SourceSpec::Stdin => SourceKind::Stdin,
        SourceSpec::Path(p) if p.is_dir() => SourceKind::Export,
        SourceSpec::Table(_) => SourceKind::Table,
        SourceSpec::Path(_) => SourceKind::File,
    }
}

/// The source's bytes (decompressed), and its path when they can be written back.
fn load(spec: &SourceSpec) -> Result<(Vec<u8>, Option<PathBuf>), RunError> {
    let label = spec.display();
    match spec {
        SourceSpec::Stdin => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| SourceError::at("-", 0, 0, e.to_string()))?;
            Ok((bytes, None))
        }
        SourceSpec::Path(p) if p.is_dir() => Err(RunError::ReadOnlySource { source_name: label }),
        SourceSpec::Path(p) if is_gzip(p) => {
            let file = std::fs::File::open(p).map_err(|e| SourceError::io(p, e))?;
            let mut bytes = Vec::new();
            flate2::read::MultiGzDecoder::new(file)
                .read_to_end(&mut bytes)
                .map_err(|e| crate::source::read_error(&label, e))?;
            Ok((bytes, None))
        }
        SourceSpec::Path(p) => {
            let bytes = std::fs::read(p).map_err(|e| SourceError::io(p, e))?;
            Ok((bytes, Some(p.clone())))
        }
        SourceSpec::Table(_) => Err(RunError::ReadOnlySource { source_name: label }),
    }
}

fn is_gzip(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "gz")
}

impl Store for FileStore<'_> {
    fn label(&self) -> &str {
        &self.label
    }

    fn read(&mut self, each: &mut dyn FnMut(Read)) -> Result<(), RunError> {
        let reader = FileReader {
            format: self.format,
        };
        let this = &*self;
        let mut take = |si: SourceItem| {
            let origin = this.origin(&si);
            each(Read {
                item: si.item,
                origin,
            });
        };
        match &self.content {
            Content::Stream(spec) => {
                reader.read(spec, &mut take)?;
            }
            Content::Memory { bytes, .. } => reader.read_bytes(&self.label, bytes, &mut take)?,
        }
        Ok(())
    }

    fn write(
        &mut self,
        reads: &[Read],
        changes: &[Change],
        report: &mut Report,
    ) -> Result<Vec<Outcome>, RunError> {
        let (after, mut outcomes) = self.edited(reads, changes)?;
        let fixes: usize = changes
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Written))
            .map(|(c, _)| c.fixes.len())
            .sum();
        let Content::Memory { bytes, path } = &mut self.content else {
            return Err(RunError::ReadOnlySource {
                source_name: self.label.clone(),
            });
        };
        let Some(path) = path.clone() else {
            // Held in memory only (tests, fuzz targets): the new bytes replace the old.
            *bytes = after.into_bytes();
            return Ok(outcomes);
        };
        let now = std::fs::read(&path).map_err(|e| RunError::write(&path, e))?;
        if now != *bytes {
            for o in outcomes.iter_mut() {
                if matches!(o, Outcome::Written) {
                    *o = Outcome::Skipped {
                        reason: SkipReason::Changed,
                        current: None,
                    };
                }
            }
            report.note(format!(
                "{} changed while it was being checked; its {fixes} fixes were not written, and what it holds now was checked instead",
                path.display()
            ));
            *bytes = now;
            return Ok(outcomes);
        }
        if fixes > 0 {
            write_atomically(&path, &after).map_err(|e| RunError::write(&path, e))?;
            report.note(format!("fixed {fixes} problems in {}", path.display()));
            *bytes = after.into_bytes();
        }
        Ok(outcomes)
    }

    fn diff(&self, reads: &[Read], changes: &[Change]) -> Result<Vec<FileDiff>, RunError> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let (after, _) = self.edited(reads, changes)?;
        let before = self.text()?.to_string();
        if before == after {
            return Ok(Vec::new());
        }
        Ok(vec![FileDiff {
            path: self.label.clone(),
            before,
            after,
        }])
    }

    fn reread(&mut self) -> Option<Result<Vec<Read>, RunError>> {
        let mut reads = Vec::new();
        Some(self.read(&mut |r| reads.push(r)).map(|()| reads))
    }
}
