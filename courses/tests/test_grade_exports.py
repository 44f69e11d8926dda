"""Gradebook exports (courses.grade_exports, courses.grade_views.gradebook_export): the filtered
gradebook as CSV (UTF-8 with a byte-order mark) and XLSX, cell by cell, with exact numbers, an
override marked, Chinese names intact and formula-like text neutralised."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from courses import services
from courses.grade_exports import ExportTable, Score, spreadsheet_text, table_csv, table_xlsx
from courses.grade_services import grade_override_set
from courses.models import CoursePass
from courses.tests.test_gradebook import QUIZ_KEY, enrol, graded_run, hand_in, learner, review, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(university_a, author_a):
    return graded_run(organisation=university_a, author=author_a)


@pytest.fixture
def cohort(graded, author_a):
    """王小明 passed (quiz 2/2, assignment 8/8, lessons done); “=1+1” scored 1/2, overridden to 1.5."""
    wang = enrol(learner("wang@example.com", "王小明"), graded.run)
    take_quiz(graded, wang, right=2)
    review(graded, hand_in(graded, wang), author_a, "Excellent", "Excellent")
    services.lesson_complete(enrolment=wang, item=graded.plain_lesson, by=wang.user)
    sneaky = enrol(learner("sneaky@example.com", "=1+1"), graded.run)
    take_quiz(graded, sneaky, right=1)
    grade_override_set(enrolment=sneaky, item_key=QUIZ_KEY, earned=Decimal("1.5"), possible=None, reason="Partial credit.", by=author_a)
    return {"wang": wang, "sneaky": sneaky}


HEADER = [
    "Learner", "E-mail", "Enrolment status", "Quiz: Customs check", "Assignment: Landed-cost sheet",
    "Quiz average (%)", "Assignment average (%)", "Course grade (%)", "Letter", "Passed on",
]


@pytest.mark.parametrize(("text", "expected"), [
    ("=1+1", "'=1+1"), ("+86 138", "'+86 138"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("王小明", "王小明"), ("a=b", "a=b"), ("", ""), (None, ""),
])
def test_text_that_starts_like_a_formula_is_prefixed(text, expected):
    """= + - @ tab and carriage return at the start get a leading apostrophe; anything else is kept."""
    assert spreadsheet_text(text) == expected


def test_the_csv_export_cell_by_cell(client, graded, cohort, author_a):
    """UTF-8 with a BOM, an attachment named after the course and run; every cell as expected,
    the Chinese name intact, the formula-like name neutralised, the override marked."""
    client.force_login(author_a)

    # Sorted by grade: an order every database collation agrees on.
    response = client.get(reverse("courses:gradebook_export", args=[graded.run.pk, "csv"]), {"sort": "-grade"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and graded.course.slug in disposition and f"run{graded.run.pk}" in disposition
    assert disposition.split("filename=")[1].strip('"').endswith(".csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    passed_on = timezone.localtime(CoursePass.objects.get(enrolment=cohort["wang"]).passed_at).date().isoformat()
    assert rows == [
        HEADER,
        ["王小明", "wang@example.com", "Enrolled", "2.00", "8.00", "100.00", "100.00", "100.00", "Pass", passed_on],
        ["'=1+1", "sneaky@example.com", "Enrolled", "1.50 (override)", "", "75.00", "0.00", "37.50", "", ""],
    ]


def test_the_csv_export_keeps_the_filters(client, graded, cohort, author_a):
    """The export lists only the learners the gradebook's filters select, in its order."""
    client.force_login(author_a)
    url = reverse("courses:gradebook_export", args=[graded.run.pk, "csv"])

    passed = list(csv.reader(io.StringIO(client.get(url, {"status": "passed"}).content.decode("utf-8-sig"))))
    by_grade = list(csv.reader(io.StringIO(client.get(url, {"sort": "-grade"}).content.decode("utf-8-sig"))))

    assert [row[1] for row in passed[1:]] == ["wang@example.com"]
    assert [row[1] for row in by_grade[1:]] == ["wang@example.com", "sneaky@example.com"]


def test_the_xlsx_export_cell_by_cell(client, graded, cohort, author_a):
    """A workbook with a bold, frozen header row, numbers as number cells, the pass date as a
    date, the override in italics with a note, and text never turned into a formula."""
    client.force_login(author_a)

    response = client.get(reverse("courses:gradebook_export", args=[graded.run.pk, "xlsx"]), {"sort": "-grade"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert graded.course.slug in response["Content-Disposition"] and response["Content-Disposition"].rstrip('"').endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADER
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "B2"
    wang, sneaky = values[1], values[2]
    assert sneaky[:3] == ["'=1+1", "sneaky@example.com", "Enrolled"]
    assert sheet["A3"].data_type == "s"
    assert sneaky[3] == 1.5 and sneaky[4] is None and sneaky[5:8] == [75, 0, 37.5] and sneaky[8:] == [None, None]
    assert sheet["D3"].font.italic and sheet["D3"].comment is not None and not sheet["D2"].font.italic
    passed_at = timezone.localtime(CoursePass.objects.get(enrolment=cohort["wang"]).passed_at).date()
    assert wang[:3] == ["王小明", "wang@example.com", "Enrolled"]
    assert wang[3:8] == [2, 8, 100, 100, 100] and wang[8] == "Pass"
    assert wang[9] == datetime.datetime.combine(passed_at, datetime.time()) and sheet["J2"].number_format == "yyyy-mm-dd"
    assert sheet["H2"].data_type == "n" and sheet["H2"].number_format == "0.00"
    assert sheet.column_dimensions["B"].width == len("sneaky@example.com") + 2


def test_xlsx_numbers_are_written_exactly():
    """A Decimal score goes into the sheet as its exact decimal text, not through a float."""
    table = ExportTable(header=["Learner", "Quiz"], rows=[["A", Score(Decimal("0.10"))], ["B", Decimal("33.33")]])

    sheet = load_workbook(io.BytesIO(table_xlsx(table, title="Grades: [run]"))).active

    assert sheet["B2"].value == 0.1 and sheet["B3"].value == 33.33
    assert sheet.title == "Grades run"


def test_csv_of_a_table_starts_with_a_bom_and_marks_overrides():
    """The writer alone: BOM, formula guard in the header too, Score with and without override."""
    table = ExportTable(header=["=Learner", "Quiz"], rows=[["@me", Score(Decimal("2.00"), overridden=True)], ["you", None]])

    text = table_csv(table)

    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == [["'=Learner", "Quiz"], ["'@me", "2.00 (override)"], ["you", ""]]


def test_an_unknown_format_is_not_found(client, graded, author_a):
    """Only csv and xlsx exist."""
    client.force_login(author_a)

    assert client.get(f"/learn/teach/runs/{graded.run.pk}/gradebook/export.pdf").status_code == 404


def test_learners_and_outsiders_cannot_export(client, graded, cohort, mentor):
    """The run's own learner and an unrelated mentor get 404 for both formats."""
    for person in (cohort["wang"].user, mentor):
        client.force_login(person)
        for fmt in ("csv", "xlsx"):
            assert client.get(reverse("courses:gradebook_export", args=[graded.run.pk, fmt])).status_code == 404
