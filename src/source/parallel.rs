//! Reading a file source on every core, with results in source order.
//!
//! One thread reads the source into blocks of whole lines (JSON Lines) or whole array elements
//! (a JSON array, a scan output), a few hundred kilobytes each; the data files of an export are
//! decompressed several at once, each by its own thread. Worker threads parse the items of a
//! block and run the per-item work. Finished blocks are taken in source order — by whichever
//! worker finishes the block that is next — for the work that needs order (item indexes,
//! registry rules). A fixed number of tickets bounds the blocks in flight, so memory does not
//! grow with the size of the source; the text of an item is kept after its block only when a
//! diagnostic points into it.
//!
//! The results are those of [`super::FileReader::read`]: the same items with the same spans,
//! indexes and lines, and for bad input the same error, which is taken from the general reader
//! whenever the fast one gives up.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crossbeam_channel::{bounded, Receiver, Sender};
use flate2::read::MultiGzDecoder;
use serde_json::value::RawValue;

use super::json::{looks_typed, parse_item, split_document};
use super::{
    export_files, fast, read_document, read_error, read_first_line, InputFormat, ReadState,
    SourceError, SourceItem, SourceKind, SourceSpec, TextChunk,
};
use crate::model::{Format, Item};

/// Bytes of text per block.
const BLOCK_BYTES: usize = 256 * 1024;
/// Items per block when the general reader read them.
const BLOCK_ITEMS: usize = 512;
/// Blocks a decompressing thread may get ahead of the reader.
const LOOKAHEAD: usize = 8;

/// Block buffers, handed back once a block is done: reusing them keeps the allocator from
/// fetching (and zeroing) fresh pages for every block.
#[derive(Clone)]
struct Pool {
    tx: Sender<Vec<u8>>,
    rx: Receiver<Vec<u8>>,
}

impl Pool {
    fn new(n: usize) -> Self {
        let (tx, rx) = bounded(n);
        Pool { tx, rx }
    }

    fn get(&self) -> Vec<u8> {
        self.rx
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BLOCK_BYTES + (BLOCK_BYTES >> 2)))
    }

    fn put(&self, mut buf: Vec<u8>) {
        if buf.capacity() >= BLOCK_BYTES {
            buf.clear();
            let _ = self.tx.try_send(buf);
        }
    }
}

/// The text an item was read from. Its [`TextChunk`] is made (a copy of the item's line or
/// element) only when asked for, that is when a diagnostic points into it.
pub struct ItemText<'a> {
    path: &'a Arc<str>,
    text: &'a str,
    base_offset: usize,
    first_line: usize,
    first_column: usize,
    chunk: Option<Arc<TextChunk>>,
}

impl ItemText<'_> {
    /// The chunk the item's spans refer to.
    pub fn chunk(&mut self) -> Arc<TextChunk> {
        if let Some(c) = &self.chunk {
            return c.clone();
        }
        let c = Arc::new(
            TextChunk::new(
                self.path.clone(),
                self.text.to_string(),
                self.base_offset,
                self.first_line,
            )
            .with_first_column(self.first_column),
        );
        self.chunk = Some(c.clone());
        c
    }

    /// The line of the file where the item starts.
    pub fn line(&self, item: &Item) -> usize {
        let start = item.span.map_or(0, |s| s.start);
        match &self.chunk {
            Some(c) => c.line_col(start).0,
            None => {
                let before = self.text.as_bytes().get(..start).unwrap_or_default();
                self.first_line + memchr::memchr_iter(b'\n', before).count()
            }
        }
    }
}

/// A file of the source.
struct Stream {
    path: PathBuf,
    name: Arc<str>,
    gz: bool,
}

/// Why a block stops the run.
enum Failure {
    Error(SourceError),
    /// The fast reader gave up on bad input; the general reader names the error.
    Reproduce,
}

/// An item object inside an `Elements` block.
struct Elem {
    start: usize,
    end: usize,
    /// Where it is in its file.
    offset: usize,
    line: usize,
    column: usize,
}

/// What a block holds.
enum Payload {
    /// Whole lines of JSON Lines.
    Lines {
        text: Vec<u8>,
        offset: usize,
        line: usize,
    },
    /// Item objects of a JSON array or scan output.
    Elements {
        text: Vec<u8>,
        elems: Vec<Elem>,
        /// The array is a scan output's `Items`, which are always DynamoDB JSON.
        typed: bool,
    },
    /// A document of another shape, for the general reader.
    Document(String),
    /// Items the general reader read.
    Items(Vec<SourceItem>),
    Fail(Failure),
}

