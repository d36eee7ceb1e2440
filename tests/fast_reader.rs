//! The parallel file pipeline reads items with the one-pass reader (`source::fast`) and falls
//! back to the general reader when the fast one gives up. Equal results alone would also hold
//! if the fast reader gave up on everything; so on well-formed corpora of every format this
//! checks both that the items are the general reader's (values; positions are compared in
//! reports by `tests/parallel_pipeline.rs`) and that the fast reader read every one of them
//! itself (its process-wide tally). On an input it must not
//! accept, the tally shows the fallback. One test in this binary, so nothing else moves the
//! tally meanwhile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/gen.rs"]
#[allow(dead_code)]
mod gen;

use std::path::Path;

use reglint::model::Item;
use reglint::source::fast::{self, Tally};
use reglint::source::parallel::read_parallel;
use reglint::source::{FileReader, InputFormat, SourceSpec};

/// An item without its spans (the general reader's are relative to the file, the parallel
/// pipeline's to the item's own text).
fn values(item: &Item) -> String {
    static SPANS: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let spans = SPANS
        .get_or_init(|| regex::Regex::new(r"Some\(Span \{ start: \d+, end: \d+ \}\)").unwrap());
    let text = format!("{item:?}");
    assert!(spans.is_match(&text) || item.attrs.is_empty(), "{text}");
    spans.replace_all(&text, "_").into_owned()
}

/// The general reader's items.
fn general(path: &Path) -> Vec<String> {
    let mut items = Vec::new();
    FileReader {
        format: InputFormat::Auto,
    }
    .read(&SourceSpec::Path(path.to_path_buf()), &mut |si| {
        items.push(values(&si.item))
    })
    .unwrap();
    items
}

/// The parallel pipeline's items in source order, and what the fast reader did meanwhile.
fn parallel(path: &Path) -> (Vec<String>, Tally) {
    let before = fast::tally();
    let mut items = Vec::new();
    read_parallel(
        InputFormat::Auto,
        &SourceSpec::Path(path.to_path_buf()),
        3,
        |item, _| values(item),
        |_, _, item, _| items.push(item),
    )
    .unwrap();
    let after = fast::tally();
    let tally = Tally {
        read: after.read - before.read,
        gave_up: after.gave_up - before.gave_up,
    };
    (items, tally)
}

#[test]
fn well_formed_input_takes_the_fast_path_and_gives_the_general_readers_items() {
    let dir = tempfile::tempdir().unwrap();
    for format in gen::OutFormat::ALL {
        let spec = gen::Spec {
            items: 1000,
            format,
            defect_rate: 0.3,
            seed: 5,
            files: 4,
        };
        let path = dir.path().join(format!("corpus-{}", format.name()));
        gen::write_corpus(&spec, &path).unwrap();
        let reference = general(&path);
        let (items, tally) = parallel(&path);
        let name = format.name();
        assert_eq!(reference.len(), 1000, "{name}");
        assert_eq!(items.len(), reference.len(), "{name}");
        for (i, (got, want)) in items.iter().zip(&reference).enumerate() {
            assert_eq!(got, want, "{name}: item {i}");
        }
        // A batch-write request is one document under a wrapper the block splitter does not
        // know: the general reader reads it whole, by design, and the fast one is not asked.
        let expected = match format {
            gen::OutFormat::BatchWrite => Tally::default(),
            _ => Tally {
                read: 1000,
                gave_up: 0,
            },
        };
        assert_eq!(tally, expected, "{name}: what the one-pass reader read");
    }

    // A line the fast reader does not take (a scan output on one line): the general reader
    // reads it, the tally says so, and the items are still the general reader's.
    let path = dir.path().join("mixed.jsonl");
    std::fs::write(
        &path,
        "{\"agent_id\": {\"S\": \"A1\"}}\n\
         {\"Items\": [{\"agent_id\": {\"S\": \"B1\"}}, {\"agent_id\": {\"S\": \"B2\"}}]}\n\
         {\"agent_id\": {\"S\": \"C1\"}}\n",
    )
    .unwrap();
    let (items, tally) = parallel(&path);
    assert_eq!(items, general(&path));
    assert_eq!(items.len(), 4);
    assert_eq!(
        tally,
        Tally {
            read: 2,
            gave_up: 1
        }
    );
}
