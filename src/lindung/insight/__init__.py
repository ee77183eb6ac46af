"""Insight: coverage targets, the summary tables the dashboard reads, the dashboard and a sponsor's impact."""