struct Job {
    seq: u64,
    stream: usize,
    format: Format,
    payload: Payload,
}

/// Where an item's text is in its block.
struct Loc {
    start: usize,
    end: usize,
    offset: usize,
    line: usize,
    column: usize,
    chunk: Option<Arc<TextChunk>>,
}

struct Outcome<T> {
    item: Item,
    loc: Loc,
    /// Taken by the ordered step.
    value: Option<T>,
}

struct Done<T> {
    seq: u64,
    stream: usize,
    format: Format,
    text: String,
    outcomes: Vec<Outcome<T>>,
    failure: Option<Failure>,
    /// What the one-pass reader did with this block's items.
    fast: fast::Tally,
}

/// Reads `spec` (a file or an export directory) with `threads` workers. `work` runs on every
/// item, on any worker; `ordered` then gets each item with its index and `work`'s result, in
/// source order.
pub fn read_parallel<T, W, O>(
    format: InputFormat,
    spec: &SourceSpec,
    threads: usize,
    work: W,
    ordered: O,
) -> Result<SourceKind, SourceError>
where
    T: Send,
    W: Fn(&Item, &mut ItemText) -> T + Sync,
    O: FnMut(usize, &Item, T, &mut ItemText) + Send,
{
    let (streams, kind) = streams_of(spec)?;
    let threads = threads.max(1);
    let window = 3 * threads + 2;
    let (job_tx, job_rx) = bounded::<Job>(window);
    let (ticket_tx, ticket_rx) = bounded::<()>(window);
    for _ in 0..window {
        let _ = ticket_tx.send(());
    }
    let stop = AtomicBool::new(false);
    let pool = Pool::new(2 * window + 4 * threads);
    let sequencer = Mutex::new(Sequencer {
        pool: pool.clone(),
        next: 0,
        pending: BTreeMap::new(),
        index: 0,
        error: None,
        ordered,
        tickets: ticket_tx,
    });
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (job_rx, work, sequencer, stop, streams) =
                (job_rx.clone(), &work, &sequencer, &stop, &streams);
            s.spawn(move || work_jobs(&job_rx, streams, work, sequencer, format, stop));
        }
        drop(job_rx);
        let mut feeder = Feeder {
            pool: pool.clone(),
            streams: &streams,
            format,
            chosen: None,
            seq: 0,
            jobs: job_tx,
            tickets: ticket_rx,
            stop: &stop,
        };
        feeder.feed(s, &streams, threads);
    });
    let sequencer = sequencer
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    match sequencer.error {
        Some(e) => Err(e),
        None => Ok(kind),
    }
}

/// The files `spec` names, in the order read, and what kind of source they are: one file, or
/// the data files of an export directory.
fn streams_of(spec: &SourceSpec) -> Result<(Vec<Stream>, SourceKind), SourceError> {
    let (paths, kind) = match spec {
        SourceSpec::Path(p) if p.is_dir() => (export_files(p)?, SourceKind::Export),
        SourceSpec::Path(p) => (vec![p.clone()], SourceKind::File),
        other => {
            return Err(SourceError::at(
                &other.display(),
                0,
                0,
                "only files and exports are read in parallel",
            ))
        }
    };
    let streams = paths
        .into_iter()
        .map(|path| Stream {
            name: path.display().to_string().into(),
            gz: path.extension().is_some_and(|e| e == "gz"),
            path,
        })
        .collect();
    Ok((streams, kind))
}

/// A worker: runs the jobs it receives (or skips them once the run stops) and hands each
/// finished block to the sequencer, until the jobs end.
fn work_jobs<T, O: FnMut(usize, &Item, T, &mut ItemText)>(
    jobs: &Receiver<Job>,
    streams: &[Stream],
    work: &(impl Fn(&Item, &mut ItemText) -> T + Sync),
    sequencer: &Mutex<Sequencer<T, O>>,
    format: InputFormat,
    stop: &AtomicBool,
) {
    while let Ok(job) = jobs.recv() {
        let done = if stop.load(Ordering::Relaxed) {
            Done::skipped(job)
        } else {
            run_job(job, streams, work)
        };
        let finished = sequencer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .complete(done, streams, format, stop);
        // Items are freed here, outside the lock, by the threads that made them.
        drop(finished);
    }
}

