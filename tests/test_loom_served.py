"""The loom through the real llama-cpp-python server (the default model's 4-bit GGUF): what the server
gives is checked against a float64 pass of the local model (the same weights dequantised), and what it
cannot give (entropy; a token outside its top-k) is None, never a guess."""

from __future__ import annotations

import copy
import math

import pytest
import torch

import tokviz

from .served_server import requires_server

pytestmark = [requires_server, pytest.mark.slow]

PROMPT = "The capital of France is"


def test_the_loom_through_a_server_agrees_with_the_local_model(served, default_lm):
    loom = tokviz.loom(served, PROMPT, depth=2, max_children=3, max_nodes=20)
    model = copy.deepcopy(default_lm.model).double().eval()
    assert len(loom.nodes) > 4 and loom.root.expanded
    for node in loom.nodes[1:]:
        ids = loom.context_ids + loom.prompt_ids + loom.token_ids(node.parent)
        with torch.no_grad():
            logprobs = torch.log_softmax(model(input_ids=torch.tensor([ids])).logits[0, -1].double(), -1)
        assert node.entropy is None  # a server's top-k does not give it
        if node.prob is None:
            assert node.path_prob is None and node.rank is None
            continue
        # the served model computes with the 4-bit weights (the served tests' tolerance)
        assert abs(math.log(node.prob) - float(logprobs[node.token_id])) < 0.5
        assert node.rank is not None and node.rank <= served.logprobs
        parent = loom.nodes[node.parent]
        if parent.path_prob is not None:
            assert node.path_prob == pytest.approx(parent.path_prob * node.prob, rel=1e-9)
    # the most probable continuation is the local model's too
    with torch.no_grad():
        first = model(input_ids=torch.tensor([loom.context_ids + loom.prompt_ids])).logits[0, -1]
    assert loom.nodes[loom.root.children[0]].token_id == int(torch.argmax(first))
