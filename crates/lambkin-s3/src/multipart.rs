//! Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
//! AbortMultipartUpload, ListParts, ListMultipartUploads. Each part is its own durable body;
//! completing copies the listed parts, in order, into one new body (so a GET reads one file),
//! then one store write stores the object and ends the upload, and the part bodies are removed.

use bytes::Bytes;
use futures_core::Stream;
use lambkin_store::{ObjectRecord, PartPut, PartRecord, UploadCompleted, UploadRecord};
use md5::{Digest, Md5};

use crate::checksums::{ChecksumAlgorithm, ChecksumClaim, ClaimedValue, Integrity, composite};
use crate::notifications::ObjectEvent;
use crate::objects::{StoredBody, hex};
use crate::{ChecksumRecord, Conditions, NewObject, S3, S3Error};

/// Every part but the last is at least 5 MiB.
pub const MIN_PART_BYTES: u64 = 5 * 1024 * 1024;

/// A part named in CompleteMultipartUpload: its number, the ETag the client was given and,
/// if the client sent it, the part's checksum.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CompletedPart {
    pub part_number: u32,
    pub etag: String,
    pub checksum: Option<String>,
}

/// S3's ETag of a multipart object: the MD5 of the parts' binary MD5s, then `-<parts>`.
pub fn multipart_etag(part_etags: &[&str]) -> Option<String> {
    let mut md5 = Md5::new();
    for etag in part_etags {
        let bytes: Vec<u8> = (0..etag.len())
            .step_by(2)
            .map(|i| {
                etag.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect::<Option<_>>()?;
        md5.update(&bytes);
    }
    Some(format!("{}-{}", hex(&md5.finalize()), part_etags.len()))
}

/// Checks the listed parts against the uploaded ones: ascending numbers, each uploaded with
/// that ETag, each but the last at least [`MIN_PART_BYTES`]. The uploaded parts to join, in order.
pub fn choose_parts<'p>(
    listed: &[CompletedPart],
    uploaded: &'p [PartRecord],
) -> Result<Vec<&'p PartRecord>, S3Error> {
    if listed.is_empty() {
        return Err(S3Error::MalformedXml);
    }
    if listed
        .windows(2)
        .any(|w| w[0].part_number >= w[1].part_number)
    {
        return Err(S3Error::InvalidPartOrder);
    }
    let mut chosen = Vec::with_capacity(listed.len());
    for want in listed {
        let etag = want.etag.trim_matches('"');
        let part = uploaded
            .iter()
            .find(|p| p.part_number == want.part_number && p.etag == etag)
            .filter(|p| match (&want.checksum, &p.checksum) {
                (Some(listed), Some(stored)) => *listed == stored.value,
                (Some(_), None) => false,
                (None, _) => true,
            })
            .ok_or(S3Error::InvalidPart)?;
        chosen.push(part);
    }
    let last = chosen.len() - 1;
    if chosen[..last].iter().any(|p| p.size < MIN_PART_BYTES) {
        return Err(S3Error::EntityTooSmall);
    }
    Ok(chosen)
}

fn upload_algorithm(upload: &UploadRecord) -> Option<ChecksumAlgorithm> {
    upload
        .checksum_algorithm
        .as_deref()
        .and_then(ChecksumAlgorithm::parse)
}

fn check_part_number(n: i32) -> Result<u32, S3Error> {
    u32::try_from(n)
        .ok()
        .filter(|n| (1..=10_000).contains(n))
        .ok_or_else(|| {
            S3Error::InvalidArgument(
                "Part number must be an integer between 1 and 10000, inclusive".into(),
            )
        })
}

