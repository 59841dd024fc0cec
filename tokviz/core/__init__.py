"""The core every backend and analysis shares: encoding, the statistics kernel, result types, decoding
settings and the completion bookkeeping. Nothing here runs a model."""
