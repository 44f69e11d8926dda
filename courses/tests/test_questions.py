"""The question bank's scoring engine (courses.questions): specs, scores, what a learner sees and
what review discloses, from plain values with no database."""

import copy
import json
import os
import subprocess
import sys
from dataclasses import FrozenInstanceError
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from courses.questions import (
    MALFORMED,
    NOT_A_NUMBER,
    QUESTION_KINDS,
    UNANSWERED,
    QuestionSpecError,
    Score,
    learner_view,
    question_from_spec,
    question_to_spec,
    review_view,
    score,
)

# --- Specs, written out in full as a question version would store them -------------------------

SPECS = {
    "single_choice": {
        "prompt": "Which Incoterm leaves import duties to the buyer?",
        "feedback_correct": "Well done.",
        "feedback_partial": "",
        "feedback_incorrect": "Look again at who clears customs.",
        "options": [
            {"id": "a", "text": "Delivered At Place", "correct": True, "feedback": "The buyer clears import."},
            {"id": "b", "text": "Delivered Duty Paid", "correct": False, "feedback": "The seller pays here."},
            {"id": "c", "text": "Free Carrier", "correct": False, "feedback": "Not a delivered term."},
        ],
    },
    "multiple_choice": {
        "prompt": "Which documents travel with an export consignment?",
        "feedback_correct": "All of them, and nothing else.",
        "feedback_partial": "Some of them.",
        "feedback_incorrect": "Review the export checklist.",
        "options": [
            {"id": "inv", "text": "Commercial invoice", "correct": True, "feedback": "Always needed."},
            {"id": "pl", "text": "Packing list", "correct": True, "feedback": "Lists every carton."},
            {"id": "ad", "text": "Advertising brief", "correct": False, "feedback": "Marketing, not customs."},
            {"id": "hr", "text": "Staff rota", "correct": False, "feedback": "Internal only."},
        ],
        "scoring": "partial",
    },
    "true_false": {
        "prompt": "Kazakhstan is a member of the Eurasian Economic Union.",
        "feedback_correct": "Right.",
        "feedback_partial": "",
        "feedback_incorrect": "Not quite.",
        "answer": True,
        "feedback_true": "It joined in 2015.",
        "feedback_false": "It is a founding member state.",
    },
    "numeric": {
        "prompt": "A parcel is valued at 80 units, duty at 12.5 %. How much duty is due?",
        "feedback_correct": "Exactly.",
        "feedback_partial": "",
        "feedback_incorrect": "Multiply the value by the rate.",
        "answer": "10.0",
        "tolerance": "0.05",
        "tolerance_kind": "absolute",
    },
    "short_text": {
        "prompt": "Name the Incoterm where the seller pays import duties (three letters).",
        "feedback_correct": "Correct.",
        "feedback_partial": "",
        "feedback_incorrect": "Think of a delivered term.",
        "accepted": ["DDP", "Delivered Duty Paid"],
        "case_sensitive": False,
        "whitespace": "collapse",
    },
    "matching": {
        "prompt": "Match each marketplace to its home market.",
        "feedback_correct": "All matched.",
        "feedback_partial": "Some matched.",
        "feedback_incorrect": "None matched.",
        "pairs": [
            {"prompt_id": "p1", "prompt": "Ozon", "answer_id": "m1", "answer": "Russia"},
            {"prompt_id": "p2", "prompt": "Noon", "answer_id": "m2", "answer": "United Arab Emirates"},
            {"prompt_id": "p3", "prompt": "Shopee", "answer_id": "m3", "answer": "Singapore"},
        ],
        "distractors": [{"answer_id": "m4", "answer": "Brazil"}],
        "scoring": "partial",
    },
    "ordering": {
        "prompt": "Put the steps of a cross-border shipment in order.",
        "feedback_correct": "Every step in place.",
        "feedback_partial": "Partly in order.",
        "feedback_incorrect": "Start from the sale.",
        "items": [
            {"id": "s1", "text": "Receive the order"},
            {"id": "s2", "text": "Pack and label"},
            {"id": "s3", "text": "Hand over to the carrier"},
            {"id": "s4", "text": "Clear export customs"},
            {"id": "s5", "text": "Clear import customs"},
            {"id": "s6", "text": "Deliver to the buyer"},
        ],
        "scoring": "partial",
    },
}


def spec(kind, **changes):
    """A fresh copy of the kind's spec with top-level fields replaced."""
    return {**copy.deepcopy(SPECS[kind]), **changes}


def question(kind, **changes):
    return question_from_spec(kind, spec(kind, **changes))


def options_spec(flags, kind="multiple_choice", scoring="partial"):
    """A choice question whose options o0, o1, ... are correct where `flags` is True."""
    options = [{"id": f"o{i}", "text": f"Option {i}", "correct": flag, "feedback": ""} for i, flag in enumerate(flags)]
    extra = {"scoring": scoring} if kind == "multiple_choice" else {}
    return question_from_spec(kind, {"prompt": "Pick.", "options": options, **extra})


# --- Single choice ------------------------------------------------------------------------------


