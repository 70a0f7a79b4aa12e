"""Who may do what, by role and organization: named predicates shared by pages, API and
templates. Who may *see* a candidate depends on their internships: records/policies.py."""

from __future__ import annotations

from tracker.accounts.models import Role, User


def is_admin(user: User) -> bool:
    return user.role is Role.ADMIN


def same_org(user: User, other: User) -> bool:
    return user.organization_id is not None and user.organization_id == other.organization_id


def can_edit_records(user: User, candidate: User) -> bool:
    """Only candidates write their own degrees, courses, exams, hours and attestations."""
    return candidate.role is Role.CANDIDATE and (user.id == candidate.id or is_admin(user))


def can_enrol(user: User, candidate: User) -> bool:
    if candidate.role is not Role.CANDIDATE:
        return False
    if user.id == candidate.id or is_admin(user):
        return True
    return user.role is Role.COORDINATOR and same_org(user, candidate)


def can_manage_cohort(user: User, candidate: User) -> bool:
    """Coordinators of the candidate's organization (and admins): internships, waivers."""
    if candidate.role is not Role.CANDIDATE:
        return False
    return is_admin(user) or (user.role is Role.COORDINATOR and same_org(user, candidate))


def can_create_internship(user: User, candidate: User) -> bool:
    return can_edit_records(user, candidate) or can_manage_cohort(user, candidate)


def can_grant_waiver(user: User, candidate: User) -> bool:
    return can_manage_cohort(user, candidate) and user.id != candidate.id


def can_view_audit(user: User, candidate: User | None = None) -> bool:
    if is_admin(user):
        return True
    if user.role is not Role.COORDINATOR:
        return False
    return candidate is None or same_org(user, candidate)


def can_list_candidates(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.ADMIN, Role.MENTOR)


def can_manage_users(user: User) -> bool:
    return is_admin(user)


def can_see_approvals(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.MENTOR, Role.ADMIN)


def can_verify_records(user: User, candidate: User) -> bool:
    """Coordinators of the candidate's organization and admins check self-reported records
    against their evidence; nobody verifies their own."""
    return can_manage_cohort(user, candidate) and user.id != candidate.id


def can_list_mentors(user: User) -> bool:
    """Whoever records internships needs the mentors they may name."""
    return user.role in (Role.CANDIDATE, Role.COORDINATOR, Role.ADMIN)


def can_see_cohort(user: User) -> bool:
    return user.role in (Role.COORDINATOR, Role.ADMIN)


def can_publish_definitions(user: User) -> bool:
    """Uploading, previewing, publishing and withdrawing credential definitions."""
    return is_admin(user)
