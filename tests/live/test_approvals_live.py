"""Approvals end to end against a live ``docuflow serve`` with its embedded worker.

Everything goes through the server's HTTP API, its WebSocket and real e-mail (SMTP to
aiosmtpd): the seed 000 certification walkthrough, the DocuFlow upload → extraction →
validation → approval → ARCHIVED flow with its live status messages, rejection,
validation and extraction failures, approve/reject e-mail links, parallel N-of-M review.

Escalation after a timeout is tested in process with the engine's fake clock
(``tests/approvals/test_document_review.py``): a live server cannot share a fake clock,
and the shortest escalation the settings allow is 60 s.
"""

from __future__ import annotations

import time

import pytest

from tests.live.conftest import (
    CORRUPT_PDF,
    DOCS,
    PASSWORD,
    Socket,
    invoice_bytes,
    links,
    mails,
    memo_bytes,
    start_server,
    stop_server,
    upload,
    wait_for,
    wait_status,
)

pytestmark = [pytest.mark.live, pytest.mark.slow]

ADMIN, MANAGER, REVIEWER, UPLOADER = (
    "admin@live.test", "manager@live.test", "reviewer@live.test", "uploader@live.test"
)  # fmt: skip
PAR_ADMIN, PAR_UPLOADER, PAR_MANAGER = "admin@par.test", "uploader@par.test", "manager@par.test"
R1, R2, R3 = "r1@par.test", "r2@par.test", "r3@par.test"
STRANGER = "reviewer@other.test"
TENANTS = {
    "live-co": {ADMIN: "ADMIN", MANAGER: "MANAGER", REVIEWER: "REVIEWER", UPLOADER: "UPLOADER"},
    "par-co": {
        PAR_ADMIN: "ADMIN", PAR_MANAGER: "MANAGER", R1: "REVIEWER", R2: "REVIEWER",
        R3: "REVIEWER", PAR_UPLOADER: "UPLOADER",
    },  # fmt: skip
    "other-co": {"admin@other.test": "ADMIN", STRANGER: "REVIEWER"},
}
HAPPY = ["EXTRACTING", "VALIDATING", "PENDING_APPROVAL", "APPROVED", "ARCHIVED"]


@pytest.fixture(scope="module")
def live(tmp_path_factory, smtp_server):
    server = start_server(
        tmp_path_factory.mktemp("live-approvals"),
        {"EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}"},
        TENANTS,
    )
    server.inbox = smtp_server
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture
def files(tmp_path):
    return tmp_path


def review_mail(live, address: str, doc_id: str) -> str:
    """The body of the approval-request e-mail ``address`` received for the document."""
    found = wait_for(
        lambda: [b for _, b in mails(live.inbox, address, "Approval needed") if doc_id in b],
        what=f"the approval e-mail to {address}",
    )
    return found[0]


def outcome_mail(live, address: str, doc_id: str, words: str) -> str:
    found = wait_for(
        lambda: [b for s, b in mails(live.inbox, address, words) if doc_id in b],
        what=f"the outcome e-mail ({words}) to {address}",
    )
    return found[0]


# --- WebSocket basics ----------------------------------------------------------------------------


def test_status_socket_answers_ping_and_refuses_a_missing_or_bad_token(live):
    with Socket(live.ws_url(REVIEWER)) as socket:
        socket.send("ping")
        assert socket.wait(lambda s: "pong" in s.messages, 10)
    for url in (live.ws_url(None), live.ws_url(None) + "?token=not-a-jwt"):
        refused = Socket(url)
        assert refused.wait(lambda s: s.closed, 10)
        assert refused.ws.close_code == 4001
        assert refused.messages == []


# --- seed 000: the certification walkthrough -------------------------------------------------------