def test_single_choice_right_option_scores_one_with_its_feedback():
    """Choosing the correct option scores 1, with the option's feedback then the correct
    feedback."""
    result = score(question("single_choice"), "a")

    assert result.fraction == 1 and result.correct
    assert result.feedback == ("The buyer clears import.", "Well done.")
    assert result.parts == (("a", True), ("b", True), ("c", True))


def test_single_choice_wrong_option_scores_zero_with_its_feedback():
    """A wrong option scores 0 with that option's feedback then the incorrect feedback; the
    parts mark the chosen wrong option and the missed right one."""
    result = score(question("single_choice"), "b")

    assert result.fraction == 0 and not result.correct
    assert result.feedback == ("The seller pays here.", "Look again at who clears customs.")
    assert result.parts == (("a", False), ("b", False), ("c", True))


# --- Multiple choice ----------------------------------------------------------------------------


@pytest.mark.parametrize(("chosen", "expected"), [
    (["inv", "pl"], Fraction(1)),
    (["inv"], Fraction(1, 2)),
    (["inv", "pl", "ad"], Fraction(1, 2)),
    (["inv", "ad"], Fraction(0)),
    (["inv", "ad", "hr"], Fraction(0)),  # -1/2 floored at 0
    (["inv", "pl", "ad", "hr"], Fraction(0)),  # choosing everything does not pay
    ([], Fraction(0)),
])
def test_multiple_choice_partial_is_plus_and_minus_one_over_k(chosen, expected):
    """With k correct options, each correct one chosen is +1/k and each wrong one -1/k, the
    total floored at 0 (Moodle's multiple-answer rule)."""
    assert score(question("multiple_choice"), chosen).fraction == expected


def test_multiple_choice_partial_feedback_and_parts():
    """A partial score shows the chosen options' feedback and the partial feedback; parts say
    whether each option was rightly chosen or rightly left."""
    result = score(question("multiple_choice"), ["ad", "inv", "pl"])

    assert result.feedback == ("Always needed.", "Lists every carton.", "Marketing, not customs.", "Some of them.")
    assert result.parts == (("inv", True), ("pl", True), ("ad", False), ("hr", True))
    assert not result.correct


def test_multiple_choice_all_or_nothing_needs_exactly_the_correct_set():
    """All-or-nothing scores 1 for exactly the correct set and 0 for a subset or a superset."""
    mc = question("multiple_choice", scoring="all_or_nothing")

    assert score(mc, ("pl", "inv")).correct
    assert score(mc, ["inv"]).fraction == 0
    assert score(mc, ["inv", "pl", "hr"]).fraction == 0


def test_multiple_choice_repeated_ids_count_once():
    """An id sent twice is one choice, not two marks."""
    assert score(question("multiple_choice"), ["inv", "inv"]).fraction == Fraction(1, 2)


# --- True or false ------------------------------------------------------------------------------


def test_true_false_right_and_wrong_with_the_feedback_for_the_response():
    """The feedback for the response given comes first: feedback_true for True, feedback_false
    for False."""
    tf = question("true_false")

    assert score(tf, True) == Score(fraction=Fraction(1), feedback=("It joined in 2015.", "Right."))
    assert score(tf, False) == Score(fraction=Fraction(0), feedback=("It is a founding member state.", "Not quite."))


def test_true_false_answer_false_is_scored_the_other_way():
    """A statement whose answer is False scores False as correct."""
    tf = question("true_false", answer=False)

    assert score(tf, False).correct and not score(tf, True).correct


# --- Numeric ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("response", "correct"), [
    ("10", True), ("9.95", True), ("10.05", True),  # the boundary counts as correct
    ("9.9499", False), ("10.0501", False), ("-10", False),
])
def test_numeric_absolute_tolerance_includes_the_boundary(response, correct):
    """An absolute tolerance accepts |response - answer| <= tolerance, boundary included."""
    assert score(question("numeric"), response).correct is correct


def test_numeric_is_exact_where_floats_are_not():
    """0.4 is within 0.1 of 0.3 (in floats 0.4 - 0.3 is 0.10000000000000003)."""
    numeric = question("numeric", answer="0.3", tolerance="0.1")

    assert score(numeric, "0.4").correct and score(numeric, "0.2").correct


@pytest.mark.parametrize(("answer", "response", "correct"), [
    ("200", "210", True), ("200", "190", True), ("200", "210.01", False),
    ("-200", "-210", True), ("-200", "-189.99", False),
    ("0", "0", True), ("0", "0.0001", False),  # 5 % of nothing is nothing
])
def test_numeric_relative_tolerance_is_a_fraction_of_the_answer(answer, response, correct):
    """A relative tolerance of 0.05 accepts answers within 5 % of the answer's magnitude."""
    numeric = question("numeric", answer=answer, tolerance="0.05", tolerance_kind="relative")

    assert score(numeric, response).correct is correct


