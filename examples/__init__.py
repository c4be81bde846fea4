"""Small typed clients for other REST APIs, built on booqable_async's generic layer.

Each package is one API from the documents this project started from: an
:class:`~booqable_async.profile.ApiProfile` (where the API lives, where credentials go,
how its errors, rate limits and pages look), a handful of typed calls on a
:class:`~booqable_async.session.Session`, and a small in-process fake of the API that
enforces its auth, errors, rate limits and pagination (docs/profiles.md):

- :mod:`examples.cloudbooks`: Bearer API keys or login + refresh + logout tokens,
  ``{"error": {"code", "message", "details"}}``, an hourly budget;
- :mod:`examples.booga`: Bearer or ``X-API-Key``, limit/offset pages, per-minute *and*
  per-hour budgets, ``{"detail", "code"}`` errors and field maps on 400;
- :mod:`examples.beebole`: one POST endpoint, HTTP Basic, failures reported in HTTP 200
  bodies, daily request and volume quotas, external ids (``xid``).

They import only the library's public names.
"""
