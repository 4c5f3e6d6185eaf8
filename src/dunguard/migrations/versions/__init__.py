"""Alembic revisions, oldest first (``NNNN_name.py``); never edit one that was released."""
