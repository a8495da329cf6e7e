"""Compares a NativeAOT build of a sample with its JIT build (see check-aot.sh): outputs of every kernel path, then
binary size, start-up time, peak RSS and forward time side by side. Usage: compare-aot.py NAME FOLDER [ARGS...].
With --portable CPU NAME FOLDER: compares the portable binary's outputs on the emulated CPU with the JIT build's."""
import os, re, struct, subprocess, sys, time

order = ["Scalar", "Vector128", "Vector256", "Vector512"]


def compare_dumps(jit_dump, other_dump, exact_paths):
    """Per kernel path: bit-identical where both builds accelerate it (exact_paths); elsewhere within 1e-6 of the
    output's scale, because a path one side only emulates in software, or runs without FMA, rounds differently."""
    report, ok = [], True
    for path in order:
        a = open(os.path.join(jit_dump, path + ".bin"), "rb").read()
        b = open(os.path.join(other_dump, path + ".bin"), "rb").read()
        x, y = struct.unpack(f"<{len(a) // 4}f", a), struct.unpack(f"<{len(b) // 4}f", b)
        same = a == b
        if len(a) != len(b):
            good = False
        elif same:
            good = True
        else:
            scale = max(abs(v) for v in x)
            good = path not in exact_paths and max(abs(p - q) for p, q in zip(x, y)) <= 1e-6 * scale
        ok &= good
        report.append(f"{path} {'identical' if same else 'max diff %.1e' % max(abs(p - q) for p, q in zip(x, y))}{'' if good else ' (FAIL)'}")
    return report, ok


if sys.argv[1] == "--portable":
    cpu, name, folder = sys.argv[2:5]
    best = open(os.path.join(folder, "out-portable", "auto.txt")).read().strip()
    # No FMA on that processor: every path multiplies and adds separately, so none is bit-identical to the JIT's.
    report, ok = compare_dumps(os.path.join(folder, "out-jit"), os.path.join(folder, "out-portable"), exact_paths=())
    ok &= best == "Vector128"
    size = os.path.getsize(os.path.join(folder, "portable", "Attend.Samples." + name)) / 1e6
    print(f"AOT check: {name} portable {'OK' if ok else 'FAILED'}; AttendAotInstructionSet=false binary ({size:.1f} MB) on an "
          f"emulated {cpu} (no AVX, no FMA, qemu-x86_64): Auto -> {best}; outputs vs JIT: {', '.join(report)}; the default "
          f"x86-64-v3 binary refuses {cpu} at start-up with NativeAOT's instruction-set message")
    sys.exit(0 if ok else 1)

name, folder, args = sys.argv[1], sys.argv[2], sys.argv[3:]
jit_dump, aot_dump = os.path.join(folder, "out-jit"), os.path.join(folder, "out-aot")
best_jit = open(os.path.join(jit_dump, "auto.txt")).read().strip()
best_aot = open(os.path.join(aot_dump, "auto.txt")).read().strip()
# Bit-identical on the scalar path and on every vector path both builds accelerate.
accelerated = [p for p in order if p == "Scalar" or order.index(p) <= min(order.index(best_jit), order.index(best_aot))]
report, ok = compare_dumps(jit_dump, aot_dump, accelerated)


def startup(command, cwd):
    """Seconds from process start to its first output line (runtime up, weights loaded): the best of three."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   env={k: v for k, v in os.environ.items() if not k.startswith("ATTEND_")})
        process.stdout.readline()
        best = min(best, time.perf_counter() - start)
        process.kill()
        process.wait()
    return best


def forward_ms(text):
    """The sample's own timing of its vectorized forward pass (Auto path)."""
    match = re.search(r"Auto -> \S+\s.*?([\d.]+) ms per forward", text) or re.search(r"\(([\d.]+) ms per batch", text)
    return float(match.group(1))


def size_mb(path):
    if os.path.isfile(path):
        return os.path.getsize(path) / 1e6
    # The JIT build's own files (the shared .NET runtime comes on top), without the sample's weights and data, the model
    # package's file (both builds read it) and the embeddings sample's peer, ONNX Runtime (the AOT build leaves it out).
    return sum(os.path.getsize(os.path.join(d, f)) for d, dirs, fs in os.walk(path) for f in fs
               if not (os.path.relpath(d, path).split(os.sep)[0] in ("weights", "data", "runtimes") or f.endswith(".svg")
                       or f.startswith(("SentenceTransformers.", "Microsoft.ML.OnnxRuntime")))) / 1e6


aot_dir, jit_dir = os.path.join(folder, "aot"), os.path.join(folder, "jit")
aot_binary = os.path.join(aot_dir, "Attend.Samples." + name)
aot_start = startup([aot_binary, *args], aot_dir)
jit_start = startup(["dotnet", f"Attend.Samples.{name}.dll", *args], jit_dir)
aot_rss = int(open(os.path.join(folder, "aot.rss")).read().split()[-1]) / 1024
jit_rss = int(open(os.path.join(folder, "jit.rss")).read().split()[-1]) / 1024
aot_ms = forward_ms(open(os.path.join(folder, "aot.txt")).read())
jit_ms = forward_ms(open(os.path.join(folder, "jit.txt")).read())
print(f"AOT check: {name} {'OK' if ok else 'FAILED'}; Auto -> {best_aot} (JIT: {best_jit}); outputs vs JIT: {', '.join(report)}")
print(f"  {name}: NativeAOT vs JIT: size {size_mb(aot_binary):.1f} MB single binary vs {size_mb(jit_dir):.1f} MB + shared runtime; "
      f"start-up to first line {aot_start * 1e3:.0f} ms vs {jit_start * 1e3:.0f} ms; peak RSS {aot_rss:.0f} MB vs {jit_rss:.0f} MB; "
      f"forward {aot_ms:.2f} ms vs {jit_ms:.2f} ms ({jit_ms / aot_ms:.2f}x the JIT's speed, one run each: noisy on a shared machine)")
sys.exit(0 if ok else 1)
