"""Learned recognizers: linear models over character and word n-grams, numpy-only at run time.

Models are stored as plain arrays and JSON (see :mod:`dunguard.models.linear`) and shipped in
``models/data``; :mod:`dunguard.models.train` rebuilds them from the shared data (needs
scikit-learn). Nothing here is loaded at import time.
"""
