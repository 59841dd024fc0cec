"""Research studies that need more than next-token numbers: every layer's hidden states (the logit lens, the
layer law, refinement and layer importance) or a position's whole logits (reshape). Each requires its
capability from the backend first (backends.protocol.require) and then reads the in-process model."""
