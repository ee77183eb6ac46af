"""The web pages of workers (issue 21): handlers that read a form or a query, call one service as the
signed-in person, and render a template of ``web/templates/workers/``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