/// Takes finished blocks in order.
struct Sequencer<T, O> {
    pool: Pool,
    next: u64,
    pending: BTreeMap<u64, Done<T>>,
    index: usize,
    error: Option<SourceError>,
    ordered: O,
    tickets: Sender<()>,
}

impl<T, O: FnMut(usize, &Item, T, &mut ItemText)> Sequencer<T, O> {
    /// Takes `done` and every block now in order; returns their items, to be freed by the
    /// caller once the lock is released.
    fn complete(
        &mut self,
        done: Done<T>,
        streams: &[Stream],
        format: InputFormat,
        stop: &AtomicBool,
    ) -> Vec<Vec<Outcome<T>>> {
        let mut finished = Vec::new();
        self.pending.insert(done.seq, done);
        while let Some(mut done) = self.pending.remove(&self.next) {
            self.next += 1;
            if self.error.is_none() {
                self.take(&mut done, streams, format, stop);
            }
            self.pool.put(std::mem::take(&mut done.text).into_bytes());
            finished.push(done.outcomes);
            let _ = self.tickets.try_send(());
        }
        finished
    }

    fn take(
        &mut self,
        done: &mut Done<T>,
        streams: &[Stream],
        format: InputFormat,
        stop: &AtomicBool,
    ) {
        let stream = &streams[done.stream];
        for Outcome { item, loc, value } in done.outcomes.iter_mut() {
            let Some(value) = value.take() else { continue };
            let mut text = ItemText {
                path: &stream.name,
                text: done.text.get(loc.start..loc.end).unwrap_or_default(),
                base_offset: loc.offset,
                first_line: loc.line,
                first_column: loc.column,
                chunk: loc.chunk.take(),
            };
            (self.ordered)(self.index, item, value, &mut text);
            self.index += 1;
        }
        if let Some(failure) = done.failure.take() {
            self.error = Some(match failure {
                Failure::Error(e) => e,
                Failure::Reproduce => reproduce(stream, format, done.format),
            });
            stop.store(true, Ordering::Relaxed);
        }
    }
}

/// The general reader's error for a file the fast reader gave up on.
fn reproduce(stream: &Stream, format: InputFormat, chosen: Format) -> SourceError {
    let mut state = ReadState {
        format,
        chosen: Some(chosen),
        index: 0,
    };
    match state.read_path(&stream.path, &mut |_| {}) {
        Err(e) => e,
        Ok(()) => SourceError::at(&stream.name, 0, 0, "the file could not be read as JSON"),
    }
}

impl<T> Done<T> {
    fn skipped(job: Job) -> Self {
        Done {
            seq: job.seq,
            stream: job.stream,
            format: job.format,
            text: String::new(),
            outcomes: Vec::new(),
            failure: None,
            fast: fast::Tally::default(),
        }
    }
}

fn forced(format: Format) -> ReadState {
    ReadState {
        format: match format {
            Format::Plain => InputFormat::Plain,
            Format::Dynamodb => InputFormat::Dynamodb,
        },
        chosen: Some(format),
        index: 0,
    }
}

/// Parses a block's items and runs `work` on each.
fn run_job<T>(
    job: Job,
    streams: &[Stream],
    work: &(impl Fn(&Item, &mut ItemText) -> T + Sync),
) -> Done<T> {
    let name = &streams[job.stream].name;
    let mut done = Done::skipped(Job {
        payload: Payload::Items(Vec::new()),
        ..job
    });
    done.outcomes.reserve(expected_items(&job.payload));
    let mut push = |done: &mut Done<T>, item: Item, loc: Loc| work_on(done, name, work, item, loc);
    match job.payload {
        Payload::Lines { text, offset, line } => {
            let (text, bad) = valid_prefix(text);
            done.text = text;
            read_lines(&mut done, name, offset, line, bad, &mut push);
        }
        Payload::Elements { text, elems, .. } => {
            let (text, bad) = valid_prefix(text);
            done.text = text;
            read_elements(&mut done, elems, bad, &mut push);
        }
        Payload::Items(items) => {
            for si in items {
                let loc = Loc {
                    start: 0,
                    end: 0,
                    offset: si.chunk.base_offset,
                    line: si.chunk.first_line,
                    column: si.chunk.first_column,
                    chunk: Some(si.chunk),
                };
                push(&mut done, si.item, loc);
            }
        }
        Payload::Fail(f) => done.failure = Some(f),
        Payload::Document(_) => done.failure = Some(Failure::Reproduce),
    }
    done.fast.record();
    done
}

