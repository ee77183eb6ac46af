"""Every table's model, imported so that ``Base.metadata`` is complete (Alembic, tests).

A domain that adds tables adds its models module here.
"""

from __future__ import annotations

from lindung.audit import models as audit_models
from lindung.billing import models as billing_models
from lindung.cards import models as cards_models
from lindung.claims import models as claims_models
from lindung.enrolment import models as enrolment_models
from lindung.insight import models as insight_models
from lindung.jobs import models as jobs_models
from lindung.kit.db import Base
from lindung.regions import models as regions_models
from lindung.sponsors import models as sponsors_models
from lindung.summary import models as summary_models
from lindung.users import models as users_models
from lindung.workers import models as workers_models

metadata = Base.metadata

__all__ = ["audit_models", "billing_models", "cards_models", "claims_models", "enrolment_models", "insight_models",
           "jobs_models", "metadata", "regions_models", "sponsors_models", "summary_models", "users_models",
           "workers_models"]
