//! PutObject, CopyObject, GetObject, HeadObject, DeleteObject, DeleteObjects.

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use lambkin_store::{ChecksumRecord, ObjectDeleted, ObjectPut, ObjectRecord};
use md5::{Digest, Md5};
use tokio::fs::File;
use tokio::io::AsyncReadExt;

use crate::checksums::{ChecksumAlgorithm, Hasher, Integrity};
use crate::notifications::ObjectEvent;
use crate::{Conditions, MAX_PUT_BYTES, S3, S3Error};

/// What a PUT stores besides the bytes.
#[derive(Debug, Clone, Default)]
pub struct NewObject {
    pub content_type: Option<String>,
    /// `Cache-Control`, `Content-Disposition`, `Content-Encoding`, `Content-Language`,
    /// `Expires`, by lowercase name.
    pub headers: BTreeMap<String, String>,
    /// `x-amz-meta-*`, by lowercase name without the prefix.
    pub metadata: BTreeMap<String, String>,
}

/// An object's metadata and its bytes from an offset on.
#[derive(Debug)]
pub struct ObjectBody {
    pub object: ObjectRecord,
    pub file: File,
}

/// A body of one chunk.
struct Once(Option<Bytes>);

impl Stream for Once {
    type Item = Result<Bytes, std::convert::Infallible>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::task::Poll::Ready(self.0.take().map(Ok))
    }
}

/// The next chunk of a client's body.
async fn next<S, E>(body: &mut S) -> Option<Result<Bytes, E>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    poll_fn(|cx| Pin::new(&mut *body).poll_next(cx)).await
}

/// A body the body store has made durable, with what was computed while writing it.
pub(crate) struct StoredBody {
    pub id: String,
    pub size: u64,
    pub md5: [u8; 16],
    /// The digest of the algorithm asked for, if one was.
    pub digest: Option<Vec<u8>>,
}

impl StoredBody {
    /// Checks the request's claims against the bytes; the body is removed if they fail.
    pub(crate) async fn verify(
        &mut self,
        s3: &S3,
        integrity: Integrity,
    ) -> Result<Option<ChecksumRecord>, S3Error> {
        match integrity.verify(&self.md5, self.digest.take()) {
            Ok(checksum) => Ok(checksum),
            Err(e) => {
                let _ = s3.bodies.remove(&self.id).await;
                Err(e)
            }
        }
    }
}

impl S3 {
    /// Streams a client's body to a new body, durable when this returns, computing its MD5
    /// and the digest of `algorithm` on the way.
    pub(crate) async fn write_body<S, E>(
        &self,
        mut body: S,
        algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<StoredBody, S3Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut writer = self.bodies.create().await?;
        let mut md5 = Md5::new();
        let mut hasher = algorithm.map(Hasher::new);
        let mut size = 0u64;
        let failure = loop {
            match next(&mut body).await {
                None => break None,
                Some(Err(e)) => break Some(S3Error::IncompleteBody(e.to_string())),
                Some(Ok(chunk)) => {
                    size += chunk.len() as u64;
                    if size > MAX_PUT_BYTES {
                        break Some(S3Error::EntityTooLarge);
                    }
                    md5.update(&chunk);
                    if let Some(h) = &mut hasher {
                        h.update(&chunk);
                    }
                    if let Err(e) = writer.write(&chunk).await {
                        break Some(e.into());
                    }
                }
            }
        };
        if let Some(e) = failure {
            writer.abort().await;
            return Err(e);
        }
        let id = writer.finish().await?;
        Ok(StoredBody {
            id,
            size,
            md5: md5.finalize().into(),
            digest: hasher.map(Hasher::finish),
        })
    }

