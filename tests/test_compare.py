"""tokviz.compare: two results lined up unit by unit, checked against independent float64 computations.

References are plain torch: a float64 copy of each model scores the token ids the tokenizer gives (not
tokviz's), and log_softmax turns its logits into log P(token | everything before). Character-span units
across tokenizers are rebuilt from the tokenizers' own offset mappings.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import math

import pytest
import torch

import tokviz
from tests.conftest import BERLIN_PROMPT, make_tiny_llama
from tokviz.backends.local.model import LanguageModel
from tokviz.core.prompt_result import PromptAnalysis
from tokviz.core.token_info import TokenInfo
from tokviz.errors import InvalidInputError
from tokviz.widgets.payload import decimals, rounded, rounded_prob

EMOJI = "\U0001f600"
# Byte-level BPE splits the emoji into partial-UTF-8 tokens; " " + emoji gives the default tokenizer a
# token whose text " " is followed by the emoji's first bytes.
TEXT = f"The capital of Japan is Tokyo {EMOJI}, probably.\n\tcaf\u00e9 ok{EMOJI}"
TOL = 5e-5  # tokviz runs the model in float32, the references in float64: measured up to 4e-6 per token


# --- references ------------------------------------------------------------------------------------------


def reference_logprobs(model, ids: list[int]) -> list[float | None]:
    """log P(ids[i] | ids[:i]) from a float64 copy of `model` (plain torch); None for ids[0]."""
    double = copy.deepcopy(model).double()
    with torch.no_grad():
        logits = double(torch.tensor([ids])).logits[0]
    logp = torch.log_softmax(logits, dim=-1)
    return [None, *(logp[i - 1, ids[i]].item() for i in range(1, len(ids)))]


def unit_sum(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else math.fsum(values)


def span_cuts(tokenizer, text: str) -> tuple[list[int], dict[int, int]]:
    """The tokenizer's ids for `text`, and where a unit may end: character offset -> index of the token
    ending there. From the tokenizer's offset mapping: tokens holding part of one character share that
    character's span, so a token can end a unit only when the next token starts at or after its end."""
    enc = tokenizer(text, return_offsets_mapping=True, add_special_tokens=False)
    spans = enc["offset_mapping"]
    cuts = {end: i for i, (_, end) in enumerate(spans) if i == len(spans) - 1 or spans[i + 1][0] >= end}
    return enc["input_ids"], cuts


def reference_units(tok_a, tok_b, text: str) -> list[tuple[range, range, int, int]]:
    """Independent character-span units: (token indices of a, of b, start, end) between common cut points."""
    _, cuts_a = span_cuts(tok_a, text)
    _, cuts_b = span_cuts(tok_b, text)
    units, last_a, last_b, start = [], -1, -1, 0
    for end in sorted(set(cuts_a) & set(cuts_b)):
        units.append((range(last_a + 1, cuts_a[end] + 1), range(last_b + 1, cuts_b[end] + 1), start, end))
        last_a, last_b, start = cuts_a[end], cuts_b[end], end
    return units


# --- fixtures ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_b(tokenizer) -> LanguageModel:
    """A second random model with the same tokenizer."""
    return LanguageModel(model=make_tiny_llama(len(tokenizer), seed=1), tokenizer=tokenizer, name="tiny-b")


