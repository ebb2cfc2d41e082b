//! `--on-sensitive review|redact` for `pipeline run` and `worker`.

use std::sync::Arc;

use anyhow::Context;
use ferret_identifiers::IdentifierFile;
use ferret_orchestrator::pipeline::{OnSensitive, Pipeline};
use ferret_orchestrator::settings::Settings;
use ferret_redact::{Key, Policy, KEY_VARIABLE};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Choice {
    /// Sensitive objects wait in manual-review; nothing reaches scanned-data.
    #[default]
    Review,
    /// Sensitive objects wait in manual-review, and a redacted copy goes to
    /// scanned-data at once (as the identifier file's redaction table says).
    Redact,
}

#[derive(Debug, Clone, clap::Args)]
pub struct PolicyArgs {
    /// What a sensitive object gets besides review: `redact` also writes a redacted
    /// copy to scanned-data (SKIPPED, PARTIAL and unredactable objects are only
    /// reviewed).
    #[arg(
        long,
        env = "FERRET_ON_SENSITIVE",
        value_enum,
        value_name = "review|redact",
        default_value_t = Choice::Review
    )]
    on_sensitive: Choice,
}

impl PolicyArgs {
    /// `pipeline` with the chosen policy. With `redact`, the identifier file's
    /// `[redaction]` table and the key are read now, so a hash without a key is refused
    /// before any object moves.
    pub fn apply(&self, mut pipeline: Pipeline, settings: &Settings) -> anyhow::Result<Pipeline> {
        if self.on_sensitive == Choice::Review {
            return Ok(pipeline);
        }
        let file = match &settings.identifiers {
            Some(path) => IdentifierFile::load(path)?,
            None => IdentifierFile::default(),
        };
        let key = Key::find(key_variable(), &file.redaction)?;
        let policy =
            Policy::new(&pipeline.set, &file.redaction, key).context("--on-sensitive redact")?;
        pipeline.on_sensitive = OnSensitive::Redact(Arc::new(policy));
        Ok(pipeline)
    }
}

/// The bytes of [`KEY_VARIABLE`], if set.
pub fn key_variable() -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStringExt;
    std::env::var_os(KEY_VARIABLE).map(|value| value.into_vec())
}
