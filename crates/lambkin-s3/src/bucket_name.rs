//! Bucket names as S3 accepts them for a new general purpose bucket (S3 User Guide, "General
//! purpose bucket naming rules"). Checked at CreateBucket; other operations look the name up,
//! and a name that was never valid is never found.

use std::net::Ipv4Addr;

use crate::S3Error;

const RESERVED_PREFIXES: &[&str] = &["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_SUFFIXES: &[&str] = &["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

pub fn check(name: &str) -> Result<(), S3Error> {
    let bytes = name.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let valid = (3..=63).contains(&bytes.len())
        && bytes.iter().all(|&b| alnum(b) || b == b'.' || b == b'-')
        && bytes.first().copied().is_some_and(alnum)
        && bytes.last().copied().is_some_and(alnum)
        && !name.contains("..")
        && name.parse::<Ipv4Addr>().is_err()
        && !RESERVED_PREFIXES.iter().any(|p| name.starts_with(p))
        && !RESERVED_SUFFIXES.iter().any(|s| name.ends_with(s));
    if valid {
        Ok(())
    } else {
        Err(S3Error::InvalidBucketName(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_examples_and_rules() {
        let cases = [
            // The user guide's valid examples.
            ("docexamplebucket1", true),
            ("log-delivery-march-2020", true),
            ("my-hosted-content", true),
            ("docexamplewebsite.com", true),
            ("www.docexamplewebsite.com", true),
            ("my.example.s3.bucket", true),
            ("abc", true),
            (&"a".repeat(63), true),
            // Its invalid examples, then one per rule.
            ("doc_example_bucket", false),
            ("DocExampleBucket", false),
            ("doc-example-bucket-", false),
            ("ab", false),
            (&"a".repeat(64), false),
            ("-bucket", false),
            (".bucket", false),
            ("my..bucket", false),
            ("192.168.5.4", false),
            ("xn--bucket", false),
            ("sthree-bucket", false),
            ("amzn-s3-demo-bucket", false),
            ("bucket-s3alias", false),
            ("bucket--ol-s3", false),
            ("bucket.mrap", false),
            ("bucket--x-s3", false),
            ("bucket--table-s3", false),
            ("bücket", false),
            ("", false),
        ];
        for (name, ok) in cases {
            assert_eq!(check(name).is_ok(), ok, "{name}");
        }
    }
}
