//! The audit trail: who did what to which record, when and from where, as a chain in which
//! each entry's hash covers the previous one, so that an edited or deleted entry shows.
//!
//! The hashes are keyed (HMAC-SHA-256) with a key the database does not hold: whoever can
//! write to the database but does not have the key cannot recompute the chain after an edit.
//! Checkpoints of the chain's head, with a MAC of their own, are kept outside the database so
//! that entries deleted from its end show too.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::vocabulary;

vocabulary! {
    AuditAction {
        Read => "read",
        List => "list",
        Create => "create",
        Update => "update",
        Delete => "delete",
        Transition => "transition",
        Download => "download",
        Login => "login",
        LoginFailed => "login_failed",
        Logout => "logout",
        Denied => "denied",
        Admin => "admin",
    }
}

/// One entry as recorded, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub at: String,
    pub user_id: Option<String>,
    pub member_id: Option<String>,
    pub ip: Option<String>,
    pub action: AuditAction,
    pub entity: String,
    pub entity_id: Option<String>,
    pub detail: String,
}

impl AuditEntry {
    /// The entry as every database can store it: a NUL (which PostgreSQL refuses in text)
    /// becomes U+FFFD, so that no value a request carries can fail the group it is written in.
    pub fn storable(mut self) -> Self {
        for text in [&mut self.at, &mut self.entity, &mut self.detail]
            .into_iter()
            .chain(self.user_id.as_mut())
            .chain(self.member_id.as_mut())
            .chain(self.ip.as_mut())
            .chain(self.entity_id.as_mut())
        {
            if text.contains('\0') {
                *text = text.replace('\0', "\u{fffd}");
            }
        }
        self
    }
}

/// The hash that starts the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The key of the chain's MACs: 32 bytes, held outside the database (environment or a file
/// of the data protection officer's). Never printed. Kept as the MAC already keyed, which
/// each entry's MAC starts from.
#[derive(Clone)]
pub struct AuditKey(Hmac<Sha256>);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(..)")
    }
}

impl AuditKey {
    /// A key written as 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes: [u8; 32] = hex::decode(text.trim()).ok()?.try_into().ok()?;
        <Hmac<Sha256> as Mac>::new_from_slice(&bytes).ok().map(Self)
    }

    fn mac(&self) -> Hmac<Sha256> {
        self.0.clone()
    }
}

/// The hash of entry `seq` following `prev`: a MAC under `key`. Fields are length-prefixed
/// so that no two different entries encode to the same bytes.
pub fn chain_hash(key: &AuditKey, prev: &str, seq: i64, e: &AuditEntry) -> String {
    let mut h = key.mac();
    encode_entry(prev, seq, e, |bytes| h.update(bytes));
    hex::encode(h.finalize().into_bytes())
}

/// The unkeyed SHA-256 of the chains written before the key: recognised only to seal such a
/// chain with the key once (`audit::seal_legacy` in the store).
pub fn legacy_chain_hash(prev: &str, seq: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    encode_entry(prev, seq, e, |bytes| h.update(bytes));
    hex::encode(h.finalize())
}

/// The MAC of a checkpoint: the chain had entry `seq` with `hash` at time `at`.
pub fn checkpoint_mac(key: &AuditKey, seq: i64, hash: &str, at: &str) -> String {
    let mut h = key.mac();
    for field in ["checkpoint", &seq.to_string(), hash, at] {
        h.update(&(field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize().into_bytes())
}

fn encode_entry(prev: &str, seq: i64, e: &AuditEntry, mut update: impl FnMut(&[u8])) {
    let mut field = |s: &str| {
        update(&(s.len() as u64).to_be_bytes());
        update(s.as_bytes());
    };
    field(prev);
    field(&seq.to_string());
    field(&e.at);
    field(e.user_id.as_deref().unwrap_or(""));
    field(e.member_id.as_deref().unwrap_or(""));
    field(e.ip.as_deref().unwrap_or(""));
    field(e.action.as_str());
    field(&e.entity);
    field(e.entity_id.as_deref().unwrap_or(""));
    field(&e.detail);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(detail: &str) -> AuditEntry {
        AuditEntry {
            at: "2026-11-22T08:00:00.000Z".into(),
            user_id: Some("u".into()),
            member_id: None,
            ip: None,
            action: AuditAction::Read,
            entity: "case".into(),
            entity_id: Some("c".into()),
            detail: detail.into(),
        }
    }

    fn key(byte: u8) -> AuditKey {
        AuditKey::from_hex(&hex::encode([byte; 32])).unwrap()
    }

    #[test]
    fn hash_covers_every_field_the_previous_hash_and_the_key() {
        let k = key(7);
        let a = chain_hash(&k, GENESIS, 1, &entry("x"));
        assert_ne!(a, chain_hash(&k, GENESIS, 1, &entry("y")));
        assert_ne!(a, chain_hash(&k, GENESIS, 2, &entry("x")));
        assert_ne!(a, chain_hash(&k, &a, 1, &entry("x")));
        assert_eq!(a, chain_hash(&k, GENESIS, 1, &entry("x")));
        assert_ne!(a, chain_hash(&key(8), GENESIS, 1, &entry("x")), "another key, another chain");
        assert_ne!(a, legacy_chain_hash(GENESIS, 1, &entry("x")));
    }

    #[test]
    fn keys_are_64_hex_digits_and_never_print() {
        assert!(AuditKey::from_hex("abcd").is_none());
        assert!(AuditKey::from_hex(&"g".repeat(64)).is_none());
        assert_eq!(format!("{:?}", key(1)), "AuditKey(..)");
    }

    #[test]
    fn a_nul_is_stored_as_a_replacement_character() {
        let mut e = entry("a\0b");
        e.entity_id = Some("c\0".into());
        let e = e.storable();
        assert_eq!(e.detail, "a\u{fffd}b");
        assert_eq!(e.entity_id.as_deref(), Some("c\u{fffd}"));
    }
}
