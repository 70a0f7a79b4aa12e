"""Role × endpoint access matrix over every registered route, pages and API.

Actors: anonymous, the candidate, another candidate of the same and of another
organization, coordinators of the same and of another organization, the mentor named
on the candidate's internship and another mentor, and an admin. Each cell is what the
actor gets: OK (allowed: 2xx, a redirect that is not to the login page, or a 400/409
from validation of the empty body), 403, 404, LOGIN (pages: redirect to the login page)
or 401 (API). A route missing from the table fails the test: the matrix grows with
every new route.
"""

from __future__ import annotations

import re

from tests.conftest import _reset, login
from tests.world import build_url, build_world

OK, LOGIN = "ok", "login"
ACTORS = [
    "anonymous",
    "candidate",
    "candidate_same_org",
    "candidate_other_org",
    "coordinator_same_org",
    "coordinator_other_org",
    "mentor_assigned",
    "mentor_other",
    "admin",
]


def row(
    anonymous,
    candidate,
    candidate_same_org,
    candidate_other_org,
    coordinator_same_org,
    coordinator_other_org,
    mentor_assigned,
    mentor_other,
    admin,
):
    return dict(
        zip(
            ACTORS,
            [
                anonymous,
                candidate,
                candidate_same_org,
                candidate_other_org,
                coordinator_same_org,
                coordinator_other_org,
                mentor_assigned,
                mentor_other,
                admin,
            ],
            strict=True,
        )
    )


def everyone(value):
    return dict.fromkeys(ACTORS, value)


def logged_in(value=OK, anonymous=LOGIN):
    return {**everyone(value), "anonymous": anonymous}


#                          anon   self  peer  far   coord coordX ment  mentX admin
SEE_CANDIDATE = row(LOGIN, OK, 404, 404, OK, 404, OK, 404, OK)
EDIT_RECORDS = row(LOGIN, OK, 404, 404, 403, 404, 403, 404, OK)
ENROL = row(LOGIN, OK, 404, 404, OK, 404, 403, 404, OK)
WAIVE = row(LOGIN, 403, 404, 404, OK, 404, 403, 404, OK)
CREATE_INTERNSHIP = row(LOGIN, OK, 404, 404, OK, 404, 403, 404, OK)
DECIDE_EXPERIENCE = row(LOGIN, 403, 404, 404, OK, 404, 403, 404, OK)
# The page routes for decisions are open to coordinators and admins only (403 for other
# roles before anything is loaded); the API answers by the entry (see DECIDE_EXPERIENCE).
DECIDE_EXPERIENCE_PAGE = row(LOGIN, 403, 403, 403, OK, 404, 403, 403, OK)
DECIDE_INTERNSHIP = row(LOGIN, 403, 404, 404, 403, 404, OK, 404, 403)
COORDINATORS = row(LOGIN, 403, 403, 403, OK, OK, 403, 403, OK)
CANDIDATES_ONLY = row(LOGIN, OK, OK, OK, 403, 403, 403, 403, 403)
MENTORS_ONLY = row(LOGIN, 403, 403, 403, 403, 403, OK, OK, 403)
ADMINS = row(LOGIN, 403, 403, 403, 403, 403, 403, 403, OK)
ADMINS_UNKNOWN = row(LOGIN, 403, 403, 403, 403, 403, 403, 403, 404)


# Each record kind's operations (operationIds in snake case) and who may create one.
ALL_VERBS = ("list", "get", "create", "update", "delete", "upload")
RECORD_OPERATIONS = {
    "degree": (EDIT_RECORDS, (*ALL_VERBS, "verify")),
    "course": (EDIT_RECORDS, (*ALL_VERBS, "verify")),
    "exam": (EDIT_RECORDS, (*ALL_VERBS, "verify")),
    "attestation": (EDIT_RECORDS, (*ALL_VERBS, "verify")),
    "held_credential": (EDIT_RECORDS, (*ALL_VERBS, "verify")),
    "experience": (EDIT_RECORDS, ALL_VERBS),
    "internship": (CREATE_INTERNSHIP, ALL_VERBS),
    "registration": (EDIT_RECORDS, ALL_VERBS),
    "waiver": (WAIVE, ("list", "get", "create")),
}


def api(cells):
    """The same rule through the API: 401 instead of the login redirect."""
    return {**cells, "anonymous": 401}


MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    # endpoint: (query string, expectations)
    "static": ("", everyone(OK)),
    "home.index": ("", logged_in()),
    "web.healthz": ("", everyone(OK)),
    "accounts.login": ("", {**everyone(OK)}),
    # Logging out (or trying to without a session) ends on the login page.
    "accounts.logout": ("", everyone(LOGIN)),
    "candidates.my_records": ("", CANDIDATES_ONLY),
    "candidates.enrol_page": ("", CANDIDATES_ONLY),
    "candidates.profile": ("", SEE_CANDIDATE),
    "candidates.progress": ("", SEE_CANDIDATE),
    "candidates.records": ("", SEE_CANDIDATE),
    "candidates.new_record": ("", EDIT_RECORDS),
    "candidates.edit_record": ("", EDIT_RECORDS),
    "candidates.delete_record": ("", EDIT_RECORDS),
    "candidates.upload_evidence": ("", EDIT_RECORDS),
    "candidates.evidence_file": ("", SEE_CANDIDATE),
    "candidates.delete_evidence": ("", EDIT_RECORDS),
    "candidates.enrol": ("", ENROL),
    "candidates.switch_pathway": ("", ENROL),
    "candidates.grant_waiver": ("", WAIVE),
    "candidates.waivers": ("", SEE_CANDIDATE),
    "candidates.revoke_waiver": ("", WAIVE),
    "candidates.verify_record": ("", WAIVE),
    # Only the candidate withdraws their own entries (admins and coordinators: 403).
    "candidates.withdraw_entry": ("", row(LOGIN, OK, 404, 404, 403, 404, 403, 404, 403)),
    "candidates.cohort": ("", COORDINATORS),
    "candidates.cohort_csv": ("", COORDINATORS),
    "approvals.queue": ("", COORDINATORS),
    "approvals.approve": ("", DECIDE_EXPERIENCE_PAGE),
    "approvals.reject": ("", DECIDE_EXPERIENCE_PAGE),
    "approvals.bulk": ("", COORDINATORS),
    "mentoring.interns": ("", MENTORS_ONLY),
    "mentoring.internship": ("", SEE_CANDIDATE),
    "mentoring.sign_off": ("", DECIDE_INTERNSHIP),
    "mentoring.return_internship": ("", DECIDE_INTERNSHIP),
    "mentoring.new_internship": ("", CREATE_INTERNSHIP),
    "admin.users": ("", ADMINS),
    "admin.create_user": ("", ADMINS),
    "admin.user": ("", ADMINS),
    "admin.change_role": ("", ADMINS),
    "admin.deactivate": ("", ADMINS),
    "admin.reactivate": ("", ADMINS),
    "admin.reset_password": ("", ADMINS),
    "admin.issue_token": ("", ADMINS),
    "admin.revoke_token": ("", ADMINS),
    "admin.organizations": ("", ADMINS),
    # Definitions: admins only; the world's upload token and version do not exist (404).
    "publishing.upload": ("", ADMINS),
    "publishing.staged": ("", ADMINS_UNKNOWN),
    "publishing.preview": ("", ADMINS_UNKNOWN),
    "publishing.publish": ("", ADMINS_UNKNOWN),
    "publishing.discard": ("", ADMINS_UNKNOWN),
    "publishing.withdraw": ("", ADMINS_UNKNOWN),
    "admin.create_organization": ("", ADMINS),
    "admin.definitions": ("", ADMINS),
    "admin.definition": ("", ADMINS),
    "admin.tasks_page": ("", ADMINS),
    # No task failed in this world: an unknown task id is 404 for the admin.
    "admin.retry_task": ("", {**ADMINS, "admin": 404}),
    "admin.delete_task": ("", {**ADMINS, "admin": 404}),
    # An unknown job id: 404 for everyone logged in (only a job's owner sees it).
    "tasks.progress": ("", logged_in(404)),
    "audit.log": ("", COORDINATORS),
    "statements.download": ("credential=cfp", SEE_CANDIDATE),
    # No statement was issued in this world: the public page answers 404 to everyone.
    "statements.verify": ("", everyone(404)),
    "statements.verify_form": ("", everyone(OK)),
    "statements.cohort": ("", COORDINATORS),
    "statements.cohort_start": ("", COORDINATORS),
    # An unknown job id: 404 once the role may use cohort jobs at all.
    "statements.cohort_job": (
        "",
        {**COORDINATORS, "coordinator_same_org": 404, "coordinator_other_org": 404, "admin": 404},
    ),
    "statements.cohort_zip": (
        "",
        {**COORDINATORS, "coordinator_same_org": 404, "coordinator_other_org": 404, "admin": 404},
    ),
    "notices.inbox": ("", logged_in()),
    "notices.read": ("", {**everyone(404), "anonymous": LOGIN, "candidate": OK}),
    "notices.read_all": ("", logged_in()),
    # An unknown secret: the feed answers 404 to everyone (no login: the secret is the key).
    "notices.calendar_feed": ("", everyone(404)),
    "account.page": ("", logged_in()),
    "account.language": ("", logged_in()),
    "account.notice_kinds": ("", logged_in()),
    "account.renew_calendar": ("", CANDIDATES_ONLY),
    "account.change_password": ("", logged_in()),
    "account.forgot": ("", everyone(OK)),
    # A bad link: 404 for everyone (the page needs no login; the link is the key).
    "account.reset": ("", everyone(404)),
    "admin.resend_invitation": ("", ADMINS),
    # Single sign-on is not configured in the test world: both steps are 404.
    "account.sso_login": ("", everyone(404)),
    "account.sso_callback": ("", everyone(404)),
    "imports.page": ("", COORDINATORS),
    "imports.upload": ("", COORDINATORS),
    "api.list_notifications": ("", api(logged_in())),
    "api.read_notification": ("", {**everyone(404), "anonymous": 401, "candidate": OK}),
    "api.get_me": ("", api(logged_in())),
    "api.get_open_api": ("", everyone(OK)),
    "api.list_candidates": ("", api(row(401, 403, 403, 403, OK, OK, OK, OK, OK))),
    "api.get_candidate": ("", api(SEE_CANDIDATE)),
    "api.create_enrolment": ("", api(ENROL)),
    "api.update_enrolment": ("", api(ENROL)),
    "api.list_approvals": ("", api(row(401, 403, 403, 403, OK, OK, OK, OK, OK))),
    "api.decide_approvals": ("", api(row(401, 403, 403, 403, OK, OK, OK, OK, OK))),
    "api.approve_experience": ("", api(DECIDE_EXPERIENCE)),
    "api.reject_experience": ("", api(DECIDE_EXPERIENCE)),
    "api.sign_off_internship": ("", api(DECIDE_INTERNSHIP)),
    "api.return_internship": ("", api(DECIDE_INTERNSHIP)),
    "api.get_progress": ("credential=cfp", api(SEE_CANDIDATE)),
    "api.what_if": ("", api(SEE_CANDIDATE)),
    "api.download_statement": ("credential=cfp", api(SEE_CANDIDATE)),
    "api.list_audit_events": ("", api(row(401, 403, 403, 403, OK, OK, 403, 403, OK))),
    "api.get_evidence": ("", api(SEE_CANDIDATE)),
    "api.delete_evidence": ("", api(EDIT_RECORDS)),
    "api.revoke_waiver": ("", api(WAIVE)),
    "api.list_credentials": ("", api(logged_in())),
    "api.get_credential": ("", api(logged_in())),
    "api.list_mentors": ("", api(row(401, OK, OK, OK, OK, OK, 403, 403, OK))),
    "api.list_cohort": ("", api(COORDINATORS)),
    **{
        f"api.{verb}_{name}": ("", api(cells))
        for name, (writes, verbs) in RECORD_OPERATIONS.items()
        for verb, cells in (
            ("list", SEE_CANDIDATE),
            ("get", SEE_CANDIDATE),
            ("create", writes),
            ("update", EDIT_RECORDS),
            ("delete", EDIT_RECORDS),
            ("upload", EDIT_RECORDS),
            ("verify", WAIVE),
        )
        if verb in verbs
    },
}


