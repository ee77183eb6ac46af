"""The web pages of simulator (issue 21): handlers that read a form or a query, call one service as the
signed-in person, and render a template of ``web/templates/simulator/``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
