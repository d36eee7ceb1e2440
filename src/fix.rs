//! Applying fixes: to the in-memory item (until nothing more is fixable), and then to the text
//! of a file at the spans of the values that changed, so that everything else stays byte-for-byte.

use std::io::Write;
use std::path::Path;

use crate::diagnostic::{Edit, Fix};
use crate::model::{Item, Span};
use crate::source::TextChunk;

/// Applies a fix's edits to an item.
pub fn apply_fix(item: &mut Item, fix: &Fix) {
    for edit in &fix.edits {
        match edit {
            Edit::Set { attribute, value } => item.set(attribute, value.clone()),
            Edit::Remove { attribute } => {
                item.remove(attribute);
            }
            Edit::Rename { from, to } => {
                if item.get(to).is_none() {
                    item.rename(from, to);
                }
            }
        }
    }
}

/// A replacement of a byte range of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// The text edits that turn `original` (as written in `chunk`) into `fixed`.
pub fn text_edits(original: &Item, fixed: &Item, chunk: &TextChunk) -> Vec<TextEdit> {
    let base = chunk.base_offset;
    let doc = chunk.text.as_str();
    let mut edits = Vec::new();
    let at = |span: Span, text: String| TextEdit {
        start: base + span.start,
        end: base + span.end,
        text,
    };
    for attr in &fixed.attrs {
        let Some(orig) = attr
            .name_span
            .and_then(|s| original.attrs.iter().find(|o| o.name_span == Some(s)))
        else {
            continue;
        };
        if orig.name != attr.name {
            if let Some(s) = orig.name_span {
                edits.push(at(s, json_string(&attr.name)));
            }
        }
        if !orig.node.value.same_data(&attr.node.value) {
            if let Some(s) = orig.node.span {
                edits.push(at(s, attr.node.value.to_json_text(original.format)));
            }
        }
    }
    let kept: Vec<bool> = original
        .attrs
        .iter()
        .map(|orig| {
            fixed
                .attrs
                .iter()
                .any(|a| a.name_span.is_some() && a.name_span == orig.name_span)
        })
        .collect();
    // Members removed next to each other go in one edit: their spans would overlap.
    let mut i = 0;
    while i < kept.len() {
        if kept[i] {
            i += 1;
            continue;
        }
        let mut last = i;
        while kept.get(last + 1) == Some(&false) {
            last += 1;
        }
        if let Some(span) = removal_span(original, i, last) {
            edits.push(at(span, String::new()));
        }
        i = last + 1;
    }
    let added: Vec<_> = fixed
        .attrs
        .iter()
        .filter(|a| a.name_span.is_none())
        .collect();
    if !added.is_empty() {
        let anchor = kept.iter().rposition(|k| *k);
        if let Some((pos, text)) = insertion(doc, original, anchor, &added) {
            edits.push(at(Span::new(pos, pos), text));
        }
    }
    edits
}

fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// The text to delete to remove members `first..=last`: the members and one adjoining comma.
fn removal_span(item: &Item, first: usize, last: usize) -> Option<Span> {
    let start = item.attrs[first].name_span?.start;
    if let Some(next) = item.attrs.get(last + 1).and_then(|a| a.name_span) {
        return Some(Span::new(start, next.start));
    }
    let end = item.attrs[last].node.span?.end;
    if first > 0 {
        let prev_end = item.attrs[first - 1].node.span?.end;
        return Some(Span::new(prev_end, end));
    }
    Some(Span::new(start, end))
}

/// Where and what to insert for new attributes: after the last member that stays (`anchor`),
/// copying its layout.
fn insertion(
    doc: &str,
    item: &Item,
    anchor: Option<usize>,
    added: &[&crate::model::Attr],
) -> Option<(usize, String)> {
    let value_text = |a: &crate::model::Attr| a.node.value.to_json_text(item.format);
    let Some(last) = anchor.and_then(|i| item.attrs.get(i)) else {
        let span = item.span?;
        let body: Vec<String> = added
            .iter()
            .map(|a| format!("{}: {}", json_string(&a.name), value_text(a)))
            .collect();
        return Some((span.start + 1, body.join(", ")));
    };
    let last_key = last.name_span?;
    let last_end = last.node.span?.end;
    // The white space before the last key, and the separator between key and value.
    let before_key = doc[..last_key.start]
        .rfind([',', '{'])
        .map_or("", |i| &doc[i + 1..last_key.start]);
    let sep = doc.get(last_key.end..last.node.span?.start).unwrap_or(": ");
    let indent = if before_key.is_empty() {
        " "
    } else {
        before_key
    };
    let mut text = String::new();
    for a in added {
        text.push(',');
        text.push_str(indent);
        text.push_str(&json_string(&a.name));
        text.push_str(sep);
        text.push_str(&value_text(a));
    }
    Some((last_end, text))
}

