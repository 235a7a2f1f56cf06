"""A caseworker's round trip through the Python client generated from Kinbridge's OpenAPI
document (openapi-python-client): sign in, list cases, open one, read it back, add a note,
search, and be refused a bad filter with the parameter named. Every answer is parsed into the
generated models, which fail on a field or value the document does not describe.

Usage: python api_client_check.py BASE_URL  (with the generated package on PYTHONPATH)
"""

import sys
import uuid

from kinbridge_api_client import AuthenticatedClient, Client
from kinbridge_api_client.api.default import (
    get_cases,
    get_cases_id,
    get_notifications,
    get_search,
    post_cases,
    post_cases_id_notes,
    post_session,
)
from kinbridge_api_client.models import (
    BodyText,
    CaseDetail,
    Credentials,
    ErrorBody,
    NewCaseBody,
    Note,
    Notices,
    Page,
    SearchAnswer,
    SignedIn,
)


def expect(value, kind, what):
    if not isinstance(value, kind):
        raise SystemExit(f"{what}: expected {kind.__name__}, got {value!r}")
    return value


def main(base: str) -> None:
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)
    signed = expect(
        post_session.sync(
            client=anonymous,
            body=Credentials(email="caseworker@ch.kinbridge.example", password="kinbridge-demo"),
        ),
        SignedIn,
        "sign-in",
    )
    client = AuthenticatedClient(base_url=base, token=signed.token, raise_on_unexpected_status=True)
    calls = 1

    page = expect(get_cases.sync(client=client, status="open", per_page=5), Page, "case list")
    calls += 1
    if page.total < 1 or not page.items:
        raise SystemExit("the demo caseworker sees no open case")

    family = "Client" + uuid.uuid4().hex[:8]
    body = NewCaseBody.from_dict(
        {
            "service": "family_tracing",
            "title": "Tracing through the generated client",
            "people": [
                {"role": "child", "given_names": "Yonas", "family_name": family, "sex": "male", "birth_date": "2014-05-02"}
            ],
            "consents": [{"scope": "data_processing", "given_by": "Yonas with his guardian", "given_on": "2026-11-01"}],
        }
    )
    created = post_cases.sync(client=client, body=body)
    calls += 1
    if isinstance(created, ErrorBody):
        raise SystemExit(f"opening a case was refused: {created.error.code}: {created.error.message}")

    detail = expect(get_cases_id.sync(id=created.id, client=client), CaseDetail, "case page")
    calls += 1
    if [p.family_name for p in detail.people] != [family]:
        raise SystemExit(f"the child is not on the case read back: {detail.people}")
    if not any(e.kind.value == "opened" for e in detail.timeline):
        raise SystemExit("the timeline does not say the case was opened")

    note = expect(
        post_cases_id_notes.sync(id=created.id, client=client, body=BodyText(body="Spoke with the school.")),
        Note,
        "note",
    )
    calls += 1
    if note.body != "Spoke with the school.":
        raise SystemExit(f"the note reads back as {note.body!r}")

    expect(get_search.sync(client=client, q="Amanuel"), SearchAnswer, "search")
    expect(get_notifications.sync(client=client), Notices, "notifications")
    calls += 2

    refused = expect(get_cases.sync(client=client, status="bogus"), ErrorBody, "bad filter")
    calls += 1
    fields = [f.field for f in (refused.error.fields or [])]
    if refused.error.code != "invalid_query" or fields != ["status"]:
        raise SystemExit(f"a bad filter should name the parameter: {refused.error}")

    print(f"generated Python client: {calls} calls answered as the document describes them")


if __name__ == "__main__":
    main(sys.argv[1])
