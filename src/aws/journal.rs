//! The journal of a `--fix` run on a table: JSON Lines, one header line, then one entry per
//! write holding the item's before- and after-image, appended and synced to disk *before* the
//! write is sent. An outcome line follows each write when the run lives to see it. Whatever
//! the moment a run dies, the journal on disk is one `reglint undo` can use.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::convert::{item_from_json, item_to_json, SdkItem};

/// The format tag of the header line.
pub const FORMAT: &str = "reglint-journal/1";

/// The first line: which run, which table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub journal: String,
    pub run: String,
    pub time: String,
    pub table: String,
    pub table_arn: String,
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The key attributes, partition key first.
    pub key_schema: Vec<String>,
    pub tool_version: String,
}

/// What kind of write an entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// One conditional UpdateItem of the item at `key`.
    Update,
    /// A transaction: the after-image put under its new key, the item at `key` deleted.
    KeyChange,
}

/// One intended write, recorded before it is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub run: String,
    pub seq: u64,
    pub time: String,
    pub op: Operation,
    /// The key of the item as it was read (DynamoDB JSON).
    pub key: serde_json::Value,
    /// The item as it was read (DynamoDB JSON).
    pub before: serde_json::Value,
    /// The item as the fix writes it (DynamoDB JSON).
    pub after: serde_json::Value,
}

impl Entry {
    pub fn before_item(&self) -> Result<SdkItem, String> {
        item_from_json(&self.before).map_err(|e| format!("entry {}: before-image: {e}", self.seq))
    }
    pub fn after_item(&self) -> Result<SdkItem, String> {
        item_from_json(&self.after).map_err(|e| format!("entry {}: after-image: {e}", self.seq))
    }
}

/// What became of a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Written,
    /// The condition failed: DynamoDB wrote nothing.
    Skipped,
    /// An error; the write may or may not have happened.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OutcomeLine {
    run: String,
    seq: u64,
    time: String,
    outcome: Outcome,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Line {
    Entry(Box<Entry>),
    Outcome(OutcomeLine),
}

/// A journal being written.
#[derive(Debug)]
pub struct JournalWriter {
    path: PathBuf,
    run: String,
    /// The file and how many lines were written to it.
    file: Mutex<(File, u64)>,
    /// A second handle, for syncing, and how many lines are known to be on disk: concurrent
    /// writers share one sync (group commit) instead of queueing one each.
    synced: Mutex<(File, u64)>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl JournalWriter {
    /// Creates the journal (never over an existing file) and writes its header, synced.
    pub fn create(path: &Path, header: &Header) -> std::io::Result<JournalWriter> {
        let file = OpenOptions::new().write(true).create_new(true).open(path)?;
        let sync_handle = file.try_clone()?;
        let writer = JournalWriter {
            path: path.to_path_buf(),
            run: header.run.clone(),
            file: Mutex::new((file, 0)),
            synced: Mutex::new((sync_handle, 0)),
        };
        writer.append(&serde_json::to_value(header)?, true)?;
        // The file's name must survive a crash too.
        if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        } else if let Ok(d) = File::open(".") {
            let _ = d.sync_all();
        }
        Ok(writer)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Records an intended write; returns when the line is on disk.
    pub fn record(
        &self,
        seq: u64,
        op: Operation,
        key: &SdkItem,
        before: &SdkItem,
        after: &SdkItem,
    ) -> std::io::Result<()> {
        let entry = Entry {
            run: self.run.clone(),
            seq,
            time: now(),
            op,
            key: item_to_json(key),
            before: item_to_json(before),
            after: item_to_json(after),
        };
        self.append(&serde_json::to_value(entry)?, true)
    }

    /// Records what became of a write (flushed, not synced: undo does not depend on it for
    /// safety, only for clearer messages).
    pub fn outcome(&self, seq: u64, outcome: Outcome) -> std::io::Result<()> {
        let line = OutcomeLine {
            run: self.run.clone(),
            seq,
            time: now(),
            outcome,
        };
        self.append(&serde_json::to_value(line)?, false)
    }

    fn append(&self, value: &serde_json::Value, sync: bool) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(value)?;
        line.push(b'\n');
        let poisoned = || std::io::Error::other("journal lock poisoned");
        let mine = {
            let mut file = self.file.lock().map_err(|_| poisoned())?;
            // One write per line: a crash leaves at most the last line cut short.
            file.0.write_all(&line)?;
            file.0.flush()?;
            file.1 += 1;
            file.1
        };
        if !sync {
            return Ok(());
        }
        let mut synced = self.synced.lock().map_err(|_| poisoned())?;
        if synced.1 >= mine {
            // Another writer's sync, begun after this line was written, covered it.
            return Ok(());
        }
        let written = self.file.lock().map_err(|_| poisoned())?.1;
        synced.0.sync_data()?;
        synced.1 = written;
        Ok(())
    }
}

/// A journal as read back.
#[derive(Debug)]
pub struct Journal {
    pub header: Header,
    /// In the order they were written.
    pub entries: Vec<Entry>,
    pub outcomes: HashMap<u64, Outcome>,
    /// The line number of a last line cut short by a crash.
    pub truncated_line: Option<usize>,
}

