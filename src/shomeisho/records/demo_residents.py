"""Synthetic residents and vaccinations for demos, tests and benchmarks, as import CSV rows.

Realistic where it matters to the software: names with the characters that broke systems in
2021 (髙, 﨑, 𠮷 outside Shift_JIS and JIS X 0208), old surnames (旧姓) and passport spellings,
partial dates of birth from old registers, missing kana, two to seven COVID-19 doses on the
real schedule's dates, and routine vaccinations for children. Deterministic for a seed, so a
benchmark or a screenshot can be reproduced. Nobody here is a real person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta

from shomeisho.records.csvformat import COLUMNS

# (kanji, kana, romaji); the first three carry the characters that need care
FAMILY_NAMES = [
    ("髙橋", "タカハシ", "TAKAHASHI"), ("山﨑", "ヤマザキ", "YAMAZAKI"),
    ("𠮷田", "ヨシダ", "YOSHIDA"),
    ("佐藤", "サトウ", "SATO"), ("鈴木", "スズキ", "SUZUKI"), ("田中", "タナカ", "TANAKA"),
    ("伊藤", "イトウ", "ITO"), ("渡辺", "ワタナベ", "WATANABE"), ("渡邊", "ワタナベ", "WATANABE"),
    ("中村", "ナカムラ", "NAKAMURA"), ("小林", "コバヤシ", "KOBAYASHI"), ("加藤", "カトウ", "KATO"),
    ("齋藤", "サイトウ", "SAITO"), ("松本", "マツモト", "MATSUMOTO"), ("井上", "イノウエ", "INOUE"),
    ("比嘉", "ヒガ", "HIGA"), ("金城", "キンジョウ", "KINJO"), ("大野", "オオノ", "ONO"),
]  # fmt: skip
GIVEN_NAMES = [
    ("𠮷子", "ヨシコ", "YOSHIKO"), ("花子", "ハナコ", "HANAKO"), ("太郎", "タロウ", "TARO"),
    ("翔太", "ショウタ", "SHOTA"), ("陽菜", "ヒナ", "HINA"), ("蓮", "レン", "REN"),
    ("結衣", "ユイ", "YUI"), ("健一", "ケンイチ", "KENICHI"), ("美咲", "ミサキ", "MISAKI"),
    ("大翔", "ヒロト", "HIROTO"), ("さくら", "サクラ", "SAKURA"), ("明美", "アケミ", "AKEMI"),
    ("Emma", "エマ", "EMMA"), ("Nguyen Van", "グエン ヴァン", "NGUYEN VAN"),
]  # fmt: skip
# the COVID-19 campaign in Japan: first doses from 2021-02-17 (staff) / 2021-04-12 (elderly)
COVID_START = date(2021, 4, 12)
COVID_PRODUCTS = ["comirnaty", "comirnaty", "comirnaty", "spikevax", "spikevax", "nuvaxovid"]
SITES = ["集団接種会場", "市民病院", "かかりつけ医院", "大規模接種センター", "職域接種会場"]
DEMO_MUNICIPALITIES = ["131016", "011002", "271004", "472018"]  # 千代田区 札幌市 大阪市 那覇市


def demo_rows(
    municipality_code: str, residents: int, *, seed: int = 2021, today: date | None = None
) -> Iterator[dict[str, str]]:
    """Import CSV rows (column -> text) for ``residents`` synthetic residents."""
    today = today or date(2026, 11, 1)
    rng = random.Random(f"{seed}:{municipality_code}")  # noqa: S311 - reproducible on purpose
    for number in range(1, residents + 1):
        family, given = rng.choice(FAMILY_NAMES), rng.choice(GIVEN_NAMES)
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 365 * 90))
        birth = born.isoformat()
        if rng.random() < 0.02:  # old registers: month or day unknown
            birth = birth[:7] if rng.random() < 0.5 else birth[:4]
        person = {
            "resident_number": f"{municipality_code}-{number:08d}",
            "family_name": family[0],
            "given_name": given[0],
            "family_name_kana": family[1] if rng.random() > 0.05 else "",  # kana missing
            "given_name_kana": given[1] if rng.random() > 0.05 else "",
            "family_name_romaji": family[2],
            "given_name_romaji": given[2],
            "former_family_name": rng.choice(FAMILY_NAMES)[0] if rng.random() < 0.08 else "",
            "passport_family_name": "",
            "passport_given_name": "",
            "birth_date": birth,
            "sex": rng.choice(["male", "female", "female", "male", "unknown"]),
            "municipality_code": municipality_code,
            "source_system": "demo",
        }
        if family[2] == "ITO" and rng.random() < 0.5:  # passport spelling differs (ITOH)
            person["passport_family_name"], person["passport_given_name"] = "ITOH", given[2]
        yield from _doses(rng, person, born, today)


def _doses(
    rng: random.Random, person: dict[str, str], born: date, today: date
) -> Iterator[dict[str, str]]:
    age_2021 = (COVID_START - born).days // 365
    doses = (
        0
        if age_2021 < 5
        else rng.choices([0, 1, 2, 3, 4, 5, 6, 7], [8, 2, 30, 25, 15, 10, 6, 4])[0]
    )
    given_on = COVID_START + timedelta(days=rng.randrange(0, 120))
    product = rng.choice(COVID_PRODUCTS)
    site = rng.choice(SITES)
    for dose in range(1, doses + 1):
        if given_on > today:
            return
        yield _row(person, (given_on, product, dose, site), rng)
        given_on += timedelta(days=21 if dose == 1 else rng.randrange(150, 300))
        if dose >= 2:
            product = rng.choice(["comirnaty", "spikevax"])
    if age_2021 < 0 or (today - born).days < 365 * 2:  # born during the campaign: routine ones
        for dose, after in ((1, 60), (2, 90), (3, 120)):
            on = born + timedelta(days=after)
            if on <= today:
                yield _row(person, (on, "hib", dose, "小児科医院"), rng)


def _row(
    person: dict[str, str], vaccination: tuple[date, str, int, str], rng: random.Random
) -> dict[str, str]:
    given_on, product, dose, site = vaccination
    row = dict.fromkeys(COLUMNS, "")
    row.update(person)
    row.update(
        {
            "administered_on": given_on.isoformat(),
            "product": product,
            "lot": f"{rng.choice('EFGH')}{rng.choice('ABCDY')}{rng.randrange(1000, 9999)}",
            "dose_number": str(dose),
            "site": site,
            "source_record_id": f"{person['resident_number']}-{product}-{dose}",
        }
    )
    return row
