"""Signal detection: the pure engine (config, conditions, engine, lifecycle, outcomes).

This package will also become the Django app for signals (models, services, tasks). Keep this
file free of imports so that importing the pure modules never loads Django, and loading the
Django app never pays for numpy until a pure module is actually used.
"""
