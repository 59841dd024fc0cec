"""The served backend: HTTP, the alignment probes, realigned echo log-probabilities, streamed generation."""