@pytest.fixture(scope="module")
def bpe_tokenizer():
    """A byte-level BPE trained offline on a few sentences: it splits words the default tokenizer keeps whole."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    sentences = ["The capital of France is Paris.", "The capital of Germany is Berlin.",
                 "A cat sat on the mat, and a dog sat by the door.", "ok, caf\u00e9 and \u00e9t\u00e9."]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<|endoftext|>"], show_progress=False)
    tok.train_from_iterator(sentences, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, eos_token="<|endoftext|>")


@pytest.fixture(scope="module")
def bpe_lm(bpe_tokenizer) -> LanguageModel:
    return LanguageModel(model=make_tiny_llama(len(bpe_tokenizer), seed=2), tokenizer=bpe_tokenizer, name="tiny-bpe")


def fake_analysis(pieces: list[tuple[str, bytes, float | None]], name: str = "fake") -> PromptAnalysis:
    """A PromptAnalysis made by hand: (text, bytes, logprob) per token. compare() is pure, so edge cases
    can be exact."""
    tokens = [TokenInfo(index=i, token_id=100 + i, text=text, bytes=raw, prob=None if lp is None else math.exp(lp),
                        logprob=lp, rank=None if lp is None else 1, entropy=None if lp is None else 1.0)
              for i, (text, raw, lp) in enumerate(pieces)]
    return PromptAnalysis(text="".join(p[0] for p in pieces), model_name=name, alternatives=1, tokens=tokens, next=[],
                          next_entropy=None, perplexity=None)


def plain(texts: list[str], first_lp: float | None = None) -> PromptAnalysis:
    return fake_analysis([(t, t.encode(), first_lp if i == 0 else -float(i)) for i, t in enumerate(texts)])


# --- two models, one text --------------------------------------------------------------------------------


def test_two_models_same_tokenizer_units_equal_float64_analyses(tiny_lm, tiny_b, tokenizer):
    c = tokviz.compare_models(tiny_lm, tiny_b, TEXT)
    ids = tokenizer(TEXT, add_special_tokens=False)["input_ids"]
    ref_a, ref_b = reference_logprobs(tiny_lm.model, ids), reference_logprobs(tiny_b.model, ids)
    assert c.alignment == "characters" and c.names == ("tiny-random-llama", "tiny-b")
    expected = reference_units(tokenizer, tokenizer, TEXT)
    assert len(c.units) == len(expected) < len(ids)  # the emoji's pieces share a unit
    assert any(len(r) > 1 for r, _, _, _ in expected)
    for unit, (ra, rb, start, end) in zip(c.units, expected):
        assert unit.a.token_ids == unit.b.token_ids == [ids[i] for i in ra]
        assert (unit.a.start, unit.a.end) == (unit.b.start, unit.b.end) == (start, end)
        assert unit.a.text == TEXT[start:end]
        want_a, want_b = unit_sum([ref_a[i] for i in ra]), unit_sum([ref_b[i] for i in rb])
        if want_a is None:
            assert unit.a.logprob is None and unit.b.logprob is None and unit.difference is None
            continue
        assert unit.a.logprob == pytest.approx(want_a, abs=TOL)
        assert unit.b.logprob == pytest.approx(want_b, abs=TOL)
        assert unit.difference == pytest.approx(want_b - want_a, abs=2 * TOL)
        assert unit.a.prob == pytest.approx(math.exp(want_a), rel=1e-3)
    diffs = [unit_sum([ref_b[i] for i in rb]) - unit_sum([ref_a[i] for i in ra]) for ra, rb, _, _ in expected[1:]]
    assert c.aligned == len(diffs) == len(c.units) - 1
    assert c.mean_difference == pytest.approx(sum(diffs) / len(diffs), abs=2 * TOL)
    for ppl, ref in zip(c.perplexities, (ref_a, ref_b)):
        assert ppl == pytest.approx(math.exp(-sum(ref[1:]) / (len(ref) - 1)), rel=1e-3)
    assert c.divergence is None and c.divergence_char is None and c.generated_from == (None, None)


def test_different_tokenizers_align_by_character_spans(tiny_lm, bpe_lm, tokenizer, bpe_tokenizer):
    c = tokviz.compare_models(tiny_lm, bpe_lm, TEXT)
    ids_a, _ = span_cuts(tokenizer, TEXT)
    ids_b, _ = span_cuts(bpe_tokenizer, TEXT)
    assert len(ids_a) != len(ids_b)
    ref_a, ref_b = reference_logprobs(tiny_lm.model, ids_a), reference_logprobs(bpe_lm.model, ids_b)
    expected = reference_units(tokenizer, bpe_tokenizer, TEXT)
    # Not trivial: units where the sides hold different numbers of tokens, and pieces of one character.
    assert any(len(ra) != len(rb) for ra, rb, _, _ in expected)
    assert any(bpe_tokenizer.decode([ids_b[i]]) == "\ufffd" for i in range(len(ids_b)))
    assert c.alignment == "characters" and len(c.units) == len(expected)
    for unit, (ra, rb, start, end) in zip(c.units, expected):
        assert unit.a.token_ids == [ids_a[i] for i in ra]
        assert unit.b.token_ids == [ids_b[i] for i in rb]
        assert (unit.a.start, unit.a.end, unit.b.start, unit.b.end) == (start, end, start, end)
        want_a, want_b = unit_sum([ref_a[i] for i in ra]), unit_sum([ref_b[i] for i in rb])
        assert (unit.a.logprob is None) == (want_a is None) and (unit.b.logprob is None) == (want_b is None)
        if want_a is not None and want_b is not None:
            assert unit.a.logprob == pytest.approx(want_a, abs=TOL)
            assert unit.b.logprob == pytest.approx(want_b, abs=TOL)
            assert unit.difference == pytest.approx(want_b - want_a, abs=2 * TOL)
    # Each side's units cover its whole token list, in order.
    assert [i for u in c.units for i in u.a.token_ids] == ids_a
    assert [i for u in c.units for i in u.b.token_ids] == ids_b


def test_a_token_ending_inside_a_character_never_ends_a_unit():
    # a: "x", " " + the emoji's first two bytes, then the rest; b: "x", " ", two bytes, the rest. The
    # text is "x 😀" on both sides; b may end a unit after " ", a may not.
    e = EMOJI.encode()
    a = fake_analysis([("x", b"x", None), (" ", b" " + e[:2], -1.0), (EMOJI, e[2:], -2.0)])
    b = fake_analysis([("x", b"x", None), (" ", b" ", -0.5), ("", e[:2], -0.25), (EMOJI, e[2:], -0.125)])
    c = tokviz.compare(a, b)
    assert c.alignment == "characters"
    assert [(len(u.a.tokens), len(u.b.tokens)) for u in c.units] == [(1, 1), (2, 3)]
    assert c.units[1].a.logprob == -3.0 and c.units[1].b.logprob == -0.875
    assert c.units[1].difference == 2.125 and (c.units[1].a.start, c.units[1].a.end) == (1, 3)
    assert c.units[0].difference is None and c.aligned == 1 and c.mean_difference == 2.125


def test_first_token_without_prediction_makes_only_its_side_none():
    # One side was scored after a BOS (its first token has a prediction), the other not.
    a = fake_analysis([("ab", b"ab", None), ("c", b"c", -1.0)])
    b = fake_analysis([("a", b"a", -3.0), ("b", b"b", -1.0), ("c", b"c", -2.0)])
    c = tokviz.compare(a, b)
    assert [u.b.token_ids for u in c.units] == [[100, 101], [102]]
    assert c.units[0].a.logprob is None and c.units[0].b.logprob == -4.0 and c.units[0].difference is None
    assert c.units[1].difference == -1.0 and c.aligned == 1


# --- two texts ------------------------------------------------------------------------------------------


def test_two_prompts_aligned_by_matching_blocks(tiny_lm, tokenizer):
    text_a, text_b = "The capital of France is", "The capital city of Spain is"
    c = tokviz.compare_texts(tiny_lm, text_a, text_b)
    assert c.alignment == "tokens"
    pairs = [(u.a and u.a.text, u.b and u.b.text) for u in c.units]
    assert pairs == [("The", "The"), (" capital", " capital"), (None, " city"), (" of", " of"),
                     (" France", None), (None, " Spain"), (" is", " is")]
    assert c.divergence == 2 and c.divergence_char == len("The capital")
    ids_a = tokenizer(text_a, add_special_tokens=False)["input_ids"]
    ids_b = tokenizer(text_b, add_special_tokens=False)["input_ids"]
    ref_a, ref_b = reference_logprobs(tiny_lm.model, ids_a), reference_logprobs(tiny_lm.model, ids_b)
    where = {" of": (2, 3), " is": (4, 5), " capital": (1, 1)}
    for u in c.units:
        if u.matched and u.a.text in where:
            ia, ib = where[u.a.text]
            assert u.a.token_ids == [ids_a[ia]] and u.b.token_ids == [ids_b[ib]]
            assert u.difference == pytest.approx(ref_b[ib] - ref_a[ia], abs=2 * TOL)
    one_sided = [u for u in c.units if not u.matched]
    assert all(u.difference is None for u in one_sided)
    assert one_sided[0].b.logprob == pytest.approx(ref_b[2], abs=TOL)  # " city" keeps its own numbers
    assert c.aligned == 3  # " capital", " of", " is" ("The" has no prediction)


def test_common_prefix_is_matched_before_the_longest_blocks():
    # Plain longest-block matching would pair a's second "p q r s" with b's and leave a's first "p q" unmatched.
    a, b = plain(["p", "q", "p", "q", "r", "s"]), plain(["p", "q", "r", "s"])
    c = tokviz.compare(a, b)
    assert [(u.a and u.a.text, u.b and u.b.text) for u in c.units] == [
        ("p", "p"), ("q", "q"), ("p", None), ("q", None), ("r", "r"), ("s", "s")]
    assert c.divergence == 2 and c.divergence_char == 2
    assert [u.difference for u in c.units] == [None, 0.0, None, None, 2.0, 2.0]  # b - a: -2 - -4, -3 - -5


def test_a_text_that_extends_the_other_diverges_where_it_goes_on():
    c = tokviz.compare(plain(["x", "y"]), plain(["x", "y", "z"]))
    assert c.divergence == 2 and c.divergence_char == 2 and c.units[2].a is None
    assert tokviz.compare(plain(["x", "y"]), plain(["x", "y"])).divergence is None


def test_tokens_alignment_on_one_text_and_partial_pieces_matched_by_bytes():
    e = EMOJI.encode()
    a = fake_analysis([("x", b"x", None), ("", e[:2], -1.0), (EMOJI, e[2:], -2.0)])
    b = fake_analysis([("x", b"x", None), ("", e[:3], -1.5), (EMOJI, e[3:], -0.5)])
    assert tokviz.compare(a, b).alignment == "characters"
    c = tokviz.compare(a, b, align="tokens")
    # The two text-less pieces hold different bytes: no match; the tokens completing the emoji match by text.
    assert [(u.a is not None, u.b is not None) for u in c.units] == [(True, True), (True, False), (False, True),
                                                                       (True, True)]
    assert c.divergence == 1 and c.units[3].difference == 1.5


def test_two_generations_with_different_seeds_diverge_at_the_first_differing_token(tiny_lm):
    prompt = "Once upon a time"
    c = tokviz.compare_generations(tiny_lm, prompt, {"seed": 1}, {"seed": 2}, do_sample=True, max_new_tokens=8)
    gen_a, gen_b = c.results
    assert c.names == ("seed=1", "seed=2")
    ids_a = [t.token_id for t in (*gen_a.prompt.tokens, *gen_a.tokens)]
    ids_b = [t.token_id for t in (*gen_b.prompt.tokens, *gen_b.tokens)]
    first = next(i for i, (x, y) in enumerate(zip(ids_a, ids_b)) if x != y)
    prompt_len = len(gen_a.prompt.tokens)
    assert first >= prompt_len  # the prompts are one text: the generations differ in the generated part
    assert c.generated_from == (prompt_len, prompt_len)
    assert c.alignment == "tokens" and c.divergence == first
    assert all(u.matched and u.a.token_ids == u.b.token_ids for u in c.units[:first])
    div = c.units[first]
    assert not div.matched and (div.a or div.b).generated
    assert c.divergence_char == len(tiny_lm.tokenizer.decode(ids_a[:first]))
    # Differences equal two independent teacher-forced float64 passes over each whole sequence.
    ref_a, ref_b = reference_logprobs(tiny_lm.model, ids_a), reference_logprobs(tiny_lm.model, ids_b)
    index_a = {id(t): i for i, t in enumerate((*gen_a.prompt.tokens, *gen_a.tokens))}
    index_b = {id(t): i for i, t in enumerate((*gen_b.prompt.tokens, *gen_b.tokens))}
    checked = 0
    for u in c.units:
        if u.a is not None and u.a.logprob is not None:
            assert u.a.logprob == pytest.approx(ref_a[index_a[id(u.a.tokens[0])]], abs=TOL)
        if u.difference is not None:
            ia, ib = index_a[id(u.a.tokens[0])], index_b[id(u.b.tokens[0])]
            assert u.difference == pytest.approx(ref_b[ib] - ref_a[ia], abs=2 * TOL)
            checked += 1
    assert checked == c.aligned >= prompt_len - 1
    assert [t.generated for u in c.units[:first] for t in u.a.tokens] == [False] * prompt_len + [True] * (
        first - prompt_len)


def test_identical_generations_do_not_diverge(tiny_lm):
    c = tokviz.compare_generations(tiny_lm, "Once upon a time", {"seed": 3}, {"seed": 3}, do_sample=True,
                                   max_new_tokens=4, names=("first", "again"))
    assert c.divergence is None and c.divergence_char is None and c.alignment == "characters"
    assert all(u.difference == 0.0 for u in c.units[1:]) and c.mean_difference == 0.0


def test_a_generation_against_the_analysis_of_its_text_agrees(tiny_lm):
    """A Generation and a PromptAnalysis of its whole text: one text, aligned by characters; where both
    tokenized alike the teacher-forced numbers equal the generation's raw ones."""
    gen = tokviz.generate(tiny_lm, "The capital of France is", max_new_tokens=6)
    analysis = tokviz.analyze(tiny_lm, gen.prompt.text + "".join(t.text for t in gen.tokens))
    c = tokviz.compare(gen, analysis, names=("generated", "analysed"))
    assert c.alignment == "characters" and c.generated_from == (len(gen.prompt.tokens), None)
    same = [u for u in c.units if u.difference is not None and u.a.token_ids == u.b.token_ids]
    assert len(same) >= 5
    assert max(abs(u.difference) for u in same) < 1e-3


