"""The C nesting check (``_accel.json_too_deep``) against :func:`strict_json._too_deep`."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shomeisho.wire import strict_json

pytestmark = pytest.mark.skipif(
    strict_json._too_deep_c is None, reason="the optional C accelerator is not built"
)


class Dict(dict[Any, Any]):
    pass


class List(list[Any]):
    pass


json_like = st.recursive(
    st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=3), inner, max_size=4),
        st.lists(inner, max_size=2).map(List),
        st.dictionaries(st.text(max_size=3), inner, max_size=2).map(Dict),
        st.tuples(inner),
    ),
    max_leaves=40,
)


@settings(max_examples=600, deadline=None)
@given(value=json_like, budget=st.integers(-2, 30))
def test_the_same_answer_as_the_python_walk(value: Any, budget: int) -> None:
    assert strict_json._too_deep_c is not None
    assert strict_json._too_deep_c(value, budget) is strict_json._too_deep(value, budget)


def test_exact_types_only_below_the_top() -> None:
    assert strict_json._too_deep_c is not None
    for value in ([[[]]], {"a": {"b": {}}}, Dict(a=[[]]), List([[[]]]), [List([[]])], 5, "x"):
        for budget in range(-1, 5):
            assert strict_json._too_deep_c(value, budget) is strict_json._too_deep(value, budget)


def test_deep_input_and_large_budgets() -> None:
    assert strict_json._too_deep_c is not None
    deep: Any = []
    for _ in range(5000):
        deep = [deep]
    assert strict_json._too_deep_c(deep, 24) is True
    assert strict_json._too_deep_c(deep, 10**6) is None  # declined: Python decides
    with pytest.raises(Exception, match="deeper"):
        strict_json.check_depth(deep, 24)
