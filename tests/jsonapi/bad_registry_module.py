"""A module whose REGISTRY is not a Registry."""

REGISTRY = {"orders": "tests.jsonapi.models:Order"}
