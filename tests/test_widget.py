"""TokenViz on the Python side: traits, actions from the view, streaming, errors, snapshots, payload size."""

from __future__ import annotations

import re
import threading

import pytest
import traitlets

import tokviz
from tests.strips import comm_bytes, delta_tokens, recorded, streamed_tokens, strip_pieces, strip_tokens
from tokviz import BeamTreeView, ICLView, LabelScoresView, LogitLensView
from tokviz.backends.local.model import LanguageModel
from tokviz.core.decoding import LIMITS, DecodingParams
from tokviz.widgets.payload import pending_bytes
from tokviz.widgets.widget import TokenViz

from .conftest import make_tiny_llama


def test_construction_analyzes_and_syncs_a_compact_payload(tiny_lm):
    w = TokenViz(tiny_lm, prompt="Hello there, how are you?", alternatives=5)
    reference = tokviz.analyze(tiny_lm, "Hello there, how are you?", alternatives=5)
    data = w.analysis_data
    assert [tok["id"] for tok in strip_tokens(data)] == reference.token_ids
    assert [tok["t"] for tok in strip_tokens(data)] == [t.text for t in reference.tokens]
    for sent, token in zip(strip_tokens(data)[1:], reference.tokens[1:]):
        assert sent["p"] == pytest.approx(token.prob, rel=1e-3)
        assert [c[0] for c in sent["top"]] == [c.token_id for c in token.top]
    mentioned = {i for tok in strip_tokens(data) for i in [tok["id"], *(c[0] for c in tok["top"] or [])]}
    assert {str(i) for i in mentioned} <= set(strip_pieces(data))
    assert w.status == "idle" and w.error == "" and w.analysis.token_ids == reference.token_ids


def test_unknown_keyword_is_a_type_error(tiny_lm):
    with pytest.raises(TypeError, match="temprature"):
        TokenViz(tiny_lm, prompt="x", temprature=0.5)


@pytest.mark.parametrize(("name", "value", "words"), [
    ("max_new_tokens", 0, "positive integer"),
    ("temperature", -0.5, ">= 0"),
    ("top_k", -3, "0 = off"),
    ("top_p", 0.0, "(0, 1]"),
    ("top_p", 1.5, "(0, 1]"),
    ("num_beams", 0, "positive integer"),
    ("alternatives", 0, "between 1 and"),
])
def test_out_of_range_settings_are_refused_naming_the_trait_and_range(tiny_lm, name, value, words):
    with pytest.raises(traitlets.TraitError, match=f"TokenViz.{name}: .*{re.escape(words)}"):
        TokenViz(tiny_lm, prompt="x", analyze_now=False, **{name: value})
    w = TokenViz(tiny_lm, prompt="x", analyze_now=False)
    before = getattr(w, name)
    with pytest.raises(traitlets.TraitError, match=re.escape(words)):
        setattr(w, name, value)
    assert getattr(w, name) == before


def test_off_values_and_range_ends_are_accepted(tiny_lm):
    w = TokenViz(tiny_lm, prompt="x", analyze_now=False, top_k=0, top_p=1.0, temperature=0.0,
                 alternatives=len(tiny_lm.vocabulary))
    w.top_p = 0.01
    w.top_k = 1


def test_the_view_gets_the_ranges_decoding_params_checks(tiny_lm):
    w = TokenViz(tiny_lm, prompt="x", analyze_now=False)
    for name in ("temperature", "top_k", "top_p", "num_beams"):
        assert w.limits[name] == LIMITS[name].to_json()
    # max new tokens: also no more than the context leaves after the prompt (one token before any analysis)
    assert w.limits["max_new_tokens"] == {**LIMITS["max_new_tokens"].to_json(), "high": tiny_lm.context_length - 1}
    assert w.limits["alternatives"] == {"low": 1, "high": len(tiny_lm.vocabulary), "integer": True,
                                        "low_open": False, "step": 1, "off": None}


def test_generation_params_are_decoding_params_with_off_values_as_none(tiny_lm):
    w = TokenViz(tiny_lm, prompt="x", analyze_now=False, max_new_tokens=7, stop_at_newline=True)
    assert w.generation_params() == DecodingParams(max_new_tokens=7, stop=("\n",))
    w.do_sample, w.top_k, w.top_p, w.temperature = True, 40, 0.9, 0.7
    params = w.generation_params()
    assert (params.top_k, params.top_p, params.temperature, params.do_sample) == (40, 0.9, 0.7, True)


def test_settings_that_only_fail_together_show_an_error_and_the_widget_stays_usable(tiny_lm):
    # Each value is in range; temperature 0 only means something without sampling. Sampling switched on
    # after it (the field then refuses 0, but the value set before stays) still fails at Generate.
    w = TokenViz(tiny_lm, prompt="Some prompt", temperature=0.0, max_new_tokens=3)
    w.do_sample = True
    with pytest.raises(tokviz.InvalidInputError):
        w.generate()
    assert w.status == "error" and "temperature" in w.error
    w.temperature = 0.8
    result = w.generate()
    assert len(result.tokens) == 3 and w.status == "idle" and w.error == ""


