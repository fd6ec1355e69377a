"""The tutor dashboard: conversations from Rasa's tracker store, indexed for listing, with
comments, overrides (kept beside the automatic result), cohort views, exports and reports.

Everything here reads the same database as Rasa (SQLite ``var/coach.db`` by default,
``COACH_DATABASE_URL`` when set) and keeps its own tables beside Rasa's ``events``.
"""
