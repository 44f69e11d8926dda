"""The bridge between a question's authoring form (`Question.content`, a StreamField of
`courses.blocks.QuestionContentBlock`) and the spec of the pure scoring module
`courses.questions`. Both directions are here, so a stored version's spec can be put back into
the form (`question_content_from_spec`) and the form read as a spec (`question_spec_from_content`)."""

from .blocks import QuestionContentBlock
from .questions import QUESTION_KINDS, QuestionSpecError


def _content_block():
    return QuestionContentBlock()


def question_spec_from_content(content) -> tuple[str, dict]:
    """`(kind, spec)` of a question's content: exactly one block, whose type is the kind. The
    spec is not validated here; `courses.questions.question_from_spec` does that."""
    children = list(content or ())
    if len(children) != 1:
        raise QuestionSpecError(f"A question holds exactly one question block, found {len(children)}.")
    child = children[0]
    if child.block_type not in QUESTION_KINDS:
        raise QuestionSpecError(f"Unknown question kind {child.block_type!r}; expected one of: {', '.join(QUESTION_KINDS)}.")
    return child.block_type, child.block.spec_from_value(child.value)


def question_content_from_spec(kind: str, spec: dict) -> list[dict]:
    """Raw StreamField data for `Question.content` holding the question `kind` with `spec`."""
    block = _content_block().child_blocks.get(kind)
    if block is None:
        raise QuestionSpecError(f"Unknown question kind {kind!r}; expected one of: {', '.join(QUESTION_KINDS)}.")
    return [{"type": kind, "value": block.value_from_spec(spec)}]