/// About how many items a block holds, to size its outcomes up front.
fn expected_items(payload: &Payload) -> usize {
    match payload {
        Payload::Lines { text, .. } | Payload::Elements { text, .. } => text.len() / 256 + 16,
        Payload::Items(items) => items.len(),
        _ => 0,
    }
}

/// Runs `work` on an item of `done`'s block found at `loc`, and keeps the outcome (with the
/// item's chunk if `work` made one).
#[inline]
fn work_on<T>(
    done: &mut Done<T>,
    name: &Arc<str>,
    work: &impl Fn(&Item, &mut ItemText) -> T,
    item: Item,
    loc: Loc,
) {
    let mut text = ItemText {
        path: name,
        text: done.text.get(loc.start..loc.end).unwrap_or_default(),
        base_offset: loc.offset,
        first_line: loc.line,
        first_column: loc.column,
        chunk: loc.chunk.clone(),
    };
    let value = work(&item, &mut text);
    let chunk = text.chunk.take();
    done.outcomes.push(Outcome {
        item,
        loc: Loc { chunk, ..loc },
        value: Some(value),
    });
}

/// The items of an `Elements` block, each read by the one-pass reader or else the general one.
/// An element that does not read, or that reaches the first byte that is not UTF-8 (`bad`),
/// ends the block: the general reader then names the error.
fn read_elements<T>(
    done: &mut Done<T>,
    elems: Vec<Elem>,
    bad: Option<usize>,
    push: &mut impl FnMut(&mut Done<T>, Item, Loc),
) {
    let format = done.format;
    for e in elems {
        if bad.is_some_and(|b| e.end > b) {
            done.failure = Some(Failure::Reproduce);
            return;
        }
        let Some(t) = done.text.get(e.start..e.end) else {
            done.failure = Some(Failure::Reproduce);
            return;
        };
        let item = done.fast.count(fast::parse_object(t, format)).or_else(|| {
            let raw = serde_json::from_str::<&RawValue>(t).ok()?;
            parse_item(t, raw, format).ok()
        });
        let Some(item) = item else {
            done.failure = Some(Failure::Reproduce);
            return;
        };
        let loc = Loc {
            start: e.start,
            end: e.end,
            offset: e.offset,
            line: e.line,
            column: e.column,
            chunk: None,
        };
        push(done, item, loc);
    }
}

/// The text of a block as a string: all of it, or the part before the first byte that is not
/// UTF-8 (and where that byte is).
fn valid_prefix(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(at);
            (String::from_utf8(bytes).unwrap_or_default(), Some(at))
        }
    }
}

/// The items of a block of JSON Lines, as the general reader reads them line by line.
fn read_lines<T>(
    done: &mut Done<T>,
    name: &Arc<str>,
    mut offset: usize,
    mut line_no: usize,
    bad: Option<usize>,
    push: &mut impl FnMut(&mut Done<T>, Item, Loc),
) {
    let mut pos = 0;
    let format = done.format;
    loop {
        let text_len = done.text.len();
        if pos >= text_len {
            if let Some(at) = bad {
                // The line holding the first byte that is not UTF-8.
                done.failure = Some(Failure::Error(super::not_utf8_at(name, line_no, at - pos)));
            }
            return;
        }
        let end =
            memchr::memchr(b'\n', &done.text.as_bytes()[pos..]).map_or(text_len, |i| pos + i + 1);
        if end == text_len && bad.is_some() && !done.text.ends_with('\n') {
            // The rest of this line is not UTF-8.
            if let Some(at) = bad {
                done.failure = Some(Failure::Error(super::not_utf8_at(name, line_no, at - pos)));
            }
            return;
        }
        let full = &done.text[pos..end];
        if !full.trim().is_empty() {
            let line = full.trim_end_matches(['\n', '\r']);
            match done.fast.count(fast::parse_line(line, format)) {
                Some(item) => {
                    let loc = Loc {
                        start: pos,
                        end: pos + line.len(),
                        offset,
                        line: line_no,
                        column: 1,
                        chunk: None,
                    };
                    push(done, item, loc);
                }
                None => {
                    let chunk = Arc::new(TextChunk::new(
                        name.clone(),
                        line.to_string(),
                        offset,
                        line_no,
                    ));
                    let mut items = Vec::new();
                    let result = forced(format).read_chunk(&chunk, &mut |si| items.push(si));
                    for si in items {
                        let loc = Loc {
                            start: 0,
                            end: 0,
                            offset,
                            line: line_no,
                            column: 1,
                            chunk: Some(si.chunk),
                        };
                        push(done, si.item, loc);
                    }
                    if let Err(e) = result {
                        done.failure = Some(Failure::Error(e));
                        return;
                    }
                }
            }
        }
        offset += end - pos;
        line_no += 1;
        pos = end;
    }
}

