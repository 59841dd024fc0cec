"""TokenViz on a served model (the real llama-cpp-python server): what it syncs to the view, and that what
a server cannot do is refused with the reason while the widget stays usable."""

from __future__ import annotations

import json

import pytest
import traitlets
from ipywidgets.widgets.widget import _remove_buffers

import tokviz
from tests.strips import strip_tokens

from .served_server import requires_server

pytestmark = [requires_server, pytest.mark.slow]  # the real server, on the default model

PROMPT = "The capital of France is Paris. The capital of Germany is"


@pytest.fixture()
def viz(served):
    return tokviz.TokenViz(served, prompt=PROMPT, max_new_tokens=4, alternatives=5)


def test_the_strip_carries_the_servers_numbers_and_what_it_lacks(viz, served):
    data = viz.analysis_data
    expected = tokviz.analyze(served, PROMPT, alternatives=5)
    assert [tok["id"] for tok in strip_tokens(data)] == expected.token_ids
    assert all(tok["h"] is None for tok in strip_tokens(data))
    assert strip_tokens(data)[5]["p"] == pytest.approx(expected.tokens[5].prob, rel=1e-3)
    assert set(data["unavailable"]) >= {"entropy", "rank"}
    assert viz.unsupported.keys() == {"num_beams", "branch"}
    assert viz.limits["alternatives"]["high"] == served.logprobs
    # everything the view gets is JSON (no NaN) and the strips' binary buffers
    state, _, buffers = _remove_buffers(viz.get_state())
    json.dumps(state, allow_nan=False)
    assert buffers and all(isinstance(b, bytes) for b in buffers)


def test_generate_syncs_the_run_and_its_reasons(viz):
    result = viz.generate()
    assert result.stopped_by == "length" and len(result.tokens) == 4
    data = viz.generation_data
    assert [tok["id"] for tok in strip_tokens(data)] == result.token_ids
    assert "entropy" in data["unavailable"] and data["stopped_by"] == "length"
    assert viz.status == "idle" and viz.error == ""


def test_what_the_server_cannot_do_is_refused_and_the_widget_stays_usable(viz):
    viz.num_beams = 3
    with pytest.raises(tokviz.CapabilityError, match="beam search"):
        viz.generate()
    assert viz.status == "error" and "beam search" in viz.error
    viz.num_beams = 1
    with pytest.raises(tokviz.CapabilityError, match="prefix_ids"):
        viz.branch("prompt", 3, viz.analysis.tokens[3].top[1].token_id)
    with pytest.raises(tokviz.CapabilityError, match="whole next-token logits"):
        viz.reshape()
    with pytest.raises(traitlets.TraitError, match="alternatives"):
        viz.alternatives = 21
    assert viz.analyze().tokens  # still works
    assert viz.status == "idle"
