"""The machine a benchmark ran on, for the first line of its output: the CPU's
model name and SIMD level, the SIMD level numpy (and PyTorch, if loaded) run
their loops with, and numpy's BLAS kernel.

numpy can be made to run as on a CPU without AVX-512 (an AVX2 laptop), which is
how the AVX2 figures in benchmarks/README.md were measured on an AVX-512 machine:

    NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR" ATEN_CPU_CAPABILITY=avx2 \\
        python benchmarks/emma_embedding.py
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Mapping, Sequence


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_simd() -> str:
    """The widest SIMD the CPU has: AVX-512, AVX2, or what else it reports."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            flags = next((line.split(":", 1)[1].split() for line in f
                          if line.startswith("flags")), [])
    except OSError:
        flags = []
    for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("sse4_2", "SSE4.2")):
        if flag in flags:
            return name
    return "unknown"


def clock_ghz() -> float | None:
    """The clock the kernel reports for the first core, in GHz (None when unknown)."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("cpu MHz"):
                    return float(line.split(":", 1)[1]) / 1000
    except (OSError, ValueError):
        pass
    return None


def peak_gflops() -> tuple[float | None, str]:
    """The float32 fused multiply-add peak of the machine, in GFLOP/s, and how it
    was reckoned: cores x clock x 2 FMA pipes x float32 lanes per pipe x 2
    (a multiply and an add). AMD's Zen 4 runs AVX-512 on 256-bit pipes, so an AMD
    CPU counts 8 lanes a pipe whatever its SIMD level; an Intel AVX-512 CPU 16.
    The clock is the one the kernel reports (in a virtual machine often the base
    clock): a core that boosts above it has a higher peak than this says."""
    ghz, cores, simd = clock_ghz(), os.cpu_count() or 1, cpu_simd()
    if ghz is None:
        return None, "clock unknown"
    amd = "AMD" in cpu_name()
    lanes = 16 if simd == "AVX-512" and not amd else 8 if simd in ("AVX-512", "AVX2") else 4
    peak = cores * ghz * 2 * lanes * 2
    return peak, (f"{cores} cores x {ghz:.2f} GHz (as reported; boost raises it) x 2 FMA "
                  f"pipes x {lanes} float32 lanes x 2 = {peak:.0f} GFLOP/s")


def numpy_simd() -> str:
    """The SIMD level numpy's own loops (exp, max, sums) run with in this process."""
    from numpy._core._multiarray_umath import __cpu_features__ as on

    if on.get("X86_V4", on.get("AVX512_SKX")):
        return "AVX-512"
    return "AVX2" if on.get("AVX2") else "below AVX2"


def blas_kernel() -> str:
    """Which BLAS kernel numpy's matrix products run (needs threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown"
    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return ", ".join(f"{i['internal_api']} {i.get('architecture')} x{i['num_threads']}"
                     for i in blas) or "unknown"


def describe() -> str:
    """One line: CPU, cores, SIMD of the CPU / numpy / PyTorch, BLAS kernel."""
    line = (f"CPU: {cpu_name()}, {os.cpu_count()} cores, {cpu_simd()}; numpy loops "
            f"{numpy_simd()}; BLAS {blas_kernel()}")
    if "OPENBLAS_CORETYPE" in os.environ:
        line += f" (OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']})"
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        line += f"; PyTorch {torch.__version__} {torch.backends.cpu.get_cpu_capability()}"
        line += f" x{torch.get_num_threads()}"
    try:
        load = os.getloadavg()[0]
        line += f"; load average {load:.1f} (shared machine)"
    except OSError:
        pass
    return line


if __name__ == "__main__":
    print(describe())


#: The first lines of a script that times its own parts in a fresh process: it calls
#: part("what was done") after each part and prints `json.dumps(out)` at the end.
PART_TIMER = """
import json, time
out, t, c = {}, time.perf_counter(), time.process_time()
def part(name):
    global t, c
    out[name] = (time.perf_counter() - t, time.process_time() - c)
    t, c = time.perf_counter(), time.process_time()
"""


def timed_parts(body: str, repeats: int, args: Sequence[str] = (),
                env: Mapping[str, str] | None = None) -> dict[str, tuple[float, float]]:
    """Run PART_TIMER + `body` in `repeats` fresh processes: each part's median wall
    and CPU seconds, in the order the script timed them."""
    import json
    import statistics
    import subprocess

    found: dict[str, list[tuple[float, float]]] = {}
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", PART_TIMER + body, *args], check=True,
                              capture_output=True, text=True, env=env)
        for name, (wall, cpu) in json.loads(done.stdout.splitlines()[-1]).items():
            found.setdefault(name, []).append((wall, cpu))
    return {name: (statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts))
            for name, ts in found.items()}
