"""Why an enrolment is refused. Each is a Conflict (exit code 4, HTTP 409) with its context."""

from __future__ import annotations

from lindung.kit.errors import Conflict, StatusError


class AgreementNotOpen(StatusError, Conflict):
    """Only approved or active agreements accept enrolments."""

    code = "enrolment.agreement_not_open"


class AgreementPeriodOver(Conflict):
    code = "enrolment.agreement_over"


class QuotaExceeded(Conflict):
    code = "enrolment.quota_exceeded"
    counts = ("quota", "enrolled")


class BudgetExceeded(Conflict):
    code = "enrolment.budget_exceeded"
    rupiah = ("budget", "committed", "cost", "left")


class AlreadyEnrolled(Conflict):
    """The worker is already covered by this same agreement for (some of) those months."""

    code = "enrolment.already_enrolled"


class OverlappingEnrolment(Conflict):
    """Another agreement already covers the worker for some of those months: names it."""

    code = "enrolment.overlap"


class NotTargeted(Conflict):
    """The worker is outside the agreement's target group (occupation or region)."""

    code = "enrolment.not_targeted"


class WorkerDeceased(Conflict):
    """A death is recorded for the worker: no new enrolment, under any agreement."""

    code = "enrolment.worker_deceased"


class RegisteredDuringImport(Conflict):
    """PostgreSQL: another connection wrote a worker whose NIK is in the file into ``workers`` while
    the import ran. ``worker add`` waits for a running import (``lock_registry_for_import``), so only a
    writer behind the services can; nothing of the import is saved, and run again it finds that
    worker registered."""

    code = "enrolment.registered_during_import"