def test_every_public_synced_trait_is_documented(tiny_lm):
    for view in (TokenViz, BeamTreeView, LabelScoresView, ICLView, LogitLensView):
        for name, trait in view.class_traits(sync=True).items():
            if name.startswith("_") or name in ("layout", "tabbable", "tooltip"):
                continue
            assert trait.help, f"{view.__name__}.{name} has no help"


def test_a_new_analysis_clears_the_pinned_token(tiny_lm):
    w = TokenViz(tiny_lm, prompt="Hello there, how are you?")
    w.selected = {"source": "prompt", "index": 3}
    assert w.selected_token is w.analysis.tokens[3]
    w.prompt = "Another prompt entirely"
    w.analyze()
    assert w.selected == {} and w.selected_token is None
    w.selected = {"source": "prompt", "index": 1}
    w.max_new_tokens = 2
    w.generate()
    assert w.selected == {} and w.selected_token is None


def test_pending_bytes_are_the_start_of_an_unfinished_character():
    assert pending_bytes(bytes.fromhex("20f09f")) == bytes.fromhex("f09f")  # space + half an emoji
    assert pending_bytes(bytes.fromhex("9fa6")) == b""  # continuation bytes finish an earlier character
    assert pending_bytes(bytes.fromhex("f09fa69c")) == b""  # a whole character
    assert pending_bytes(bytes.fromhex("41c3")) == bytes.fromhex("c3")
    assert pending_bytes(b"AB") == b""


def test_a_token_followed_by_a_characters_first_bytes_sends_them(tiny_lm):
    w = TokenViz(tiny_lm, prompt="and \U0001f600 ok")
    tokens = strip_tokens(w.analysis_data)
    pending = [t for t in tokens if "pending" in t]
    assert [(t["t"], t["pending"]) for t in pending] == [(" ", "f09f98")]
    assert w.analysis_data["alternatives"] == 10 and "k" not in w.analysis_data


def test_empty_prompt_from_the_view_reports_an_error(tiny_lm):
    w = TokenViz(tiny_lm, prompt="")
    w._handle_message(w, {"action": "analyze"}, [])
    assert w.wait(30)
    assert w.status == "error" and "empty" in w.error


def test_generate_message_streams_tokens_and_python_reads_results(tiny_lm, monkeypatch):
    monkeypatch.setattr("tokviz.widgets.widget.STREAM_INTERVAL_S", 0.0)
    # Greedy from this prompt, the tiny model never picks its EOS (id 2) in 6 steps: all 6 are generated.
    w = TokenViz(tiny_lm, prompt="Once upon a time", max_new_tokens=6)
    seen, deltas = [], []
    w.observe(lambda change: seen.append(("trait", len(strip_tokens(change["new"])),
                                          change["new"].get("stopped_by"))), names="generation_data")

    def sent(content, buffers=None):
        message = recorded(content, buffers)
        seen.append((content["kind"], content.get("from"), len(delta_tokens(message))))
        deltas.append(message)

    monkeypatch.setattr(w, "send", sent)
    w._handle_message(w, {"action": "generate"}, [])
    assert w.wait(60)
    assert w.status == "idle", w.error
    assert len(w.generation.tokens) == len(strip_tokens(w.generation_data)) == 6
    assert w.generation.stopped_by == w.generation_data["stopped_by"] == "length"
    assert 2 not in [t.token_id for t in w.generation.tokens]
    # an empty delta at the start (the previous generation goes), one per token while streaming, each
    # token sent once; then the result as the trait, and only after it the end of the stream
    assert seen == ([("generation_delta", 0, 0)] + [("generation_delta", n, 1) for n in range(6)]
                    + [("trait", 6, "length"), ("generation_end", None, 0)])
    streamed = streamed_tokens(deltas)
    assert streamed == strip_tokens(w.generation_data)
    pieces = {}
    for delta in deltas:
        sent_pieces = delta.get("chunk", {}).get("pieces", {})
        assert not set(sent_pieces) & set(pieces)  # each display form travels once
        pieces |= sent_pieces
    assert pieces == {key: strip_pieces(w.generation_data)[key] for key in pieces}
    assert {str(t["id"]) for t in streamed} <= set(pieces)
    w.selected = {"source": "generated", "index": 0}
    assert w.selected_token is w.generation.tokens[0]


