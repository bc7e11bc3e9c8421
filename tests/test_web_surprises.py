"""What a new user tried and was surprised by (issue 15): every answer here was wrong once."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("q=x&ar=abcd", "ar", "fyra siffror"),
        ("fran=2015&till=2010", "fran", "bakvänt"),
        ("beslut=kanske", "beslut", "ja"),
    ],
)
def test_invalid_filter_values_are_400_with_swedish_reason(
    client: Any, query: str, parameter: str, words: str
):
    resp = client.get(f"/api/search?{query}")
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["parameter"] == parameter and words in body["error"]
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and words in page.get_data(as_text=True)


def test_backwards_year_range_in_trends_is_400(client: Any):
    resp = client.get("/api/trends?q=budget&fran_ar=2016&till_ar=2010")
    assert resp.status_code == 400 and "bakvänt" in resp.get_json()["error"]


@pytest.mark.parametrize("query", ["a*", "a* kommun:Umeå", "budget"])
def test_facets_agree_with_hits(client: Any, query: str):
    """A single-valued facet (organisation) counts each hit once: its counts add up to the total."""
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert sum(data["facets"]["organisation"].values()) == data["total"]
    if query.startswith("a*"):
        assert "ignorerades" in (data["message"] or "")
