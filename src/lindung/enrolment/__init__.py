"""Enrolment: a worker covered under an agreement for a span of months."""
