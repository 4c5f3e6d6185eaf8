"""Click command groups; each module is a thin shell over library functions.

``dunguard.cli`` collects them. Library code never imports this package.
"""
