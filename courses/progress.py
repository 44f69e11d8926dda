"""Progress through a run and through a program, computed from plain values so it is tested
without a database.

Course progress counts required lessons only (Open edX and Moodle count what completion requires).
“Continue where you left off” is the lesson last opened if it is not done, else the first lesson
not done after it, else the first lesson not done at all. A program's requirements are “all of”
or “at least n of” a set of courses; the program is complete when every requirement is met."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutlineLesson:
    item_id: int
    module_id: int
    title: str
    required: bool = True
    activity_keys: tuple = ()


@dataclass(frozen=True)
class OutlineModule:
    item_id: int
    title: str
    lessons: tuple = ()


@dataclass
class ModuleProgress:
    module: OutlineModule
    done: int
    total: int
    lessons: list = field(default_factory=list)

    @property
    def percent(self):
        return percent(self.done, self.total)


@dataclass
class RunProgress:
    modules: list
    done: int
    total: int
    next_lesson: OutlineLesson | None
    completed_ids: frozenset

    @property
    def percent(self):
        return percent(self.done, self.total)

    @property
    def complete(self):
        return self.total > 0 and self.done >= self.total


def percent(done, total):
    """Whole percent, rounded down so 99.6 % never shows as done."""
    return 0 if total <= 0 else min(100, (100 * done) // total)


def lessons_in_order(modules):
    return [lesson for module in modules for lesson in module.lessons]


def run_progress(*, modules, completed_ids, last_item_id=None):
    completed_ids = frozenset(completed_ids)
    module_rows = []
    for module in modules:
        required = [lesson for lesson in module.lessons if lesson.required]
        module_rows.append(ModuleProgress(
            module=module,
            done=sum(1 for lesson in required if lesson.item_id in completed_ids),
            total=len(required),
            lessons=list(module.lessons),
        ))
    return RunProgress(
        modules=module_rows,
        done=sum(row.done for row in module_rows),
        total=sum(row.total for row in module_rows),
        next_lesson=lesson_to_resume(modules=modules, completed_ids=completed_ids, last_item_id=last_item_id),
        completed_ids=completed_ids,
    )


def lesson_to_resume(*, modules, completed_ids, last_item_id=None):
    ordered = lessons_in_order(modules)
    if not ordered:
        return None
    start = 0
    for index, lesson in enumerate(ordered):
        if lesson.item_id == last_item_id:
            if lesson.item_id not in completed_ids:
                return lesson
            start = index + 1
            break
    for lesson in ordered[start:] + ordered[:start]:
        if lesson.item_id not in completed_ids:
            return lesson
    return None


def neighbours(*, modules, item_id):
    """The lessons before and after one lesson, across module boundaries."""
    ordered = lessons_in_order(modules)
    for index, lesson in enumerate(ordered):
        if lesson.item_id == item_id:
            previous = ordered[index - 1] if index > 0 else None
            following = ordered[index + 1] if index + 1 < len(ordered) else None
            return previous, following
    return None, None


def activities_done(*, activity_keys, done_keys):
    """Whether a lesson with activities has all of them done (never for a lesson with none)."""
    return bool(activity_keys) and set(activity_keys) <= set(done_keys)


@dataclass(frozen=True)
class Requirement:
    title: str
    rule: str  # "all" or "at_least"
    minimum: int | None
    course_keys: tuple


@dataclass
class RequirementProgress:
    requirement: Requirement
    needed: int
    done: int
    completed_keys: frozenset

    @property
    def met(self):
        return self.done >= self.needed

    @property
    def percent(self):
        return percent(min(self.done, self.needed), self.needed)


@dataclass
class ProgramProgress:
    requirements: list

    @property
    def complete(self):
        return bool(self.requirements) and all(row.met for row in self.requirements)

    @property
    def needed(self):
        return sum(row.needed for row in self.requirements)

    @property
    def done(self):
        return sum(min(row.done, row.needed) for row in self.requirements)

    @property
    def percent(self):
        return percent(self.done, self.needed)


def requirement_needed(requirement):
    count = len(requirement.course_keys)
    if requirement.rule == "all":
        return count
    return min(requirement.minimum or 0, count)


def program_progress(*, requirements, completed_course_keys):
    """How far a learner is through a program, given the courses they completed (by
    translation key, so a course passed in Chinese counts for the English program)."""
    completed = frozenset(completed_course_keys)
    rows = []
    for requirement in requirements:
        done_keys = frozenset(k for k in requirement.course_keys if k in completed)
        rows.append(RequirementProgress(
            requirement=requirement, needed=requirement_needed(requirement), done=len(done_keys), completed_keys=done_keys,
        ))
    return ProgramProgress(requirements=rows)
