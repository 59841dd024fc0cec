"""Analyses: a model (any tokviz.Backend) in, result dataclasses out. They call only the backend protocol and
never ask which backend they got; nothing here knows about the widgets."""
