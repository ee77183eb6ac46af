"""The web pages of users (issue 21): handlers that read a form or a query, call one service as the
signed-in person, and render a template of ``web/templates/users/``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
