//! Indicator rows, counted in the database: one set-based query per indicator and period,
//! grouped by member and by the breakdowns asked for, on SQLite and PostgreSQL alike. Cases
//! whose people withdrew their consent to statistical use are left out of every count.
//!
//! Every value in a query comes from the typed indicator (a closed set of fields, each with
//! its fixed expression) or is bound as a parameter: nothing a user types reaches the SQL text.

use crate::rows::get;
use crate::{Arg, Backend, Result, Sql};
use chrono::NaiveDate;
use kinbridge_domain::indicator::{
    Anchor, Cell, Condition, Dimension, Field, Indicator, Measure, Sample, Tally, Unit, AGE_BANDS,
};

/// One indicator over one period, for some members or all.
pub struct TallyQuery<'a> {
    pub indicator: &'a Indicator,
    /// First day of the period.
    pub start: NaiveDate,
    /// The day after the period.
    pub end: NaiveDate,
    pub by: &'a [Dimension],
    /// Only these members' rows; all members when `None`.
    pub members: Option<&'a [String]>,
}

/// Counts (and, for a share, its denominator) or durations, per member and breakdown.
pub async fn tally(pool: &sqlx::AnyPool, backend: Backend, q: &TallyQuery<'_>) -> Result<Tally> {
    match q.indicator.measure {
        Measure::Count => {
            let numerator = counts(pool, backend, q, &q.indicator.numerator).await?;
            let denominator = match &q.indicator.denominator {
                Some(d) => Some(counts(pool, backend, q, d).await?),
                None => None,
            };
            Ok(Tally::Counts { numerator, denominator })
        }
        Measure::MedianDays(from, to) => {
            let mut w = Sql::new("");
            let days = days_between(backend, q, &mut w, from, to);
            let keys = keys(backend, q, &mut w);
            let mut sql = format!("SELECT x_org{keys}, {days} AS days");
            let mut conditions = q.indicator.numerator.clone();
            conditions.push(Condition::Present(from));
            conditions.push(Condition::Present(to));
            from_where(backend, q, &conditions, &mut w);
            sql.push_str(&w.text);
            let rows = sqlx::query_with(&sql, w.arguments()?).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok(Sample { member: get(r, "x_org")?, key: key_of(r, q.by.len())?, days: get(r, "days")? }))
                .collect::<Result<Vec<_>>>()
                .map(Tally::Days)
        }
    }
}

async fn counts(
    pool: &sqlx::AnyPool,
    backend: Backend,
    q: &TallyQuery<'_>,
    conditions: &[Condition],
) -> Result<Vec<Cell>> {
    let mut w = Sql::new("");
    let keys = keys(backend, q, &mut w);
    let mut sql = format!("SELECT x_org{keys}, COUNT(*) AS n");
    from_where(backend, q, conditions, &mut w);
    sql.push_str(&w.text);
    sql.push_str(" GROUP BY x_org");
    for i in 0..q.by.len() {
        sql.push_str(&format!(", k{i}"));
    }
    let rows = sqlx::query_with(&sql, w.arguments()?).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            let n: i64 = get(r, "n")?;
            Ok(Cell { member: get(r, "x_org")?, key: key_of(r, q.by.len())?, count: n.max(0) as u64 })
        })
        .collect()
}

fn key_of(r: &sqlx::any::AnyRow, n: usize) -> Result<Vec<String>> {
    (0..n).map(|i| Ok(get::<Option<String>>(r, &format!("k{i}"))?.unwrap_or_else(|| "unknown".to_string()))).collect()
}

/// `, <expr> AS k0, ...` for the breakdowns.
fn keys(backend: Backend, q: &TallyQuery<'_>, w: &mut Sql) -> String {
    let mut out = String::new();
    for (i, d) in q.by.iter().enumerate() {
        let expr = match d {
            Dimension::Service => field(backend, q, Field::Service, w),
            Dimension::Sex => field(backend, q, Field::Sex, w),
            Dimension::Direction => field(backend, q, Field::Direction, w),
            Dimension::PartnerCountry => field(backend, q, Field::PartnerCountry, w),
            Dimension::Outcome => field(backend, q, Field::Outcome, w),
            Dimension::AgeBand => age_band(backend, q, w),
        };
        out.push_str(&format!(", {expr} AS k{i}"));
    }
    out
}

