"""Membership cards: a PDF card per worker with a QR code leading to a public verification page."""
