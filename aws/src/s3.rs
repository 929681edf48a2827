//! Uploaded files (top-up proofs, registrants' documents) in a private S3
//! bucket. The bucket's default encryption and lifecycle come from the
//! template; keys are ours, checked exactly as the local folder checks them.
//!
//! A browser may also upload straight to the bucket with a presigned POST
//! ([`S3Blobs::upload_ticket`]): an HTML form whose signed policy names the
//! one key, the size range and the one content type S3 will take
//! (AWS's "Browser-Based Uploads Using POST (Signature Version 4)").

use aws_sdk_s3::Client;
use aws_sdk_s3::config::ProvideCredentials;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use storefront_store::blobs::{BlobError, Blobs, UploadLimits, UploadTicket, check_key};

#[derive(Debug, Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
    /// What signs a browser's upload, when this store hands out tickets.
    uploads: Option<Signer>,
}

/// The region, the credentials and the endpoint of the SDK's config: the
/// client's own config does not say them back.
#[derive(Debug, Clone)]
struct Signer {
    region: String,
    credentials: aws_sdk_s3::config::SharedCredentialsProvider,
    /// A local S3-compatible server (`AWS_ENDPOINT_URL`): uploads go to
    /// `<endpoint>/<bucket>` instead of the bucket's own AWS host.
    endpoint: Option<String>,
}

impl S3Blobs {
    pub fn new(client: Client, bucket: impl Into<String>) -> S3Blobs {
        S3Blobs {
            client,
            bucket: bucket.into(),
            uploads: None,
        }
    }

    /// Hand out browser upload tickets signed with `config`'s credentials
    /// (the execution role's, session token included) for its region.
    pub fn with_uploads(mut self, config: &aws_config::SdkConfig) -> S3Blobs {
        self.uploads = match (config.region(), config.credentials_provider()) {
            (Some(region), Some(credentials)) => Some(Signer {
                region: region.as_ref().to_string(),
                credentials,
                endpoint: config
                    .endpoint_url()
                    .map(|e| e.trim_end_matches('/').to_string()),
            }),
            _ => None,
        };
        self
    }
}

impl Signer {
    /// Where a browser POSTs: the bucket's virtual host on AWS, the bucket's
    /// path on a local server.
    fn post_url(&self, bucket: &str) -> String {
        match &self.endpoint {
            Some(e) => format!("{e}/{bucket}"),
            None => format!("https://{bucket}.s3.{}.amazonaws.com/", self.region),
        }
    }
}

/// The form of a presigned POST for `limits` in `bucket`, signed with
/// `creds` in `region` at `now`: the fields in the order the form sends
/// them, `policy` the base64 of the policy document, which is also what is
/// signed (SigV4: the signing key's HMAC chain over date, region, "s3").
pub fn post_form(
    bucket: &str,
    region: &str,
    creds: &aws_sdk_s3::config::Credentials,
    limits: &UploadLimits<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(String, String)> {
    let expires =
        now + chrono::Duration::from_std(limits.valid_for).unwrap_or(chrono::Duration::minutes(10));
    let date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let credential = format!(
        "{}/{}/{region}/s3/aws4_request",
        creds.access_key_id(),
        now.format("%Y%m%d")
    );
    let mut fields = vec![
        ("key".to_string(), limits.key.to_string()),
        ("Content-Type".to_string(), limits.content_type.to_string()),
        (
            "x-amz-algorithm".to_string(),
            "AWS4-HMAC-SHA256".to_string(),
        ),
        ("x-amz-credential".to_string(), credential),
        ("x-amz-date".to_string(), date),
    ];
    if let Some(token) = creds.session_token() {
        fields.push(("x-amz-security-token".into(), token.to_string()));
    }
    let mut conditions = vec![
        serde_json::json!({"bucket": bucket}),
        serde_json::json!(["content-length-range", 1, limits.max_bytes]),
    ];
    conditions.extend(
        fields
            .iter()
            .map(|(k, v)| serde_json::json!({ k.as_str(): v })),
    );
    let policy = serde_json::json!({
        "expiration": expires.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        "conditions": conditions,
    });
    let policy = aws_smithy_types::base64::encode(policy.to_string());
    let key = aws_sigv4::sign::v4::generate_signing_key(
        creds.secret_access_key(),
        now.into(),
        region,
        "s3",
    );
    let signature = aws_sigv4::sign::v4::calculate_signature(key, policy.as_bytes());
    fields.push(("policy".into(), policy));
    fields.push(("x-amz-signature".into(), signature));
    fields
}

fn unavailable<E: ProvideErrorMetadata + std::fmt::Debug, R: std::fmt::Debug>(
    e: &SdkError<E, R>,
) -> BlobError {
    BlobError::Unavailable(match e {
        SdkError::ServiceError(s) => format!(
            "{}: {}",
            s.err().code().unwrap_or("unknown"),
            s.err().message().unwrap_or("")
        ),
        other => format!("{other:?}"),
    })
}

#[async_trait::async_trait]
impl Blobs for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        check_key(key)?;
        // S3 writes are atomic: a reader sees the old object or the new one.
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, BlobError> {
        check_key(key)?;
        let got = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => o,
            Err(e) if e.code() == Some("NoSuchKey") => return Ok(None),
            Err(e) => return Err(unavailable(&e)),
        };
        let content_type = got
            .content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let bytes = got
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?
            .into_bytes()
            .to_vec();
        Ok(Some((bytes, content_type)))
    }

    async fn size(&self, key: &str) -> Result<Option<u64>, BlobError> {
        check_key(key)?;
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(o) => Ok(Some(
                o.content_length
                    .and_then(|n| u64::try_from(n).ok())
                    .unwrap_or(0),
            )),
            Err(e) if e.code() == Some("NotFound") || e.code() == Some("NoSuchKey") => Ok(None),
            Err(SdkError::ServiceError(s)) if s.raw().status().as_u16() == 404 => Ok(None),
            Err(e) => Err(unavailable(&e)),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), BlobError> {
        check_key(key)?;
        // S3 answers a delete of a missing key with success too.
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(())
    }

    async fn upload_ticket(
        &self,
        limits: &UploadLimits<'_>,
    ) -> Result<Option<UploadTicket>, BlobError> {
        check_key(limits.key)?;
        let Some(signer) = &self.uploads else {
            return Err(BlobError::Unavailable(
                "S3: no region or credentials to sign uploads with".into(),
            ));
        };
        let creds = signer
            .credentials
            .provide_credentials()
            .await
            .map_err(|e| BlobError::Unavailable(format!("S3 credentials: {e}")))?;
        let fields = post_form(
            &self.bucket,
            &signer.region,
            &creds,
            limits,
            chrono::Utc::now(),
        );
        Ok(Some(UploadTicket {
            url: signer.post_url(&self.bucket),
            fields,
        }))
    }

    async fn download_link(
        &self,
        key: &str,
        file_name: &str,
        ttl: std::time::Duration,
    ) -> Result<Option<String>, BlobError> {
        check_key(key)?;
        // A presigned GET: signed here with the function's own credentials
        // (no call to S3), good for `ttl`, and S3 answers it with the
        // attachment's name whatever the key.
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(ttl)
            .map_err(|e| BlobError::Unavailable(format!("S3 link: {e}")))?;
        let name: String = file_name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
            .collect();
        let signed = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(format!("attachment; filename=\"{name}\""))
            .presigned(config)
            .await
            .map_err(|e| unavailable(&e))?;
        Ok(Some(signed.uri().to_string()))
    }
}