@pytest.mark.parametrize("response", [
    "10,0", "10,04", " 10.0 ", "+10", "9,96", "１０，０", "\u300010,0\u3000", "١٠",
])
def test_numeric_reads_comma_decimals_and_full_width_digits(response):
    """"," is a decimal separator like "."; full-width digits and spaces and other scripts'
    digits are read."""
    assert score(question("numeric", answer="10", tolerance="0.05"), response).correct


def test_numeric_reads_negative_numbers_with_either_minus_sign():
    """Both the ASCII hyphen-minus and the Unicode minus sign U+2212 make a number negative."""
    numeric = question("numeric", answer="-0.5", tolerance="0")

    assert score(numeric, "-0,5").correct and score(numeric, "\u22120.5").correct and score(numeric, "-.5").correct


@pytest.mark.parametrize("response", [
    "1,234.5", "1 234", "1.2.3", "1e3", "ten", "10 kg", "--10", "10.", "NaN", "Infinity", "9" * 101,
])
def test_numeric_response_that_is_not_a_number_scores_zero_with_a_flag(response):
    """Thousands separators, exponents, units and words are not numbers: 0 with NOT_A_NUMBER,
    never an exception."""
    result = score(question("numeric"), response)

    assert result.fraction == 0 and result.flags == {NOT_A_NUMBER}
    assert result.feedback == ("Multiply the value by the rate.",)


def test_numeric_comma_is_never_a_thousands_separator():
    """"1,234" is one point two three four, as a Russian learner means it."""
    numeric = question("numeric", answer="1.234", tolerance="0")

    assert score(numeric, "1,234").correct


# --- Short text ---------------------------------------------------------------------------------


@pytest.mark.parametrize("response", [
    "DDP", "ddp", "ＤＤＰ", "ｄｄｐ", "  DDP ", "delivered  duty\tpaid", "Delivered\u3000Duty\u3000Paid",
])
def test_short_text_matches_after_nfkc_case_folding_and_collapsing_whitespace(response):
    """Full-width letters, case and runs of whitespace (the ideographic space U+3000 included)
    do not matter by default."""
    assert score(question("short_text"), response).correct


@pytest.mark.parametrize("response", ["DP", "DDU", "D D P", "Delivered Duty"])
def test_short_text_other_answers_score_zero(response):
    """An answer not in the accepted list scores 0 with the incorrect feedback."""
    result = score(question("short_text"), response)

    assert result.fraction == 0 and result.feedback == ("Think of a delivered term.",) and not result.flags


def test_short_text_case_sensitive_still_normalises_width():
    """Case-sensitive comparison keeps case but still reads full-width letters as their ASCII
    forms."""
    short = question("short_text", case_sensitive=True)

    assert score(short, "ＤＤＰ").correct
    assert not score(short, "ddp").correct


def test_short_text_exact_whitespace_keeps_spacing():
    """With exact whitespace, padding and doubled spaces do not match; U+3000 is still a space
    after NFKC."""
    short = question("short_text", whitespace="exact")

    assert score(short, "Delivered Duty Paid").correct
    assert score(short, "Delivered\u3000Duty\u3000Paid").correct
    assert not score(short, "Delivered  Duty Paid").correct
    assert not score(short, " DDP").correct


def test_short_text_accepts_chinese_answers_typed_with_full_width_spaces():
    """A Chinese accepted answer matches with surrounding ideographic spaces."""
    short = question("short_text", accepted=["完税后交货"])

    assert score(short, "\u3000完税后交货\u3000").correct


# --- Matching -----------------------------------------------------------------------------------


def test_matching_partial_scores_the_share_of_pairs_matched():
    """Each prompt matched to its answer is 1/n; an unmatched prompt or a distractor is wrong."""
    matching = question("matching")

    assert score(matching, {"p1": "m1", "p2": "m2", "p3": "m3"}).correct
    two_of_three = score(matching, {"p1": "m1", "p2": "m2", "p3": "m4"})
    assert two_of_three.fraction == Fraction(2, 3)
    assert two_of_three.parts == (("p1", True), ("p2", True), ("p3", False))
    assert two_of_three.feedback == ("Some matched.",)
    assert score(matching, {"p1": "m1"}).fraction == Fraction(1, 3)
    assert score(matching, {"p1": "m1", "p2": None}).fraction == Fraction(1, 3)
    assert score(matching, {"p1": "m2", "p2": "m2", "p3": "m2"}).fraction == Fraction(1, 3)


def test_matching_all_or_nothing():
    """All-or-nothing matching scores 0 for two pairs of three."""
    matching = question("matching", scoring="all_or_nothing")

    assert score(matching, {"p1": "m1", "p2": "m2", "p3": "m4"}).fraction == 0
    assert score(matching, {"p1": "m1", "p2": "m2", "p3": "m3"}).correct


# --- Ordering -----------------------------------------------------------------------------------

ORDER = ["s1", "s2", "s3", "s4", "s5", "s6"]


