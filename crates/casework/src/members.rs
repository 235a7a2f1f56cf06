//! The network directory: members, their country, languages, services and contacts.

use kinbridge_domain::audit::AuditAction;
use kinbridge_domain::case::ServiceType;
use kinbridge_domain::country::Country;
use kinbridge_domain::ids::MemberId;
use kinbridge_domain::member::{Member, MemberCode, MemberKind, NewMember};
use kinbridge_domain::ErrorCode;

use crate::{get, now, system_entry, unique_violation, Casework, Result};
use kinbridge_store::audit::append;
use kinbridge_store::rows::list;

const MEMBER_COLUMNS: &str = "id, code, name, country, kind, languages, services, email, phone, address";

fn member_from(row: &sqlx::any::AnyRow) -> Result<Member> {
    let code: String = get(row, "code")?;
    let country: String = get(row, "country")?;
    let kind: String = get(row, "kind")?;
    let services: String = get(row, "services")?;
    Ok(Member {
        id: MemberId::from_trusted(get(row, "id")?),
        code: MemberCode::parse(&code).map_err(|_| sqlx::Error::Decode("member code".into()))?,
        name: get(row, "name")?,
        country: Country::parse(&country).ok_or_else(|| sqlx::Error::Decode("country".into()))?,
        kind: MemberKind::parse(&kind).unwrap_or(MemberKind::Branch),
        languages: list(&get::<String>(row, "languages")?),
        services: list(&services).iter().filter_map(|s| ServiceType::parse(s)).collect(),
        email: get(row, "email")?,
        phone: get(row, "phone")?,
        address: get(row, "address")?,
    })
}

impl Casework {
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn create_member(&self, new: &NewMember) -> Result<Member> {
        let mut tx = self.begin_write().await?;
        let id = MemberId::generate();
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
        .execute(&mut *tx)
        .await
        .map_err(|e| unique_violation(e, ErrorCode::MemberCodeTaken))?;
        append(
            &mut tx,
            &[system_entry(
                AuditAction::Admin,
                "member",
                Some(id.as_str()),
                None,
                &format!("created member {}", new.code.as_str()),
            )],
        )
        .await?;
        tx.commit().await?;
        self.lists.clear();
        Ok(Member {
            id,
            code: new.code.clone(),
            name: new.name.clone(),
            country: new.country,
            kind: new.kind,
            languages: new.languages.clone(),
            services: new.services.clone(),
            email: new.email.clone(),
            phone: new.phone.clone(),
            address: new.address.clone(),
        })
    }

    /// The whole directory; every signed-in user may read it.
    /// The network directory (kept for `ListCache::TTL`, shared, not copied, by every page).
    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn members(&self) -> Result<std::sync::Arc<Vec<Member>>> {
        if let Some(m) = self.lists.members() {
            return Ok(m);
        }
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members ORDER BY country, code");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        let members = std::sync::Arc::new(rows.iter().map(member_from).collect::<Result<Vec<_>>>()?);
        self.lists.set_members(std::sync::Arc::clone(&members));
        Ok(members)
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn member_by_code(&self, code: &str) -> Result<Option<Member>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE code = $1");
        let row = sqlx::query(&sql).bind(code.trim().to_ascii_uppercase()).fetch_optional(self.pool()).await?;
        row.as_ref().map(member_from).transpose()
    }

    #[tracing::instrument(level = "debug", skip_all, err)]
    pub async fn member(&self, id: &MemberId) -> Result<Option<Member>> {
        let sql = format!("SELECT {MEMBER_COLUMNS} FROM members WHERE id = $1");
        let row = sqlx::query(&sql).bind(id.as_str()).fetch_optional(self.pool()).await?;
        row.as_ref().map(member_from).transpose()
    }
}
