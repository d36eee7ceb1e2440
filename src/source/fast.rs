//! A one-pass reader of item objects straight into [`Item`]s with spans, for large inputs.
//!
//! [`super::json`] builds items from serde_json's `RawValue`s, which reads every nested value
//! several times. This reader walks the bytes once. It accepts exactly the JSON that serde_json
//! accepts for the shapes it knows and builds exactly the same items (the tests compare both on
//! every generated corpus and on hand-written edge cases); on anything else — a syntax error, a
//! lone surrogate, deep nesting, a wrapper it does not know — it gives up with `None`, and the
//! caller reads the text with [`super::json`], which also produces the exact error message.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::model::{Attr, Format, Item, Node, Span, Value};

use super::json::{is_dynamo_number, json_kind};

/// serde_json's default nesting limit is 128; give up well before it.
const MAX_DEPTH: usize = 100;

static READ: AtomicU64 = AtomicU64::new(0);
static GAVE_UP: AtomicU64 = AtomicU64::new(0);

/// How many items the one-pass reader read, and how many it gave up on (left to the general
/// reader). A block of the parallel pipeline counts its own and adds them to the process-wide
/// counts ([`tally`]) once, when it is done, so the per-item path pays no shared counter. It
/// lets a test show that well-formed input takes the fast path, not the fallback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub read: u64,
    pub gave_up: u64,
}

impl Tally {
    /// Counts one attempt of the one-pass reader and passes its result on.
    pub fn count(&mut self, item: Option<Item>) -> Option<Item> {
        match item {
            Some(_) => self.read += 1,
            None => self.gave_up += 1,
        }
        item
    }

    /// Adds these counts to the process-wide ones.
    pub fn record(self) {
        READ.fetch_add(self.read, Ordering::Relaxed);
        GAVE_UP.fetch_add(self.gave_up, Ordering::Relaxed);
    }
}

/// The process-wide counts of every block recorded so far.
pub fn tally() -> Tally {
    Tally {
        read: READ.load(Ordering::Relaxed),
        gave_up: GAVE_UP.load(Ordering::Relaxed),
    }
}

/// Reads one JSON Lines line: an item object, or `{"Item": {...}}`. `None` when the line is
/// anything else (another wrapper, invalid JSON): the caller uses the general reader.
pub fn parse_line(line: &str, format: Format) -> Option<Item> {
    let mut p = Parser::new(line);
    p.ws();
    let root = p.pos;
    if p.peek()? != b'{' {
        return None;
    }
    // `{"Item": {...}}`, the form of export lines.
    let mut q = Parser { pos: root + 1, ..p };
    q.ws();
    if q.rest().starts_with(b"\"Item\"") {
        q.pos += 6;
        q.ws();
        q.eat(b':')?;
        q.ws();
        if q.peek()? == b'{' {
            let item = q.item(format)?;
            q.ws();
            q.eat(b'}')?;
            q.ws();
            return q.at_end().then_some(item);
        }
        return None;
    }
    let item = p.item(format)?;
    p.ws();
    if !p.at_end() {
        return None;
    }
    // A scan output (`Items`) or a batch-write request (every value an array) on one line is
    // a wrapper, not an item.
    let bytes = line.as_bytes();
    let is_array = |a: &Attr| {
        a.node
            .span
            .is_some_and(|s| bytes.get(s.start) == Some(&b'['))
    };
    if item.attrs.iter().any(|a| a.name == "Items" && is_array(a))
        || (!item.attrs.is_empty() && item.attrs.iter().all(is_array))
    {
        return None;
    }
    Some(item)
}

/// Reads `text` as exactly one item object (surrounding white space allowed).
pub fn parse_object(text: &str, format: Format) -> Option<Item> {
    let mut p = Parser::new(text);
    p.ws();
    if p.peek()? != b'{' {
        return None;
    }
    let item = p.item(format)?;
    p.ws();
    p.at_end().then_some(item)
}

