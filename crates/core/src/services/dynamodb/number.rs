//! DynamoDB numbers: decimal, up to 38 significant digits, magnitude 1E-130 to 9.99..E+125.
//!
//! A number is kept as the text AWS would answer (plain notation, no leading or trailing
//! zeros: `"01.50"` reads back as `"1.5"`); [`Number`] is its parsed form, used to validate,
//! to size items and to build order-preserving key encodings.

/// `±0.d1d2...dn × 10^exponent`, with d1 != 0 and dn != 0; zero has no digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Number {
    negative: bool,
    digits: Vec<u8>,
    exponent: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not a number at all; AWS names the text, or nothing when it is empty.
    Invalid,
    TooPrecise,
    Overflow,
    Underflow,
}

impl NumberError {
    /// AWS's message for `text` (these carry no "One or more parameter values" prefix).
    pub fn message(&self, text: &str) -> String {
        match self {
            NumberError::Invalid if text.is_empty() => {
                "The parameter cannot be converted to a numeric value".to_string()
            }
            NumberError::Invalid => {
                format!("The parameter cannot be converted to a numeric value: {text}")
            }
            NumberError::TooPrecise => {
                "Attempting to store more than 38 significant digits in a Number".to_string()
            }
            NumberError::Overflow => "Number overflow. Attempting to store a number with magnitude larger than supported range".to_string(),
            NumberError::Underflow => "Number underflow. Attempting to store a number with magnitude smaller than supported range".to_string(),
        }
    }
}

const MAX_DIGITS: usize = 38;
/// 9.99..E+125 is `0.999.. × 10^126`; 1E-130 is `0.1 × 10^-129`.
const MAX_EXPONENT: i64 = 126;
const MIN_EXPONENT: i64 = -129;

/// DynamoDB's magnitude limits, on an exponent in `Number`'s convention.
fn check_range(exponent: i64) -> Result<(), NumberError> {
    if exponent > MAX_EXPONENT {
        Err(NumberError::Overflow)
    } else if exponent < MIN_EXPONENT {
        Err(NumberError::Underflow)
    } else {
        Ok(())
    }
}

