//! [`S3Error`]: one variant per S3 error code lambkin answers with. The api crate's S3 writer
//! turns each into S3's XML error with its code and status.

use lambkin_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// `NoSuchBucket` (404).
    #[error("The specified bucket does not exist")]
    NoSuchBucket(String),
    /// `NoSuchKey` (404).
    #[error("The specified key does not exist.")]
    NoSuchKey(String),
    /// `BucketAlreadyOwnedByYou` (409): lambkin has one owner, so every taken name is yours.
    #[error("Your previous request to create the named bucket succeeded and you already own it.")]
    BucketAlreadyOwnedByYou(String),
    /// `BucketNotEmpty` (409).
    #[error("The bucket you tried to delete is not empty")]
    BucketNotEmpty(String),
    /// `InvalidBucketName` (400).
    #[error("The specified bucket is not valid.")]
    InvalidBucketName(String),
    /// `EntityTooLarge` (400): a single PUT above 5 GiB.
    #[error("Your proposed upload exceeds the maximum allowed size")]
    EntityTooLarge,
    /// `NoSuchUpload` (404).
    #[error(
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )]
    NoSuchUpload(String),
    /// `InvalidPart` (400): a listed part was not uploaded, or its ETag differs.
    #[error(
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
    )]
    InvalidPart,
    /// `InvalidPartOrder` (400).
    #[error("The list of parts was not in ascending order. Parts must be ordered by part number.")]
    InvalidPartOrder,
    /// `EntityTooSmall` (400): a part other than the last below 5 MiB.
    #[error("Your proposed upload is smaller than the minimum allowed object size.")]
    EntityTooSmall,
    /// `MalformedXML` (400): a CompleteMultipartUpload without parts.
    #[error(
        "The XML you provided was not well-formed or did not validate against our published schema"
    )]
    MalformedXml,
    /// `PreconditionFailed` (412).
    #[error("At least one of the pre-conditions you specified did not hold")]
    PreconditionFailed,
    /// `NotModified` (304).
    #[error("Not Modified")]
    NotModified,
    /// `InvalidRequest` (400).
    #[error("{0}")]
    InvalidRequest(String),
    /// `InvalidArgument` (400).
    #[error("{0}")]
    InvalidArgument(String),
    /// `BadDigest` (400): the bytes do not match the `Content-MD5` or checksum sent with them
    /// (named here: `Content-MD5`, `CRC32`, ...); nothing was stored.
    #[error("{}", bad_digest(.0))]
    BadDigest(String),
    /// `InvalidDigest` (400): a `Content-MD5` that is not a base64 MD5.
    #[error("The Content-MD5 you specified was invalid.")]
    InvalidDigest,
    /// The client's body stream failed part-way (`IncompleteBody`, 400); nothing was stored.
    #[error("You did not provide the number of bytes specified by the Content-Length HTTP header.")]
    IncompleteBody(String),
    /// `InternalError` (500): the store failed.
    #[error("We encountered an internal error. Please try again.")]
    Store(#[from] StoreError),
}

impl S3Error {
    /// S3's error code, as its XML `<Code>` and other services quoting S3 name it.
    pub fn code(&self) -> &'static str {
        match self {
            S3Error::NoSuchBucket(_) => "NoSuchBucket",
            S3Error::NoSuchKey(_) => "NoSuchKey",
            S3Error::BucketAlreadyOwnedByYou(_) => "BucketAlreadyOwnedByYou",
            S3Error::BucketNotEmpty(_) => "BucketNotEmpty",
            S3Error::InvalidBucketName(_) => "InvalidBucketName",
            S3Error::EntityTooLarge => "EntityTooLarge",
            S3Error::NoSuchUpload(_) => "NoSuchUpload",
            S3Error::InvalidPart => "InvalidPart",
            S3Error::InvalidPartOrder => "InvalidPartOrder",
            S3Error::EntityTooSmall => "EntityTooSmall",
            S3Error::MalformedXml => "MalformedXML",
            S3Error::PreconditionFailed => "PreconditionFailed",
            S3Error::NotModified => "NotModified",
            S3Error::InvalidRequest(_) => "InvalidRequest",
            S3Error::InvalidArgument(_) => "InvalidArgument",
            S3Error::IncompleteBody(_) => "IncompleteBody",
            S3Error::BadDigest(_) => "BadDigest",
            S3Error::InvalidDigest => "InvalidDigest",
            S3Error::Store(_) => "InternalError",
        }
    }
}

fn bad_digest(what: &str) -> String {
    if what == "Content-MD5" {
        "The Content-MD5 you specified did not match what we received.".into()
    } else {
        format!("The {what} you specified did not match the calculated checksum.")
    }
}