@pytest.mark.parametrize(("response", "expected"), [
    (ORDER, Fraction(1)),
    (["s6", "s1", "s2", "s3", "s4", "s5"], Fraction(4, 5)),  # one item moved: longest subset 5
    (["s2", "s1", "s4", "s3", "s6", "s5"], Fraction(2, 5)),  # three swaps: longest subset 3
    (ORDER[::-1], Fraction(0)),
])
def test_ordering_partial_is_the_longest_ordered_subset(response, expected):
    """Partial ordering scores (L - 1)/(n - 1) for the longest subsequence L in correct
    relative order: one item moved loses little, a reversed list scores 0."""
    assert score(question("ordering"), response).fraction == expected


def test_ordering_parts_mark_the_items_in_order():
    """The parts mark, in the response's order, the items of the longest ordered subset."""
    result = score(question("ordering"), ["s6", "s1", "s2", "s3", "s4", "s5"])

    assert result.parts == (("s6", False), ("s1", True), ("s2", True), ("s3", True), ("s4", True), ("s5", True))
    assert result.feedback == ("Partly in order.",)


def test_ordering_all_or_nothing():
    """All-or-nothing ordering scores 1 for the exact order only."""
    ordering = question("ordering", scoring="all_or_nothing")

    assert score(ordering, tuple(ORDER)).correct
    assert score(ordering, ["s6", "s1", "s2", "s3", "s4", "s5"]).fraction == 0


# --- Responses of the wrong shape ---------------------------------------------------------------

MALFORMED_RESPONSES = [
    ("single_choice", "z"), ("single_choice", ["a"]), ("single_choice", 1), ("single_choice", {"a": True}),
    ("single_choice", ""),
    ("multiple_choice", "inv"), ("multiple_choice", ["inv", "zz"]), ("multiple_choice", [["inv"]]),
    ("multiple_choice", {"inv": True}), ("multiple_choice", 3),
    ("true_false", 1), ("true_false", "true"), ("true_false", [True]),
    ("numeric", 10), ("numeric", Decimal("10.0")), ("numeric", 10.0), ("numeric", ["10"]),
    ("short_text", ["DDP"]), ("short_text", b"DDP"), ("short_text", 42),
    ("matching", [["p1", "m1"]]), ("matching", {"p9": "m1"}), ("matching", {"p1": "m9"}),
    ("matching", {"p1": ["m1"]}), ("matching", {1: "m1"}), ("matching", "p1=m1"),
    ("ordering", ORDER[:-1]), ("ordering", ORDER + ["s1"]), ("ordering", ORDER[:-1] + ["s1"]),
    ("ordering", ORDER[:-1] + ["s9"]), ("ordering", "s1s2s3s4s5s6"), ("ordering", {"s1": 1}),
    ("ordering", [1, 2, 3, 4, 5, 6]),
]


@pytest.mark.parametrize(("kind", "response"), MALFORMED_RESPONSES)
def test_a_response_of_the_wrong_shape_scores_zero_without_raising(kind, response):
    """A wrong type, an unknown id or a list that is not a permutation scores 0, flagged
    MALFORMED, with the incorrect feedback."""
    result = score(question(kind), response)

    assert result.fraction == 0 and result.flags == {MALFORMED} and result.parts == ()
    assert result.feedback == tuple(f for f in [SPECS[kind]["feedback_incorrect"]] if f)


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_no_response_scores_zero_flagged_unanswered(kind):
    """None, and a blank string where text is typed, is unanswered: 0 with the UNANSWERED flag."""
    assert score(question(kind), None).flags == {UNANSWERED}
    if kind in ("numeric", "short_text"):
        assert score(question(kind), " \u3000").flags == {UNANSWERED}


def test_score_refuses_what_is_not_a_question():
    """Passing a spec where a question belongs is a programming error and raises TypeError."""
    with pytest.raises(TypeError):
        score(SPECS["single_choice"], "a")


def test_a_score_outside_zero_to_one_cannot_be_built():
    """Score guards its invariant: a Fraction in [0, 1], never a float."""
    for bad in (Fraction(-1, 2), Fraction(3, 2), 0.5, 1):
        with pytest.raises(ValueError):
            Score(fraction=bad)


# --- Spec validation ----------------------------------------------------------------------------


def _option(i, correct=False, **changes):
    return {"id": f"o{i}", "text": f"Option {i}", "correct": correct, **changes}


def _pair(prompt_id, prompt, answer_id, answer):
    return {"prompt_id": prompt_id, "prompt": prompt, "answer_id": answer_id, "answer": answer}


def _item(item_id, text):
    return {"id": item_id, "text": text}


TWO_PAIRS = SPECS["matching"]["pairs"][:2]


