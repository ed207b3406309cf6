"""Test data for the record system: staff of two municipalities, residents, events, CSV text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date

from sqlalchemy import Engine

from shomeisho.db.staff import create_staff
from shomeisho.identity.cards import CardHolder
from shomeisho.records.entities import EventDetails, ResidentDetails, Role, Sex, Staff

CHIYODA = "131016"  # 東京都千代田区
SAPPORO = "011002"  # 北海道札幌市

CLERK_A = Staff(1, "clerk-chiyoda", "千代田 職員", Role.CLERK, CHIYODA)
ADMIN_A = Staff(2, "admin-chiyoda", "千代田 管理者", Role.MUNICIPAL_ADMIN, CHIYODA)
CLERK_B = Staff(3, "clerk-sapporo", "札幌 職員", Role.CLERK, SAPPORO)
OPERATOR = Staff(4, "operator", "国 運用者", Role.NATIONAL_OPERATOR, None)


def resident(
    number: str = "A0001", municipality: str = CHIYODA, **changes: object
) -> ResidentDetails:
    base = ResidentDetails(
        municipality_code=municipality,
        resident_number=number,
        family_name="髙橋",
        given_name="𠮷子",
        family_name_kana="タカハシ",
        given_name_kana="ヨシコ",
        family_name_romaji="TAKAHASHI",
        given_name_romaji="YOSHIKO",
        birth_date="1961-04-09",
        sex=Sex.FEMALE,
        former_family_name="山﨑",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def event(source_id: str = "VRS-1", dose: int = 1, **changes: object) -> EventDetails:
    base = EventDetails(
        administered_on=date(2021, 6, 1),
        product_code="comirnaty",
        lot="FA4597",
        dose_number=dose,
        site="千代田区役所 集団接種会場",
        source_system="vrs",
        source_record_id=source_id,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


HEADER = (
    "resident_number,family_name,given_name,family_name_kana,given_name_kana,"
    "family_name_romaji,given_name_romaji,former_family_name,birth_date,sex,"
    "administered_on,product,lot,dose_number,site,source_record_id\n"
)


def csv_row(number: int, dose: int = 1, **changes: str) -> str:
    values = {
        "resident_number": f"R{number:07d}",
        "family_name": "山田",
        "given_name": f"花子{number}",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "family_name_romaji": "YAMADA",
        "given_name_romaji": "HANAKO",
        "former_family_name": "",
        "birth_date": "1980-01-02",
        "sex": "女",
        "administered_on": f"2021-0{5 + dose}-01",
        "product": "comirnaty",
        "lot": "EY0572",
        "dose_number": str(dose),
        "site": "会場",
        "source_record_id": f"S{number:07d}-{dose}",
    }
    values.update(changes)
    return ",".join(values.values()) + "\n"


CARD_HOLDER = CardHolder(
    family_name="髙橋",
    given_name="𠮷子",
    family_name_kana="タカハシ",
    given_name_kana="ヨシコ",
    former_family_name="山﨑",
    birth_date="1961-04-09",
    sex="female",
    municipality_code="131016",
    address="東京都千代田区霞が関二丁目1番1号",
)


def create_accounts(
    engine: Engine, accounts: Mapping[str, tuple[Role, str | None]], password: str
) -> None:
    """Staff accounts (login -> role and municipality), each with ``password``."""
    for login, (role, code) in accounts.items():
        create_staff(engine, login=login, display_name=login, role=role,
                     municipality_code=code, password=password, created_by="test")  # fmt: skip