@pytest.mark.parametrize("slash", ["", "/"], ids=["no-slash", "slash"])
def test_certification_walkthrough_over_http(live, slash):
    api = "/api/v1/certification"
    # Sign in as the seed's employee and manager would.
    with live.client() as anonymous:
        tokens = {
            who: anonymous.post(
                "/api/v1/auth/login/", json={"email": who, "password": PASSWORD}
            ).json()["access"]
            for who in (UPLOADER, MANAGER)
        }
    employee = live.client()
    employee.headers["Authorization"] = f"Bearer {tokens[UPLOADER]}"
    manager = live.client()
    manager.headers["Authorization"] = f"Bearer {tokens[MANAGER]}"

    for bad in ({"name": "Sam", "course": "AWS"}, {"name": "Sam", "course": "AWS", "cost": -1},
                {"name": "Sam", "course": "AWS", "cost": "lots"}):  # fmt: skip
        answer = employee.post(f"{api}/request{slash}", json=bad)
        assert answer.status_code == 422, answer.text
    created = employee.post(
        f"{api}/request{slash}", json={"name": "Sam Taylor", "course": "AWS SA", "cost": 300}
    )
    assert created.status_code == 201, created.text
    body = created.json()
    request_id = body["requestId"]
    assert body["executionArn"].startswith("arn:aws:states:")
    other = employee.post(
        f"{api}/request{slash}", json={"name": "Sam Taylor", "course": "CKA", "cost": 250}
    ).json()["requestId"]

    status = employee.get(f"{api}/request/{request_id}{slash}")
    assert status.status_code == 200
    assert status.json()["status"] == "PENDING" and status.json()["cost"] == 300

    def task_for(rid):
        tasks = manager.get("/api/v1/approvals/", params={"page_size": 100}).json()["results"]
        return next((t for t in tasks if t["subject_id"] == rid and t["task_token"]), None)

    task = wait_for(lambda: task_for(request_id), what="the manager's task")
    other_task = wait_for(lambda: task_for(other), what="the second request's task")
    # The manager was e-mailed; the token is never in an e-mail.
    body_text = wait_for(
        lambda: [b for _, b in mails(live.inbox, MANAGER, "Approval needed") if request_id in b],
        what="the manager's e-mail",
    )[0]
    assert task["task_token"] not in body_text

    # A token of another request is refused; the employee may not decide.
    wrong = manager.post(
        f"{api}/approval{slash}",
        json={"requestId": request_id, "decision": "APPROVED", "taskToken": other_task["task_token"]},
    )
    assert wrong.status_code == 422, wrong.text
    assert employee.post(
        f"{api}/approval{slash}", json={"requestId": request_id, "decision": "APPROVED"}
    ).status_code == 403

    approved = manager.post(
        f"{api}/approval{slash}",
        json={"requestId": request_id, "decision": "APPROVED", "taskToken": task["task_token"]},
    )
    assert approved.status_code == 200, approved.text
    final = wait_for(
        lambda: (r := employee.get(f"{api}/request/{request_id}{slash}").json())["status"]
        == "APPROVED" and r,
        what="APPROVED",
    )
    assert final["decidedBy"] == MANAGER and final["decidedAt"]
    again = manager.post(
        f"{api}/approval{slash}",
        json={"requestId": request_id, "decision": "APPROVED", "taskToken": task["task_token"]},
    )
    assert again.status_code == 410
    assert wait_for(lambda: mails(live.inbox, UPLOADER, "was approved: AWS SA"))

    # The manager may omit the token; a rejection needs a reason.
    no_reason = manager.post(
        f"{api}/approval{slash}", json={"requestId": other, "decision": "REJECTED"}
    )
    assert no_reason.status_code == 422
    rejected = manager.post(
        f"{api}/approval{slash}",
        json={"requestId": other, "decision": "REJECTED", "reason": "No budget left"},
    )
    assert rejected.status_code == 200, rejected.text
    wait_for(
        lambda: employee.get(f"{api}/request/{other}{slash}").json()["status"] == "REJECTED",
        what="REJECTED",
    )
    mine = {r["requestId"] for r in employee.get(f"{api}/requests{slash}").json()["results"]}
    assert {request_id, other} <= mine


# --- DocuFlow: upload to archive, with live status ---------------------------------------------------


