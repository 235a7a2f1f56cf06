//! The OpenAPI 3.1 document of the JSON API. Every request body, query string and answer is
//! described by a schema derived from the Rust type the handler reads or writes (schemars,
//! JSON Schema 2020-12, which OpenAPI 3.1 uses as is), so the document follows the code's
//! types; each operation that takes a body also carries an example, which the API tests send
//! to the real server. Schemathesis checks the server's answers against these schemas.

use axum::Json;
use schemars::generate::{Contract, SchemaSettings};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

type SchemaFn = fn(&mut SchemaGenerator) -> Schema;

fn schema_of<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// What an operation answers when it succeeds.
#[derive(Clone, Copy)]
pub enum Answer {
    /// JSON of a type, with this status.
    Json(u16, SchemaFn),
    /// No body, with this status.
    Empty(u16),
    /// A file of this media type.
    File(&'static str),
}

/// One operation: its summary, its body's type and example, its query's type, its answer.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub example: Option<Value>,
    pub multipart: bool,
    pub body: Option<SchemaFn>,
    pub query: Option<SchemaFn>,
    pub answer: Answer,
}

impl Operation {
    fn body<T: JsonSchema>(mut self) -> Self {
        self.body = Some(schema_of::<T>);
        self
    }
    fn query<T: JsonSchema>(mut self) -> Self {
        self.query = Some(schema_of::<T>);
        self
    }
    fn answers<T: JsonSchema>(mut self, status: u16) -> Self {
        self.answer = Answer::Json(status, schema_of::<T>);
        self
    }
    fn empty(mut self, status: u16) -> Self {
        self.answer = Answer::Empty(status);
        self
    }
    fn file(mut self, media: &'static str) -> Self {
        self.answer = Answer::File(media);
        self
    }
}

fn op(method: &'static str, path: &'static str, summary: &'static str, example: Option<Value>) -> Operation {
    Operation { method, path, summary, example, multipart: false, body: None, query: None, answer: Answer::Empty(200) }
}

fn upload(method: &'static str, path: &'static str, summary: &'static str) -> Operation {
    Operation { multipart: true, ..op(method, path, summary, None) }
}