impl Number {
    /// Parses the forms Java's BigDecimal accepts (`-1.5`, `+.5`, `5.`, `1e-3`, `1E+3`).
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        let bytes = text.as_bytes();
        let mut at = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                at = 1;
                true
            }
            Some(b'+') => {
                at = 1;
                false
            }
            _ => false,
        };
        let mut mantissa = Vec::new();
        let mut integer_len: Option<usize> = None;
        while at < bytes.len() {
            match bytes[at] {
                c @ b'0'..=b'9' => mantissa.push(c - b'0'),
                b'.' if integer_len.is_none() => integer_len = Some(mantissa.len()),
                b'e' | b'E' => break,
                _ => return Err(NumberError::Invalid),
            }
            at += 1;
        }
        if mantissa.is_empty() {
            return Err(NumberError::Invalid);
        }
        let integer_len = integer_len.unwrap_or(mantissa.len()) as i64;
        let mut exponent_part: i64 = 0;
        if at < bytes.len() {
            let exp_text = &text[at + 1..];
            let digits = exp_text.strip_prefix(['+', '-']).unwrap_or(exp_text);
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(NumberError::Invalid);
            }
            // DynamoDB reads the exponent in full: past a 64-bit integer it cannot be
            // converted at all; below that, anything this large is out of range either way.
            let magnitude = digits
                .parse::<i64>()
                .map_err(|_| NumberError::Invalid)?
                .min(i64::MAX / 4);
            exponent_part = if exp_text.starts_with('-') {
                -magnitude
            } else {
                magnitude
            };
        }
        let leading = mantissa.iter().take_while(|&&d| d == 0).count();
        let trailing = mantissa.iter().rev().take_while(|&&d| d == 0).count();
        if leading == mantissa.len() {
            // Zero is range-checked by the exponent it is written with, as Java's BigDecimal
            // keeps it: 0e126 overflows, 0e125 is 0 (the conformance suite's capture).
            let fraction_len = mantissa.len() as i64 - integer_len;
            check_range(exponent_part - fraction_len + 1)?;
            return Ok(Number {
                negative: false,
                digits: Vec::new(),
                exponent: 0,
            });
        }
        let digits = mantissa[leading..mantissa.len() - trailing].to_vec();
        let exponent = integer_len - leading as i64 + exponent_part;
        if digits.len() > MAX_DIGITS {
            return Err(NumberError::TooPrecise);
        }
        check_range(exponent)?;
        Ok(Number {
            negative,
            digits,
            exponent,
        })
    }

    /// `self + other`, exact, then checked against DynamoDB's limits like any stored number
    /// (UpdateExpression `SET a = a + :n` and `ADD`).
    pub fn add(&self, other: &Number) -> Result<Number, NumberError> {
        if self.digits.is_empty() {
            return Ok(other.clone());
        }
        if other.digits.is_empty() {
            return Ok(self.clone());
        }
        // Both as integers times 10^low: value = int(digits) * 10^(exponent - len).
        let scale = |n: &Number| n.exponent - n.digits.len() as i64;
        let low = scale(self).min(scale(other));
        let widen = |n: &Number| {
            let mut d = n.digits.clone();
            d.resize(d.len() + (scale(n) - low) as usize, 0);
            d
        };
        let (a, b) = (widen(self), widen(other));
        let (digits, negative) = if self.negative == other.negative {
            (add_magnitudes(&a, &b), self.negative)
        } else {
            match compare_magnitudes(&a, &b) {
                std::cmp::Ordering::Equal => return Number::parse("0"),
                std::cmp::Ordering::Greater => (subtract_magnitudes(&a, &b), self.negative),
                std::cmp::Ordering::Less => (subtract_magnitudes(&b, &a), other.negative),
            }
        };
        let text: String = digits.iter().map(|d| (b'0' + d) as char).collect();
        // A sum that needs more than 38 digits is refused as an overflow, whatever its
        // magnitude: DynamoDB answers 1e50 - 1 so (ScyllaDB's Alternator tests, run against
        // DynamoDB, quote it).
        Number::parse(&format!("{}{text}E{low}", if negative { "-" } else { "" })).map_err(
            |error| match error {
                NumberError::TooPrecise => NumberError::Overflow,
                other => other,
            },
        )
    }

    pub fn negate(&self) -> Number {
        Number {
            negative: !self.negative && !self.digits.is_empty(),
            ..self.clone()
        }
    }

    /// Plain decimal notation without superfluous zeros, as DynamoDB answers numbers.
    pub fn canonical(&self) -> String {
        if self.digits.is_empty() {
            return "0".to_string();
        }
        let digits: String = self.digits.iter().map(|d| (b'0' + d) as char).collect();
        let len = digits.len() as i64;
        let body = if self.exponent <= 0 {
            format!("0.{}{digits}", "0".repeat((-self.exponent) as usize))
        } else if self.exponent >= len {
            format!("{digits}{}", "0".repeat((self.exponent - len) as usize))
        } else {
            let split = self.exponent as usize;
            format!("{}.{}", &digits[..split], &digits[split..])
        };
        if self.negative {
            format!("-{body}")
        } else {
            body
        }
    }

    /// Bytes the number counts toward an item's size. DynamoDB stores numbers as base-100
    /// digit pairs plus one byte ("approximately (length of digits / 2) + 1 bytes"), and a
    /// negative number one more (-42 is 3 bytes: the conformance suite's capture of AWS).
    pub fn size(&self) -> usize {
        if self.digits.is_empty() {
            return 1;
        }
        // Pairs align on the decimal point: an odd exponent starts with a half-filled pair.
        let aligned = self.digits.len() + (self.exponent.rem_euclid(2) as usize);
        aligned.div_ceil(2) + 1 + usize::from(self.negative)
    }

    /// Appends an encoding whose byte order is numeric order and that no other encoding
    /// extends (so a sort key may follow it).
    pub fn encode_ordered(&self, out: &mut Vec<u8>) {
        if self.digits.is_empty() {
            out.push(0x80);
            return;
        }
        let biased = (self.exponent - MIN_EXPONENT + 1) as u16;
        if self.negative {
            // Larger magnitudes sort first: complement the exponent and the digits, and end
            // with a byte above every digit so that -0.12 sorts after -0.123.
            out.push(0x40);
            out.extend_from_slice(&(!biased).to_be_bytes());
            out.extend(self.digits.iter().map(|d| 11 - d));
            out.push(0xff);
        } else {
            out.push(0xc0);
            out.extend_from_slice(&biased.to_be_bytes());
            out.extend(self.digits.iter().map(|d| d + 1));
            out.push(0x00);
        }
    }
}

fn compare_magnitudes(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let trim = |d: &[u8]| d[d.iter().take_while(|&&x| x == 0).count()..].to_vec();
    let (a, b) = (trim(a), trim(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(&b))
}

/// Digit vectors, most significant first, added right-aligned.
fn add_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let (mut i, mut j, mut carry) = (a.len(), b.len(), 0);
    while i > 0 || j > 0 || carry > 0 {
        let mut sum = carry;
        if i > 0 {
            i -= 1;
            sum += a[i];
        }
        if j > 0 {
            j -= 1;
            sum += b[j];
        }
        out.push(sum % 10);
        carry = sum / 10;
    }
    out.reverse();
    out
}

