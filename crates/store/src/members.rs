//! The members repository: the network directory's rows.

use kinbridge_domain::case::ServiceType;
use kinbridge_domain::country::Country;
use kinbridge_domain::ids::MemberId;
use kinbridge_domain::member::{Member, MemberCode, MemberKind, NewMember};

use crate::rows::{get, list, term};
use crate::{now, Result, StoreError, Tx};

const COLUMNS: &str = "id, code, name, country, kind, languages, services, email, phone, address";

fn member_from(row: &sqlx::any::AnyRow) -> Result<Member> {
    let services: String = get(row, "services")?;
    Ok(Member {
        id: MemberId::from_trusted(get(row, "id")?),
        code: term(&get::<String>(row, "code")?, "member code", |s| MemberCode::parse(s).ok())?,
        name: get(row, "name")?,
        country: term(&get::<String>(row, "country")?, "country", Country::parse)?,
        kind: term(&get::<String>(row, "kind")?, "member kind", MemberKind::parse)?,
        languages: list(&get::<String>(row, "languages")?),
        services: list(&services).iter().map(|s| term(s, "service", ServiceType::parse)).collect::<Result<_>>()?,
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        address: get(row, "address")?,
    })
}

/// Inserts a member; [`StoreError::Taken`] if its code is in use.
pub async fn insert(tx: &mut Tx, id: &MemberId, new: &NewMember) -> Result<()> {
    let services: Vec<&str> = new.services.iter().map(|s| s.as_str()).collect();
    sqlx::query(
        "INSERT INTO members (id, code, name, country, kind, languages, services, email, phone, address, next_case_number, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11)",
    )
    .bind(id.as_str())
    .bind(new.code.as_str())
    .bind(&new.name)
    .bind(new.country.code())
    .bind(new.kind.as_str())
    .bind(new.languages.join(","))
    .bind(services.join(","))
    .bind(&new.email)
    .bind(&new.phone)
    .bind(&new.address)
    .bind(now())
    .execute(&mut **tx)
    .await
    .map_err(StoreError::from_insert)?;
    Ok(())
}

/// Every member, by country and code.
pub async fn all(pool: &sqlx::AnyPool) -> Result<Vec<Member>> {
    let sql = format!("SELECT {COLUMNS} FROM members ORDER BY country, code");
    sqlx::query(&sql).fetch_all(pool).await?.iter().map(member_from).collect()
}

pub async fn by_code(pool: &sqlx::AnyPool, code: &MemberCode) -> Result<Option<Member>> {
    let sql = format!("SELECT {COLUMNS} FROM members WHERE code = $1");
    sqlx::query(&sql).bind(code.as_str()).fetch_optional(pool).await?.as_ref().map(member_from).transpose()
}

pub async fn by_id(pool: &sqlx::AnyPool, id: &MemberId) -> Result<Option<Member>> {
    let sql = format!("SELECT {COLUMNS} FROM members WHERE id = $1");
    sqlx::query(&sql).bind(id.as_str()).fetch_optional(pool).await?.as_ref().map(member_from).transpose()
}

/// A member's id by its code, inside a transaction.
pub async fn id_of_code(tx: &mut Tx, code: &str) -> Result<Option<MemberId>> {
    let row = sqlx::query("SELECT id FROM members WHERE code = $1").bind(code).fetch_optional(&mut **tx).await?;
    row.map(|r| get(&r, "id").map(MemberId::from_trusted)).transpose()
}

/// A member's country code.
pub async fn country_of(pool: &sqlx::AnyPool, id: &MemberId) -> Result<String> {
    let row = sqlx::query("SELECT country FROM members WHERE id = $1").bind(id.as_str()).fetch_one(pool).await?;
    get(&row, "country")
}