def _outcome(response, is_api):
    code = response.status_code
    if code >= 500:
        return f"error {code}"
    if code in (302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    if code in (401, 403, 404):
        return code
    return OK


def _plural(endpoint: str) -> str:
    """listDegrees is api.list_degrees: the matrix names each kind once (api.list_degree)."""
    for name in RECORD_OPERATIONS:
        for plural in (name + "s", name):
            if endpoint == f"api.list_{plural}":
                return f"api.list_{name}"
        if endpoint == f"api.upload_{name}_evidence":
            return f"api.upload_{name}"
    return endpoint


def _expected(endpoint: str) -> tuple[str, dict[str, str]]:
    return MATRIX[_plural(endpoint)]


def test_every_route_is_in_the_matrix(app):
    endpoints = {_plural(rule.endpoint) for rule in app.url_map.iter_rules()}
    assert endpoints - set(MATRIX) == set(), "add the new routes to the access matrix"
    assert set(MATRIX) - endpoints == set(), "remove routes that no longer exist"


def test_access_matrix(app, factory):
    world = build_world(app, factory)
    tokens = {name: factory.token(user) for name, user in world.users.items()}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.rule)
    unexpected = []
    cells = 0

    clients: dict[str, tuple] = {}

    def client_for(actor):
        if actor in clients:
            return clients[actor]
        client = app.test_client()
        if actor != "anonymous":
            assert login(client, world.users[actor].email).status_code == 302
        page = client.get("/" if actor != "anonymous" else "/login").get_data(as_text=True)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        clients[actor] = (client, match.group(1) if match else "")
        return clients[actor]

    for rule in rules:
        query, expected = _expected(rule.endpoint)
        is_api = rule.rule.startswith("/api/")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for actor in ACTORS:
                client, csrf = client_for(actor)
                url = build_url(rule, world.params()) + (f"?{query}" if query else "")
                headers = {}
                if is_api and actor != "anonymous":
                    headers["Authorization"] = f"Bearer {tokens[actor]}"
                if method == "GET":
                    response = client.get(url, headers=headers)
                elif is_api:
                    response = client.open(url, method=method, headers=headers, json={})
                else:
                    response = client.open(
                        url, method=method, headers=headers, data={"csrf_token": csrf}
                    )
                got = _outcome(response, is_api)
                cells += 1
                if got != expected[actor]:
                    unexpected.append(
                        f"{method} {rule.rule} as {actor}: expected {expected[actor]}, got {got}"
                    )
                if method != "GET" and (got == OK or rule.endpoint == "accounts.logout"):
                    # An allowed write may have changed the world: rebuild it for the next cell.
                    _reset(app)
                    world = build_world(app, factory)
                    tokens = {name: factory.token(user) for name, user in world.users.items()}
                    clients.clear()
    assert not unexpected, "\n".join(unexpected)
    assert cells > 300
