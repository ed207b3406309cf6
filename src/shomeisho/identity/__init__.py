"""The demo identity provider: My Number cards emulated, with PIN, lock, card keys and OIDC.

In production the service signs people in through the Digital Agency's My Number card
authentication (OpenID Connect). For the embedded default and the tests this package emulates
it faithfully enough to exercise the real flow: every demo card has its own key pair and a
certificate from a demo CA, signing in means choosing the card and entering its 4-digit PIN,
and the third wrong PIN locks the card.
"""
