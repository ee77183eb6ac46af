"""Personal data (UU 27/2022 PDP): what may be shown of a NIK."""

from __future__ import annotations

import re

# 16 digits, possibly written with spaces, dots or dashes between groups (as officers type a NIK),
# and not part of a longer run of digits.
_NIK_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9][ .-]?){15}[0-9](?![0-9])")


def mask_nik(nik: str | None) -> str:
    """'3216014107950001' -> '3216********0001'. Anything that is not 16 characters is fully masked."""
    if not nik:
        return ""
    text = str(nik)
    if len(text) != 16:
        return "*" * len(text)
    return text[:4] + "*" * 8 + text[-4:]


def mask_phone(phone: str | None) -> str | None:
    """'081234567890' -> '0812****7890'; short numbers are fully masked."""
    if not phone:
        return phone
    if len(phone) < 9:
        return "*" * len(phone)
    return phone[:4] + "*" * (len(phone) - 8) + phone[-4:]


def mask_account(number: str | None) -> str | None:
    """A bank account number with only its last four digits: '0123456789012' -> '*********9012'."""
    if not number:
        return number
    return "*" * max(len(number) - 4, 0) + number[-4:]


def mask_niks_in_text(text: str) -> str:
    """Free text an officer wrote (a reason, a note) with every NIK in it masked, so that a full NIK
    never reaches the audit log through it: 'NIK 3216014107950001 salah' -> 'NIK 3216********0001 salah'."""
    return _NIK_IN_TEXT.sub(lambda m: mask_nik(re.sub(r"[ .-]", "", m.group())), text)


def mask_name(name: str | None) -> str:
    """A name as the public coverage check shows it: the first letter of each word, the rest as stars
    ('Joko Hartono' -> 'J*** H******'), so that the person who asks recognises it and nobody learns it."""
    if not name:
        return ""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in str(name).split())
