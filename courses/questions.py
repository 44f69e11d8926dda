"""Questions of an assessment and the scoring of a learner's response, from plain values: no
models and no database, so every rule is tested alone and grading happens on the server only.

A question version stores its type (`kind`) and a JSON-able `spec`. `question_from_spec(kind,
spec)` builds a frozen dataclass from them and raises `QuestionSpecError` naming the field when
the spec is invalid; `question_to_spec(question)` gives the spec back, every field spelled out.
The types follow Moodle's question types (https://docs.moodle.org/en/Question_types),
simplified where said:

- `single_choice` (Moodle's multiple choice, "one answer only"): options `[{id, text, correct,
  feedback}]`, exactly one correct. Response: an option id. Scores 1 for the correct option.
- `multiple_choice` (Moodle's multiple choice, "multiple answers allowed"): at least one option
  correct. Response: a list of option ids. `scoring` "all_or_nothing" scores 1 for exactly the
  correct set, else 0. "partial" follows Moodle's multiple-answer grading
  (https://docs.moodle.org/en/Multiple_Choice_question_type): each option carries a grade, the
  grades of the options chosen are added, and a negative total counts as 0. The grades are fixed
  here at +1/k for each of the k correct options and -1/k for each wrong one, so choosing
  every option never earns full marks and choosing one more wrong option never raises a score.
- `true_false` (Moodle's true/false): `answer` a bool, `feedback_true`/`feedback_false` shown
  for the response given. Response: a bool.
- `numeric` (Moodle's numerical question without units): `answer` and `tolerance` as decimal
  strings, `tolerance_kind` "absolute" (|response - answer| <= tolerance) or "relative"
  (|response - answer| <= tolerance * |answer|, so 0.05 means within 5 %); the boundary counts
  as correct. Response: a string holding a plain decimal with an optional sign and either "."
  or "," as the decimal separator, since learners in China and Russia type "," too. Thousands
  separators and exponents are not read, so "1,234" is 1.234 and "1,234.5" is not a number.
  Full-width digits are read (NFKC). A string that is not a number scores 0 with the
  NOT_A_NUMBER flag rather than raising. Units are not parsed.
- `short_text` (Moodle's short answer, without the `*` wildcard): `accepted` answers,
  `case_sensitive`, and `whitespace` "exact" or "collapse" (strip, and collapse internal runs
  of whitespace, the ideographic space U+3000 included). Both sides are NFKC-normalised first,
  so a full-width "ＤＤＰ" matches "DDP"; case-insensitive comparison uses `str.casefold()`.
- `matching` (Moodle's matching): `pairs` `[{prompt_id, prompt, answer_id, answer}]`, and
  optional `distractors` `[{answer_id, answer}]` that match no prompt (Moodle's "extra wrong
  answers"). Response: `{prompt_id: answer_id}`. "partial" scores the share of prompts matched
  correctly, "all_or_nothing" 1 only when all are.
- `ordering` (the Ordering question type, https://github.com/gbateson/moodle-qtype_ordering):
  `items` `[{id, text}]` in the correct order. Response: a list holding every item id once.
  "all_or_nothing" scores 1 for the correct order only. "partial" is that plugin's "longest
  ordered subset": with L the length of the longest subsequence of the response that is in the
  correct relative order and n items, it scores (L - 1)/(n - 1). One item moved from the end
  to the front still scores (n - 2)/(n - 1), where counting items in their right position
  would score 0; a reversed list scores 0.

`score(question, response)` returns a `Score`: an exact `Fraction` in [0, 1], `correct` when it
is 1, the feedback to show (the feedback of what was chosen, then Moodle's combined feedback:
`feedback_correct`, `feedback_partial` or `feedback_incorrect` by the fraction), per-part
correctness and flags. A response of the wrong shape (None, a wrong type, an id that does not
exist) never raises: it scores 0 with the UNANSWERED, MALFORMED or NOT_A_NUMBER flag.

`learner_view(question, seed)` is the one place that decides what of a question leaves the
server before review: prompts, option and item texts and ids, never correctness, feedback,
accepted answers or tolerances. `review_view(question, response, score)` is the disclosure
after review: what was right, per part, and the right answers.
"""

