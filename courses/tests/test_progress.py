"""Progress through a run and a program, computed from plain values (courses.progress): no
database."""

from hypothesis import given
from hypothesis import strategies as st

from courses.progress import (
    OutlineLesson,
    OutlineModule,
    Requirement,
    activities_done,
    lesson_to_resume,
    neighbours,
    percent,
    program_progress,
    run_progress,
)


def outline(*modules):
    """Modules from lists of lesson ids; a negative id is an optional lesson."""
    result = []
    for index, lesson_ids in enumerate(modules, start=1):
        module_id = 1000 + index
        result.append(OutlineModule(item_id=module_id, title=f"Module {index}", lessons=tuple(
            OutlineLesson(item_id=abs(i), module_id=module_id, title=f"Lesson {abs(i)}", required=i > 0) for i in lesson_ids
        )))
    return result


COURSE = outline([1, 2], [3, -4, 5])  # lesson 4 is optional


# --- A run -----------------------------------------------------------------------------------


def test_progress_counts_required_lessons_only():
    """Progress is required lessons done out of required lessons; an optional lesson done
    counts for nothing."""
    progress = run_progress(modules=COURSE, completed_ids={1, 4})

    assert (progress.done, progress.total, progress.percent) == (1, 4, 25)
    assert [(row.done, row.total) for row in progress.modules] == [(1, 2), (0, 2)]
    assert not progress.complete


def test_a_run_is_complete_when_every_required_lesson_is_done():
    """All required lessons done completes the run, whether or not the optional one is."""
    progress = run_progress(modules=COURSE, completed_ids={1, 2, 3, 5})

    assert progress.complete and progress.percent == 100
    assert progress.next_lesson.item_id == 4  # the optional lesson is still there to read


def test_an_empty_run_is_never_complete():
    """A run with no lessons is at 0 %, not complete, and has nothing to resume."""
    progress = run_progress(modules=[], completed_ids=set())

    assert (progress.percent, progress.complete, progress.next_lesson) == (0, False, None)


def test_percent_rounds_down():
    """99.6 % shows as 99, never as done."""
    assert percent(249, 250) == 99
    assert percent(0, 0) == 0
    assert percent(3, 3) == 100


def test_resume_with_the_last_lesson_opened_when_it_is_not_done():
    """The lesson last opened, if not done, is where the learner continues."""
    assert lesson_to_resume(modules=COURSE, completed_ids={1, 2}, last_item_id=5).item_id == 5


def test_resume_after_the_last_lesson_opened_when_it_is_done():
    """If the lesson last opened is done, continue with the first one not done after it, even
    in the next module."""
    assert lesson_to_resume(modules=COURSE, completed_ids={1, 2, 3}, last_item_id=2).item_id == 4


def test_resume_wraps_round_to_an_earlier_lesson_not_done():
    """If everything after the last lesson opened is done, continue with the first not done."""
    assert lesson_to_resume(modules=COURSE, completed_ids={2, 3, 4, 5}, last_item_id=5).item_id == 1


def test_resume_without_a_last_lesson_starts_at_the_first_not_done():
    """A learner who opened nothing yet (or a lesson since retired) starts at the first lesson
    not done."""
    assert lesson_to_resume(modules=COURSE, completed_ids={1}).item_id == 2
    assert lesson_to_resume(modules=COURSE, completed_ids={1}, last_item_id=999).item_id == 2


def test_nothing_to_resume_when_all_is_done():
    assert lesson_to_resume(modules=COURSE, completed_ids={1, 2, 3, 4, 5}, last_item_id=3) is None


def test_neighbours_cross_module_boundaries():
    """The lessons before and after one lesson, across modules; none before the first or after
    the last, nothing for an id not in the run."""
    ids = lambda pair: tuple(lesson.item_id if lesson else None for lesson in pair)  # noqa: E731

    assert ids(neighbours(modules=COURSE, item_id=2)) == (1, 3)
    assert ids(neighbours(modules=COURSE, item_id=1)) == (None, 2)
    assert ids(neighbours(modules=COURSE, item_id=5)) == (4, None)
    assert ids(neighbours(modules=COURSE, item_id=999)) == (None, None)


def test_activities_done():
    """A lesson with activities is done when all are; a lesson with none never completes by
    itself."""
    assert activities_done(activity_keys=["reflection:a", "reflection:b"], done_keys={"reflection:a", "reflection:b", "x"})
    assert not activities_done(activity_keys=["reflection:a", "reflection:b"], done_keys={"reflection:a"})
    assert not activities_done(activity_keys=[], done_keys={"reflection:a"})


# --- A program -------------------------------------------------------------------------------


