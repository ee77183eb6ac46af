"""What an endpoint asks for, as ``Annotated`` aliases: the request's unit of work and language.

``DbSession`` is the use case's one transaction, as ``terminal.work`` is for a command: committed when
the endpoint returns and before its answer is sent, rolled back when it raises (the error becomes a
problem document or an error page).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.orm import Session

from lindung.api.lang import request_lang
from lindung.kit.db import session_scope


def _session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine) as session:
        yield session


def _readonly_session(request: Request) -> Iterator[Session]:
    with session_scope(request.app.state.engine, readonly=True) as session:
        yield session


DbSession = Annotated[Session, Depends(_session, scope="function")]
ReadSession = Annotated[Session, Depends(_readonly_session, scope="function")]
"""Both end with the handler, before the answer is sent (``scope="function"``): a client that reads
what it was just told was saved finds it, and a commit that fails is the answer, never a success
already sent (FastAPI's default for a ``yield`` dependency ends it after the response)."""
Lang = Annotated[str, Depends(request_lang)]

ROW_ID_MAX = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="A row's number")]
"""A numeric id in a path (a job, an accident, a token): 1 … 2³¹−1, the range both engines keep, so
that an id out of it is a 422, not a database error."""
