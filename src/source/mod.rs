//! Registry sources: files (plain or DynamoDB JSON, arrays, wrappers, JSON Lines), gzip files,
//! downloaded DynamoDB exports, directories and stdin. Line-based input streams: each line is
//! parsed, handed over and dropped.

pub mod fast;
pub mod json;
pub mod parallel;
pub mod uri;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use flate2::read::MultiGzDecoder;

use crate::model::{Format, Item, Span};
use json::{looks_typed, parse_item, split_document, SyntaxError};

/// How to read item values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[derive(schemars::JsonSchema)]
pub enum InputFormat {
    #[default]
    Auto,
    Plain,
    Dynamodb,
}

/// What a SOURCE argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    Path(PathBuf),
    Stdin,
    Table(String),
}

impl SourceSpec {
    pub fn parse(arg: &str) -> SourceSpec {
        if arg == "-" {
            SourceSpec::Stdin
        } else if let Some(t) = arg.strip_prefix("dynamodb://") {
            SourceSpec::Table(t.to_string())
        } else {
            SourceSpec::Path(PathBuf::from(arg))
        }
    }

    /// Expands directories that are not DynamoDB exports into the registry files they hold.
    pub fn expand(self) -> Result<Vec<SourceSpec>, SourceError> {
        let SourceSpec::Path(p) = &self else {
            return Ok(vec![self]);
        };
        if !p.is_dir() || p.join("manifest-files.json").is_file() {
            return Ok(vec![self]);
        }
        let mut files = Vec::new();
        collect_files(p, &mut files).map_err(|e| SourceError::io(p, e))?;
        files.sort();
        Ok(files.into_iter().map(SourceSpec::Path).collect())
    }

    pub fn display(&self) -> String {
        match self {
            SourceSpec::Path(p) => p.display().to_string(),
            SourceSpec::Stdin => "-".to_string(),
            SourceSpec::Table(t) => format!("dynamodb://{t}"),
        }
    }
}

/// The registry files below `dir`, skipping hidden files and folders.
fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let hidden = |e: &walkdir::DirEntry| {
        e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
    };
    for entry in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| !hidden(e))
    {
        let entry = entry.map_err(std::io::Error::other)?;
        let name = entry.file_name().to_str().unwrap_or("");
        if entry.file_type().is_file()
            && [".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz"]
                .iter()
                .any(|ext| name.ends_with(ext))
        {
            out.push(entry.into_path());
        }
    }
    Ok(())
}

/// The kind of a source, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    File,
    Stdin,
    Export,
    Table,
}

/// A source that could not be read: exit 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}{}: {message}", location(*line, *column))]
#[diagnostic(code(reglint::input))]
pub struct SourceError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

fn location(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}:{column}")
    }
}

impl SourceError {
    pub fn io(path: &Path, e: std::io::Error) -> Self {
        SourceError {
            path: path.display().to_string(),
            line: 0,
            column: 0,
            message: e.to_string(),
        }
    }
    pub(crate) fn at(path: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        SourceError {
            path: path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }
}

/// A piece of source text that item spans refer to: a whole document, or one line of JSON Lines.
#[derive(Debug)]
pub struct TextChunk {
    pub path: Arc<str>,
    pub text: String,
    /// Where the chunk starts in its file (bytes); spans plus this are file offsets.
    pub base_offset: usize,
    /// The 1-based line of the chunk's first character.
    pub first_line: usize,
    /// The 1-based column (in characters) of the chunk's first character: 1 unless the chunk
    /// is one item cut out of a longer line.
    pub first_column: usize,
    line_starts: Vec<usize>,
}

impl TextChunk {
    pub fn new(path: Arc<str>, text: String, base_offset: usize, first_line: usize) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        TextChunk {
            path,
            text,
            base_offset,
            first_line,
            first_column: 1,
            line_starts,
        }
    }

    /// The same chunk starting at a column other than 1 on its first line.
    pub fn with_first_column(mut self, column: usize) -> Self {
        self.first_column = column.max(1);
        self
    }

    /// 1-based line and column (in characters) of a byte offset in the chunk.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts[idx];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        let shift = if idx == 0 { self.first_column - 1 } else { 0 };
        (self.first_line + idx, col + shift + 1)
    }

    /// The text of the line holding `offset`, and the span of that line in the chunk.
    pub fn line_of(&self, offset: usize) -> Span {
        let idx = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.line_starts[idx];
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.text.len(), |e| e - 1);
        Span::new(start, end)
    }
}

