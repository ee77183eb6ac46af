"""One language at a time: every message of the catalogue, and every header and coded value of the CSV
lists, rendered in Indonesian has no English word, and in English no Indonesian word.

Each text is rendered with sample values in its fields (a number: it is in neither language), commands
(``lindung import list``) and options (``--by``) are taken out (they are what a person types, the same
in both languages), and every word left is looked up in a list of common words of the other language.
What both languages use — codes, names, laws, Indonesian terms English texts keep — is allowed below,
each with why.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

import pytest

from lindung.billing.lists import ENDING, LAPSING, OVERDUE, STATEMENT, UNPAID
from lindung.enrolment.roster import ROSTER_LIST as ROSTER
from lindung.kit.i18n import catalogue
from lindung.kit.listing import CsvList


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Common English words: none may stand in an Indonesian text.
ENGLISH = _words("""
a about above after again against agreement agreements all already also an and another any are arrears as at
available be because been before being below between both but by can cannot cancelled change changed check
code codes column contribution contributions could covered coverage credit date day days death did died
does done due each either empty ended enrolled enrolment enrolments every file files first for found from
given give has have heir heirs here if in into invalid is it its last late less list may missing month months
more most must name names new next no not nothing now number of on once one only or other our out over paid
payment payments period please protected receipt received refund refunded refunds registered row rows same
saved should since so some still than that the their them then there these they this those through to today
too two under unknown unpaid until up use used was we were what when where which while who will with
within without worker workers would year years yet you your
add amend approve approved bill bills billed edit end leave pay reject rejected show withdraw
""")

# Common Indonesian words: none may stand in an English text.
INDONESIAN = _words("""
ada adalah agar akan aktif alasan anak anggaran antara apa atau atas bahwa baris baru bawaan bayar beberapa
belum berakhir berkas berlaku bila boleh bukan bulan cabang contoh dalam dan dapat dari daftar dengan di
diajukan dibatalkan dibayar diberikan diisi dikembalikan dikenal dilindungi diperiksa disetujui disimpan
ditagih ditarik ditemukan ditolak diubah draf dua gunakan hanya harus hari hingga ini isi itu jatuh jenis
jika juga jumlah kami karena ke kebijakan keadaan kecuali kelompok kematian kepesertaan keputusan kode kolom
kosong kredit kurang lagi lain lebih lembar lunas masih meninggal menunggu menurut misalnya mulai oleh orang
pada paling pekerja pekerjaan peristiwa perjanjian perlindungan persetujuan petugas pilih sama sampai satu
sebagai sebelum sejak sekarang semua sesuai sesudah setiap sisa sudah tagihan tahun tanggal tanpa telah
tempo terakhir terdaftar terlambat terlindungi tersebut tetapi tidak tulis tunggakan untuk wajib yang
nama lahir hubungan ahli waris penghasilan iuran upah tanda bukti penerimaan
desa kelurahan kecamatan kabupaten kota masa iur terbilang
""")

# English words an Indonesian text may hold, and why.
ALLOWED_IN_INDONESIAN = {
    "no": "No., Indonesian's abbreviation of nomor (No HP, the column No.)",
}

# Indonesian words an English text may hold, and why. Names of places and laws, codes and the terms
# an officer reads on Indonesian documents stay Indonesian in English texts.
ALLOWED_IN_ENGLISH = {
    "desa": "the administrative unit (village) as Kemendagri names it, kept in English texts",
    "kelurahan": "the urban village, idem",
    "kecamatan": "the district, idem",
    "kabupaten": "regency, in names (Kabupaten Bekasi)",
    "kota": "city, in Kabupaten/Kota, the Kemendagri level",
    "masa": "masa iur, BPJS's term for the contribution period, glossed where it appears",
    "iur": "idem",
    "terbilang": "the amount in words, the term on Indonesian receipts",
}

# Codes, names and laws, written the same in both languages: no word list may hold them, so that they
# are never taken for a word of the other language.
BOTH = {
    **dict.fromkeys(("nik", "ktp", "kk", "hp"), "Indonesian documents' names and abbreviations (No HP)"),
    **dict.fromkeys(("bpjs", "jkk", "jkm", "jht", "stmb"), "the programmes and benefits, by their Indonesian codes"),
    **dict.fromkeys(("apbn", "apbd", "apbdes", "csr", "kadin", "sertakan", "bank"),
                    "funding sources and sponsors, by their names"),
    **dict.fromkeys(("pp", "uu", "permenaker", "kepmendagri", "kemendagri", "inpres"), "laws and their issuers"),
    **dict.fromkeys(("rp",), "the rupiah, written Rp in both languages"),
    **dict.fromkeys(("pks", "mou"), "an agreement's document, by its Indonesian abbreviation (and MoU)"),
    **dict.fromkeys(("csv", "xlsx", "excel", "sha", "iana", "wib", "wita", "wit", "lindung", "bekasi"),
                    "file formats, standards, time zones and names"),
    **dict.fromkeys(("data", "status", "total", "sponsor", "per"), "words Indonesian and English share"),
}

# Whole phrases of the other language a message quotes on purpose: an Indonesian title beside its
# English gloss, and the Indonesian column and worksheet names of the sponsor's file (the template and
# the import read them in Indonesian, whatever the reader's language).
PHRASES = {
    ("billing.receipt_title", "en"): ["tanda bukti penerimaan iuran"],  # the receipt's legal title
    ("template.rule.2", "en"): ["Nama Lengkap"],  # the template's column names, glossed
    ("template.rule.3", "en"): ["Tgl Lahir"],
    ("template.rule.5", "en"): ["Pekerjaan"],
    ("template.rule.6", "en"): ["Kode Desa"],
    ("template.rule.7", "en"): ["Penghasilan"],
    ("template.rule.8", "en"): ["Nama Ahli Waris", "Hubungan Ahli Waris", "NIK Ahli Waris", "Hubungan"],
    ("template.error.relationship", "en"): ["Hubungan"],
    ("import.no_header", "en"): ["Nama Lengkap", "Tgl Lahir", "Pekerjaan", "Kode Desa"],
}

COMMAND = re.compile(r"\blindung(?:\s+[a-z][a-z-]*){1,3}")
OPTION = re.compile(r"--[a-z][a-z-]*")
WORD = re.compile(r"[^\W\d_]+")


def _render(template: str) -> str:
    """The message with every field filled with a number."""
    return "".join(literal + ("7" if field is not None else "")
                   for literal, field, _, _ in string.Formatter().parse(template))


def _foreign(text: str, lang: str, phrases: Sequence[str] = ()) -> list[str]:
    """The words of the other language in ``text`` (``lang``'s), but for commands, options, allowances
    and the ``phrases`` a message quotes on purpose."""
    for phrase in phrases:
        text = text.replace(phrase, " ")
    text = OPTION.sub(" ", COMMAND.sub(" ", text))
    other, allowed = (ENGLISH, ALLOWED_IN_INDONESIAN) if lang == "id" else (INDONESIAN, ALLOWED_IN_ENGLISH)
    return sorted({w for w in (m.lower() for m in WORD.findall(text)) if w in other and w not in allowed})


def test_the_check_finds_a_word_of_the_other_language():
    assert _foreign("Kode bayar: payment_code", "id") == ["code", "payment"]
    assert _foreign("Iuran 2026-03 not yet due", "id") == ["due", "not", "yet"]
    assert _foreign("The contribution for 2026-03 is belum dibayar", "en") == ["belum", "dibayar"]
    # commands and options are what a person types; terms allowed stay
    assert _foreign("Jalankan lindung import list --by NAMA", "id") == []
    assert _foreign("the desa/kelurahan of domicile (masa iur)", "en") == []


def test_the_word_lists_are_substantial_and_apart():
    assert len(ENGLISH) >= 80 and len(INDONESIAN) >= 80
    assert not ENGLISH & INDONESIAN
    assert not (ENGLISH | INDONESIAN) & set(BOTH)
    # an allowance is an exception to a list, and each phrase quoted on purpose is one the check would flag
    assert set(ALLOWED_IN_INDONESIAN) <= ENGLISH and set(ALLOWED_IN_ENGLISH) <= INDONESIAN
    for (code, lang), phrases in PHRASES.items():
        for phrase in phrases:
            assert _foreign(phrase, lang), (code, phrase)
            assert phrase in catalogue()[code][lang], (code, phrase)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_message_is_in_one_language(lang: str):
    found = []
    for code, entry in catalogue().items():
        words = _foreign(_render(entry[lang]), lang, PHRASES.get((code, lang), []))
        if words:
            found.append(f"{code} [{lang}]: {', '.join(words)}: {entry[lang]}")
    assert not found, "\n".join(found)


LISTS: dict[str, CsvList] = {"billing overdue": OVERDUE, "billing unpaid": UNPAID, "billing ending": ENDING,
                             "billing lapsing": LAPSING, "billing statement": STATEMENT, "agreement workers": ROSTER}


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", LISTS)
def test_every_header_and_coded_value_of_the_csv_lists_is_in_one_language(name: str, lang: str):
    spec = LISTS[name]
    texts = [*spec.headers(lang)]
    for labels in spec.labels.values():
        texts += [str(labels(code, lang)) for code in labels.codes]
    found = [f"{text}: {', '.join(words)}" for text in texts if (words := _foreign(text, lang))]
    assert not found, "\n".join(found)
    # every header and label is a message of its own, never a code shown for want of one
    assert not [text for text in texts if text.startswith(("list.", "registry."))]
    if lang == "id":
        assert not [code for labels in spec.labels.values() for code in labels.codes
                    if str(labels(code, lang)) == str(code)]


@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_lists_words_differ_between_the_languages(lang: str):
    """A header the same in both languages is a term both use (NIK, Status, Desa/kelurahan), not an
    untranslated one."""
    other = "en" if lang == "id" else "id"
    same = {h for spec in LISTS.values() for h, o in zip(spec.headers(lang), spec.headers(other), strict=True)
            if h == o}
    assert same <= {"NIK", "Status", "Desa/kelurahan"}
