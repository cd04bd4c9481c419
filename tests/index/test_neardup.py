"""Near-duplicate fingerprints: the same story in another outlet's spelling is the same story."""

from __future__ import annotations

from tests.index.conftest import article

from vazeh.index.neardup import NearDupIndex, fingerprint, similarity

STORY = (
    "سازمان هواشناسی از ورود سامانه بارشی تازه به کشور از فردا خبر داد و گفت این سامانه "
    "در استان‌های شمالی و غربی باران و برف به همراه دارد و دمای هوا تا ده درجه کاهش می‌یابد."
)
OTHER = (
    "بازار خودرو در هفته گذشته با کاهش قیمت همراه بود و فروشندگان از رکود معاملات گله داشتند "
    "و کارشناسان پیش بینی می‌کنند این روند تا پایان ماه ادامه داشته باشد."
)


def test_fingerprint_is_stable_and_compact():
    a = fingerprint(article(STORY))
    assert a == fingerprint(article(STORY))
    assert isinstance(a, bytes) and len(a) < 600


def test_spelling_variants_do_not_hide_a_republished_story():
    arabic_letters = STORY.replace("ی", "ي").replace("ک", "ك").replace("\u200c", " ")
    assert similarity(fingerprint(article(STORY)), fingerprint(article(arabic_letters))) == 1.0


def test_an_edited_copy_is_similar_and_another_story_is_not():
    edited = STORY + " به گزارش خبرنگار ما این سامانه تا آخر هفته فعال است."
    assert similarity(fingerprint(article(STORY)), fingerprint(article(edited))) >= 0.7
    assert similarity(fingerprint(article(STORY)), fingerprint(article(OTHER))) < 0.2


def test_an_article_without_text_has_an_empty_fingerprint():
    assert fingerprint(article("", title=None)) == b""


def test_groups_are_assigned_once_and_survive_a_replay(tmp_path):
    nd = NearDupIndex(tmp_path / "nd.sqlite")
    fa, fb, fc = (fingerprint(article(t)) for t in (STORY, STORY + " پایان خبر", OTHER))
    assert nd.group_of("a", fa) == "a"
    assert nd.group_of("b", fb) == "a"
    assert nd.group_of("c", fc) == "c"
    nd.commit()
    nd.close()
    nd = NearDupIndex(tmp_path / "nd.sqlite")
    assert nd.group_of("b", fb) == "a"  # replayed after a crash: the same answer
    assert nd.group_of("d", None) == "d"
    nd.close()


def test_same_story_lists_every_version_earliest_first(index):
    from tests.index.conftest import add

    keys = add(
        index,
        article(STORY, source="خبرگزاری مهر", published="2017-01-10T10:00:00+03:30"),
        article(STORY + " پایان خبر", source="روزنامهٔ پیک", published="2017-01-10T09:00:00+03:30"),
        article(OTHER, source="خبرگزاری ایسنا"),
        fingerprints=True,
    )
    group = index.same_story(keys[0])
    assert [m["source"] for m in group] == ["روزنامهٔ پیک", "خبرگزاری مهر"]  # by publish time
    assert {m["key"] for m in group} == {keys[0], keys[1]}
    assert index.same_story(keys[1]) == group
    assert index.same_story(keys[2]) == []  # alone in its group
    assert index.same_story("no such story") == []