import json
import random
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from decimal import Decimal, localcontext
from fractions import Fraction
from hashlib import sha256
from typing import ClassVar

UNANSWERED = "unanswered"
MALFORMED = "malformed"
NOT_A_NUMBER = "not_a_number"

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"
SCORINGS = (ALL_OR_NOTHING, PARTIAL)
TOLERANCE_KINDS = ("absolute", "relative")
WHITESPACE_RULES = ("exact", "collapse")

# A spec decimal is short enough that sums and products of two of them stay exact in a Decimal
# context of _EXACT_PRECISION digits.
_MAX_DECIMAL_LENGTH = 40
_EXACT_PRECISION = 200
# A learner's number longer than this is not a number anyone typed on purpose.
_MAX_NUMBER_RESPONSE_LENGTH = 100

_SPEC_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
# \d on str patterns is any Unicode decimal digit, which Decimal() reads too (Arabic-Indic digits).
_RESPONSE_NUMBER = re.compile(r"[+\-\u2212]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")

ZERO = Fraction(0)
ONE = Fraction(1)


class QuestionSpecError(ValueError):
    """A question spec that cannot be built; the message names the question kind and the field."""


@dataclass(frozen=True)
class Score:
    """The outcome of one response: `fraction` of the marks (exact, in [0, 1]), `correct` when it
    is 1, the `feedback` texts to show in order, per-part correctness as `(part_id, bool)` pairs
    and machine-readable `flags` (UNANSWERED, MALFORMED, NOT_A_NUMBER) for the view to explain."""

    fraction: Fraction
    correct: bool = field(init=False)
    feedback: tuple[str, ...] = ()
    parts: tuple[tuple[str, bool], ...] = ()
    flags: frozenset[str] = frozenset()

    def __post_init__(self):
        if not isinstance(self.fraction, Fraction) or not ZERO <= self.fraction <= ONE:
            raise ValueError(f"A score's fraction is a Fraction in [0, 1], not {self.fraction!r}.")
        object.__setattr__(self, "correct", self.fraction == ONE)


# --- Reading a spec ----------------------------------------------------------------------------

_REQUIRED = object()


def _type_name(value):
    return "null" if value is None else type(value).__name__


class _SpecReader:
    """One JSON object of a spec. Errors name the kind and the field's path, such as
    "single_choice: 'options[2].id' repeats 'options[0].id' ('b')"."""

    def __init__(self, kind, data, allowed, path=""):
        self.kind, self.path = kind, path
        if not isinstance(data, Mapping):
            where = f"'{path}'" if path else "the spec"
            raise QuestionSpecError(f"{kind}: {where} must be an object, not {_type_name(data)}.")
        unknown = sorted(str(key) for key in data if key not in allowed)
        if unknown:
            raise self.error(unknown[0], f"is not a field here (expected one of: {', '.join(sorted(allowed))}).")
        self.data = data

    def name(self, key):
        return f"{self.path}.{key}" if self.path else key

    def error(self, key, message):
        return QuestionSpecError(f"{self.kind}: '{self.name(key)}' {message}")

    def _get(self, key, default):
        if key in self.data:
            return self.data[key]
        if default is _REQUIRED:
            raise self.error(key, "is required.")
        return default

    def text(self, key, default=_REQUIRED, *, blank=False):
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a string, not {_type_name(value)}.")
        if not blank and not value.strip():
            raise self.error(key, "must not be blank.")
        return value

    def boolean(self, key, default=_REQUIRED):
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, f"must be true or false, not {_type_name(value)}.")
        return value

    def one_of(self, key, choices, default):
        value = self._get(key, default)
        if value not in choices:
            raise self.error(key, f"must be one of {', '.join(repr(c) for c in choices)}, not {value!r}.")
        return value

    def decimal(self, key, default=_REQUIRED):
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, f"must be a decimal string such as \"12.5\", not {_type_name(value)}.")
        if len(value) > _MAX_DECIMAL_LENGTH or not _SPEC_DECIMAL.fullmatch(value):
            raise self.error(
                key, f"must be a plain decimal string such as \"12.5\" (\".\" as the separator, "
                f"at most {_MAX_DECIMAL_LENGTH} characters), not {value!r}.",
            )
        return Decimal(value)

    def listing(self, key, default=_REQUIRED, *, minimum):
        value = self._get(key, default)
        if not isinstance(value, list | tuple):
            raise self.error(key, f"must be a list, not {_type_name(value)}.")
        if len(value) < minimum:
            entries = "entry" if minimum == 1 else "entries"
            raise self.error(key, f"needs at least {minimum} {entries}, found {len(value)}.")
        return value

    def objects(self, key, allowed, default=_REQUIRED, *, minimum):
        entries = self.listing(key, default, minimum=minimum)
        return [_SpecReader(self.kind, entry, allowed, self.name(f"{key}[{i}]")) for i, entry in enumerate(entries)]


