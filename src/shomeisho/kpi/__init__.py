"""The service's own KPIs (issue 6): how much the certificate is used, and how well.

"What is the KPI, how much is it used?" was asked of the 2021 vaccine passport and not answered.
This package answers it from what the service already records, without personal data: journey
events, issuances and verification counts are rolled up per Japanese calendar day into facts
(:mod:`~shomeisho.kpi.facts`), a period's figures are computed from the facts alone
(:mod:`~shomeisho.kpi.figures`), small counts are withheld (:mod:`~shomeisho.kpi.suppression`),
and charts are drawn as SVG on the server (:mod:`~shomeisho.kpi.charts`). Pure: no SQL, no HTTP;
the database and the pages are adapters (``db/kpi_*.py``, ``web/kpi_pages.py``).
"""
