//! The OpenAPI 3.1 document of the JSON API, with an example body for every operation that
//! takes one. The API tests send each example to the real server, so the examples cannot
//! drift from what the server accepts.

use axum::Json;
use serde_json::{json, Map, Value};

/// One operation: its summary, and the example body if it takes one.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub example: Option<Value>,
    pub multipart: bool,
}

fn op(method: &'static str, path: &'static str, summary: &'static str, example: Option<Value>) -> Operation {
    Operation { method, path, summary, example, multipart: false }
}

/// Every operation of `/api/v1`, in the order the document lists them.
pub fn operations() -> Vec<Operation> {
    let person = json!({"role": "mother", "given_names": "Selam", "family_name": "Tesfay", "sex": "female",
        "birth_date": "1985", "birth_date_estimated": true, "nationalities": ["ER"], "languages": ["ti", "ar"]});
    vec![
        op("post", "/session", "Sign in: exchange e-mail and password for a bearer token", Some(json!({"email": "caseworker@ch.kinbridge.example", "password": "kinbridge-demo"}))),
        op("delete", "/session", "Sign out: end this token's session", None),
        op("put", "/account/time-zone", "The caller's time zone (an IANA name, or UTC), in which pages show dates and times", Some(json!({"time_zone": "Europe/Zurich"}))),
        op("get", "/cases", "List cases in the caller's scope; filters status, service, country, assignee, q; sort (opened_desc, opened_asc, reference, title, status); page, per_page. An unknown filter value is 400 with the parameter named", None),
        op("get", "/cases/export", "The whole filtered list (at most 20,000 cases) as a spreadsheet in the caller's language: format=csv (default) or xlsx; the same filters and sort as the list; audited", None),
        op("post", "/cases/reassign", "Hand several cases (at most 500) to one colleague (supervisors)", Some(json!({"case_ids": ["0194f3c2-7b1e-7c3a-9f00-000000000000"], "assignee": "0194f3c2-7b1e-7c3a-9f00-000000000001"}))),
        op("post", "/cases", "Open a case with its people and consents. A case needs its child and the consent to processing of personal data (data_processing). If the child may already be on a case, the answer is 409 possible_duplicate with the records in possible_duplicates; send duplicate_reason to open it anyway", Some(json!({
            "service": "family_tracing", "title": "Tracing of Amanuel's mother", "summary": "Separated at the border in 2019.",
            "child_views": "He wants to live with his mother.", "partner_country": "DE",
            "people": [{"role": "child", "given_names": "Amanuel", "family_name": "Tesfay", "sex": "male", "birth_date": "~12", "nationalities": ["ER"], "languages": ["ti"]}],
            "consents": [{"scope": "data_processing", "given_by": "Amanuel (with guardian)", "given_on": "2026-11-01"},
                         {"scope": "tracing", "given_by": "Amanuel (with guardian)", "given_on": "2026-11-01"}]
        }))),
        op("get", "/cases/{id}", "A case with people, relationships, consents, notes, documents, requests, timeline, beneficiaries, tracing requests and possible matches", None),
        op("patch", "/cases/{id}", "Change a case's title, summary, child's views or partner country", Some(json!({"summary": "Mother located in Hamburg.", "version": 1}))),
        op("post", "/cases/{id}/actions", "Propose, approve, reject or make a closure, or reopen", Some(json!({"action": "propose_closure", "outcome": "reunified"}))),
        op("post", "/cases/{id}/assignee", "Assign the case (supervisors)", Some(json!({"user_id": "0194f3c2-7b1e-7c3a-9f00-000000000000"}))),
        op("get", "/cases/{id}/people", "The people of a case", None),
        op("post", "/cases/{id}/people", "Add a person to a case", Some(person.clone())),
        op("put", "/cases/{id}/people/{person_id}", "Correct a person: the whole record as it should read, with the version it was read at (a save over someone else's correction is refused with 409); the timeline keeps each field before and after", Some({
            let mut p = person.clone();
            p["version"] = json!(1);
            p
        })),
        op("delete", "/cases/{id}/people/{person_id}", "Remove a person entered in error, with their relationships; refused for the case's only child and for a person shared with a partner, sought in a tracing request or in a confirmed match", None),
        op("delete", "/cases/{id}/relationships/{relationship_id}", "Remove a relationship recorded in error", None),
        op("post", "/cases/{id}/relationships", "Relate two people of a case", Some(json!({"from_person_id": "0194f3c2-7b1e-7c3a-9f00-000000000001", "to_person_id": "0194f3c2-7b1e-7c3a-9f00-000000000002", "kind": "parent_of"}))),
        op("post", "/cases/{id}/consents", "Record a consent", Some(json!({"scope": "share_with_partners", "given_by": "Selam Tesfay (mother)", "given_on": "2026-11-02"}))),
        op("post", "/cases/{id}/consents/{scope}/withdrawal", "Withdraw the consent of a scope (tracing, share_with_partners, ...); without consent to tracing the case's people leave matching at once", None),
        op("get", "/cases/{id}/summary.pdf", "The case summary as PDF for a court or an authority: language (en, fr, es, ar; the caller's when absent), notes=true to include the internal notes. The export is recorded on the case's timeline and in the audit log", None),
        op("get", "/cases/{id}/notes", "Internal notes of a case", None),
        op("post", "/cases/{id}/notes", "Add an internal note", Some(json!({"body": "Called the mother; she agrees to a video call."}))),
        op("get", "/cases/{id}/documents", "Documents of a case", None),
        Operation { method: "post", path: "/cases/{id}/documents", summary: "Upload a document (multipart field `file`; PDF, PNG, JPEG, TIFF, DOCX/ODT or UTF-8 text; at most 20 MiB)", example: None, multipart: true },
        op("get", "/documents/{id}", "Download a document the caller may see", None),
        op("post", "/cases/{id}/requests", "Send a request to a partner member", Some(json!({
            "to_member": "DE", "kind": "tracing", "subject": "Trace the mother", "message": "Last seen in Frankfurt in 2019.",
            "due_on": "2027-01-15", "share_people": [], "share_documents": []
        }))),
        op("get", "/cases/{id}/tracing-requests", "The tracing requests of a case", None),
        op("post", "/cases/{id}/tracing-requests", "Open a tracing request: who looks for whom, last seen where and when; the person sought is matched in the background", Some(json!({
            "inquirer_name": "Selam Tesfay", "relation": "brother", "given_names": "Dawit", "family_name": "Tesfay", "sex": "male",
            "birth_date": "~24", "last_seen_place": "Tripoli, Libya", "last_seen_on": "2015", "circumstances": "Separated when boarding a boat."
        }))),
        op("post", "/cases/{id}/tracing-requests/{tracing_id}/status", "End a tracing request (found, not_found, withdrawn) with a note, or open it again", Some(json!({"status": "found", "note": "Found in Hamburg through the German Red Cross."}))),
        op("get", "/cases/{id}/matches", "Possible matches of the case's people, found in the background among people with consent to tracing; another member's record shows only which member holds it", None),
        op("post", "/matches/{id}/decision", "Confirm or reject a possible match; a pair across two members can be confirmed once the partner has shared its side; a rejected pair is never proposed again", Some(json!({"decision": "reject"}))),
        op("post", "/matches/{id}/share", "Share your side of a possible match (the person's name, sex and date of birth) with the partner member holding the other side", None),
        op("get", "/matches/shared-with-us", "Possible matches partner members have shared with your member and that wait for your answer", None),
        op("post", "/people/possible-duplicates", "Intake check before opening a case: people already known who may be this person (your member's cases with details, partners' only by member); saves nothing", Some(json!({
            "role": "child", "given_names": "Amanuel", "family_name": "Tesfay", "sex": "male", "birth_date": "2012-03-04"
        }))),
        op("get", "/requests", "The inbox (box=inbox) or outbox (box=outbox); open=true for open requests only", None),
        op("get", "/requests/{id}", "A request as the caller's side sees it, with the steps it may take", None),
        op("post", "/requests/{id}/transitions", "A lifecycle step: acknowledge, accept, decline (text = reason), start, answer (text = report), close, withdraw (text = reason)", Some(json!({"action": "answer", "text": "Home study report: the mother lives in a two-room flat in Hamburg."}))),
        op("post", "/requests/{id}/assignee", "The partner assigns one of its caseworkers", Some(json!({"user_id": "0194f3c2-7b1e-7c3a-9f00-000000000000"}))),
        op("post", "/requests/{id}/messages", "A message to the other side", Some(json!({"body": "Could you also confirm the mother's address?"}))),
        Operation { method: "post", path: "/requests/{id}/documents", summary: "Attach a document to a request (multipart field `file`)", example: None, multipart: true },
        op("post", "/cases/{id}/transfers", "Propose handing the case over to another member (the child moves country): to_member, reason, documents (ids of the case's documents that go with it). The case must be open with no open request", Some(json!({"to_member": "DE", "reason": "Amina moved to Hamburg with her aunt.", "documents": []}))),
        op("get", "/transfers", "The member's case handovers, both ways, waiting ones first", None),
        op("get", "/transfers/{id}", "A handover with what was sent (people, relationships, consents in force, chosen documents), for the sender or the receiving member", None),
        op("post", "/transfers/{id}/decision", "Decide a proposed handover: accept (the receiver; opens its case), decline (the receiver, reason required) or withdraw (the sender, reason required)", Some(json!({"action": "accept"}))),
        op("get", "/members", "The network directory", None),
        op("get", "/research/cases", "Search the research corpus (researchers, data protection officer): de-identified copies of closed cases; q (every word must occur), service, limit", None),
        op("get", "/research/archive-items", "Search the research corpus's archive text (researchers, data protection officer): de-identified copies of open and personal archive items (adoption files never), dates as years; q (every word must occur), names=fake for fake names instead of labels, limit", None),
        op("get", "/research/records.csv", "The research corpus as records (member country, service, year opened, outcome, children, adults), k-anonymous on those quasi-identifiers (k, default 5: years widened to five-year bands, then small groups withheld), with the data-use statement", None),
        op("get", "/research/records.parquet", "The same records as a Parquet file, the data-use statement in its key-value metadata", None),
        op("get", "/research/tables/outcomes.csv", "Closed cases by member country and outcome as CSV, cells under the threshold (default 5) and the cells that would reveal them suppressed, with the data-use statement", None),
        op("get", "/flows", "Request counts between countries by status (General Secretariat)", None),
        op("get", "/search", "Search cases, request messages and archive units the caller may open: q (words, \"phrases\", names matched within one letter), facet filters kind, member, country, service, year, level, language; from and to (year or date); page, limit. Answers total, hits with highlighted snippets, and facet counts, all within the caller's rights", None),
        op("get", "/archive/fonds", "The fonds the caller may open: its own member's (archivists) and open ones", None),
        op("post", "/archive/units", "Describe a unit (archivists): a fonds without parent_id, or a series, file or item inside one of your member's units. Restriction: open, personal (closed 100 years after the latest date) or adoption (kept permanently, guided access)", Some(json!({
            "parent_id": null, "level": "fonds", "reference_code": "CH-ISS-1950", "title": "Case files 1950–1979", "creator": "ISS Switzerland",
            "date_from": "1950", "date_to": "1979", "extent": "42 boxes", "language": "fr", "location": "Geneva, room 2, shelf 4", "restriction": "personal"
        }))),
        op("get", "/archive/units/{id}", "A unit with the units below it that the caller may open (and how many are closed to them)", None),
        op("delete", "/archive/units/{id}", "Delete an item imported by mistake, within the retention rules (never under legal hold, never an adoption record, never a personal record before it opens)", None),
        op("get", "/archive/units/{id}/pages", "The recognised or extracted text of an item, page by page, with confidence and review flags", None),
        op("get", "/archive/units/{id}/original", "The original file of an item, unchanged", None),
        Operation { method: "post", path: "/archive/units/{id}/files", summary: "Upload a scan or document into a unit (multipart field `file`; query languages=fra,eng,spa for OCR); it is imported in the background (202, with the import id)", example: None, multipart: true },
        op("get", "/archive/units/{id}/imports", "Progress of the imports into a fonds (archivists of its member), and the files not imported with their reasons", None),
        op("put", "/archive/units/{id}/legal-hold", "Put a unit under legal hold, or lift it", Some(json!({"hold": true}))),
        op("get", "/cases/{id}/origins/findings", "Search of origins: what the archivists found for this access request, and what was disclosed", None),
        op("get", "/cases/{id}/origins/mentions", "Search of origins and tracing: archive items of your member whose text may name a person of this access request, or the person sought by this case's tracing requests, in any spelling (archivists; from the restricted index of names)", None),
        op("post", "/cases/{id}/origins/findings", "Record that a unit of your member's archives answers this access request (archivists)", Some(json!({"unit_id": "0194f3c2-7b1e-7c3a-9f00-000000000000", "note": "Adoption file of 1987, complete."}))),
        op("post", "/cases/{id}/origins/findings/{finding}/disclosure", "Record the guided disclosure of a finding: to whom, and the counselling given", Some(json!({"disclosed_to": "The adoptee, in person", "counselling": "Met with the social worker before and after reading the file."}))),
        op("post", "/cases/{id}/assessments", "Start an assessment (best_interests_assessment, best_interests_determination, home_study) on the network's current form: parts by key, and for a best-interests assessment the risk level (low, medium, high)", Some(json!({"kind": "best_interests_assessment", "parts": {"child_views": "He wants to live with his mother."}, "risk": "medium"}))),
        op("put", "/cases/{id}/assessments/{assessment_id}", "Save a draft's answers, with the version they were written on (409 if someone saved meanwhile)", Some(json!({"parts": {"child_views": "He wants to live with his mother.", "safety": "No concern at the mother's home."}, "risk": "low", "version": 1}))),
        op("post", "/cases/{id}/assessments/{assessment_id}/submit", "Submit a draft for sign-off once every required part is written", None),
        op("post", "/cases/{id}/assessments/{assessment_id}/sign-off", "Sign off a submitted assessment (a supervisor who did not write it); a best-interests assessment's risk level becomes the case's", None),
        op("post", "/cases/{id}/assessments/{assessment_id}/return", "Send a submitted assessment back, saying why", Some(json!({"reason": "Add the child's views in his own words."}))),
        op("post", "/cases/{id}/goals", "Add a goal to the case plan", Some(json!({"text": "Amanuel lives with his mother"}))),
        op("post", "/cases/{id}/goals/{goal_id}/status", "Mark a goal achieved, dropped or open", Some(json!({"status": "achieved"}))),
        op("post", "/cases/{id}/tasks", "Plan a task: title, owner (a caseworker or supervisor of the member; the caller when empty), due date, and the goal it serves; its owner is reminded the day before it is due", Some(json!({"title": "Call the school in Hamburg", "owner": "", "due_on": "2027-01-15"}))),
        op("post", "/cases/{id}/tasks/{task_id}/done", "Mark a task done", None),
        op("post", "/cases/{id}/reviews", "Record a review of the plan, and when the next is due", Some(json!({"held_on": "2026-12-01", "summary": "The mother was visited; contact by video weekly.", "next_review_on": "2027-03-01"}))),
        op("get", "/tasks", "The caller's open tasks across their member's cases, soonest due first", None),
        op("get", "/admin/users", "The accounts of a member the caller administers (member administrators: their own; the system administrator: ?member=CODE)", None),
        op("post", "/admin/users", "Invite a person: an account without a password, and a one-time link token to set one (shown once)", Some(json!({"email": "new.caseworker@ch.kinbridge.example", "display_name": "New caseworker", "role": "caseworker"}))),
        op("post", "/admin/users/{id}/active", "Deactivate (ending every session at once) or reactivate an account", Some(json!({"active": false}))),
        op("post", "/admin/users/{id}/reset", "Lock an account's password and sessions and make a one-time link to set a new one", None),
        op("post", "/admin/users/{id}/role", "Give an account another role the caller may give", Some(json!({"role": "supervisor"}))),
        op("post", "/admin/members", "Add a member to the network (the system administrator)", Some(json!({"code": "KE", "name": "Kenya", "country": "KE"}))),
        op("post", "/account/password", "Set a password with a one-time link's token (no session needed)", Some(json!({"token": "the-token-from-the-link", "password": "a long new password"}))),
        op("get", "/notifications", "The caller's newest notifications, unread first (requests received, answers, shared matches, cases assigned), with the unread count", None),
        op("post", "/notifications/read", "Mark all the caller's notifications read", None),
    ]
}

pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for o in operations() {
        let mut operation = json!({
            "summary": o.summary,
            "security": if o.path == "/session" && o.method == "post" { json!([]) } else { json!([{"bearer": []}, {"cookie": []}]) },
            "responses": {
                "200": {"description": "OK"},
                "4XX": {"description": "A client error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            }
        });
        if let Some(ex) = &o.example {
            operation["requestBody"] = json!({"required": true, "content": {"application/json": {"example": ex}}});
        }
        if o.multipart {
            operation["requestBody"] = json!({"required": true, "content": {"multipart/form-data": {
                "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]},
                "example": {"file": "report.pdf"}
            }}});
        }
        let params: Vec<Value> = o
            .path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}))
            .collect();
        if !params.is_empty() {
            operation["parameters"] = Value::Array(params);
        }
        let entry = paths.entry(format!("/api/v1{}", o.path)).or_insert_with(|| json!({}));
        entry[o.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Kinbridge API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Casework across borders. Every answer is scoped by the caller's rights; another member's record answers 404. Errors carry a stable code and a message in the caller's language (Accept-Language or the user's setting)."},
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "The token from POST /api/v1/session"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "kb_session", "description": "A browser session; send X-CSRF-Token on changes"}
            },
            "schemas": {"Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                "code": {"type": "string"}, "message": {"type": "string"},
                "fields": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}
            }}}}}
        }
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
