"""The CPU a result was measured on, recorded with every file in `bench/results/`.

Sessions run on different machines, and two kinds of 2-core AMD EPYC came up: with AVX-512 and
its int8 dot products (VNNI), and with AVX2 only. The same code costs two to three times the CPU
on the second, and the sentence model's int8 copy has its fast path only on the first, so a figure
means little without the kind of CPU it came from. `docs/benchmarks.md` keeps a table per kind.

`kind` is what the libraries see, not only what /proc/cpuinfo lists: under `bench/avx2_only.py`
(CPUID answered without AVX-512, VNNI and AMX) numpy and ONNX Runtime choose their AVX2 kernels
on a CPU that has more, and the file says so (`avx2_only_emulated`).
"""

import os
from pathlib import Path
from typing import Any

# Flags that decide the kernels ONNX Runtime and numpy choose, as /proc/cpuinfo spells them.
FLAGS = ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8")
EMULATION_LIBRARY = "avx2_only.so"


def _cpuinfo() -> list[str]:
    try:
        return Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return []


def _field(lines: list[str], name: str) -> str | None:
    return next((line.split(":", 1)[1].strip() for line in lines if line.split(":", 1)[0].strip() == name), None)


def seen_by_libraries() -> dict[str, bool]:
    """The instruction sets numpy's dispatcher found through CPUID: the same answer ONNX Runtime gets."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # another numpy layout: say nothing rather than guess
        return {}
    return {
        "avx2": bool(features.get("AVX2")),
        "avx512f": bool(features.get("AVX512F")),
        "avx512_vnni": bool(features.get("AVX512VNNI")),
    }


def kind(flags: set[str]) -> str:
    """'avx512-vnni', 'avx-vnni', 'avx2' or 'other': the column of docs/benchmarks.md a figure belongs in."""
    if "avx512_vnni" in flags:
        return "avx512-vnni"
    if "avx_vnni" in flags or "amx_int8" in flags:
        return "avx-vnni"
    if "avx2" in flags:
        return "avx2"
    return "other"


def describe() -> dict[str, Any]:
    """Model, cores, clock, the flags that matter, and the kind of CPU the code actually ran on."""
    lines = _cpuinfo()
    listed = set((_field(lines, "flags") or "").split())
    emulated = EMULATION_LIBRARY in os.environ.get("LD_PRELOAD", "")
    seen = seen_by_libraries()
    effective = set(listed)
    if seen and not seen.get("avx512f"):  # CPUID hides AVX-512 and VNNI from the libraries
        effective -= {"avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8"}
    mhz = _field(lines, "cpu MHz")
    return {
        "model": _field(lines, "model name"),
        "cores": os.cpu_count(),
        "mhz": round(float(mhz)) if mhz else None,
        "flags": {flag: flag in listed for flag in FLAGS},
        "seen_by_libraries": seen,
        "avx2_only_emulated": emulated,
        "kind": kind(effective),
    }
