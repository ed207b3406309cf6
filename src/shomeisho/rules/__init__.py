"""Business rules: the CertLogic rule language of the EU DCC / WHO GDHCN acceptance rules.

Pure domain: no I/O, no web, database or command line. :mod:`shomeisho.rules.certlogic` holds the
evaluator and the static validator.
"""

from __future__ import annotations

from shomeisho.rules.certlogic import DateTime, Limits, Problem, evaluate, validate

__all__ = ["DateTime", "Limits", "Problem", "evaluate", "validate"]
