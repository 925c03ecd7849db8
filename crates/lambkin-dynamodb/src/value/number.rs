//! DynamoDB's Number: an exact decimal of at most 38 significant digits whose magnitude is 0 or
//! lies between 1E-130 and 9.9999999999999999999999999999999999999E+125, read from and written as
//! text. Arithmetic (`SET a = a + :v`, `ADD`) and comparison are exact; nothing here rounds.
//!
//! The value is held normalized (no leading or trailing zeros), so equal numbers are equal
//! values (`1.50` = `1.5`), and its text is DynamoDB's: plain notation without exponent or
//! trailing zeros (`1.5E2` comes back as `150`, `-0` as `0`).

use std::fmt;
use std::str::FromStr;

use bigdecimal::num_bigint::BigInt;
use bigdecimal::{BigDecimal, Zero};

use super::ValueError;

/// Most significant digits a Number holds.
pub const MAX_DIGITS: u64 = 38;
/// Largest decimal exponent of a Number's leading digit (9.99…E+125).
const MAX_EXPONENT: i64 = 125;
/// Smallest decimal exponent of a nonzero Number's leading digit (1E-130).
const MIN_EXPONENT: i64 = -130;

/// A DynamoDB Number, normalized and within DynamoDB's precision and range.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Number(BigDecimal);

impl Number {
    /// Reads a Number as DynamoDB reads the `N` member: an optional sign, digits with an
    /// optional point, an optional exponent; no spaces, `NaN` or `Infinity`.
    pub fn parse(text: &str) -> Result<Number, ValueError> {
        let not_numeric = || {
            if text.is_empty() {
                ValueError::NotNumeric(None)
            } else {
                ValueError::NotNumeric(Some(text.to_owned()))
            }
        };
        let Scanned {
            negative,
            digits,
            exponent,
        } = scan(text).ok_or_else(not_numeric)?;
        // Leading and trailing zeros are not significant; what remains decides the range
        // before any big number is built, so "1e100000000" costs nothing.
        let significant = digits.trim_start_matches('0');
        let trimmed = significant.trim_end_matches('0');
        if trimmed.is_empty() {
            return Ok(Number(BigDecimal::from(0)));
        }
        let exponent = exponent + (significant.len() - trimmed.len()) as i64;
        check_range(exponent + trimmed.len() as i64 - 1, trimmed.len() as u64)?;
        let mut coefficient: BigInt = trimmed.parse().map_err(|_| not_numeric())?;
        if negative {
            coefficient = -coefficient;
        }
        Ok(Number(BigDecimal::new(coefficient, -exponent)))
    }

    /// `self + other`, exact, refused when the sum leaves DynamoDB's range or precision.
    pub fn checked_add(&self, other: &Number) -> Result<Number, ValueError> {
        Number::bounded(&self.0 + &other.0)
    }

    /// `self - other`, exact, refused as [`Number::checked_add`] is.
    pub fn checked_sub(&self, other: &Number) -> Result<Number, ValueError> {
        Number::bounded(&self.0 - &other.0)
    }

    /// How many significant digits the number has (1 for zero), which is what it costs in an
    /// item's size.
    pub fn significant_digits(&self) -> u64 {
        if self.is_zero() { 1 } else { self.0.digits() }
    }

    pub fn is_zero(&self) -> bool {
        self.0.is_zero()
    }

    /// Bytes that sort as the numbers do (a sort or partition key's stored form): a sign byte,
    /// then the decimal exponent of the leading digit, then the significant digits; a
    /// negative number's exponent and digits are inverted and end in 0xFF, so that of two
    /// negatives with the same leading digits the longer (larger magnitude) sorts first.
    pub fn key_bytes(&self) -> Vec<u8> {
        if self.0.is_zero() {
            return vec![0x02];
        }
        let (coefficient, scale) = self.0.as_bigint_and_exponent();
        let negative = coefficient.sign() == bigdecimal::num_bigint::Sign::Minus;
        let text = coefficient.magnitude().to_string();
        let digits = text.trim_end_matches('0');
        // value = 0.d1d2… × 10^leading
        let leading = text.len() as i64 - scale;
        let exponent = (leading + 0x8000) as u16;
        let mut out = Vec::with_capacity(digits.len() + 4);
        if negative {
            out.push(0x01);
            out.extend((!exponent).to_be_bytes());
            out.extend(digits.bytes().map(|d| 0xFF - (d - b'0' + 1)));
            out.push(0xFF);
        } else {
            out.push(0x03);
            out.extend(exponent.to_be_bytes());
            out.extend(digits.bytes().map(|d| d - b'0' + 1));
        }
        out
    }

