//! `reglint schema`: the effective registry schema as a table or as JSON.

use std::io::{self, Write};

use serde_json::{json, Value as J};

use super::escape::escape_terminal;
use super::RuleFormat;
use crate::schema::declared::{required_text, Allowed};
use crate::schema::{AttributeSpec, EffectiveSchema, Required};

/// Prints the schema. A reader that goes away is not an error.
pub fn render_schema(
    schema: &EffectiveSchema,
    extra_attributes: &[String],
    format: RuleFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    let result = match format {
        RuleFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &to_json(schema, extra_attributes))
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
        }
        RuleFormat::Text => write_table(schema, extra_attributes, out),
    };
    super::ignore_broken_pipe(result.and_then(|()| out.flush()))
}

/// The document of `reglint schema --format json`.
pub fn to_json(schema: &EffectiveSchema, extra_attributes: &[String]) -> J {
    let attributes: Vec<J> = schema.attributes().iter().map(attribute_json).collect();
    json!({
        "schema": "reglint-schema/1",
        "attributes": attributes,
        "extra_attributes": extra_attributes,
    })
}

fn attribute_json(a: &AttributeSpec) -> J {
    let required = match &a.required {
        Required::No => J::Bool(false),
        Required::Always => J::Bool(true),
        Required::On(types) => types.iter().map(|t| t.as_str()).collect(),
    };
    let values = a.values.as_ref().map(|v| match v {
        Allowed::Strings(all) => all.iter().map(|s| J::from(s.as_str())).collect::<J>(),
        Allowed::Numbers(all) => all
            .iter()
            .map(|n| serde_json::from_str::<J>(&n.text).unwrap_or_else(|_| J::from(n.value)))
            .collect::<J>(),
    });
    json!({
        "name": a.name,
        "type": a.ty.kind.as_str(),
        "items": a.ty.items.map(|t| t.as_str()),
        "required": required,
        "values": values,
        "pattern": a.pattern.as_ref().map(|p| p.as_str()),
        "description": a.description,
        "origin": a.origin.as_str(),
    })
}

/// One row of the table: attribute, type, required, origin, and what else it holds to.
fn row(a: &AttributeSpec) -> [String; 5] {
    let mut notes = Vec::new();
    if let Some(v) = &a.values {
        let shown: Vec<String> = match v {
            Allowed::Strings(all) => all.iter().map(|s| format!("{s:?}")).collect(),
            Allowed::Numbers(all) => all.iter().map(|n| n.text.clone()).collect(),
        };
        notes.push(format!("values: {}", shown.join(", ")));
    }
    if let Some(p) = &a.pattern {
        notes.push(format!("pattern: {}", p.as_str()));
    }
    if let Some(d) = &a.description {
        notes.push(d.clone());
    }
    [
        a.name.clone(),
        a.ty.to_string(),
        required_text(&a.required),
        a.origin.as_str().to_string(),
        notes.join("; "),
    ]
    .map(|cell| escape_terminal(&cell).into_owned())
}

fn write_table(
    schema: &EffectiveSchema,
    extra_attributes: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let header = ["attribute", "type", "required", "origin", "notes"].map(str::to_string);
    let rows: Vec<[String; 5]> = std::iter::once(header)
        .chain(schema.attributes().iter().map(row))
        .collect();
    let width = |i: usize| {
        rows.iter()
            .map(|r| unicode_width::UnicodeWidthStr::width(r[i].as_str()))
            .max()
            .unwrap_or(0)
    };
    let widths = [width(0), width(1), width(2), width(3)];
    for r in &rows {
        let mut line = String::new();
        for (cell, w) in r.iter().zip(widths) {
            let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(cell.as_str()));
            line.push_str(cell);
            line.push_str(&" ".repeat(pad + 2));
        }
        line.push_str(&r[4]);
        writeln!(out, "{}", line.trim_end())?;
    }
    if !extra_attributes.is_empty() {
        let shown: Vec<String> = extra_attributes
            .iter()
            .map(|e| escape_terminal(e).into_owned())
            .collect();
        writeln!(
            out,
            "\nextra_attributes (any type, not checked): {}",
            shown.join(", ")
        )?;
    }
    Ok(())
}