/// Two edits of one text that cover the same bytes: they cannot both be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the edit of bytes {second_start}..{second_end} overlaps the edit of bytes {first_start}..{first_end}")]
pub struct OverlappingEdits {
    pub first_start: usize,
    pub first_end: usize,
    pub second_start: usize,
    pub second_end: usize,
}

/// Applies edits to a text. Edits that overlap (or reach past the end) are an error: applying
/// one and dropping the other would write half a fix.
pub fn apply_text_edits(text: &str, edits: &mut [TextEdit]) -> Result<String, OverlappingEdits> {
    edits.sort_by_key(|e| (e.start, e.end));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    let mut last = (0, 0);
    for e in edits.iter() {
        if e.start < pos || e.end > text.len() || e.start > e.end {
            return Err(OverlappingEdits {
                first_start: last.0,
                first_end: last.1,
                second_start: e.start,
                second_end: e.end,
            });
        }
        out.push_str(&text[pos..e.start]);
        out.push_str(&e.text);
        pos = e.end;
        last = (e.start, e.end);
    }
    out.push_str(&text[pos..]);
    Ok(out)
}

/// Replaces a file's contents atomically: a temporary file beside it, synced, then renamed over
/// it, keeping its permissions.
pub fn write_atomically(path: &Path, contents: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".reglint-")
        .tempfile_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Value};
    use crate::source::json::{parse_item, split_document};
    use std::sync::Arc;

    fn edit(doc: &str, f: impl Fn(&mut Item)) -> String {
        let (_, raws) = split_document(doc).unwrap();
        let item = parse_item(doc, raws[0].unwrap(), Format::Plain).unwrap();
        let mut fixed = item.clone();
        f(&mut fixed);
        let chunk = TextChunk::new(Arc::from("t"), doc.to_string(), 0, 1);
        let mut edits = text_edits(&item, &fixed, &chunk);
        apply_text_edits(doc, &mut edits).unwrap()
    }

    #[test]
    fn overlapping_edits_are_refused_not_dropped() {
        let at = |start, end, text: &str| TextEdit {
            start,
            end,
            text: text.into(),
        };
        let mut edits = vec![at(0, 3, "x"), at(2, 4, "y")];
        let err = apply_text_edits("abcdef", &mut edits).unwrap_err();
        assert_eq!((err.first_start, err.second_start), (0, 2));
        let mut apart = vec![at(4, 5, "Y"), at(0, 1, "X")];
        assert_eq!(apply_text_edits("abcdef", &mut apart).unwrap(), "XbcdYf");
    }

    #[test]
    fn set_rename_remove_insert_keep_layout() {
        let doc = "[{\n  \"a\": \"x\\\"\",\n  \"capabilites\": [1],\n  \"z\": 2\n}]";
        assert_eq!(
            edit(doc, |i| i.set("a", Value::S("x".into()))),
            "[{\n  \"a\": \"x\",\n  \"capabilites\": [1],\n  \"z\": 2\n}]"
        );
        assert_eq!(
            edit(doc, |i| i.rename("capabilites", "capabilities")),
            "[{\n  \"a\": \"x\\\"\",\n  \"capabilities\": [1],\n  \"z\": 2\n}]"
        );
        assert_eq!(
            edit(doc, |i| {
                i.remove("z");
            }),
            "[{\n  \"a\": \"x\\\"\",\n  \"capabilites\": [1]\n}]"
        );
        assert_eq!(
            edit(doc, |i| {
                i.remove("a");
            }),
            "[{\n  \"capabilites\": [1],\n  \"z\": 2\n}]"
        );
        assert_eq!(
            edit(doc, |i| i.set("n", Value::S("v".into()))),
            "[{\n  \"a\": \"x\\\"\",\n  \"capabilites\": [1],\n  \"z\": 2,\n  \"n\": \"v\"\n}]"
        );
    }
}