    /// Checks a computed result. DynamoDB answers a sum that needs more than 38 digits
    /// (`1E50 + 1`) with its overflow message, not the precision one, and so does this.
    fn bounded(value: BigDecimal) -> Result<Number, ValueError> {
        let value = value.normalized();
        if value.is_zero() {
            return Ok(Number(value));
        }
        let digits = value.digits();
        let (_, scale) = value.as_bigint_and_exponent();
        let leading = digits as i64 - 1 - scale;
        check_range(leading, 0)?;
        if digits > MAX_DIGITS {
            return Err(ValueError::NumberOverflow);
        }
        Ok(Number(value))
    }
}

/// Refuses a leading-digit exponent outside DynamoDB's range, then more than 38 digits.
fn check_range(leading_exponent: i64, digits: u64) -> Result<(), ValueError> {
    if leading_exponent > MAX_EXPONENT {
        Err(ValueError::NumberOverflow)
    } else if leading_exponent < MIN_EXPONENT {
        Err(ValueError::NumberUnderflow)
    } else if digits > MAX_DIGITS {
        Err(ValueError::NumberPrecision)
    } else {
        Ok(())
    }
}

/// A number's text taken apart: value = ±digits × 10^exponent.
struct Scanned {
    negative: bool,
    digits: String,
    exponent: i64,
}

fn scan(text: &str) -> Option<Scanned> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (mantissa, ""),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.len() + fraction.len() == 0 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let exponent = match exponent {
        Some(e) => parse_exponent(e)?,
        None => 0,
    };
    Some(Scanned {
        negative,
        digits: format!("{whole}{fraction}"),
        exponent: exponent - fraction.len() as i64,
    })
}

/// An exponent's digits, saturating far beyond any range DynamoDB accepts.
fn parse_exponent(text: &str) -> Option<i64> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let magnitude = digits.bytes().fold(0i64, |acc, b| {
        acc.saturating_mul(10)
            .saturating_add(i64::from(b - b'0'))
            .min(1 << 40)
    });
    Some(if negative { -magnitude } else { magnitude })
}

impl FromStr for Number {
    type Err = ValueError;