INVALID_SPECS = [
    ("single_choice", {"options": [_option(1, True), _option(2, True)]},
     "'options' needs exactly one correct option, found 2"),
    ("single_choice", {"options": [_option(1), _option(2)]}, "'options' needs exactly one correct option, found 0"),
    ("single_choice", {"options": [_option(1, True)]}, "'options' needs at least 2 entries"),
    ("single_choice", {"options": [_option(1, True), _option(1)]}, "'options[1].id' repeats 'options[0].id'"),
    ("single_choice", {"options": [_option(1, True), _option(2, text="Option 1")]}, "'options[1].text' repeats"),
    ("single_choice", {"options": [_option(1, True), {"id": "o2", "correct": False}]}, "'options[1].text' is required"),
    ("single_choice", {"options": [_option(1, True), _option(2, corect=True)]}, "'options[1].corect' is not a field"),
    ("single_choice", {"options": [_option(1, "yes"), _option(2)]}, "'options[0].correct' must be true or false"),
    ("single_choice", {"options": [_option(1, True), _option(2, id="")]}, "'options[1].id' must not be blank"),
    ("single_choice", {"options": [_option(1, True), _option(2, id=2)]}, "'options[1].id' must be a string, not int"),
    ("single_choice", {"options": "a,b"}, "'options' must be a list, not str"),
    ("single_choice", {"options": [_option(1, True), "o2"]}, "'options[1]' must be an object, not str"),
    ("single_choice", {"prompt": "   "}, "'prompt' must not be blank"),
    ("single_choice", {"prompt": None}, "'prompt' must be a string, not null"),
    ("single_choice", {"scoring": "partial"}, "'scoring' is not a field"),
    ("multiple_choice", {"options": [_option(1), _option(2)]}, "'options' needs at least one correct option, found 0"),
    ("multiple_choice", {"scoring": "generous"}, "'scoring' must be one of 'all_or_nothing', 'partial'"),
    ("true_false", {"answer": "yes"}, "'answer' must be true or false, not str"),
    ("numeric", {"tolerance": "-0.5"}, "'tolerance' must not be negative"),
    ("numeric", {"answer": "1,5"}, "'answer' must be a plain decimal string"),
    ("numeric", {"answer": 1.5}, "'answer' must be a decimal string such as \"12.5\", not float"),
    ("numeric", {"answer": "1e3"}, "'answer' must be a plain decimal string"),
    ("numeric", {"answer": "NaN"}, "'answer' must be a plain decimal string"),
    ("numeric", {"tolerance_kind": "percent"}, "'tolerance_kind' must be one of 'absolute', 'relative'"),
    ("short_text", {"accepted": []}, "'accepted' needs at least 1 entry, found 0"),
    ("short_text", {"accepted": ["DDP", " "]}, "'accepted[1]' must not be blank"),
    ("short_text", {"accepted": ["DDP", 3]}, "'accepted[1]' must be a string, not int"),
    ("short_text", {"accepted": ["DDP", "ｄｄｐ"]}, "'accepted[1]' repeats 'accepted[0]'"),
    ("short_text", {"whitespace": "trim"}, "'whitespace' must be one of 'exact', 'collapse'"),
    ("matching", {"pairs": [SPECS["matching"]["pairs"][0]]}, "'pairs' needs at least 2 entries, found 1"),
    ("matching", {"pairs": [*TWO_PAIRS, TWO_PAIRS[0]]}, "'pairs[2].prompt_id' repeats 'pairs[0].prompt_id'"),
    ("matching", {"pairs": [*TWO_PAIRS, _pair("p3", "Ozon", "m3", "Singapore")]},
     "'pairs[2].prompt' repeats 'pairs[0].prompt'"),
    ("matching", {"pairs": [*TWO_PAIRS, _pair("p3", "Shopee", "m1", "Singapore")]},
     "'pairs[2].answer_id' repeats 'pairs[0].answer_id'"),
    ("matching", {"pairs": [*TWO_PAIRS, _pair("p3", "Shopee", "m3", "Russia")]},
     "'pairs[2].answer' repeats 'pairs[0].answer'"),
    ("matching", {"distractors": [{"answer_id": "m4", "answer": "Russia"}]},
     "'distractors[0].answer' repeats 'pairs[0].answer'"),
    ("matching", {"distractors": [{"answer_id": "m2", "answer": "Chile"}]},
     "'distractors[0].answer_id' repeats 'pairs[1].answer_id'"),
    ("ordering", {"items": [{"id": "s1", "text": "Only step"}]}, "'items' needs at least 2 entries, found 1"),
    ("ordering", {"items": [_item("s1", "One"), _item("s1", "Two")]}, "'items[1].id' repeats 'items[0].id'"),
    ("ordering", {"items": [_item("s1", "One"), _item("s2", "One")]}, "'items[1].text' repeats 'items[0].text'"),
]


@pytest.mark.parametrize(("kind", "changes", "message"), INVALID_SPECS)
def test_an_invalid_spec_raises_naming_the_field(kind, changes, message):
    """An invalid spec raises QuestionSpecError, a ValueError whose message names the kind and
    the field."""
    with pytest.raises(QuestionSpecError) as raised:
        question_from_spec(kind, spec(kind, **changes))

    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(f"{kind}: ")
    assert message in str(raised.value)


def test_a_missing_required_field_is_named():
    """A spec without its answers says which field is required."""
    bare = spec("short_text")
    del bare["accepted"]

    with pytest.raises(QuestionSpecError, match="short_text: 'accepted' is required."):
        question_from_spec("short_text", bare)


