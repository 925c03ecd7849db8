//! CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts,
//! ListMultipartUploads.

use lambkin_s3::CompletedPart;
use s3s::dto::{
    AbortMultipartUploadInput, AbortMultipartUploadOutput, CompleteMultipartUploadInput,
    CompleteMultipartUploadOutput, CreateMultipartUploadInput, CreateMultipartUploadOutput, ETag,
    ListMultipartUploadsInput, ListMultipartUploadsOutput, ListPartsInput, ListPartsOutput,
    MultipartUpload, Part, StreamingBlob, UploadPartInput, UploadPartOutput,
};
use s3s::{S3Request, S3Response, S3Result};

use super::checksums::{checksum_values, integrity, named_algorithm, set_checksum};
use super::error::to_wire;
use super::objects::new_object;
use super::{Adapter, timestamp};

impl Adapter {
    pub(super) async fn create_multipart_upload_op(
        &self,
        req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        let input = req.input;
        let algorithm = named_algorithm(input.checksum_algorithm.as_ref())?;
        let new = new_object(
            input.content_type,
            [
                input.cache_control,
                input.content_disposition,
                input.content_encoding,
                input.content_language,
            ],
            input.metadata,
        );
        let upload = self
            .s3
            .create_multipart_upload(&input.bucket, &input.key, new, algorithm)
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(CreateMultipartUploadOutput {
            bucket: Some(upload.bucket),
            key: Some(upload.key),
            upload_id: Some(upload.upload_id),
            checksum_algorithm: input.checksum_algorithm,
            checksum_type: algorithm.map(|_| "COMPOSITE".to_string().into()),
            ..Default::default()
        }))
    }

    pub(super) async fn upload_part_op(
        &self,
        req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let mut req = req;
        let (md5, values) = (req.input.content_md5.take(), checksum_values!(req.input));
        let integrity = integrity(&req, md5, req.input.checksum_algorithm.as_ref(), values)?;
        let mut input = req.input;
        let body = input
            .body
            .take()
            .unwrap_or_else(|| StreamingBlob::from(s3s::Body::empty()));
        let part = self
            .s3
            .upload_part(
                &input.bucket,
                &input.key,
                &input.upload_id,
                input.part_number,
                integrity,
                body,
            )
            .await
            .map_err(to_wire)?;
        let mut output = UploadPartOutput {
            e_tag: Some(ETag::Strong(part.etag)),
            ..Default::default()
        };
        set_checksum!(output, part.checksum.as_ref());
        Ok(S3Response::new(output))
    }

    pub(super) async fn complete_multipart_upload_op(
        &self,
        req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let s3 = self.s3_for(&req);
        let input = req.input;
        let listed: Vec<CompletedPart> = input
            .multipart_upload
            .and_then(|m| m.parts)
            .unwrap_or_default()
            .into_iter()
            .map(|mut p| CompletedPart {
                part_number: p
                    .part_number
                    .and_then(|n| u32::try_from(n).ok())
                    .unwrap_or(0),
                etag: p.e_tag.take().map(ETag::into_value).unwrap_or_default(),
                checksum: checksum_values!(p).into_iter().flatten().next(),
            })
            .collect();
        let object = s3
            .complete_multipart_upload(&input.bucket, &input.key, &input.upload_id, &listed)
            .await
            .map_err(to_wire)?;
        let mut output = CompleteMultipartUploadOutput {
            location: Some(format!("/{}/{}", object.bucket, object.key)),
            e_tag: Some(ETag::Strong(object.etag.clone())),
            ..Default::default()
        };
        set_checksum!(output, object.checksum.as_ref(), with_type);
        output.bucket = Some(object.bucket);
        output.key = Some(object.key);
        Ok(S3Response::new(output))
    }

    pub(super) async fn abort_multipart_upload_op(
        &self,
        req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        let input = req.input;
        self.s3
            .abort_multipart_upload(&input.bucket, &input.key, &input.upload_id)
            .await
            .map_err(to_wire)?;
        let mut response = S3Response::new(AbortMultipartUploadOutput::default());
        response.status = Some(axum::http::StatusCode::NO_CONTENT);
        Ok(response)
    }

    pub(super) async fn list_parts_op(
        &self,
        req: S3Request<ListPartsInput>,
    ) -> S3Result<S3Response<ListPartsOutput>> {
        let input = req.input;
        let max_parts = input.max_parts.unwrap_or(1000).clamp(0, 1000);
        let marker = input.part_number_marker.unwrap_or(0);
        let parts = self
            .s3
            .list_parts(&input.bucket, &input.key, &input.upload_id)
            .await
            .map_err(to_wire)?;
        let after: Vec<_> = parts
            .into_iter()
            .filter(|p| i64::from(p.part_number) > i64::from(marker))
            .collect();
        let limit = usize::try_from(max_parts).unwrap_or(0);
        let truncated = after.len() > limit;
        let page: Vec<_> = after.into_iter().take(limit).collect();
        let next = page
            .last()
            .filter(|_| truncated)
            .and_then(|p| i32::try_from(p.part_number).ok());
        Ok(S3Response::new(ListPartsOutput {
            bucket: Some(input.bucket),
            key: Some(input.key),
            upload_id: Some(input.upload_id),
            max_parts: Some(max_parts),
            part_number_marker: Some(marker),
            next_part_number_marker: next,
            is_truncated: Some(truncated),
            parts: Some(
                page.into_iter()
                    .map(|p| {
                        let mut part = Part {
                            part_number: i32::try_from(p.part_number).ok(),
                            e_tag: Some(ETag::Strong(p.etag)),
                            size: i64::try_from(p.size).ok(),
                            last_modified: Some(timestamp(p.last_modified)),
                            ..Default::default()
                        };
                        set_checksum!(part, p.checksum.as_ref());
                        part
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    pub(super) async fn list_multipart_uploads_op(
        &self,
        req: S3Request<ListMultipartUploadsInput>,
    ) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
        let input = req.input;
        let prefix = input.prefix.clone().unwrap_or_default();
        let uploads = self
            .s3
            .list_multipart_uploads(&input.bucket)
            .await
            .map_err(to_wire)?;
        Ok(S3Response::new(ListMultipartUploadsOutput {
            bucket: Some(input.bucket),
            prefix: input.prefix,
            max_uploads: Some(input.max_uploads.unwrap_or(1000)),
            is_truncated: Some(false),
            uploads: Some(
                uploads
                    .into_iter()
                    .filter(|u| u.key.starts_with(&prefix))
                    .map(|u| MultipartUpload {
                        key: Some(u.key),
                        upload_id: Some(u.upload_id),
                        initiated: Some(timestamp(u.initiated)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}