# --- bad input --------------------------------------------------------------------------------------------


def test_bad_input_is_refused_with_a_reason(tiny_lm):
    result = plain(["a", "b"])
    with pytest.raises(InvalidInputError, match="nothing given"):
        tokviz.compare(result, None)
    with pytest.raises(InvalidInputError, match="b is str"):
        tokviz.compare(result, "ab")
    with pytest.raises(InvalidInputError, match="a is LanguageModel"):
        tokviz.compare(tiny_lm, result)
    with pytest.raises(InvalidInputError, match="a is LogitLens"):
        tokviz.compare(tokviz.logit_lens(tiny_lm, "ab"), result)
    with pytest.raises(InvalidInputError, match="names must differ"):
        tokviz.compare(result, result, names=("A", "A"))
    with pytest.raises(InvalidInputError, match="two non-empty strings"):
        tokviz.compare(result, result, names=("A",))
    with pytest.raises(InvalidInputError, match="align must be one of"):
        tokviz.compare(result, result, align="bytes")
    with pytest.raises(InvalidInputError, match="differ from character 1"):
        tokviz.compare(result, plain(["a", "c"]), align="characters")
    with pytest.raises(TypeError, match="lms"):  # results carry their vocabularies: no lms= any more
        tokviz.compare(result, result, lms=(tiny_lm,))
    with pytest.raises(InvalidInputError, match=r"compare_models \(lm_b\) needs a model.*got str"):
        tokviz.compare_models(tiny_lm, "gpt2", "text")
    with pytest.raises(InvalidInputError, match="empty"):
        tokviz.compare_texts(tiny_lm, "a", "")
    with pytest.raises(InvalidInputError, match="dict of generate"):
        tokviz.compare_generations(tiny_lm, "a", 1, {"seed": 2})
    with pytest.raises(InvalidInputError, match="seed given both"):
        tokviz.compare_generations(tiny_lm, "a", {"seed": 1}, {}, seed=2)
    with pytest.raises(InvalidInputError, match="needs a Comparison"):
        tokviz.CompareView(result)
    with pytest.raises(TypeError, match="unexpected keyword"):
        tokviz.CompareView(tokviz.compare(result, result, names=("x", "y")), colour="blue")


