"""The gradebook as a spreadsheet: a table of plain cells built from the gradebook's rows, written
as CSV (UTF-8 with a byte-order mark, so Excel opens Chinese names) or as XLSX with openpyxl.

Scores stay exact: a number is a `Decimal`, written as its text in CSV and as a number cell in
XLSX (openpyxl takes `Decimal`). Text a person typed (a name, an e-mail address, an item's
title) that starts with =, +, -, @, a tab or a carriage return gets a leading apostrophe, so a
spreadsheet shows it instead of running it as a formula (OWASP, "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection). Pure functions: rows in, text or bytes out."""

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def spreadsheet_text(value) -> str:
    """Text as a spreadsheet must receive it: a cell starting like a formula is prefixed with '."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


@dataclass(frozen=True)
class Score:
    """A learner's points on an item; `overridden` when a gradebook override set them."""

    value: Decimal
    overridden: bool = False


@dataclass(frozen=True)
class ExportTable:
    """A header row and rows of cells: str (text), Decimal (number), Score, datetime.date, or None."""

    header: list
    rows: list


def gradebook_table(gradebook) -> ExportTable:
    """The gradebook (`courses.grade_selectors.gradebook`) as a table: learner, e-mail, enrolment
    status, one column per graded item (points earned), each type's average, the course grade,
    the letter and the day the learner passed."""
    header = [_("Learner"), _("E-mail"), _("Enrolment status")]
    header += [f"{column.type}: {column.label}" for column in gradebook.columns]
    header += [_("%(type)s average (%%)") % {"type": row["type"]} for row in gradebook.types]
    header += [_("Course grade (%)"), _("Letter"), _("Passed on")]
    rows = []
    for row in gradebook.rows:
        cells = [row.name, row.email, row.enrolment.get_status_display()]
        cells += [None if cell.earned is None else Score(Decimal(cell.earned), cell.overridden) for cell in row.cells]
        cells += [average.average for average in row.averages]
        passed_on = timezone.localtime(row.passed_at).date() if row.passed_at else None
        cells += [row.percent, row.letter or None, passed_on]
        rows.append(cells)
    return ExportTable(header=header, rows=rows)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, Score):
        return _("%(points)s (override)") % {"points": value.value} if value.overridden else str(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return spreadsheet_text(value)


def table_csv(table: ExportTable) -> str:
    """The table as CSV text, starting with a UTF-8 byte-order mark."""
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([spreadsheet_text(text) for text in table.header])
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return out.getvalue()


def table_xlsx(table: ExportTable, *, title) -> bytes:
    """The table as an XLSX workbook: a bold header row frozen with the learner column, numbers
    as number cells, an overridden score in italics with a note, widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    # A sheet name has at most 31 characters, none of them []:*?/ or a backslash.
    sheet.title = "".join(char for char in str(title) if char not in "[]:*?/\\")[:31] or "Gradebook"
    bold, italic = Font(bold=True), Font(italic=True)
    sheet.append([spreadsheet_text(text) for text in table.header])
    for cell in sheet[1]:
        cell.font = bold
    widths = [len(str(text)) for text in table.header]
    for number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, Score):
                cell.value = value.value
                cell.number_format = "0.00"
                if value.overridden:
                    cell.font = italic
                    cell.comment = Comment(_("Overridden in the gradebook"), "Silk Road Academy")
            elif isinstance(value, Decimal):
                cell.value = value
                cell.number_format = "0.00"
            elif isinstance(value, datetime.date):
                cell.value = value
                cell.number_format = "yyyy-mm-dd"
            elif value is not None:
                cell.value = spreadsheet_text(value)
            shown = value.value if isinstance(value, Score) else value
            widths[column - 1] = max(widths[column - 1], len(str(shown)) if shown is not None else 0)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 50)
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_filename(*, course_slug, run_id, extension) -> str:
    """gradebook-<course slug>-run<id>-<date>.<csv|xlsx>."""
    return f"gradebook-{course_slug}-run{run_id}-{timezone.localdate().isoformat()}.{extension}"