#[derive(Clone, Copy)]
struct Parser<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        Parser {
            text,
            b: text.as_bytes(),
            pos: 0,
            depth: 0,
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn rest(&self) -> &'a [u8] {
        self.b.get(self.pos..).unwrap_or(&[])
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.pos += 1;
        }
    }

    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.pos += 1)
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.rest()
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn item(&mut self, format: Format) -> Option<Item> {
        let start = self.pos;
        let attrs = self.members(format)?;
        Some(Item {
            attrs,
            span: Some(Span::new(start, self.pos)),
            format,
        })
    }

    /// An object's members, at its `{`.
    fn members(&mut self, format: Format) -> Option<Vec<Attr>> {
        self.enter()?;
        self.eat(b'{')?;
        self.ws();
        let mut attrs = Vec::with_capacity(12);
        if self.eat(b'}').is_some() {
            self.depth -= 1;
            return Some(attrs);
        }
        loop {
            let key_start = self.pos;
            let name = match self.str_ref()? {
                std::borrow::Cow::Borrowed(s) => crate::schema::attribute_name(s),
                std::borrow::Cow::Owned(s) => crate::schema::attribute_name_owned(s),
            };
            let name_span = Span::new(key_start, self.pos);
            self.ws();
            self.eat(b':')?;
            self.ws();
            let node = match format {
                Format::Plain => self.plain()?,
                Format::Dynamodb => self.typed()?,
            };
            attrs.push(Attr {
                name,
                name_span: Some(name_span),
                node,
            });
            if self.next_or_end(b'}')? {
                break;
            }
        }
        self.depth -= 1;
        // A key written twice is an input error; the general reader names it.
        (!has_repeated_name(&attrs)).then_some(attrs)
    }

    /// After a member or element: `,` (false, at the next one) or the closing `close` (true).
    #[inline]
    fn next_or_end(&mut self, close: u8) -> Option<bool> {
        self.ws();
        match self.peek()? {
            b',' => {
                self.pos += 1;
                self.ws();
                Some(false)
            }
            c if c == close => {
                self.pos += 1;
                Some(true)
            }
            _ => None,
        }
    }

    /// A string at its `"`, unescaped.
    fn string(&mut self) -> Option<String> {
        self.str_ref().map(std::borrow::Cow::into_owned)
    }

    /// The position of the next `"` or `\\` from `from`, or `None` when the text ends first or a
    /// control character (not allowed in a JSON string) comes before it.
    fn plain_run(&self, from: usize) -> Option<usize> {
        let rest = self.b.get(from..)?;
        let n = memchr::memchr2(b'"', b'\\', rest)?;
        // No early exit: this form compiles to a vector loop.
        let control = rest[..n].iter().fold(false, |seen, &c| seen | (c < 0x20));
        (!control).then_some(from + n)
    }

    /// A string at its `"`, unescaped; borrowed from the text when it has no escapes.
    fn str_ref(&mut self) -> Option<std::borrow::Cow<'a, str>> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos + 1;
        let mut i = self.plain_run(start)?;
        if self.b[i] == b'"' {
            self.pos = i + 1;
            return Some(std::borrow::Cow::Borrowed(self.text.get(start..i)?));
        }
        // Escapes: copy what came before, then decode.
        let mut out = String::with_capacity(i - start + 16);
        out.push_str(self.text.get(start..i)?);
        loop {
            let run_start = i;
            i = self.plain_run(i)?;
            out.push_str(self.text.get(run_start..i)?);
            if self.b[i] == b'"' {
                self.pos = i + 1;
                return Some(std::borrow::Cow::Owned(out));
            }
            i += 1;
            let c = match *self.b.get(i)? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4(i + 1)?;
                    i += 4;
                    match hi {
                        0xD800..=0xDBFF => {
                            if self.b.get(i + 1..i + 3)? != b"\\u" {
                                return None;
                            }
                            let lo = self.hex4(i + 3)?;
                            if !(0xDC00..=0xDFFF).contains(&lo) {
                                return None;
                            }
                            i += 6;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                        }
                        0xDC00..=0xDFFF => return None,
                        _ => char::from_u32(hi)?,
                    }
                }
                _ => return None,
            };
            out.push(c);
            i += 1;
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let digits = self.b.get(at..at + 4)?;
        let mut v = 0u32;
        for d in digits {
            v = v * 16 + (*d as char).to_digit(16)?;
        }
        Some(v)
    }

    /// A number's text, checked against JSON's grammar.
    fn number(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let digits = |p: &mut Self| {
            let s = p.pos;
            while let Some(b'0'..=b'9') = p.peek() {
                p.pos += 1;
            }
            p.pos > s
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                digits(self);
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !digits(self) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !digits(self) {
                return None;
            }
        }
        self.text.get(start..self.pos)
    }

    /// Checks and skips any value.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => {
                self.skip_string()?;
            }
            b'{' => {
                self.enter()?;
                self.pos += 1;
                self.ws();
                if self.eat(b'}').is_none() {
                    loop {
                        self.skip_string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        self.skip()?;
                        if self.next_or_end(b'}')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
            }
            b'[' => {
                self.enter()?;
                self.pos += 1;
                self.ws();
                if self.eat(b']').is_none() {
                    loop {
                        self.skip()?;
                        if self.next_or_end(b']')? {
                            break;
                        }
                    }
                }
                self.depth -= 1;
            }
            b't' => self.literal(b"true")?,
            b'f' => self.literal(b"false")?,
            b'n' => self.literal(b"null")?,
            _ => {
                self.number()?;
            }
        }
        Some(())
    }

    fn skip_string(&mut self) -> Option<()> {
        // One code path for reading and skipping keeps their checks the same.
        self.str_ref().map(drop)
    }

    /// Elements of an array at its `[`, each read by `each`.
    fn elements(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.enter()?;
        self.eat(b'[')?;
        self.ws();
        if self.eat(b']').is_none() {
            loop {
                each(self)?;
                if self.next_or_end(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    fn plain(&mut self) -> Option<Node> {
        let start = self.pos;
        let value = match self.peek()? {
            b'"' => Value::S(self.string()?),
            b'{' => Value::M(self.members(Format::Plain)?),
            b'[' => {
                let mut nodes = Vec::new();
                self.elements(|p| {
                    nodes.push(p.plain()?);
                    Some(())
                })?;
                Value::L(nodes)
            }
            b't' => {
                self.literal(b"true")?;
                Value::Bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                Value::Bool(false)
            }
            b'n' => {
                self.literal(b"null")?;
                Value::Null
            }
            _ => Value::N(self.number()?.to_string()),
        };
        Some(Node::at(value, Span::new(start, self.pos)))
    }

    /// A DynamoDB JSON value (`{"S": …}`); malformed ones become [`Value::Invalid`] with the
    /// reason [`super::json`] gives.
    fn typed(&mut self) -> Option<Node> {
        let start = self.pos;
        if let Some(node) = self.compact_string() {
            return Some(node);
        }
        let first = self.peek()?;
        if first != b'{' {
            self.skip()?;
            let reason = format!(
                "expected a type descriptor object such as {{\"S\": …}}, found {}",
                kind(first)
            );
            return Some(Node::at(Value::Invalid(reason), Span::new(start, self.pos)));
        }
        self.enter()?;
        self.pos += 1;
        self.ws();
        let value = if self.eat(b'}').is_some() {
            Err("a typed value has exactly one type descriptor, found 0 keys".to_string())
        } else {
            let desc = self.str_ref()?;
            self.ws();
            self.eat(b':')?;
            self.ws();
            let value = self.descriptor(&desc)?;
            self.ws();
            let mut keys = 1;
            loop {
                match self.peek()? {
                    b'}' => {
                        self.pos += 1;
                        break;
                    }
                    b',' => {
                        self.pos += 1;
                        self.ws();
                        self.skip_string()?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        self.skip()?;
                        self.ws();
                        keys += 1;
                    }
                    _ => return None,
                }
            }
            if keys == 1 {
                value
            } else {
                Err(format!(
                    "a typed value has exactly one type descriptor, found {keys} keys"
                ))
            }
        };
        self.depth -= 1;
        let span = Span::new(start, self.pos);
        Some(Node::at(value.unwrap_or_else(Value::Invalid), span))
    }

    /// `{"S":"…"}` written without white space, the usual form of a string in DynamoDB JSON,
    /// read at once: the same node as the general path below makes, which reads it when this
    /// one does not apply (and reads again from the start).
    #[inline]
    fn compact_string(&mut self) -> Option<Node> {
        let start = self.pos;
        if !self.rest().starts_with(b"{\"S\":\"") || self.depth >= MAX_DEPTH {
            return None;
        }
        self.pos += 5;
        match self.string() {
            Some(s) if self.peek() == Some(b'}') => {
                self.pos += 1;
                Some(Node::at(Value::S(s), Span::new(start, self.pos)))
            }
            _ => {
                self.pos = start;
                None
            }
        }
    }

    /// The value under a type descriptor, or why it is not valid there.
    fn descriptor(&mut self, desc: &str) -> Option<Result<Value, String>> {
        let first = self.peek()?;
        Some(match desc {
            "S" | "B" if first == b'"' => {
                let s = self.string()?;
                Ok(if desc == "S" {
                    Value::S(s)
                } else {
                    Value::B(s)
                })
            }
            "S" => return self.skip_wanting(desc, first, "a string"),
            "B" => return self.skip_wanting(desc, first, "a base64 string"),
            "N" if first == b'"' => {
                let n = self.string()?;
                if is_dynamo_number(&n) {
                    Ok(Value::N(n))
                } else {
                    Err(format!("N holds {n:?}, which is not a number"))
                }
            }
            "N" => return self.skip_wanting(desc, first, "a number written as a string"),
            "BOOL" | "NULL" => return self.typed_literal(desc, first),
            "M" if first == b'{' => Ok(Value::M(self.members(Format::Dynamodb)?)),
            "M" => return self.skip_wanting(desc, first, "an object"),
            "L" if first == b'[' => return self.typed_list(),
            "L" => return self.skip_wanting(desc, first, "an array"),
            "SS" | "NS" | "BS" if first == b'[' => return self.typed_set(desc),
            "SS" | "NS" | "BS" => return self.skip_wanting(desc, first, "an array of strings"),
            other => {
                self.skip()?;
                Err(format!("unknown type descriptor {other:?}"))
            }
        })
    }

    /// Skips a value of the wrong kind under `desc`, whose first byte is `first`: `desc` needs
    /// `what`.
    #[inline]
    fn skip_wanting(&mut self, desc: &str, first: u8, what: &str) -> Option<Result<Value, String>> {
        self.skip()?;
        Some(Err(wanted(desc, what, first)))
    }

    /// The value under `BOOL` or `NULL`, whose first byte is `first`.
    #[inline]
    fn typed_literal(&mut self, desc: &str, first: u8) -> Option<Result<Value, String>> {
        let is_true = self.rest().starts_with(b"true");
        let is_false = self.rest().starts_with(b"false");
        self.skip()?;
        Some(match (desc, is_true, is_false) {
            ("BOOL", true, _) => Ok(Value::Bool(true)),
            ("BOOL", _, true) => Ok(Value::Bool(false)),
            ("BOOL", _, _) => Err(wanted(desc, "true or false", first)),
            (_, true, _) => Ok(Value::Null),
            _ => Err(wanted(desc, "true", first)),
        })
    }

    /// The value under `L` at its `[`; an invalid element makes the whole list invalid.
    #[inline]
    fn typed_list(&mut self) -> Option<Result<Value, String>> {
        let mut nodes = Vec::new();
        self.elements(|p| {
            nodes.push(p.typed()?);
            Some(())
        })?;
        Some(
            match nodes.iter().find_map(|n| match &n.value {
                Value::Invalid(r) => Some(r.clone()),
                _ => None,
            }) {
                Some(bad) => Err(format!("in a list element: {bad}")),
                None => Ok(Value::L(nodes)),
            },
        )
    }

    /// The value under `SS`, `NS` or `BS` at its `[`: a non-empty array of strings (numbers for
    /// `NS`). After the first bad element the rest are skipped; the first reason is the one given.
    #[inline]
    fn typed_set(&mut self, desc: &str) -> Option<Result<Value, String>> {
        let mut nodes = Vec::new();
        let mut bad: Option<String> = None;
        self.elements(|p| {
            let at = p.pos;
            if bad.is_some() || p.peek()? != b'"' {
                if bad.is_none() {
                    bad = Some(format!("{desc} needs an array of strings, found an array"));
                }
                return p.skip();
            }
            let s = p.string()?;
            let span = Span::new(at, p.pos);
            let v = match desc {
                "SS" => Value::S(s),
                "NS" if !is_dynamo_number(&s) => {
                    bad = Some(format!("NS holds {s:?}, which is not a number"));
                    return Some(());
                }
                "NS" => Value::N(s),
                _ => Value::B(s),
            };
            nodes.push(Node::at(v, span));
            Some(())
        })?;
        Some(match bad {
            Some(reason) => Err(reason),
            None if nodes.is_empty() => Err(format!("{desc} must not be empty")),
            None => Ok(match desc {
                "SS" => Value::SS(nodes),
                "NS" => Value::NS(nodes),
                _ => Value::BS(nodes),
            }),
        })
    }
}

/// Why a value whose first byte is `first` is not valid under `desc`, which needs `what`.
#[cold]
fn wanted(desc: &str, what: &str, first: u8) -> String {
    format!("{desc} needs {what}, found {}", kind(first))
}

/// Whether two members of one object have the same name.
fn has_repeated_name(attrs: &[Attr]) -> bool {
    if attrs.len() <= 16 {
        return attrs
            .iter()
            .enumerate()
            .any(|(i, a)| attrs[..i].iter().any(|b| b.name == a.name));
    }
    let mut names: Vec<&str> = attrs.iter().map(|a| a.name.as_ref()).collect();
    names.sort_unstable();
    names.windows(2).any(|w| w[0] == w[1])
}

fn kind(first: u8) -> &'static str {
    json_kind(std::str::from_utf8(&[first]).unwrap_or("0"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::json::{parse_item, split_document};

    /// The general reader's items for a document, or None when it fails.
    fn reference(doc: &str, format: Format) -> Option<Vec<Item>> {
        let (_, raws) = split_document(doc).ok()?;
        raws.into_iter()
            .map(|r| parse_item(doc, r.ok()?, format).ok())
            .collect()
    }

    #[test]
    fn both_readers_share_the_schemas_names_and_copy_others() {
        use std::borrow::Cow;
        for n in crate::schema::KNOWN_ATTRIBUTES {
            let shared = crate::schema::attribute_name(n);
            assert!(matches!(shared, Cow::Borrowed(b) if b == n));
            let kept = crate::schema::attribute_name_owned(n.to_string());
            assert!(matches!(kept, Cow::Borrowed(b) if b == n));
        }
        let doc = r#"{"agent_id":{"S":"A"},"Name":{"M":{"name":{"S":"n"}}}}"#;
        let fast = parse_object(doc, Format::Dynamodb).unwrap();
        let general = reference(doc, Format::Dynamodb).unwrap().remove(0);
        for item in [fast, general] {
            assert!(matches!(item.attrs[0].name, Cow::Borrowed("agent_id")));
            assert!(matches!(&item.attrs[1].name, Cow::Owned(o) if o == "Name"));
            let Value::M(inner) = &item.attrs[1].node.value else {
                panic!("{item:?}")
            };
            assert!(matches!(inner[0].name, Cow::Borrowed("name")));
        }
    }

    fn same(doc: &str, format: Format) {
        let fast = parse_object(doc, format);
        let slow = reference(doc, format).and_then(|mut v| (v.len() == 1).then(|| v.remove(0)));
        match (&fast, &slow) {
            (Some(f), Some(s)) => assert_eq!(f, s, "{doc}"),
            (Some(f), None) => panic!("fast reader accepted what serde_json rejects: {doc} {f:?}"),
            // Every case here is a shape the fast reader knows: giving up on one the general
            // reader accepts would leave the fast path untaken.
            (None, Some(_)) => panic!("fast reader gave up on well-formed input: {doc}"),
            (None, None) => {}
        }
    }

    #[test]
    fn typed_values_match_the_general_reader() {
        let cases = [
            r#"{"a": {"S": "x"}, "b": {"N": "5"}, "c": {"SS": ["p","q"]}, "d": {"S": 5}}"#,
            r#"{"a": {"N": "abc"}, "b": {"N": 5}, "c": {"BOOL": "true"}, "d": {"NULL": false}}"#,
            r#"{"a": {"S": "x", "N": "1"}, "b": {}, "c": [1], "d": "s", "e": 5, "f": null}"#,
            r#"{"a": {"L": [{"S": "x"}, {"N": "y"}]}, "b": {"M": {"k": {"S": "v"}}}, "c": {"M": 5}}"#,
            r#"{"a": {"NS": ["1", "x"]}, "b": {"SS": []}, "c": {"SS": ["a", 1]}, "d": {"BS": ["AA=="]}}"#,
            r#"{"a": {"NS": ["1", 2]}, "b": {"SS": "x"}, "c": {"X": 1}, "d": {"L": 3}, "e": {"BOOL": true}}"#,
            r#"{"a\"b": {"S": "\u00e9\ud83d\ude00\n\t\\ \/"}, "": {"S": ""}, "x": {"NULL": true}}"#,
            "{ \"a\" :\n { \"S\" : \"x\" } ,\r\n\t\"b\":{\"BOOL\":false} }",
            r#"{"a": {"S": "x"}, "a": {"S": "y"}}"#,
            r#"{}"#,
            // The compact form, read at once, and the near misses the general path reads.
            r#"{"a":{"S":"x"},"b":{"S":""},"c":{"S":"\"}\u00e9"},"d":{"L":[{"S":"p"},{"S":"q"}]}}"#,
            r#"{"a":{"S":"x","N":"1"},"b":{"S":"x" },"c":{"S":5},"d":{"S":"x"} ,"e":{"SS":["x"]}}"#,
            r#"{"a":{"S":"tab	here"}}"#,
            r#"{"a":{"S":"x"}"#,
        ];
        for c in cases {
            same(c, Format::Dynamodb);
        }
        // A string at the deepest level read (each list is two levels), and one past it.
        let nested = |lists: usize| {
            format!(
                "{{\"a\":{}{{\"S\":\"x\"}}{}}}",
                "{\"L\":[".repeat(lists),
                "]}".repeat(lists)
            )
        };
        same(&nested((MAX_DEPTH - 2) / 2), Format::Dynamodb);
        assert_eq!(parse_object(&nested(MAX_DEPTH / 2), Format::Dynamodb), None);
    }

    #[test]
    fn plain_values_match_the_general_reader() {
        let cases = [
            r#"{"a": "x", "b": -12.50e+3, "c": [1, "2", true, false, null, {"d": []}], "e": {}}"#,
            r#"{"n": 0, "m": -0.0, "o": 1E9, "s": "\u0041\"", "l": [[], [[]]]}"#,
        ];
        for c in cases {
            same(c, Format::Plain);
        }
    }

    #[test]
    fn a_key_written_twice_is_left_to_the_general_reader() {
        let wide: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 39)).collect();
        let wide = format!("{{{}}}", wide.join(", "));
        let cases = [
            (r#"{"a": {"k": 1, "k": 2}}"#, Format::Plain),
            (
                r#"{"a": {"M": {"k": {"N": "1"}, "k": {"N": "2"}}}}"#,
                Format::Dynamodb,
            ),
            (wide.as_str(), Format::Plain),
        ];
        for (doc, format) in cases {
            assert!(parse_object(doc, format).is_none(), "{doc}");
            assert!(reference(doc, format).is_none(), "{doc}");
        }
    }

    #[test]
    fn invalid_json_is_given_up() {
        let cases = [
            r#"{"a": }"#,
            r#"{"a": 01}"#,
            r#"{"a": 1.}"#,
            r#"{"a": "x\q"}"#,
            r#"{"a": "\ud800"}"#,
            "{\"a\": \"tab\there\"}",
            r#"{"a": [1,]}"#,
            r#"{"a": 1,}"#,
            r#"{"a": tru}"#,
            r#"{"a": 1} x"#,
            r#"{"a": {"S": "x"},}"#,
            r#"{"a" {"S": "x"}}"#,
        ];
        for c in cases {
            assert_eq!(parse_object(c, Format::Plain), None, "{c}");
            assert_eq!(parse_object(c, Format::Dynamodb), None, "{c}");
            assert!(reference(c, Format::Plain).is_none(), "{c}");
        }
        let deep = format!("{{\"a\": {}1{}}}", "[".repeat(200), "]".repeat(200));
        assert_eq!(parse_object(&deep, Format::Plain), None);
    }

    #[test]
    fn lines_with_and_without_the_item_wrapper() {
        let line = r#"{"Item": {"a": {"S": "x"}}}"#;
        let item = parse_line(line, Format::Dynamodb).unwrap();
        assert_eq!(item.span, Some(Span::new(9, 26)));
        assert_eq!(item.value("a"), Some(&Value::S("x".into())));
        let bare = r#"  {"a": {"S": "x"}}  "#;
        assert_eq!(
            parse_line(bare, Format::Dynamodb).unwrap().span,
            Some(Span::new(2, 19))
        );
        // Wrappers the line reader leaves to the general reader.
        assert_eq!(
            parse_line(r#"{"Items": [{"a": {"S": "x"}}]}"#, Format::Dynamodb),
            None
        );
        assert_eq!(
            parse_line(r#"{"T": [{"PutRequest": {}}]}"#, Format::Dynamodb),
            None
        );
        assert_eq!(
            parse_line(r#"{"Item": {"a": {"S": "x"}}, "b": 1}"#, Format::Dynamodb),
            None
        );
        assert_eq!(parse_line("[1]", Format::Dynamodb), None);
    }
}
