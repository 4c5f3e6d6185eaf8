"""The evaluation harness: labelled data sets, metrics and calibration, one report format.

``dunguard eval`` is its command-line shell; :func:`dunguard.evaluation.run.evaluate` the
library entry point.
"""
