import os

# One BLAS thread per process, set before numpy loads. A query's matrix-vector products are bound by
# memory, not arithmetic, and the web server already runs a request per core: OpenBLAS's own threads
# only fight those for the CPU (p95 several times worse on a busy 2-core machine, docs/triage.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
