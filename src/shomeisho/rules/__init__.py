"""Business rules: the CertLogic rule language of the EU DCC / WHO GDHCN acceptance rules, and
the rule sets of countries written in it.

Pure domain: no I/O beyond the package's own data, no web, database or command line.
:mod:`shomeisho.rules.certlogic` holds the evaluator and the static validator;
:mod:`shomeisho.rules.rulesets` the rule books (which rules apply to a check, and whether a
certificate meets them); :mod:`shomeisho.rules.mapping` turns a verified SHC or VDS-NC into the
DCC payload the rules are written against (imported from there: it needs the formats).
"""

from __future__ import annotations

from shomeisho.rules.business_rule import BusinessRule, CertificateType, RuleType, parse_rule
from shomeisho.rules.certlogic import DateTime, Limits, Problem, evaluate, validate
from shomeisho.rules.rulesets import RuleBook, RuleDocuments, bundled_rule_book

__all__ = [
    "BusinessRule",
    "CertificateType",
    "DateTime",
    "Limits",
    "Problem",
    "RuleBook",
    "RuleDocuments",
    "RuleType",
    "bundled_rule_book",
    "evaluate",
    "parse_rule",
    "validate",
]
