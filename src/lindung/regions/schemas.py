"""What the region use cases give: the CLI's ``--json`` prints these, the API will serve them."""

from __future__ import annotations

from lindung.kit.schemas import Schema as _Schema


class VillageFound(_Schema):
    """A desa/kelurahan a name may mean, with where it lies (``region find``)."""

    code: str
    name: str
    kecamatan: str
    regency: str
    """The kabupaten/kota, as listed ("Kabupaten Bekasi", "Kota Bekasi")."""
    postal_code: str | None