def test_streaming_sends_linear_bytes_counted_at_the_comm(tokenizer, monkeypatch):
    # One message per token (the worst case for overhead): everything that crosses the comm while a
    # 240-token generation streams stays within twice the widget's final state.
    monkeypatch.setattr("tokviz.widgets.widget.STREAM_INTERVAL_S", 0.0)
    long_context = LanguageModel(model=make_tiny_llama(len(tokenizer), context=512), tokenizer=tokenizer,
                                 name="tiny-long-llama")
    w = TokenViz(long_context, prompt="Count:", max_new_tokens=240, alternatives=10)
    sent = []
    monkeypatch.setattr(w.comm, "send", lambda data=None, metadata=None, buffers=None: sent.append(
        comm_bytes(data, buffers or [])))
    w.generate(do_sample=False)
    assert len(w.generation.tokens) == 240
    final = comm_bytes(w.get_state())
    assert len(sent) > 240
    assert sum(sent) <= 2 * final, (sum(sent), final)
    print(f"streamed {sum(sent)} bytes; final state {final} bytes")


def test_second_generate_while_running_starts_nothing(tiny_lm):
    w = TokenViz(tiny_lm, prompt="Count:", max_new_tokens=100)  # greedy: 100 tokens, no EOS, unless stopped
    streaming = threading.Event()
    calls = []
    original = w.generate

    def counted_generate():
        calls.append(1)
        return original()

    w.generate = counted_generate
    w.send = lambda content, buffers=None: content.get("chunk", {}).get("length") and streaming.set()
    w._handle_message(w, {"action": "generate"}, [])
    assert streaming.wait(30)
    w._handle_message(w, {"action": "generate"}, [])
    w._handle_message(w, {"action": "stop"}, [])
    assert w.wait(60)
    assert len(calls) == 1
    assert w.generation.stopped_by == "cancelled" and len(w.generation.tokens) < 100


def test_stop_cancels_a_long_generation(tiny_lm):
    w = TokenViz(tiny_lm, prompt="Go", max_new_tokens=120)
    w._handle_message(w, {"action": "generate"}, [])
    w.stop()
    assert w.wait(60)
    assert w.generation.stopped_by == "cancelled" and len(w.generation.tokens) < 120


def test_snapshot_html_holds_the_state_escaped(tiny_lm, tmp_path):
    w = TokenViz(tiny_lm, prompt="</script><script>alert(1)</script>")
    html = w.to_html(tmp_path / "view.html")
    assert (tmp_path / "view.html").read_text() == html
    assert "<script>alert(1)" not in html
    bundle = w._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data and "text/html" in data


def test_payload_is_small_per_token(tiny_lm):
    text = " ".join(f"word{i} and more" for i in range(12))
    w = TokenViz(tiny_lm, prompt=text, alternatives=10)
    size = comm_bytes(w.analysis_data)  # counted as the comm sends it
    assert size / len(w.analysis.tokens) < 600  # the benchmark reports the real figure; this catches blow-ups


def test_payload_says_what_text_was_analysed_and_how_the_generation_ran(tiny_lm):
    w = TokenViz(tiny_lm, prompt="Once upon a time", max_new_tokens=3)
    assert w.analysis_data["text"] == "Once upon a time"
    w.generate()
    greedy = w.generation_data
    assert greedy["max_new_tokens"] == 3 and greedy["sampled"] is False
    assert all("sp" not in t for t in strip_tokens(greedy))  # greedy: nothing was sampled
    w.do_sample = True
    w.generate()
    assert w.generation_data["sampled"] is True
    assert all(t["sp"] is not None for t in strip_tokens(w.generation_data))


@pytest.mark.parametrize(("p", "sent"), [(0.999996, 0.999996), (0.99994, 0.9999), (1.0, 1.0), (0.5, 0.5),
                                         (1.23456e-7, 1.235e-7), (0.0, 0.0)])
def test_payload_probabilities_keep_four_digits_and_stay_below_one_when_below_one(p, sent):
    from tokviz.widgets.payload import rounded_prob

    shown = rounded_prob(p)
    assert shown == pytest.approx(sent, rel=1e-12, abs=1e-15)
    assert (shown < 1.0) == (p < 1.0)


def test_tokens_carry_log_probability_and_surprisal_in_bits(tiny_lm):
    import math

    w = TokenViz(tiny_lm, prompt="Hello there, how are you?", alternatives=5)
    first, *rest = zip(strip_tokens(w.analysis_data), w.analysis.tokens)
    assert first[0]["lp"] is None and first[0]["s"] is None  # no prediction for the first token
    for sent, token in rest:
        assert sent["lp"] == round(token.logprob, 3)
        assert sent["s"] == round(-token.logprob / math.log(2), 2)


def test_the_views_save_html_gets_the_page_to_html_writes(tiny_lm, monkeypatch):
    w = TokenViz(tiny_lm, prompt="Hello <b>there</b>", alternatives=3)
    sent = []
    monkeypatch.setattr(w, "send", lambda content, buffers=None: sent.append(content))
    w._handle_message(w, {"action": "save_html"}, [])
    assert len(sent) == 1 and sent[0]["kind"] == "html" and sent[0]["filename"] == "tokviz.html"
    same_page = re.compile(r"tokviz-[0-9a-f]{12}")  # each page names its mount point afresh
    assert same_page.sub("", sent[0]["html"]) == same_page.sub("", w.to_html())
    assert "<b>there</b>" not in sent[0]["html"]  # token text stays text in the page too