    /// Copies byte ranges `(body, offset, length)` of stored bodies, in order, into a new body,
    /// durable when this returns, with the digest of `algorithm`. A body that has gone
    /// (replaced since it was read) is `NoSuchKey`.
    pub(crate) async fn copy_bodies(
        &self,
        pieces: &[(&str, u64, u64)],
        algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<StoredBody, S3Error> {
        let mut writer = self.bodies.create().await?;
        let mut hasher = algorithm.map(Hasher::new);
        let result = async {
            let mut md5 = Md5::new();
            let mut size = 0u64;
            let mut buf = vec![0u8; 256 * 1024];
            for (id, offset, length) in pieces {
                let file = self
                    .bodies
                    .open(id, *offset)
                    .await?
                    .ok_or_else(|| S3Error::NoSuchKey(String::new()))?;
                let mut file = file.take(*length);
                loop {
                    let n = file
                        .read(&mut buf)
                        .await
                        .map_err(lambkin_store::StoreError::Body)?;
                    if n == 0 {
                        break;
                    }
                    size += n as u64;
                    md5.update(&buf[..n]);
                    if let Some(h) = &mut hasher {
                        h.update(&buf[..n]);
                    }
                    writer.write(&buf[..n]).await?;
                }
            }
            Ok::<_, S3Error>((size, md5.finalize().into()))
        }
        .await;
        match result {
            Ok((size, md5)) => Ok(StoredBody {
                id: writer.finish().await?,
                size,
                md5,
                digest: hasher.map(Hasher::finish),
            }),
            Err(e) => {
                writer.abort().await;
                Err(e)
            }
        }
    }

    /// CopyObject: the source's bytes under a new key, with the source's metadata or, when
    /// `replace` is given (`x-amz-metadata-directive: REPLACE`), new metadata. The copy has a
    /// checksum of `algorithm` if one is named, else of the source's (full-object) algorithm.
    pub async fn copy_object(
        &self,
        source: (&str, &str),
        conditions: &Conditions,
        target: (&str, &str),
        replace: Option<NewObject>,
        algorithm: Option<ChecksumAlgorithm>,
    ) -> Result<ObjectRecord, S3Error> {
        let (src_bucket, src_key) = source;
        let (bucket, key) = target;
        if source == target && replace.is_none() {
            return Err(S3Error::InvalidRequest(
                "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.".into(),
            ));
        }
        self.head_bucket(bucket).await?;
        let from = self.head_object(src_bucket, src_key).await?;
        conditions.check_source(&from)?;
        let algorithm = algorithm.or_else(|| {
            from.checksum
                .as_ref()
                .filter(|c| crate::checksum_type(c) == "FULL_OBJECT")
                .and_then(|c| ChecksumAlgorithm::parse(&c.algorithm))
        });
        let mut body = self
            .copy_bodies(&[(from.body.as_str(), 0, from.size)], algorithm)
            .await
            .map_err(|e| match e {
                S3Error::NoSuchKey(_) => S3Error::NoSuchKey(src_key.to_string()),
                e => e,
            })?;
        let new = replace.unwrap_or(NewObject {
            content_type: from.content_type,
            headers: from.headers,
            metadata: from.metadata,
        });
        let checksum = body
            .verify(
                self,
                Integrity {
                    content_md5: None,
                    checksum: algorithm.map(|algorithm| crate::ChecksumClaim {
                        algorithm,
                        value: crate::ClaimedValue::Compute,
                    }),
                },
            )
            .await?;
        self.commit_object(bucket, key, new, body, checksum, ObjectEvent::Copy)
            .await
    }

    /// DeleteObjects: each key deleted as DeleteObject deletes it; the keys deleted, and the
    /// keys that failed with their error.
    pub async fn delete_objects(
        &self,
        bucket: &str,
        keys: &[String],
    ) -> Result<(Vec<String>, Vec<(String, S3Error)>), S3Error> {
        if keys.is_empty() || keys.len() > 1000 {
            return Err(S3Error::MalformedXml);
        }
        self.head_bucket(bucket).await?;
        let mut deleted = Vec::new();
        let mut failed = Vec::new();
        for key in keys {
            match self.delete_object(bucket, key).await {
                Ok(()) => deleted.push(key.clone()),
                Err(e) => failed.push((key.clone(), e)),
            }
        }
        Ok((deleted, failed))
    }

    /// Stores an object whose body is already durable (and checked), with the notifications
    /// `event` owes, removing the body it replaced.
    async fn commit_object(
        &self,
        bucket: &str,
        key: &str,
        new: NewObject,
        body: StoredBody,
        checksum: Option<ChecksumRecord>,
        event: ObjectEvent,
    ) -> Result<ObjectRecord, S3Error> {
        let StoredBody {
            id: body_id,
            size,
            md5,
            ..
        } = body;
        let object = ObjectRecord {
            bucket: bucket.to_string(),
            key: key.to_string(),
            body: body_id.clone(),
            size,
            etag: hex(&md5),
            content_type: new.content_type,
            headers: new.headers,
            metadata: new.metadata,
            last_modified: self.clock.now(),
            checksum,
        };
        let owed = match self
            .owed(bucket, event, key, Some((size, &object.etag)))
            .await
        {
            Ok(owed) => owed,
            Err(e) => {
                let _ = self.bodies.remove(&body_id).await;
                return Err(e);
            }
        };
        let count = owed.len();
        match self.store.put_object(object.clone(), owed).await {
            Ok(ObjectPut::Stored { replaced }) => {
                self.wake_deliverer(count);
                if let Some(old) = replaced {
                    // The old bytes are unreachable once the commit is done; a reader that
                    // opened them still reads them (the file lives until it is closed).
                    let _ = self.bodies.remove(&old).await;
                }
                Ok(object)
            }
            Ok(ObjectPut::NoSuchBucket) => {
                let _ = self.bodies.remove(&body_id).await;
                Err(S3Error::NoSuchBucket(bucket.to_string()))
            }
            Err(e) => {
                let _ = self.bodies.remove(&body_id).await;
                Err(e.into())
            }
        }
    }

    /// PutObject of bytes already in memory (an invocation record).
    pub async fn put_object_bytes(
        &self,
        bucket: &str,
        key: &str,
        new: NewObject,
        bytes: Bytes,
    ) -> Result<ObjectRecord, S3Error> {
        self.put_object(bucket, key, new, Integrity::default(), Once(Some(bytes)))
            .await
    }

    /// Streams `body` to the body store, checks it against the request's `integrity` claims,
    /// then stores the object. Answers once both are durable.
    pub async fn put_object<S, E>(
        &self,
        bucket: &str,
        key: &str,
        new: NewObject,
        integrity: Integrity,
        body: S,
    ) -> Result<ObjectRecord, S3Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        // Refuse early rather than after receiving the whole body.
        self.head_bucket(bucket).await?;
        let mut body = self.write_body(body, integrity.algorithm()).await?;
        let checksum = body.verify(self, integrity).await?;
        self.commit_object(bucket, key, new, body, checksum, ObjectEvent::Put)
            .await
    }

    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectRecord, S3Error> {
        match self.store.object(bucket, key).await? {
            Some(o) => Ok(o),
            None => {
                self.head_bucket(bucket).await?;
                Err(S3Error::NoSuchKey(key.to_string()))
            }
        }
    }

