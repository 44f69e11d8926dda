"""Admin wiring: the competency framework as an editable tree for platform administrators, a
link from the admin to the run management pages, and each organisation's question banks,
quizzes and rubrics under one "Assessment" menu."""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.blocks import StreamBlockValidationError
from wagtail.log_actions import log

from academy.organisations.admin_scoping import (
    OrganisationScopedViewSetMixin,
    ScopedCreateView,
    ScopedEditView,
    organisations_staffed_by,
)

from .models import Assignment, Competency, Question, QuestionBank, Quiz, Rubric, RubricCriterion


class CompetencyViewSet(ModelViewSet):
    model = Competency
    icon = "tag"
    menu_label = _("Competencies")
    menu_order = 260
    add_to_admin_menu = True
    name = "competencies"
    list_display = ["code", "name_en", "name_zh", "parent"]
    list_filter = ["parent"]
    search_fields = ["code", "name_en", "name_zh"]
    form_fields = ["code", "parent", "name_en", "name_zh", "description_en", "description_zh", "sort_order"]
    ordering = ["sort_order", "code"]


@hooks.register("register_admin_viewset")
def register_competency_viewset():
    return CompetencyViewSet()


class TeachMenuItem(MenuItem):
    def is_shown(self, request):
        from .selectors import courses_managed_by

        return bool(courses_managed_by(user=request.user))


@hooks.register("after_copy_page")
def renew_copied_assessed_block_ids(request, page, new_page):
    """A copied lesson's quizzes and assignments get block ids of their own (see the service)."""
    from .services import lesson_block_ids_renew

    lesson_block_ids_renew(page=new_page, by=request.user)


@hooks.register("register_admin_menu_item")
def register_teach_menu_item():
    return TeachMenuItem(_("Course runs"), reverse("courses:teach"), icon_name="group", order=250)


# --- Question banks -------------------------------------------------------------------------------
#
# Each organisation's banks and questions, confined to it by OrganisationScopedViewSetMixin.
# The rules live in courses.assessment_services: a bank is created by question_bank_create, and
# every save of a question goes through question_version_record, which records a new version
# only when the question changed.


class QuestionBankCreateView(ScopedCreateView):
    def save_instance(self):
        from .assessment_services import question_bank_create

        data = self.form.cleaned_data
        bank = question_bank_create(
            organisation=data["organisation"], title=data["title"], description=data.get("description", ""), by=self.request.user,
        )
        log(instance=bank, action="wagtail.create", user=self.request.user)
        return bank


class QuestionBankViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = QuestionBank
    icon = "folder-open-inverse"
    menu_label = _("Banks")
    name = "question_banks"
    organisation_field = "organisation"
    organisation_form_fields = {"organisation": ""}
    add_view_class = QuestionBankCreateView
    form_fields = ["organisation", "title", "description"]
    list_display = ["title", "organisation", "created_at"]
    search_fields = ["title", "description"]
    inspect_view_enabled = True
    inspect_view_fields = ["organisation", "title", "description", "created_at"]
    copy_view_enabled = False


class ServiceCheckedSaveMixin:
    """For views whose saved object a service checks (`saved_check`, in form_valid's
    transaction): a refusal rolls the save back, and the form comes back with the message and
    everything typed. A new object records who created it."""

    def save_instance(self):
        if self.form.instance.pk is None:
            self.form.instance.created_by = self.request.user
        instance = super().save_instance()
        self.saved_check(instance)
        return instance

    def saved_check(self, instance):
        """The service that accepts or refuses the saved object (raises ValidationError)."""

    def form_valid(self, form):
        adding = form.instance._state.adding
        try:
            return super().form_valid(form)
        except ValidationError as error:
            # form_valid's transaction has been rolled back: nothing of this save remains.
            if adding:
                form.instance.pk = None
                form.instance._state.adding = True
            self.validation_error_onto(form, error)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)

    def validation_error_onto(self, form, error):
        form.add_error(None, error.messages)


class QuestionVersioningMixin(ServiceCheckedSaveMixin):
    """Records a version after the question is saved, in the same transaction; a spec the scoring
    module refuses is shown on the form (with everything typed kept) and nothing is saved.
    The question blocks validate the spec themselves, so this is the last line, not the first."""

    def saved_check(self, question):
        from .assessment_services import question_version_record

        question_version_record(question=question, by=self.request.user)

    def validation_error_onto(self, form, error):
        messages_by_field = getattr(error, "message_dict", {"content": error.messages})
        for field, messages in messages_by_field.items():
            if field == "content":
                form.add_error("content", StreamBlockValidationError(non_block_errors=messages))
            else:
                form.add_error(field if field in form.fields else None, messages)


class QuestionCreateView(QuestionVersioningMixin, ScopedCreateView):
    pass


class QuestionEditView(QuestionVersioningMixin, ScopedEditView):
    pass


class QuestionViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = Question
    icon = "help"
    menu_label = _("Questions")
    name = "questions"
    organisation_field = "bank__organisation"
    organisation_form_fields = {"bank": "organisation"}
    add_view_class = QuestionCreateView
    edit_view_class = QuestionEditView
    list_display = [
        "title",
        Column("kind_label", label=_("Kind")),
        "bank",
        Column("current_version_number", label=_("Version")),
        Column("tag_list", label=_("Tags")),
    ]
    # No list filters: a filter's choices (every bank, every tag) would show other
    # organisations' names.
    search_fields = ["title"]
    inspect_view_enabled = True
    inspect_view_fields = ["title", "bank", "current_version", "created_by", "created_at", "updated_at"]
    # A copy would post to the add view, which records its first version; kept simple for now.
    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Question.objects.select_related("bank", "current_version").prefetch_related("tags"), **kwargs,
        )


# --- Rubrics --------------------------------------------------------------------------------------
#
# Each organisation's rubrics, confined to it by OrganisationScopedViewSetMixin, with their
# criteria and levels as nested inline panels. Every save goes through
# courses.rubric_services.rubric_check inside the save's transaction.


class RubricCheckMixin(ServiceCheckedSaveMixin):
    """Checks the saved rubric (criteria and levels included) with the scoring module; an invalid
    one is rolled back and the form comes back with the message and everything typed."""

    def saved_check(self, rubric):
        from .rubric_services import rubric_check

        rubric_check(rubric=rubric, by=self.request.user)


class RubricCreateView(RubricCheckMixin, ScopedCreateView):
    pass


class RubricEditView(RubricCheckMixin, ScopedEditView):
    pass


class RubricViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = Rubric
    icon = "clipboard-list"
    menu_label = _("Rubrics")
    name = "rubrics"
    organisation_field = "organisation"
    organisation_form_fields = {"organisation": ""}
    add_view_class = RubricCreateView
    edit_view_class = RubricEditView
    list_display = [
        "title",
        "organisation",
        Column("criteria_count", label=_("Criteria")),
        Column("max_points", label=_("Max points")),
    ]
    # No list filters: the organisation filter's choices would show other organisations' names.
    search_fields = ["title", "description"]
    inspect_view_enabled = True
    inspect_view_fields = ["organisation", "title", "description", "created_by", "created_at", "updated_at"]
    # A copy would need its criteria and levels copied too; not offered yet.
    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Rubric.objects.select_related("organisation").prefetch_related(
                Prefetch("criteria", queryset=RubricCriterion.objects.select_related("competency")), "criteria__levels",
            ),
            **kwargs,
        )


# --- Quizzes --------------------------------------------------------------------------------------
#
# Each organisation's quizzes, confined to it, with their questions as an inline panel whose
# choices are the organisation's questions only. Every save goes through
# courses.assessment_services.quiz_check inside the save's transaction. The chooser of the lesson
# editor's quiz block (courses.blocks.QuizChooserBlock) lists the editor's organisations' quizzes.


def _scoped_to_user(user, queryset):
    """`queryset` narrowed to the objects of the organisations `user` is staff of."""
    organisations = organisations_staffed_by(user=user)
    return queryset if organisations is None else queryset.filter(organisation__in=organisations.values("pk"))


class _ScopedChooserMixin:
    def get_object_list(self):
        return _scoped_to_user(self.request.user, self.model_class.objects.all())


class _ScopedChooseView(_ScopedChooserMixin, chooser_views.ChooseView):
    pass


class _ScopedChooseResultsView(_ScopedChooserMixin, chooser_views.ChooseResultsView):
    pass


class _ScopedChosenView(chooser_views.ChosenView):
    def get_object(self, pk):
        return _scoped_to_user(self.request.user, self.model_class.objects.all()).get(pk=pk)