/// One item read from a source.
#[derive(Debug)]
pub struct SourceItem {
    /// Position of the item in its source (0-based).
    pub index: usize,
    pub item: Item,
    pub chunk: Arc<TextChunk>,
}

/// Summary of a source after reading.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceSummary {
    pub kind: SourceKind,
    pub path: String,
    pub items: usize,
}

/// Reads every item of a file source, handing each to `each`.
pub struct FileReader {
    pub format: InputFormat,
}

impl FileReader {
    /// Reads `spec` (a path or stdin). Returns the kind of source.
    pub fn read(
        &self,
        spec: &SourceSpec,
        each: &mut dyn FnMut(SourceItem),
    ) -> Result<SourceKind, SourceError> {
        let mut state = ReadState {
            format: self.format,
            chosen: None,
            index: 0,
        };
        match spec {
            SourceSpec::Stdin => {
                let stdin = std::io::stdin();
                let reader = BufReader::new(stdin.lock());
                state.read_stream("-".into(), reader, each)?;
                Ok(SourceKind::Stdin)
            }
            SourceSpec::Path(p) if p.is_dir() => {
                for data in export_files(p)? {
                    state.read_path(&data, each)?;
                }
                Ok(SourceKind::Export)
            }
            SourceSpec::Path(p) => {
                state.read_path(p, each)?;
                Ok(SourceKind::File)
            }
            SourceSpec::Table(t) => Err(SourceError::at(
                &format!("dynamodb://{t}"),
                0,
                0,
                "a table is not a file source",
            )),
        }
    }
}

impl FileReader {
    /// Reads items from bytes already in memory (a file about to be rewritten).
    pub fn read_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        each: &mut dyn FnMut(SourceItem),
    ) -> Result<(), SourceError> {
        let mut state = ReadState {
            format: self.format,
            chosen: None,
            index: 0,
        };
        state.read_stream(name.into(), bytes, each)
    }
}

/// The data files of a downloaded DynamoDB export, in manifest order.
pub fn export_files(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let manifest = dir.join("manifest-files.json");
    let text = std::fs::read_to_string(&manifest).map_err(|e| SourceError::io(&manifest, e))?;
    let mpath = manifest.display().to_string();
    let mut files = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let entry: serde_json::Value = serde_json::from_str(line).map_err(|e| {
            let s = SyntaxError::from(e);
            SourceError::at(&mpath, i + 1, s.column, s.message)
        })?;
        let Some(key) = entry.get("dataFileS3Key").and_then(|k| k.as_str()) else {
            return Err(SourceError::at(
                &mpath,
                i + 1,
                1,
                "manifest line has no dataFileS3Key",
            ));
        };
        let name = key.rsplit('/').next().unwrap_or(key);
        let local = dir.join("data").join(name);
        if !local.is_file() {
            return Err(SourceError::at(
                &mpath,
                i + 1,
                1,
                format!("data file {} is missing", local.display()),
            ));
        }
        files.push(local);
    }
    Ok(files)
}

/// The general reader's state over one source: the format chosen by its first item, and the
/// index of the next item.
pub(crate) struct ReadState {
    pub(crate) format: InputFormat,
    pub(crate) chosen: Option<Format>,
    pub(crate) index: usize,
}

/// The first line of a stream, and whether it makes the stream JSON Lines (it is a whole
/// JSON object).
pub(crate) fn read_first_line(
    path: &str,
    reader: &mut impl BufRead,
) -> Result<(String, bool), SourceError> {
    let mut first = Vec::new();
    reader
        .read_until(b'\n', &mut first)
        .map_err(|e| read_error(path, e))?;
    let first_text = String::from_utf8(first).map_err(|e| not_utf8(path, 1, e.utf8_error()))?;
    let trimmed = first_text.trim();
    let line_mode = trimmed.starts_with('{')
        && serde_json::from_str::<&serde_json::value::RawValue>(trimmed).is_ok();
    Ok((first_text, line_mode))
}

/// The whole of a document stream whose first line is `first_text`.
pub(crate) fn read_document(
    path: &str,
    first_text: String,
    reader: &mut impl BufRead,
) -> Result<String, SourceError> {
    let mut rest = Vec::new();
    reader
        .read_to_end(&mut rest)
        .map_err(|e| read_error(path, e))?;
    let mut doc = first_text;
    let rest = String::from_utf8(rest).map_err(|e| {
        let line = doc.lines().count() + 1;
        not_utf8(path, line, e.utf8_error())
    })?;
    doc.push_str(&rest);
    if doc.trim().is_empty() {
        return Err(SourceError::at(path, 1, 1, "the file is empty"));
    }
    Ok(doc)
}