/// The fixed expression of a field for what is counted. Only `period_end` binds a value.
fn field(_backend: Backend, q: &TallyQuery<'_>, f: Field, w: &mut Sql) -> String {
    let requests = q.indicator.unit == Unit::Requests;
    match f {
        Field::Service => "c.service".into(),
        Field::Status if requests => "x.status".into(),
        Field::Status => "c.status".into(),
        Field::Outcome => "c.outcome".into(),
        Field::PartnerCountry if requests => "x.partner_country".into(),
        Field::PartnerCountry => "c.partner_country".into(),
        Field::OpenedOn => "c.opened_on".into(),
        Field::ClosedOn => "c.closed_on".into(),
        Field::FirstResponseOn => "c.first_response_on".into(),
        Field::ChildViews => "NULLIF(c.child_views, '')".into(),
        Field::Sex => "p.sex".into(),
        Field::Kind => "x.kind".into(),
        Field::Direction if requests => "x.direction".into(),
        Field::Direction => "(CASE WHEN EXISTS (SELECT 1 FROM requests rr WHERE rr.receiver_case_id = c.id) THEN 'incoming' \
                             WHEN EXISTS (SELECT 1 FROM requests rs WHERE rs.case_id = c.id) THEN 'outgoing' ELSE 'domestic' END)"
            .into(),
        Field::SentAt => "x.sent_at".into(),
        Field::AcknowledgedAt => "x.acknowledged_at".into(),
        Field::AnsweredAt => "x.answered_at".into(),
        Field::DueOn => "x.due_on".into(),
        Field::ClosedAt => "x.closed_at".into(),
        Field::PeriodEnd => w.param(Arg::Text(q.end.pred_opt().unwrap_or(q.end).to_string())),
    }
}

/// Whole days from one date field to another (time of day ignored).
fn days_between(backend: Backend, q: &TallyQuery<'_>, w: &mut Sql, from: Field, to: Field) -> String {
    let (a, b) = (field(backend, q, from, w), field(backend, q, to, w));
    match backend {
        Backend::Sqlite => format!("CAST(julianday(substr({b}, 1, 10)) - julianday(substr({a}, 1, 10)) AS INTEGER)"),
        Backend::Postgres => {
            format!("CAST(CAST(substr({b}, 1, 10) AS DATE) - CAST(substr({a}, 1, 10) AS DATE) AS BIGINT)")
        }
    }
}

/// A child's age band in whole years on the day the indicator looks at: the anchor event's
/// day, or the period's last day for what is open across it. A birth date of only a year or a
/// month counts from its start.
fn age_band(backend: Backend, q: &TallyQuery<'_>, w: &mut Sql) -> String {
    let on = match q.indicator.anchor {
        Anchor::On(f) => format!("substr({}, 1, 10)", field(backend, q, f, w)),
        Anchor::Active | Anchor::OpenAtEnd => field(backend, q, Field::PeriodEnd, w),
    };
    let age = format!(
        "(CAST(substr({on}, 1, 4) AS INTEGER) - CAST(substr(p.birth_date, 1, 4) AS INTEGER) - \
         (CASE WHEN substr({on}, 6, 5) < substr(p.birth_date, 6, 5) THEN 1 ELSE 0 END))"
    );
    let mut out = String::from("(CASE WHEN p.birth_date IS NULL THEN NULL");
    for (label, low, high) in AGE_BANDS {
        if high == i64::MAX {
            out.push_str(&format!(" WHEN {age} >= {low} THEN '{label}'"));
        } else {
            out.push_str(&format!(" WHEN {age} BETWEEN {low} AND {high} THEN '{label}'"));
        }
    }
    out.push_str(" ELSE NULL END)");
    out
}