def test_comparing_a_result_with_itself_gives_zero_everywhere():
    result = plain(["a", "b", "c"])
    c = tokviz.compare(result, result)
    assert c.differences == [None, 0.0, 0.0] and c.mean_difference == 0.0 and c.divergence is None
    assert "mean difference" in c.table() and "Comparison('A' vs 'B', 3 units" in repr(c)
    assert c.to_dict()["units"][1]["difference"] == 0.0


# --- the view's payload -------------------------------------------------------------------------------------


def test_payload_carries_the_comparisons_numbers(tiny_lm, tiny_b):
    text = f"Hi {EMOJI}<|endoftext|> there"
    c = tokviz.compare_models(tiny_lm, tiny_b, text)
    view = tokviz.CompareView(c)
    p = view.data
    assert view.result is c and p["names"] == list(c.names) and p["alignment"] == "characters"
    assert len(p["units"]) == len(c.units)
    for sent, unit in zip(p["units"], c.units):
        assert sent["d"] == decimals(unit.difference)
        for key, side in (("a", unit.a), ("b", unit.b)):
            assert sent[key]["lp"] == decimals(side.logprob) and sent[key]["p"] == rounded_prob(side.prob)
            assert [t["id"] for t in sent[key]["toks"]] == side.token_ids
            assert "".join(t["t"] for t in sent[key]["toks"]) == side.text
    assert p["mean_d"] == decimals(c.mean_difference) and p["ppl"] == [rounded(x) for x in c.perplexities]
    assert p["aligned"] == c.aligned and p["divergence"] is None
    for which, key in ((0, "a"), (1, "b")):
        ids = {str(t["id"]) for u in p["units"] for t in u[key]["toks"]}
        assert set(p["pieces"][which]) == ids
    special = tiny_lm.tokenizer.convert_tokens_to_ids("<|endoftext|>")
    assert p["pieces"][0][str(special)] == {"special": "<|endoftext|>"}
    assert any(isinstance(v, dict) and "bytes" in v for v in p["pieces"][0].values())  # the emoji's pieces
    # Results carry their vocabulary, so comparing them again keeps the special tags.
    assert tokviz.CompareView(tokviz.compare(*c.results)).data["pieces"] == p["pieces"]
    # Results without one (made by hand), the pieces come from their own bytes: no special tags, bytes still known.
    bare = tokviz.CompareView(tokviz.compare(*(dataclasses.replace(r, vocabulary=None) for r in c.results))).data
    assert bare["pieces"][0][str(special)] == "<|endoftext|>"
    assert {k: v for k, v in bare["pieces"][0].items() if isinstance(v, dict)} == {
        k: v for k, v in p["pieces"][0].items() if isinstance(v, dict) and "bytes" in v}
    html = view.to_html()
    assert '"_kind":"compare"' in html and "tokviz: compare view" in html


