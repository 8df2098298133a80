"""Run a command as if this CPU had AVX2 and no AVX-512, VNNI or AMX.

    python -m bench.avx2_only [--check] -- COMMAND [ARGS...]
    python -m bench.avx2_only -- .venv/bin/python -m bench.embedding

ONNX Runtime has no setting that limits the instruction sets its kernels (MLAS) use: it reads
CPUID once and takes the widest kernels the CPU offers, and numpy does the same. To estimate what
an AVX2-only server gets from the sentence model, `bench/avx2_only.c` (built here with the
system's C compiler into `var/bench/`) is preloaded into the command: it makes CPUID fault
(Linux's `arch_prctl(ARCH_SET_CPUID)`, on CPUs listing `cpuid_fault`) and answers it without
the AVX-512, VNNI and AMX bits. glibc's own string functions are told the same through
`GLIBC_TUNABLES`. `--check` prints what numpy sees with and without it.

What it does not change: the cores, their clock, caches and memory bandwidth. An AVX2-only EPYC
(Zen 2/3 at 2.4 GHz) is slower per clock than this one besides lacking AVX-512, so figures taken
under it compare int8 with float32 and kernel with kernel on the same machine; they are not what
an AVX2-only machine measures (docs/benchmarks.md).
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "bench" / "avx2_only.c"
LIBRARY = ROOT / "var" / "bench" / "avx2_only.so"
# glibc chose its memcpy and friends before the preloaded library was loaded.
TUNABLES = "glibc.cpu.hwcaps=-AVX512F,-AVX512VL,-AVX512BW,-AVX512DQ,-AVX512CD,-AVX_VNNI,-AVX512_VNNI"


def library() -> Path:
    """The preload library, built afresh when its source changed."""
    if not LIBRARY.exists() or LIBRARY.stat().st_mtime < SOURCE.stat().st_mtime:
        LIBRARY.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", str(LIBRARY), str(SOURCE)], check=True)
    return LIBRARY


def environment() -> dict[str, str]:
    preload = " ".join(p for p in (str(library()), os.environ.get("LD_PRELOAD", "")) if p)
    tunables = ":".join(t for t in (os.environ.get("GLIBC_TUNABLES", ""), TUNABLES) if t)
    return {**os.environ, "LD_PRELOAD": preload, "GLIBC_TUNABLES": tunables}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="show what numpy sees with and without the library")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.check:
        probe = [sys.executable, "-c", "import json; from bench import cpu; print(json.dumps(cpu.describe()))"]
        for label, env in (("as it is: ", None), ("AVX2 only:", environment())):
            seen = subprocess.run(probe, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
            print(label, seen.stdout.strip())
        if not command:
            return
    if not command:
        parser.error("give a command to run, after --")
    os.execvpe(command[0], command, environment())


if __name__ == "__main__":
    main()
