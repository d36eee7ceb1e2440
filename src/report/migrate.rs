//! Rendering of `reglint migrate`: the plan (text, or the `reglint-migrate/1` JSON document),
//! the problems `migrate lint` found, and one-line confirmations.

use std::io::{self, Write};

use serde_json::Value;

/// One line (`wrote migrations/0004_x.toml`).
pub fn line(text: &str, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{text}")?;
    out.flush()
}

/// The JSON document, pretty-printed.
pub fn json(doc: &Value, out: &mut dyn Write) -> io::Result<()> {
    super::render_json_value(doc, out)
}

/// `migrate lint`'s problems, one a line, and a summary.
pub fn lint(problems: &[String], migrations: usize, out: &mut dyn Write) -> io::Result<()> {
    for p in problems {
        writeln!(out, "error: {p}")?;
    }
    match problems.len() {
        0 => writeln!(out, "{migrations} migrations, no problems")?,
        n => writeln!(out, "{n} problems in {migrations} migrations")?,
    }
    out.flush()
}

fn counts(v: &Value) -> String {
    let parts: Vec<String> = v
        .as_object()
        .map(|m| m.iter().map(|(k, n)| format!("{k} ×{n}")).collect())
        .unwrap_or_default();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

/// The plan as text: per target, per migration and op, matches, samples and the lint delta.
pub fn plan_text(doc: &Value, out: &mut dyn Write) -> io::Result<()> {
    let empty = Vec::new();
    for t in doc["targets"].as_array().unwrap_or(&empty) {
        writeln!(out, "{}", t["target"].as_str().unwrap_or_default())?;
        for m in t["migrations"].as_array().unwrap_or(&empty) {
            writeln!(
                out,
                "  {:04} {}  {}  {} items to write",
                m["version"].as_u64().unwrap_or(0),
                m["name"].as_str().unwrap_or_default(),
                m["state"].as_str().unwrap_or_default(),
                m["items_to_write"]
            )?;
            for op in m["ops"].as_array().unwrap_or(&empty) {
                writeln!(
                    out,
                    "    {} {}: {} matching",
                    op["kind"].as_str().unwrap_or_default(),
                    op["attribute"].as_str().unwrap_or_default(),
                    op["matches"]
                )?;
                for s in op["samples"].as_array().unwrap_or(&empty) {
                    writeln!(out, "      {}\n      → {}", s["before"], s["after"])?;
                }
            }
            writeln!(
                out,
                "    lint: fixed {}; introduced {}",
                counts(&m["lint"]["fixed"]),
                counts(&m["lint"]["introduced"])
            )?;
        }
    }
    out.flush()
}

/// `migrate status` as text: per target, each migration's state.
pub fn status_text(doc: &Value, out: &mut dyn Write) -> io::Result<()> {
    let empty = Vec::new();
    for t in doc["targets"].as_array().unwrap_or(&empty) {
        writeln!(out, "{}", t["target"].as_str().unwrap_or_default())?;
        for m in t["migrations"].as_array().unwrap_or(&empty) {
            writeln!(
                out,
                "  {:04} {}  {}",
                m["version"].as_u64().unwrap_or(0),
                m["name"].as_str().unwrap_or_default(),
                m["state"].as_str().unwrap_or_default()
            )?;
        }
    }
    out.flush()
}

/// `migrate apply` as text: per target, what each migration did.
pub fn apply_text(doc: &Value, out: &mut dyn Write) -> io::Result<()> {
    let empty = Vec::new();
    for t in doc["targets"].as_array().unwrap_or(&empty) {
        writeln!(out, "{}", escape(t["target"].as_str().unwrap_or_default()))?;
        for m in t["migrations"].as_array().unwrap_or(&empty) {
            writeln!(
                out,
                "  {:04} {}  {}  written {}, unchanged {}, conflicts {}{}",
                m["version"].as_u64().unwrap_or(0),
                m["name"].as_str().unwrap_or_default(),
                m["state"].as_str().unwrap_or_default(),
                m["written"],
                m["unchanged"],
                m["conflicts"],
                match m["invalid"].as_u64() {
                    Some(n) if n > 0 => format!(", invalid {n}"),
                    _ => String::new(),
                }
            )?;
            for j in m["journals"].as_array().unwrap_or(&empty) {
                writeln!(
                    out,
                    "    journal: {}",
                    escape(j.as_str().unwrap_or_default())
                )?;
            }
            for n in m["notes"].as_array().unwrap_or(&empty) {
                writeln!(out, "    note: {}", escape(n.as_str().unwrap_or_default()))?;
            }
        }
    }
    out.flush()
}

fn escape(text: &str) -> String {
    super::escape_terminal(text).into_owned()
}

/// Asks a yes/no question on the terminal; `false` when stdin is not one.
pub fn ask(question: &str) -> io::Result<bool> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let mut err = std::io::stderr().lock();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
