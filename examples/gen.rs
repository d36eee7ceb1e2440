//! Generates registry corpora for benchmarks and tests: N items with a controlled mix of every
//! defect of the rule catalogue, written in every input format reglint reads.
//!
//! ```text
//! cargo run --release --example gen -- --items 1000000 --format jsonl --out /tmp/r.jsonl
//! cargo run --release --example gen -- --items 1000000 --format export --out /tmp/export
//! ```
//!
//! Formats: `plain` (JSON array of plain items), `plain-jsonl`, `jsonl` (typed JSON Lines),
//! `jsonl-item` (typed JSON Lines, one `{"Item": …}` per line, as in an export), `typed-array`
//! (a JSON array of typed items, ready for BatchWriteItem into a test table), `scan`
//! (`aws dynamodb scan` output), `batch-write` (a `batch-write-item` request file) and `export`
//! (a directory with manifest-files.json and several data/*.json.gz files).
//!
//! Tests and benches include this file as a module and call [`write_corpus`] directly.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The input formats the generator writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Plain,
    PlainJsonl,
    Jsonl,
    JsonlItem,
    TypedArray,
    Scan,
    BatchWrite,
    Export,
}

impl OutFormat {
    pub const ALL: [OutFormat; 8] = [
        OutFormat::Plain,
        OutFormat::PlainJsonl,
        OutFormat::Jsonl,
        OutFormat::JsonlItem,
        OutFormat::TypedArray,
        OutFormat::Scan,
        OutFormat::BatchWrite,
        OutFormat::Export,
    ];

    pub fn parse(s: &str) -> Option<OutFormat> {
        OutFormat::ALL.into_iter().find(|f| f.name() == s)
    }

    pub fn name(self) -> &'static str {
        match self {
            OutFormat::Plain => "plain",
            OutFormat::PlainJsonl => "plain-jsonl",
            OutFormat::Jsonl => "jsonl",
            OutFormat::JsonlItem => "jsonl-item",
            OutFormat::TypedArray => "typed-array",
            OutFormat::Scan => "scan",
            OutFormat::BatchWrite => "batch-write",
            OutFormat::Export => "export",
        }
    }

    fn typed(self) -> bool {
        !matches!(self, OutFormat::Plain | OutFormat::PlainJsonl)
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    pub items: usize,
    pub format: OutFormat,
    /// Share of items that carry a defect (0.0 to 1.0).
    pub defect_rate: f64,
    pub seed: u64,
    /// Data files of an export (0: one per 62,500 items, at least 2, at most 64).
    pub files: usize,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            items: 1000,
            format: OutFormat::Jsonl,
            defect_rate: 0.1,
            seed: 1,
            files: 0,
        }
    }
}

/// The defects of the catalogue (spec §4.1/§4.2), each with the rule that should catch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// RG000: `{"S": 5}` (typed formats only; plain items get RG002's `name` as a number).
    MalformedTyped,
    /// RG001
    MissingRequired,
    /// RG002: `name` as a number.
    NameAsNumber,
    /// RG003
    CapabilitiesAsString,
    /// RG004 (typed: an SS; plain: a list with a repeat instead)
    CapabilitiesAsSet,
    /// RG005
    EnabledAsString,
    /// RG006
    NearMissAttribute,
    /// RG007
    BlankName,
    /// RG101
    StrayQuote,
    /// RG101: zero-width space inside the agent ID.
    ZeroWidth,
    /// RG102
    MalformedAgentId,
    /// RG103
    MalformedAliasId,
    /// RG104
    DraftAlias,
    /// RG105: account as a number (leading zero lost).
    AccountAsNumber,
    /// RG105: account with separators.
    AccountWithDashes,
    /// RG106
    BedrockAgentType,
    /// RG107
    MalformedRuntimeArn,
    /// RG108
    AccountMismatch,
    /// RG109
    MalformedRegion,
    /// RG201
    BlankListElement,
    /// RG202
    DuplicateListElement,
    /// RG203
    UntrimmedText,
    /// RG204
    EnabledWithoutCapabilities,
    /// RG205
    ControlCharacters,
    /// RG301: the same registration as an earlier item.
    DuplicateRegistration,
    /// RG302: the same name as an earlier item, in another case.
    DuplicateName,
}

