"""Who may do what with whose records: the one place the record service asks.

Enforced in the service layer, not in pages or routes, so that the web pages, the API and the
command line cannot differ. Two kinds of refusal:

- acting on a municipality the actor does not belong to (search, count, import, record) is
  :class:`~shomeisho.errors.AccessDeniedError` (HTTP 403): the municipality code is the
  actor's own input, so saying "not yours" reveals nothing;
- reaching a resident or event of another municipality by its id is
  :class:`~shomeisho.errors.NotFoundError` (HTTP 404), exactly as for an id that does not exist,
  so that ids cannot be probed across municipalities.
"""

from __future__ import annotations

from enum import StrEnum

from shomeisho.errors import AccessDeniedError, NotFoundError
from shomeisho.records.entities import Role, Staff


class Action(StrEnum):
    """Every operation the record service offers, as the access table names it."""

    READ = "read"  # search, count, view residents and events
    RECORD = "record"  # add residents and vaccination events
    CORRECT = "correct"  # correct or void an event
    IMPORT = "import"  # bulk import a CSV
    MANAGE_STAFF = "manage_staff"  # create staff accounts
    READ_AUDIT = "read_audit"  # read and verify the audit log
    ISSUE = "issue"  # issue a certificate for a resident in person, at the municipal counter
    MANAGE_API_KEYS = "manage_api_keys"  # issue and revoke private apps' API keys, see usage
    REVOKE = "revoke"  # revoke a certificate issued for a resident (it is never valid again)


# What each role may do inside its own scope (a municipality, or everything for the operator).
ALLOWED: dict[Role, frozenset[Action]] = {
    Role.CLERK: frozenset(
        {Action.READ, Action.RECORD, Action.CORRECT, Action.IMPORT, Action.ISSUE}
    ),
    Role.MUNICIPAL_ADMIN: frozenset(
        {
            Action.READ,
            Action.RECORD,
            Action.CORRECT,
            Action.IMPORT,
            Action.MANAGE_STAFF,
            Action.ISSUE,
            Action.REVOKE,
        }
    ),
    # the operator keeps the system, it serves no one at a counter
    Role.NATIONAL_OPERATOR: frozenset(Action) - {Action.ISSUE},
}


def may(actor: Staff, action: Action, municipality_code: str | None) -> bool:
    """Whether ``actor`` may do ``action`` for ``municipality_code`` (None: every municipality,
    which only the national operator may ask for)."""
    if action not in ALLOWED[actor.role]:
        return False
    if actor.role is Role.NATIONAL_OPERATOR:
        return True
    return municipality_code is not None and municipality_code == actor.municipality_code


def require(actor: Staff, action: Action, municipality_code: str | None) -> None:
    """Raise AccessDeniedError unless :func:`may` allows it, saying what was refused."""
    if may(actor, action, municipality_code):
        return
    if action not in ALLOWED[actor.role]:
        raise AccessDeniedError(
            f"a {actor.role.value} account may not {action.value.replace('_', ' ')}",
            code="access.role",
        )
    where = "all municipalities" if municipality_code is None else municipality_code
    raise AccessDeniedError(
        f"this account works for municipality {actor.municipality_code} and may not act for "
        f"{where}",
        code="access.municipality",
    )


def require_visible(actor: Staff, action: Action, municipality_code: str, what: str) -> None:
    """For records reached by id: another municipality's record is reported as not found."""
    if may(actor, action, municipality_code):
        return
    if action not in ALLOWED[actor.role]:
        require(actor, action, municipality_code)  # the role's refusal, which reveals nothing
    raise NotFoundError(f"no {what} with that id", code="not_found.record")