/// A journal that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot read the journal {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a reglint journal line: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
    /// The run died while writing the header: it wrote nothing.
    #[error("{path} ends inside its header line: the run that wrote it changed nothing")]
    HeaderOnly { path: String },
}

/// Reads a journal. A last line without its newline (the run died while appending it) is
/// left out and reported in `truncated_line`; any other bad line is an error.
pub fn read_journal(path: &Path) -> Result<Journal, JournalError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| JournalError::Io {
        path: shown.clone(),
        source,
    })?;
    let complete = text.ends_with('\n');
    let lines: Vec<&str> = text.lines().collect();
    let invalid = |line: usize, message: String| JournalError::Invalid {
        path: shown.clone(),
        line,
        message,
    };
    let cut_short = |i: usize| !complete && i + 1 == lines.len();
    let Some(first) = lines.first() else {
        return Err(invalid(1, "the file is empty".into()));
    };
    let header: Header = match serde_json::from_str(first) {
        Ok(h) => h,
        Err(_) if cut_short(0) => return Err(JournalError::HeaderOnly { path: shown }),
        Err(e) => return Err(invalid(1, e.to_string())),
    };
    if header.journal != FORMAT {
        return Err(invalid(
            1,
            format!("unknown journal format {:?}", header.journal),
        ));
    }
    let mut journal = Journal {
        header,
        entries: Vec::new(),
        outcomes: HashMap::new(),
        truncated_line: None,
    };
    for (i, line) in lines.iter().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(line) {
            Ok(Line::Entry(e)) if e.run == journal.header.run => journal.entries.push(*e),
            Ok(Line::Outcome(o)) if o.run == journal.header.run => {
                journal.outcomes.insert(o.seq, o.outcome);
            }
            Ok(_) => return Err(invalid(i + 1, "a line of another run".into())),
            Err(_) if cut_short(i) => journal.truncated_line = Some(i + 1),
            Err(e) => return Err(invalid(i + 1, e.to_string())),
        }
    }
    Ok(journal)
}

/// The default journal name: `reglint-journal-<table>-<UTC time>.jsonl`.
pub fn default_path(table: &str) -> PathBuf {
    let safe: String = table
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let time = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    PathBuf::from(format!("reglint-journal-{safe}-{time}.jsonl"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;

    fn header() -> Header {
        Header {
            journal: FORMAT.into(),
            run: "r1".into(),
            time: now(),
            table: "t".into(),
            table_arn: "arn:aws:dynamodb:us-east-1:123456789012:table/t".into(),
            region: "us-east-1".into(),
            endpoint: None,
            key_schema: vec!["agent_id".into()],
            tool_version: "0".into(),
        }
    }

    fn item(alias: &str) -> SdkItem {
        let mut m = HashMap::new();
        m.insert("agent_id".to_string(), AttributeValue::S("A".into()));
        m.insert("alias_id".to_string(), AttributeValue::S(alias.into()));
        m
    }

    #[test]
    fn writes_and_reads_back_entries_and_outcomes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let w = JournalWriter::create(&path, &header()).unwrap();
        let key: SdkItem = item("x")
            .into_iter()
            .filter(|(k, _)| k == "agent_id")
            .collect();
        w.record(1, Operation::Update, &key, &item("x\""), &item("x"))
            .unwrap();
        w.outcome(1, Outcome::Written).unwrap();
        assert!(
            JournalWriter::create(&path, &header()).is_err(),
            "never overwrites a journal"
        );
        let j = read_journal(&path).unwrap();
        assert_eq!(j.header, header_with_time(&j.header.time));
        assert_eq!(j.entries.len(), 1);
        assert_eq!(j.entries[0].before_item().unwrap(), item("x\""));
        assert_eq!(j.entries[0].after_item().unwrap(), item("x"));
        assert_eq!(j.outcomes.get(&1), Some(&Outcome::Written));
        assert_eq!(j.truncated_line, None);
    }

    fn header_with_time(t: &str) -> Header {
        Header {
            time: t.into(),
            ..header()
        }
    }

    #[test]
    fn a_cut_short_last_line_is_tolerated_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        let w = JournalWriter::create(&path, &header()).unwrap();
        w.record(1, Operation::Update, &item("x"), &item("x\""), &item("x"))
            .unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("{\"run\":\"r1\",\"seq\":2,\"ti");
        std::fs::write(&path, &text).unwrap();
        let j = read_journal(&path).unwrap();
        assert_eq!(j.entries.len(), 1);
        assert_eq!(j.truncated_line, Some(3));

        text.push('\n');
        std::fs::write(&path, &text).unwrap();
        let err = read_journal(&path).unwrap_err().to_string();
        assert!(
            err.contains("j.jsonl:3: not a reglint journal line"),
            "{err}"
        );

        std::fs::write(&path, "{\"journal\":\"reglint-jour").unwrap();
        assert!(matches!(
            read_journal(&path),
            Err(JournalError::HeaderOnly { .. })
        ));
    }

    #[test]
    fn default_name_holds_the_table_and_time() {
        let p = default_path("my/table").display().to_string();
        assert!(p.starts_with("reglint-journal-my_table-2"), "{p}");
        assert!(p.ends_with("Z.jsonl"), "{p}");
    }
}
