"""CertLogic beyond the specification's suites: the caps that keep a hostile rule from exhausting
stack, memory or time, every ``rules.*`` error code, and properties on random expressions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shomeisho.errors import RuleError, ShomeishoError, Verdict
from shomeisho.rules import DateTime, Limits, Problem, evaluate, validate
from shomeisho.rules.certlogic import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_SAFE_INTEGER,
    MAX_STRING,
    dcc_date_of_birth,
    extract_from_uvci,
    plus_time,
)


def nested_not(levels: int) -> Any:
    expr: Any = True
    for _ in range(levels):
        expr = {"!": [expr]}
    return expr


def code_of(expression: object, data: object = None, limits: Limits | None = None) -> str:
    with pytest.raises(RuleError) as raised:
        if limits is None:
            evaluate(expression, data)
        else:
            evaluate(expression, data, limits=limits)
    return raised.value.code


# -- caps ------------------------------------------------------------------------------------------
def test_depth_within_the_cap_evaluates() -> None:
    levels = MAX_DEPTH // 2  # each operation is an object holding an array: two levels
    assert evaluate(nested_not(levels), None) is (levels % 2 == 0)


def test_depth_past_the_cap_is_refused_without_recursion() -> None:
    hostile = nested_not(200_000)  # far past Python's recursion limit
    assert code_of(hostile) == "rules.depth"
    (problem,) = validate(hostile)
    assert problem.code == "rules.depth"
    assert code_of(nested_not(MAX_DEPTH // 2 + 1)) == "rules.depth"


def test_deep_arrays_count_too() -> None:
    expr: Any = 1
    for _ in range(MAX_DEPTH + 1):
        expr = [expr]
    assert code_of(expr) == "rules.depth"


def test_size_caps() -> None:
    assert code_of(list(range(MAX_NODES + 1))) == "rules.size"
    assert code_of({"in": ["a", ["x"] * MAX_NODES]}) == "rules.size"
    assert code_of("x" * (MAX_STRING + 1)) == "rules.size"
    assert code_of({"var": "a." * MAX_STRING}) == "rules.size"
    assert evaluate(list(range(1000)), None) == list(range(1000))


def test_a_cyclic_python_structure_hits_the_size_cap() -> None:
    loop: list[Any] = []
    loop.append(loop)
    assert code_of(loop, limits=Limits(max_depth=10**9)) == "rules.size"


def test_caps_can_be_tightened() -> None:
    assert code_of(nested_not(3), limits=Limits(max_depth=4)) == "rules.depth"
    assert code_of([1, 2, 3], limits=Limits(max_nodes=3)) == "rules.size"


SUM = {"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]}


def test_evaluation_budget() -> None:
    data = {"xs": list(range(1000))}
    assert evaluate(SUM, data) == sum(range(1000))
    assert code_of(SUM, data, Limits(max_steps=500)) == "rules.budget"


def test_exponential_values_hit_the_budget_not_the_clock() -> None:
    """A reduce that doubles a shared value each step, then compares it: the comparison would
    take 2**60 steps; the budget stops it."""
    double = {"reduce": [{"var": "xs"}, [{"var": "accumulator"}, {"var": "accumulator"}], 0]}
    data = {"xs": [0] * 60}
    assert code_of({"===": [double, double]}, data) == "rules.budget"
    tight = Limits(max_steps=20_000)
    assert code_of({"in": [double, [double]]}, data, tight) == "rules.budget"


def test_sums_stay_safe_integers() -> None:
    plus = {"+": [{"var": "a"}, 1]}
    assert evaluate(plus, {"a": MAX_SAFE_INTEGER - 1}) == MAX_SAFE_INTEGER
    assert code_of(plus, {"a": MAX_SAFE_INTEGER}) == "rules.integer"


# -- error codes -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "expression",
    [
        None,
        3.14,
        {},
        {"var": 0},
        {"var": "x."},
        {"var": "x..y"},
        {"or": [True, False]},  # not CertLogic, though JsonLogic has it
        {"all": []},
        {"if": [True, 1]},
        {"and": [True]},
        {"===": [1, 2, 3]},
        {"<": [1]},
        {"!": []},
        {"!": "x"},
        {"plusTime": ["2021-01-01", 1, "week"]},
        {"plusTime": ["2021-01-01", "1", "day"]},
        {"plusTime": ["2021-01-01", 1.5, "day"]},
        {"extractFromUVCI": ["x", "1"]},
        {"dccDateOfBirth": ["2004", "2005"]},
        {"var": "x", "if": []},
        (1, 2),
        DateTime(0),
    ],
    ids=repr,
)
def test_invalid_expressions(expression: object) -> None:
    problems = validate(expression)
    assert problems, "validate accepted it"
    assert all(isinstance(p, Problem) and p.code == "rules.expression" for p in problems)
    assert code_of(expression) == "rules.expression"


@pytest.mark.parametrize(
    ("expression", "data"),
    [
        ({"in": ["a", {"var": "x"}]}, {"x": "abc"}),
        ({"in": ["a", {"var": "x"}]}, None),
        ({"if": [{"plusTime": ["2021-01-01", 0, "day"]}, 1, 2]}, None),
        ({"!": [{"dccDateOfBirth": ["2004"]}]}, None),
        ({"and": [{"plusTime": ["2021-01-01", 0, "day"]}, True]}, None),
        ({"+": [True, 1]}, None),
        ({"+": ["1", 1]}, None),
        ({"<": ["a", "b"]}, None),
        ({"<=": [1, 2, True]}, None),
        ({"after": [1, 2]}, None),
        ({"before": ["2021-01-01", "2021-01-02"]}, None),
        ({"plusTime": [{"var": "d"}, 0, "day"]}, {"d": 20210101}),
        ({"plusTime": [{"var": "d"}, 0, "day"]}, None),
        ({"dccDateOfBirth": [{"var": "d"}]}, None),
        ({"extractFromUVCI": [{"var": "u"}, 0]}, {"u": 42}),
        ({"reduce": [{"var": "xs"}, 0, 0]}, {"xs": {"a": 1}}),
        ({"if": [{"var": "x"}, 1, 2]}, {"x": float("nan")}),
    ],
)
def test_type_errors(expression: object, data: object) -> None:
    assert validate(expression) == []
    assert code_of(expression, data) == "rules.type"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2021-02-30",
        "2021-13",
        "2021-00-01",
        "2021-06-01T24:00:00Z",
        "2021-06-01T12:60:00Z",
        "2021-06-01T12:00:00+24:00",
        "2021-06-01T12:00:00z",
        "2021-06-01 12:00:00",
        "2021-06-01T12:00",
        "٢٠٢١-06-01",  # Arabic-Indic digits are digits to Python's \d, not to CertLogic
        "+002021-06-01",
    ],
)
def test_date_errors(text: str) -> None:
    assert code_of({"plusTime": [text, 0, "day"]}) == "rules.date"


def test_dates_out_of_range() -> None:
    assert code_of({"plusTime": ["9999-12-31", 300_000, "year"]}) == "rules.date"
    assert code_of({"plusTime": ["2021-01-01", 10**20, "hour"]}) == "rules.date"
    assert code_of({"plusTime": ["2021-01-01", -(10**12), "month"]}) == "rules.date"


def test_data_that_is_not_json() -> None:
    assert code_of({"===": [{"var": "x"}, 1]}, {"x": (1,)}) == "rules.data"
    assert code_of({"in": [{"var": "x"}, [1]]}, {"x": b"1"}) == "rules.data"


def test_rule_errors_are_ours_and_count_as_invalid() -> None:
    error = RuleError("x", code="rules.type")
    assert isinstance(error, ShomeishoError)
    assert error.verdict is Verdict.INVALID
    with pytest.raises(ValueError, match="family"):
        RuleError("x", code="schema.payload")


# -- semantics the suites leave open -------------------------------------------------------------
def test_equality_is_strict_about_json_types() -> None:
    assert evaluate({"===": [1, True]}, None) is False
    assert evaluate({"===": [0, False]}, None) is False
    assert evaluate({"in": [1, [True]]}, None) is False
    assert evaluate({"===": [2, {"var": "x"}]}, {"x": 2.0}) is True
    assert evaluate({"===": [[1, ["a"]], {"var": "x"}]}, {"x": [1, ["a"]]}) is True
    same = {
        "===": [{"plusTime": ["2021-01-01", 24, "hour"]}, {"plusTime": ["2021-01-02", 0, "day"]}]
    }
    assert evaluate(same, None) is True


def test_var_paths() -> None:
    data = {"x": [10, {"y": "z"}], "1": "one"}
    assert evaluate({"var": "x.1.y"}, data) == "z"
    assert evaluate({"var": "x.-1"}, data) is None
    assert evaluate({"var": "x.5"}, data) is None
    assert evaluate({"var": "1"}, data) == "one"
    assert evaluate({"var": "x.0.y"}, data) is None
    assert evaluate({"var": "x.length"}, data) is None  # no JavaScript properties


def test_plus_time_follows_javascript_date_arithmetic() -> None:
    def iso(text: str, amount: int, unit: str) -> str:
        return plus_time(text, amount, unit).isoformat()

    # the specification's leap-day table
    assert iso("2020-02-29", 1, "day") == "2020-03-01T00:00:00.000Z"
    assert iso("2020-02-29", 1, "month") == "2020-03-29T00:00:00.000Z"
    assert iso("2020-02-29", 1, "year") == "2021-03-01T00:00:00.000Z"
    # month ends roll over, as setUTCMonth does
    assert iso("2021-01-31", 1, "month") == "2021-03-03T00:00:00.000Z"
    assert iso("2021-03-31", -1, "month") == "2021-03-03T00:00:00.000Z"
    assert iso("2021-12-15T10:00:00Z", 1, "month") == "2022-01-15T10:00:00.000Z"
    # offsets, fractions, partial dates
    assert iso("2021-06-01T00:00:00+02", 0, "day") == "2021-05-31T22:00:00.000Z"
    assert iso("2021-06-01T00:00:00+1", 0, "day") == "2021-05-31T23:00:00.000Z"
    assert iso("2021-06-01T00:00:00.98765-0130", 0, "hour") == "2021-06-01T01:30:00.987Z"
    assert iso("2021-06-01T00:00:00.5", 0, "hour") == "2021-06-01T00:00:00.500Z"
    assert iso("2004", 18, "year") == "2022-12-31T00:00:00.000Z"
    assert iso("2004-02", 0, "day") == "2004-02-29T00:00:00.000Z"


def test_dcc_date_of_birth_is_the_last_day_consistent_with_it() -> None:
    assert dcc_date_of_birth("2004").isoformat() == "2004-12-31T00:00:00.000Z"
    assert dcc_date_of_birth("2003-02").isoformat() == "2003-02-28T00:00:00.000Z"
    assert dcc_date_of_birth("2004-02").isoformat() == "2004-02-29T00:00:00.000Z"
    assert dcc_date_of_birth("2004-12").isoformat() == "2004-12-31T00:00:00.000Z"
    assert dcc_date_of_birth("2004-06-15").isoformat() == "2004-06-15T00:00:00.000Z"


def test_extract_from_uvci() -> None:
    assert extract_from_uvci("URN:UVCI:01:JP:ABC#X", 1) == "JP"
    assert extract_from_uvci("URN:UVCI:01:JP:ABC#X", 3) == "X"
    assert extract_from_uvci(None, 0) is None
    assert extract_from_uvci("a", -1) is None


# -- properties ------------------------------------------------------------------------------------
OPERATORS = [
    "var",
    "if",
    "===",
    "and",
    "or",
    "<",
    ">",
    "<=",
    ">=",
    "in",
    "+",
    "!",
    "plusTime",
    "reduce",
    "after",
    "before",
    "not-after",
    "not-before",
    "extractFromUVCI",
    "dccDateOfBirth",
    "all",
]
DATES = st.sampled_from(
    ["2021-06-01", "2004", "2004-02", "2021-06-01T12:00:00+02:00", "2021-02-30", "x", ""]
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    DATES,
    st.sampled_from(["day", "hour", "month", "year", "week"]),
    st.builds(lambda p: {"var": p}, st.sampled_from(["", "x", "x.0", "y.a", "0", "x.", 1])),
)


def _operation(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.builds(
        lambda op, args: {op: args}, st.sampled_from(OPERATORS), st.lists(children, max_size=4)
    )


EXPRESSIONS = st.recursive(
    LEAVES,
    lambda children: st.one_of(_operation(children), st.lists(children, max_size=3)),
    max_leaves=30,
)
JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6), DATES),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["x", "y", "a", "0"]), children, max_size=3),
    ),
    max_leaves=20,
)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(expression=EXPRESSIONS, data=JSON)
def test_evaluate_raises_only_rule_errors(expression: Any, data: Any) -> None:
    problems = validate(expression)
    assert all(isinstance(problem, Problem) for problem in problems)
    try:
        evaluate(expression, data)
    except RuleError as error:
        assert error.code.startswith("rules.")
        if problems:
            assert error.code == problems[0].code
    else:
        assert not problems, "evaluate accepted an expression validate refused"


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)),
    amount=st.integers(min_value=-100_000, max_value=100_000),
)
def test_day_and_hour_offsets_are_exact(day: date, amount: int) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    expected = start + timedelta(days=amount)
    assert plus_time(day.isoformat(), amount, "day").isoformat() == (
        expected.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    )
    assert (
        plus_time(day.isoformat(), amount, "hour").epoch_ms
        == plus_time(day.isoformat(), 0, "hour").epoch_ms + amount * 3_600_000
    )


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=date(1, 1, 1), max_value=date(9998, 12, 1)))
def test_month_of_birth_ends_on_the_last_day(day: date) -> None:
    last = dcc_date_of_birth(f"{day.year:04d}-{day.month:02d}")
    following = plus_time(last.isoformat()[:10], 1, "day").isoformat()
    assert following[8:10] == "01"
    assert following[:7] != last.isoformat()[:7]
