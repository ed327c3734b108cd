//! Small wire helpers shared by every protocol: headers, query strings, percent-decoding, the
//! three AWS timestamp formats, and a request id for answers given before a service saw the call.

use md5::{Digest, Md5};

use crate::HttpRequest;

pub(crate) fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// `a=1&b&c=x%20y` -> [("a","1"),("b",""),("c","x y")]; `+` is a space as in HTML forms.
pub(crate) fn parse_query(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A deterministic id for error responses produced before the server assigned one (the core has
/// no randomness of its own here): the MD5 of the request, laid out as a UUID.
pub(crate) fn request_id_for(request: &HttpRequest) -> String {
    let mut hasher = Md5::new();
    hasher.update(request.method.as_bytes());
    hasher.update(request.path.as_bytes());
    hasher.update(request.query.as_bytes());
    hasher.update(&request.body);
    let h = hex::encode(hasher.finalize());
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

pub(crate) fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // S3 keys may hold CR/LF; escaped so XML parsers do not normalise them away.
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            other => out.push(other),
        }
    }
    out
}

// ---- timestamps ---------------------------------------------------------------------------

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

struct Parts {
    year: i64,
    month: i64,
    day: i64,
    secs_of_day: i64,
    millis: i64,
    weekday: usize,
}

fn split_epoch(epoch: f64) -> Parts {
    let total_millis = (epoch * 1000.0).round() as i64;
    let secs = total_millis.div_euclid(1000);
    let days = secs.div_euclid(86400);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        secs_of_day: secs.rem_euclid(86400),
        millis: total_millis.rem_euclid(1000),
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as usize,
    }
}

/// `2024-01-01T00:00:00.000Z`, the form S3 and the query services write.
pub(crate) fn format_iso8601(epoch: f64) -> String {
    let p = split_epoch(epoch);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.year,
        p.month,
        p.day,
        p.secs_of_day / 3600,
        p.secs_of_day / 60 % 60,
        p.secs_of_day % 60,
        p.millis
    )
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mon, 01 Jan 2024 00:00:00 GMT` (RFC 7231 IMF-fixdate), the default for headers.
pub(crate) fn format_http_date(epoch: f64) -> String {
    let p = split_epoch(epoch.floor());
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        WEEKDAYS[p.weekday],
        p.day,
        MONTHS[(p.month - 1) as usize],
        p.year,
        p.secs_of_day / 3600,
        p.secs_of_day / 60 % 60,
        p.secs_of_day % 60
    )
}

/// Any of the forms AWS clients send: epoch seconds, ISO 8601 (`Z` or offset, optional
/// fraction), or an HTTP date.
pub(crate) fn parse_timestamp(text: &str) -> Option<f64> {
    let text = text.trim();
    if let Ok(n) = text.parse::<f64>() {
        return Some(n);
    }
    parse_iso8601(text).or_else(|| parse_http_date(text))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn parse_iso8601(text: &str) -> Option<f64> {
    let (date, time) = text.split_once(['T', 't', ' '])?;
    let mut d = date.split('-');
    let (year, month, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    // Split off the zone: `Z`, `+hh:mm` or `-hh:mm`.
    let (clock, offset_secs) = if let Some(c) = time.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(pos) = time.rfind(['+', '-']) {
        let (c, zone) = time.split_at(pos);
        let sign = if zone.starts_with('-') { -1 } else { 1 };
        let zone = zone[1..].replace(':', "");
        let (hh, mm) = (num(zone.get(0..2)?)?, num(zone.get(2..4).unwrap_or("00"))?);
        (c, sign * (hh * 3600 + mm * 60))
    } else {
        (time, 0)
    };
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, format!("0.{f}").parse::<f64>().ok()?),
        None => (clock, 0.0),
    };
    let mut t = hms.split(':');
    let (h, mi, s) = (
        num(t.next()?)?,
        num(t.next()?)?,
        num(t.next().unwrap_or("0"))?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + s - offset_secs;
    Some(secs as f64 + fraction)
}

fn parse_http_date(text: &str) -> Option<f64> {
    // `Mon, 01 Jan 2024 00:00:00 GMT`
    let rest = text.split_once(", ").map(|(_, r)| r).unwrap_or(text);
    let mut parts = rest.split_whitespace();
    let day = num(parts.next()?)?;
    let month_name = parts.next()?;
    let month = MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(month_name))? as i64
        + 1;
    let year = num(parts.next()?)?;
    let mut t = parts.next()?.split(':');
    let (h, mi, s) = (num(t.next()?)?, num(t.next()?)?, num(t.next()?)?);
    Some((days_from_civil(year, month, day) * 86400 + h * 3600 + mi * 60 + s) as f64)
}

/// Epoch seconds as the canonical JSON number: an integer when whole.
pub(crate) fn epoch_value(epoch: f64) -> serde_json::Value {
    if epoch.fract() == 0.0 && epoch.abs() < 9.0e15 {
        serde_json::Value::from(epoch as i64)
    } else {
        serde_json::Value::from(epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_every_format() {
        let t = 1_704_067_200.0; // 2024-01-01T00:00:00Z, a Monday
        assert_eq!(format_iso8601(t), "2024-01-01T00:00:00.000Z");
        assert_eq!(format_http_date(t), "Mon, 01 Jan 2024 00:00:00 GMT");
        assert_eq!(parse_timestamp("2024-01-01T00:00:00Z"), Some(t));
        assert_eq!(parse_timestamp("2024-01-01T01:00:00+01:00"), Some(t));
        assert_eq!(parse_timestamp("2024-01-01T00:00:00.500Z"), Some(t + 0.5));
        assert_eq!(parse_timestamp("Mon, 01 Jan 2024 00:00:00 GMT"), Some(t));
        assert_eq!(parse_timestamp("1704067200"), Some(t));
        assert_eq!(format_iso8601(951_782_400.25), "2000-02-29T00:00:00.250Z");
        assert_eq!(parse_timestamp("yesterday"), None);
    }
}
