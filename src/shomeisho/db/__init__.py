"""Storage: the tables, migrations and the SQL implementation of the record store.

The only package that speaks SQL. SQLite (a file under the data directory) is the embedded
default; PostgreSQL is production (``SHOMEISHO_DATABASE_URL``).
"""
