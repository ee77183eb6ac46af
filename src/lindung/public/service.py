"""What anyone may ask without signing in: is a worker protected today (by NIK and birth date), and where
does a claim stand (by its number and the payee's NIK). Docs: docs/web.md, decision 0038.

Neither answer may teach anything to someone who does not already hold the facts asked with:

- **One answer for every "no".** A lapsed worker, an unknown NIK, a known NIK with the wrong birth date
  and a deceased worker all answer "not protected", with no name; only "protected" shows the name,
  masked (``J*** H******``). An unknown claim number and a payee NIK that does not match both answer
  "not found". Every answer has the same fields.
- **The same time.** The same database work is done either way (the person is looked up, and a ledger
  is read: ``protection_of`` on an id that names nobody reads an empty one; a claim, its steps and its
  payment likewise), and every answer is padded to ``MIN_SECONDS`` from the start of the call.
- **Few tries.** Each check counts against the client's address and the NIK (``kit.throttle``: the
  NIK's HMAC, never the NIK); over either limit it is refused (``TooManyChecks``, 429) before anything
  is looked up. A malformed NIK or an impossible date is refused before that (it reveals nothing).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import time

from sqlalchemy.orm import Session

from lindung.billing.coverage import protection_of
from lindung.kit import clock, throttle
from lindung.kit.dates import try_parse_date
from lindung.kit.errors import InvalidInput, LindungError
from lindung.kit.i18n import format_date, t
from lindung.kit.privacy import mask_name, mask_nik
from lindung.public import repository as repo
from lindung.public.schemas import ClaimStatusAnswer, CoverageAnswer

MIN_SECONDS = 0.25
"""Every answer of a check that reached the database takes at least this long, from the start of the call."""
NOBODY = 0
"""The id looked up when no row was found: it names nothing, so the same queries run and find nothing."""
CHECKS_PER_CLIENT = throttle.limit_from_env("LINDUNG_PUBLIC_CHECKS_PER_CLIENT", 20, seconds=10 * 60)
"""Checks (coverage and claim status together) one client address may make in any 10 minutes."""
CHECKS_PER_NIK = throttle.limit_from_env("LINDUNG_PUBLIC_CHECKS_PER_NIK", 5, seconds=60 * 60)
"""Checks of one NIK (a worker's, or a payee's) from any addresses in any hour."""
LIMITER = throttle.SlidingWindow()
RECEIVED = "received"
"""The stage of a claim entered but not yet submitted (the claims' ``draft``): the branch has it."""
STAGES = (RECEIVED, "submitted", "verified", "approved", "paid", "rejected")
_NIK = re.compile(r"^[0-9]{16}$")
_SEPARATORS = re.compile(r"[ .\-]")
_CLAIM_NUMBER = re.compile(r"^[A-Z0-9-]{1,20}$")


class TooManyChecks(LindungError):
    """Too many checks from this address or of this NIK lately: nothing was looked up. ``retry_after``:
    seconds until one may try again (``Retry-After``)."""

    code = "public.too_many_checks"
    exit_code = 7
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(minutes=max(1, -(-retry_after // 60)))


def read_nik(text: str, field: str = "nik") -> str:
    """A NIK as typed (spaces, dots or dashes between groups allowed) as its 16 digits, or a field error."""
    compact = _SEPARATORS.sub("", str(text or ""))
    if not _NIK.match(compact):
        raise InvalidInput(field, "", reason="public_nik")
    return compact


def read_birth_date(text: str | dt.date, *, today: dt.date) -> dt.date:
    """A birth date (``YYYY-MM-DD``, ``DD-MM-YYYY``, ``DD/MM/YYYY``) that exists and is not after today."""
    day = text if isinstance(text, dt.date) else try_parse_date(str(text or ""))
    if day is None or day > today:
        raise InvalidInput("birth_date", str(text or ""), reason="public_birth_date")
    return day


def read_claim_number(text: str) -> str:
    number = str(text or "").strip().upper()
    if not _CLAIM_NUMBER.match(number):
        raise InvalidInput("number", number[:20], reason="public_claim_number")
    return number


def admit(client: str | None, nik: str) -> None:
    """Count a check against ``client`` and ``nik``, or raise ``TooManyChecks`` (nothing counted)."""
    keys = [(throttle.nik_key(nik), CHECKS_PER_NIK)]
    if client:
        keys.append((f"client:{client}", CHECKS_PER_CLIENT))
    wait = LIMITER.hit(keys)
    if wait is not None:
        raise TooManyChecks(wait)


def reset_limits() -> None:
    """Forget every check counted (a test's clean slate)."""
    LIMITER.reset()


def _pad(session: Session, started: float) -> None:
    """Wait out ``MIN_SECONDS`` from ``started``, the database connection given back first (the answer is
    read, nothing is written): twenty visitors waiting hold no connection of the pool."""
    session.rollback()
    left = MIN_SECONDS - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)


def check_coverage(session: Session, nik: str, birth_date: str | dt.date, *, today: dt.date,
                   client: str | None = None) -> CoverageAnswer:
    """Is the worker with this NIK and birth date protected ``today``, and until when: the rules' own
    decision (``billing.coverage.protection_of``); see the module for what every answer hides."""
    started = time.monotonic()
    number = read_nik(nik)
    born = read_birth_date(birth_date, today=today)
    admit(client, number)
    try:
        found = repo.person(session, number)
        protection = protection_of(session, found.id if found is not None else NOBODY, at=today)
        matches = found is not None and found.birth_date == born
        alive = found is not None and found.died_on is None
        if found is not None and matches and alive and protection.protected:
            return CoverageAnswer(protected=True, until=protection.until, name=mask_name(found.name),
                                  nik=mask_nik(number), checked_on=today)
        return CoverageAnswer(protected=False, until=None, name=None, nik=mask_nik(number), checked_on=today)
    finally:
        _pad(session, started)


def claim_status(session: Session, number: str, payee_nik: str, *, today: dt.date,
                 client: str | None = None) -> ClaimStatusAnswer:
    """The stage claim ``number`` has reached and since when, and its payment day: only to someone who
    gives the payee's NIK (an unknown number and a NIK that does not match answer alike)."""
    started = time.monotonic()
    claim_number = read_claim_number(number)
    nik = read_nik(payee_nik, "payee_nik")
    admit(client, nik)
    try:
        found = repo.claim(session, claim_number)
        claim_id = found.id if found is not None else NOBODY
        status = found.status if found is not None else "draft"
        reached = repo.last_step_at(session, claim_id, status)
        paid = repo.paid_on(session, claim_id)
        payee = (found.payee_nik if found is not None else None) or ""
        matches = hmac.compare_digest(payee.encode(), nik.encode())
        if found is None or not matches:
            return ClaimStatusAnswer(found=False, stage=None, stage_on=None, paid_on=None, checked_on=today)
        stage = RECEIVED if status == "draft" else status
        if stage == "paid":  # the day the money went, as recorded (the step is when it was recorded)
            return ClaimStatusAnswer(found=True, stage=stage, stage_on=paid, paid_on=paid, checked_on=today)
        return ClaimStatusAnswer(found=True, stage=stage,
                                 stage_on=clock.local(reached).date() if reached is not None else None,
                                 paid_on=None, checked_on=today)
    finally:
        _pad(session, started)


def stage_label(stage: str) -> str:
    """The message code of a stage's label: the claims' own status labels, ``received`` the public one."""
    return "public.stage.received" if stage == RECEIVED else f"claims.status.{stage}"


def coverage_sentence(answer: CoverageAnswer, lang: str) -> str:
    """The answer as one sentence in ``lang``: "J*** H****** terlindungi sampai 31 Desember 2026." or
    "Tidak terlindungi."."""
    if answer.protected and answer.until is not None:
        return t("public.coverage.protected", lang, name=answer.name or "", until=format_date(answer.until, lang))
    return t("public.coverage.not_protected", lang)


def claim_sentence(answer: ClaimStatusAnswer, number: str, lang: str) -> str:
    """The answer as a sentence in ``lang``: the stage and since when (and the payment day), or "Tidak ditemukan."."""
    if not answer.found or answer.stage is None:
        return t("public.claim.not_found", lang)
    said = t("public.claim.found", lang, number=number, stage=t(stage_label(answer.stage), lang),
             date=format_date(answer.stage_on, lang) if answer.stage_on else "-")
    if answer.paid_on is not None:
        said += " " + t("public.claim.paid", lang, date=format_date(answer.paid_on, lang))
    return said


def stage_label_in(stage: str | None, lang: str) -> str | None:
    """A stage's label in ``lang`` (None for none)."""
    return None if stage is None else t(stage_label(stage), lang)
