"""The program-completion rule (issue "Certificates", point 2): when the courses a learner passed
meet every requirement of a program, `courses` records a `ProgramCompletion` once and announces
it; the certificates handler issues the program's certificate, led by the program's university
and co-signed by the first certifier of its courses."""

import pytest

from certificates import services
from certificates.models import Achievement, Certificate
from courses.factories import ProgramPageFactory, course_tree, open_run
from courses.grade_services import program_completions_record
from courses.models import CourseOrganisation, ProgramCompletion, ProgramRequirement
from courses.signals import program_completed

from .test_issuance import course_pass_of

pytestmark = pytest.mark.django_db

CERTIFIER = CourseOrganisation.Role.CERTIFIER
PARTNER = CourseOrganisation.Role.PRACTICUM_PARTNER


def program_of(university, requirements, title="Cross-border operations track"):
    """A published program under `university` with `requirements` as (rule, minimum, courses)."""
    from academy.organisations.models import OrganisationPage

    parent = OrganisationPage.objects.get(organisation=university, alias_of__isnull=True)
    program = ProgramPageFactory.build(title=title)
    for order, (rule, minimum, courses) in enumerate(requirements):
        row = ProgramRequirement(title=f"Requirement {order + 1}", rule=rule, minimum=minimum, sort_order=order)
        row.courses = courses
        program.requirements.add(row)
    parent.add_child(instance=program)
    program.save_revision().publish()
    return program


@pytest.fixture
def courses(university_a, enterprise):
    return [
        course_tree(organisation=university_a, modules=1, lessons=1, title="Marketplace basics"),
        course_tree(organisation=university_a, modules=1, lessons=1, title="Customs and tax", partners=[(enterprise, CERTIFIER)]),
        course_tree(organisation=university_a, modules=1, lessons=1, title="Payments", partners=[(enterprise, PARTNER)]),
    ]


def test_completing_every_requirement_issues_the_program_certificate(
    courses, university_a, enterprise, author_a, student, django_capture_on_commit_callbacks,
):
    """Passing the first course completes nothing; passing the second completes the program
    (“all of” both), which issues one program certificate, university-led and co-signed."""
    program = program_of(university_a, [(ProgramRequirement.Rule.ALL, None, courses[:2])])
    course_pass_of(open_run(course=courses[0], by=author_a), student, django_capture_on_commit_callbacks)
    assert not ProgramCompletion.objects.exists()
    assert not Certificate.objects.filter(achievement__kind=Achievement.Kind.PROGRAM).exists()

    course_pass_of(open_run(course=courses[1], by=author_a), student, django_capture_on_commit_callbacks)
    completion = ProgramCompletion.objects.get()
    assert (completion.user, completion.program_id) == (student, program.pk)
    certificate = Certificate.objects.get(achievement__kind=Achievement.Kind.PROGRAM)
    assert certificate.holder == student and certificate.achievement.program_id == program.pk
    assert certificate.achievement.name_en == program.title
    assert (certificate.issuer.organisation, certificate.co_issuer.organisation) == (university_a, enterprise)
    assert len(certificate.credential["proof"]) == 2
    assert certificate.issued_on == completion.completed_at.date()


def test_at_least_n_of_counts_and_completion_is_recorded_once(
    courses, university_a, author_a, student, django_capture_on_commit_callbacks,
):
    """“At least 1 of” is met by one pass; a later pass of another course of the program records
    no second completion and no second certificate."""
    program_of(university_a, [(ProgramRequirement.Rule.AT_LEAST, 1, courses)])
    sent = []

    def receiver(sender, program_completion, **kwargs):
        sent.append(program_completion.pk)

    program_completed.connect(receiver)
    try:
        course_pass_of(open_run(course=courses[0], by=author_a), student, django_capture_on_commit_callbacks)
        course_pass_of(open_run(course=courses[2], by=author_a), student, django_capture_on_commit_callbacks)
    finally:
        program_completed.disconnect(receiver)
    assert ProgramCompletion.objects.count() == 1 and sent == [ProgramCompletion.objects.get().pk]
    assert Certificate.objects.filter(achievement__kind=Achievement.Kind.PROGRAM).count() == 1
    assert program_completions_record(user=student) == []


def test_a_program_without_a_certifier_has_one_signer(courses, university_a, enterprise, author_a, student):
    """Only a practicum partner among the program's courses co-signs when there is no certifier;
    with neither, the university signs alone."""
    with_partner = program_of(university_a, [(ProgramRequirement.Rule.ALL, None, [courses[2]])], title="Payments track")
    alone = program_of(university_a, [(ProgramRequirement.Rule.ALL, None, [courses[0]])], title="Basics track")
    issuer, co_issuer = services.issuers_for_program(program=with_partner)
    assert (issuer.organisation, co_issuer.organisation) == (university_a, enterprise)
    issuer, co_issuer = services.issuers_for_program(program=alone)
    assert issuer.organisation == university_a and co_issuer is None


def test_an_unpublished_program_completes_nothing(courses, university_a, author_a, student, django_capture_on_commit_callbacks):
    """A program taken offline (unpublished) records no completion."""
    program = program_of(university_a, [(ProgramRequirement.Rule.ALL, None, [courses[0]])])
    program.unpublish()
    course_pass_of(open_run(course=courses[0], by=author_a), student, django_capture_on_commit_callbacks)
    assert not ProgramCompletion.objects.exists()
