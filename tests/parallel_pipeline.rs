//! The parallel file pipeline gives exactly the report of a sequential read: the same
//! diagnostics in the same order, the same summary, and for bad input the same error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../examples/gen.rs"]
#[allow(dead_code)]
mod gen;

use std::path::{Path, PathBuf};

use reglint::commands::check::{check_file_source_with, FileRun, FixMode, Pipeline};
use reglint::config::Config;
use reglint::error::RunError;
use reglint::lint::Linter;
use reglint::report::{render, OutputFormat, RenderOptions, Report};
use reglint::rules::registry::RegistryIndex;
use reglint::select::Selection;
use reglint::source::{InputFormat, SourceSpec};

/// What a run produced, rendered: diagnostics in the order found, then the sorted json and
/// concise reports.
#[derive(Debug, PartialEq)]
struct Outcome {
    found: Vec<String>,
    json: String,
    concise: String,
}

fn check(path: &Path, pipeline: Pipeline) -> Result<Outcome, String> {
    let config = Config::default();
    let linter = Linter::new(&config, &Selection::new(None, vec![], vec![]), false);
    let run = FileRun {
        linter: &linter,
        input_format: InputFormat::Auto,
        mode: FixMode::Report,
        verify: None,
    };
    let mut report = Report::default();
    let mut registry = RegistryIndex::default();
    let spec = SourceSpec::Path(path.to_path_buf());
    check_file_source_with(&run, 0, &spec, &mut report, &mut registry, pipeline)
        .map_err(|e: RunError| e.to_string())?;
    let found = report
        .diagnostics
        .iter()
        .map(|d| d.to_json().to_string())
        .collect();
    report.sort();
    let rendered = |format| {
        let mut out = Vec::new();
        render(&report, format, &RenderOptions::default(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    Ok(Outcome {
        found,
        json: rendered(OutputFormat::Json),
        concise: rendered(OutputFormat::Concise),
    })
}

fn generate(dir: &Path, format: gen::OutFormat, items: usize) -> PathBuf {
    let spec = gen::Spec {
        items,
        format,
        defect_rate: 0.3,
        seed: 7,
        files: 5,
    };
    let out = dir.join(format!("corpus-{}", format.name()));
    gen::write_corpus(&spec, &out).unwrap();
    out
}

#[test]
fn parallel_report_is_the_sequential_report_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    for format in gen::OutFormat::ALL {
        let path = generate(dir.path(), format, 3000);
        let sequential = check(&path, Pipeline::Sequential).unwrap();
        assert!(
            sequential.found.len() > 150,
            "{}: {} diagnostics",
            format.name(),
            sequential.found.len()
        );
        assert!(
            sequential.concise.contains("3000 items"),
            "{}",
            format.name()
        );
        for threads in [1, 3] {
            let parallel = check(&path, Pipeline::Parallel(threads)).unwrap();
            assert_eq!(
                parallel.found.len(),
                sequential.found.len(),
                "{} with {threads} threads",
                format.name()
            );
            for (p, s) in parallel.found.iter().zip(&sequential.found) {
                assert_eq!(p, s, "{} with {threads} threads", format.name());
            }
            assert_eq!(
                parallel,
                sequential,
                "{} with {threads} threads",
                format.name()
            );
        }
    }
}

#[test]
fn items_cut_out_of_one_long_line_keep_their_columns() {
    let dir = tempfile::tempdir().unwrap();
    for format in [
        gen::OutFormat::TypedArray,
        gen::OutFormat::Plain,
        gen::OutFormat::Scan,
    ] {
        let path = generate(dir.path(), format, 1500);
        let one_line = std::fs::read_to_string(&path)
            .unwrap()
            .replace(",\n", ", ")
            .replace("[\n", "[ ");
        assert_eq!(one_line.trim_end().lines().count(), 2);
        std::fs::write(&path, one_line).unwrap();
        let sequential = check(&path, Pipeline::Sequential).unwrap();
        let parallel = check(&path, Pipeline::Parallel(2)).unwrap();
        assert!(sequential.concise.contains(":1:"), "{}", format.name());
        assert_eq!(parallel, sequential, "{}", format.name());
    }
}

#[test]
fn bad_input_gives_the_sequential_error() {
    let dir = tempfile::tempdir().unwrap();
    let lines = generate(dir.path(), gen::OutFormat::Jsonl, 2000);
    let array = generate(dir.path(), gen::OutFormat::TypedArray, 2000);
    let text = |p: &Path| std::fs::read(p).unwrap();
    let cases: Vec<(&str, PathBuf, Vec<u8>)> = vec![
        ("jsonl syntax", lines.clone(), {
            let t = String::from_utf8(text(&lines)).unwrap();
            let mut ls: Vec<&str> = t.lines().collect();
            ls[1500] = "{\"agent_id\": {\"S\": \"x\"},}";
            (ls.join("\n") + "\n").into_bytes()
        }),
        ("jsonl not utf-8", lines.clone(), {
            let mut b = text(&lines);
            let at = b.len() / 2;
            b[at] = 0xff;
            b
        }),
        ("jsonl scan output line", lines.clone(), {
            let mut b = br#"{"Items": [{"a": {"S": "x"}}, {"a": {"S": "y"}}]}"#.to_vec();
            b.push(b'\n');
            b.extend(text(&lines));
            b
        }),
        ("array syntax", array.clone(), {
            let t = String::from_utf8(text(&array)).unwrap();
            t.replacen("},\n{", "}\n{", 1500).into_bytes()
        }),
        ("array element not an object", array.clone(), {
            let t = String::from_utf8(text(&array)).unwrap();
            t.replacen("]\n", ", 5]\n", 1)
                .replace(", 5]\n", ",\n5]\n")
                .into_bytes()
        }),
        ("array truncated", array.clone(), {
            let b = text(&array);
            b[..b.len() * 2 / 3].to_vec()
        }),
        ("array trailing characters", array.clone(), {
            let mut b = text(&array);
            b.extend_from_slice(b"x");
            b
        }),
        ("array not utf-8", array.clone(), {
            let mut b = text(&array);
            let at = b.len() / 3;
            b[at] = 0xC3;
            b[at + 1] = b'"';
            b
        }),
    ];
    for (name, path, bytes) in cases {
        std::fs::write(&path, &bytes).unwrap();
        let sequential = check(&path, Pipeline::Sequential);
        let parallel = check(&path, Pipeline::Parallel(3));
        assert_eq!(parallel, sequential, "{name}");
    }
}

#[test]
fn export_data_files_are_read_in_manifest_order() {
    let dir = tempfile::tempdir().unwrap();
    let spec = gen::Spec {
        items: 2500,
        format: gen::OutFormat::Export,
        defect_rate: 1.0,
        seed: 3,
        files: 5,
    };
    let out = dir.path().join("export");
    gen::write_corpus(&spec, &out).unwrap();
    let names = gen::export_file_names(&spec);
    let mut sorted = names.clone();
    sorted.sort();
    assert_ne!(
        sorted, names,
        "the manifest order must differ from the sorted order"
    );
    for pipeline in [Pipeline::Sequential, Pipeline::Parallel(3)] {
        let outcome = check(&out, pipeline).unwrap();
        let v: serde_json::Value = serde_json::from_str(&outcome.json).unwrap();
        assert_eq!(v["sources"][0]["kind"], "export");
        assert_eq!(v["summary"]["items"], 2500);
        let mut seen_files: Vec<String> = Vec::new();
        let mut last_index = 0;
        for d in v["diagnostics"].as_array().unwrap() {
            let index = d["item"]["index"].as_u64().unwrap();
            assert!(index >= last_index);
            last_index = index;
            let path = d["location"]["path"].as_str().unwrap();
            let file = Path::new(path)
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
            // 500 items per file, in manifest order.
            assert_eq!(file, names[index as usize / 500], "item {index}");
            if seen_files.last() != Some(&file) {
                seen_files.push(file);
            }
        }
        assert_eq!(seen_files, names);
    }
}
