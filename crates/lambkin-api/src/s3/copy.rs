//! CopyObject, UploadPartCopy and DeleteObjects, and the conditions of GET, HEAD and copies.

use lambkin_s3::{Conditions, TagCondition};
use s3s::dto::{
    CopyObjectInput, CopyObjectOutput, CopyObjectResult, CopyPartResult, CopySource,
    DeleteObjectsInput, DeleteObjectsOutput, DeletedObject, ETag, ETagCondition, Error, Timestamp,
    UploadPartCopyInput, UploadPartCopyOutput,
};
use s3s::{S3Request, S3Response, S3Result, s3_error};

use super::checksums::{named_algorithm, set_checksum};
use super::error::to_wire;
use super::objects::new_object;
use super::{Adapter, timestamp};

fn tag_condition(c: Option<ETagCondition>) -> Option<TagCondition> {
    c.map(|c| match c.into_etag() {
        Some(etag) => TagCondition::Tags(vec![etag.into_value()]),
        None => TagCondition::Any,
    })
}

fn seconds(t: Option<Timestamp>) -> Option<i64> {
    t.map(|t| time::OffsetDateTime::from(t).unix_timestamp())
}

/// The four conditional headers (or the copy source's four).
pub(super) fn conditions(
    if_match: Option<ETagCondition>,
    if_none_match: Option<ETagCondition>,
    if_modified_since: Option<Timestamp>,
    if_unmodified_since: Option<Timestamp>,
) -> Conditions {
    Conditions {
        if_match: tag_condition(if_match),
        if_none_match: tag_condition(if_none_match),
        if_modified_since: seconds(if_modified_since),
        if_unmodified_since: seconds(if_unmodified_since),
    }
}

fn source(copy_source: &CopySource) -> S3Result<(&str, &str)> {
    match copy_source {
        CopySource::Bucket { bucket, key, .. } => Ok((bucket, key)),
        _ => Err(s3_error!(
            NotImplemented,
            "lambkin copies from buckets only, not access points"
        )),
    }
}

/// `bytes=first-last`, as `x-amz-copy-source-range` carries it.
fn copy_range(range: Option<&str>) -> S3Result<Option<(u64, u64)>> {
    let Some(range) = range else {
        return Ok(None);
    };
    range
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .map(Some)
        .ok_or_else(|| {
            s3_error!(
                InvalidArgument,
                "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
            )
        })
}

impl Adapter {
    pub(super) async fn copy_object_op(
        &self,
        req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        let s3 = self.s3_for(&req);
        let input = req.input;
        let from = source(&input.copy_source)?;
        let algorithm = named_algorithm(input.checksum_algorithm.as_ref())?;
        let replace = input
            .metadata_directive
            .as_ref()
            .is_some_and(|d| d.as_str() == "REPLACE")
            .then(|| {
                new_object(
                    input.content_type.clone(),
                    [
                        input.cache_control.clone(),
                        input.content_disposition.clone(),
                        input.content_encoding.clone(),
                        input.content_language.clone(),
                    ],
                    input.metadata.clone(),
                )
            });
        let conditions = conditions(
            input.copy_source_if_match.clone(),
            input.copy_source_if_none_match.clone(),
            input.copy_source_if_modified_since.clone(),
            input.copy_source_if_unmodified_since.clone(),
        );
        let object = s3
            .copy_object(
                from,
                &conditions,
                (&input.bucket, &input.key),
                replace,
                algorithm,
            )
            .await
            .map_err(to_wire)?;
        let mut result = CopyObjectResult {
            e_tag: Some(ETag::Strong(object.etag.clone())),
            last_modified: Some(timestamp(object.last_modified)),
            ..Default::default()
        };
        set_checksum!(result, object.checksum.as_ref(), with_type);
        Ok(S3Response::new(CopyObjectOutput {
            copy_object_result: Some(result),
            ..Default::default()
        }))
    }

    pub(super) async fn upload_part_copy_op(
        &self,
        req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        let input = req.input;
        let from = source(&input.copy_source)?;
        let range = copy_range(input.copy_source_range.as_deref())?;
        let conditions = conditions(
            input.copy_source_if_match.clone(),
            input.copy_source_if_none_match.clone(),
            input.copy_source_if_modified_since.clone(),
            input.copy_source_if_unmodified_since.clone(),
        );
        let part = self
            .s3
            .upload_part_copy(
                (&input.bucket, &input.key),
                &input.upload_id,
                input.part_number,
                from,
                &conditions,
                range,
            )
            .await
            .map_err(to_wire)?;
        let mut result = CopyPartResult {
            e_tag: Some(ETag::Strong(part.etag)),
            last_modified: Some(timestamp(part.last_modified)),
            ..Default::default()
        };
        set_checksum!(result, part.checksum.as_ref());
        Ok(S3Response::new(UploadPartCopyOutput {
            copy_part_result: Some(result),
            ..Default::default()
        }))
    }

    pub(super) async fn delete_objects_op(
        &self,
        req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        let s3 = self.s3_for(&req);
        let input = req.input;
        let quiet = input.delete.quiet.unwrap_or(false);
        let keys: Vec<String> = input.delete.objects.into_iter().map(|o| o.key).collect();
        let (deleted, failed) = s3
            .delete_objects(&input.bucket, &keys)
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(DeleteObjectsOutput {
            // Quiet mode reports only the failures.
            deleted: (!quiet).then(|| {
                deleted
                    .into_iter()
                    .map(|key| DeletedObject {
                        key: Some(key),
                        ..Default::default()
                    })
                    .collect()
            }),
            errors: Some(
                failed
                    .into_iter()
                    .map(|(key, e)| {
                        let wire = to_wire(e);
                        Error {
                            code: Some(wire.code().as_str().to_string()),
                            message: wire.message().map(str::to_string),
                            key: Some(key),
                            ..Default::default()
                        }
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_ranges() {
        assert_eq!(copy_range(None).ok(), Some(None));
        assert_eq!(copy_range(Some("bytes=0-9")).ok(), Some(Some((0, 9))));
        for bad in ["0-9", "bytes=9", "bytes=a-b", "bytes=-5"] {
            assert!(copy_range(Some(bad)).is_err(), "{bad}");
        }
    }
}
