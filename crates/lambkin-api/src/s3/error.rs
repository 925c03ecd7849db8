//! The one place S3 errors are turned into answers: each [`lambkin_s3::S3Error`] becomes s3s's
//! error with S3's code and message, which s3s writes as S3's XML (`<Error><Code>…`) with the
//! code's status.

use lambkin_s3::S3Error;
use s3s::{S3Error as WireError, S3ErrorCode};

pub(crate) fn to_wire(e: S3Error) -> WireError {
    let code = match &e {
        S3Error::NoSuchBucket(_) => S3ErrorCode::NoSuchBucket,
        S3Error::NoSuchKey(_) => S3ErrorCode::NoSuchKey,
        S3Error::BucketAlreadyOwnedByYou(_) => S3ErrorCode::BucketAlreadyOwnedByYou,
        S3Error::BucketNotEmpty(_) => S3ErrorCode::BucketNotEmpty,
        S3Error::InvalidBucketName(_) => S3ErrorCode::InvalidBucketName,
        S3Error::EntityTooLarge => S3ErrorCode::EntityTooLarge,
        S3Error::NoSuchUpload(_) => S3ErrorCode::NoSuchUpload,
        S3Error::InvalidPart => S3ErrorCode::InvalidPart,
        S3Error::InvalidPartOrder => S3ErrorCode::InvalidPartOrder,
        S3Error::EntityTooSmall => S3ErrorCode::EntityTooSmall,
        S3Error::MalformedXml => S3ErrorCode::MalformedXML,
        S3Error::PreconditionFailed => S3ErrorCode::PreconditionFailed,
        S3Error::NotModified => S3ErrorCode::NotModified,
        S3Error::InvalidRequest(_) => S3ErrorCode::InvalidRequest,
        S3Error::InvalidArgument(_) => S3ErrorCode::InvalidArgument,
        S3Error::IncompleteBody(_) => S3ErrorCode::IncompleteBody,
        S3Error::BadDigest(_) => S3ErrorCode::BadDigest,
        S3Error::InvalidDigest => S3ErrorCode::InvalidDigest,
        S3Error::Store(store) => {
            tracing::error!(error = %store, "s3: storage failed");
            S3ErrorCode::InternalError
        }
    };
    WireError::with_message(code, e.to_string())
}
