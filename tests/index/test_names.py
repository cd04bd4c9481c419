"""Outlets and agencies: every name, Persian or English, and every domain of one
finds its stories; facets that are one value after analysis are listed as one."""

from __future__ import annotations

import pytest

from vazeh.index.names import default_names

from .conftest import add, article, urls

MEHR_OWN = "https://www.mehrnews.com/news/1/own"
KHABAR_COPY = "https://www.khabaronline.ir/news/2/copy"
ISNA_OWN = "https://www.isna.ir/news/3/own"


@pytest.fixture
def outlets(index):
    """Mehr's own story, Khabaronline's copy crediting Mehr, and ISNA's own story,
    with the site and source fields extraction gives them."""
    add(
        index,
        article("قطار خط ده مترو به شهرک غرب می‌رسد", source="مهر", site="mehrnews.com", url=MEHR_OWN,
                category=["شهری"]),
        article("قطار خط ده مترو به شهرک غرب می‌رسد", source="مهر", site="khabaronline.ir", url=KHABAR_COPY,
                category=["شهری"]),
        article("بارش برف جاده چالوس را بست", source="ایسنا", site="isna.ir", url=ISNA_OWN, category=["شهري"]),
    )
    return index


@pytest.mark.parametrize(
    "query",
    ['source:"خبرگزاری مهر"', "source:مهر", "source:mehrnews", "source:mehrnews.com", "source:www.mehrnews.com",
     'source:"Mehr News Agency"', 'منبع:"خبرگزاري مهر"', "agency:mehr", 'خبرگزاری:"خبرگزاری مهر"'],
)
def test_every_name_of_mehr_finds_its_stories_and_the_copies_crediting_it(outlets, query):
    r = outlets.search(f"مترو {query}")
    assert sorted(urls(r)) == sorted([MEHR_OWN, KHABAR_COPY])
    assert r.total == 2


@pytest.mark.parametrize("query", ["source:خبرآنلاین", 'source:"خبر آنلاین"', "source:khabaronline.ir",
                                   "source:Khabaronline", "outlet:khabaronline", "رسانه:خبرآنلاین"])
def test_the_outlet_names_find_its_copies_of_another_agencys_story(outlets, query):
    r = outlets.search(f"مترو {query}")
    assert r.total == 1 and urls(r) == [KHABAR_COPY]


def test_outlet_and_agency_are_apart(outlets):
    assert urls(outlets.search("مترو outlet:مهر")) == [MEHR_OWN]
    assert outlets.search("مترو agency:خبرآنلاین").total == 0
    assert outlets.search("agency:ایسنا").total == 1 and outlets.search("outlet:isna.ir").total == 1


def test_outlet_and_agency_facets_list_each_once(outlets):
    r = outlets.search("قطار OR برف")
    assert dict(r.facets["outlet"]) == {"مهر": 1, "خبرآنلاین": 1, "ایسنا": 1}
    assert r.facets["agency"] == [("مهر", 2), ("ایسنا", 1)]
    hit = next(h for h in r.hits if h.url == ISNA_OWN)
    assert (hit.outlet, hit.agency) == ("ایسنا", "ایسنا")


def test_spellings_one_after_analysis_are_one_facet_value_in_the_most_frequent_spelling(outlets):
    r = outlets.search("قطار OR برف")
    assert r.facets["category"] == [("شهری", 3)]
    assert outlets.search("category:شهري").total == 3


def test_names_of_one_agency_in_the_source_facet_are_one(index):
    add(index, article("گزارش یک", source="مهر"), article("گزارش دو", source="خبرگزاری مهر"),
        article("گزارش سه", source="مهر"), article("گزارش چهار", source="روزنامهٔ پیک"))
    assert index.search("گزارش").facets["source"] == [("مهر", 3), ("روزنامهٔ پیک", 1)]


def test_an_outlet_vazeh_does_not_know_is_its_site_and_its_own_name(index):
    add(index, article("گزارش", source="خبرگزاری آوا", site="ava.example", url="http://ava.example/news/1"))
    assert index.search("source:ava.example").total == 1
    assert index.search("source:www.ava.example").total == index.search("outlet:ava").total == 1
    assert index.search('source:"خبرگزاری آوا"').total == 1
    assert index.search("outlet:ava.example").facets["outlet"] == [("ava.example", 1)]
    assert index.search("agency:ava.example").total == 0


def test_names_resolve():
    names = default_names()
    for name in ("خبرگزاری مهر", "مهر", "mehrnews", "mehrnews.com", "Mehr News Agency", "MEHR"):
        assert names.resolve(name).id == "mehr", name
    assert names.resolve("خبرگزاری جمهوری اسلامی").id == names.resolve("IRNA").id == "irna"
    assert names.resolve("news.isna.ir").id == "isna"
    assert names.resolve("bbc.com/persian").id == "bbcpersian"
    assert names.resolve("co") is None  # feeds.bbci.co.uk is not named "co"
    # VOA Persian's «صدای آمریکا» and VOA Dari's «صدای امریکا» are one spelling for
    # search: the name is left to match as a plain value, not given to one of them.
    assert names.resolve("صدای آمریکا") is None
    assert names.resolve("VOA Dari").id == "voadari"


def test_two_outlets_whose_names_fold_alike_are_two_facet_values_each_a_working_filter(index):
    add(index,
        article("گزارش یک", source="صدای آمریکا", site="ir.voanews.com", url="https://ir.voanews.com/a/1.html"),
        article("گزارش دو", source="صدای امریکا", site="darivoa.com", url="https://www.darivoa.com/a/2.html"))
    outlets = dict(index.search("گزارش").facets["outlet"])
    assert len(outlets) == 2, outlets
    for name in outlets:
        assert index.search(f'گزارش outlet:"{name}"').total == 1, name
    assert index.search('source:"صدای آمریکا"').total == 2  # the spelling both share finds both