def _check_unique(reader, values):
    """Raise if a value repeats; `values` are (path inside `key`, value) in spec order."""
    seen = {}
    for path, value in values:
        if value in seen:
            raise reader.error(path, f"repeats '{reader.name(seen[value])}' ({value!r}).")
        seen[value] = path


def _field_names(cls):
    return frozenset(f.name for f in fields(cls))


def _decimal_text(value):
    """A Decimal as the spec spells it: fixed point, never "1E-7"."""
    return format(value, "f")


# --- Shared by every type ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Question:
    """Fields every question type has: the prompt and Moodle's combined feedback, shown after the
    specific feedback according to the fraction scored."""

    kind: ClassVar[str]

    prompt: str
    feedback_correct: str = ""
    feedback_partial: str = ""
    feedback_incorrect: str = ""

    @classmethod
    def _common_from(cls, reader):
        return {
            "prompt": reader.text("prompt"),
            "feedback_correct": reader.text("feedback_correct", "", blank=True),
            "feedback_partial": reader.text("feedback_partial", "", blank=True),
            "feedback_incorrect": reader.text("feedback_incorrect", "", blank=True),
        }

    def _common_spec(self):
        return {
            "prompt": self.prompt,
            "feedback_correct": self.feedback_correct,
            "feedback_partial": self.feedback_partial,
            "feedback_incorrect": self.feedback_incorrect,
        }

    def _combined_feedback(self, fraction):
        if fraction == ONE:
            return self.feedback_correct
        return self.feedback_partial if fraction > ZERO else self.feedback_incorrect

    def _learner_common(self):
        return {"kind": self.kind, "prompt": self.prompt}


# Each type below implements:
#   _from_reader(reader) -> kwargs      the spec's own fields, validated
#   _spec() -> dict                      those fields back as JSON-able values
#   _read_response(response) -> (value, flag)   value None with a flag for a wrong shape
#   _grade(value) -> (fraction, specific feedback, parts)
#   _learner(seed) -> dict               the fields shown before review (beyond kind and prompt)
#   _review(value) -> dict               the fields disclosed at review


def _text_response(response):
    """A typed response: a string, blank meaning unanswered."""
    if response is None or (isinstance(response, str) and not response.strip()):
        return None, UNANSWERED
    if not isinstance(response, str):
        return None, MALFORMED
    return response, None


# --- Choices ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    """A choice of a single- or multiple-choice question, with the feedback shown when chosen."""

    id: str
    text: str
    correct: bool = False
    feedback: str = ""


def _read_options(reader):
    entries = reader.objects("options", _field_names(Option), minimum=2)
    options = tuple(
        Option(
            id=entry.text("id"),
            text=entry.text("text"),
            correct=entry.boolean("correct", False),
            feedback=entry.text("feedback", "", blank=True),
        )
        for entry in entries
    )
    _check_unique(reader, [(f"options[{i}].id", o.id) for i, o in enumerate(options)])
    # Two options showing the same text cannot be told apart by the learner.
    _check_unique(reader, [(f"options[{i}].text", o.text) for i, o in enumerate(options)])
    return options


