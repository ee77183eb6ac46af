"""Billing, payments and month-by-month coverage (issue 4).

- ``models``      the contribution ledger, bills, payments and receipts, credit, refunds, deaths, ends
- ``repository``  all SQL, with the SQLite/PostgreSQL switch
- ``service``     issuing bills (set-based) and recording payments
- ``coverage``    was a worker protected on a date, and why (through ``rules.coverage``)
- ``ends``        an agreement ending, a worker leaving or dying; refunds and credit
- ``lists``       what a branch needs: overdue bills, unpaid months, protection ending, statements
- ``cli``         ``lindung bill | pay | coverage`` and ``lindung billing …``
"""
