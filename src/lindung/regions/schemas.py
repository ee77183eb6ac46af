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


class RegionBrief(_Schema):
    """A region named: its code, name, level (1 province … 4 desa/kelurahan) and kind."""

    code: str
    name: str
    level: int
    kind: str
    """``provinsi``, ``kabupaten``, ``kota``, ``kecamatan``, ``desa``, ``kelurahan`` as the list has it."""


class RegionRead(RegionBrief):
    """A region with where it lies (``parents``, the province first) and what lies in it (``children``,
    by code)."""

    postal_code: str | None
    parents: list[RegionBrief]
    children: list[RegionBrief]