def _options_spec(options):
    return [{"id": o.id, "text": o.text, "correct": o.correct, "feedback": o.feedback} for o in options]


def _learner_options(options, seed):
    visible = [{"id": o.id, "text": o.text} for o in options]
    return visible if seed is None else _shuffled(visible, seed, "options")


def _review_options(options, chosen):
    return [
        {"id": o.id, "text": o.text, "chosen": o.id in chosen, "correct": o.correct, "feedback": o.feedback}
        for o in options
    ]


@dataclass(frozen=True, kw_only=True)
class SingleChoice(Question):
    kind: ClassVar[str] = "single_choice"

    options: tuple[Option, ...]

    @classmethod
    def _from_reader(cls, reader):
        options = _read_options(reader)
        correct = sum(o.correct for o in options)
        if correct != 1:
            raise reader.error("options", f"needs exactly one correct option, found {correct}.")
        return {"options": options}

    def _spec(self):
        return {"options": _options_spec(self.options)}

    def _read_response(self, response):
        if response is None:
            return None, UNANSWERED
        if not isinstance(response, str) or response not in {o.id for o in self.options}:
            return None, MALFORMED
        return response, None

    def _grade(self, chosen_id):
        chosen = next(o for o in self.options if o.id == chosen_id)
        parts = tuple((o.id, (o.id == chosen_id) == o.correct) for o in self.options)
        return (ONE if chosen.correct else ZERO), (chosen.feedback,), parts

    def _learner(self, seed):
        return {"options": _learner_options(self.options, seed)}

    def _review(self, chosen_id):
        return {"options": _review_options(self.options, {chosen_id})}


@dataclass(frozen=True, kw_only=True)
class MultipleChoice(Question):
    kind: ClassVar[str] = "multiple_choice"

    options: tuple[Option, ...]
    scoring: str = PARTIAL

    @classmethod
    def _from_reader(cls, reader):
        options = _read_options(reader)
        if not any(o.correct for o in options):
            raise reader.error("options", "needs at least one correct option, found 0.")
        return {"options": options, "scoring": reader.one_of("scoring", SCORINGS, PARTIAL)}

    def _spec(self):
        return {"options": _options_spec(self.options), "scoring": self.scoring}

    def _read_response(self, response):
        if response is None:
            return None, UNANSWERED
        # A str is iterable too: "ab" is not the list ["a", "b"].
        if not isinstance(response, list | tuple | set | frozenset):
            return None, MALFORMED
        ids = {o.id for o in self.options}
        if not all(isinstance(i, str) and i in ids for i in response):
            return None, MALFORMED
        return frozenset(response), None

    def _grade(self, chosen):
        right = frozenset(o.id for o in self.options if o.correct)
        if self.scoring == ALL_OR_NOTHING:
            fraction = ONE if chosen == right else ZERO
        else:
            k = len(right)
            fraction = max(ZERO, Fraction(len(chosen & right) - len(chosen - right), k))
        feedback = tuple(o.feedback for o in self.options if o.id in chosen)
        parts = tuple((o.id, (o.id in chosen) == o.correct) for o in self.options)
        return fraction, feedback, parts

    def _learner(self, seed):
        return {"options": _learner_options(self.options, seed)}

    def _review(self, chosen):
        return {"options": _review_options(self.options, chosen or frozenset())}


# --- True or false ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class TrueFalse(Question):
    kind: ClassVar[str] = "true_false"

    answer: bool
    feedback_true: str = ""
    feedback_false: str = ""

    @classmethod
    def _from_reader(cls, reader):
        return {
            "answer": reader.boolean("answer"),
            "feedback_true": reader.text("feedback_true", "", blank=True),
            "feedback_false": reader.text("feedback_false", "", blank=True),
        }

    def _spec(self):
        return {"answer": self.answer, "feedback_true": self.feedback_true, "feedback_false": self.feedback_false}

    def _read_response(self, response):
        if response is None:
            return None, UNANSWERED
        # bool only: 1 and "true" are what a form sends, and the view converts them.
        return (response, None) if isinstance(response, bool) else (None, MALFORMED)

    def _grade(self, value):
        fraction = ONE if value == self.answer else ZERO
        return fraction, (self.feedback_true if value else self.feedback_false,), ()

    def _learner(self, seed):
        return {}

    def _review(self, value):
        return {"response": value, "answer": self.answer}