/// ` FROM ... WHERE ...`: the rows of what is counted, in the period, of the members asked
/// for, with the consent rule and the conditions.
fn from_where(backend: Backend, q: &TallyQuery<'_>, conditions: &[Condition], w: &mut Sql) {
    let ind = q.indicator;
    match ind.unit {
        Unit::Cases => w.push(" FROM (SELECT c0.*, c0.member_id AS x_org FROM cases c0) c WHERE 1 = 1"),
        Unit::Children => w.push(" FROM people p JOIN (SELECT c0.*, c0.member_id AS x_org FROM cases c0) c ON c.id = p.case_id WHERE p.role = 'child'"),
        Unit::Requests => w.push(
            " FROM (SELECT r.id, r.case_id, r.kind, r.status, r.sent_at, r.acknowledged_at, r.answered_at, r.due_on, r.closed_at, \
                 r.from_member_id AS x_org, 'outgoing' AS direction, m.country AS partner_country \
                 FROM requests r JOIN members m ON m.id = r.to_member_id \
               UNION ALL \
               SELECT r.id, r.case_id, r.kind, r.status, r.sent_at, r.acknowledged_at, r.answered_at, r.due_on, r.closed_at, \
                 r.to_member_id AS x_org, 'incoming' AS direction, m.country AS partner_country \
                 FROM requests r JOIN members m ON m.id = r.from_member_id) x \
             JOIN cases c ON c.id = x.case_id WHERE 1 = 1",
        ),
    };
    if let Some(members) = q.members {
        w.push(" AND x_org IN (");
        if members.is_empty() {
            w.push("NULL");
        }
        for (i, m) in members.iter().enumerate() {
            if i > 0 {
                w.push(", ");
            }
            w.bind(Arg::Text(m.clone()));
        }
        w.push(")");
    }
    let (start, end) = (q.start.to_string(), q.end.to_string());
    let (opened, closed) =
        if ind.unit == Unit::Requests { ("x.sent_at", "x.closed_at") } else { ("c.opened_on", "c.closed_on") };
    match ind.anchor {
        Anchor::On(f) => {
            let e = field(backend, q, f, w);
            w.push(&format!(" AND {e} >= ")).bind(Arg::Text(start)).push(&format!(" AND {e} < ")).bind(Arg::Text(end));
        }
        Anchor::Active => {
            w.push(&format!(" AND {opened} < ")).bind(Arg::Text(end));
            w.push(&format!(" AND ({closed} IS NULL OR {closed} >= ")).bind(Arg::Text(start)).push(")");
        }
        Anchor::OpenAtEnd => {
            w.push(&format!(" AND {opened} < ")).bind(Arg::Text(end.clone()));
            w.push(&format!(" AND ({closed} IS NULL OR {closed} >= ")).bind(Arg::Text(end)).push(")");
        }
    }
    // A case whose statistics consents are all withdrawn is out; one given again is back in.
    w.push(
        " AND c.id NOT IN (SELECT k.case_id FROM consents k WHERE k.scope = 'statistics' GROUP BY k.case_id \
           HAVING SUM(CASE WHEN k.withdrawn_on IS NULL THEN 1 ELSE 0 END) = 0)",
    );
    for c in conditions {
        match c {
            Condition::In(f, values) => {
                let e = field(backend, q, *f, w);
                w.push(&format!(" AND {e} IN ("));
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        w.push(", ");
                    }
                    w.bind(Arg::Text(v.clone()));
                }
                w.push(")");
            }
            Condition::Present(f) => {
                let e = field(backend, q, *f, w);
                w.push(&format!(" AND {e} IS NOT NULL"));
            }
            Condition::Absent(f) => {
                let e = field(backend, q, *f, w);
                w.push(&format!(" AND {e} IS NULL"));
            }
            Condition::DaysAtMost(a, b, n) | Condition::DaysOver(a, b, n) => {
                let days = days_between(backend, q, w, *a, *b);
                let (ea, eb) = (field(backend, q, *a, w), field(backend, q, *b, w));
                let op = if matches!(c, Condition::DaysAtMost(..)) { "<=" } else { ">" };
                w.push(&format!(" AND {ea} IS NOT NULL AND {eb} IS NOT NULL AND {days} {op} ")).bind(Arg::Int(*n));
            }
        }
    }
}

/// One indicator's figure as it was approved.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct ApprovedFigure {
    pub indicator: String,
    pub value: Option<f64>,
    pub numerator: u64,
    pub denominator: Option<u64>,
}

/// Figures approved for a period: a member's (`member_id`) or the network's (none).
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Approval {
    pub id: String,
    /// `member` or `network`.
    pub level: String,
    pub member_id: Option<String>,
    pub period: String,
    pub figures: Vec<ApprovedFigure>,
    pub approved_by: String,
    pub approved_by_name: String,
    pub approved_at: String,
}

pub struct NewApproval<'a> {
    pub level: &'a str,
    pub member_id: Option<&'a str>,
    pub period: &'a str,
    pub figures: &'a [ApprovedFigure],
    pub approved_by: &'a str,
}

/// Records an approval; a second one of the same level, member and period is
/// [`crate::StoreError::Taken`].
pub async fn insert_approval(tx: &mut crate::Tx, a: &NewApproval<'_>) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let figures = serde_json::to_string(a.figures).map_err(|e| crate::StoreError::Corrupt(e.to_string()))?;
    sqlx::query("INSERT INTO impact_approvals (id, level, member_id, period, figures, approved_by, approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&id)
        .bind(a.level)
        .bind(a.member_id)
        .bind(a.period)
        .bind(figures)
        .bind(a.approved_by)
        .bind(crate::now())
        .execute(&mut **tx)
        .await
        .map_err(crate::StoreError::from_insert)?;
    Ok(id)
}

/// The approvals of one period, every level.
pub async fn approvals(pool: &sqlx::AnyPool, period: &str) -> Result<Vec<Approval>> {
    let rows = sqlx::query(
        "SELECT a.id, a.level, a.member_id, a.period, a.figures, a.approved_by, u.display_name AS approved_by_name, a.approved_at \
         FROM impact_approvals a JOIN users u ON u.id = a.approved_by WHERE a.period = $1 ORDER BY a.approved_at",
    )
    .bind(period)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let figures: String = get(r, "figures")?;
            Ok(Approval {
                id: get(r, "id")?,
                level: get(r, "level")?,
                member_id: get(r, "member_id")?,
                period: get(r, "period")?,
                figures: serde_json::from_str(&figures)
                    .map_err(|e| crate::StoreError::Corrupt(format!("approved figures: {e}")))?,
                approved_by: get(r, "approved_by")?,
                approved_by_name: get(r, "approved_by_name")?,
                approved_at: get(r, "approved_at")?,
            })
        })
        .collect()
}

