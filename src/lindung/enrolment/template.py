"""The spreadsheet a sponsor fills in: ``lindung import template [--agreement CODE]``.

Most defects of sponsor files start in Excel: a NIK typed into a number cell loses its last digits,
a date typed in a US-locale Excel swaps day and month, an occupation is spelled in a way nobody
recognises. The template prevents them where they start:

- worksheet ``Data`` (the one the importer reads: the others have no worker header) has the header
  ``importer_read`` expects; NIK, birth date, desa code and phone columns are text cells, so Excel
  keeps what is typed; sex and occupation are drop-down lists, the occupations those of the
  catalogue (or the agreement's target group);
- worksheet ``Petunjuk`` says how to fill each column, and for an agreement its code, sponsor,
  period and the places left in its quota;
- the heir columns (name, relationship, NIK) take one heir per worker, the relationship from a
  drop-down of worksheet ``Hubungan`` (the relationships an heir may have, ``heirs.priority``);
- worksheet ``Pekerjaan`` lists the occupations with their codes; with an agreement that targets
  regions, worksheet ``Desa`` lists every desa/kelurahan of the target with its code, kecamatan and
  kabupaten/kota, and the desa column takes only those codes.

Written with openpyxl (the importer reads with python-calamine, which only reads).
"""

from __future__ import annotations

from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from lindung.enrolment.importer_read import DISPLAY
from lindung.enrolment.schemas import TemplateInfo
from lindung.kit import clock
from lindung.kit.auth import Actor
from lindung.kit.i18n import t
from lindung.regions import repository as regions_repo
from lindung.rules.catalogues import Occupation, occupations, relationships
from lindung.rules.period import Month
from lindung.sponsors import service as sponsors
from lindung.workers.service import heir_relationships

DATA_SHEET = "Data"
COLUMNS = ("nik", "name", "birth_date", "sex", "occupation", "desa", "phone", "income", "heir_name",
           "heir_relationship", "heir_nik")
TEXT_COLUMNS = ("nik", "birth_date", "desa", "phone", "heir_nik")
"""Cells formatted as text ('@'): Excel keeps the digits and the date as typed."""
WIDTHS = {"nik": 20, "name": 32, "birth_date": 13, "sex": 6, "occupation": 24, "desa": 16, "phone": 16,
          "income": 14, "heir_name": 28, "heir_relationship": 24, "heir_nik": 20}
DATA_ROWS = 30_000
"""Rows that carry the drop-downs and checks (a regency's list is 26.000)."""
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def template_name(agreement_code: str | None = None, suffix: str = ".xlsx") -> str:
    """The name a template is saved under: ``templat-peserta[-CODE].xlsx`` (or ``.csv``)."""
    return f"templat-peserta{'-' + agreement_code.strip().upper() if agreement_code else ''}{suffix}"


def write_template_csv(session: Session, out: BinaryIO, *, by: Actor, agreement_code: str | None = None
                       ) -> TemplateInfo:
    """The template as CSV for a sponsor whose system writes CSV: the header the import reads (the XLSX's
    ``Data`` header), UTF-8 with a BOM so that Excel opens it right; no drop-downs (CSV has none). The
    same permission and scope as ``write_template``."""
    by.require("import.read")
    agreement = sponsors.get_agreement(session, agreement_code, scope=by.scope) if agreement_code else None
    out.write(("\ufeff" + ",".join(DISPLAY[field] for field in COLUMNS) + "\r\n").encode("utf-8"))
    targets = agreement.target_occupations if agreement else []
    return TemplateInfo(file=template_name(agreement.code if agreement else None, ".csv"),
                        agreement=agreement.code if agreement else None,
                        occupations=len(targets) if targets else len(occupations()), villages=0)


def write_template(session: Session, out: BinaryIO, *, by: Actor, agreement_code: str | None = None,
                   lang: str = "id") -> TemplateInfo:
    """Write the template to ``out`` (an unknown agreement fails before anything is written; a
    sponsor's staff get their own agreements' only). ``file`` in the result is the name to save it
    under."""
    by.require("import.read")
    agreement = sponsors.get_agreement(session, agreement_code, scope=by.scope) if agreement_code else None
    catalogue = occupations()
    targets = sorted(o.occupation_code for o in agreement.target_occupations) if agreement else []
    listed = [catalogue[c] for c in targets] if targets else sorted(catalogue.values(), key=lambda o: o.label_id)
    villages = _villages(session, [r.region_code for r in agreement.target_regions]) if agreement else []
    kinds = relationships()
    kin = [kinds[code] for code in heir_relationships(clock.today())]

    book = Workbook()
    data = book.active
    assert data is not None
    data.title = DATA_SHEET
    _data_sheet(data, listed, len(villages), len(kin), lang)
    _instructions(book.create_sheet("Petunjuk"), agreement, lang)
    _table(book.create_sheet("Pekerjaan"), (t("template.col.occupation", lang), t("template.col.code", lang),
                                            t("template.col.transport", lang)),
           [(o.label_id, o.code, t("ui.yes" if o.transport else "ui.no", lang)) for o in listed])
    _table(book.create_sheet("Hubungan"), (t("template.col.relationship", lang), t("template.col.code", lang)),
           [(r.label_id, r.code) for r in kin])
    if villages:
        _table(book.create_sheet("Desa"), (t("template.col.code", lang), t("template.col.desa", lang),
                                           "Kecamatan", t("template.col.regency", lang)), villages)
    book.save(out)
    return TemplateInfo(file=template_name(agreement.code if agreement else None),
                        agreement=agreement.code if agreement else None, occupations=len(listed),
                        villages=len(villages))


