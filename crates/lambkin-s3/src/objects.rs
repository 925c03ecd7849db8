//! PutObject, GetObject, HeadObject, DeleteObject.

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::pin::Pin;

use bytes::Bytes;
use futures_core::Stream;
use lambkin_store::{ObjectDeleted, ObjectPut, ObjectRecord};
use md5::{Digest, Md5};
use tokio::fs::File;

use crate::{MAX_PUT_BYTES, S3, S3Error};

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

/// The next chunk of a client's body.
async fn next<S, E>(body: &mut S) -> Option<Result<Bytes, E>>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
{
    poll_fn(|cx| Pin::new(&mut *body).poll_next(cx)).await
}

impl S3 {
    /// Streams a client's body to a new body, durable when this returns: its id, size and MD5.
    pub(crate) async fn write_body<S, E>(
        &self,
        mut body: S,
    ) -> Result<(String, u64, [u8; 16]), S3Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        let mut writer = self.bodies.create().await?;
        let mut md5 = Md5::new();
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
        Ok((id, size, md5.finalize().into()))
    }

    /// Streams `body` to the body store, then stores the object. Answers once both are
    /// durable.
    pub async fn put_object<S, E>(
        &self,
        bucket: &str,
        key: &str,
        new: NewObject,
        body: S,
    ) -> Result<ObjectRecord, S3Error>
    where
        S: Stream<Item = Result<Bytes, E>> + Unpin,
        E: std::fmt::Display,
    {
        // Refuse early rather than after receiving the whole body.
        self.head_bucket(bucket).await?;
        let (body_id, size, md5) = self.write_body(body).await?;
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
        };
        match self.store.put_object(object.clone()).await {
            Ok(ObjectPut::Stored { replaced }) => {
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

    pub async fn head_object(&self, bucket: &str, key: &str) -> Result<ObjectRecord, S3Error> {
        match self.store.object(bucket, key).await? {
            Some(o) => Ok(o),
            None => {
                self.head_bucket(bucket).await?;
                Err(S3Error::NoSuchKey(key.to_string()))
            }
        }
    }

    /// The object and its bytes from `offset` on.
    pub async fn get_object(
        &self,
        bucket: &str,
        key: &str,
        offset: u64,
    ) -> Result<ObjectBody, S3Error> {
        // A PUT may replace the object (and remove its body) between the two reads: read the
        // metadata again then.
        for _ in 0..3 {
            let object = self.head_object(bucket, key).await?;
            if let Some(file) = self.bodies.open(&object.body, offset).await? {
                return Ok(ObjectBody { object, file });
            }
        }
        Err(S3Error::NoSuchKey(key.to_string()))
    }

    /// Deletes `key`; a key that does not exist is deleted already, as on S3.
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<(), S3Error> {
        match self.store.delete_object(bucket, key).await? {
            ObjectDeleted::Done { body } => {
                if let Some(body) = body {
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
