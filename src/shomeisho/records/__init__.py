"""The Vaccination Record System domain: municipalities, residents, events, import, access, audit.

Pure domain code: it knows nothing of SQL, HTTP or the command line. Storage comes in through the
repository protocol in :mod:`.ports`, implemented by :mod:`shomeisho.db`.
"""