@pytest.mark.parametrize(("kind", "spec_value", "message"), [
    ("essay", {}, "Unknown question kind 'essay'"),
    (None, {}, "Unknown question kind None"),
    ("numeric", ["10"], "numeric: the spec must be an object, not list"),
])
def test_an_unknown_kind_or_a_spec_that_is_not_an_object_raises(kind, spec_value, message):
    """The kind must be one of QUESTION_KINDS and the spec a JSON object."""
    with pytest.raises(QuestionSpecError, match=message):
        question_from_spec(kind, spec_value)


# --- Round trip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_a_spec_round_trips_through_json(kind):
    """A full spec comes back unchanged through the question and through JSON, and the question
    rebuilt from it is equal to the first."""
    built = question(kind)
    back = question_to_spec(built)

    assert back == SPECS[kind]
    assert question_from_spec(kind, json.loads(json.dumps(back))) == built
    assert built.kind == kind


def test_a_minimal_spec_gets_its_defaults_spelled_out():
    """Optional fields take their defaults, written out by question_to_spec."""
    numeric = question_from_spec("numeric", {"prompt": "How many?", "answer": "3"})

    assert question_to_spec(numeric) == {
        "prompt": "How many?", "feedback_correct": "", "feedback_partial": "", "feedback_incorrect": "",
        "answer": "3", "tolerance": "0", "tolerance_kind": "absolute",
    }


def test_small_decimals_keep_fixed_point_in_the_spec():
    """A tolerance of 0.0000001 is written back as such, not as "1E-7" (which a spec refuses)."""
    numeric = question("numeric", tolerance="0.0000001")

    assert question_to_spec(numeric)["tolerance"] == "0.0000001"
    assert question_from_spec("numeric", question_to_spec(numeric)) == numeric


def test_questions_are_frozen_and_hashable():
    """A question is an immutable value: it can key a cache."""
    built = question("matching")

    with pytest.raises(FrozenInstanceError):
        built.prompt = "Changed"
    assert {built: 1}[question("matching")] == 1


# --- What a learner sees ------------------------------------------------------------------------

FORBIDDEN_KEY_WORDS = ("correct", "answer", "accepted", "feedback", "tolerance")


