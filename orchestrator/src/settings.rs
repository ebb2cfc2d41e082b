//! Settings of commands that touch buckets: flags first, then `FERRET_*` environment
//! variables (both resolved by the command line), then `ferret.toml`, then defaults.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use ferret_scanner::FileSizeQuotas;
pub use ferret_store::StoreSpec;
use ferret_store::{S3Config, Store, StoreConfig};

/// `ferret.toml`: the same settings as the flags, for a deployment's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub store: Option<String>,
    pub prefix: Option<String>,
    pub identifiers: Option<PathBuf>,
    pub managed: Option<String>,
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    pub expected_bucket_owner: Option<String>,
    pub notify_sns_topic: Option<String>,
    pub notify_webhook: Option<String>,
    pub concurrency: Option<usize>,
    pub threads: Option<usize>,
    /// The file-size quotas, by size class (see [`FileSizeQuotas`]).
    pub max_pdf_bytes: Option<u64>,
    pub max_office_bytes: Option<u64>,
    pub max_compressed_bytes: Option<u64>,
    pub max_uncompressed_bytes: Option<u64>,
}

/// Settings after every source was consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub store: StoreSpec,
    pub prefix: String,
    pub identifiers: Option<PathBuf>,
    pub managed: String,
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    pub expected_bucket_owner: Option<String>,
    pub notify_sns_topic: Option<String>,
    pub notify_webhook: Option<String>,
    pub concurrency: usize,
    pub threads: usize,
    /// The largest object of each format scanned; larger ones are SKIPPED unread.
    pub file_size: FileSizeQuotas,
}

/// Defaults: the embedded store in `./ferret-data`, prefix `ferret`, Macie's recommended
/// managed identifiers, 16 store requests in flight, all cores.
pub const DEFAULT_STORE: &str = "dir:ferret-data";
pub const DEFAULT_PREFIX: &str = "ferret";
pub const DEFAULT_CONCURRENCY: usize = 16;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error(transparent)]
    Store(#[from] ferret_store::InvalidStoreSpec),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("--prefix {0:?}: bucket names allow lower-case letters, digits, '-' and '.'")]
    Prefix(String),
}

impl FileSettings {
    /// Reads `path`; a missing file is no settings unless it was asked for explicitly.
    pub fn load(path: &Path, explicit: bool) -> Result<FileSettings, SettingsError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                return Ok(FileSettings::default())
            }
            Err(e) => {
                return Err(SettingsError::File {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        toml::from_str(&text).map_err(|e| SettingsError::File {
            path: path.display().to_string(),
            message: e.to_string().trim().to_owned(),
        })
    }

    /// Fills what `given` (flags and environment) left unset, then applies defaults.
    pub fn resolve(self, given: FileSettings) -> Result<Settings, SettingsError> {
        let store = given.store.or(self.store);
        let prefix = given
            .prefix
            .or(self.prefix)
            .unwrap_or_else(|| DEFAULT_PREFIX.to_owned());
        let valid_prefix = !prefix.is_empty()
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !valid_prefix {
            return Err(SettingsError::Prefix(prefix));
        }
        Ok(Settings {
            store: StoreSpec::parse(store.as_deref().unwrap_or(DEFAULT_STORE))?,
            prefix,
            identifiers: given.identifiers.or(self.identifiers),
            managed: given
                .managed
                .or(self.managed)
                .unwrap_or_else(|| "recommended".to_owned()),
            endpoint_url: given.endpoint_url.or(self.endpoint_url),
            region: given.region.or(self.region),
            expected_bucket_owner: given.expected_bucket_owner.or(self.expected_bucket_owner),
            notify_sns_topic: given.notify_sns_topic.or(self.notify_sns_topic),
            notify_webhook: given.notify_webhook.or(self.notify_webhook),
            concurrency: given
                .concurrency
                .or(self.concurrency)
                .unwrap_or(DEFAULT_CONCURRENCY),
            threads: given.threads.or(self.threads).unwrap_or(0),
            file_size: {
                let macie = FileSizeQuotas::default();
                FileSizeQuotas {
                    pdf: given
                        .max_pdf_bytes
                        .or(self.max_pdf_bytes)
                        .unwrap_or(macie.pdf),
                    office: given
                        .max_office_bytes
                        .or(self.max_office_bytes)
                        .unwrap_or(macie.office),
                    compressed: given
                        .max_compressed_bytes
                        .or(self.max_compressed_bytes)
                        .unwrap_or(macie.compressed),
                    uncompressed: given
                        .max_uncompressed_bytes
                        .or(self.max_uncompressed_bytes)
                        .unwrap_or(macie.uncompressed),
                }
            },
        })
    }
}

impl Settings {
    /// The store these settings name, with how to reach S3.
    pub fn store_config(&self) -> StoreConfig {
        StoreConfig {
            spec: self.store.clone(),
            s3: S3Config {
                endpoint_url: self.endpoint_url.clone(),
                region: self.region.clone(),
                expected_bucket_owner: self.expected_bucket_owner.clone(),
            },
        }
    }

    /// Opens the store these settings name (see [`ferret_store::connect`]).
    pub async fn open_store(&self) -> Arc<dyn Store> {
        ferret_store::connect(&self.store_config()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_defaults_fill_the_rest() {
        let file = FileSettings {
            store: Some("s3".to_owned()),
            prefix: Some("acme".to_owned()),
            region: Some("eu-west-3".to_owned()),
            ..FileSettings::default()
        };
        let given = FileSettings {
            prefix: Some("other".to_owned()),
            ..FileSettings::default()
        };
        let settings = file.resolve(given).expect("valid");
        assert_eq!(settings.store, StoreSpec::S3);
        assert_eq!(settings.prefix, "other");
        assert_eq!(settings.region.as_deref(), Some("eu-west-3"));
        assert_eq!(settings.managed, "recommended");
        assert_eq!(settings.concurrency, DEFAULT_CONCURRENCY);
        assert_eq!(settings.file_size, FileSizeQuotas::default());
    }

    #[test]
    fn size_quotas_come_from_flags_then_the_file_then_macie() {
        let file: FileSettings =
            toml::from_str("max_pdf_bytes = 100\nmax_office_bytes = 200\n").expect("valid toml");
        let given = FileSettings {
            max_pdf_bytes: Some(10),
            max_uncompressed_bytes: Some(40),
            ..FileSettings::default()
        };
        let quotas = file.resolve(given).expect("valid").file_size;
        assert_eq!(quotas.pdf, 10);
        assert_eq!(quotas.office, 200);
        assert_eq!(quotas.compressed, FileSizeQuotas::default().compressed);
        assert_eq!(quotas.uncompressed, 40);
    }

    #[test]
    fn prefixes_must_make_valid_bucket_names() {
        let bad = FileSettings {
            prefix: Some("Acme_Corp".to_owned()),
            ..FileSettings::default()
        };
        assert!(FileSettings::default().resolve(bad).is_err());
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("ferret-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("ferret.toml");
        std::fs::write(&path, "prefix = \"acme\"\nbukcet = \"x\"\n").expect("written");
        let error = FileSettings::load(&path, true).expect_err("typo refused");
        assert!(error.to_string().contains("bukcet"), "{error}");
        assert_eq!(
            FileSettings::load(&dir.join("absent.toml"), false).expect("optional"),
            FileSettings::default()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