# --- Numbers ------------------------------------------------------------------------------------


def _parse_number(text):
    """A learner's number, or None: an optional sign (ASCII or U+2212 minus), digits and at most
    one "." or "," as the decimal separator; full-width forms read after NFKC."""
    text = unicodedata.normalize("NFKC", text).strip()
    if len(text) > _MAX_NUMBER_RESPONSE_LENGTH or not _RESPONSE_NUMBER.fullmatch(text):
        return None
    negative = text[0] in "-\u2212"
    digits = text.lstrip("+-\u2212").replace(",", ".")
    return Decimal(("-" if negative else "") + digits)


@dataclass(frozen=True, kw_only=True)
class Numeric(Question):
    kind: ClassVar[str] = "numeric"

    answer: Decimal
    tolerance: Decimal = Decimal(0)
    tolerance_kind: str = "absolute"

    @classmethod
    def _from_reader(cls, reader):
        answer = reader.decimal("answer")
        tolerance = reader.decimal("tolerance", "0")
        if tolerance < 0:
            raise reader.error("tolerance", f"must not be negative, found {_decimal_text(tolerance)}.")
        return {
            "answer": answer,
            "tolerance": tolerance,
            "tolerance_kind": reader.one_of("tolerance_kind", TOLERANCE_KINDS, "absolute"),
        }

    def _spec(self):
        return {
            "answer": _decimal_text(self.answer),
            "tolerance": _decimal_text(self.tolerance),
            "tolerance_kind": self.tolerance_kind,
        }

    def _allowed_error(self):
        if self.tolerance_kind == "relative":
            return Fraction(self.tolerance) * abs(Fraction(self.answer))
        return Fraction(self.tolerance)

    def _read_response(self, response):
        text, flag = _text_response(response)
        if flag:
            return None, flag
        number = _parse_number(text)
        return (None, NOT_A_NUMBER) if number is None else (number, None)

    def _grade(self, number):
        # Fractions, not Decimal subtraction, whose 28-digit context could round at the boundary.
        within = abs(Fraction(number) - Fraction(self.answer)) <= self._allowed_error()
        return (ONE if within else ZERO), (), ()

    def _learner(self, seed):
        return {}

    def _review(self, number):
        with localcontext(prec=_EXACT_PRECISION):
            allowed = self.tolerance * abs(self.answer) if self.tolerance_kind == "relative" else self.tolerance
            low, high = self.answer - allowed, self.answer + allowed
        return {
            "response": None if number is None else _decimal_text(number),
            "answer": _decimal_text(self.answer),
            "tolerance": _decimal_text(self.tolerance),
            "tolerance_kind": self.tolerance_kind,
            "accepted_range": [_decimal_text(low), _decimal_text(high)],
        }


# --- Short text ---------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShortText(Question):
    kind: ClassVar[str] = "short_text"

    accepted: tuple[str, ...]
    case_sensitive: bool = False
    whitespace: str = "collapse"

    @classmethod
    def _from_reader(cls, reader):
        entries = reader.listing("accepted", minimum=1)
        case_sensitive = reader.boolean("case_sensitive", False)
        whitespace = reader.one_of("whitespace", WHITESPACE_RULES, "collapse")
        accepted = []
        for i, entry in enumerate(entries):
            name = f"accepted[{i}]"
            if not isinstance(entry, str):
                raise reader.error(name, f"must be a string, not {_type_name(entry)}.")
            if not entry.strip():
                raise reader.error(name, "must not be blank.")
            accepted.append(entry)
        # Answers equal under the question's own rules are one answer listed twice.
        _check_unique(reader, [
            (f"accepted[{i}]", _normalise_text(a, case_sensitive, whitespace)) for i, a in enumerate(accepted)
        ])
        return {"accepted": tuple(accepted), "case_sensitive": case_sensitive, "whitespace": whitespace}

    def _spec(self):
        return {"accepted": list(self.accepted), "case_sensitive": self.case_sensitive, "whitespace": self.whitespace}

    def _normalise(self, text):
        return _normalise_text(text, self.case_sensitive, self.whitespace)

    def _read_response(self, response):
        return _text_response(response)

    def _match(self, text):
        if text is None:
            return None
        typed = self._normalise(text)
        return next((a for a in self.accepted if self._normalise(a) == typed), None)

    def _grade(self, text):
        return (ZERO if self._match(text) is None else ONE), (), ()

    def _learner(self, seed):
        return {}

    def _review(self, text):
        return {"response": text, "accepted": list(self.accepted), "matched": self._match(text)}


