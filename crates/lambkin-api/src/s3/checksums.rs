//! S3's additional checksums on the wire: the claims a request makes (`Content-MD5`,
//! `x-amz-sdk-checksum-algorithm`, `x-amz-checksum-*` headers, or an `x-amz-trailer` whose
//! value s3s reads from the end of an `aws-chunked` body), and the `checksum_*` fields of the
//! answers.

use lambkin_s3::{ChecksumAlgorithm, ChecksumRecord, ClaimedValue, Integrity, checksum_type};
use s3s::S3Request;

use super::error::to_wire;

/// The request's claims. `values` are the `x-amz-checksum-*` headers in
/// [`ChecksumAlgorithm::ALL`] order (CRC32, CRC32C, CRC64NVME, SHA1, SHA256).
pub(super) fn integrity<T>(
    req: &S3Request<T>,
    content_md5: Option<String>,
    algorithm: Option<&s3s::dto::ChecksumAlgorithm>,
    values: [Option<String>; 5],
) -> s3s::S3Result<Integrity> {
    let given: Vec<(ChecksumAlgorithm, String)> = ChecksumAlgorithm::ALL
        .into_iter()
        .zip(values)
        .filter_map(|(a, v)| Some((a, v?)))
        .collect();
    let mut integrity = Integrity::from_request(content_md5, algorithm.map(|a| a.as_str()), given)
        .map_err(to_wire)?;
    // A value promised in a trailer is read once s3s has read the body to its end.
    if let Some(claim) = integrity.checksum.as_mut()
        && matches!(claim.value, ClaimedValue::Compute)
        && let Some(trailers) = req.trailing_headers.clone()
        && req.headers.get("x-amz-trailer").is_some_and(|t| {
            t.as_bytes()
                .eq_ignore_ascii_case(claim.algorithm.header().as_bytes())
        })
    {
        let name = claim.algorithm.header();
        claim.value = ClaimedValue::Trailer(Box::new(move || {
            trailers
                .read(|h| {
                    h.get(name)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string)
                })
                .flatten()
        }));
    }
    Ok(integrity)
}

/// The algorithm a request names (`x-amz-checksum-algorithm` of CreateMultipartUpload and
/// CopyObject).
pub(super) fn named_algorithm(
    algorithm: Option<&s3s::dto::ChecksumAlgorithm>,
) -> s3s::S3Result<Option<ChecksumAlgorithm>> {
    algorithm
        .map(|a| {
            ChecksumAlgorithm::parse(a.as_str()).ok_or_else(|| {
                s3s::s3_error!(
                    InvalidRequest,
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"
                )
            })
        })
        .transpose()
}

/// One checksum spread over the five per-algorithm fields S3's answers have.
#[derive(Default)]
pub(super) struct Wire {
    pub crc32: Option<String>,
    pub crc32c: Option<String>,
    pub crc64nvme: Option<String>,
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    /// `FULL_OBJECT` or `COMPOSITE`.
    pub kind: Option<s3s::dto::ChecksumType>,
}

impl Wire {
    pub(super) fn of(checksum: Option<&ChecksumRecord>) -> Wire {
        let mut wire = Wire::default();
        let Some(c) = checksum else { return wire };
        let slot = match ChecksumAlgorithm::parse(&c.algorithm) {
            Some(ChecksumAlgorithm::Crc32) => &mut wire.crc32,
            Some(ChecksumAlgorithm::Crc32c) => &mut wire.crc32c,
            Some(ChecksumAlgorithm::Crc64Nvme) => &mut wire.crc64nvme,
            Some(ChecksumAlgorithm::Sha1) => &mut wire.sha1,
            Some(ChecksumAlgorithm::Sha256) => &mut wire.sha256,
            None => return wire,
        };
        *slot = Some(c.value.clone());
        wire.kind = Some(checksum_type(c).to_string().into());
        wire
    }
}

/// Sets an s3s answer's `checksum_*` fields (and `checksum_type`, when named) from a
/// `Option<&ChecksumRecord>`.
macro_rules! set_checksum {
    ($out:expr, $checksum:expr) => {{
        let w = $crate::s3::checksums::Wire::of($checksum);
        $out.checksum_crc32 = w.crc32;
        $out.checksum_crc32c = w.crc32c;
        $out.checksum_crc64nvme = w.crc64nvme;
        $out.checksum_sha1 = w.sha1;
        $out.checksum_sha256 = w.sha256;
        w.kind
    }};
    ($out:expr, $checksum:expr, with_type) => {{
        $out.checksum_type = set_checksum!($out, $checksum);
    }};
}
pub(super) use set_checksum;

/// The `x-amz-checksum-*` values of a request, in [`ChecksumAlgorithm::ALL`] order.
macro_rules! checksum_values {
    ($input:expr) => {
        [
            $input.checksum_crc32.take(),
            $input.checksum_crc32c.take(),
            $input.checksum_crc64nvme.take(),
            $input.checksum_sha1.take(),
            $input.checksum_sha256.take(),
        ]
    };
}
pub(super) use checksum_values;
