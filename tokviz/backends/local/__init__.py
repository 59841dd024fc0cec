"""The in-process backend: loading, the model's parts, the scoring core's forward split, generation."""
