//! `migrations/reglint.sum` (spec §8.2): each migration file with `h1:` + the SHA-256 of its
//! parsed content in canonical form, each line's hash chained over the previous line's, so that
//! two branches adding the same number conflict in git.

use std::path::Path;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::error::MigrateError;
use super::file::Migration;

pub const SUM_FILE: &str = "reglint.sum";

/// The parsed content as JSON with sorted keys: comments, white space, key order and the way a
/// table is written (inline or not) do not count.
pub fn canonical(text: &str) -> Result<String, String> {
    let value: toml::Value = toml::from_str(text).map_err(|e| e.message().to_string())?;
    Ok(sorted_json(&value).to_string())
}

fn sorted_json(value: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::Table(t) => {
            let mut keys: Vec<&String> = t.keys().collect();
            keys.sort();
            J::Object(
                keys.into_iter()
                    .map(|k| (k.clone(), sorted_json(&t[k])))
                    .collect(),
            )
        }
        toml::Value::Array(a) => J::Array(a.iter().map(sorted_json).collect()),
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => J::String(f.to_string()),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
    }
}

/// The checksum of each migration, in order: `h1:` + base64 SHA-256 over the previous line's
/// checksum, the file name and the canonical content.
pub fn checksums(migrations: &[Migration]) -> Vec<String> {
    let mut previous = String::new();
    migrations
        .iter()
        .map(|m| {
            let mut h = Sha256::new();
            h.update(previous.as_bytes());
            h.update(b"\n");
            h.update(m.file_name.as_bytes());
            h.update(b"\n");
            h.update(m.canonical.as_bytes());
            previous = format!(
                "h1:{}",
                base64::engine::general_purpose::STANDARD.encode(h.finalize())
            );
            previous.clone()
        })
        .collect()
}

/// The text of reglint.sum for these migrations.
pub fn render(migrations: &[Migration]) -> String {
    migrations
        .iter()
        .zip(checksums(migrations))
        .map(|(m, sum)| format!("{} {sum}\n", m.file_name))
        .collect()
}

/// Writes reglint.sum in `dir`.
pub fn write(dir: &Path, migrations: &[Migration]) -> Result<(), MigrateError> {
    std::fs::create_dir_all(dir).map_err(|e| MigrateError::io(dir, e))?;
    let path = dir.join(SUM_FILE);
    crate::fix::write_atomically(&path, &render(migrations)).map_err(|e| MigrateError::io(&path, e))
}

/// Reads reglint.sum: (file name, checksum) per line; an absent file is empty.
pub fn read(dir: &Path) -> Result<Vec<(String, String)>, MigrateError> {
    let path = dir.join(SUM_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(MigrateError::io(&path, e)),
    };
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.split_once(' ') {
            Some((f, s)) => (f.to_string(), s.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect())
}

/// The problems `migrate lint` reports about numbering and the sum file.
pub fn problems(migrations: &[Migration], recorded: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, m) in migrations.iter().enumerate() {
        let want = i as u32 + 1;
        if m.version != want {
            out.push(format!(
                "{}: numbers must run 1, 2, 3 … without gaps or repeats; expected {want:04} here",
                m.file_name
            ));
        }
    }
    let sums = checksums(migrations);
    for (m, sum) in migrations.iter().zip(&sums) {
        match recorded.iter().find(|(f, _)| f == &m.file_name) {
            None => out.push(format!("{}: not in {SUM_FILE}; run `reglint migrate hash`", m.file_name)),
            Some((_, s)) if s != sum => out.push(format!(
                "{}: does not match {SUM_FILE} (recorded {s}, now {sum}); an applied migration must not change — add a new one, or run `reglint migrate hash` if it was never applied",
                m.file_name
            )),
            Some(_) => {}
        }
    }
    for (f, _) in recorded {
        if !migrations.iter().any(|m| &m.file_name == f) {
            out.push(format!("{f}: listed in {SUM_FILE} but the file is missing"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_spacing_and_order_do_not_count() {
        let a = canonical("# x\n[[op]]\nkind = \"remove\"\nattribute = \"a\"\n").unwrap();
        let b = canonical("[[op]]\nattribute=\"a\"   # y\nkind=\"remove\"\n").unwrap();
        assert_eq!(a, b);
        let c = canonical("[[op]]\nattribute=\"b\"\nkind=\"remove\"\n").unwrap();
        assert_ne!(a, c);
    }

    fn migration(file_name: &str, canonical: &str) -> Migration {
        let (version, name) = super::super::file::parse_file_name(file_name).unwrap();
        Migration {
            version,
            name,
            file_name: file_name.into(),
            path: file_name.into(),
            description: String::new(),
            ops: Vec::new(),
            canonical: canonical.into(),
        }
    }

    #[test]
    fn each_line_is_chained_over_the_previous() {
        let one = vec![
            migration("0001_a.toml", "{}"),
            migration("0002_b.toml", "{}"),
        ];
        let other = vec![
            migration("0001_a.toml", "{\"x\":1}"),
            migration("0002_b.toml", "{}"),
        ];
        let (s1, s2) = (checksums(&one), checksums(&other));
        assert!(s1[0].starts_with("h1:") && s1[0] != s2[0]);
        assert_ne!(s1[1], s2[1], "a change in 0001 changes every later line");
        let recorded = read_lines(&render(&one));
        assert!(problems(&one, &recorded).is_empty());
        assert_eq!(problems(&other, &recorded).len(), 2);
    }

    #[test]
    fn gaps_are_problems() {
        let gap = vec![
            migration("0001_a.toml", "{}"),
            migration("0003_c.toml", "{}"),
        ];
        let recorded = read_lines(&render(&gap));
        let p = problems(&gap, &recorded);
        assert_eq!(p.len(), 1);
        assert!(p[0].contains("expected 0002"), "{p:?}");
    }

    fn read_lines(text: &str) -> Vec<(String, String)> {
        text.lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }
}
