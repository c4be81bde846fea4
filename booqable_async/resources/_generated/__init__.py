"""The generated facades, one module per Booqable v4 resource type (private).

Import them from ``booqable_async.resources``, which re-exports every public name lazily. GENERATED
by tools/generate.py (``make generate``); do not edit.
"""