def _normalise_text(text, case_sensitive, whitespace):
    text = unicodedata.normalize("NFKC", text)
    if not case_sensitive:
        # casefold() can leave a string that is no longer NFKC ("ǰ" decomposes).
        text = unicodedata.normalize("NFKC", text.casefold())
    if whitespace == "collapse":
        # str.split() splits on every Unicode space, U+3000 and U+00A0 among them.
        text = " ".join(text.split())
    return text


# --- Matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchPair:
    prompt_id: str
    prompt: str
    answer_id: str
    answer: str


@dataclass(frozen=True)
class MatchDistractor:
    """An answer that matches no prompt."""

    answer_id: str
    answer: str


@dataclass(frozen=True, kw_only=True)
class Matching(Question):
    kind: ClassVar[str] = "matching"

    pairs: tuple[MatchPair, ...]
    distractors: tuple[MatchDistractor, ...] = ()
    scoring: str = PARTIAL

    @classmethod
    def _from_reader(cls, reader):
        pairs = tuple(
            MatchPair(
                prompt_id=e.text("prompt_id"), prompt=e.text("prompt"),
                answer_id=e.text("answer_id"), answer=e.text("answer"),
            )
            for e in reader.objects("pairs", _field_names(MatchPair), minimum=2)
        )
        distractors = tuple(
            MatchDistractor(answer_id=e.text("answer_id"), answer=e.text("answer"))
            for e in reader.objects("distractors", _field_names(MatchDistractor), [], minimum=0)
        )
        _check_unique(reader, [(f"pairs[{i}].prompt_id", p.prompt_id) for i, p in enumerate(pairs)])
        _check_unique(reader, [(f"pairs[{i}].prompt", p.prompt) for i, p in enumerate(pairs)])
        answers = [(f"pairs[{i}]", p) for i, p in enumerate(pairs)] + [
            (f"distractors[{i}]", d) for i, d in enumerate(distractors)
        ]
        _check_unique(reader, [(f"{path}.answer_id", a.answer_id) for path, a in answers])
        _check_unique(reader, [(f"{path}.answer", a.answer) for path, a in answers])
        return {"pairs": pairs, "distractors": distractors, "scoring": reader.one_of("scoring", SCORINGS, PARTIAL)}

    def _spec(self):
        return {
            "pairs": [
                {"prompt_id": p.prompt_id, "prompt": p.prompt, "answer_id": p.answer_id, "answer": p.answer}
                for p in self.pairs
            ],
            "distractors": [{"answer_id": d.answer_id, "answer": d.answer} for d in self.distractors],
            "scoring": self.scoring,
        }

    def _answer_texts(self):
        return {a.answer_id: a.answer for a in (*self.pairs, *self.distractors)}

    def _read_response(self, response):
        if response is None:
            return None, UNANSWERED
        if not isinstance(response, Mapping):
            return None, MALFORMED
        prompts, answers = {p.prompt_id for p in self.pairs}, self._answer_texts()
        for prompt_id, answer_id in response.items():
            if prompt_id not in prompts:
                return None, MALFORMED
            # A prompt left blank (None) is unanswered, not malformed.
            if answer_id is not None and not (isinstance(answer_id, str) and answer_id in answers):
                return None, MALFORMED
        return dict(response), None

    def _grade(self, chosen):
        parts = tuple((p.prompt_id, chosen.get(p.prompt_id) == p.answer_id) for p in self.pairs)
        right = sum(ok for _, ok in parts)
        if self.scoring == ALL_OR_NOTHING:
            fraction = ONE if right == len(parts) else ZERO
        else:
            fraction = Fraction(right, len(parts))
        return fraction, (), parts

    def _learner(self, seed):
        prompts = [{"id": p.prompt_id, "text": p.prompt} for p in self.pairs]
        if seed is not None:
            prompts = _shuffled(prompts, seed, "prompts")
        # Choices are always shuffled: in spec order they would sit beside their prompts.
        choices = [{"id": answer_id, "text": text} for answer_id, text in self._answer_texts().items()]
        return {"prompts": prompts, "choices": _shuffled(choices, _own_seed(self) if seed is None else seed, "choices")}

    def _review(self, chosen):
        chosen, texts = chosen or {}, self._answer_texts()
        return {"pairs": [
            {
                "prompt_id": p.prompt_id, "prompt": p.prompt, "answer_id": p.answer_id, "answer": p.answer,
                "chosen_id": chosen.get(p.prompt_id), "chosen": texts.get(chosen.get(p.prompt_id)),
                "correct": chosen.get(p.prompt_id) == p.answer_id,
            }
            for p in self.pairs
        ]}