/// Reads the streams in order and hands out blocks.
struct Feeder<'a> {
    pool: Pool,
    streams: &'a [Stream],
    format: InputFormat,
    /// The format the source's first item chose (as the general reader decides it).
    chosen: Option<Format>,
    seq: u64,
    jobs: Sender<Job>,
    tickets: Receiver<()>,
    stop: &'a AtomicBool,
}

impl<'a> Feeder<'a> {
    fn feed<'s>(
        &mut self,
        s: &'s std::thread::Scope<'s, '_>,
        streams: &'s [Stream],
        threads: usize,
    ) {
        let parallel = streams.len() > 1 && streams.iter().any(|st| st.gz);
        if !parallel {
            let pool = self.pool.clone();
            for (i, stream) in streams.iter().enumerate() {
                if !produce(stream, &pool, &mut |p| self.dispatch(i, p)) {
                    return;
                }
            }
            return;
        }
        // Several compressed files: each is decompressed by its own thread, a few at once, and
        // their blocks are handed out in manifest order.
        let mut started: std::collections::VecDeque<Receiver<Payload>> = Default::default();
        let mut next_start = 0;
        for i in 0..streams.len() {
            while next_start < streams.len() && next_start < i + threads.max(2) {
                let (tx, rx) = bounded::<Payload>(LOOKAHEAD);
                let stream = &streams[next_start];
                let pool = self.pool.clone();
                s.spawn(move || {
                    produce(stream, &pool, &mut |p| tx.send(p).is_ok());
                });
                started.push_back(rx);
                next_start += 1;
            }
            let Some(rx) = started.pop_front() else {
                return;
            };
            while let Ok(p) = rx.recv() {
                if !self.dispatch(i, p) {
                    return;
                }
            }
        }
    }

    /// Hands a block to the workers; false when the run stops.
    fn dispatch(&mut self, stream: usize, payload: Payload) -> bool {
        match payload {
            Payload::Document(doc) => self.document(stream, doc),
            Payload::Fail(f) => {
                self.send(stream, Payload::Fail(f));
                false
            }
            p => {
                if self.format == InputFormat::Auto && self.chosen.is_none() {
                    self.chosen = first_format(&p);
                }
                self.send(stream, p)
            }
        }
    }

    fn job_format(&self) -> Format {
        match self.format {
            InputFormat::Plain => Format::Plain,
            InputFormat::Dynamodb => Format::Dynamodb,
            InputFormat::Auto => self.chosen.unwrap_or(Format::Plain),
        }
    }

    fn send(&mut self, stream: usize, payload: Payload) -> bool {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            if self.tickets.recv_timeout(Duration::from_millis(20)).is_ok() {
                break;
            }
        }
        let job = Job {
            seq: self.seq,
            stream,
            format: self.job_format(),
            payload,
        };
        self.seq += 1;
        self.jobs.send(job).is_ok()
    }

    /// A document the general reader reads (here, since the format chosen so far matters).
    fn document(&mut self, stream: usize, doc: String) -> bool {
        let name = self.streams[stream].name.clone();
        let chunk = Arc::new(TextChunk::new(name, doc, 0, 1));
        let mut state = ReadState {
            format: self.format,
            chosen: self.chosen,
            index: 0,
        };
        let mut batch = Vec::new();
        let mut go = true;
        let result = state.read_chunk(&chunk, &mut |si| {
            if !go {
                return;
            }
            batch.push(si);
            if batch.len() == BLOCK_ITEMS {
                go = self.send(stream, Payload::Items(std::mem::take(&mut batch)));
            }
        });
        self.chosen = state.chosen;
        if !go {
            return false;
        }
        if !batch.is_empty() && !self.send(stream, Payload::Items(batch)) {
            return false;
        }
        match result {
            Ok(()) => true,
            Err(e) => {
                self.send(stream, Payload::Fail(Failure::Error(e)));
                false
            }
        }
    }
}

