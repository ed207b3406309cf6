"""Trust: which keys and authorities a verifier believes, and chain checks against them."""

from shomeisho.trust.store import TrustStore, load_trust_file

__all__ = ["TrustStore", "load_trust_file"]
