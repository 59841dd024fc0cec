"""The token strip's binary chunks: decoded, they give back the JSON entries the payload functions make
(payload.token_entry, the view's contract) exactly; a long analysis stays small at the comm and travels in
messages the notebook's websocket takes."""

from __future__ import annotations

import pytest

import tokviz
from tests.long_context import text_of_tokens, tiny_long_llama
from tests.strips import comm_bytes, strip_pieces, strip_tokens
from tokviz.widgets import held_chunks
from tokviz.widgets.payload import Pieces, analysis_payload, generation_payload, token_entry
from tokviz.widgets.token_table import CHUNK_TOKENS, pack_chunk
from tokviz.widgets.token_table_reader import read_chunk, strip_text
from tokviz.widgets.widget import TokenViz

# Partial UTF-8 (an emoji split over tokens, one after a space), whitespace, HTML and a special token.
AWKWARD_TEXT = "The capital\n\tok\U0001f600 and \U0001f600  <b>x</b> <|endoftext|> end"


def test_an_analysis_decodes_to_the_entries_exactly(tiny_lm):
    analysis = tokviz.analyze(tiny_lm, AWKWARD_TEXT, alternatives=7)
    payload = analysis_payload(analysis, tiny_lm.vocabulary, 7)
    expected = [token_entry(t, Pieces(tiny_lm.vocabulary), 7) for t in analysis.tokens]
    assert strip_tokens(payload) == expected
    assert any("pending" in e for e in expected) and any(e["t"] == "" for e in expected)  # the awkward cases are there
    assert strip_text(payload) == "".join(t.text for t in analysis.tokens)  # the snapshot's fallback text
    ids = {str(e["id"]) for e in expected} | {str(c[0]) for e in expected for c in e["top"] or []}
    assert ids <= set(strip_pieces(payload))


def test_a_sampled_generation_with_filters_decodes_exactly(tiny_lm):
    result = tokviz.generate(tiny_lm, "Once upon a time", max_new_tokens=12, do_sample=True, temperature=1.3,
                             top_k=4, top_p=0.9, seed=5, alternatives=6)
    payload = generation_payload(result.tokens, tiny_lm.vocabulary, alternatives=6, max_new_tokens=12, sampled=True,
                                 after=result, decoding=result.decoding)
    expected = [token_entry(t, Pieces(tiny_lm.vocabulary), 6, True) for t in result.tokens]
    assert strip_tokens(payload) == expected
    assert any(c[2] == 0.0 for e in expected for c in e["top"])  # candidates the filters removed: exactly 0


@pytest.mark.parametrize("value", [0.999996, 0.9999, 1.0, 0.5, 1.235e-7, 3.1e-12, 4.9e-300, 0.0, None, 0.1, 1e-4])
def test_probabilities_at_the_edges_come_back_bit_for_bit(value):
    entries = [{"id": 5, "t": "a", "p": value, "lp": -1.5, "s": 2.16, "r": 3, "h": 0.5, "top": [[5, value]]}]
    entries += [{"id": 6, "t": "b", "p": 0.25, "lp": -1.386, "s": 2.0, "r": 1, "h": 1.23, "top": [[6, 0.25]]}] * 300
    chunk = pack_chunk(entries, 0, {"5": "a", "6": "b"}, set())
    back = read_chunk(chunk, {"5": "a", "6": "b"})
    assert back == entries
    assert back[0]["p"] is None if value is None else back[0]["p"].hex() == float(value).hex()


@pytest.mark.parametrize("field", ["lp", "s", "h"])
def test_other_numbers_at_their_edges_come_back(field):
    values = {"lp": [-0.001, -32.767, -32.768, -1234.5, 0.0, None], "s": [0.0, 327.67, 500.25, None, 0.01, 47.12],
              "h": [0.0, 1e-25, 10.8, 0.00123, None, 12.4]}[field]
    entries = [{"id": 1, "t": "x", "p": 0.5, "lp": -0.693, "s": 1.0, "r": None, "h": 0.7, "top": None, field: v}
               for v in values]
    assert read_chunk(pack_chunk(entries, 0, {"1": "x"}, set()), {"1": "x"}) == entries


@pytest.fixture(scope="module")
def long_widget(tokenizer):
    """A TokenViz showing a real 32,000-token analysis (10 alternatives) of a tiny random long-context Llama."""
    lm = tiny_long_llama(tokenizer, 32_768)
    return TokenViz(lm, prompt=text_of_tokens(tokenizer, 32_000), alternatives=10)


def test_a_32k_token_analysis_costs_at_most_80_bytes_a_token_at_the_comm(long_widget):
    w = long_widget
    sent = []
    w.send = lambda content, buffers=None: sent.append(comm_bytes(content, buffers or []))
    trait = comm_bytes(w.get_state("analysis_data"))
    # a view holding the trait asks for what it does not carry (nothing here: it all fits in one message)
    ask = {"action": "chunks", "trait": "analysis_data", "key": w.analysis_data.get("key"), "from": 0}
    w._handle_message(w, ask, [])
    total = trait + sum(sent)
    assert len(w.analysis.tokens) == 32_000 and len(strip_tokens(w.analysis_data)) == 32_000
    assert total / 32_000 <= 80, total / 32_000
    assert max([trait, *sent]) <= 8_000_000
    print(f"32,000-token analysis at 10 alternatives: {total / 32_000:.1f} bytes per token")


def test_a_long_strip_travels_in_chunks_a_view_asks_for(long_widget, monkeypatch):
    monkeypatch.setattr(held_chunks, "INLINE_BYTES", 600_000)  # as a 131,072-token strip would be split
    w = long_widget
    whole = analysis_payload(w.analysis, w.lm.vocabulary, 10)
    w.analysis_data = whole
    carried = w.analysis_data
    assert carried["key"] and 0 < len(carried["chunks"]) < len(whole["chunks"]) == -(-32_000 // CHUNK_TOKENS)
    sent = []
    w.send = lambda content, buffers=None: sent.append((content, buffers))
    start = len(carried["chunks"])
    w._handle_message(w, {"action": "chunks", "trait": "analysis_data", "key": carried["key"], "from": start}, [])
    assert [c["index"] for c, _ in sent] == list(range(start, len(whole["chunks"])))
    assert all(comm_bytes(c, b) <= 8_000_000 for c, b in sent)
    apart = [{**c["chunk"], "data": b[0]} for c, b in sent]
    assert strip_tokens(carried, carried["chunks"] + apart) == strip_tokens(whole)
    # a strip no longer held, or an unknown key, sends nothing; the snapshot has every chunk
    sent.clear()
    w._handle_message(w, {"action": "chunks", "trait": "analysis_data", "key": "stale", "from": 0}, [])
    assert sent == []
    assert len(strip_tokens(w.snapshot_state()["analysis_data"])) == 32_000


def test_a_long_analysis_reports_its_progress_then_clears_it(tokenizer):
    lm = tiny_long_llama(tokenizer, 4096)
    w = TokenViz(lm, analyze_now=False, alternatives=10)
    seen = []
    w.observe(lambda change: seen.append(change["new"]), names="progress")
    w.analyze(text_of_tokens(tokenizer, 4000))
    reports = [p for p in seen if p]
    # each position is scored: every token after the first, and the next-token distribution after the last
    assert reports and reports[-1] == {"done": 4000, "total": 4000}
    assert [p["done"] for p in reports] == sorted(p["done"] for p in reports)
    assert seen[-1] == {} and w.progress == {}  # cleared when the run ends
