"""The simulator as an officer uses it: the `lindung simulate` command, output and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from lindung.cli import app
from lindung.terminal.app import run_app


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = run_app(app, list(args))
    out, err = capsys.readouterr()
    return code, out, " ".join(err.split())


def run_json(capsys, *args: str) -> dict:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


class TestContributionJson:
    @pytest.mark.parametrize(("args", "total"), [
        (["--month", "2025-11"], 16800),
        (["--month", "2025-11", "--jht"], 36800),
        (["--month", "2026-02", "--occupation", "ojek"], 8400),
        (["--month", "2026-05", "--occupation", "petani", "--funding", "apbd"], 16800),
        (["--month", "2026-03", "--occupation", "petani"], 16800),
        (["--month", "2026-04", "--occupation", "petani"], 8400),
        (["--month", "2027-01", "--occupation", "petani"], 16800),
        (["--month", "2026-01", "--months", "12", "--funding", "kadin"], 126000),
        (["--month", "2026-01", "--months", "12", "--funding", "apbd"], 201600),
    ])
    def test_acceptance_examples(self, capsys, args, total):
        data = run_json(capsys, "simulate", "contribution", "--income", "1000000", *args)
        assert data["total"] == total
        assert isinstance(data["total"], int)
        assert sum(c["amount"] for c in data["components"] if c["code"] != "bracket") == total

    def test_occupation_label_is_mapped(self, capsys):
        data = run_json(capsys, "simulate", "contribution", "--income", "1000000", "--month", "2026-02",
                        "--occupation", "Tukang Ojek")
        assert data["occupation"] == "ojek" and data["sector"] == "transport" and data["total"] == 8400

    def test_span_components_explain_each_run(self, capsys):
        data = run_json(capsys, "simulate", "contribution", "--income", "1000000", "--month", "2026-01",
                        "--months", "12", "--funding", "kadin")
        jkk = next(c for c in data["components"] if c["code"] == "jkk")
        assert jkk["amount"] == 120000 and jkk["arithmetic"] == "3 × Rp10.000 + 9 × Rp10.000"
        assert [r["months"] for r in data["runs"]] == [3, 9]


class TestBenefitJson:
    def test_jkm_death_2026(self, capsys):
        assert run_json(capsys, "simulate", "benefit", "jkm", "--date", "2026-05-10")["total"] == 42000000

    def test_jkm_with_child(self, capsys):
        data = run_json(capsys, "simulate", "benefit", "jkm", "--date", "2026-05-10",
                        "--contribution-months", "40", "--child", "sma:3")
        assert (data["total"], data["scholarship_this_year"], data["scholarship_projected"]) == \
            (42000000, 3000000, 63000000)

    def test_jkk_death_base(self, capsys):
        data = run_json(capsys, "simulate", "benefit", "jkk-death", "--date", "2026-05-10", "--base", "1000000")
        assert data["total"] == 70000000
        assert {c["code"]: c["amount"] for c in data["components"]} == {
            "jkk.death": 48000000, "jkk.funeral": 10000000, "jkk.periodic": 12000000}

    def test_jkk_disability_partial_functional(self, capsys):
        data = run_json(capsys, "simulate", "benefit", "jkk-disability-partial", "--date", "2026-05-10",
                        "--income", "1000000", "--percent", "10", "--function-loss", "50")
        assert data["total"] == 4000000

    def test_jkk_stmb(self, capsys):
        data = run_json(capsys, "simulate", "benefit", "jkk-stmb", "--date", "2026-05-10", "--base",
                        "2000000", "--months", "14")
        assert data["total"] == 24000000 + 2000000

    def test_scholarship_command(self, capsys):
        data = run_json(capsys, "simulate", "benefit", "scholarship", "--date", "2026-05-10", "--cause", "jkm",
                        "--contribution-months", "36", "--child", "sma:3", "--child", "tk:1")
        assert data["total"] == 0
        assert data["scholarship_this_year"] == 4500000
        assert data["scholarship_projected"] == 63000000 + 87000000

    def test_total_disability_with_children(self, capsys):
        data = run_json(capsys, "simulate", "benefit", "jkk-disability-total", "--date", "2026-05-10",
                        "--base", "1000000", "--child", "pt:5")
        assert (data["total"], data["scholarship_projected"]) == (68000000, 12000000)


class TestReadableOutput:
    def test_indonesian_breakdown_with_rupiah_and_terbilang(self, capsys):
        code, out, _ = run(capsys, "simulate", "contribution", "--income", "1000000", "--month", "2025-11")
        assert code == 0
        assert "Rp16.800" in out and "Iuran JKK" in out and "Rp10.000" in out
        assert "Enam belas ribu delapan ratus rupiah" in out
        assert "PP 44/2015" in out

    def test_english_breakdown(self, capsys):
        code, out, _ = run(capsys, "simulate", "benefit", "jkm", "--date", "2026-05-10", "--lang", "en")
        assert code == 0
        assert "Lump sum" in out and "Rp42.000.000" in out and "Forty-two million rupiah" in out

    def test_unverified_values_are_marked(self, capsys):
        _, out, _ = run(capsys, "simulate", "contribution", "--income", "1000000", "--month", "2025-11")
        assert "belum diverifikasi" in " ".join(out.split())


class TestBadArguments:
    @pytest.mark.parametrize(("args", "message"), [
        (["contribution", "--income", "1000000", "--month", "2026-13"], "Bulan tidak valid: '2026-13'"),
        (["contribution", "--income", "-5", "--month", "2026-01"], "Penghasilan tidak valid: '-5'"),
        (["contribution", "--income", "satu juta", "--month", "2026-01"], "Penghasilan tidak valid"),
        (["contribution", "--income", "1000000", "--month", "2026-01", "--occupation", "astronot"],
         "Pekerjaan tidak dikenal: 'astronot'"),
        (["contribution", "--income", "1000000", "--month", "2026-01", "--funding", "apbx"],
         "Sumber dana tidak dikenal: 'apbx'"),
        (["contribution", "--income", "1000000", "--month", "2026-01", "--months", "0"], "Jumlah bulan tidak valid"),
        (["benefit", "jkm", "--date", "2026-02-30"], "Tanggal tidak valid: '2026-02-30'"),
        (["benefit", "jkk-death", "--date", "2026-05-10", "--income", "1000000", "--child", "sma:4"],
         "Tahun ke-4 tidak ada di jenjang sma"),
        (["benefit", "jkk-death", "--date", "2026-05-10", "--income", "1000000", "--child", "kuliah:1"],
         "Jenjang sekolah tidak dikenal: 'kuliah'"),
        (["benefit", "jkk-death", "--date", "2026-05-10"], "Berikan tepat satu dari --income atau --base"),
        (["benefit", "jkk-death", "--date", "2026-05-10", "--income", "1", "--base", "1"], "tepat satu"),
        (["benefit", "jkk-disability-partial", "--date", "2026-05-10", "--base", "1000000", "--percent", "120"],
         "Persentase tidak valid"),
        (["benefit", "jkk-stmb", "--date", "2026-05-10", "--base", "1000000", "--months", "-1"],
         "Jumlah bulan tidak valid"),
        (["benefit", "scholarship", "--date", "2026-05-10", "--cause", "sakit", "--child", "sd:1"],
         "Penyebab tidak dikenal"),
        (["benefit", "jkk-death", "--date", "2010-01-01", "--base", "1000000"], "Tidak ada aturan"),
    ])
    def test_clear_message_and_non_zero_exit(self, capsys, args, message):
        code, out, err = run(capsys, "simulate", *args)
        assert code != 0
        assert message in err
        assert "Traceback" not in err + out

    def test_english_error(self, capsys):
        code, _, err = run(capsys, "simulate", "contribution", "--income", "1000000", "--month", "2026-13",
                           "--lang", "en")
        assert code == 2 and "Invalid month: '2026-13'" in err


def test_installed_command_runs_in_a_fresh_process():
    env = {**os.environ, "LINDUNG_LANG": "id"}
    ok = subprocess.run([sys.executable, "-m", "lindung.cli", "simulate", "contribution", "--income", "1000000",
                         "--month", "2026-02", "--occupation", "ojek", "--json"],
                        capture_output=True, text=True, env=env, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["total"] == 8400
    bad = subprocess.run([sys.executable, "-m", "lindung.cli", "simulate", "contribution", "--income", "1000000",
                          "--month", "2026-13"], capture_output=True, text=True, env=env, check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "2026-13" in bad.stderr
