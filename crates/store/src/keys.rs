//! The keys the database must not hold: the data protection officer's pseudonym key and the
//! audit key. Each comes from its environment variable (64 hex digits) or else from a private
//! file in the data folder, created with a fresh random key on first start. Instances that
//! share a database must share both keys (give them the same variable or file).

use std::path::Path;

use crate::{Result, StoreError};

/// Where a key comes from: its environment variable and its file in the data folder.
pub struct KeySource {
    pub env: &'static str,
    pub file: &'static str,
}

pub const PSEUDONYM: KeySource = KeySource { env: "KINBRIDGE_PSEUDONYM_KEY", file: "pseudonym.key" };
pub const AUDIT: KeySource = KeySource { env: "KINBRIDGE_AUDIT_KEY", file: "audit.key" };

/// The key as 64 hex digits, read or created; `parse` turns it into the key's own type.
pub fn load<K>(data_dir: &Path, source: &KeySource, parse: impl Fn(&str) -> Option<K>) -> Result<K> {
    let bad = || StoreError::Key(format!("{} (or the file {}) must hold 64 hex digits", source.env, source.file));
    if let Ok(hex_key) = std::env::var(source.env) {
        return parse(&hex_key).ok_or_else(bad);
    }
    let path = data_dir.join(source.file);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text).ok_or_else(bad),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // Two v4 UUIDs: 32 bytes from the operating system's random source.
            let bytes: Vec<u8> =
                uuid::Uuid::new_v4().as_bytes().iter().chain(uuid::Uuid::new_v4().as_bytes()).copied().collect();
            let hex_key = hex::encode(bytes);
            write_private(&path, &hex_key)
                .map_err(|e| StoreError::Key(format!("cannot write {}: {e}", path.display())))?;
            parse(&hex_key).ok_or_else(bad)
        }
        Err(e) => Err(StoreError::Key(format!("cannot read {}: {e}", path.display()))),
    }
}

/// A file only its owner may read.
pub fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}