impl S3 {
    /// A new upload; with an `algorithm`, every part carries a checksum of it and the object
    /// a composite one.
    pub async fn create_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        new: NewObject,
        algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<UploadRecord, S3Error> {
        let upload = UploadRecord {
            upload_id: uuid::Uuid::new_v4().simple().to_string(),
            bucket: bucket.to_string(),
            key: key.to_string(),
            content_type: new.content_type,
            headers: new.headers,
            metadata: new.metadata,
            initiated: self.clock.now(),
            checksum_algorithm: algorithm.map(|a| a.name().to_string()),
        };
        if self.store.create_upload(upload.clone()).await? {
            Ok(upload)
        } else {
            Err(S3Error::NoSuchBucket(bucket.to_string()))
        }
    }

    /// The upload `upload_id` of `bucket`/`key`.
    async fn open_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<UploadRecord, S3Error> {
        match self.store.upload(upload_id).await? {
            Some(u) if u.bucket == bucket && u.key == key => Ok(u),
            _ => {
                self.head_bucket(bucket).await?;
                Err(S3Error::NoSuchUpload(upload_id.to_string()))
            }
        }
    }

    pub async fn upload_part<S, E>(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        part_number: i32,
        mut integrity: Integrity,
        body: S,
    ) -> Result<PartRecord, S3Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let part_number = check_part_number(part_number)?;
        let upload = self.open_upload(bucket, key, upload_id).await?;
        let expected = upload_algorithm(&upload);
        match (expected, integrity.algorithm()) {
            (Some(expected), Some(actual)) if expected != actual => {
                return Err(S3Error::InvalidRequest(format!(
                    "Checksum Type mismatch occurred, expected checksum Type: {}, actual checksum Type: {}",
                    expected.name().to_lowercase(),
                    actual.name().to_lowercase()
                )));
            }
            // The client sent none: compute the upload's, so the composite can be made.
            (Some(algorithm), None) => {
                integrity.checksum = Some(ChecksumClaim {
                    algorithm,
                    value: ClaimedValue::Compute,
                });
            }
            _ => {}
        }
        let mut body = self.write_body(body, integrity.algorithm()).await?;
        let checksum = body.verify(self, integrity).await?;
        self.commit_part(upload_id, part_number, body, checksum)
            .await
    }

    /// UploadPartCopy: a part made of a byte range (`first..=last`, or all) of an object.
    pub async fn upload_part_copy(
        &self,
        target: (&str, &str),
        upload_id: &str,
        part_number: i32,
        source: (&str, &str),
        conditions: &Conditions,
        range: Option<(u64, u64)>,
    ) -> Result<PartRecord, S3Error> {
        let (bucket, key) = target;
        let part_number = check_part_number(part_number)?;
        let upload = self.open_upload(bucket, key, upload_id).await?;
        let from = self.head_object(source.0, source.1).await?;
        conditions.check_source(&from)?;
        let (offset, length) = match range {
            None => (0, from.size),
            Some((first, last)) if first <= last && last < from.size => (first, last - first + 1),
            Some(_) => {
                return Err(S3Error::InvalidArgument(format!(
                    "Range specified is not valid for source object of size: {}",
                    from.size
                )));
            }
        };
        let algorithm = upload_algorithm(&upload);
        let mut body = self
            .copy_bodies(&[(from.body.as_str(), offset, length)], algorithm)
            .await?;
        let checksum = body
            .verify(
                self,
                Integrity {
                    content_md5: None,
                    checksum: algorithm.map(|algorithm| ChecksumClaim {
                        algorithm,
                        value: ClaimedValue::Compute,
                    }),
                },
            )
            .await?;
        self.commit_part(upload_id, part_number, body, checksum)
            .await
    }

    /// Stores a part whose body is already durable, removing the one it replaced.
    async fn commit_part(
        &self,
        upload_id: &str,
        part_number: u32,
        body: StoredBody,
        checksum: Option<ChecksumRecord>,
    ) -> Result<PartRecord, S3Error> {
        let StoredBody {
            id: body,
            size,
            md5,
            ..
        } = body;
        let part = PartRecord {
            part_number,
            body: body.clone(),
            size,
            etag: hex(&md5),
            last_modified: self.clock.now(),
            checksum,
        };
        match self.store.put_part(upload_id, part.clone()).await {
            Ok(PartPut::Stored { replaced }) => {
                if let Some(old) = replaced {
                    let _ = self.bodies.remove(&old).await;
                }
                Ok(part)
            }
            Ok(PartPut::NoSuchUpload) => {
                let _ = self.bodies.remove(&body).await;
                Err(S3Error::NoSuchUpload(upload_id.to_string()))
            }
            Err(e) => {
                let _ = self.bodies.remove(&body).await;
                Err(e.into())
            }
        }
    }

    pub async fn complete_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
        listed: &[CompletedPart],
    ) -> Result<ObjectRecord, S3Error> {
        let upload = self.open_upload(bucket, key, upload_id).await?;
        let uploaded = self.store.parts(upload_id).await?;
        let chosen = choose_parts(listed, &uploaded)?;
        let etags: Vec<&str> = chosen.iter().map(|p| p.etag.as_str()).collect();
        let etag = multipart_etag(&etags).ok_or_else(|| {
            S3Error::Store(lambkin_store::StoreError::Corrupt("part etag".into()))
        })?;

        // Join the parts into one body.
        let pieces: Vec<(&str, u64, u64)> = chosen
            .iter()
            .map(|p| (p.body.as_str(), 0, p.size))
            .collect();
        let StoredBody { id: body, size, .. } = self.copy_bodies(&pieces, None).await?;
        let checksum = upload_algorithm(&upload).and_then(|algorithm| {
            let parts: Vec<Option<&ChecksumRecord>> =
                chosen.iter().map(|p| p.checksum.as_ref()).collect();
            composite(algorithm, &parts)
        });
        let object = ObjectRecord {
            bucket: bucket.to_string(),
            key: key.to_string(),
            body: body.clone(),
            size,
            etag,
            content_type: upload.content_type,
            headers: upload.headers,
            metadata: upload.metadata,
            last_modified: self.clock.now(),
            checksum,
        };
        let owed = match self
            .owed(
                bucket,
                ObjectEvent::CompleteMultipartUpload,
                key,
                Some((size, &object.etag)),
            )
            .await
        {
            Ok(owed) => owed,
            Err(e) => {
                let _ = self.bodies.remove(&body).await;
                return Err(e);
            }
        };
        let count = owed.len();
        match self
            .store
            .complete_upload(upload_id, object.clone(), owed)
            .await
        {
            Ok(UploadCompleted::Stored { unreferenced }) => {
                self.wake_deliverer(count);
                for id in unreferenced {
                    let _ = self.bodies.remove(&id).await;
                }
                Ok(object)
            }
            Ok(UploadCompleted::NoSuchUpload) => {
                let _ = self.bodies.remove(&body).await;
                Err(S3Error::NoSuchUpload(upload_id.to_string()))
            }
            Err(e) => {
                let _ = self.bodies.remove(&body).await;
                Err(e.into())
            }
        }
    }

    pub async fn abort_multipart_upload(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(), S3Error> {
        self.open_upload(bucket, key, upload_id).await?;
        let bodies = self
            .store
            .abort_upload(upload_id)
            .await?
            .ok_or_else(|| S3Error::NoSuchUpload(upload_id.to_string()))?;
        for id in bodies {
            let _ = self.bodies.remove(&id).await;
        }
        Ok(())
    }

    /// The upload's parts, by number.
    pub async fn list_parts(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<Vec<PartRecord>, S3Error> {
        self.open_upload(bucket, key, upload_id).await?;
        Ok(self.store.parts(upload_id).await?)
    }

    /// The bucket's uploads in progress, by key.
    pub async fn list_multipart_uploads(&self, bucket: &str) -> Result<Vec<UploadRecord>, S3Error> {
        self.store
            .list_uploads(bucket)
            .await?
            .ok_or_else(|| S3Error::NoSuchBucket(bucket.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use lambkin_model::Timestamp;

    use super::*;

    fn part(n: u32, size: u64, etag: &str) -> PartRecord {
        PartRecord {
            part_number: n,
            body: format!("body{n}"),
            size,
            etag: etag.into(),
            last_modified: Timestamp(0),
            checksum: None,
        }
    }

    fn listed(parts: &[(u32, &str)]) -> Vec<CompletedPart> {
        parts
            .iter()
            .map(|(n, e)| CompletedPart {
                part_number: *n,
                etag: e.to_string(),
                checksum: None,
            })
            .collect()
    }

    #[test]
    fn which_part_lists_complete() {
        let big = MIN_PART_BYTES;
        let uploaded = [part(1, big, "aa"), part(2, big, "bb"), part(3, 10, "cc")];
        let numbers = |r: Result<Vec<&PartRecord>, S3Error>| {
            r.map(|ps| ps.iter().map(|p| p.part_number).collect::<Vec<_>>())
                .map_err(|e| e.to_string())
        };
        type Case = (&'static [(u32, &'static str)], Result<Vec<u32>, S3Error>);
        let cases: &[Case] = &[
            (
                &[(1, "\"aa\""), (2, "\"bb\""), (3, "\"cc\"")],
                Ok(vec![1, 2, 3]),
            ),
            (&[(1, "aa"), (3, "cc")], Ok(vec![1, 3])),
            (&[(3, "cc")], Ok(vec![3])),
            (&[(2, "bb"), (1, "aa")], Err(S3Error::InvalidPartOrder)),
            (&[(1, "aa"), (1, "aa")], Err(S3Error::InvalidPartOrder)),
            (&[(1, "aa"), (2, "xx")], Err(S3Error::InvalidPart)),
            (&[(1, "aa"), (4, "dd")], Err(S3Error::InvalidPart)),
            (&[(3, "cc"), (4, "dd")], Err(S3Error::InvalidPart)),
            (&[], Err(S3Error::MalformedXml)),
        ];
        for (list, want) in cases {
            let got = numbers(choose_parts(&listed(list), &uploaded));
            let want = match want {
                Ok(numbers) => Ok(numbers.clone()),
                Err(e) => Err(e.to_string()),
            };
            assert_eq!(got, want, "{list:?}");
        }
        let small_first = [part(1, 10, "aa"), part(2, 10, "bb")];
        assert_eq!(
            numbers(choose_parts(&listed(&[(1, "aa"), (2, "bb")]), &small_first)),
            Err(S3Error::EntityTooSmall.to_string())
        );

        // A checksum listed with a part must be the one it was uploaded with.
        let mut summed = part(1, 10, "aa");
        summed.checksum = Some(ChecksumRecord {
            algorithm: "CRC32".into(),
            value: "DUoRhQ==".into(),
        });
        let with = |checksum: &str| {
            vec![CompletedPart {
                part_number: 1,
                etag: "aa".into(),
                checksum: Some(checksum.into()),
            }]
        };
        let uploaded = [summed];
        assert_eq!(
            numbers(choose_parts(&with("DUoRhQ=="), &uploaded)),
            Ok(vec![1])
        );
        assert_eq!(
            numbers(choose_parts(&with("AAAAAA=="), &uploaded)),
            Err(S3Error::InvalidPart.to_string())
        );
        assert_eq!(
            numbers(choose_parts(&with("DUoRhQ=="), &[part(1, 10, "aa")])),
            Err(S3Error::InvalidPart.to_string()),
            "listed with a checksum, uploaded without"
        );
    }

    #[test]
    fn multipart_etags_as_s3_computes_them() {
        // The MD5 of the two binary MD5s of "a" and "b", then "-2".
        let a = "0cc175b9c0f1b6a831c399e269772661";
        let b = "92eb5ffee6ae2fec3ad71c777531578f";
        let mut md5 = Md5::new();
        md5.update(Md5::digest(b"a"));
        md5.update(Md5::digest(b"b"));
        assert_eq!(
            multipart_etag(&[a, b]),
            Some(format!("{}-2", hex(&md5.finalize())))
        );
        assert_eq!(multipart_etag(&["zz"]), None);
    }
}
