//! Publishing built storefronts to the storefronts bucket: only the files
//! whose content changed are uploaded.
//!
//! Layout of the bucket:
//!
//! | key | what |
//! |---|---|
//! | `sites/<reseller>/<path>` | the storefront's files, as the edge serves them |
//! | `manifests/<reseller>.json` | what was last uploaded: each path's BLAKE3 hash and size |
//!
//! A deploy walks the built folder, hashes every file, compares with the
//! manifest, uploads what is new or changed, deletes what the build no
//! longer has (after the uploads, so no page links to a file that is not
//! there yet), and writes the manifest last. A deploy that stops half way
//! leaves the old manifest, so the next one uploads the rest again.

use anyhow::{Context, Result};
use aws_sdk_s3::Client;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use futures_util::stream::{self, TryStreamExt};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Uploads in flight at once.
const CONCURRENCY: usize = 16;
/// S3's limit for one DeleteObjects request.
const DELETE_BATCH: usize = 1000;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Path inside the storefront (with `/`) -> its file.
    pub files: BTreeMap<String, FileEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileEntry {
    pub blake3: String,
    pub bytes: u64,
}

/// What one storefront's deploy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteReport {
    pub uploaded: usize,
    pub uploaded_bytes: u64,
    pub deleted: usize,
    pub unchanged: usize,
}

/// Where storefronts go.
#[derive(Debug, Clone)]
pub struct Target {
    pub client: Client,
    pub bucket: String,
}

fn site_key(reseller: &str, path: &str) -> String {
    format!("sites/{reseller}/{path}")
}

fn manifest_key(reseller: &str) -> String {
    format!("manifests/{reseller}.json")
}

/// The built folder of one storefront, hashed.
pub fn scan(dir: &Path) -> Result<Manifest> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("reading {}", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .context("a file outside the folder")?;
        let path = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let bytes = std::fs::read(entry.path())
            .with_context(|| format!("reading {}", entry.path().display()))?;
        files.insert(
            path,
            FileEntry {
                blake3: blake3::hash(&bytes).to_hex().to_string(),
                bytes: bytes.len() as u64,
            },
        );
    }
    Ok(Manifest { files })
}

