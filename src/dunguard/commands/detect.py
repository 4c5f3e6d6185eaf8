"""Temporary: replaced by the detector's commands within this session."""

from __future__ import annotations

import click


@click.command("detect")
def detect_cmd() -> None:
    """Detect violations in collection messages."""


@click.group("rules")
def rules_group() -> None:
    """List, show and test rules."""