def test_upload_to_archive_with_every_status_once_on_the_socket(live, files):
    reviewer, uploader = live.client(REVIEWER), live.client(UPLOADER)
    with Socket(live.ws_url(UPLOADER)) as socket, Socket(live.ws_url(STRANGER)) as outsider:
        doc = upload(uploader, invoice_bytes(files), "Northwind happy path")
        assert doc["status"] == "UPLOADED"
        wait_status(reviewer, doc["id"], "PENDING_APPROVAL")
        body = review_mail(live, REVIEWER, doc["id"])
        assert set(links(body)) == {"approve", "reject"}

        # Another tenant's reviewer cannot even see it; the uploader may not approve.
        assert live.client(STRANGER).post(f"{DOCS}{doc['id']}/approve/", json={}).status_code == 404
        assert uploader.post(f"{DOCS}{doc['id']}/approve/", json={}).status_code == 403

        answer = reviewer.post(f"{DOCS}{doc['id']}/approve/", json={"notes": "numbers match"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "APPROVED"
        again = reviewer.post(f"{DOCS}{doc['id']}/approve/", json={})
        assert again.status_code == 409
        outcome_mail(live, UPLOADER, doc["id"], "approved and archived")  # the last step
        assert socket.wait(lambda s: s.statuses(doc["id"]) == HAPPY, 30), socket.statuses(doc["id"])
        time.sleep(0.5)  # nothing else arrives: each status once
        assert socket.statuses(doc["id"]) == HAPPY
        assert outsider.statuses(doc["id"]) == []
    final = reviewer.get(f"{DOCS}{doc['id']}/").json()
    assert final["status"] == "ARCHIVED" and final["review_notes"] == "numbers match"


def test_rejection_over_http(live, files):
    reviewer, uploader = live.client(REVIEWER), live.client(UPLOADER)
    with Socket(live.ws_url(REVIEWER)) as socket:
        doc = upload(uploader, invoice_bytes(files, "INV-2026-00043"), "Rejected invoice")
        wait_status(reviewer, doc["id"], "PENDING_APPROVAL")
        missing = reviewer.post(f"{DOCS}{doc['id']}/reject/", json={})
        assert missing.status_code == 422 and "reason" in missing.json()["errors"]
        assert uploader.post(f"{DOCS}{doc['id']}/reject/", json={"reason": "x"}).status_code == 403
        answer = reviewer.post(f"{DOCS}{doc['id']}/reject/", json={"reason": "wrong vendor"})
        assert answer.status_code == 200 and answer.json()["status"] == "REJECTED"
        assert reviewer.post(f"{DOCS}{doc['id']}/approve/", json={}).status_code == 409
        body = outcome_mail(live, UPLOADER, doc["id"], "was rejected")
        assert "wrong vendor" in body
        expected = ["EXTRACTING", "VALIDATING", "PENDING_APPROVAL", "REJECTED"]
        assert socket.wait(lambda s: s.statuses(doc["id"]) == expected, 30)
        time.sleep(0.3)
        assert socket.statuses(doc["id"]) == expected


def test_validation_and_extraction_failures(live, files):
    reviewer, uploader = live.client(REVIEWER), live.client(UPLOADER)
    with Socket(live.ws_url(UPLOADER)) as socket:
        memo = upload(uploader, memo_bytes(files), "Not an invoice")
        broken = upload(uploader, CORRUPT_PDF, "Broken upload")
        failed = wait_status(reviewer, memo["id"], "VALIDATION_FAILED")
        assert "Invoice Number" in failed["extracted_data"]["validation"]["missing_fields"]
        unreadable = wait_status(reviewer, broken["id"], "EXTRACTION_FAILED")
        assert unreadable["extracted_data"]["failure_reason"]["code"]
        for doc in (memo, broken):
            assert reviewer.post(f"{DOCS}{doc['id']}/approve/", json={}).status_code == 409
        outcome_mail(live, UPLOADER, memo["id"], "failed validation")
        outcome_mail(live, UPLOADER, broken["id"], "could not be read")
        assert socket.wait(
            lambda s: s.statuses(memo["id"]) == ["EXTRACTING", "VALIDATING", "VALIDATION_FAILED"]
            and s.statuses(broken["id"]) == ["EXTRACTING", "EXTRACTION_FAILED"],
            30,
        ), (socket.statuses(memo["id"]), socket.statuses(broken["id"]))
    assert not mails(live.inbox, REVIEWER, memo["id"])  # nobody is asked to review them


# --- e-mail links ------------------------------------------------------------------------------------


def test_email_links_confirm_on_get_decide_on_post_and_work_once(live, files):
    reviewer, uploader = live.client(REVIEWER), live.client(UPLOADER)
    doc = upload(uploader, invoice_bytes(files, "INV-2026-00044"), "Approved by e-mail")
    wait_status(reviewer, doc["id"], "PENDING_APPROVAL")
    urls = links(review_mail(live, REVIEWER, doc["id"]))
    assert urls["approve"].startswith(live.base + "/approve/")
    web = live.client()  # no bearer token: the signature is the credential

    page = web.get(urls["approve"])
    assert page.status_code == 200 and "Nothing is decided until you confirm" in page.text
    assert 'method="post"' in page.text
    assert web.get(urls["approve"]).status_code == 200  # a mail scanner's second look
    assert reviewer.get(f"{DOCS}{doc['id']}/").json()["status"] == "PENDING_APPROVAL"

    head, _, signature = urls["approve"].rstrip("/").rpartition(":")
    forged = f"{head}:{signature[::-1]}/"
    assert web.get(forged).status_code == 403
    assert web.post(forged, data={"confirm": "yes"}).status_code == 403
    assert reviewer.get(f"{DOCS}{doc['id']}/").json()["status"] == "PENDING_APPROVAL"

    unconfirmed = web.post(urls["approve"], data={"notes": "x"})
    assert unconfirmed.status_code == 422
    done = web.post(urls["approve"], data={"confirm": "yes", "notes": "fine by mail"})
    assert done.status_code == 200 and "Approved" in done.text
    final = wait_status(reviewer, doc["id"], "ARCHIVED")
    assert final["review_notes"] == "fine by mail"

    replay = web.post(urls["approve"], data={"confirm": "yes"})
    assert replay.status_code == 410
    assert web.get(urls["approve"]).status_code == 410
    assert web.post(urls["reject"], data={"confirm": "yes", "reason": "late"}).status_code == 410
    assert reviewer.get(f"{DOCS}{doc['id']}/").json()["status"] == "ARCHIVED"


# --- parallel N-of-M review ----------------------------------------------------------------------------


def test_parallel_two_of_three_review_over_http(live, files):
    admin = live.client(PAR_ADMIN)
    bound = admin.put(
        "/api/v1/workflow-bindings/INVOICE/", json={"state_machine": "docuflow-parallel-review"}
    )
    assert bound.status_code == 200, bound.text
    rules = admin.patch(
        "/api/v1/approvals/settings/",
        json={
            "parallel_approvers": [live.ids[R1], live.ids[R2], live.ids[R3]],
            "parallel_required_approvals": 2,
        },
    )
    assert rules.status_code == 200, rules.text
    uploader = live.client(PAR_UPLOADER)
    r1, r2, r3 = live.client(R1), live.client(R2), live.client(R3)
    with Socket(live.ws_url(PAR_UPLOADER)) as socket:
        doc = upload(uploader, invoice_bytes(files, "INV-2026-00045"), "Two of three")
        wait_status(r1, doc["id"], "PENDING_APPROVAL")
        for who in (R1, R2, R3):
            review_mail(live, who, doc["id"])  # each named approver is asked
        assert live.client(PAR_MANAGER).post(
            f"{DOCS}{doc['id']}/approve/", json={}
        ).status_code == 409  # not one of the named approvers
        first = r1.post(f"{DOCS}{doc['id']}/approve/", json={"notes": "one"})
        assert first.status_code == 200 and first.json()["status"] == "PENDING_APPROVAL"
        assert r1.post(f"{DOCS}{doc['id']}/approve/", json={}).status_code == 409  # voted
        assert r1.get("/api/v1/approvals/").json()["count"] == 0
        assert r3.get("/api/v1/approvals/").json()["count"] == 1
        second = r2.post(f"{DOCS}{doc['id']}/approve/", json={"notes": "two"})
        assert second.status_code == 200 and second.json()["status"] == "APPROVED"
        assert r3.post(f"{DOCS}{doc['id']}/approve/", json={}).status_code == 409
        wait_status(r1, doc["id"], "ARCHIVED")
        assert socket.wait(lambda s: s.statuses(doc["id"]) == HAPPY, 30), socket.statuses(doc["id"])