#[cfg(test)]
mod tests {
    /// HMAC-SHA256 of the base64 policy with the key of the chain
    /// HMAC("AWS4" + secret, "20261122") -> "ap-southeast-3" -> "s3" ->
    /// "aws4_request", computed with Python's hmac and hashlib.
    const SIGNATURE: &str = "fb8da533603133dd0021abdf49caea90a3fee5f5d167dec8193f10ae0653ea60";
    use super::*;

    /// The form for a fixed instant and key: every field, the policy as
    /// signed, and the signature.
    #[test]
    fn a_presigned_post_is_signed_with_the_hmac_chain_and_carries_the_token() {
        let creds = aws_sdk_s3::config::Credentials::new(
            "ASIATESTKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            Some("session-token".into()),
            None,
            "test",
        );
        let limits = UploadLimits {
            key: "quarantine/O1/L1/ktp/0123456789abcdef0123456789abcdef",
            max_bytes: 2048 * 1024,
            content_type: "application/pdf",
            valid_for: std::time::Duration::from_secs(900),
        };
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T09:00:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc);
        let fields = post_form("documents", "ap-southeast-3", &creds, &limits, now);
        let names: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "key",
                "Content-Type",
                "x-amz-algorithm",
                "x-amz-credential",
                "x-amz-date",
                "x-amz-security-token",
                "policy",
                "x-amz-signature"
            ]
        );
        let field = |k: &str| {
            fields
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .expect(k)
        };
        assert_eq!(
            field("x-amz-credential"),
            "ASIATESTKEY/20261122/ap-southeast-3/s3/aws4_request"
        );
        assert_eq!(field("x-amz-date"), "20261122T090000Z");
        assert_eq!(field("x-amz-security-token"), "session-token");
        let policy: serde_json::Value = serde_json::from_slice(
            &aws_smithy_types::base64::decode(field("policy")).expect("base64"),
        )
        .expect("json");
        assert_eq!(
            policy,
            serde_json::json!({
                "expiration": "2026-11-22T09:15:00.000Z",
                "conditions": [
                    {"bucket": "documents"},
                    ["content-length-range", 1, 2097152],
                    {"key": "quarantine/O1/L1/ktp/0123456789abcdef0123456789abcdef"},
                    {"Content-Type": "application/pdf"},
                    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},
                    {"x-amz-credential": "ASIATESTKEY/20261122/ap-southeast-3/s3/aws4_request"},
                    {"x-amz-date": "20261122T090000Z"},
                    {"x-amz-security-token": "session-token"},
                ]
            })
        );
        assert_eq!(field("x-amz-signature"), SIGNATURE);
    }
}