def _data_sheet(sheet: Any, listed: list[Occupation], villages: int, kin: int, lang: str) -> None:
    for i, field in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=i, value=DISPLAY[field])
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = WIDTHS[field]
        if field in TEXT_COLUMNS:  # the column's own format: Excel gives it to every cell typed there
            sheet.column_dimensions[letter].number_format = "@"
    sheet.freeze_panes = "A2"
    letter = {field: get_column_letter(i) for i, field in enumerate(COLUMNS, start=1)}

    def rows(field: str) -> str:
        return f"{letter[field]}2:{letter[field]}{DATA_ROWS + 1}"

    def sixteen_digits(title: str) -> DataValidation:
        return DataValidation(type="textLength", operator="equal", formula1="16", allow_blank=True,
                              showErrorMessage=True, errorTitle=title, error=t("template.error.nik", lang))

    sex = _pick('"L,P"', "L/P", t("template.error.sex", lang))
    sex.add(rows("sex"))
    occupation = _pick(f"=Pekerjaan!$A$2:$A${len(listed) + 1}", DISPLAY["occupation"],
                       t("template.error.occupation", lang))
    occupation.add(rows("occupation"))
    nik = sixteen_digits("NIK")
    nik.showInputMessage, nik.promptTitle, nik.prompt = True, "NIK", t("template.prompt.nik", lang)
    nik.add(rows("nik"))
    birth = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=DISPLAY["birth_date"],
                           prompt=t("template.prompt.birth_date", lang))
    birth.add(rows("birth_date"))
    relationship = _pick(f"=Hubungan!$A$2:$A${kin + 1}", DISPLAY["heir_relationship"],
                         t("template.error.relationship", lang))
    relationship.add(rows("heir_relationship"))
    heir_nik = sixteen_digits(DISPLAY["heir_nik"])
    heir_nik.add(rows("heir_nik"))
    for validation in (sex, occupation, nik, birth, relationship, heir_nik):
        sheet.add_data_validation(validation)
    if villages:
        desa = _pick(f"=Desa!$A$2:$A${villages + 1}", DISPLAY["desa"], t("template.error.desa", lang))
        desa.add(rows("desa"))
        sheet.add_data_validation(desa)


def _pick(choices: str, title: str, error: str) -> DataValidation:
    """A drop-down of ``choices`` (a quoted list or a range of another worksheet) that refuses others."""
    return DataValidation(type="list", formula1=choices, allow_blank=True, showErrorMessage=True, errorTitle=title,
                          error=error)


def _instructions(sheet: Any, agreement: Any, lang: str) -> None:
    lines: list[str] = [t("template.title", lang), ""]
    if agreement is not None:
        lines += [t("template.agreement", lang, agreement=agreement.code, sponsor=agreement.sponsor.name,
                    start=str(Month.from_index(agreement.start_month)), end=str(Month.from_index(agreement.end_month)),
                    left=agreement.quota - agreement.enrolled_count), ""]
    lines += [t(f"template.rule.{n}", lang) for n in range(1, 10)]
    sheet.column_dimensions["A"].width = 110
    for i, line in enumerate(lines, start=1):
        cell = sheet.cell(row=i, column=1, value=line)
        if i == 1:
            cell.font = Font(bold=True, size=13)


def _table(sheet: Any, header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
    for row in rows:
        sheet.append(list(row))
    for i, name in enumerate(header, start=1):
        width = max([len(str(name)), *(len(str(r[i - 1])) for r in rows[:2000])]) + 2
        sheet.column_dimensions[get_column_letter(i)].width = min(width, 40)
    sheet.freeze_panes = "A2"


def _villages(session: Session, targets: list[str]) -> list[tuple[str, str, str, str]]:
    """(code, desa, kecamatan, kabupaten/kota) of every desa/kelurahan in the target regions, by code."""
    if not targets:
        return []
    names: dict[str, str] = {}
    found: dict[str, str] = {}
    for code in targets:
        region = regions_repo.get(session, code)
        if region is not None and region.level == 4:
            found[region.code] = region.name
        for desa in regions_repo.villages_under(session, code):
            found[desa.code] = desa.name

    def name(code: str) -> str:
        if code not in names:
            region = regions_repo.get(session, code)
            names[code] = region.name if region is not None else ""
        return names[code]

    return [(code, desa, name(code.rsplit(".", 1)[0]), name(code[:5])) for code, desa in sorted(found.items())]
