//! The case row: its columns, how a stored row reads back as a [`Case`], and reading one by
//! id with its page stamp (see `stamps.rs`).

use kinbridge_domain::case::{Case, CaseStatus, Outcome, ServiceType};
use kinbridge_domain::ids::{CaseId, MemberId, UserId};
use sqlx::{Any, Executor};

use crate::rows::{date, get, opt_date, term, Columns};
use crate::Result;

/// The columns of a case row (`c`), with its assignee's name (`u`).
pub const CASE_COLUMNS: &str = "c.id, c.member_id, c.reference, c.service, c.status, c.title, c.summary, c.child_views, c.assignee_id, \
     u.display_name AS assignee_name, c.partner_country, c.opened_on, c.first_response_on, c.closed_on, c.outcome, c.proposed_outcome, c.version";

/// A case row as a [`Case`]; a stored value that is not what it should be is an error.
pub fn case_from(row: &impl Columns) -> Result<Case> {
    let outcome = |col: &str| -> Result<Option<Outcome>> {
        row.opt_text(col)?.map(|o| term(&o, col, Outcome::parse)).transpose()
    };
    Ok(Case {
        id: CaseId::from_trusted(row.text("id")?),
        member_id: MemberId::from_trusted(row.text("member_id")?),
        reference: row.text("reference")?,
        service: term(&row.text("service")?, "service", ServiceType::parse)?,
        status: term(&row.text("status")?, "status", CaseStatus::parse)?,
        title: row.text("title")?,
        summary: row.text("summary")?,
        child_views: row.text("child_views")?,
        assignee_id: row.opt_text("assignee_id")?.map(UserId::from_trusted),
        assignee_name: row.opt_text("assignee_name")?,
        partner_country: row.opt_text("partner_country")?,
        opened_on: date(&row.text("opened_on")?)?,
        first_response_on: opt_date(row.opt_text("first_response_on")?)?,
        closed_on: opt_date(row.opt_text("closed_on")?)?,
        outcome: outcome("outcome")?,
        proposed_outcome: outcome("proposed_outcome")?,
        version: row.int("version")?,
    })
}

/// The case row with its page stamp, by id (`$1`).
pub fn case_stamped_sql() -> &'static str {
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!("SELECT {CASE_COLUMNS}, c.detail_stamp FROM cases c LEFT JOIN users u ON u.id = c.assignee_id WHERE c.id = $1")
    });
    &SQL
}

/// A case by id.
pub async fn fetch_case<'e, E: Executor<'e, Database = Any>>(e: E, id: &str) -> Result<Option<Case>> {
    Ok(fetch_case_stamped(e, id).await?.map(|(case, _)| case))
}

/// A case by id, with its page stamp.
pub async fn fetch_case_stamped<'e, E: Executor<'e, Database = Any>>(e: E, id: &str) -> Result<Option<(Case, i64)>> {
    let row = sqlx::query(case_stamped_sql()).bind(id.to_string()).fetch_optional(e).await?;
    row.as_ref().map(|r| Ok((case_from(r)?, get::<i64>(r, "detail_stamp")?))).transpose()
}
