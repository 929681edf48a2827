//! Storefront on AWS: the store contract on DynamoDB, uploaded files and
//! published storefronts on S3, and `deploy`'s publishing to both.
//!
//! Clients are built once per process from the usual AWS environment
//! (region, credentials, and `AWS_ENDPOINT_URL` for a local server).

pub mod deploy;
pub mod dynamo;
pub mod s3;

pub use dynamo::DynamoStore;
pub use s3::S3Blobs;

/// The shared AWS configuration from the environment.
pub async fn sdk_config() -> aws_config::SdkConfig {
    aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await
}

/// Configuration for a local DynamoDB/S3-compatible server (the tests'
/// moto, or a local run): a fixed region and dummy credentials, so the SDK
/// never probes instance metadata.
pub async fn local_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "test", "test", None, None, "local",
        ))
        .load()
        .await
}

/// An S3 client for this configuration. Path-style addressing when an
/// endpoint is set: a local server has no per-bucket host names.
pub fn s3_client(config: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    let mut b = aws_sdk_s3::config::Builder::from(config);
    if config.endpoint_url().is_some() {
        b = b.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(b.build())
}
