"""Between the attempt page and the scoring module: the questions of an attempt as the learner
sees them (only `courses.questions.learner_view`, plus `review_view` once the review options
allow the answers), and the responses read back from the posted form in the shapes that
`courses.questions.score` reads. No rules of the quiz here: those are
`courses.assessment_services` and `courses.review`."""

from decimal import Decimal

from .questions import learner_view, question_from_spec, review_view, score


def _field(answer):
    return f"q{answer.position}"


def _seed(attempt, answer):
    return f"{attempt.seed}:{answer.position}" if attempt.quiz.shuffle_options else None


def responses_from_post(answers, post) -> dict:
    """The response to each answer of the form, by position; a question left blank is None."""
    responses = {}
    for answer in answers:
        name, kind = _field(answer), answer.version.kind
        if kind == "single_choice":
            value = post.get(name) or None
        elif kind == "multiple_choice":
            value = post.getlist(name) or None
        elif kind == "true_false":
            value = {"true": True, "false": False}.get(post.get(name))
        elif kind in ("numeric", "short_text"):
            value = (post.get(name) or "").strip()[:500] or None
        elif kind == "matching":
            prompts = [p["prompt_id"] for p in answer.version.spec.get("pairs", ())]
            value = {p: post.get(f"{name}-{p}") or None for p in prompts}
            value = value if any(value.values()) else None
        elif kind == "ordering":
            count = len(answer.version.spec.get("items", ()))
            ranked = [post.get(f"{name}-{rank}") or "" for rank in range(1, count + 1)]
            value = ranked if all(ranked) else None
        else:
            value = None
        responses[answer.position] = value
    return responses


def _state(fraction):
    if fraction is None:
        return None
    return "correct" if fraction == 1 else "partial" if fraction > 0 else "incorrect"


def attempt_questions(attempt, answers, visibility) -> list:
    """One dict per question: what the learner sees, what they answered (to keep the form
    filled in) and, after submission, marks, correctness and review as `visibility` allows."""
    rows = []
    for answer in answers:
        question = question_from_spec(answer.version.kind, answer.version.spec)
        view = learner_view(question, seed=_seed(attempt, answer))
        response = answer.response
        row = {"position": answer.position, "name": _field(answer), "kind": answer.version.kind, "view": view, "marks": answer.marks}
        chosen = set(response) if isinstance(response, list) else {response}
        for option in view.get("options", ()):
            option["checked"] = option["id"] in chosen
        if view["kind"] == "true_false":
            row["value"] = response
        if view["kind"] in ("numeric", "short_text"):
            row["text"] = response if isinstance(response, str) else ""
        for prompt in view.get("prompts", ()):
            prompt["selected"] = (response or {}).get(prompt["id"]) if isinstance(response, dict) else None
        if "items" in view:
            order = response if isinstance(response, list) else []
            row["ranks"] = [
                {"rank": rank, "selected": order[rank - 1] if rank <= len(order) else None}
                for rank in range(1, len(view["items"]) + 1)
            ]
        if attempt.submitted_at is not None:
            if visibility["marks"] and answer.fraction is not None:
                row["earned"] = (answer.marks * answer.fraction).quantize(Decimal("0.01"))
            if visibility["correctness"]:
                row["state"] = _state(answer.fraction)
            if visibility["answers"]:
                row["review"] = review_view(question, response, score(question, response))
        rows.append(row)
    return rows