    /// The object and its bytes, read from one version of it: the metadata and the file
    /// opened agree, so a caller checks conditions and ranges against what it will send.
    pub async fn get_object(&self, bucket: &str, key: &str) -> Result<ObjectBody, S3Error> {
        // A PUT may replace the object (and remove its body) between the two reads: read the
        // metadata again then.
        for _ in 0..3 {
            let object = self.head_object(bucket, key).await?;
            if let Some(file) = self.bodies.open(&object.body, 0).await? {
                return Ok(ObjectBody { object, file });
            }
        }
        Err(S3Error::NoSuchKey(key.to_string()))
    }

    /// The whole object, for callers that need its bytes in memory (a function's package);
    /// larger than `max` bytes is `EntityTooLarge`.
    pub async fn read_object(&self, bucket: &str, key: &str, max: u64) -> Result<Vec<u8>, S3Error> {
        let found = self.get_object(bucket, key).await?;
        if found.object.size > max {
            return Err(S3Error::EntityTooLarge);
        }
        let mut bytes = Vec::with_capacity(usize::try_from(found.object.size).unwrap_or(0));
        found
            .file
            .take(found.object.size)
            .read_to_end(&mut bytes)
            .await
            .map_err(lambkin_store::StoreError::Body)?;
        Ok(bytes)
    }

    /// Deletes `key`; a key that does not exist is deleted already, as on S3.
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), S3Error> {
        let owed = self.owed(bucket, ObjectEvent::Delete, key, None).await?;
        let count = owed.len();
        match self
            .store
            .delete_object(bucket, key, owed, self.clock.now())
            .await?
        {
            ObjectDeleted::Done { body } => {
                if let Some(body) = body {
                    self.wake_deliverer(count);
                    let _ = self.bodies.remove(&body).await;
                }
                Ok(())
            }
            ObjectDeleted::NoSuchBucket => Err(S3Error::NoSuchBucket(bucket.to_string())),
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
