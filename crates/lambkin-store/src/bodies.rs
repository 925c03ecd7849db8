//! Object bodies, apart from the database: a [`BodyStore`] keeps byte streams under ids it
//! makes, durable when [`BodyWriter::finish`] returns. [`LocalBodies`] keeps each in one file of
//! the data folder (`s3/bodies/<id>`); a multi-node backend will keep them where every node
//! reaches them.

use std::fmt::Debug;
use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio::fs::File;
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use crate::StoreError;

#[async_trait]
pub trait BodyStore: Send + Sync + Debug {
    /// A new, empty body to write.
    async fn create(&self) -> Result<Box<dyn BodyWriter>, StoreError>;
    /// The body `id`, positioned at `offset`; `None` if there is no such body.
    async fn open(&self, id: &str, offset: u64) -> Result<Option<File>, StoreError>;
    /// Removes the body `id` (nothing if it is gone already).
    async fn remove(&self, id: &str) -> Result<(), StoreError>;
}

#[async_trait]
pub trait BodyWriter: Send {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError>;
    /// Makes the body durable and returns its id.
    async fn finish(self: Box<Self>) -> Result<String, StoreError>;
    /// Throws the partial body away.
    async fn abort(self: Box<Self>);
}

#[derive(Debug)]
pub struct LocalBodies {
    dir: PathBuf,
    tmp: PathBuf,
}

impl LocalBodies {
    /// Bodies under `dir` (created if needed); partial uploads left by a crash are removed.
    pub fn open(dir: &Path) -> Result<LocalBodies, StoreError> {
        let open_err = |source| StoreError::Open {
            path: dir.display().to_string(),
            source,
        };
        let tmp = dir.join("partial");
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(open_err)?;
        Ok(LocalBodies {
            dir: dir.to_path_buf(),
            tmp,
        })
    }

    /// Ids are made here (UUIDs), so a path built from one never leaves the folder; an id
    /// from elsewhere is checked to be one.
    fn path(&self, id: &str) -> Result<PathBuf, StoreError> {
        if uuid::Uuid::try_parse(id).is_err() {
            return Err(StoreError::Corrupt(format!("body id {id:?}")));
        }
        Ok(self.dir.join(id))
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Body(e)
}

#[async_trait]
impl BodyStore for LocalBodies {
    async fn create(&self) -> Result<Box<dyn BodyWriter>, StoreError> {
        let id = uuid::Uuid::now_v7().to_string();
        let partial = self.tmp.join(&id);
        let file = File::create(&partial).await.map_err(io)?;
        Ok(Box::new(LocalWriter {
            file,
            partial,
            done: self.path(&id)?,
            dir: self.dir.clone(),
            id,
        }))
    }

    async fn open(&self, id: &str, offset: u64) -> Result<Option<File>, StoreError> {
        let mut file = match File::open(self.path(id)?).await {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(e)),
        };
        if offset > 0 {
            file.seek(SeekFrom::Start(offset)).await.map_err(io)?;
        }
        Ok(Some(file))
    }

    async fn remove(&self, id: &str) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.path(id)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }
}

struct LocalWriter {
    file: File,
    partial: PathBuf,
    done: PathBuf,
    dir: PathBuf,
    id: String,
}

#[async_trait]
impl BodyWriter for LocalWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        self.file.write_all(bytes).await.map_err(io)
    }

    async fn finish(mut self: Box<Self>) -> Result<String, StoreError> {
        self.file.flush().await.map_err(io)?;
        self.file.sync_all().await.map_err(io)?;
        tokio::fs::rename(&self.partial, &self.done)
            .await
            .map_err(io)?;
        // The rename is durable once the folder is.
        let dir = self.dir.clone();
        tokio::task::spawn_blocking(move || std::fs::File::open(dir)?.sync_all())
            .await
            .map_err(|_| StoreError::Closed)?
            .map_err(io)?;
        Ok(self.id)
    }

    async fn abort(self: Box<Self>) {
        drop(self.file);
        let _ = tokio::fs::remove_file(&self.partial).await;
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test]
    async fn write_read_remove() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bodies = LocalBodies::open(dir.path()).expect("open");
        let mut w = bodies.create().await.expect("create");
        w.write(b"hello ").await.expect("write");
        w.write(b"world").await.expect("write");
        let id = w.finish().await.expect("finish");

        let mut text = String::new();
        let mut f = bodies.open(&id, 6).await.expect("open").expect("exists");
        f.read_to_string(&mut text).await.expect("read");
        assert_eq!(text, "world");

        bodies.remove(&id).await.expect("remove");
        assert!(bodies.open(&id, 0).await.expect("open").is_none());
        bodies.remove(&id).await.expect("removing twice is fine");
    }

    #[tokio::test]
    async fn ids_that_are_not_ours_never_reach_the_file_system() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bodies = LocalBodies::open(&dir.path().join("b")).expect("open");
        for id in ["../queue.db", "/etc/passwd", "a/../../x", "x\0y"] {
            assert!(bodies.open(id, 0).await.is_err(), "{id}");
            assert!(bodies.remove(id).await.is_err(), "{id}");
        }
    }

    #[tokio::test]
    async fn an_aborted_or_crashed_upload_leaves_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bodies = LocalBodies::open(dir.path()).expect("open");
        let mut w = bodies.create().await.expect("create");
        w.write(b"partial").await.expect("write");
        w.abort().await;
        let mut left = bodies.create().await.expect("create");
        left.write(b"left by a crash").await.expect("write");
        drop(left);
        drop(bodies);
        let _reopened = LocalBodies::open(dir.path()).expect("reopen");
        let partial: Vec<_> = std::fs::read_dir(dir.path().join("partial"))
            .expect("read dir")
            .collect();
        assert!(partial.is_empty());
    }
}
