"""Programs, courses, modules and lessons (Wagtail pages), the competency framework, course runs
with the content they teach, enrolment and progress."""

from .assignments import Assignment, Review, ReviewScore, Submission, SubmissionFile
from .competencies import Competency, CompetencyEvidence
from .grades import CourseGradeRecord, CoursePass, GradeCutoff, GradeEntry, GradeOverride, GradingType, ProgramCompletion
from .pages import (
    CatalogPage,
    CourseOrganisation,
    CoursePage,
    LessonPage,
    ModulePage,
    ProgramIndexPage,
    ProgramPage,
    ProgramRequirement,
)
from .questions import Question, QuestionBank, QuestionVersion, TaggedQuestion
from .quizzes import AttemptAnswer, Quiz, QuizAttempt, QuizDraw, QuizQuestion
from .rubrics import Rubric, RubricCriterion, RubricLevel
from .runs import (
    ActivityResponse,
    CourseRun,
    Enrolment,
    EnrolmentStatusChange,
    Invitation,
    LessonCompletion,
    RunContentItem,
)

__all__ = [
    "Assignment",
    "CourseGradeRecord",
    "CoursePass",
    "GradeCutoff",
    "GradeEntry",
    "GradeOverride",
    "GradingType",
    "ProgramCompletion",
    "Review",
    "ReviewScore",
    "Submission",
    "SubmissionFile",
    "ActivityResponse",
    "AttemptAnswer",
    "CatalogPage",
    "Competency",
    "CompetencyEvidence",
    "CourseOrganisation",
    "CoursePage",
    "CourseRun",
    "Enrolment",
    "EnrolmentStatusChange",
    "Invitation",
    "LessonCompletion",
    "LessonPage",
    "ModulePage",
    "ProgramIndexPage",
    "ProgramPage",
    "ProgramRequirement",
    "Question",
    "QuestionBank",
    "QuestionVersion",
    "Quiz",
    "QuizAttempt",
    "QuizDraw",
    "QuizQuestion",
    "Rubric",
    "RubricCriterion",
    "RubricLevel",
    "RunContentItem",
    "TaggedQuestion",
]
