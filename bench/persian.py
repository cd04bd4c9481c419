"""Speed of vazeh.persian: tokenize MB/s and parse_date dates per second.

    .venv/bin/python bench/persian.py [--mb 4] [--dates 20000] [--corpus ../shared/corpus]

The text is generated (seeded) from our own word list in the shape of Persian news: ZWNJ
compounds and plurals, Arabic yeh/kaf in a share of words, harakat and tatweel now and then,
Persian and ASCII digits, decimals with ٫, punctuation « » ، . ؛ and some Latin. MB counts UTF-8
bytes. With --corpus, the gold article bodies of the shared corpus are measured too (read at run
time, never copied). The target (issue 3) is at least 20 MB/s on one core.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vazeh.persian import (  # noqa: E402
    TEHRAN,
    format_jalali,
    jalali_ymd,
    normalize,
    parse_date,
    to_persian_digits,
    tokenize,
)

ZWNJ = "\u200c"
WORDS = (
    "گزارش خبرنگار شهر استان دولت مجلس وزیر رئیس مدیر کارشناس مردم کشور ایران تهران اصفهان "
    "سال ماه روز هفته امروز دیروز اقتصاد بازار قیمت نرخ ارز طلا نفت گاز برق آب مدرسه دانشگاه "
    "دانشجو معلم پزشک بیمارستان درمان سلامت ورزش فوتبال تیم بازی جام قهرمانی گفت کرد شد است "
    "بود دارد کند باید خواهد برای این آن که در از به با تا را هم یا اما نیز پس پیش بعد همچنین "
    "طرح برنامه قانون لایحه بودجه توسعه تولید صادرات واردات شرکت کارخانه کارگر حقوق مسکن اجاره "
    "خودرو ترافیک هوا آلودگی باران برف سیل زلزله امداد نجات پلیس دادگاه حکم پرونده"
).split()
COMPOUNDS = (
    ("می", "شود"), ("می", "گوید"), ("نمی", "توان"), ("راه", "اندازی"), ("کتاب", "ها"),
    ("خبرگزاری", "ها"), ("شبکه", "های"), ("رئیس", "جمهور"), ("بین", "المللی"), ("اطلاع", "رسانی"),
    ("سه", "شنبه"), ("هم", "اکنون"), ("دانش", "آموزان"), ("بهره", "برداری"),
)  # fmt: skip
ARABIC = str.maketrans("یک", "يك")
PUNCT = ("،", ".", "؛", ":", "!", "؟")


def news_text(rng: random.Random, n_bytes: int) -> str:
    parts: list[str] = []
    size = 0
    while size < n_bytes:
        roll = rng.random()
        if roll < 0.12:
            a, b = rng.choice(COMPOUNDS)
            word = a + rng.choice((ZWNJ, ZWNJ, ZWNJ, " ", "")) + b
        elif roll < 0.17:
            word = rng.choice(("۱۴۰۲", "۱۳۹۵", "۲٫۵", "۱٬۲۰۰", "45", "۳۰", "١٢"))
        elif roll < 0.19:
            word = rng.choice(
                ("«" + rng.choice(WORDS) + "»", "IRNA", "COVID-19", "(" + rng.choice(WORDS) + ")")
            )
        else:
            word = rng.choice(WORDS)
            if rng.random() < 0.1:
                word = word.translate(ARABIC)
            if rng.random() < 0.02:
                word = word[:1] + "\u064e" + word[1:]
            if rng.random() < 0.01:
                word = word[:1] + "\u0640\u0640" + word[1:]
        if rng.random() < 0.08:
            word += rng.choice(PUNCT)
        parts.append(word)
        size += len(word.encode()) + 1
    return " ".join(parts)


def date_strings(rng: random.Random, n: int) -> list[str]:
    start = datetime(2012, 1, 1, tzinfo=TEHRAN)
    shapes = []
    for _ in range(n):
        dt = start + timedelta(minutes=rng.randrange(12 * 365 * 24 * 60))
        shown = format_jalali(dt)
        kind = rng.randrange(6)
        if kind == 0:
            shapes.append(shown)
        elif kind == 1:
            shapes.append("تاریخ انتشار: " + shown.split(" ", 1)[1].replace(" - ", "، ساعت "))
        elif kind == 2:
            shapes.append(dt.strftime("%Y-%m-%dT%H:%M:%S%z"))
        elif kind == 3:
            shapes.append(dt.strftime("%a, %d %b %Y %H:%M:%S %z"))
        elif kind == 4:
            shapes.append(f"{rng.randrange(1, 23)} ساعت پیش")
        else:
            y, m, d = jalali_ymd(dt)
            shapes.append(to_persian_digits(f"{y}/{m:02d}/{d:02d} - {dt:%H:%M}"))
    return shapes


def mb_per_second(fn, text: str, repeat: int) -> tuple[float, float]:
    """(wall-clock, CPU-time) MB/s, best of ``repeat``: CPU time is what one core can do even
    when the machine is shared, wall-clock what this run got."""
    size = len(text.encode()) / 1e6
    wall = cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(text)
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return size / wall, size / max(cpu, 1e-9)


def show(label: str, speeds: tuple[float, float], note: str = "") -> None:
    wall, cpu = speeds
    print(f"{label}: {cpu:6.1f} MB/s CPU time, {wall:6.1f} MB/s wall clock{note}")


def corpus_bodies(corpus: Path) -> str:
    bodies = []
    for gold in sorted(corpus.glob("gold/**/*.json")):
        data = json.loads(gold.read_text(encoding="utf-8"))
        body = data.get("body") or []
        bodies.append("\n".join([data.get("title") or "", *(body if isinstance(body, list) else [body])]))
    return "\n".join(bodies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=4.0, help="size of the generated text")
    parser.add_argument("--dates", type=int, default=20000, help="how many date strings to parse")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=None, help="also measure the corpus gold bodies")
    args = parser.parse_args()

    rng = random.Random(1403)
    text = news_text(rng, int(args.mb * 1e6))
    tokens = tokenize(text)
    print(f"generated text: {len(text.encode()) / 1e6:.1f} MB, {len(tokens):,} tokens")
    show("tokenize ", mb_per_second(tokenize, text, args.repeat), " (target >= 20)")
    show("normalize", mb_per_second(normalize, text, args.repeat))
    if args.corpus is not None:
        bodies = corpus_bodies(args.corpus)
        reps = max(1, int(2e6 / max(1, len(bodies.encode()))))
        bodies = "\n".join([bodies] * reps)
        show(
            f"tokenize, corpus gold text x{reps} ({len(bodies.encode()) / 1e6:.1f} MB)",
            mb_per_second(tokenize, bodies, args.repeat),
        )

    strings = date_strings(rng, args.dates)
    now = datetime(2024, 1, 1, 12, 0, tzinfo=TEHRAN)
    w0, c0 = time.perf_counter(), time.process_time()
    for s in strings:
        parse_date(s, now=now)
    wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    print(
        f"parse_date: {len(strings) / cpu:,.0f} dates/s CPU time, {len(strings) / wall:,.0f} wall clock "
        f"({len(strings):,} mixed strings)"
    )
    sample = strings[:5000]
    c0 = time.process_time()
    for s in sample:
        format_jalali(parse_date(s, now=now))
    print(f"parse_date + format_jalali: {len(sample) / (time.process_time() - c0):,.0f} /s CPU time")


if __name__ == "__main__":
    main()
