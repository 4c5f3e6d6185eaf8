from __future__ import annotations

import pytest

from dunguard.models.builtin import load_builtin
from dunguard.models.linear import LinearModel


@pytest.fixture(scope="session")
def insult_zh() -> LinearModel:
    """The shipped Chinese insult model, loaded once per test session."""
    return load_builtin("insult-zh")