/// The members that have at least one case: those whose approval a period waits for.
pub async fn members_with_cases(pool: &sqlx::AnyPool) -> Result<std::collections::HashSet<String>> {
    let rows = sqlx::query("SELECT DISTINCT member_id FROM cases").fetch_all(pool).await?;
    rows.iter().map(|r| get::<String>(r, "member_id")).collect()
}

/// The network's approval of the latest calendar year, if any: what the public may see.
pub async fn latest_network_year(pool: &sqlx::AnyPool) -> Result<Option<Approval>> {
    let rows =
        sqlx::query("SELECT DISTINCT period FROM impact_approvals WHERE level = 'network'").fetch_all(pool).await?;
    let mut years: Vec<String> = rows.iter().map(|r| get::<String>(r, "period")).collect::<Result<Vec<_>>>()?;
    years.retain(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()));
    let Some(year) = years.into_iter().max() else { return Ok(None) };
    Ok(approvals(pool, &year).await?.into_iter().find(|a| a.level == "network"))
}

/// A stored SROI analysis: the entered analysis as JSON, read back by the application layer.
#[derive(Debug, Clone)]
pub struct SroiRow {
    pub id: String,
    pub member_id: Option<String>,
    pub title: String,
    pub period: String,
    pub analysis: String,
    pub updated_at: String,
    pub version: i64,
}

const SROI_COLUMNS: &str = "id, member_id, title, period, analysis, updated_at, version";

fn sroi_row(r: &sqlx::any::AnyRow) -> Result<SroiRow> {
    Ok(SroiRow {
        id: get(r, "id")?,
        member_id: get(r, "member_id")?,
        title: get(r, "title")?,
        period: get(r, "period")?,
        analysis: get(r, "analysis")?,
        updated_at: get(r, "updated_at")?,
        version: get(r, "version")?,
    })
}

pub async fn insert_sroi(
    tx: &mut crate::Tx,
    member_id: Option<&str>,
    title: &str,
    period: &str,
    analysis: &str,
    by: &str,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO sroi_analyses (id, member_id, title, period, analysis, created_by, updated_at, version) VALUES ($1, $2, $3, $4, $5, $6, $7, 1)")
        .bind(&id)
        .bind(member_id)
        .bind(title)
        .bind(period)
        .bind(analysis)
        .bind(by)
        .bind(crate::now())
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

/// Saves over the version the editor read; false when someone saved meanwhile.
pub async fn update_sroi(
    tx: &mut crate::Tx,
    id: &str,
    version: i64,
    title: &str,
    period: &str,
    analysis: &str,
) -> Result<bool> {
    let done = sqlx::query("UPDATE sroi_analyses SET title = $1, period = $2, analysis = $3, updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6")
        .bind(title)
        .bind(period)
        .bind(analysis)
        .bind(crate::now())
        .bind(id)
        .bind(version)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn sroi(pool: &sqlx::AnyPool, id: &str) -> Result<Option<SroiRow>> {
    let row = sqlx::query(&format!("SELECT {SROI_COLUMNS} FROM sroi_analyses WHERE id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(sroi_row).transpose()
}

/// The network's analyses and one member's (or every member's, `None`), newest first.
pub async fn sroi_list(pool: &sqlx::AnyPool, member_id: Option<&str>) -> Result<Vec<SroiRow>> {
    let rows = match member_id {
        Some(m) => sqlx::query(&format!("SELECT {SROI_COLUMNS} FROM sroi_analyses WHERE member_id IS NULL OR member_id = $1 ORDER BY updated_at DESC LIMIT 200")).bind(m).fetch_all(pool).await?,
        None => sqlx::query(&format!("SELECT {SROI_COLUMNS} FROM sroi_analyses ORDER BY updated_at DESC LIMIT 200")).fetch_all(pool).await?,
    };
    rows.iter().map(sroi_row).collect()
}

/// The network's analyses (no member) of one period.
pub async fn network_sroi(pool: &sqlx::AnyPool, period: &str) -> Result<Vec<SroiRow>> {
    let rows = sqlx::query(&format!("SELECT {SROI_COLUMNS} FROM sroi_analyses WHERE member_id IS NULL AND period = $1 ORDER BY updated_at DESC LIMIT 200"))
        .bind(period)
        .fetch_all(pool)
        .await?;
    rows.iter().map(sroi_row).collect()
}