/// The format the first item of a block chooses, as the general reader decides it.
fn first_format(p: &Payload) -> Option<Format> {
    let pick = |typed: bool| {
        Some(if typed {
            Format::Dynamodb
        } else {
            Format::Plain
        })
    };
    match p {
        Payload::Lines { text, .. } => {
            for line in text.split(|b| *b == b'\n') {
                let Ok(line) = std::str::from_utf8(line) else {
                    return None;
                };
                if line.trim().is_empty() {
                    continue;
                }
                let line = line.trim_end_matches(['\n', '\r']);
                let Ok((wrapper, raws)) = split_document(line) else {
                    return None;
                };
                match raws.first() {
                    Some(Ok(raw)) => return pick(wrapper.implies_typed() || looks_typed(raw)),
                    Some(Err(_)) => return None,
                    None => continue,
                }
            }
            None
        }
        Payload::Elements { text, elems, typed } => {
            let e = elems.first()?;
            if *typed {
                return pick(true);
            }
            let t = std::str::from_utf8(text.get(e.start..e.end)?).ok()?;
            let raw = serde_json::from_str::<&RawValue>(t).ok()?;
            pick(looks_typed(raw))
        }
        Payload::Items(items) => items.first().map(|si| si.item.format),
        _ => None,
    }
}

/// Reads one file into blocks; `emit` returns false when the run stops. Returns false then.
fn produce(stream: &Stream, pool: &Pool, emit: &mut dyn FnMut(Payload) -> bool) -> bool {
    let file = match File::open(&stream.path) {
        Ok(f) => f,
        Err(e) => return end_with(emit, Failure::Error(SourceError::io(&stream.path, e))),
    };
    if stream.gz {
        let reader = BufReader::with_capacity(1 << 16, MultiGzDecoder::new(file));
        produce_from(&stream.name, reader, pool, emit)
    } else {
        produce_from(
            &stream.name,
            BufReader::with_capacity(1 << 16, file),
            pool,
            emit,
        )
    }
}

fn produce_from(
    name: &str,
    mut reader: impl BufRead,
    pool: &Pool,
    emit: &mut dyn FnMut(Payload) -> bool,
) -> bool {
    let (first, line_mode) = match read_first_line(name, &mut reader) {
        Ok(v) => v,
        Err(e) => return end_with(emit, Failure::Error(e)),
    };
    if line_mode {
        return produce_lines(name, first, reader, pool, emit);
    }
    produce_document(name, first, reader, pool, emit)
}

/// JSON Lines: blocks of whole lines.
fn produce_lines(
    name: &str,
    first: String,
    mut reader: impl BufRead,
    pool: &Pool,
    emit: &mut dyn FnMut(Payload) -> bool,
) -> bool {
    let mut buf = pool.get();
    buf.extend_from_slice(first.as_bytes());
    let mut offset = 0;
    let mut line = 1;
    let mut eof = false;
    while !eof || !buf.is_empty() {
        let mut failure = None;
        while !eof && (buf.len() < BLOCK_BYTES || memchr::memrchr(b'\n', &buf).is_none()) {
            let want = (BLOCK_BYTES + 4096).saturating_sub(buf.len()).max(4096) as u64;
            match (&mut reader).take(want).read_to_end(&mut buf) {
                Ok(0) => eof = true,
                Ok(_) => {}
                Err(e) => {
                    failure = Some(read_error(name, e));
                    eof = true;
                }
            }
        }
        let cut = match memchr::memrchr(b'\n', &buf) {
            Some(i) if !eof || failure.is_some() => i + 1,
            _ => buf.len(),
        };
        let mut next = pool.get();
        next.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let lines = memchr::memchr_iter(b'\n', &buf).count();
        let text = std::mem::replace(&mut buf, next);
        if !text.is_empty() && !emit(Payload::Lines { text, offset, line }) {
            return false;
        }
        offset += cut;
        line += lines;
        if let Some(e) = failure {
            return end_with(emit, Failure::Error(e));
        }
    }
    true
}

/// Reads a stream element by element: what a JSON array or scan output document holds.
struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    eof: bool,
    /// File offset of `buf[0]`.
    base: usize,
    pos: usize,
    /// Line and column (0-based, in characters) at `counted`.
    line: usize,
    col: usize,
    counted: usize,
}

/// The scanner stops: bad input (the general reader will say where), or a read error.
enum Stop {
    Bad,
    Io(std::io::Error),
}

impl From<std::io::Error> for Stop {
    fn from(e: std::io::Error) -> Self {
        Stop::Io(e)
    }
}

