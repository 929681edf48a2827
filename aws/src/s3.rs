//! Uploaded files on S3 (work in progress).
use aws_sdk_s3::Client;
use storefront_functions::blobs::{BlobError, Blobs};

#[derive(Debug, Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Blobs {
        S3Blobs {
            client,
            bucket: bucket.into(),
        }
    }
}

#[async_trait::async_trait]
impl Blobs for S3Blobs {
    async fn put(&self, _key: &str, _bytes: Vec<u8>, _content_type: &str) -> Result<(), BlobError> {
        let _ = (&self.client, &self.bucket);
        Err(BlobError::Key("not yet".into()))
    }
    async fn get(&self, _key: &str) -> Result<Option<(Vec<u8>, String)>, BlobError> {
        Err(BlobError::Key("not yet".into()))
    }
}
