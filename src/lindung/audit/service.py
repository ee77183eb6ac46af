"""The audit log: writing it, reading it, and saying an entry in the reader's language.

Subjects are named by id; personal data never goes into an entry (a worker's changed fields are
named, not their values; a NIK is masked). An entry's facts are values in ``data`` (codes, numbers,
field names), so that each reader gets them in their own language (``detail_text``); entries from
before 7 December 2026 have an English ``detail`` instead, shown as it was written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from lindung.audit import repository
from lindung.audit.models import AuditEntry, Provenance
from lindung.audit.schemas import AuditRead, AuditShown
from lindung.kit import clock
from lindung.kit.auth import NO_USER, Actor
from lindung.kit.db import utcnow
from lindung.kit.errors import InvalidInput
from lindung.kit.i18n import catalogue, format_count, t
from lindung.kit.numbers import ID_MAX
from lindung.kit.paging import Paged, Window, fetch
from lindung.kit.privacy import mask_niks_in_text
from lindung.rules.catalogues import funding_sources
from lindung.rules.money import rp

PERSON_MAX = 100
"""The longest name of a person recorded as text (the audit log's column; usernames are shorter)."""


def _user_id(actor: Actor) -> int | None:
    """The user id to record: none for a person recorded by name only (``kit.auth.recorded``)."""
    return None if actor.user_id == NO_USER else actor.user_id


def record(session: Session, *, actor: Actor, action: str, subject_type: str, subject_id: int,
           data: Mapping[str, Any] | None = None) -> AuditEntry:
    """A new entry (flushed). ``data``: the facts as JSON values, never personal data."""
    entry = AuditEntry(at=utcnow(), actor=actor.username, actor_id=_user_id(actor), action=action,
                       subject_type=subject_type, subject_id=subject_id, data=dict(data) if data else None)
    session.add(entry)
    session.flush()
    return entry


def provenance(session: Session, *, actor: Actor, source: str | None = None,
               at: dt.datetime | None = None) -> Provenance:
    """A new provenance row (flushed: its id names the rows written under it)."""
    row = Provenance(actor=actor.username, actor_id=_user_id(actor), at=at or utcnow(), source=source)
    session.add(row)
    session.flush()
    return row


def entries_for(session: Session, subject_type: str, subject_id: int) -> list[AuditEntry]:
    """Every entry about one subject, oldest first (for the services that read their history)."""
    return repository.for_subject(session, subject_type, subject_id)


def subject_entries(session: Session, subject_type: str, subject_id: int, window: Window) -> Paged[AuditRead]:
    """One page of the entries about one subject, newest first, cut in SQL (for the services that
    show a subject's history; they check who may read it)."""
    found = fetch(session, repository.subject_query(subject_type, subject_id), window)
    return found.map(_read)


def _filters(by: Actor, actor: str | None, since: dt.date | None, until: dt.date | None
             ) -> tuple[str | None, dt.datetime | None, dt.datetime | None]:
    """Who may read the log (``audit.read``; it names every sponsor's subjects, so only an unscoped
    user), and the filters as SQL compares them: the actor folded, the days as instants."""
    by.require("audit.read")
    by.require_unscoped("audit")
    if since is not None and until is not None and since > until:
        raise InvalidInput("until", until.isoformat())
    # The calendar's first and last days leave nothing out (and have no instant before or after them
    # in every zone: 1 January of year 1 in WIB began in year 0 in UTC).
    after = clock.day_start(since) if since is not None and since > dt.date.min else None
    before = clock.day_start(until + dt.timedelta(days=1)) if until is not None and until < dt.date.max else None
    return (" ".join(actor.split()).casefold() if actor else None), after, before


def _read(e: AuditEntry) -> AuditRead:
    return AuditRead(at=e.at, actor=e.actor, action=e.action, subject_type=e.subject_type, subject_id=e.subject_id,
                     data=e.data, detail=e.detail)


def entries(session: Session, *, by: Actor, actor: str | None = None, action: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None,
            subject: tuple[str, int] | None = None, limit: int = 100) -> list[AuditRead]:
    """The newest ``limit`` entries that match, for whoever may read the log (``audit.read``; it
    names every sponsor's subjects, so only an unscoped user): ``actor`` a username (any case),
    ``action`` a prefix ("worker." for every worker action), ``since``/``until`` whole days of the
    branch's zone (``kit.clock``), ``subject`` a (type, id) pair."""
    folded, after, before = _filters(by, actor, since, until)
    found = repository.search(session, actor=folded, action=action, after=after, before=before, subject=subject,
                              limit=limit)
    return [_read(e) for e in found]


def shown(entry: AuditRead, lang: str) -> AuditShown:
    """An entry with what it says in ``lang`` (``detail_text``). Entries hold no NIK; a 16-digit run
    in an old entry's free text is masked all the same."""
    return AuditShown(**dict(entry), text=mask_niks_in_text(detail_text(entry, lang)))


def page(session: Session, *, by: Actor, lang: str, window: Window, actor: str | None = None,
         action: str | None = None, since: dt.date | None = None, until: dt.date | None = None,
         subject: tuple[str, int] | None = None) -> Paged[AuditShown]:
    """One page of the entries that match (as ``entries``), newest first, each with its text in
    ``lang``, and how many match in all: cut in SQL, so that no reader loads the whole log."""
    folded, after, before = _filters(by, actor, since, until)
    if subject is not None and not 0 <= subject[1] <= ID_MAX:
        return Paged([], 0, window)  # no row has that number (and PostgreSQL's integer would refuse it)
    found = repository.page(session, actor=folded, action=action, after=after, before=before, subject=subject,
                            window=window)
    return found.map(lambda e: shown(_read(e), lang))


# --- saying an entry --------------------------------------------------------------------------

_LABELS = {"sponsor_type": "registry.sponsor_type.", "agreement_status": "registry.status.", "list": "audit.list."}
"""Facts whose values are codes with a label in the catalogues."""
_RUPIAH = frozenset({"budget", "budget_before", "budget_after", "cost", "amount", "income", "base", "total"})
"""Facts that are amounts of rupiah."""
_CODES_AS_NUMBERS = frozenset({"number", "proposal", "import", "version", "token"})
"""Facts that are numbers naming something (a proposal's number): never grouped (1.000 would misread)."""


def _value(key: str, value: Any, lang: str) -> str:
    """One fact of an entry as the reader reads it: rupiah and counts grouped, field names and codes
    through their labels where the catalogues have them, lists joined."""
    if isinstance(value, bool):
        return t("ui.yes" if value else "ui.no", lang)
    if isinstance(value, int) and key in _RUPIAH:
        return rp(value)
    if isinstance(value, int):
        return str(value) if key in _CODES_AS_NUMBERS else format_count(value, lang)
    if isinstance(value, list) and key == "changes":
        return "; ".join(_change(item, lang) for item in value)
    if isinstance(value, list) and key == "fields":
        return ", ".join(field_label(str(item), lang) for item in value)
    if isinstance(value, list):
        return ", ".join(_value(key, item, lang) for item in value)
    if value is None:
        return "-"
    text = str(value)
    if key == "funding":
        found = funding_sources().get(text)
        return found.label(lang) if found is not None else text
    label = _LABELS.get(key, "\0") + text
    return t(label, lang) if label in catalogue() else text


def field_label(name: str, lang: str) -> str:
    """A field's name in the reader's words (``audit.field.*``, else the registry's labels)."""
    for key in (f"audit.field.{name}", f"registry.edit_field.{name}"):
        if key in catalogue():
            return t(key, lang)
    return name


def _change(item: Sequence[Any], lang: str) -> str:
    """A field's change ``[field, before, after]`` ('kuota 1.000 → 1.500'); a value that is personal
    data is recorded as null and the change says only the field."""
    field, before, after = item
    if before is None and after is None:
        return field_label(str(field), lang)
    key = "sponsor_type" if field == "type" else str(field)
    return f"{field_label(str(field), lang)} {_value(key, before, lang)} → {_value(key, after, lang)}"


def detail_text(entry: AuditRead | AuditEntry, lang: str) -> str:
    """What an entry says, in ``lang``: its facts through the message ``audit.detail.<action>`` (or
    ``….<variant>`` when the facts name one); an entry from before users (English ``detail``) as it
    was written."""
    if entry.data is None and entry.detail is not None:
        return entry.detail
    data = dict(entry.data or {})
    variant = data.pop("variant", None)
    code = f"audit.detail.{entry.action}" + (f".{variant}" if variant else "")
    shown = {key: _value(key, value, lang) for key, value in data.items()}
    if code in catalogue():
        return t(code, lang, **shown)
    return "; ".join(f"{field_label(k, lang)} {v}" for k, v in shown.items())
