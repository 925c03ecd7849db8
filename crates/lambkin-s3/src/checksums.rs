//! Integrity of uploaded bytes: `Content-MD5` and S3's additional checksums (CRC32, CRC32C,
//! CRC64NVME, SHA-1, SHA-256). A request names at most one algorithm, with its value in a
//! header or (for `aws-chunked` bodies) in a trailer that arrives after the bytes; the digest is
//! computed in the same pass that writes the body, compared, and kept with the object so GET
//! and HEAD can return it.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use lambkin_store::ChecksumRecord;
use md5::Digest as _;

use crate::S3Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChecksumAlgorithm {
    Crc32,
    Crc32c,
    Crc64Nvme,
    Sha1,
    Sha256,
}

impl ChecksumAlgorithm {
    pub const ALL: [ChecksumAlgorithm; 5] = [
        ChecksumAlgorithm::Crc32,
        ChecksumAlgorithm::Crc32c,
        ChecksumAlgorithm::Crc64Nvme,
        ChecksumAlgorithm::Sha1,
        ChecksumAlgorithm::Sha256,
    ];

    /// S3's name (`x-amz-sdk-checksum-algorithm`, `ChecksumAlgorithm`), any case.
    pub fn parse(name: &str) -> Option<ChecksumAlgorithm> {
        Self::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(name))
    }

    pub fn name(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Sha1 => "SHA1",
            ChecksumAlgorithm::Sha256 => "SHA256",
        }
    }

    /// The header (or trailer) that carries a value: `x-amz-checksum-crc32`, ...
    pub fn header(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
            ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
            ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
            ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    fn digest_len(self) -> usize {
        match self {
            ChecksumAlgorithm::Crc32 | ChecksumAlgorithm::Crc32c => 4,
            ChecksumAlgorithm::Crc64Nvme => 8,
            ChecksumAlgorithm::Sha1 => 20,
            ChecksumAlgorithm::Sha256 => 32,
        }
    }

    /// The digest of `bytes` in one call.
    pub fn digest(self, bytes: &[u8]) -> Vec<u8> {
        let mut hasher = Hasher::new(self);
        hasher.update(bytes);
        hasher.finish()
    }
}

/// An incremental digest of one algorithm.
pub(crate) enum Hasher {
    Crc(crc_fast::Digest, ChecksumAlgorithm),
    Sha1(sha1::Sha1),
    Sha256(sha2::Sha256),
}

impl Hasher {
    pub(crate) fn new(algorithm: ChecksumAlgorithm) -> Hasher {
        use crc_fast::CrcAlgorithm;
        let crc = |a| Hasher::Crc(crc_fast::Digest::new(a), algorithm);
        match algorithm {
            ChecksumAlgorithm::Crc32 => crc(CrcAlgorithm::Crc32IsoHdlc),
            ChecksumAlgorithm::Crc32c => crc(CrcAlgorithm::Crc32Iscsi),
            ChecksumAlgorithm::Crc64Nvme => crc(CrcAlgorithm::Crc64Nvme),
            ChecksumAlgorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
            ChecksumAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Crc(d, _) => d.update(bytes),
            Hasher::Sha1(d) => d.update(bytes),
            Hasher::Sha256(d) => d.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        match self {
            // S3 sends a CRC big-endian, in the algorithm's width.
            Hasher::Crc(d, a) => {
                let sum = d.finalize().to_be_bytes();
                sum[8 - a.digest_len()..].to_vec()
            }
            Hasher::Sha1(d) => d.finalize().to_vec(),
            Hasher::Sha256(d) => d.finalize().to_vec(),
        }
    }
}

/// Where a request's checksum value is.
pub enum ClaimedValue {
    /// Only the algorithm was named: compute and keep it, nothing to compare.
    Compute,
    /// In a header.
    Given(String),
    /// In a trailer of an `aws-chunked` body, readable once the body has been read.
    Trailer(Box<dyn FnOnce() -> Option<String> + Send + Sync>),
}

impl std::fmt::Debug for ClaimedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClaimedValue::Compute => f.write_str("Compute"),
            ClaimedValue::Given(v) => write!(f, "Given({v:?})"),
            ClaimedValue::Trailer(_) => f.write_str("Trailer"),
        }
    }
}