# --- Ordering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrderItem:
    id: str
    text: str


def _longest_ordered_subset(positions):
    """Indexes into `positions` of one longest strictly increasing subsequence: the earliest
    ending one, each step taking the earliest predecessor, so review always shows the same one.
    Quadratic, which is nothing for the handful of items an ordering question has."""
    if not positions:
        return []
    length, previous = [1] * len(positions), [None] * len(positions)
    for i, position in enumerate(positions):
        for j in range(i):
            if positions[j] < position and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    i = length.index(max(length))
    chain = []
    while i is not None:
        chain.append(i)
        i = previous[i]
    return chain[::-1]


@dataclass(frozen=True, kw_only=True)
class Ordering(Question):
    kind: ClassVar[str] = "ordering"

    items: tuple[OrderItem, ...]
    scoring: str = PARTIAL

    @classmethod
    def _from_reader(cls, reader):
        items = tuple(
            OrderItem(id=e.text("id"), text=e.text("text"))
            for e in reader.objects("items", _field_names(OrderItem), minimum=2)
        )
        _check_unique(reader, [(f"items[{i}].id", item.id) for i, item in enumerate(items)])
        _check_unique(reader, [(f"items[{i}].text", item.text) for i, item in enumerate(items)])
        return {"items": items, "scoring": reader.one_of("scoring", SCORINGS, PARTIAL)}

    def _spec(self):
        return {"items": [{"id": i.id, "text": i.text} for i in self.items], "scoring": self.scoring}

    def _read_response(self, response):
        if response is None:
            return None, UNANSWERED
        if not isinstance(response, list | tuple) or not all(isinstance(i, str) for i in response):
            return None, MALFORMED
        if len(response) != len(self.items) or set(response) != {i.id for i in self.items}:
            return None, MALFORMED
        return tuple(response), None

    def _in_order(self, order):
        """The ids of the response's longest subsequence in the correct relative order."""
        position = {item.id: n for n, item in enumerate(self.items)}
        positions = [position[i] for i in order]
        return {order[n] for n in _longest_ordered_subset(positions)}

    def _grade(self, order):
        in_order, n = self._in_order(order), len(self.items)
        if self.scoring == ALL_OR_NOTHING:
            fraction = ONE if len(in_order) == n else ZERO
        else:
            fraction = Fraction(len(in_order) - 1, n - 1)
        return fraction, (), tuple((i, i in in_order) for i in order)

    def _learner(self, seed):
        visible = [{"id": i.id, "text": i.text} for i in self.items]
        shown = _shuffled(visible, _own_seed(self) if seed is None else seed, "items")
        if shown == visible:
            # Shown in the correct order the question would answer itself.
            shown = shown[1:] + shown[:1]
        return {"items": shown}

    def _review(self, order):
        texts = {i.id: i.text for i in self.items}
        in_order = self._in_order(order) if order else set()
        return {
            "items": [{"id": i.id, "text": i.text} for i in self.items],
            "response": [{"id": i, "text": texts[i], "in_order": i in in_order} for i in order or ()],
        }


