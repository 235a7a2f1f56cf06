//! The audit trail: who did what to which record, when and from where, as a chain in which
//! each entry's hash covers the previous one, so that an edited or deleted entry shows.

use sha2::{Digest, Sha256};

use crate::vocabulary;

vocabulary! {
    AuditAction {
        Read => "read",
        List => "list",
        Create => "create",
        Update => "update",
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

/// The hash that starts the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The hash of entry `seq` following `prev`. Fields are length-prefixed so that no two
/// different entries encode to the same bytes.
pub fn chain_hash(prev: &str, seq: i64, e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let mut field = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
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
    hex::encode(h.finalize())
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

    #[test]
    fn hash_covers_every_field_and_the_previous_hash() {
        let a = chain_hash(GENESIS, 1, &entry("x"));
        assert_ne!(a, chain_hash(GENESIS, 1, &entry("y")));
        assert_ne!(a, chain_hash(GENESIS, 2, &entry("x")));
        assert_ne!(a, chain_hash(&a, 1, &entry("x")));
        assert_eq!(a, chain_hash(GENESIS, 1, &entry("x")));
    }
}
