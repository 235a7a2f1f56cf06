//! The requests repository (the reads moved here so far; the rest of the aggregate's SQL is
//! still in `kinbridge_casework::requests`).

use kinbridge_domain::ids::{MemberId, RequestId};

use crate::rows::get;
use crate::Result;

/// A request's case and its two members: what an access decision needs.
pub struct Parties {
    pub id: RequestId,
    pub case_id: String,
    pub from: MemberId,
    pub to: MemberId,
}

pub async fn parties(pool: &sqlx::AnyPool, id: &RequestId) -> Result<Option<Parties>> {
    let row = sqlx::query("SELECT id, case_id, from_member_id, to_member_id FROM requests WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?;
    row.map(|r| {
        Ok(Parties {
            id: RequestId::from_trusted(get(&r, "id")?),
            case_id: get(&r, "case_id")?,
            from: MemberId::from_trusted(get(&r, "from_member_id")?),
            to: MemberId::from_trusted(get(&r, "to_member_id")?),
        })
    })
    .transpose()
}
