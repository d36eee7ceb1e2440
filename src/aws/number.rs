//! DynamoDB numbers compared by value: the one part of the value conversions that needs no
//! SDK type, so a build without the `aws` feature has it too (`diff` of files).

/// A number's canonical text: no sign on zero, no leading or trailing zeros, the exponent
/// folded in (`"0012.50"` → `"125E-1"`). Text that is not a number is returned as is.
pub fn canonical_number(text: &str) -> String {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (mantissa, exp) = match t.find(['e', 'E']) {
        Some(i) => match t[i + 1..].parse::<i64>() {
            Ok(e) => (&t[..i], e),
            Err(_) => return text.to_string(),
        },
        None => (t, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
    {
        return text.to_string();
    }
    let digits = format!("{int}{frac}");
    let mut exp = exp - frac.len() as i64;
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return "0".into();
    }
    let trimmed = digits.trim_end_matches('0');
    exp += (digits.len() - trimmed.len()) as i64;
    format!("{}{trimmed}E{exp}", if negative { "-" } else { "" })
}
