"""Region codes are accepted dotted or undotted and checked against the loaded Kemendagri list."""

from __future__ import annotations

import pytest

from lindung.kit.errors import InvalidInput
from lindung.regions import service as regions


class TestCodesAreAcceptedDottedOrUndotted:
    @pytest.mark.parametrize("text", ["32.16.01.2001", "3216012001", " 32-16-01-2001 "])
    def test_every_form_is_the_same_desa(self, text):
        assert regions.normalize(text) == "32.16.01.2001"

    @pytest.mark.parametrize("text", ["", "abc", "32.1", "3216.01"])
    def test_a_code_that_is_no_region_code_is_refused(self, text):
        with pytest.raises(InvalidInput) as exc:
            regions.normalize(text)
        assert exc.value.code == "invalid.region"


class TestResolvingAgainstTheList:
    def test_an_undotted_desa_code_resolves_to_the_desa(self, database):
        with database.session(readonly=True) as s:
            desa = regions.resolve(s, "3216012001", level=4)
            assert (desa.code, desa.name, desa.postal_code, desa.parent_code) == (
                "32.16.01.2001", "Sagara Makmur", desa.postal_code, "32.16.01")
            assert desa.postal_code and len(desa.postal_code) == 5

    def test_a_code_not_in_the_list_is_refused(self, database):
        with database.session(readonly=True) as s, pytest.raises(InvalidInput) as exc:
            regions.resolve(s, "32.16.99.2001")
        assert exc.value.code == "invalid.region_unknown"

    def test_a_kecamatan_is_not_a_domicile(self, database):
        with database.session(readonly=True) as s, pytest.raises(InvalidInput) as exc:
            regions.resolve(s, "32.16.01", level=4)
        assert exc.value.code == "invalid.not_village"
        assert "Tarumajaya" in exc.value.message("id")


class TestContainment:
    def test_a_desa_lies_in_its_regency_but_not_in_a_neighbour_with_a_longer_prefix(self):
        assert regions.contains("32.16", "32.16.01.2001")
        assert regions.contains("32.16.01.2001", "32.16.01.2001")
        assert not regions.contains("32.1", "32.16.01.2001")
        assert not regions.contains("32.73", "32.16.01.2001")