impl<R: BufRead> Scanner<R> {
    fn fill(&mut self) -> Result<bool, Stop> {
        if self.eof {
            return Ok(false);
        }
        let n = (&mut self.reader)
            .take(1 << 16)
            .read_to_end(&mut self.buf)?;
        self.eof = n == 0;
        Ok(n > 0)
    }

    fn at(&mut self, i: usize) -> Result<Option<u8>, Stop> {
        while i >= self.buf.len() {
            if !self.fill()? {
                return Ok(None);
            }
        }
        Ok(Some(self.buf[i]))
    }

    fn ws(&mut self) -> Result<Option<u8>, Stop> {
        loop {
            match self.at(self.pos)? {
                Some(b' ' | b'\n' | b'\r' | b'\t') => self.pos += 1,
                other => return Ok(other),
            }
        }
    }

    fn expect(&mut self, word: &[u8]) -> Result<bool, Stop> {
        for (k, c) in word.iter().enumerate() {
            if self.at(self.pos + k)? != Some(*c) {
                return Ok(false);
            }
        }
        self.pos += word.len();
        Ok(true)
    }

    /// The start of the items: `Some(false)` in an array, `Some(true)` in a scan output's
    /// `Items`, `None` for documents of other shapes.
    fn prefix(&mut self) -> Result<Option<bool>, Stop> {
        match self.ws()? {
            Some(b'[') => {
                self.pos += 1;
                Ok(Some(false))
            }
            Some(b'{') => {
                self.pos += 1;
                self.ws()?;
                if !self.expect(b"\"Items\"")? {
                    return Ok(None);
                }
                self.ws()?;
                if !self.expect(b":")? {
                    return Ok(None);
                }
                if self.ws()? != Some(b'[') {
                    return Ok(None);
                }
                self.pos += 1;
                Ok(Some(true))
            }
            _ => Ok(None),
        }
    }

    /// The end of the object starting at `self.pos` (braces outside strings matched).
    fn object_end(&mut self) -> Result<usize, Stop> {
        let mut i = self.pos;
        let mut depth = 0usize;
        loop {
            let Some(k) = memchr::memchr3(b'"', b'{', b'}', &self.buf[i..]) else {
                i = self.buf.len();
                if !self.fill()? {
                    return Err(Stop::Bad);
                }
                continue;
            };
            i += k;
            match self.buf[i] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(i + 1);
                    }
                }
                _ => {
                    // A string: find its closing quote.
                    i += 1;
                    loop {
                        match memchr::memchr2(b'"', b'\\', &self.buf[i..]) {
                            Some(k) if self.buf[i + k] == b'"' => {
                                i += k;
                                break;
                            }
                            Some(k) => {
                                i += k + 2;
                                while i > self.buf.len() {
                                    if !self.fill()? {
                                        return Err(Stop::Bad);
                                    }
                                }
                            }
                            None => {
                                i = self.buf.len();
                                if !self.fill()? {
                                    return Err(Stop::Bad);
                                }
                            }
                        }
                    }
                }
            }
            i += 1;
        }
    }

    /// Moves the line and column count to `to`.
    fn count_to(&mut self, to: usize) {
        let region = &self.buf[self.counted..to];
        let chars = |b: &[u8]| b.iter().filter(|c| (**c & 0xC0) != 0x80).count();
        match memchr::memrchr(b'\n', region) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', region).count();
                self.col = chars(&region[last + 1..]);
            }
            None => self.col += chars(region),
        }
        self.counted = to;
    }

    /// Drops the text before `to` from the buffer.
    fn drain(&mut self, to: usize) {
        self.buf.drain(..to);
        self.base += to;
        self.pos -= to;
        self.counted -= to;
    }
}

/// A document: streamed element by element when it is an array or a scan output, else read
/// whole for the general reader.
fn produce_document(
    name: &str,
    first: String,
    reader: impl BufRead,
    pool: &Pool,
    emit: &mut dyn FnMut(Payload) -> bool,
) -> bool {
    let first_len = first.len();
    let mut sc = Scanner {
        reader,
        buf: first.into_bytes(),
        eof: false,
        base: 0,
        pos: 0,
        line: 1,
        col: 0,
        counted: 0,
    };
    let typed = match sc.prefix() {
        Ok(Some(typed)) => typed,
        Ok(None) => {
            let rest = std::io::Cursor::new(sc.buf.split_off(first_len));
            let first = String::from_utf8(sc.buf).unwrap_or_default();
            let mut chained = rest.chain(sc.reader);
            return match read_document(name, first, &mut chained) {
                Ok(doc) => emit(Payload::Document(doc)),
                Err(e) => end_with(emit, Failure::Error(e)),
            };
        }
        Err(stop) => return fail(name, stop, emit),
    };
    match scan_elements(&mut sc, typed, pool, emit) {
        Ok(go) => go,
        Err(stop) => fail(name, stop, emit),
    }
}