def _walk(value):
    """Every key and every scalar value of a nested structure of dicts and lists."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield "key", key
            yield from _walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    else:
        yield "value", value


def _secrets_and_visible(kind, spec_value):
    """Strings a learner must not see before review, and those shown anyway as texts to choose."""
    secrets = {spec_value[name] for name in ("feedback_correct", "feedback_partial", "feedback_incorrect")}
    visible = {spec_value["prompt"]}
    for option in spec_value.get("options", []):
        secrets.add(option["feedback"])
        visible.update((option["id"], option["text"]))
    for pair in spec_value.get("pairs", []):
        visible.update((pair["prompt_id"], pair["prompt"], pair["answer_id"], pair["answer"]))
    for distractor in spec_value.get("distractors", []):
        visible.update(distractor.values())
    for item in spec_value.get("items", []):
        visible.update(item.values())
    secrets.update(spec_value.get("accepted", []))
    secrets.update(spec_value.get(name) for name in ("feedback_true", "feedback_false"))
    if kind == "numeric":
        secrets.update((spec_value["answer"], spec_value["tolerance"], spec_value["answer"].replace(".", ",")))
    return {s for s in secrets if s} - visible, visible


@pytest.mark.parametrize("seed", [None, "attempt-7:q3"])
@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_learner_view_leaks_no_answer_for_any_type(kind, seed):
    """Before review a learner sees no key about correctness, answers, feedback or tolerance,
    no boolean, and no secret text anywhere (an accepted answer, a numeric answer, any
    feedback) unless it is also a visible option text; the view is JSON-able."""
    view = learner_view(question(kind), seed=seed)
    secrets, visible = _secrets_and_visible(kind, SPECS[kind])

    json.dumps(view)
    assert view["kind"] == kind and view["prompt"] == SPECS[kind]["prompt"]
    for role, value in _walk(view):
        if role == "key":
            assert not any(word in value.lower() for word in FORBIDDEN_KEY_WORDS), value
        else:
            assert not isinstance(value, bool), "a boolean can only be a correctness flag"
            assert value in visible or value == kind, value
        assert not any(secret.casefold() in value.casefold() for secret in secrets), value


def test_learner_view_of_a_matching_question_keeps_prompts_and_choices_apart():
    """Matching shows prompts and choices as separate lists, so no entry pairs a prompt with its
    answer; the distractor is among the choices."""
    view = learner_view(question("matching"))

    assert [p["text"] for p in view["prompts"]] == ["Ozon", "Noon", "Shopee"]
    assert sorted(c["text"] for c in view["choices"]) == ["Brazil", "Russia", "Singapore", "United Arab Emirates"]
    assert set(view) == {"kind", "prompt", "prompts", "choices"}


@pytest.mark.parametrize("seed", [None, 0, 1, 2, "a", "b", "attempt-1:q1"])
def test_learner_view_never_shows_an_ordering_in_its_correct_order(seed):
    """Ordering items are always shuffled, with or without a seed, and never into the answer."""
    items = learner_view(question("ordering"), seed=seed)["items"]

    assert [i["id"] for i in items] != ORDER
    assert sorted(i["id"] for i in items) == ORDER


def test_learner_view_never_shows_a_two_item_ordering_in_order():
    """Even with two items, where a shuffle keeps the order half the time, the view swaps them."""
    two = question_from_spec("ordering", {"prompt": "Order.", "items": [_item("x", "First"), _item("y", "Second")]})

    for seed in range(20):
        assert [i["id"] for i in learner_view(two, seed=seed)["items"]] == ["y", "x"]


# --- Deterministic shuffling --------------------------------------------------------------------

SIX = [False, False, True, False, False, False]


def _order(view, key="options"):
    return [entry["id"] for entry in view[key]]


def test_options_keep_the_authored_order_without_a_seed():
    """Without a seed, choice options are shown in the order the author wrote them."""
    assert _order(learner_view(options_spec(SIX, "single_choice"))) == ["o0", "o1", "o2", "o3", "o4", "o5"]


def test_the_same_seed_gives_the_same_order():
    """A seed fixes the order: the same seed (str or int) gives the same shuffle every time."""
    single = options_spec(SIX, "single_choice")

    assert _order(learner_view(single, seed="attempt-1:q1")) == _order(learner_view(single, seed="attempt-1:q1"))
    assert _order(learner_view(single, seed=42)) == _order(learner_view(single, seed=42))
    assert sorted(_order(learner_view(single, seed=42))) == ["o0", "o1", "o2", "o3", "o4", "o5"]


def test_different_seeds_give_different_orders():
    """Across a few seeds a six-option question is shown in more than one order."""
    single = options_spec(SIX, "single_choice")
    orders = {tuple(_order(learner_view(single, seed=seed))) for seed in ("s1", "s2", "s3", "s4", 5)}

    assert len(orders) > 1


def test_shuffling_does_not_depend_on_the_process():
    """The order comes from sha256 of the seed, not hash(): processes with different hash salts
    show the order this process shows."""
    script = (
        "from courses.questions import question_from_spec, learner_view;"
        "q = question_from_spec('single_choice', {'prompt': 'Pick.', 'options': ["
        "{'id': f'o{i}', 'text': f'Option {i}', 'correct': i == 2} for i in range(6)]});"
        "print([o['id'] for o in learner_view(q, seed='attempt-9:q2')['options']])"
    )
    root = Path(__file__).resolve().parents[2]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
            env={**os.environ, "PYTHONHASHSEED": salt},
        ).stdout.strip()
        for salt in ("1", "2")
    }
    here = _order(learner_view(options_spec(SIX, "single_choice"), seed="attempt-9:q2"))

    assert outputs == {str(here)}


def test_a_seed_must_be_a_string_or_an_integer():
    """A float or an object as the seed is a programming error, for every type."""
    for kind in QUESTION_KINDS:
        with pytest.raises(TypeError):
            learner_view(question(kind), seed=1.5)


# --- Review -------------------------------------------------------------------------------------


def test_review_of_a_choice_question_marks_each_option():
    """Review shows each option as chosen or not and correct or not, with its feedback, plus the
    score's verdict and feedback."""
    mc = question("multiple_choice")
    response = ["inv", "ad"]
    view = review_view(mc, response, score(mc, response))

    assert view["correct"] is False and view["feedback"][-1] == "Review the export checklist."
    assert [(o["id"], o["chosen"], o["correct"]) for o in view["options"]] == [
        ("inv", True, True), ("pl", False, True), ("ad", True, False), ("hr", False, False),
    ]
    assert view["options"][2]["feedback"] == "Marketing, not customs."


def test_review_of_a_numeric_question_gives_the_accepted_range():
    """Numeric review shows the number read, the answer and the range accepted, exactly."""
    numeric = question("numeric", answer="200", tolerance="0.05", tolerance_kind="relative")
    view = review_view(numeric, "205,5", score(numeric, "205,5"))

    assert view["response"] == "205.5" and view["answer"] == "200"
    assert view["accepted_range"] == ["190.00", "210.00"] and view["correct"]


def test_review_of_a_short_text_question_names_the_answer_matched():
    """Short-text review lists the accepted answers and which one the response matched."""
    short = question("short_text")
    view = review_view(short, "ｄｄｐ", score(short, "ｄｄｐ"))

    assert view["accepted"] == ["DDP", "Delivered Duty Paid"] and view["matched"] == "DDP"


def test_review_of_matching_and_ordering_shows_each_part():
    """Matching review pairs each prompt with its answer and the learner's choice; ordering
    review gives the correct order and marks the response's items in order."""
    matching = question("matching")
    chosen = {"p1": "m1", "p2": "m4"}
    pairs = review_view(matching, chosen, score(matching, chosen))["pairs"]
    assert [(p["prompt"], p["answer"], p["chosen"], p["correct"]) for p in pairs] == [
        ("Ozon", "Russia", "Russia", True),
        ("Noon", "United Arab Emirates", "Brazil", False),
        ("Shopee", "Singapore", None, False),
    ]

    ordering = question("ordering")
    order = ["s6", "s1", "s2", "s3", "s4", "s5"]
    view = review_view(ordering, order, score(ordering, order))
    assert [i["id"] for i in view["items"]] == ORDER
    assert [i["in_order"] for i in view["response"]] == [False, True, True, True, True, True]