#[derive(Debug)]
pub struct ChecksumClaim {
    pub algorithm: ChecksumAlgorithm,
    pub value: ClaimedValue,
}

/// What a request says about its body's integrity.
#[derive(Debug, Default)]
pub struct Integrity {
    /// `Content-MD5`, base64.
    pub content_md5: Option<String>,
    pub checksum: Option<ChecksumClaim>,
}

fn invalid_algorithm() -> S3Error {
    S3Error::InvalidRequest("Value for x-amz-sdk-checksum-algorithm header is invalid.".into())
}

impl Integrity {
    /// The claims of a request: `Content-MD5`, the algorithm it names
    /// (`x-amz-sdk-checksum-algorithm`, or implied by `x-amz-trailer`) and the checksum headers
    /// it carries. More than one checksum header, or a header of another algorithm than the one
    /// named, is refused as S3 refuses it.
    pub fn from_request(
        content_md5: Option<String>,
        algorithm: Option<&str>,
        given: Vec<(ChecksumAlgorithm, String)>,
    ) -> Result<Integrity, S3Error> {
        let named = algorithm
            .map(|a| ChecksumAlgorithm::parse(a).ok_or_else(invalid_algorithm))
            .transpose()?;
        if given.len() > 1 {
            return Err(S3Error::InvalidRequest(
                "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
                    .into(),
            ));
        }
        let checksum = match (named, given.into_iter().next()) {
            (None, None) => None,
            (Some(algorithm), None) => Some(ChecksumClaim {
                algorithm,
                value: ClaimedValue::Compute,
            }),
            (named, Some((algorithm, value))) => {
                if named.is_some_and(|n| n != algorithm) {
                    return Err(invalid_algorithm());
                }
                Some(ChecksumClaim {
                    algorithm,
                    value: ClaimedValue::Given(value),
                })
            }
        };
        Ok(Integrity {
            content_md5,
            checksum,
        })
    }

    pub(crate) fn algorithm(&self) -> Option<ChecksumAlgorithm> {
        self.checksum.as_ref().map(|c| c.algorithm)
    }

    /// Compares the claims with what was computed while the body was written: the MD5, and the
    /// digest of [`Self::algorithm`]. The checksum to keep with the bytes.
    pub(crate) fn verify(
        self,
        md5: &[u8; 16],
        computed: Option<Vec<u8>>,
    ) -> Result<Option<ChecksumRecord>, S3Error> {
        if let Some(claimed) = self.content_md5 {
            let claimed = STANDARD
                .decode(claimed.trim())
                .ok()
                .filter(|d| d.len() == 16)
                .ok_or(S3Error::InvalidDigest)?;
            if claimed != md5 {
                return Err(S3Error::BadDigest("Content-MD5".into()));
            }
        }
        let (Some(claim), Some(computed)) = (self.checksum, computed) else {
            return Ok(None);
        };
        let algorithm = claim.algorithm;
        let invalid = || {
            S3Error::InvalidRequest(format!(
                "Value for {} header is invalid.",
                algorithm.header()
            ))
        };
        let claimed = match claim.value {
            ClaimedValue::Compute => None,
            ClaimedValue::Given(v) => Some(v),
            ClaimedValue::Trailer(read) => Some(read().ok_or_else(|| {
                S3Error::InvalidRequest(format!(
                    "The {} trailer was declared but not sent.",
                    algorithm.header()
                ))
            })?),
        };
        if let Some(claimed) = claimed {
            let decoded = STANDARD
                .decode(claimed.trim())
                .ok()
                .filter(|d| d.len() == algorithm.digest_len())
                .ok_or_else(invalid)?;
            if decoded != computed {
                return Err(S3Error::BadDigest(algorithm.name().into()));
            }
        }
        Ok(Some(ChecksumRecord {
            algorithm: algorithm.name().to_string(),
            value: STANDARD.encode(&computed),
        }))
    }
}

/// A multipart object's checksum when its upload named `algorithm`: the digest of the parts'
/// digests, joined, then `-<parts>` (S3's `COMPOSITE` type). None if a part has no checksum
/// of that algorithm.
pub fn composite(
    algorithm: ChecksumAlgorithm,
    parts: &[Option<&ChecksumRecord>],
) -> Option<ChecksumRecord> {
    let mut joined = Vec::with_capacity(parts.len() * algorithm.digest_len());
    for part in parts {
        let part = (*part).filter(|p| p.algorithm == algorithm.name())?;
        joined.extend(STANDARD.decode(&part.value).ok()?);
    }
    Some(ChecksumRecord {
        algorithm: algorithm.name().to_string(),
        value: format!(
            "{}-{}",
            STANDARD.encode(algorithm.digest(&joined)),
            parts.len()
        ),
    })
}