fn fail(name: &str, stop: Stop, emit: &mut dyn FnMut(Payload) -> bool) -> bool {
    let failure = match stop {
        Stop::Bad => Failure::Reproduce,
        Stop::Io(e) => Failure::Error(read_error(name, e)),
    };
    end_with(emit, failure)
}

/// The elements of the array at `sc`, in blocks of about [`BLOCK_BYTES`]; then what follows the
/// array must be what the document's shape allows. `Ok(false)` when the run stops.
fn scan_elements<R: BufRead>(
    sc: &mut Scanner<R>,
    typed: bool,
    pool: &Pool,
    emit: &mut dyn FnMut(Payload) -> bool,
) -> Result<bool, Stop> {
    let mut elems: Vec<Elem> = Vec::new();
    let mut closed = sc.ws()? == Some(b']');
    if closed {
        sc.pos += 1;
    }
    while !closed {
        elems.push(sc.element()?);
        match sc.ws()? {
            Some(b',') => sc.pos += 1,
            Some(b']') => {
                sc.pos += 1;
                closed = true;
            }
            _ => {
                if !flush_elements(sc, &mut elems, typed, pool, emit) {
                    return Ok(false);
                }
                return Err(Stop::Bad);
            }
        }
        let size = elems.last().map_or(0, |e| e.end) - elems.first().map_or(0, |e| e.start);
        if size >= BLOCK_BYTES && !flush_elements(sc, &mut elems, typed, pool, emit) {
            return Ok(false);
        }
    }
    if !flush_elements(sc, &mut elems, typed, pool, emit) {
        return Ok(false);
    }
    if sc.tail_ok(typed)? {
        Ok(true)
    } else {
        Err(Stop::Bad)
    }
}

/// Hands the scanned `elems` over as one block (their text copied into a pooled buffer, their
/// positions made relative to it) and drops their text from the scanner. False when the run
/// stops.
#[inline]
fn flush_elements<R: BufRead>(
    sc: &mut Scanner<R>,
    elems: &mut Vec<Elem>,
    typed: bool,
    pool: &Pool,
    emit: &mut dyn FnMut(Payload) -> bool,
) -> bool {
    let Some(first) = elems.first() else {
        return true;
    };
    let (from, to) = (first.start, elems.last().map_or(first.end, |e| e.end));
    let mut text = pool.get();
    text.extend_from_slice(&sc.buf[from..to]);
    for e in elems.iter_mut() {
        e.start -= from;
        e.end -= from;
    }
    sc.drain(to);
    emit(Payload::Elements {
        text,
        elems: std::mem::take(elems),
        typed,
    })
}

impl<R: BufRead> Scanner<R> {
    /// The object element at the next non-whitespace byte, with where it is in the file; the
    /// scanner moves past it.
    #[inline]
    fn element(&mut self) -> Result<Elem, Stop> {
        if self.ws()? != Some(b'{') {
            return Err(Stop::Bad);
        }
        let start = self.pos;
        let end = self.object_end()?;
        self.count_to(start);
        let elem = Elem {
            start,
            end,
            offset: self.base + start,
            line: self.line,
            column: self.col + 1,
        };
        self.count_to(end);
        self.pos = end;
        Ok(elem)
    }

    /// Whether what follows the items' array is what the document's shape allows: the rest of
    /// a scan output (`typed`), or nothing but whitespace after an array.
    fn tail_ok(&mut self, typed: bool) -> Result<bool, Stop> {
        if typed {
            while self.fill()? {}
            let mut doc = b"{\"Items\":[]".to_vec();
            doc.extend_from_slice(&self.buf[self.pos..]);
            Ok(serde_json::from_slice::<serde::de::IgnoredAny>(&doc).is_ok())
        } else {
            Ok(self.ws()?.is_none())
        }
    }
}

/// Hands over the failure that ends a stream; the stream stops either way.
fn end_with(emit: &mut dyn FnMut(Payload) -> bool, failure: Failure) -> bool {
    let _ = emit(Payload::Fail(failure));
    false
}