@pytest.mark.parametrize(("kind", "response"), MALFORMED_RESPONSES[::4])
def test_review_of_a_malformed_response_shows_no_response(kind, response):
    """A malformed response is reviewed as no response, with the MALFORMED flag, and never
    raises."""
    built = question(kind)
    view = review_view(built, response, score(built, response))

    assert view["flags"] == [MALFORMED] and view["correct"] is False
    json.dumps(view)


def test_review_of_true_false_gives_the_answer():
    """True/false review shows the response and the right answer."""
    tf = question("true_false")

    assert review_view(tf, False, score(tf, False))["answer"] is True


# --- Properties ---------------------------------------------------------------------------------

ALL_IDS = sorted({
    value
    for kind_spec in SPECS.values()
    for name in ("options", "pairs", "distractors", "items")
    for entry in kind_spec.get(name, [])
    for key, value in entry.items()
    if key.endswith("id")
})
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.decimals(), st.text(max_size=12),
    st.sampled_from(ALL_IDS), st.sampled_from(["10", "10,05", "ＤＤＰ", "1e3", ""]),
)
responses = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=7), st.lists(st.sampled_from(ALL_IDS), max_size=7), st.permutations(ORDER),
        st.dictionaries(st.sampled_from(ALL_IDS), st.one_of(st.none(), st.sampled_from(ALL_IDS)), max_size=4),
        st.dictionaries(st.text(max_size=3), inner, max_size=3),
    ),
    max_leaves=10,
)


@given(kind=st.sampled_from(QUESTION_KINDS), response=responses)
def test_any_response_scores_within_zero_and_one(kind, response):
    """Whatever is sent, a score is an exact Fraction in [0, 1], correct only at 1, and review
    never raises."""
    built = question(kind)
    result = score(built, response)

    assert isinstance(result.fraction, Fraction) and 0 <= result.fraction <= 1
    assert result.correct == (result.fraction == 1)
    review_view(built, response, result)


correct_flags = st.lists(st.booleans(), min_size=2, max_size=8).filter(any)


@given(flags=correct_flags, data=st.data())
def test_multiple_choice_partial_rewards_the_correct_set_and_never_a_wrong_option(flags, data):
    """Choosing exactly the correct options scores 1, and adding a wrong option to any choice
    never raises the score."""
    mc = options_spec(flags)
    ids = [f"o{i}" for i in range(len(flags))]
    right = [i for i, flag in zip(ids, flags, strict=True) if flag]
    wrong = [i for i in ids if i not in right]

    assert score(mc, right).correct
    chosen = data.draw(st.lists(st.sampled_from(ids), unique=True), label="chosen")
    extra = [i for i in wrong if i not in chosen]
    assume(extra)
    added = data.draw(st.sampled_from(extra), label="added")
    assert score(mc, chosen + [added]).fraction <= score(mc, chosen).fraction


decimals = st.decimals(min_value=-10_000, max_value=10_000, places=3, allow_nan=False, allow_infinity=False)


@given(answer=decimals, tolerance=st.decimals(min_value=0, max_value=100, places=3), comma=st.booleans())
def test_numeric_boundary_is_inside_and_just_beyond_is_outside(answer, tolerance, comma):
    """For any answer and absolute tolerance, answer +/- tolerance is correct and one step
    further is not, whichever decimal separator the learner types."""
    numeric = question_from_spec(
        "numeric", {"prompt": "?", "answer": format(answer, "f"), "tolerance": format(tolerance, "f")},
    )
    step = Decimal("0.0001")

    def typed(value):
        text = format(value, "f")
        return text.replace(".", ",") if comma else text

    assert score(numeric, typed(answer + tolerance)).correct
    assert score(numeric, typed(answer - tolerance)).correct
    assert not score(numeric, typed(answer + tolerance + step)).correct
    assert not score(numeric, typed(answer - tolerance - step)).correct


@given(order=st.permutations(ORDER))
def test_ordering_only_the_correct_order_scores_one(order):
    """Every permutation scores within [0, 1] and only the correct order scores 1."""
    result = score(question("ordering"), order)

    assert 0 <= result.fraction <= 1
    assert result.correct == (list(order) == ORDER)


@given(accepted=st.text(min_size=1, max_size=10).filter(str.strip), seed=st.one_of(st.integers(), st.text(max_size=5)))
def test_learner_view_of_short_text_never_holds_the_accepted_answer(accepted, seed):
    """Whatever the accepted answer, the short-text learner view holds only kind and prompt."""
    short = question_from_spec("short_text", {"prompt": "Type the term.", "accepted": [accepted]})

    assert learner_view(short, seed=seed) == {"kind": "short_text", "prompt": "Type the term."}