/// Every operation of `/api/v1`, in the order the document lists them.
pub fn operations() -> Vec<Operation> {
    let person = json!({"role": "mother", "given_names": "Selam", "family_name": "Tesfay", "sex": "female",
        "birth_date": "1985", "birth_date_estimated": true, "nationalities": ["ER"], "languages": ["ti", "ar"]});
    vec![
        op("post", "/session", "Sign in: exchange e-mail and password for a bearer token", Some(json!({"email": "caseworker@ch.kinbridge.example", "password": "kinbridge-demo"}))).body::<crate::session::api::Credentials>().answers::<crate::session::api::SignedIn>(201),
        op("delete", "/session", "Sign out: end this token's session", None).empty(204),
        op("put", "/account/time-zone", "The caller's time zone (an IANA name, or UTC), in which pages show dates and times", Some(json!({"time_zone": "Europe/Zurich"}))).body::<crate::session::api::ZoneBody>().empty(204),
        op("get", "/cases", "List cases in the caller's scope; filters status, service, country, assignee, q; sort (opened_desc, opened_asc, reference, title, status); page, per_page. An unknown filter value is 400 with the parameter named", None).query::<crate::cases::api::ListQuery>().answers::<kinbridge_store::Page<kinbridge_store::cases::CaseSummary>>(200),
        op("get", "/cases/export", "The whole filtered list (at most 20,000 cases) as a spreadsheet in the caller's language: format=csv (default) or xlsx; the same filters and sort as the list; audited", None).query::<crate::cases::api::ListQuery>().file("text/csv"),
        op("post", "/cases/reassign", "Hand several cases (at most 500) to one colleague (supervisors)", Some(json!({"case_ids": ["0194f3c2-7b1e-7c3a-9f00-000000000000"], "assignee": "0194f3c2-7b1e-7c3a-9f00-000000000001"}))).body::<crate::cases::api::ReassignBody>().answers::<Vec<kinbridge_domain::case::Case>>(200),
        op("post", "/cases", "Open a case with its people and consents. A case needs its child and the consent to processing of personal data (data_processing). If the child may already be on a case, the answer is 409 possible_duplicate with the records in possible_duplicates; send duplicate_reason to open it anyway", Some(json!({
            "service": "family_tracing", "title": "Tracing of Amanuel's mother", "summary": "Separated at the border in 2019.",
            "child_views": "He wants to live with his mother.", "partner_country": "DE",
            "people": [{"role": "child", "given_names": "Amanuel", "family_name": "Tesfay", "sex": "male", "birth_date": "~12", "nationalities": ["ER"], "languages": ["ti"]}],
            "consents": [{"scope": "data_processing", "given_by": "Amanuel (with guardian)", "given_on": "2026-11-01"},
                         {"scope": "tracing", "given_by": "Amanuel (with guardian)", "given_on": "2026-11-01"}]
        }))).body::<crate::cases::api::NewCaseBody>().answers::<kinbridge_domain::case::Case>(201),
        op("post", "/requests/{id}/case", "The receiving member opens its own case for a partner's request: the same body and rules as POST /cases (child, consent, duplicate check); the request is linked to the new case, at most one per request (409 request_has_case)", Some(json!({
            "service": "intercountry_assistance", "title": "Home study for Amanuel's mother",
            "people": [{"role": "mother", "given_names": "Selam", "family_name": "Tesfay", "sex": "female", "birth_date": "1985"}],
            "consents": [{"scope": "data_processing", "given_by": "Selam Tesfay", "given_on": "2026-11-05"}]
        }))).body::<crate::cases::api::NewCaseBody>().answers::<kinbridge_domain::case::Case>(201),
        op("get", "/cases/{id}", "A case with people, relationships, consents, notes, documents, requests, timeline, beneficiaries, tracing requests and possible matches", None).answers::<kinbridge_casework::cases::CaseDetail>(200),
        op("patch", "/cases/{id}", "Change a case's title, summary, child's views or partner country", Some(json!({"summary": "Mother located in Hamburg.", "version": 1}))).body::<crate::cases::api::PatchBody>().answers::<kinbridge_domain::case::Case>(200),
        op("post", "/cases/{id}/actions", "Propose, approve, reject or make a closure, or reopen", Some(json!({"action": "propose_closure", "outcome": "reunified"}))).body::<crate::cases::api::ActionBody>().answers::<kinbridge_domain::case::Case>(200),
        op("post", "/cases/{id}/assignee", "Assign the case (supervisors)", Some(json!({"user_id": "0194f3c2-7b1e-7c3a-9f00-000000000000"}))).body::<crate::api::AssigneeBody>().answers::<kinbridge_domain::case::Case>(200),
        op("get", "/cases/{id}/people", "The people of a case", None).answers::<Vec<kinbridge_domain::case::Person>>(200),
        op("post", "/cases/{id}/people", "Add a person to a case", Some(person.clone())).body::<crate::cases::api::PersonBody>().answers::<kinbridge_domain::case::Person>(201),
        op("put", "/cases/{id}/people/{person_id}", "Correct a person: the whole record as it should read, with the version it was read at (a save over someone else's correction is refused with 409); the timeline keeps each field before and after", Some({
            let mut p = person.clone();
            p["version"] = json!(1);
            p
        })).body::<crate::cases::api::PersonBody>().answers::<kinbridge_domain::case::Person>(200),
        op("delete", "/cases/{id}/people/{person_id}", "Remove a person entered in error, with their relationships; refused for the case's only child and for a person shared with a partner, sought in a tracing request or in a confirmed match", None).empty(204),
        op("delete", "/cases/{id}/relationships/{relationship_id}", "Remove a relationship recorded in error", None).empty(204),
        op("post", "/cases/{id}/relationships", "Relate two people of a case", Some(json!({"from_person_id": "0194f3c2-7b1e-7c3a-9f00-000000000001", "to_person_id": "0194f3c2-7b1e-7c3a-9f00-000000000002", "kind": "parent_of"}))).body::<crate::cases::api::RelationshipBody>().empty(201),
        op("post", "/cases/{id}/consents", "Record a consent", Some(json!({"scope": "share_with_partners", "given_by": "Selam Tesfay (mother)", "given_on": "2026-11-02"}))).body::<crate::cases::api::ConsentBody>().empty(201),
        op("post", "/cases/{id}/consents/{scope}/withdrawal", "Withdraw the consent of a scope (tracing, share_with_partners, ...); without consent to tracing the case's people leave matching at once", None).empty(204),
        op("get", "/cases/{id}/summary.pdf", "The case summary as PDF for a court or an authority: language (en, fr, es, ar; the caller's when absent), notes=true to include the internal notes. The export is recorded on the case's timeline and in the audit log", None).query::<crate::cases::api::SummaryQuery>().file("application/pdf"),
        op("get", "/cases/{id}/notes", "Internal notes of a case", None).answers::<Vec<kinbridge_store::cases::Note>>(200),
        op("post", "/cases/{id}/notes", "Add an internal note", Some(json!({"body": "Called the mother; she agrees to a video call."}))).body::<crate::api::BodyText>().answers::<kinbridge_store::cases::Note>(201),
        op("get", "/cases/{id}/documents", "Documents of a case", None).answers::<Vec<kinbridge_store::documents::Document>>(200),
        upload("post", "/cases/{id}/documents", "Upload a document (multipart field `file`; PDF, PNG, JPEG, TIFF, DOCX/ODT or UTF-8 text; at most 20 MiB)").answers::<kinbridge_store::documents::Document>(201),
        op("get", "/documents/{id}", "Download a document the caller may see", None).file("application/octet-stream"),
        op("post", "/cases/{id}/requests", "Send a request to a partner member", Some(json!({
            "to_member": "DE", "kind": "tracing", "subject": "Trace the mother", "message": "Last seen in Frankfurt in 2019.",
            "due_on": "2027-01-15", "share_people": [], "share_documents": []
        }))).body::<crate::cases::api::RequestBody>().answers::<kinbridge_domain::request::Request>(201),
        op("get", "/cases/{id}/tracing-requests", "The tracing requests of a case", None).answers::<Vec<kinbridge_store::tracing_requests::TracingRequest>>(200),
        op("post", "/cases/{id}/tracing-requests", "Open a tracing request: who looks for whom, last seen where and when; the person sought is matched in the background", Some(json!({
            "inquirer_name": "Selam Tesfay", "relation": "brother", "given_names": "Dawit", "family_name": "Tesfay", "sex": "male",
            "birth_date": "~24", "last_seen_place": "Tripoli, Libya", "last_seen_on": "2015", "circumstances": "Separated when boarding a boat."
        }))).body::<crate::cases::input::TracingBody>().answers::<kinbridge_store::tracing_requests::TracingRequest>(201),
        op("post", "/cases/{id}/tracing-requests/{tracing_id}/status", "End a tracing request (found, not_found, withdrawn) with a note, or open it again", Some(json!({"status": "found", "note": "Found in Hamburg through the German Red Cross."}))).body::<crate::cases::api::TracingStatusBody>().empty(204),
        op("get", "/cases/{id}/matches", "Possible matches of the case's people, found in the background among people with consent to tracing; another member's record shows only which member holds it", None).answers::<Vec<kinbridge_casework::matching::MatchView>>(200),
        op("post", "/matches/{id}/decision", "Confirm or reject a possible match; a pair across two members can be confirmed once the partner has shared its side; a rejected pair is never proposed again", Some(json!({"decision": "reject"}))).body::<crate::cases::api::DecisionBody>().empty(204),
        op("post", "/matches/{id}/share", "Share your side of a possible match (the person's name, sex and date of birth) with the partner member holding the other side", None).empty(204),
        op("get", "/matches/shared-with-us", "Possible matches partner members have shared with your member and that wait for your answer", None).answers::<Vec<kinbridge_casework::matching::SharedWithUs>>(200),
        op("post", "/people/possible-duplicates", "Intake check before opening a case: people already known who may be this person (your member's cases with details, partners' only by member); saves nothing", Some(json!({
            "role": "child", "given_names": "Amanuel", "family_name": "Tesfay", "sex": "male", "birth_date": "2012-03-04"
        }))).body::<crate::cases::api::PersonBody>().answers::<Vec<kinbridge_casework::matching::KnownPerson>>(200),
        op("get", "/requests", "The inbox (box=inbox) or outbox (box=outbox); open=true for open requests only", None).query::<crate::requests::api::ListQuery>().answers::<kinbridge_store::Page<kinbridge_domain::request::Request>>(200),
        op("get", "/requests/{id}", "A request as the caller's side sees it, with the steps it may take", None).answers::<kinbridge_casework::requests::RequestDetail>(200),
        op("post", "/requests/{id}/transitions", "A lifecycle step: acknowledge, accept, decline (text = reason), start, answer (text = report), close, withdraw (text = reason)", Some(json!({"action": "answer", "text": "Home study report: the mother lives in a two-room flat in Hamburg."}))).body::<crate::requests::api::TransitionBody>().answers::<kinbridge_domain::request::Request>(200),
        op("post", "/requests/{id}/assignee", "The partner assigns one of its caseworkers", Some(json!({"user_id": "0194f3c2-7b1e-7c3a-9f00-000000000000"}))).body::<crate::api::AssigneeBody>().answers::<kinbridge_domain::request::Request>(200),
        op("post", "/requests/{id}/messages", "A message to the other side", Some(json!({"body": "Could you also confirm the mother's address?"}))).body::<crate::api::BodyText>().empty(201),
        upload("post", "/requests/{id}/documents", "Attach a document to a request (multipart field `file`)").answers::<kinbridge_store::documents::Document>(201),
        op("post", "/cases/{id}/transfers", "Propose handing the case over to another member (the child moves country): to_member, reason, documents (ids of the case's documents that go with it). The case must be open with no open request", Some(json!({"to_member": "DE", "reason": "Amina moved to Hamburg with her aunt.", "documents": []}))).body::<crate::transfers::api::ProposeBody>().answers::<kinbridge_domain::transfer::Transfer>(201),
        op("get", "/transfers", "The member's case handovers, both ways, waiting ones first", None).answers::<crate::api::Items<kinbridge_domain::transfer::Transfer>>(200),
        op("get", "/transfers/{id}", "A handover with what was sent (people, relationships, consents in force, chosen documents), for the sender or the receiving member", None).answers::<kinbridge_casework::transfers::TransferView>(200),
        op("post", "/transfers/{id}/decision", "Decide a proposed handover: accept (the receiver; opens its case), decline (the receiver, reason required) or withdraw (the sender, reason required)", Some(json!({"action": "accept"}))).body::<crate::transfers::api::DecisionBody>().answers::<kinbridge_domain::transfer::Transfer>(200),
        op("get", "/members", "The network directory", None).answers::<Vec<kinbridge_domain::member::Member>>(200),
        op("get", "/research/cases", "Search the research corpus (researchers, data protection officer): de-identified copies of closed cases; q (every word must occur), service, limit", None).query::<crate::research::exports::ResearchQuery>().answers::<crate::api::Found<kinbridge_store::research::ResearchCase>>(200),
        op("get", "/research/archive-items", "Search the research corpus's archive text (researchers, data protection officer): de-identified copies of open and personal archive items (adoption files never), dates as years; q (every word must occur), names=fake for fake names instead of labels, limit", None).query::<crate::research::exports::ResearchQuery>().answers::<crate::api::Found<kinbridge_store::research::ResearchItem>>(200),
        op("get", "/research/records.csv", "The research corpus as records (member country, service, year opened, outcome, children, adults), k-anonymous on those quasi-identifiers (k, default 5: years widened to five-year bands, then small groups withheld), with the data-use statement", None).query::<crate::research::exports::ResearchQuery>().file("text/csv"),
        op("get", "/research/records.parquet", "The same records as a Parquet file, the data-use statement in its key-value metadata", None).query::<crate::research::exports::ResearchQuery>().file("application/vnd.apache.parquet"),
        op("get", "/research/tables/outcomes.csv", "Closed cases by member country and outcome as CSV, cells under the threshold (default 5) and the cells that would reveal them suppressed, with the data-use statement", None).query::<crate::research::exports::ResearchQuery>().file("text/csv"),
        op("get", "/impact/indicators", "The indicators the network reports on: names in each language, what they count, whether a count, a share or a median of days, and the breakdowns each allows", None).answers::<crate::api::Items<crate::impact::api::IndicatorInfo>>(200),
        op("get", "/impact/dashboard", "Every indicator of a member (org, default your own; any member for the General Secretariat) for a period (2025, 2025Q3, 202507, 2025April, 2025July, 2025Oct; default last year), with the whole network's figure and the member's trend; counts only, never a case", None).query::<crate::impact::ImpactQuery>().answers::<kinbridge_casework::impact::Dashboard>(200),
        op("get", "/impact/values", "One indicator for a member and period, broken down by up to three of its dimensions (by=sex,age_band), the network's beside it; a share of nothing has value null (no data)", None).query::<crate::impact::ImpactQuery>().answers::<kinbridge_casework::impact::Values>(200),
        op("post", "/impact/approvals", "A member's director (supervisor or administrator) approves its figures for a period as shown (seen, from the dashboard): 409 figures_changed if the cases underneath changed between display and approval, 409 already_approved the second time", Some(json!({"period": "2025", "seen": "children_assisted=21;new_cases=6"}))).body::<crate::impact::api::ApproveBody>().answers::<crate::api::Created>(201),
        op("get", "/impact/approvals", "The General Secretariat: which members approved a period, and the network's figures (now and as approved)", None).query::<crate::impact::ImpactQuery>().answers::<crate::impact::api::ApprovalsAnswer>(200),
        op("post", "/impact/network-approvals", "The General Secretariat approves the network's figures for a period, once every member with cases has approved (409 members_not_approved otherwise)", Some(json!({"period": "2025", "seen": "children_assisted=675"}))).body::<crate::impact::api::ApproveBody>().answers::<crate::api::Created>(201),
        op("post", "/impact/dhis2", "A member's figures for a period as the dataValueSets JSON a national DHIS2 imports, by the member's mapping of indicators to data elements (and breakdown values to category option combos); a mapping naming an indicator, breakdown or id we do not have is a 422 with the field named", Some(json!({"period": "2025Q3", "mapping": {"orgUnit": "ImspTQPwCqd", "elements": {"new_cases": {"dataElement": "fbfJHSPpUQD"}}}}))).body::<crate::impact::api::Dhis2Body>().answers::<kinbridge_impact::dhis2::DataValueSet>(200),
        op("get", "/impact/sroi", "SROI analyses the caller may read: the network's and their member's (every member's for the General Secretariat), with their ratios", None).answers::<crate::api::Items<kinbridge_casework::sroi::SroiSummary>>(200),
        op("post", "/impact/sroi", "Enter an SROI analysis (a member's director for the member, the General Secretariat for the network, org empty): inputs (costs, volunteer hours valued), outcomes with quantity (or an indicator whose approved figure of the period gives it), financial proxy and sources, deadweight, displacement, attribution and drop-off in percent, duration in years; discount rate in percent (Green Book default 3.5)", Some(json!({"title": "Family tracing 2025", "period": "2025", "analysis": {"discount_percent": 3.5, "inputs": [{"kind": "cost", "label": "Caseworkers", "amount": 180000}], "outcomes": [{"label": "Children reunified", "quantity": 40, "quantity_source": "case records", "proxy": 9000, "proxy_source": "cost of a year in residential care", "deadweight_percent": 10, "displacement_percent": 0, "attribution_percent": 25, "drop_off_percent": 10, "duration_years": 3}]}}))).body::<crate::impact::sroi::SroiBody>().answers::<crate::api::Created>(201),
        op("get", "/impact/sroi/{id}", "One SROI analysis valued: present value, net present value, ratio, value by year, and the sensitivity table (each assumption moved against the work and in its favour, then all at once)", None).answers::<kinbridge_casework::sroi::SroiView>(200),
        op("put", "/impact/sroi/{id}", "Change an SROI analysis, with the version it was written on (409 stale_version if someone saved meanwhile)", Some(json!({"title": "Family tracing 2025", "period": "2025", "version": 1, "analysis": {"discount_percent": 3.5, "inputs": [{"kind": "volunteering", "label": "Interpreters", "hours": 600, "hourly_value": 18}], "outcomes": [{"label": "Children reunified", "quantity": 40, "quantity_source": "case records", "proxy": 9000, "proxy_source": "cost of a year in residential care", "deadweight_percent": 10, "displacement_percent": 0, "attribution_percent": 25, "drop_off_percent": 10, "duration_years": 3}]}}))).body::<crate::impact::sroi::SroiBody>().answers::<kinbridge_casework::sroi::SroiView>(200),
        op("get", "/flows", "Request counts between countries by status (General Secretariat)", None).answers::<Vec<kinbridge_store::requests::Flow>>(200),
        op("get", "/search", "Search cases, request messages and archive units the caller may open: q (words, \"phrases\", names matched within one letter), facet filters kind, member, country, service, year, level, language; from and to (year or date); page, limit. Answers total, hits with highlighted snippets, and facet counts, all within the caller's rights", None).query::<crate::search::query::SearchParams>().answers::<crate::search::api::SearchAnswer>(200),
        op("get", "/archive/fonds", "The fonds the caller may open: its own member's (archivists) and open ones", None).answers::<crate::api::Items<kinbridge_store::archives::Unit>>(200),
        op("post", "/archive/units", "Describe a unit (archivists): a fonds without parent_id, or a series, file or item inside one of your member's units. Restriction: open, personal (closed 100 years after the latest date) or adoption (kept permanently, guided access)", Some(json!({
            "parent_id": null, "level": "fonds", "reference_code": "CH-ISS-1950", "title": "Case files 1950–1979", "creator": "ISS Switzerland",
            "date_from": "1950", "date_to": "1979", "extent": "42 boxes", "language": "fr", "location": "Geneva, room 2, shelf 4", "restriction": "personal"
        }))).body::<crate::archives::api::NewUnitBody>().answers::<kinbridge_store::archives::Unit>(201),
        op("get", "/archive/units/{id}", "A unit with the units below it that the caller may open (and how many are closed to them)", None).query::<crate::archives::api::Paging>().answers::<crate::archives::api::UnitAnswer>(200),
        op("delete", "/archive/units/{id}", "Delete an item imported by mistake, within the retention rules (never under legal hold, never an adoption record, never a personal record before it opens)", None).empty(204),
        op("get", "/archive/units/{id}/pages", "The recognised or extracted text of an item, page by page, with confidence and review flags", None).answers::<crate::api::Items<kinbridge_store::archives::PageText>>(200),
        op("get", "/archive/units/{id}/original", "The original file of an item, unchanged", None).file("application/octet-stream"),
        upload("post", "/archive/units/{id}/files", "Upload a scan or document into a unit (multipart field `file`; query languages=fra,eng,spa for OCR); it is imported in the background (202, with the import id)").query::<crate::archives::api::UploadQuery>().answers::<crate::archives::api::Queued>(202),
        op("get", "/archive/units/{id}/imports", "Progress of the imports into a fonds (archivists of its member), and the files not imported with their reasons", None).answers::<crate::archives::api::Imports>(200),
        op("put", "/archive/units/{id}/legal-hold", "Put a unit under legal hold, or lift it", Some(json!({"hold": true}))).body::<crate::archives::api::HoldBody>().answers::<kinbridge_store::archives::Unit>(200),
        op("get", "/cases/{id}/origins/findings", "Search of origins: what the archivists found for this access request, and what was disclosed", None).answers::<crate::api::Items<kinbridge_casework::archives::Finding>>(200),
        op("get", "/cases/{id}/origins/mentions", "Search of origins and tracing: archive items of your member whose text may name a person of this access request, or the person sought by this case's tracing requests, in any spelling (archivists; from the restricted index of names)", None).answers::<crate::api::Items<kinbridge_casework::archives::ArchiveMention>>(200),
        op("post", "/cases/{id}/origins/findings", "Record that a unit of your member's archives answers this access request (archivists)", Some(json!({"unit_id": "0194f3c2-7b1e-7c3a-9f00-000000000000", "note": "Adoption file of 1987, complete."}))).body::<crate::archives::api::FindingBody>().answers::<crate::api::Created>(201),
        op("post", "/cases/{id}/origins/findings/{finding}/disclosure", "Record the guided disclosure of a finding: to whom, and the counselling given", Some(json!({"disclosed_to": "The adoptee, in person", "counselling": "Met with the social worker before and after reading the file."}))).body::<crate::archives::input::DisclosureForm>().empty(204),
        op("post", "/cases/{id}/assessments", "Start an assessment (best_interests_assessment, best_interests_determination, home_study) on the network's current form: parts by key, and for a best-interests assessment the risk level (low, medium, high)", Some(json!({"kind": "best_interests_assessment", "parts": {"child_views": "He wants to live with his mother."}, "risk": "medium"}))).body::<crate::cases::api::AssessmentBody>().answers::<kinbridge_store::assessments::Assessment>(201),
        op("put", "/cases/{id}/assessments/{assessment_id}", "Save a draft's answers, with the version they were written on (409 if someone saved meanwhile)", Some(json!({"parts": {"child_views": "He wants to live with his mother.", "safety": "No concern at the mother's home."}, "risk": "low", "version": 1}))).body::<crate::cases::api::AssessmentBody>().answers::<kinbridge_store::assessments::Assessment>(200),
        op("post", "/cases/{id}/assessments/{assessment_id}/submit", "Submit a draft for sign-off once every required part is written", None).answers::<kinbridge_store::assessments::Assessment>(200),
        op("post", "/cases/{id}/assessments/{assessment_id}/sign-off", "Sign off a submitted assessment (a supervisor who did not write it); a best-interests assessment's risk level becomes the case's", None).answers::<kinbridge_store::assessments::Assessment>(200),
        op("post", "/cases/{id}/assessments/{assessment_id}/return", "Send a submitted assessment back, saying why", Some(json!({"reason": "Add the child's views in his own words."}))).body::<crate::cases::api::ReasonBody>().answers::<kinbridge_store::assessments::Assessment>(200),
        op("post", "/cases/{id}/goals", "Add a goal to the case plan", Some(json!({"text": "Amanuel lives with his mother"}))).body::<crate::cases::api::GoalBody>().answers::<crate::api::Created>(201),
        op("post", "/cases/{id}/goals/{goal_id}/status", "Mark a goal achieved, dropped or open", Some(json!({"status": "achieved"}))).body::<crate::cases::api::GoalStatusBody>().empty(204),
        op("post", "/cases/{id}/tasks", "Plan a task: title, owner (a caseworker or supervisor of the member; the caller when empty), due date, and the goal it serves; its owner is reminded the day before it is due", Some(json!({"title": "Call the school in Hamburg", "owner": "", "due_on": "2027-01-15"}))).body::<crate::cases::api::TaskBody>().answers::<crate::api::Created>(201),
        op("post", "/cases/{id}/tasks/{task_id}/done", "Mark a task done", None).empty(204),
        op("post", "/cases/{id}/reviews", "Record a review of the plan, and when the next is due", Some(json!({"held_on": "2026-12-01", "summary": "The mother was visited; contact by video weekly.", "next_review_on": "2027-03-01"}))).body::<crate::cases::api::ReviewBody>().answers::<crate::api::Created>(201),
        op("get", "/tasks", "The caller's open tasks across their member's cases, soonest due first", None).answers::<Vec<kinbridge_domain::plan::Task>>(200),
        op("get", "/admin/users", "The accounts of a member the caller administers (member administrators: their own; the system administrator: ?member=CODE)", None).query::<crate::admin::api::MemberQuery>().answers::<Vec<kinbridge_store::accounts::Account>>(200),
        op("post", "/admin/users", "Invite a person: an account without a password, and a one-time link token to set one (shown once)", Some(json!({"email": "new.caseworker@ch.kinbridge.example", "display_name": "New caseworker", "role": "caseworker"}))).body::<crate::admin::api::InviteBody>().answers::<kinbridge_casework::admin::Invitation>(201),
        op("post", "/admin/users/{id}/active", "Deactivate (ending every session at once) or reactivate an account", Some(json!({"active": false}))).body::<crate::admin::api::ActiveBody>().answers::<kinbridge_store::accounts::Account>(200),
        op("post", "/admin/users/{id}/reset", "Lock an account's password and sessions and make a one-time link to set a new one", None).answers::<kinbridge_casework::admin::Invitation>(200),
        op("post", "/admin/users/{id}/role", "Give an account another role the caller may give", Some(json!({"role": "supervisor"}))).body::<crate::admin::api::RoleBody>().answers::<kinbridge_store::accounts::Account>(200),
        op("post", "/admin/members", "Add a member to the network (the system administrator)", Some(json!({"code": "KE", "name": "Kenya", "country": "KE"}))).body::<crate::admin::api::MemberBody>().answers::<kinbridge_domain::member::Member>(201),
        op("post", "/account/password", "Set a password with a one-time link's token (no session needed)", Some(json!({"token": "the-token-from-the-link", "password": "a long new password"}))).body::<crate::admin::api::PasswordBody>().empty(204),
        op("get", "/notifications", "The caller's newest notifications, unread first (requests received, answers, shared matches, cases assigned), with the unread count", None).answers::<crate::notices::api::Notices>(200),
        op("post", "/notifications/read", "Mark all the caller's notifications read", None).answers::<crate::notices::api::Marked>(200),
    ]
}