class _ScopedChosenMultipleView(chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return _scoped_to_user(self.request.user, self.model_class.objects.all()).filter(pk__in=pks)


class OrganisationScopedChooserViewSet(ChooserViewSet):
    """A chooser of the lesson editor's blocks (courses.blocks) listing only the editor's
    organisations' objects; another organisation's object chosen by id is a 404, and left out
    when several are chosen at once. Objects are created under Assessment, not from the chooser."""

    choose_view_class = _ScopedChooseView
    choose_results_view_class = _ScopedChooseResultsView
    chosen_view_class = _ScopedChosenView
    chosen_multiple_view_class = _ScopedChosenMultipleView
    creation_form_class = None
    form_fields = None


class _ScopedInlineFormsetMixin:
    """Narrows the choices of one field of every inline form, the blank one that "Add" copies
    included."""

    scoped_field = None
    scoped_queryset = None

    def _construct_form(self, i, **kwargs):
        return self._narrow(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        return self._narrow(super().empty_form)

    def _narrow(self, form):
        if self.scoped_queryset is not None and self.scoped_field in form.fields:
            form.fields[self.scoped_field].queryset = self.scoped_queryset
        return form


class QuizFormMixin(ServiceCheckedSaveMixin):
    """Question and bank choices limited to the user's organisations, and the saved quiz checked
    (at least one question, all of the quiz's organisation)."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        organisations = self.scoped_organisations
        if organisations is None:
            return form
        scoped = {
            "slots": ("question", Question.objects.filter(bank__organisation__in=organisations.values("pk"))),
            "draws": ("bank", QuestionBank.objects.filter(organisation__in=organisations.values("pk"))),
        }
        for relation, (field, queryset) in scoped.items():
            formset = form.formsets.get(relation)
            if formset is not None:
                # Per request: the formset class is shared, so the instance gets a subclass of its own.
                formset.__class__ = type("ScopedInlineFormSet", (_ScopedInlineFormsetMixin, formset.__class__), {})
                formset.scoped_field, formset.scoped_queryset = field, queryset
        return form

    def saved_check(self, quiz):
        from .assessment_services import quiz_check

        quiz_check(quiz=quiz, by=self.request.user)


class QuizCreateView(QuizFormMixin, ScopedCreateView):
    pass


class QuizEditView(QuizFormMixin, ScopedEditView):
    pass


class QuizViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    name = "quizzes"
    organisation_field = "organisation"
    organisation_form_fields = {"organisation": ""}
    add_view_class = QuizCreateView
    edit_view_class = QuizEditView
    list_display = ["title", "organisation", "attempt_limit", "time_limit_minutes"]
    # No list filters: the organisation filter's choices would show other organisations' names.
    search_fields = ["title"]
    inspect_view_enabled = True
    inspect_view_fields = ["organisation", "title", "instructions", "attempt_limit", "time_limit_minutes", "created_by", "created_at"]
    # A copy would need its questions copied too; not offered yet.
    copy_view_enabled = False

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=Quiz.objects.select_related("organisation"), **kwargs)


class QuizChooserViewSet(OrganisationScopedChooserViewSet):
    model = Quiz
    icon = "tasks"
    choose_one_text = _("Choose a quiz")
    choose_another_text = _("Choose another quiz")
    edit_item_text = _("Edit this quiz")


quiz_chooser_viewset = QuizChooserViewSet("quiz_chooser")


@hooks.register("register_admin_viewset")
def register_quiz_chooser_viewset():
    return quiz_chooser_viewset


# --- Assignments ----------------------------------------------------------------------------------
#
# Each organisation's assignments, confined to it, with rubric choices limited to its rubrics.
# Every save goes through courses.assignment_services.assignment_check in the save's transaction.


class AssignmentCheckMixin(ServiceCheckedSaveMixin):
    def saved_check(self, assignment):
        from .assignment_services import assignment_check

        assignment_check(assignment=assignment, by=self.request.user)


class AssignmentCreateView(AssignmentCheckMixin, ScopedCreateView):
    pass


class AssignmentEditView(AssignmentCheckMixin, ScopedEditView):
    pass


class AssignmentViewSet(OrganisationScopedViewSetMixin, ModelViewSet):
    model = Assignment
    icon = "doc-full"
    menu_label = _("Assignments")
    name = "assignments"
    organisation_field = "organisation"
    organisation_form_fields = {"organisation": "", "rubric": "organisation"}
    add_view_class = AssignmentCreateView
    edit_view_class = AssignmentEditView
    list_display = ["title", "organisation", "rubric", "max_submissions"]
    # No list filters: the organisation filter's choices would show other organisations' names.
    search_fields = ["title", "instructions"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "organisation", "title", "instructions", "rubric", "text_answer", "files", "file_types", "max_files", "max_file_mb",
        "max_submissions", "accept_late", "created_by", "created_at",
    ]
    copy_view_enabled = True

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(queryset=Assignment.objects.select_related("organisation", "rubric"), **kwargs)


class AssignmentChooserViewSet(OrganisationScopedChooserViewSet):
    model = Assignment
    icon = "doc-full"
    choose_one_text = _("Choose an assignment")
    choose_another_text = _("Choose another assignment")
    edit_item_text = _("Edit this assignment")


assignment_chooser_viewset = AssignmentChooserViewSet("assignment_chooser")


@hooks.register("register_admin_viewset")
def register_assignment_chooser_viewset():
    return assignment_chooser_viewset


class AssessmentViewSetGroup(ModelViewSetGroup):
    """Question banks, questions, quizzes, assignments and rubrics: what an organisation assesses with."""

    menu_label = _("Assessment")
    menu_icon = "tasks"
    menu_order = 270
    items = (QuestionBankViewSet, QuestionViewSet, QuizViewSet, AssignmentViewSet, RubricViewSet)


@hooks.register("register_admin_viewset")
def register_assessment_viewsets():
    return AssessmentViewSetGroup()