/// `a - b` for magnitudes with `a >= b`.
fn subtract_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let (mut j, mut borrow) = (b.len(), 0i8);
    for i in (0..a.len()).rev() {
        let mut d = a[i] as i8 - borrow;
        if j > 0 {
            j -= 1;
            d -= b[j] as i8;
        }
        borrow = i8::from(d < 0);
        out.push((d + 10 * borrow) as u8);
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        for (input, expected) in [
            ("01.50", "1.5"),
            ("0", "0"),
            ("-0.000", "0"),
            ("1e3", "1000"),
            ("1.25E+2", "125"),
            ("+.5", "0.5"),
            ("5.", "5"),
            ("-12.3400e-3", "-0.01234"),
            ("100", "100"),
            ("1E-130", &format!("0.{}1", "0".repeat(129))),
        ] {
            assert_eq!(
                Number::parse(input).unwrap().canonical(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn rejects_what_aws_rejects() {
        for (input, error) in [
            ("", NumberError::Invalid),
            ("b", NumberError::Invalid),
            ("1.2.3", NumberError::Invalid),
            ("1e", NumberError::Invalid),
            (" 1", NumberError::Invalid),
            (
                "123456789012345678901234567890123456789",
                NumberError::TooPrecise,
            ),
            (
                "-1.23456789012345678901234567890123456789",
                NumberError::TooPrecise,
            ),
            ("1e126", NumberError::Overflow),
            ("-1e126", NumberError::Overflow),
            ("1e-131", NumberError::Underflow),
            // Exponents are read in full (the conformance suite's capture): past 32 bits
            // still a magnitude error, past 64 bits not a number at all.
            ("1e99999999999", NumberError::Overflow),
            ("1e-99999999999", NumberError::Underflow),
            ("1e9223372036854775808", NumberError::Invalid),
            // Zero is checked by the exponent it is written with.
            ("0e126", NumberError::Overflow),
            ("0.0e127", NumberError::Overflow),
            ("0e-131", NumberError::Underflow),
        ] {
            assert_eq!(Number::parse(input), Err(error), "{input}");
        }
        // Trailing zeros are not significant digits.
        assert!(Number::parse(&format!("1{}", "0".repeat(100))).is_ok());
        assert!(Number::parse("9.9999999999999999999999999999999999999E+125").is_ok());
        for zero in ["0e125", "0.0e126", "0e-130", "00.000"] {
            assert_eq!(
                Number::parse(zero).map(|n| n.canonical()),
                Ok("0".into()),
                "{zero}"
            );
        }
    }

    #[test]
    fn arithmetic_is_exact() {
        let sum = |a: &str, b: &str| {
            Number::parse(a)
                .unwrap()
                .add(&Number::parse(b).unwrap())
                .map(|n| n.canonical())
        };
        assert_eq!(sum("0.1", "0.2"), Ok("0.3".into()));
        assert_eq!(sum("-5", "3"), Ok("-2".into()));
        assert_eq!(sum("5", "-5"), Ok("0".into()));
        assert_eq!(sum("999", "1"), Ok("1000".into()));
        assert_eq!(sum("1e100", "-1e99"), Ok(format!("9{}", "0".repeat(99))));
        // A sum that needs over 38 digits is an overflow, as DynamoDB answers 1e50 - 1.
        assert_eq!(sum("1e125", "1e-10"), Err(NumberError::Overflow));
        assert_eq!(sum("1e50", "-1"), Err(NumberError::Overflow));
        assert_eq!(sum("9.9e125", "1e125"), Err(NumberError::Overflow));
        assert_eq!(
            Number::parse("2").unwrap().negate().canonical(),
            "-2".to_string()
        );
    }

    #[test]
    fn encoding_orders_numerically() {
        let values = [
            "-1e125", "-100", "-99.5", "-1", "-0.123", "-0.12", "-1e-130", "0", "1e-130", "0.12",
            "0.123", "1", "2", "10", "99.5", "100", "1e125",
        ];
        let encoded: Vec<Vec<u8>> = values
            .iter()
            .map(|v| {
                let mut out = Vec::new();
                Number::parse(v).unwrap().encode_ordered(&mut out);
                out
            })
            .collect();
        for pair in encoded.windows(2) {
            assert!(pair[0] < pair[1], "{pair:?}");
        }
    }
}
