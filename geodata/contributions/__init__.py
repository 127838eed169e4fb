"""Contributions: cooperations proposed by territories, reviewed by moderators.

Pure Python, no Streamlit: ``db`` (SQLite or PostgreSQL from ``ATLAS_DB``), ``migrations``
(numbered schema migrations), ``store`` (proposals, history, decisions, moderators,
sessions, rate limits), ``validate`` (the case-table validator of ``atlas check`` applied
to proposals), ``publish`` (accepted proposals as case rows, CSV export and Atom feeds).
"""