impl Defect {
    pub const ALL: [Defect; 26] = [
        Defect::MalformedTyped,
        Defect::MissingRequired,
        Defect::NameAsNumber,
        Defect::CapabilitiesAsString,
        Defect::CapabilitiesAsSet,
        Defect::EnabledAsString,
        Defect::NearMissAttribute,
        Defect::BlankName,
        Defect::StrayQuote,
        Defect::ZeroWidth,
        Defect::MalformedAgentId,
        Defect::MalformedAliasId,
        Defect::DraftAlias,
        Defect::AccountAsNumber,
        Defect::AccountWithDashes,
        Defect::BedrockAgentType,
        Defect::MalformedRuntimeArn,
        Defect::AccountMismatch,
        Defect::MalformedRegion,
        Defect::BlankListElement,
        Defect::DuplicateListElement,
        Defect::UntrimmedText,
        Defect::EnabledWithoutCapabilities,
        Defect::ControlCharacters,
        Defect::DuplicateRegistration,
        Defect::DuplicateName,
    ];
}

/// splitmix64: small, fast and deterministic for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

fn mix(seed: u64, i: u64, salt: u64) -> u64 {
    Rng(seed ^ i.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ salt.rotate_left(17)).next()
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn ident(seed: u64, i: u64, salt: u64) -> String {
    let mut h = mix(seed, i, salt);
    let mut s = String::with_capacity(10);
    for _ in 0..10 {
        s.push(ALNUM[(h % 36) as usize] as char);
        h /= 36;
        if h == 0 {
            h = mix(seed, i, salt + 1);
        }
    }
    s
}

fn account(seed: u64, i: u64) -> String {
    // A small set of accounts, some with a leading zero.
    let n = mix(seed, i % 37, 99) % 1_000_000_000_000;
    format!(
        "{:012}",
        if i.is_multiple_of(5) {
            n % 100_000_000_000
        } else {
            n
        }
    )
}

const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"];
const CAPS: [&str; 8] = [
    "billing",
    "refunds",
    "search",
    "summarise",
    "translate",
    "triage",
    "forecast",
    "audit",
];
const DOMAINS: [&str; 4] = ["finance", "support", "operations", "sales"];

/// An attribute value as the generator writes it.
#[derive(Debug, Clone)]
enum G {
    S(String),
    /// A number, written as its text.
    N(String),
    Bool(bool),
    L(Vec<G>),
    SS(Vec<String>),
    /// Typed JSON written as is (malformed typed values).
    RawTyped(&'static str),
}

fn strings(v: &[&str]) -> G {
    G::L(v.iter().map(|s| G::S((*s).to_string())).collect())
}

/// The attributes of item `i`, in written order.
fn item(spec: &Spec, i: u64, rng: &mut Rng) -> Vec<(String, G)> {
    let seed = spec.seed;
    let agentcore = i % 4 == 3;
    let mut attrs: Vec<(String, G)> = Vec::with_capacity(12);
    let acct = account(seed, i);
    let region = REGIONS[(i % 4) as usize];
    let agent = ident(seed, i, 1);
    if agentcore {
        attrs.push(("agent_id".into(), G::S(format!("runtime-{i}"))));
        attrs.push((
            "runtime_arn".into(),
            G::S(format!(
                "arn:aws:bedrock-agentcore:{region}:{acct}:runtime/agent_{i}-{}",
                ident(seed, i, 3)
            )),
        ));
        attrs.push(("qualifier".into(), G::S("DEFAULT".into())));
    } else {
        attrs.push(("agent_id".into(), G::S(agent)));
        attrs.push(("alias_id".into(), G::S(ident(seed, i, 2))));
    }
    attrs.push(("name".into(), G::S(format!("agent-{i:07}"))));
    attrs.push((
        "description".into(),
        G::S(format!(
            "Answers {} questions for the {} team; routes anything else back to the hub (entry {i})",
            CAPS[(i % 8) as usize],
            DOMAINS[(i % 4) as usize]
        )),
    ));
    attrs.push((
        "agent_type".into(),
        G::S(
            if agentcore {
                "agentcore"
            } else {
                "bedrock_agent"
            }
            .into(),
        ),
    ));
    attrs.push(("account_id".into(), G::S(acct)));
    attrs.push(("region".into(), G::S(region.into())));
    attrs.push(("enabled".into(), G::Bool(true)));
    attrs.push((
        "capabilities".into(),
        strings(&[CAPS[(i % 8) as usize], CAPS[((i + 3) % 8) as usize]]),
    ));
    attrs.push(("domains".into(), strings(&[DOMAINS[(i % 4) as usize]])));
    attrs.push((
        "example_queries".into(),
        strings(&[
            "What is the status of my last invoice?",
            "Summarise yesterday's incidents",
        ]),
    ));
    if spec.defect_rate > 0.0 && rng.chance(spec.defect_rate) {
        let defect = Defect::ALL[rng.below(Defect::ALL.len())];
        apply_defect(spec, i, defect, agentcore, &mut attrs, rng);
    }
    attrs
}

fn set(attrs: &mut [(String, G)], name: &str, v: G) {
    if let Some(a) = attrs.iter_mut().find(|a| a.0 == name) {
        a.1 = v;
    }
}

fn get_s(attrs: &[(String, G)], name: &str) -> Option<String> {
    attrs.iter().find(|a| a.0 == name).and_then(|a| match &a.1 {
        G::S(s) => Some(s.clone()),
        _ => None,
    })
}

fn apply_defect(
    spec: &Spec,
    i: u64,
    defect: Defect,
    agentcore: bool,
    attrs: &mut Vec<(String, G)>,
    rng: &mut Rng,
) {
    let typed = spec.format.typed();
    let id_attr = if agentcore { "runtime_arn" } else { "alias_id" };
    match defect {
        Defect::MalformedTyped if typed => set(attrs, "region", G::RawTyped(r#"{"S": 5}"#)),
        Defect::MalformedTyped | Defect::NameAsNumber => set(attrs, "name", G::N(i.to_string())),
        Defect::MissingRequired => attrs.retain(|a| a.0 != "description"),
        Defect::CapabilitiesAsString => set(
            attrs,
            "capabilities",
            G::S("billing, refunds; search".into()),
        ),
        Defect::CapabilitiesAsSet if typed => set(
            attrs,
            "capabilities",
            G::SS(vec!["search".into(), "billing".into()]),
        ),
        Defect::CapabilitiesAsSet | Defect::DuplicateListElement => set(
            attrs,
            "capabilities",
            strings(&["search", "billing", "search", "Search "]),
        ),
        Defect::EnabledAsString => set(attrs, "enabled", G::S("True".into())),
        Defect::NearMissAttribute => {
            if let Some(a) = attrs.iter_mut().find(|a| a.0 == "capabilities") {
                a.0 = "capabilites".into();
            }
        }
        Defect::BlankName => set(attrs, "name", G::S("   ".into())),
        Defect::StrayQuote => {
            if let Some(v) = get_s(attrs, id_attr) {
                set(attrs, id_attr, G::S(format!("{v}\"")));
            }
        }
        Defect::ZeroWidth => {
            if let Some(v) = get_s(attrs, "account_id") {
                set(attrs, "account_id", G::S(format!("\u{200B}{v}")));
            }
        }
        Defect::MalformedAgentId if !agentcore => set(attrs, "agent_id", G::S("agent-12".into())),
        Defect::MalformedAliasId if !agentcore => set(attrs, "alias_id", G::S("LIVE".into())),
        Defect::DraftAlias if !agentcore => set(attrs, "alias_id", G::S("TSTALIASID".into())),
        Defect::AccountAsNumber => set(
            attrs,
            "account_id",
            G::N(format!("{}", 12_345_678_901 + i % 1000)),
        ),
        Defect::AccountWithDashes => set(attrs, "account_id", G::S("0123-4567-8901".into())),
        Defect::BedrockAgentType => {
            let v = if agentcore {
                "AgentCore"
            } else {
                "Bedrock-Agent"
            };
            set(attrs, "agent_type", G::S(v.into()));
        }
        Defect::MalformedRuntimeArn if agentcore => set(
            attrs,
            "runtime_arn",
            G::S(format!("arn:aws:bedrock:us-east-1:1234:agent/{i}")),
        ),
        Defect::AccountMismatch if agentcore => {
            set(attrs, "account_id", G::S("999999999999".into()))
        }
        Defect::MalformedRegion => set(attrs, "region", G::S("us-east".into())),
        Defect::BlankListElement => set(attrs, "domains", strings(&["finance", "", " "])),
        Defect::UntrimmedText => {
            if let Some(v) = get_s(attrs, "description") {
                set(attrs, "description", G::S(format!("  {v} ")));
            }
        }
        Defect::EnabledWithoutCapabilities => set(attrs, "capabilities", G::L(Vec::new())),
        Defect::ControlCharacters => {
            if let Some(v) = get_s(attrs, "description") {
                set(attrs, "description", G::S(format!("{v}\u{7}\u{202E}")));
            }
        }
        Defect::DuplicateRegistration if i > 0 => {
            // The same registration as an earlier item of the same kind.
            let j = i - 1 - rng.below(i.min(1000) as usize) as u64 / 4 * 4;
            let earlier = item(
                &Spec {
                    defect_rate: 0.0,
                    ..spec.clone()
                },
                j,
                &mut Rng(0),
            );
            for name in [
                "agent_id",
                "alias_id",
                "runtime_arn",
                "account_id",
                "agent_type",
            ] {
                if let Some(v) = earlier.iter().find(|a| a.0 == name) {
                    let v = v.1.clone();
                    match attrs.iter_mut().find(|a| a.0 == name) {
                        Some(a) => a.1 = v,
                        None => attrs.push((name.into(), v)),
                    }
                }
            }
        }
        Defect::DuplicateName if i > 0 => {
            let j = i - 1 - rng.below(i.min(1000) as usize) as u64;
            set(attrs, "name", G::S(format!("AGENT-{j:07}")));
        }
        // Defects that do not apply to this kind of item: a draft alias or a plain item.
        _ => set(attrs, "region", G::S("us-east".into())),
    }
}

fn json_str(out: &mut String, s: &str) {
    // serde_json escapes exactly what JSON needs (quotes, backslashes, control characters).
    let _ = write!(out, "{}", serde_json::Value::String(s.to_string()));
}

fn write_typed(out: &mut String, v: &G) {
    match v {
        G::S(s) => {
            out.push_str("{\"S\":");
            json_str(out, s);
            out.push('}');
        }
        G::N(n) => {
            out.push_str("{\"N\":\"");
            out.push_str(n);
            out.push_str("\"}");
        }
        G::Bool(b) => {
            let _ = write!(out, "{{\"BOOL\":{b}}}");
        }
        G::L(items) => {
            out.push_str("{\"L\":[");
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_typed(out, it);
            }
            out.push_str("]}");
        }
        G::SS(items) => {
            out.push_str("{\"SS\":[");
            for (k, s) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                json_str(out, s);
            }
            out.push_str("]}");
        }
        G::RawTyped(raw) => out.push_str(raw),
    }
}

fn write_plain(out: &mut String, v: &G) {
    match v {
        G::S(s) => json_str(out, s),
        G::N(n) => out.push_str(n),
        G::Bool(b) => {
            let _ = write!(out, "{b}");
        }
        G::L(items) => {
            out.push('[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(',');
                }
                write_plain(out, it);
            }
            out.push(']');
        }
        G::SS(items) => write_plain(out, &G::L(items.iter().cloned().map(G::S).collect())),
        G::RawTyped(_) => out.push_str("null"),
    }
}

fn write_item(out: &mut String, attrs: &[(String, G)], typed: bool) {
    out.push('{');
    for (k, (name, v)) in attrs.iter().enumerate() {
        if k > 0 {
            out.push(',');
        }
        json_str(out, name);
        out.push(':');
        if typed {
            write_typed(out, v);
        } else {
            write_plain(out, v);
        }
    }
    out.push('}');
}

/// Item `i` of the corpus as one line of its format (no newline).
pub fn item_text(spec: &Spec, i: u64) -> String {
    let mut rng = Rng(mix(spec.seed, i, 7));
    let attrs = item(spec, i, &mut rng);
    let mut out = String::with_capacity(600);
    match spec.format {
        OutFormat::JsonlItem | OutFormat::Export => {
            out.push_str("{\"Item\":");
            write_item(&mut out, &attrs, true);
            out.push('}');
        }
        OutFormat::BatchWrite => {
            out.push_str("{\"PutRequest\":{\"Item\":");
            write_item(&mut out, &attrs, true);
            out.push_str("}}");
        }
        f => write_item(&mut out, &attrs, f.typed()),
    }
    out
}

/// Writes items `range` as lines (JSON Lines) or array elements (`sep` between them).
fn write_items(
    w: &mut impl std::io::Write,
    spec: &Spec,
    range: std::ops::Range<u64>,
    sep: &str,
) -> std::io::Result<()> {
    let mut buf = String::with_capacity(1 << 20);
    for i in range.clone() {
        if i > range.start {
            buf.push_str(sep);
        }
        buf.push_str(&item_text(spec, i));
        if buf.len() > (1 << 20) - 1024 {
            w.write_all(buf.as_bytes())?;
            buf.clear();
        }
    }
    w.write_all(buf.as_bytes())
}

fn create(path: &Path) -> std::io::Result<std::io::BufWriter<std::fs::File>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    Ok(std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::File::create(path)?,
    ))
}