# --- Shuffling ----------------------------------------------------------------------------------


def _check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, str | int):
        raise TypeError(f"A shuffle seed is a str or an int, not {_type_name(seed)}.")


def _rng(seed, purpose):
    """A generator derived from the seed alone: sha256, not hash() (salted per process) nor the
    time, so the same attempt shows the same order on every server and every reload."""
    _check_seed(seed)
    digest = sha256(f"{seed}\x1f{purpose}".encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _shuffled(entries, seed, purpose):
    entries = list(entries)
    _rng(seed, purpose).shuffle(entries)
    return entries


def _own_seed(question):
    """A seed from the question's content, for lists that must be shuffled when no seed is given."""
    spec = json.dumps([question.kind, question_to_spec(question)], sort_keys=True, ensure_ascii=False)
    return sha256(spec.encode()).hexdigest()


# --- The API ------------------------------------------------------------------------------------

_TYPES = {cls.kind: cls for cls in (SingleChoice, MultipleChoice, TrueFalse, Numeric, ShortText, Matching, Ordering)}
QUESTION_KINDS = tuple(_TYPES)


def _check_question(question):
    if not isinstance(question, Question) or type(question) not in _TYPES.values():
        raise TypeError(f"Expected a question of courses.questions, not {_type_name(question)}.")


def question_from_spec(kind, spec):
    """The question of type `kind` described by `spec`; QuestionSpecError names what is wrong."""
    cls = _TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise QuestionSpecError(f"Unknown question kind {kind!r}; expected one of: {', '.join(QUESTION_KINDS)}.")
    reader = _SpecReader(kind, spec, _field_names(cls))
    return cls(**cls._common_from(reader), **cls._from_reader(reader))


def question_to_spec(question):
    """The JSON-able spec of `question`, every field spelled out; `question_from_spec(question.kind,
    question_to_spec(question)) == question`."""
    _check_question(question)
    return {**question._common_spec(), **question._spec()}


def score(question, response):
    """Score `response` to `question`. Never raises for a bad response: it scores 0 with a flag."""
    _check_question(question)
    value, flag = question._read_response(response)
    if flag:
        fraction, specific, parts = ZERO, (), ()
    else:
        fraction, specific, parts = question._grade(value)
    feedback = tuple(text for text in (*specific, question._combined_feedback(fraction)) if text)
    return Score(fraction=fraction, feedback=feedback, parts=parts, flags=frozenset({flag} if flag else ()))


def learner_view(question, seed=None):
    """What of `question` a learner may see before review, as JSON-able dicts and lists: kind,
    prompt, and option, prompt, choice or item ids and texts, never correctness, feedback,
    accepted answers or tolerances. With a seed (str or int) the options are shuffled in an
    order fixed by the seed; pass one that names the attempt and the question, so that two
    questions of an attempt are not shuffled alike. Matching choices and ordering items are
    shuffled even without a seed, since their spec order is the answer."""
    _check_question(question)
    if seed is not None:
        _check_seed(seed)  # for every type, not only those with something to shuffle
    return {**question._learner_common(), **question._learner(seed)}


def review_view(question, response, score):
    """The disclosure after review: the learner's response, correctness per option or part, the
    right answers, and the score's verdict, feedback and flags. A malformed response is shown as
    no response."""
    _check_question(question)
    if not isinstance(score, Score):
        raise TypeError(f"Expected a Score, not {_type_name(score)}.")
    value, _ = question._read_response(response)
    return {
        "kind": question.kind,
        "prompt": question.prompt,
        "correct": score.correct,
        "feedback": list(score.feedback),
        "flags": sorted(score.flags),
        **question._review(value),
    }
