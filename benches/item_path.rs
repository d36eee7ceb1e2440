//! The per-item hot path: reading one item's text into an `Item`, every item rule, the
//! registry claims, and the whole of it as a worker runs it. Items come from the corpus
//! generator (examples/gen.rs) with its default defect mix.
//!
//! `cargo bench --bench item_path`

#[path = "../examples/gen.rs"]
#[allow(dead_code)]
mod gen;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use reglint::config::Config;
use reglint::lint::Linter;
use reglint::model::{Format, Item};
use reglint::rules::registry::{Claims, RegistryIndex, Seen};
use reglint::select::Selection;
use reglint::source::fast::parse_line;
use reglint::source::json::{parse_item, split_document};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ITEMS: usize = 1000;

fn lines(format: gen::OutFormat) -> Vec<String> {
    let spec = gen::Spec {
        items: ITEMS,
        format,
        ..gen::Spec::default()
    };
    (0..ITEMS as u64)
        .map(|i| gen::item_text(&spec, i))
        .collect()
}

fn bytes(lines: &[String]) -> u64 {
    lines.iter().map(|l| l.len() as u64).sum()
}

fn parse_all(lines: &[String], format: Format) -> Vec<Item> {
    lines.iter().filter_map(|l| parse_line(l, format)).collect()
}

fn bench(c: &mut Criterion) {
    let typed = lines(gen::OutFormat::JsonlItem);
    let plain = lines(gen::OutFormat::PlainJsonl);
    let config = Config::default();
    let linter = Linter::new(&config, &Selection::new(None, vec![], vec![]), false);

    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes(&typed)));
    g.bench_function("typed line, one pass", |b| {
        b.iter(|| parse_all(&typed, Format::Dynamodb))
    });
    g.bench_function("typed line, general reader", |b| {
        b.iter(|| {
            typed
                .iter()
                .filter_map(|l| {
                    let (_, raws) = split_document(l).ok()?;
                    parse_item(l, raws.first()?.ok()?, Format::Dynamodb).ok()
                })
                .collect::<Vec<_>>()
        })
    });
    g.throughput(Throughput::Bytes(bytes(&plain)));
    g.bench_function("plain line, one pass", |b| {
        b.iter(|| parse_all(&plain, Format::Plain))
    });
    g.finish();

    let items = parse_all(&typed, Format::Dynamodb);
    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Elements(items.len() as u64));
    g.bench_function("every item rule", |b| {
        b.iter(|| items.iter().map(|i| linter.lint(i).len()).sum::<usize>())
    });
    g.finish();

    // One rule at a time, to see which cost what.
    let mut g = c.benchmark_group("rule");
    g.throughput(Throughput::Elements(items.len() as u64));
    for rule in reglint::rules::RULES {
        if let reglint::rules::Check::Item(_) = rule.check {
            let one = [*rule];
            g.bench_function(rule.code, |b| {
                b.iter(|| {
                    items
                        .iter()
                        .map(|i| reglint::rules::check_item(i, &linter.settings, &one).len())
                        .sum::<usize>()
                })
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("registry");
    g.throughput(Throughput::Elements(items.len() as u64));
    g.bench_function("registry claims", |b| {
        b.iter(|| {
            items
                .iter()
                .map(|i| Claims::of(i, None))
                .collect::<Vec<_>>()
        })
    });
    g.bench_function("registry index, in order", |b| {
        let claims: Vec<_> = items.iter().map(|i| Claims::of(i, None)).collect();
        b.iter_batched(
            RegistryIndex::default,
            |mut index| {
                let mut found = 0;
                for (k, (item, c)) in items.iter().zip(&claims).enumerate() {
                    let here = Seen::At {
                        label: "bench.jsonl",
                        index: k,
                        line: Some(k + 1),
                    };
                    found += index.observe_claims(c, item, None, here).len();
                }
                found
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();

    let mut g = c.benchmark_group("item");
    g.throughput(Throughput::Elements(typed.len() as u64));
    g.bench_function("parse, lint, claims, free", |b| {
        b.iter(|| {
            let mut found = 0;
            for l in &typed {
                if let Some(item) = parse_line(l, Format::Dynamodb) {
                    found += linter.lint(&item).len();
                    found += usize::from(Claims::of(&item, None) != Claims::default());
                }
            }
            found
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
