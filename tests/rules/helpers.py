"""Builders shared by the rule-set tests: a valid rule document to break, DCC payloads."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

JST = timezone(timedelta(hours=9))

COMIRNATY = "EU/1/20/1528"
SPIKEVAX = "EU/1/20/1507"
JCOVDEN = "EU/1/20/1525"
NUVAXOVID = "EU/1/21/1618"
VALNEVA = "EU/1/21/1624"
SINOPHARM = "BBIBP-CorV"
SPUTNIK = "Sputnik-V"
COVID19 = "840539006"
NAAT = "LP6464-4"
RAT = "LP217198-3"
NEGATIVE = "260415000"
POSITIVE = "260373001"

BASE_RULE: dict[str, Any] = {
    "Identifier": "VR-XX-0001",
    "Type": "Acceptance",
    "Country": "XX",
    "Version": "1.0.0",
    "SchemaVersion": "1.3.0",
    "Engine": "CERTLOGIC",
    "EngineVersion": "1.0.0",
    "CertificateType": "Vaccination",
    "Description": [
        {"lang": "en", "desc": "The series must be complete."},
        {"lang": "ja", "desc": "接種シリーズが完了していること。"},
    ],
    "ValidFrom": "2022-01-01T00:00:00Z",
    "ValidTo": "2023-01-01T00:00:00+09:00",
    "AffectedFields": ["v.0.dn", "v.0.sd"],
    "Logic": {">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]},
}


def rule_doc(**changes: Any) -> dict[str, Any]:
    """:data:`BASE_RULE` with fields replaced (a value of ``...`` deletes the field)."""
    doc = copy.deepcopy(BASE_RULE)
    for key, value in changes.items():
        if value is ...:
            doc.pop(key, None)
        else:
            doc[key] = value
    return doc


def vaccination(
    *,
    mp: str = COMIRNATY,
    dn: int = 3,
    sd: int = 3,
    dt: str = "2022-06-01",
    co: str = "JP",
    tg: str = COVID19,
    dob: str = "1961-04-09",
    nam: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A vaccination DCC payload (the v entry has every field the schema requires)."""
    return {
        "ver": "1.3.0",
        "nam": {"fn": "髙橋", "fnt": "TAKAHASHI", "gn": "𠮷子", "gnt": "YOSHIKO"}
        if nam is None
        else nam,
        "dob": dob,
        "v": [
            {
                "tg": tg,
                "vp": "1119349007",
                "mp": mp,
                "ma": "ORG-100030215",
                "dn": dn,
                "sd": sd,
                "dt": dt,
                "co": co,
                "is": "Ministry of Health, Labour and Welfare",
                "ci": "URN:UVCI:01:JP:0123456789ABCDEFGHJKMNPQRS",
            }
        ],
    }


def lab_test(
    *, tt: str = NAAT, tr: str = NEGATIVE, sc: str = "2022-10-31T12:00:00Z"
) -> dict[str, Any]:
    """A test DCC payload."""
    return {
        "ver": "1.3.0",
        "nam": {"fnt": "DOE", "gnt": "JANE"},
        "dob": "1990-01-01",
        "t": [
            {
                "tg": COVID19,
                "tt": tt,
                "sc": sc,
                "tr": tr,
                "tc": "Test centre",
                "co": "DE",
                "is": "Robert Koch-Institut",
                "ci": "URN:UVCI:01:DE:TEST",
            }
        ],
    }


def recovery(*, df: str = "2022-09-01", du: str = "2023-02-01") -> dict[str, Any]:
    """A recovery DCC payload."""
    return {
        "ver": "1.3.0",
        "nam": {"fnt": "DOE", "gnt": "JOHN"},
        "dob": "1985-05-05",
        "r": [
            {
                "tg": COVID19,
                "fr": "2022-08-20",
                "df": df,
                "du": du,
                "co": "DE",
                "is": "Robert Koch-Institut",
                "ci": "URN:UVCI:01:DE:RECOVERY",
            }
        ],
    }


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
