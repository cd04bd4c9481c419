"""What a search remembers between searches must never answer for something else:
each Names keeps its own answers, and merged facets are the same however often asked."""

from __future__ import annotations

from types import SimpleNamespace

from vazeh.index.names import build_names
from vazeh.index.search import merged_facets


def _names(outlet_id: str, name_fa: str, domain: str):
    sources = [SimpleNamespace(id=outlet_id, name_fa=name_fa, name_en="", domains=[domain])]
    return build_names(sources, SimpleNamespace(profiles=[], agencies=[]))


def test_each_names_answers_from_its_own_sources_after_the_other_answered():
    # One name, two worlds: in one it is an outlet of its own, in the other it is unknown.
    a = _names("azad", "خبر آزاد", "azad.example.ir")
    b = _names("roshan", "خبر روشن", "roshan.example.ir")
    for _ in range(2):  # the second round is answered from the caches
        assert a.facet_key("خبر آزاد") == "@azad"
        assert b.facet_key("خبر آزاد") == "خبر ازاد"  # its value_key: not an entity there
        assert a.resolve("azad.example.ir").id == "azad"
        assert b.resolve("azad.example.ir") is None
        assert b.resolve("news.roshan.example.ir").id == "roshan"
        assert a.facet_key("roshan.example.ir") != b.facet_key("roshan.example.ir")


def test_merged_facets_are_the_same_when_asked_again():
    facets = {
        "source": [("خبرگزاری مهر", 5), ("ایسنا", 4), ("مهر", 3), ("mehrnews.com", 1)],
        "outlet": [("isna.ir", 2), ("ایسنا", 2)],
        "category": [("شهري", 2), ("ورزشی", 2), ("شهری", 1)],
        "month": [("1403-01", 3)],
    }
    first = merged_facets(facets)
    assert first["source"] == [("خبرگزاری مهر", 9), ("ایسنا", 4)]
    assert first["agency"] == first["source"]
    assert first["outlet"] == [("isna.ir", 4)]
    assert first["category"] == [("شهري", 3), ("ورزشی", 2)]
    assert first["month"] == [("1403-01", 3)]
    # nothing merges: the engine's list itself, in its order
    assert merged_facets({"category": [("ورزشی", 2), ("شهری", 2)]})["category"] == [("ورزشی", 2), ("شهری", 2)]
    assert merged_facets(facets) == first


def test_a_copy_of_names_answers_alike_with_caches_of_its_own():
    import copy
    import pickle

    a = _names("azad", "خبر آزاد", "azad.example.ir")
    assert a.facet_key("خبر آزاد") == "@azad"  # a's caches now hold it
    for other in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a)):
        assert other.facet_key("خبر آزاد") == "@azad"
        assert other.resolve("news.azad.example.ir").id == "azad"
        assert other.facet_key is not a.facet_key
