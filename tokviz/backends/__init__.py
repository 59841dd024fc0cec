"""Backends run a model and answer the backend protocol (protocol.py): `local` in this process with
transformers, `served` over HTTP from an OpenAI-compatible server."""