/// `post_cases_id_actions` for `POST /cases/{id}/actions`: the name a generated client gives
/// the call.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_string();
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        id.push('_');
        id.push_str(&part.to_ascii_lowercase());
    }
    id
}

fn generator(contract: Contract, inline: bool) -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = "/components/schemas".into();
            s.contract = contract;
            s.inline_subschemas = inline;
            s.meta_schema = None;
        })
        .into_generator()
}

/// A query type's fields as OpenAPI query parameters.
fn query_parameters(read: SchemaFn) -> Vec<Value> {
    let schema = read(&mut generator(Contract::Deserialize, true));
    let value = schema.as_value();
    let required: Vec<&str> =
        value["required"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
    let Some(properties) = value["properties"].as_object() else {
        return Vec::new();
    };
    properties
        .iter()
        .map(|(name, schema)| {
            let mut p =
                json!({"name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": schema});
            if let Some(d) = schema.get("description") {
                p["description"] = d.clone();
            }
            p
        })
        .collect()
}

pub fn build() -> Value {
    // Bodies are described as the server reads them, answers as it writes them.
    let mut reading = generator(Contract::Deserialize, false);
    let mut writing = generator(Contract::Serialize, false);
    let mut paths: Map<String, Value> = Map::new();
    for o in operations() {
        let mut responses = json!({
            "4XX": {"description": "A client error, in the caller's language", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
        });
        match o.answer {
            Answer::Json(status, schema) => {
                responses[status.to_string()] =
                    json!({"description": "Done", "content": {"application/json": {"schema": schema(&mut writing)}}});
            }
            Answer::Empty(status) => responses[status.to_string()] = json!({"description": "Done"}),
            Answer::File(media) => {
                responses["200"] = json!({"description": "The file", "content": {media: {"schema": {"type": "string", "contentMediaType": media}}}});
            }
        }
        let mut operation = json!({
            "operationId": operation_id(o.method, o.path),
            "summary": o.summary,
            "security": if o.path == "/session" && o.method == "post" { json!([]) } else { json!([{"bearer": []}, {"cookie": []}]) },
            "responses": responses,
        });
        if let Some(body) = o.body {
            let mut content = json!({"schema": body(&mut reading)});
            if let Some(ex) = &o.example {
                content["example"] = ex.clone();
            }
            operation["requestBody"] = json!({"required": true, "content": {"application/json": content}});
        }
        if o.multipart {
            operation["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "contentMediaType": "application/octet-stream"}}, "required": ["file"]},
                "example": {"file": "report.pdf"}
            }}});
        }
        let mut params: Vec<Value> = o
            .path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .map(|name| {
                let schema = if name == "scope" {
                    json!({"type": "string"})
                } else {
                    json!({"type": "string", "format": "uuid"})
                };
                json!({"name": name, "in": "path", "required": true, "schema": schema})
            })
            .collect();
        if let Some(query) = o.query {
            params.extend(query_parameters(query));
        }
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(format!("/api/v1{}", o.path)).or_insert_with(|| json!({}));
        entry[o.method] = operation;
    }
    writing.subschema_for::<crate::api::ErrorBody>();
    // A type both read and written has the same schema either way (codes, ids); where the two
    // differ, the written form is kept and a test says so.
    let mut schemas = reading.take_definitions(true);
    schemas.extend(writing.take_definitions(true));
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {"title": "Kinbridge API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Casework across borders. Every answer is scoped by the caller's rights; another member's record answers 404. Errors carry a stable code and a message in the caller's language (Accept-Language or the user's setting)."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The token from POST /api/v1/session"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "kb_session", "description": "A browser session; send X-CSRF-Token on changes"}
            },
            "schemas": schemas
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r);
                }
                m.values().for_each(|x| refs(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }

    /// Every schema an operation names is in the document, every JSON answer and body has
    /// one, and a type read and written has the same schema both ways.
    #[test]
    fn every_reference_resolves_and_every_body_has_a_schema() {
        let doc = build();
        let ids: std::collections::HashSet<String> =
            operations().iter().map(|o| operation_id(o.method, o.path)).collect();
        assert_eq!(ids.len(), operations().len(), "operation ids are unique");
        let mut found = Vec::new();
        refs(&doc, &mut found);
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for r in &found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(schemas.contains_key(name), "{r} is not defined");
        }
        assert!(schemas.len() > 60, "{} schemas", schemas.len());
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (method, op) in ops.as_object().unwrap() {
                if let Some(json) = op["requestBody"]["content"].get("application/json") {
                    assert!(json.get("schema").is_some(), "{method} {path}: a body without a schema");
                }
                let answered = op["responses"].as_object().unwrap().iter().any(|(status, r)| {
                    status.starts_with('2') && (r.get("content").is_some() || status == "201" || status == "204")
                });
                assert!(answered, "{method} {path}: no success answer described");
            }
        }
        let mut reading = generator(Contract::Deserialize, false);
        let mut writing = generator(Contract::Serialize, false);
        for o in operations() {
            if let Some(b) = o.body {
                b(&mut reading);
            }
            if let Answer::Json(_, a) = o.answer {
                a(&mut writing);
            }
        }
        let (read, written) = (reading.take_definitions(true), writing.take_definitions(true));
        let differ: Vec<&String> =
            read.iter().filter(|(k, v)| written.get(*k).is_some_and(|w| w != *v)).map(|(k, _)| k).collect();
        assert!(differ.is_empty(), "read and written differently: {differ:?}");
    }
}