/// The data files of an export, in manifest order: names deliberately not in sorted order.
pub fn export_file_names(spec: &Spec) -> Vec<String> {
    (0..export_files(spec))
        .map(|k| format!("{:08x}-{k:03}.json.gz", mix(spec.seed, k as u64, 5) as u32))
        .collect()
}

fn export_files(spec: &Spec) -> usize {
    match spec.files {
        0 => spec.items.div_ceil(62_500).clamp(2, 64),
        n => n,
    }
}

/// Writes the corpus at `out` (a file, or a directory for an export).
pub fn write_corpus(spec: &Spec, out: &Path) -> std::io::Result<()> {
    let n = spec.items as u64;
    match spec.format {
        OutFormat::Plain | OutFormat::TypedArray => {
            let mut w = create(out)?;
            w.write_all(b"[\n")?;
            write_items(&mut w, spec, 0..n, ",\n")?;
            w.write_all(b"\n]\n")?;
            w.flush()
        }
        OutFormat::Scan => {
            let mut w = create(out)?;
            w.write_all(b"{\"Items\": [\n")?;
            write_items(&mut w, spec, 0..n, ",\n")?;
            writeln!(w, "\n], \"Count\": {n}, \"ScannedCount\": {n}}}")?;
            w.flush()
        }
        OutFormat::BatchWrite => {
            let mut w = create(out)?;
            w.write_all(b"{\"registry\": [\n")?;
            write_items(&mut w, spec, 0..n, ",\n")?;
            w.write_all(b"\n]}\n")?;
            w.flush()
        }
        OutFormat::PlainJsonl | OutFormat::Jsonl | OutFormat::JsonlItem => {
            let mut w = create(out)?;
            if n > 0 {
                write_items(&mut w, spec, 0..n, "\n")?;
                w.write_all(b"\n")?;
            }
            w.flush()
        }
        OutFormat::Export => write_export(spec, out),
    }
}