/// The content type and caching of a storefront file, by its name.
pub fn headers_for(path: &str) -> (&'static str, &'static str) {
    let ext = path.rsplit_once('.').map_or("", |(_, e)| e);
    let content_type = match ext {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "pdf" => "application/pdf",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    };
    // Pages and price lists change with every deploy and must show new
    // prices at once. A brand asset's name carries its bytes' hash
    // (`assets/brand.1a2b3c4d.css`): a new one is a new name, so it is
    // cached for good. Other files keep their names: short-lived in caches.
    let fingerprinted = path
        .rsplit('/')
        .next()
        .and_then(|name| name.split('.').nth(1))
        .is_some_and(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        && path.starts_with("assets/");
    let cache = match ext {
        "html" | "json" | "xml" | "txt" => "no-cache",
        _ if fingerprinted => "public, max-age=31536000, immutable",
        _ => "public, max-age=3600",
    };
    (content_type, cache)
}

impl Target {
    pub fn new(client: Client, bucket: impl Into<String>) -> Target {
        Target {
            client,
            bucket: bucket.into(),
        }
    }

    /// The manifest of the last deploy of a storefront (empty if none).
    pub async fn manifest(&self, reseller: &str) -> Result<Manifest> {
        let got = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(manifest_key(reseller))
            .send()
            .await;
        let object = match got {
            Ok(o) => o,
            Err(e) if e.code() == Some("NoSuchKey") => return Ok(Manifest::default()),
            Err(e) => {
                return Err(anyhow::anyhow!(
                    "reading s3://{}/{}: {}",
                    self.bucket,
                    manifest_key(reseller),
                    e.message().unwrap_or(&format!("{e:?}"))
                ));
            }
        };
        let bytes = object.body.collect().await?.into_bytes();
        // A manifest we cannot read means we know nothing: upload it all.
        Ok(serde_json::from_slice(&bytes).unwrap_or_default())
    }

    /// Upload one storefront's built folder; `full` ignores the manifest.
    pub async fn sync_site(&self, reseller: &str, dir: &Path, full: bool) -> Result<SiteReport> {
        let built = scan(dir)?;
        let before = if full {
            Manifest::default()
        } else {
            self.manifest(reseller).await?
        };
        let changed: Vec<(&String, &FileEntry)> = built
            .files
            .iter()
            .filter(|(path, entry)| before.files.get(*path) != Some(*entry))
            .collect();
        let gone: Vec<&String> = before
            .files
            .keys()
            .filter(|p| !built.files.contains_key(*p))
            .collect();
        let mut report = SiteReport {
            unchanged: built.files.len() - changed.len(),
            ..SiteReport::default()
        };

        stream::iter(changed.iter().map(Ok::<_, anyhow::Error>))
            .try_for_each_concurrent(CONCURRENCY, |(path, _)| async move {
                let (content_type, cache) = headers_for(path);
                let file = dir.join(path);
                let body = ByteStream::from_path(&file)
                    .await
                    .with_context(|| format!("reading {}", file.display()))?;
                self.client
                    .put_object()
                    .bucket(&self.bucket)
                    .key(site_key(reseller, path))
                    .content_type(content_type)
                    .cache_control(cache)
                    .body(body)
                    .send()
                    .await
                    .map_err(|e| {
                        anyhow::anyhow!(
                            "uploading {} to s3://{}/{}: {}",
                            file.display(),
                            self.bucket,
                            site_key(reseller, path),
                            e.message().unwrap_or(&format!("{e:?}"))
                        )
                    })?;
                Ok(())
            })
            .await?;
        report.uploaded = changed.len();
        report.uploaded_bytes = changed.iter().map(|(_, e)| e.bytes).sum();

        for batch in gone.chunks(DELETE_BATCH) {
            let objects = batch
                .iter()
                .map(|p| {
                    ObjectIdentifier::builder()
                        .key(site_key(reseller, p))
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()?;
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()?;
            let out = self
                .client
                .delete_objects()
                .bucket(&self.bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "deleting old files of {reseller}: {}",
                        e.message().unwrap_or(&format!("{e:?}"))
                    )
                })?;
            if let Some(first) = out.errors().first() {
                anyhow::bail!(
                    "deleting {} of {reseller}: {}",
                    first.key().unwrap_or("?"),
                    first.message().unwrap_or("failed")
                );
            }
        }
        report.deleted = gone.len();

        if !changed.is_empty() || !gone.is_empty() || full {
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(manifest_key(reseller))
                .content_type("application/json")
                .body(ByteStream::from(serde_json::to_vec_pretty(&built)?))
                .send()
                .await
                .map_err(|e| {
                    anyhow::anyhow!(
                        "writing the manifest of {reseller}: {}",
                        e.message().unwrap_or(&format!("{e:?}"))
                    )
                })?;
        }
        Ok(report)
    }
}

/// Origins per CORS rule: S3 takes up to 100 rules in 64 KB, and a rule
/// of a hundred origins stays well within that.
const ORIGINS_PER_RULE: usize = 100;

/// Let browsers on `origins` (e.g. `https://toko.example`) POST documents
/// straight to the documents bucket, and nothing else across origins: the
/// bucket's whole CORS configuration, replacing the template's wildcard
/// with each storefront's own domains. Sorted and deduplicated, so an
/// unchanged list puts the same configuration again.
pub async fn allow_uploads_from(
    client: &Client,
    bucket: &str,
    origins: &[String],
) -> Result<usize> {
    use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
    let mut origins: Vec<&String> = origins.iter().collect();
    origins.sort();
    origins.dedup();
    let rules = origins
        .chunks(ORIGINS_PER_RULE)
        .enumerate()
        .map(|(n, chunk)| {
            CorsRule::builder()
                .id(format!("document-uploads-{}", n + 1))
                .allowed_methods("POST")
                .set_allowed_origins(Some(chunk.iter().map(|o| o.to_string()).collect()))
                .allowed_headers("*")
                .max_age_seconds(3600)
                .build()
                .context("a CORS rule")
        })
        .collect::<Result<Vec<_>>>()?;
    if rules.is_empty() {
        return Ok(0);
    }
    let config = CorsConfiguration::builder()
        .set_cors_rules(Some(rules))
        .build()
        .context("the CORS configuration")?;
    client
        .put_bucket_cors()
        .bucket(bucket)
        .cors_configuration(config)
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "setting CORS on s3://{bucket}: {}",
                e.message().unwrap_or(&format!("{e:?}"))
            )
        })?;
    Ok(origins.len())
}

#[cfg(test)]
mod tests {
    use super::headers_for;

    #[test]
    fn a_fingerprinted_brand_asset_is_cached_for_good_and_pages_never() {
        assert_eq!(
            headers_for("assets/brand.99ecdad4.css"),
            (
                "text/css; charset=utf-8",
                "public, max-age=31536000, immutable"
            )
        );
        assert_eq!(
            headers_for("assets/logo.6caaceaf.svg").1,
            "public, max-age=31536000, immutable"
        );
        assert_eq!(headers_for("assets/theme.css").1, "public, max-age=3600");
        assert_eq!(headers_for("banner.12345678.png").1, "public, max-age=3600");
        assert_eq!(headers_for("index.html").1, "no-cache");
        assert_eq!(headers_for("prices.json").1, "no-cache");
    }
}
