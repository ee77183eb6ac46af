"""Lindung: sponsored BPJS Ketenagakerjaan JKK/JKM coverage for vulnerable informal workers."""

__version__ = "0.1.0"