fn write_export(spec: &Spec, dir: &Path) -> std::io::Result<()> {
    let data = dir.join("data");
    std::fs::create_dir_all(&data)?;
    let names = export_file_names(spec);
    let per = (spec.items as u64).div_ceil(names.len() as u64);
    let ranges: Vec<_> = (0..names.len() as u64)
        .map(|k| (k * per).min(spec.items as u64)..((k + 1) * per).min(spec.items as u64))
        .collect();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<_> = names.iter().zip(ranges.iter()).collect();
    std::thread::scope(|s| -> std::io::Result<()> {
        let per_thread = chunks.len().div_ceil(threads);
        let handles: Vec<_> = chunks
            .chunks(per_thread.max(1))
            .map(|part| {
                let data = &data;
                s.spawn(move || -> std::io::Result<()> {
                    for (name, range) in part {
                        let file = std::fs::File::create(data.join(name))?;
                        let mut enc = flate2::write::GzEncoder::new(
                            std::io::BufWriter::new(file),
                            flate2::Compression::default(),
                        );
                        if !range.is_empty() {
                            write_items(&mut enc, spec, (*range).clone(), "\n")?;
                            enc.write_all(b"\n")?;
                        }
                        enc.finish()?.flush()?;
                    }
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join()
                .map_err(|_| std::io::Error::other("a writer thread panicked"))??;
        }
        Ok(())
    })?;
    let mut manifest = String::new();
    for (name, range) in names.iter().zip(&ranges) {
        let _ = writeln!(
            manifest,
            "{{\"itemCount\":{},\"md5Checksum\":\"{:032x}\",\"etag\":\"{:032x}\",\"dataFileS3Key\":\"AWSDynamoDB/01700000000000-abcdef12/data/{name}\"}}",
            range.end - range.start,
            mix(spec.seed, range.start, 11),
            mix(spec.seed, range.start, 13)
        );
    }
    std::fs::write(dir.join("manifest-files.json"), manifest)?;
    std::fs::write(
        dir.join("manifest-summary.json"),
        format!(
            "{{\"version\":\"2020-06-30\",\"exportArn\":\"arn:aws:dynamodb:us-east-1:123456789012:table/registry/export/01700000000000-abcdef12\",\"itemCount\":{},\"outputFormat\":\"DYNAMODB_JSON\"}}\n",
            spec.items
        ),
    )
}

fn usage() -> String {
    let formats: Vec<_> = OutFormat::ALL.iter().map(|f| f.name()).collect();
    format!(
        "usage: gen --items N --format {} --out PATH [--defect-rate 0.1] [--seed S] [--files N]",
        formats.join("|")
    )
}

fn parse_args(args: &[String]) -> Result<(Spec, PathBuf), String> {
    let mut spec = Spec::default();
    let mut out = None;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let bad = |e: &dyn std::fmt::Display| format!("{flag}: {e}");
        match flag.as_str() {
            "--items" => spec.items = value()?.parse().map_err(|e| bad(&e))?,
            "--format" => {
                let v = value()?;
                spec.format = OutFormat::parse(&v).ok_or_else(|| format!("unknown format {v:?}"))?
            }
            "--out" => out = Some(PathBuf::from(value()?)),
            "--defect-rate" => spec.defect_rate = value()?.parse().map_err(|e| bad(&e))?,
            "--seed" => spec.seed = value()?.parse().map_err(|e| bad(&e))?,
            "--files" => spec.files = value()?.parse().map_err(|e| bad(&e))?,
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    let out = out.ok_or_else(usage)?;
    if !(0.0..=1.0).contains(&spec.defect_rate) {
        return Err("--defect-rate is between 0 and 1".into());
    }
    Ok((spec, out))
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (spec, out) = match parse_args(&args) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = write_corpus(&spec, &out) {
        eprintln!("gen: {}: {e}", out.display());
        std::process::exit(1);
    }
}