    fn from_str(text: &str) -> Result<Number, ValueError> {
        Number::parse(text)
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.write_plain_string(f)
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Number {
        Number(BigDecimal::from(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_and_print_as_dynamodb_returns_them() {
        let cases: &[(&str, &str)] = &[
            ("1.50", "1.5"),
            ("1.0", "1"),
            ("00042", "42"),
            ("-0", "0"),
            ("0e1000", "0"),
            ("1.5E2", "150"),
            ("+3", "3"),
            (".123", "0.123"),
            ("0001.23", "1.23"),
            ("1e+5", "100000"),
            ("-17.4E37", "-174000000000000000000000000000000000000"),
            ("1.", "1"),
            (
                "1.00000000000000007629769841092E+50",
                "100000000000000007629769841092000000000000000000000",
            ),
            (
                "3.1415926535897932384626433832795028841",
                "3.1415926535897932384626433832795028841",
            ),
            (
                "31415926535897932384626433832795028841e30",
                "31415926535897932384626433832795028841000000000000000000000000000000",
            ),
            ("-1e-3", "-0.001"),
            (
                "9.9999999999999999999999999999999999999E+125",
                &format!("{}{}", "9".repeat(38), "0".repeat(88)),
            ),
            ("1E-130", &format!("0.{}1", "0".repeat(129))),
        ];
        for (text, shown) in cases {
            let n = Number::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(n.to_string(), *shown, "{text}");
        }
    }

    #[test]
    fn refused_numbers_get_dynamodb_messages() {
        let not_numeric = "The parameter cannot be converted to a numeric value";
        let overflow = "Number overflow. Attempting to store a number with magnitude larger than supported range";
        let underflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range";
        let precision = "Attempting to store more than 38 significant digits in a Number";
        let cases: &[(&str, String)] = &[
            ("", not_numeric.to_owned()),
            ("b", format!("{not_numeric}: b")),
            ("NaN", format!("{not_numeric}: NaN")),
            ("Infinity", format!("{not_numeric}: Infinity")),
            ("-Infinity", format!("{not_numeric}: -Infinity")),
            (" 1", format!("{not_numeric}:  1")),
            ("1 ", format!("{not_numeric}: 1 ")),
            (".", format!("{not_numeric}: .")),
            ("1e", format!("{not_numeric}: 1e")),
            ("--1", format!("{not_numeric}: --1")),
            ("0x10", format!("{not_numeric}: 0x10")),
            ("1e126", overflow.to_owned()),
            ("-1e126", overflow.to_owned()),
            ("11e125", overflow.to_owned()),
            ("1.0e100000000", overflow.to_owned()),
            ("1e-131", underflow.to_owned()),
            ("-1e-131", underflow.to_owned()),
            ("0.9e-130", underflow.to_owned()),
            (
                "123456789012345678901234567890123456789",
                precision.to_owned(),
            ),
            (
                "-1.23456789012345678901234567890123456789",
                precision.to_owned(),
            ),
            (
                "314159265358979323846264338327950288419e30",
                precision.to_owned(),
            ),
        ];
        for (text, message) in cases {
            let err = Number::parse(text).expect_err(text);
            assert_eq!(err.to_string(), *message, "{text:?}");
        }
    }

    #[test]
    fn arithmetic_and_comparison_are_exact_to_38_digits() {
        let n = |s: &str| Number::parse(s).expect("valid");
        // Sums, differences and orderings that a double (or a 28-digit decimal) gets wrong.
        let sums: &[(&str, &str, &str)] = &[
            ("1", "10000000000000000000000", "10000000000000000000001"),
            (
                "12345678901234567890123456789012345678",
                "1",
                "12345678901234567890123456789012345679",
            ),
            (
                "0.1234567890123456789012345678901234567",
                "0.0000000000000000000000000000000000001",
                "0.1234567890123456789012345678901234568",
            ),
            ("0.1", "0.2", "0.3"),
            ("-5", "5", "0"),
            ("1.5", "-0.25", "1.25"),
            (
                "99999999999999999999999999999999999999",
                "1",
                "100000000000000000000000000000000000000",
            ),
        ];
        for (a, b, sum) in sums {
            assert_eq!(
                n(a).checked_add(&n(b)).expect("in range").to_string(),
                *sum,
                "{a} + {b}"
            );
            assert_eq!(
                n(sum).checked_sub(&n(b)).expect("in range"),
                n(a),
                "{sum} - {b}"
            );
        }
        assert!(
            n("12345678901234567890123456789012345678")
                < n("12345678901234567890123456789012345679")
        );
        assert!(
            n("-0.00000000000000000000000000000000000002")
                < n("-0.00000000000000000000000000000000000001")
        );
        assert!(n("1e125") > n("9.9999999999999999999999999999999999999e124"));
        assert_eq!(n("1.50"), n("1.5"));
        assert_eq!(n("100"), n("1e2"));
    }

    #[test]
    fn arithmetic_out_of_range_is_refused_as_dynamodb_refuses_it() {
        let n = |s: &str| Number::parse(s).expect("valid");
        let overflow = ValueError::NumberOverflow;
        let cases: &[(&str, char, &str, ValueError)] = &[
            ("9e125", '+', "9e125", overflow.clone()),
            ("9e125", '-', "-9e125", overflow.clone()),
            // 51 significant digits: DynamoDB says overflow, not precision.
            ("1e50", '+', "1", overflow.clone()),
            ("1e50", '-', "1", overflow),
            ("1.5E-130", '-', "1E-130", ValueError::NumberUnderflow),
        ];
        for (a, op, b, err) in cases {
            let got = match op {
                '+' => n(a).checked_add(&n(b)),
                _ => n(a).checked_sub(&n(b)),
            };
            assert_eq!(got, Err(err.clone()), "{a} {op} {b}");
        }
    }

    #[test]
    fn significant_digits_ignore_leading_and_trailing_zeros() {
        let cases: &[(&str, u64)] = &[
            ("0", 1),
            ("100", 1),
            ("0.00120", 2),
            ("12345678901234567890123456789012345678", 38),
            ("-1.5", 2),
        ];
        for (text, digits) in cases {
            assert_eq!(
                Number::parse(text).expect("valid").significant_digits(),
                *digits,
                "{text}"
            );
        }
    }
}
