"""Audit log: who did what to personal data, and when (UU 27/2022 PDP)."""