/// `FULL_OBJECT` or, for a multipart object's `-<parts>` form, `COMPOSITE`.
pub fn checksum_type(checksum: &ChecksumRecord) -> &'static str {
    let composite = checksum
        .value
        .rsplit_once('-')
        .is_some_and(|(_, n)| n.parse::<u32>().is_ok());
    if composite {
        "COMPOSITE"
    } else {
        "FULL_OBJECT"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(algorithm: ChecksumAlgorithm, bytes: &[u8]) -> String {
        STANDARD.encode(algorithm.digest(bytes))
    }

    /// Digests of "hello world", computed independently (Python zlib, hashlib, a bitwise CRC).
    #[test]
    fn digests_match_known_values() {
        let cases = [
            (ChecksumAlgorithm::Crc32, "DUoRhQ=="),
            (ChecksumAlgorithm::Crc32c, "yZRlqg=="),
            (ChecksumAlgorithm::Crc64Nvme, "jSnVw/bqjr4="),
            (ChecksumAlgorithm::Sha1, "Kq5sNclPz7QV2+lfQIuc6R7oRu0="),
            (
                ChecksumAlgorithm::Sha256,
                "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
            ),
        ];
        for (algorithm, want) in cases {
            assert_eq!(b64(algorithm, b"hello world"), want, "{algorithm:?}");
            let mut split = Hasher::new(algorithm);
            split.update(b"hello ");
            split.update(b"world");
            assert_eq!(
                STANDARD.encode(split.finish()),
                want,
                "{algorithm:?} in pieces"
            );
        }
    }

    #[test]
    fn names_parse_in_any_case() {
        for a in ChecksumAlgorithm::ALL {
            assert_eq!(ChecksumAlgorithm::parse(a.name()), Some(a));
            assert_eq!(ChecksumAlgorithm::parse(&a.name().to_lowercase()), Some(a));
        }
        assert_eq!(ChecksumAlgorithm::parse("MD5"), None);
    }

    fn claims(
        algorithm: Option<&str>,
        given: &[(ChecksumAlgorithm, &str)],
    ) -> Result<Option<ChecksumAlgorithm>, String> {
        Integrity::from_request(
            None,
            algorithm,
            given.iter().map(|(a, v)| (*a, v.to_string())).collect(),
        )
        .map(|i| i.algorithm())
        .map_err(|e| format!("{}: {e}", e.code()))
    }

    #[test]
    fn requests_name_at_most_one_algorithm() {
        use ChecksumAlgorithm::*;
        assert_eq!(claims(None, &[]), Ok(None));
        assert_eq!(claims(Some("crc32c"), &[]), Ok(Some(Crc32c)));
        assert_eq!(claims(None, &[(Sha256, "x")]), Ok(Some(Sha256)));
        assert_eq!(claims(Some("SHA256"), &[(Sha256, "x")]), Ok(Some(Sha256)));
        assert_eq!(
            claims(Some("CRC32"), &[(Sha256, "x")]),
            Err("InvalidRequest: Value for x-amz-sdk-checksum-algorithm header is invalid.".into())
        );
        assert_eq!(
            claims(Some("MD5"), &[]),
            Err("InvalidRequest: Value for x-amz-sdk-checksum-algorithm header is invalid.".into())
        );
        assert!(
            claims(None, &[(Crc32, "x"), (Sha1, "y")])
                .is_err_and(|e| e.contains("Multiple checksum Types are not allowed"))
        );
    }

    fn verify(integrity: Integrity, body: &[u8]) -> Result<Option<String>, String> {
        let md5: [u8; 16] = md5::Md5::digest(body).into();
        let computed = integrity.algorithm().map(|a| a.digest(body));
        integrity
            .verify(&md5, computed)
            .map(|c| c.map(|c| format!("{} {}", c.algorithm, c.value)))
            .map_err(|e| format!("{}: {e}", e.code()))
    }

    fn claim(algorithm: ChecksumAlgorithm, value: ClaimedValue) -> Integrity {
        Integrity {
            content_md5: None,
            checksum: Some(ChecksumClaim { algorithm, value }),
        }
    }

    #[test]
    fn claims_are_checked_against_the_bytes() {
        use ChecksumAlgorithm::*;
        use ClaimedValue::*;
        let body = b"hello world";
        let crc = b64(Crc32, body);
        type Case = (&'static str, Integrity, Result<Option<String>, String>);
        let cases: Vec<Case> =
            vec![
            ("nothing claimed", Integrity::default(), Ok(None)),
            (
                "right header",
                claim(Crc32, Given(crc.clone())),
                Ok(Some(format!("CRC32 {crc}"))),
            ),
            (
                "right trailer",
                claim(Crc32, Trailer(Box::new(move || Some(b64(Crc32, b"hello world"))))),
                Ok(Some(format!("CRC32 {crc}"))),
            ),
            (
                "algorithm only: computed and kept",
                claim(Sha256, Compute),
                Ok(Some(format!("SHA256 {}", b64(Sha256, body)))),
            ),
            (
                "wrong value",
                claim(Crc32, Given(b64(Crc32, b"hello there"))),
                Err("BadDigest: The CRC32 you specified did not match the calculated checksum."
                    .into()),
            ),
            (
                "wrong trailer",
                claim(Crc32c, Trailer(Box::new(|| Some(b64(Crc32c, b"x"))))),
                Err("BadDigest: The CRC32C you specified did not match the calculated checksum."
                    .into()),
            ),
            (
                "trailer never sent",
                claim(Crc32, Trailer(Box::new(|| None))),
                Err("InvalidRequest: The x-amz-checksum-crc32 trailer was declared but not sent."
                    .into()),
            ),
            (
                "not base64",
                claim(Sha256, Given("not base64!".into())),
                Err("InvalidRequest: Value for x-amz-checksum-sha256 header is invalid.".into()),
            ),
            (
                "wrong length",
                claim(Sha256, Given(crc.clone())),
                Err("InvalidRequest: Value for x-amz-checksum-sha256 header is invalid.".into()),
            ),
            (
                "right Content-MD5",
                Integrity {
                    content_md5: Some(STANDARD.encode(md5::Md5::digest(body))),
                    checksum: None,
                },
                Ok(None),
            ),
            (
                "wrong Content-MD5",
                Integrity {
                    content_md5: Some(STANDARD.encode(md5::Md5::digest(b"other"))),
                    checksum: None,
                },
                Err("BadDigest: The Content-MD5 you specified did not match what we received."
                    .into()),
            ),
            (
                "malformed Content-MD5",
                Integrity {
                    content_md5: Some("AAAA".into()),
                    checksum: None,
                },
                Err("InvalidDigest: The Content-MD5 you specified was invalid.".into()),
            ),
        ];
        for (name, integrity, want) in cases {
            assert_eq!(verify(integrity, body), want, "{name}");
        }
    }

    #[test]
    fn composite_checksums_join_the_parts_digests() {
        let parts: Vec<ChecksumRecord> = [b"part one".as_slice(), b"part two"]
            .iter()
            .map(|p| ChecksumRecord {
                algorithm: "SHA256".into(),
                value: b64(ChecksumAlgorithm::Sha256, p),
            })
            .collect();
        let mut joined = ChecksumAlgorithm::Sha256.digest(b"part one");
        joined.extend(ChecksumAlgorithm::Sha256.digest(b"part two"));
        let want = format!("{}-2", b64(ChecksumAlgorithm::Sha256, &joined));
        let got = composite(
            ChecksumAlgorithm::Sha256,
            &[Some(&parts[0]), Some(&parts[1])],
        )
        .expect("both parts have one");
        assert_eq!(got.value, want);
        assert_eq!(checksum_type(&got), "COMPOSITE");
        assert_eq!(checksum_type(&parts[0]), "FULL_OBJECT");
        assert_eq!(
            composite(ChecksumAlgorithm::Sha256, &[Some(&parts[0]), None]),
            None,
            "a part without one"
        );
        assert_eq!(
            composite(ChecksumAlgorithm::Crc32, &[Some(&parts[0])]),
            None,
            "a part of another algorithm"
        );
    }
}
