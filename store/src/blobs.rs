//! Where uploaded files go (top-up proofs, later documents): a folder on one
//! machine, S3 when deployed. Keys are ours (never a user's file name), so a
//! key cannot climb out of the folder.

use async_trait::async_trait;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("bad blob key {0:?}")]
    Key(String),
    #[error("blob store: {0}")]
    Io(#[from] std::io::Error),
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

/// What a browser is allowed to send straight to the blob store, and for
/// how long: one key, a size range, one content type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadLimits<'a> {
    /// The one key the upload may write.
    pub key: &'a str,
    /// The largest body, in bytes (the smallest is 1).
    pub max_bytes: u64,
    /// The one content type the upload must declare.
    pub content_type: &'a str,
    /// How long the ticket may be used.
    pub valid_for: std::time::Duration,
}

/// How a browser sends a file straight to the blob store: an HTML form
/// POST to `url` of `fields` (in this order), then the file as the last
/// field, `file`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadTicket {
    pub url: String,
    pub fields: Vec<(String, String)>,
}

#[async_trait]
pub trait Blobs: Send + Sync + std::fmt::Debug {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;
    /// The bytes and content type, if the key exists.
    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, BlobError>;
    /// The size in bytes, if the key exists, without reading the bytes.
    async fn size(&self, key: &str) -> Result<Option<u64>, BlobError> {
        Ok(self.get(key).await?.map(|(b, _)| b.len() as u64))
    }
    /// Remove the key; removing a missing key is no error.
    async fn delete(&self, key: &str) -> Result<(), BlobError>;
    /// A ticket for a browser to upload straight to this store within
    /// `limits`, or None when this store takes no upload but through the
    /// API (a local folder).
    async fn upload_ticket(
        &self,
        limits: &UploadLimits<'_>,
    ) -> Result<Option<UploadTicket>, BlobError> {
        let _ = limits;
        Ok(None)
    }
    /// A link a browser can download `key` from for `ttl`, straight from
    /// this store, as an attachment named `file_name`; None when this store
    /// hands out no links (a local folder: the bytes go through the API).
    async fn download_link(
        &self,
        key: &str,
        file_name: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<String>, BlobError> {
        let _ = (key, file_name, ttl);
        Ok(None)
    }
}

/// A local folder: `<key>` holds the bytes, `<key>.type` the content type.
#[derive(Debug, Clone)]
pub struct LocalBlobs {
    dir: PathBuf,
}

impl LocalBlobs {
    pub fn new(dir: impl Into<PathBuf>) -> LocalBlobs {
        LocalBlobs { dir: dir.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        check_key(key)?;
        Ok(self.dir.join(key))
    }
}

/// Keys every backend accepts: 1 to 200 bytes of `/`-separated segments of
/// ASCII letters, digits, `-`, `_` and `.`, never `.` or `..` alone.
pub fn check_key(key: &str) -> Result<(), BlobError> {
    let ok = !key.is_empty()
        && key.len() <= 200
        && key.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        });
    if ok {
        Ok(())
    } else {
        Err(BlobError::Key(key.to_string()))
    }
}

#[async_trait]
impl Blobs for LocalBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        // Write then rename: a reader never sees half a file.
        let tmp = path.with_extension("partial");
        tokio::fs::write(&tmp, &bytes).await?;
        tokio::fs::rename(&tmp, &path).await?;
        let mut t = path.clone().into_os_string();
        t.push(".type");
        tokio::fs::write(PathBuf::from(t), content_type.as_bytes()).await?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, BlobError> {
        let path = self.path(key)?;
        let bytes = match tokio::fs::read(&path).await {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut t = path.into_os_string();
        t.push(".type");
        let content_type = tokio::fs::read_to_string(PathBuf::from(t))
            .await
            .unwrap_or_else(|_| "application/octet-stream".into());
        Ok(Some((bytes, content_type)))
    }

    async fn size(&self, key: &str) -> Result<Option<u64>, BlobError> {
        match tokio::fs::metadata(self.path(key)?).await {
            Ok(m) => Ok(Some(m.len())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        let mut t = path.clone().into_os_string();
        t.push(".type");
        for p in [path, PathBuf::from(t)] {
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// The content type of an uploaded proof, judged by its first bytes (never
/// by what the client claims): PDF, PNG or JPEG, else None.
pub fn sniff_proof(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else {
        None
    }
}
