//! The AWS settings a table source may carry (spec §1):
//! `dynamodb://agent-registry?profile=prod&region=eu-west-1&endpoint=http://127.0.0.1:8000`.
//! They win over the global options for that source alone.

use crate::aws::config::AwsSettings;

/// A table source: the table's name and its own settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableUri {
    pub table: String,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

/// A table source that cannot be used: exit 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("dynamodb://{spec}: {message}")]
#[diagnostic(
    code(reglint::usage),
    help("write a table source as dynamodb://TABLE?profile=NAME&region=REGION&endpoint=URL")
)]
pub struct TableUriError {
    pub spec: String,
    pub message: String,
}

impl TableUri {
    /// Parses what follows `dynamodb://`. Values may be percent-encoded.
    pub fn parse(spec: &str) -> Result<TableUri, TableUriError> {
        let fail = |message: String| TableUriError {
            spec: spec.to_string(),
            message,
        };
        let (table, query) = spec.split_once('?').unwrap_or((spec, ""));
        if table.is_empty() {
            return Err(fail("no table name".into()));
        }
        let mut uri = TableUri {
            table: table.to_string(),
            ..TableUri::default()
        };
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| fail(format!("parameter {pair:?} has no value")))?;
            let value = decode(value).ok_or_else(|| fail(format!("{name}: bad escape")))?;
            let slot = match name {
                "profile" => &mut uri.profile,
                "region" => &mut uri.region,
                "endpoint" => &mut uri.endpoint,
                other => {
                    return Err(fail(format!(
                        "unknown parameter {other:?} (known: profile, region, endpoint)"
                    )))
                }
            };
            *slot = Some(value);
        }
        Ok(uri)
    }

    /// The run's AWS options with this source's own settings put over them.
    pub fn aws_args(&self, global: &AwsSettings) -> AwsSettings {
        AwsSettings {
            profile: self.profile.clone().or_else(|| global.profile.clone()),
            region: self.region.clone().or_else(|| global.region.clone()),
            endpoint_url: self
                .endpoint
                .clone()
                .or_else(|| global.endpoint_url.clone()),
        }
    }
}

/// `%XX` escapes decoded (UTF-8); `None` for a broken escape (a `%` not followed by two hex
/// digits, which `percent-encoding` would keep as it is) or bytes that are not UTF-8.
fn decode(s: &str) -> Option<String> {
    let broken = s.match_indices('%').any(|(i, _)| {
        s.get(i + 1..i + 3)
            .is_none_or(|hex| !hex.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    if broken {
        return None;
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_override_the_global_options() {
        let uri = TableUri::parse("reg?profile=prod&region=eu-west-1&endpoint=http%3A//h:1")
            .unwrap_or_default();
        assert_eq!(uri.table, "reg");
        let global = AwsSettings {
            profile: Some("dev".into()),
            region: Some("us-east-1".into()),
            endpoint_url: None,
        };
        let merged = uri.aws_args(&global);
        assert_eq!(merged.profile.as_deref(), Some("prod"));
        assert_eq!(merged.region.as_deref(), Some("eu-west-1"));
        assert_eq!(merged.endpoint_url.as_deref(), Some("http://h:1"));
        let plain = TableUri::parse("reg").unwrap_or_default();
        assert_eq!(plain.aws_args(&global).profile.as_deref(), Some("dev"));
    }

    #[test]
    fn unknown_or_broken_parameters_are_errors() {
        assert!(TableUri::parse("reg?colour=red").is_err());
        assert!(TableUri::parse("reg?region").is_err());
        assert!(TableUri::parse("reg?region=%zz").is_err());
        assert!(TableUri::parse("?region=x").is_err());
    }
}
