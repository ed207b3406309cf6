"""Transport encodings shared by the formats: base45, SHC numeric, base64url, inflate, JSON, CBOR.

Every function here either returns exactly what the bytes say or raises one of our own errors; none
lets a library exception escape, and each enforces a size cap before doing work.
"""