def test_payload_of_two_generations_marks_generated_tokens_and_divergence(tiny_lm):
    c = tokviz.compare_generations(tiny_lm, "Once upon a time", {"seed": 1}, {"seed": 2}, do_sample=True,
                                   max_new_tokens=5)
    p = tokviz.CompareView(c).data
    assert p["divergence"] == c.divergence and p["divergence_char"] == c.divergence_char
    assert p["generated_from"] == list(c.generated_from)
    for sent, unit in zip(p["units"], c.units):
        for key, side in (("a", unit.a), ("b", unit.b)):
            if side is None:
                assert sent[key] is None
            else:
                assert [t.get("g", 0) for t in sent[key]["toks"]] == [int(t.generated) for t in side.tokens]


# --- the real default model --------------------------------------------------------------------------------


@pytest.mark.slow
def test_default_model_against_a_tiny_random_model_equals_float64_analyses(default_lm, tiny_lm, tokenizer):
    c = tokviz.compare_models(default_lm, tiny_lm, BERLIN_PROMPT + " Berlin.")
    ids = tokenizer(BERLIN_PROMPT + " Berlin.", add_special_tokens=False)["input_ids"]
    ref_a, ref_b = reference_logprobs(default_lm.model, ids), reference_logprobs(tiny_lm.model, ids)
    assert len(c.units) == len(ids)  # one tokenizer, no partial characters: one token per unit
    for i, unit in enumerate(c.units[1:], start=1):
        assert unit.a.token_ids == [ids[i]]
        assert unit.a.logprob == pytest.approx(ref_a[i], abs=2e-4)
        assert unit.b.logprob == pytest.approx(ref_b[i], abs=TOL)
        assert unit.difference == pytest.approx(ref_b[i] - ref_a[i], abs=2e-4)
    berlin = next(u for u in c.units if u.a.text == " Berlin")
    assert berlin.a.prob > 0.9 and berlin.difference < -5  # the real model knows; the random one does not
    assert c.mean_difference < 0


def test_difflib_would_not_match_the_prefix_alone():
    """The prefix test above depends on the longest block stealing the prefix; check that premise."""
    blocks = difflib.SequenceMatcher(None, list("pqpqrs"), list("pqrs"), autojunk=False).get_matching_blocks()
    assert blocks[0].a == 2