impl ReadState {
    pub(crate) fn read_path(
        &mut self,
        path: &Path,
        each: &mut dyn FnMut(SourceItem),
    ) -> Result<(), SourceError> {
        let file = File::open(path).map_err(|e| SourceError::io(path, e))?;
        let name: Arc<str> = path.display().to_string().into();
        let gz = path.extension().is_some_and(|e| e == "gz");
        if gz {
            let reader = BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file));
            self.read_stream(name, reader, each)
        } else {
            let reader = BufReader::with_capacity(1 << 16, file);
            self.read_stream(name, reader, each)
        }
    }

    /// Reads a stream: JSON Lines when the first line is a whole JSON object, else one document.
    fn read_stream(
        &mut self,
        path: Arc<str>,
        mut reader: impl BufRead,
        each: &mut dyn FnMut(SourceItem),
    ) -> Result<(), SourceError> {
        let (first_text, line_mode) = read_first_line(&path, &mut reader)?;
        if !line_mode {
            let doc = read_document(&path, first_text, &mut reader)?;
            let chunk = Arc::new(TextChunk::new(path.clone(), doc, 0, 1));
            return self.read_chunk(&chunk, each);
        }
        let mut offset = 0usize;
        let mut line_no = 1usize;
        let mut line = first_text;
        let mut buf = Vec::new();
        loop {
            let len = line.len();
            if !line.trim().is_empty() {
                let text = line.trim_end_matches(['\n', '\r']).to_string();
                let chunk = Arc::new(TextChunk::new(path.clone(), text, offset, line_no));
                self.read_chunk(&chunk, each)?;
            }
            offset += len;
            line_no += 1;
            buf.clear();
            let n = reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| read_error(&path, e))?;
            if n == 0 {
                break;
            }
            line = String::from_utf8(std::mem::take(&mut buf))
                .map_err(|e| not_utf8(&path, line_no, e.utf8_error()))?;
        }
        Ok(())
    }

    pub(crate) fn read_chunk(
        &mut self,
        chunk: &Arc<TextChunk>,
        each: &mut dyn FnMut(SourceItem),
    ) -> Result<(), SourceError> {
        let doc = chunk.text.as_str();
        let (wrapper, raws) = split_document(doc).map_err(|e| {
            SourceError::at(
                &chunk.path,
                chunk.first_line + e.line - 1,
                e.column,
                e.message,
            )
        })?;
        for raw in raws {
            let raw = match raw {
                Ok(r) => r,
                Err(r) => {
                    let (line, col) = chunk.line_col(json::offset_in(doc, r.get()));
                    return Err(SourceError::at(
                        &chunk.path,
                        line,
                        col,
                        "an item must be a JSON object",
                    ));
                }
            };
            let format = match (self.format, self.chosen) {
                (InputFormat::Plain, _) => Format::Plain,
                (InputFormat::Dynamodb, _) => Format::Dynamodb,
                (InputFormat::Auto, Some(f)) => f,
                (InputFormat::Auto, None) => {
                    let f = if wrapper.implies_typed() || looks_typed(raw) {
                        Format::Dynamodb
                    } else {
                        Format::Plain
                    };
                    self.chosen = Some(f);
                    f
                }
            };
            let item = parse_item(doc, raw, format).map_err(|e| {
                let (line, col) = chunk.line_col(json::offset_in(doc, raw.get()));
                SourceError::at(&chunk.path, line, col, e.message)
            })?;
            each(SourceItem {
                index: self.index,
                item,
                chunk: chunk.clone(),
            });
            self.index += 1;
        }
        Ok(())
    }
}

pub(crate) fn read_error(path: &str, e: std::io::Error) -> SourceError {
    let message = if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "the compressed data ends early (truncated gzip?)".to_string()
    } else {
        e.to_string()
    };
    SourceError::at(path, 0, 0, message)
}

pub(crate) fn not_utf8(path: &str, line: usize, e: std::str::Utf8Error) -> SourceError {
    not_utf8_at(path, line, e.valid_up_to())
}

/// A line that is not UTF-8 from byte `valid_up_to` of the line on.
pub(crate) fn not_utf8_at(path: &str, line: usize, valid_up_to: usize) -> SourceError {
    SourceError::at(
        path,
        line,
        valid_up_to + 1,
        "the file is not valid UTF-8 text",
    )
}
