"""Plain builders shared by the assessment tests (assignments, reviews, grades, passing,
competency evidence): rubrics, assignments, lessons holding quiz and assignment blocks, uploaded
files whose bytes are what their names say (or not). Plain functions, not pytest fixtures: each
test module declares the fixtures it needs with them."""

import io
import uuid
import zipfile
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from courses.factories import LessonPageFactory, _publish
from courses.models import Assignment, LessonPage, ModulePage, Rubric, RubricCriterion, RubricLevel

# Two criteria: 4 + 2 = 6 points at most.
RUBRIC_CRITERIA = (
    ("Landed-cost sheet", (("Excellent", "4"), ("Adequate", "2"), ("Missing", "0")), None),
    ("Buyer letter", (("Clear", "2"), ("Unclear", "0")), None),
)


# ---------------------------------------------------------------- rubrics and assignments


def rubric_build(*, organisation, by=None, title="Landed-cost review", criteria=RUBRIC_CRITERIA):
    """A rubric of `organisation` with `criteria` as (title, ((level title, points), ...), competency)."""
    rubric = Rubric.objects.create(organisation=organisation, title=title, created_by=by)
    for position, (criterion_title, levels, competency) in enumerate(criteria):
        criterion = RubricCriterion.objects.create(rubric=rubric, title=criterion_title, competency=competency, sort_order=position)
        for order, (level_title, points) in enumerate(levels):
            RubricLevel.objects.create(criterion=criterion, title=level_title, points=Decimal(points), sort_order=order)
    return rubric


def rubric_levels(rubric):
    """{criterion title: {level title: level id}} and the criteria in order, for choosing levels by name."""
    criteria = list(rubric.criteria.order_by("sort_order", "pk").prefetch_related("levels"))
    return criteria, {c.title: {level.title: level.pk for level in c.levels.all()} for c in criteria}


def rubric_choices(rubric, *level_titles):
    """{criterion id: level id} choosing, in criterion order, the levels titled `level_titles`."""
    criteria, levels = rubric_levels(rubric)
    return {criterion.pk: levels[criterion.title][title] for criterion, title in zip(criteria, level_titles)}


def assignment_build(*, organisation, rubric, by=None, title="Landed-cost sheet for a Polish buyer", **fields):
    """An assignment of `organisation` (text optional, PDF/DOCX/TXT files optional, unless told otherwise)."""
    values = {
        "instructions": "Work out the landed cost of forty T-shirts shipped to Poznań.",
        "text_answer": Assignment.Part.OPTIONAL, "files": Assignment.Part.OPTIONAL,
        "file_types": ["pdf", "docx", "txt", "png", "jpg"], "max_files": 3, "max_file_mb": 1,
    }
    values.update(fields)
    return Assignment.objects.create(organisation=organisation, rubric=rubric, title=title, created_by=by, **values)


# ---------------------------------------------------------------- lessons


def quiz_block(quiz, *, block_id="quiz0001", due_after_days=None, grading_type="Quiz"):
    return {"type": "quiz", "id": block_id, "value": {"quiz": quiz.pk, "due_after_days": due_after_days, "grading_type": grading_type}}


def assignment_block(assignment, *, block_id="asg0001", due_after_days=None, grading_type="Assignment"):
    return {"type": "assignment", "id": block_id, "value": {
        "assignment": assignment.pk, "due_after_days": due_after_days, "grading_type": grading_type,
    }}


def text_block():
    return {"type": "rich_text", "id": str(uuid.uuid4()), "value": "<p>Read this first.</p>"}


def lesson_add(*, course, body, title="Hand in your work", module_index=0, required=True, publish=True):
    """A lesson with `body` (stream block dicts) in the course's module `module_index`, published."""
    module = list(ModulePage.objects.child_of(course).order_by("path"))[module_index]
    lesson = LessonPageFactory.build(title=title, body=body, required=required)
    module.add_child(instance=lesson)
    if publish:
        _publish(lesson)
    return LessonPage.objects.get(pk=lesson.pk)


# ---------------------------------------------------------------- files


def pdf_bytes():
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def image_bytes(kind="PNG"):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def zip_bytes(members, *, encrypted=False):
    """A zip of {name: bytes}; `encrypted` sets the encryption flag of every member, as a
    password-protected archive has it (the bytes themselves are not enciphered)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            archive.writestr(info, data)
    data = buffer.getvalue()
    if encrypted:
        data = _zip_flag_encrypted(data)
    return data


def _zip_flag_encrypted(data):
    """Set bit 0 (encrypted) of the general purpose flags in every local and central header."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (found := data.find(signature, start)) != -1:
            data[found + offset] |= 0x01
            start = found + 4
    return bytes(data)


def docx_bytes():
    return zip_bytes({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
    })


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


# ---------------------------------------------------------------- quizzes


CHOICE_SPEC = {"prompt": "Who pays the import duty under DDP?", "options": [
    {"id": "a", "text": "The seller", "correct": True},
    {"id": "b", "text": "The buyer", "correct": False},
]}


def questions_build(*, organisation, by, count, bank=None, competencies=(), title="Customs basics"):
    """`count` single-choice questions (option “a” is right) in a bank of `organisation`, each
    tagged with `competencies`; returns the bank and the questions."""
    from courses.assessment_services import question_bank_create
    from courses.factories import question_with_version

    bank = bank or question_bank_create(organisation=organisation, title=title, by=by)
    start = bank.questions.count()
    questions = []
    for number in range(start, start + count):
        question = question_with_version(
            bank=bank, kind="single_choice", spec={**CHOICE_SPEC, "prompt": f"Question {number + 1}?"}, by=by, title=f"Q{number + 1}",
        )
        question.competencies.set(competencies)
        questions.append(question)
    return bank, questions


def quiz_take(*, enrolment, item, quiz, by, right, block_id="quiz0001", now=None):
    """Start and submit an attempt answering the first `right` questions (in the attempt's
    order) right and the others wrong."""
    from courses.assessment_services import attempt_start, attempt_submit

    attempt = attempt_start(enrolment=enrolment, item=item, block_id=block_id, quiz=quiz, by=by, now=now)
    positions = sorted(attempt.answers.values_list("position", flat=True))
    responses = {position: ("a" if index < right else "b") for index, position in enumerate(positions)}
    return attempt_submit(attempt=attempt, responses=responses, by=by, now=now)