def test_program_all_of_needs_every_course():
    """“All of” needs every course of the requirement."""
    core = Requirement(title="Core", rule="all", minimum=None, course_keys=("a", "b", "c"))

    progress = program_progress(requirements=[core], completed_course_keys={"a", "b"})

    row = progress.requirements[0]
    assert (row.needed, row.done, row.met) == (3, 2, False)
    assert not progress.complete
    assert program_progress(requirements=[core], completed_course_keys={"a", "b", "c"}).complete


def test_program_at_least_n_of_needs_n_courses():
    """“At least 2 of” is met by any two; a third counts no further."""
    electives = Requirement(title="Electives", rule="at_least", minimum=2, course_keys=("x", "y", "z"))

    one = program_progress(requirements=[electives], completed_course_keys={"y"})
    three = program_progress(requirements=[electives], completed_course_keys={"x", "y", "z"})

    assert (one.requirements[0].met, one.percent) == (False, 50)
    assert three.requirements[0].met and three.complete
    assert (three.done, three.needed, three.percent) == (2, 2, 100)


def test_program_is_complete_when_every_requirement_is_met():
    """Core done but electives short: not complete; both met: complete. Courses outside the
    program count for nothing."""
    core = Requirement(title="Core", rule="all", minimum=None, course_keys=("a", "b"))
    electives = Requirement(title="Electives", rule="at_least", minimum=1, course_keys=("x", "y"))

    assert not program_progress(requirements=[core, electives], completed_course_keys={"a", "b", "other"}).complete
    progress = program_progress(requirements=[core, electives], completed_course_keys={"a", "b", "y"})
    assert progress.complete and progress.percent == 100


def test_at_least_more_than_there_are_courses_needs_them_all():
    """“At least 5 of” three courses needs the three."""
    requirement = Requirement(title="Electives", rule="at_least", minimum=5, course_keys=("x", "y", "z"))

    progress = program_progress(requirements=[requirement], completed_course_keys={"x", "y", "z"})

    assert progress.requirements[0].needed == 3 and progress.complete


def test_a_program_without_requirements_is_not_complete():
    assert not program_progress(requirements=[], completed_course_keys={"a"}).complete


# --- Properties ------------------------------------------------------------------------------

lesson_ids = st.integers(min_value=1, max_value=40)
modules_strategy = st.lists(
    st.lists(st.tuples(lesson_ids, st.booleans()), max_size=6), max_size=5,
).map(lambda modules: _unique_outline(modules))


def _unique_outline(modules):
    seen = set()
    result = []
    for index, lessons in enumerate(modules):
        kept = []
        for item_id, required in lessons:
            if item_id not in seen:
                seen.add(item_id)
                kept.append(OutlineLesson(item_id=item_id, module_id=100 + index, title="", required=required))
        result.append(OutlineModule(item_id=100 + index, title="", lessons=tuple(kept)))
    return result


@given(modules=modules_strategy, completed=st.sets(lesson_ids), last=st.one_of(st.none(), lesson_ids))
def test_run_progress_is_bounded(modules, completed, last):
    """Whatever is done, done never exceeds the total and percent stays within 0–100, per
    module and for the run; the lesson to resume is a lesson of the run not yet done."""
    progress = run_progress(modules=modules, completed_ids=completed, last_item_id=last)

    assert 0 <= progress.done <= progress.total
    assert 0 <= progress.percent <= 100
    for row in progress.modules:
        assert 0 <= row.done <= row.total and 0 <= row.percent <= 100
    assert progress.complete == (progress.total > 0 and progress.percent == 100)
    all_ids = {lesson.item_id for module in modules for lesson in module.lessons}
    if progress.next_lesson is None:
        assert all_ids <= set(completed)
    else:
        assert progress.next_lesson.item_id in all_ids - set(completed)


@given(
    requirements=st.lists(
        st.builds(
            Requirement, title=st.just("r"), rule=st.sampled_from(["all", "at_least"]),
            minimum=st.one_of(st.none(), st.integers(min_value=1, max_value=8)),
            course_keys=st.lists(st.sampled_from("abcdefgh"), unique=True, max_size=6).map(tuple),
        ),
        max_size=4,
    ),
    completed=st.sets(st.sampled_from("abcdefghij")),
)
def test_program_progress_is_bounded(requirements, completed):
    """Done never exceeds what is needed, percent stays within 0–100, and a program with
    requirements is complete exactly when each is met."""
    progress = program_progress(requirements=requirements, completed_course_keys=completed)

    assert 0 <= progress.done <= progress.needed
    assert 0 <= progress.percent <= 100
    for row in progress.requirements:
        assert 0 <= min(row.done, row.needed) <= row.needed
        assert 0 <= row.percent <= 100
    assert progress.complete == (bool(requirements) and all(row.done >= row.needed for row in progress.requirements))


@given(done=st.integers(min_value=0, max_value=10_000), total=st.integers(min_value=0, max_value=10_000))
def test_percent_never_exceeds_100(done, total):
    """Even with more done than the total (a lesson made optional later), percent is capped."""
    assert 0 <= percent(done, total) <= 100
