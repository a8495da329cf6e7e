// Time ONNX Runtime (npm onnxruntime-node, CPU) on the side-by-side cases.
//
// Reads <work>/manifest.json written by make_cases.py. For each case and thread count: creates a session
// on the case's .onnx (graphOptimizationLevel 'all', intraOpNumThreads t, interOpNumThreads 1,
// executionMode 'sequential'), feeds the inputs stored in the case's .safetensors, checks the output
// against the float64 reference (max abs error), then times session.run: warm-up, then the median of
// N runs. A timed window in which other processes (or hypervisor steal) used more than 0.10 core is
// repeated, up to 3 attempts; the quietest attempt is kept and flagged if it is still noisy. Before each
// attempt it waits for a quiet machine (at most 15 s, and 180 s in all per run; 5 s and 30 s with --quick);
// once that budget is spent, a noisy figure is not retried.
//
// usage: node ort_peer.mjs --work DIR --out results.json [--threads 1,2] [--quick] [--iters N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';

const NOISE_LIMIT_CORES = 0.10;
const ATTEMPTS = 3;

function parseArgs(argv) {
  const a = { threads: '1,2', quick: false, iters: 0 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--quick') a.quick = true;
    else if (k === '--work') a.work = argv[++i];
    else if (k === '--out') a.out = argv[++i];
    else if (k === '--threads') a.threads = argv[++i];
    else if (k === '--iters') a.iters = Number(argv[++i]);
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.work || !a.out) throw new Error('usage: node ort_peer.mjs --work DIR --out FILE [--threads 1,2] [--quick] [--iters N]');
  return a;
}

function readSafetensors(file) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString('utf8'));
  const base = 8 + n;
  const out = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (info.dtype !== 'F32') continue;
    const [b, e] = info.data_offsets;
    // copy into a fresh, aligned ArrayBuffer
    const data = new Float32Array((e - b) / 4);
    new Uint8Array(data.buffer).set(buf.subarray(base + b, base + e));
    out[name] = { data, dims: info.shape };
  }
  return out;
}

function procBusySeconds() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal ...; USER_HZ is 100 on Linux
  return (f[0] + f[1] + f[2] + f[5] + f[6] + (f[7] || 0)) / 100;
}

function ownCpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Wait (sleeping) until other processes use at most NOISE_LIMIT_CORES over a 0.5 s window, or give up
// after maxWaitS.
async function waitQuiet(maxWaitS) {
  const t0 = performance.now();
  if (maxWaitS < 0.5) return 0;
  for (;;) {
    const b0 = procBusySeconds(), o0 = ownCpuSeconds(), w0 = performance.now();
    await sleep(500);
    const other = (procBusySeconds() - b0 - (ownCpuSeconds() - o0)) / ((performance.now() - w0) / 1000);
    if (other <= NOISE_LIMIT_CORES || performance.now() - t0 + 500 > maxWaitS * 1000) return (performance.now() - t0) / 1000;
  }
}

async function measure(fn, cfg) {
  const t0 = performance.now();
  const per = [];
  while (per.length < cfg.warmupMin || performance.now() - t0 < cfg.warmupS * 1000) {
    const s = performance.now();
    await fn();
    per.push((performance.now() - s) / 1000);
  }
  const est = Math.min(...per.slice(-3));
  const n = cfg.iters || Math.max(cfg.minIters, Math.min(cfg.maxIters, Math.ceil(cfg.targetS / Math.max(est, 1e-9))));
  let best = null;
  let attempt = 0;
  for (attempt = 1; attempt <= ATTEMPTS; attempt++) {
    // Wait for a quiet machine, within a total budget so a machine that stays busy costs little.
    cfg.quietBudgetS -= await waitQuiet(Math.min(cfg.quietWaitS, Math.max(0, cfg.quietBudgetS)));
    const busy0 = procBusySeconds(), own0 = ownCpuSeconds(), w0 = performance.now();
    const times = [];
    for (let i = 0; i < n; i++) {
      const s = process.hrtime.bigint();
      await fn();
      times.push(Number(process.hrtime.bigint() - s));
    }
    const wall = (performance.now() - w0) / 1000;
    const other = Math.max(0, (procBusySeconds() - busy0 - (ownCpuSeconds() - own0)) / wall);
    const res = { median_ms: median(times) / 1e6, min_ms: Math.min(...times) / 1e6, n, other_cores: Math.round(other * 1000) / 1000 };
    if (best === null || other < best.other_cores) best = res;
    // quiet, or the machine has stayed busy all along: another attempt would not help
    if (other <= NOISE_LIMIT_CORES || cfg.quietBudgetS <= 0) break;
  }
  best.attempts = Math.min(attempt, ATTEMPTS);
  best.noisy = best.other_cores > NOISE_LIMIT_CORES;
  return best;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const cfg = args.quick
    ? { warmupMin: 2, warmupS: 0.1, targetS: 0.5, minIters: 5, maxIters: 200, quietWaitS: 5, quietBudgetS: 30 }
    : { warmupMin: 3, warmupS: 0.3, targetS: 2.0, minIters: 7, maxIters: 1000, quietWaitS: 15, quietBudgetS: 180 };
  cfg.iters = args.iters;
  const threads = args.threads.split(',').filter(Boolean).map(Number);
  const manifest = JSON.parse(fs.readFileSync(path.join(args.work, 'manifest.json'), 'utf8')).cases;
  const results = [];
  const env = { onnxruntime: ort.env.versions, node: process.version, cpus: os.cpus().length };
  console.error(`onnxruntime-node ${JSON.stringify(env.onnxruntime)}; node ${env.node}`);

  for (const c of manifest) {
    const tensors = readSafetensors(c.safetensors);
    const refBuf = fs.readFileSync(c.ref_f64);
    const ref = new Float64Array(refBuf.buffer, refBuf.byteOffset, refBuf.byteLength / 8);
    const feeds = {};
    for (const name of c.inputs) {
      const t = tensors[`input.${name}`];
      if (!t) throw new Error(`${c.safetensors} has no input.${name}`);
      feeds[name] = new ort.Tensor('float32', t.data, t.dims);
    }
    for (const t of threads) {
      const session = await ort.InferenceSession.create(c.onnx, {
        executionProviders: ['cpu'],
        graphOptimizationLevel: 'all',
        intraOpNumThreads: t,
        interOpNumThreads: 1,
        executionMode: 'sequential',
      });
      const out = await session.run(feeds);
      const y = out.y.data;
      if (y.length !== ref.length) throw new Error(`${c.name}: output has ${y.length} values, reference ${ref.length}`);
      let err = 0;
      for (let i = 0; i < y.length; i++) {
        const d = Math.abs(y[i] - ref[i]);
        if (!(d <= err)) err = d; // NaN propagates
      }
      const r = await measure(() => session.run(feeds), cfg);
      Object.assign(r, { name: c.name, threads: t, impl: 'ort', max_abs_err: err });
      results.push(r);
      console.error(`  ${c.name.padEnd(22)} ort        t=${t}: ${r.median_ms.toFixed(3).padStart(9)} ms  n=${String(r.n).padEnd(4)} ` +
        `err=${err.toExponential(1)} other=${r.other_cores.toFixed(2)}${r.noisy ? ' NOISY' : ''}`);
      await session.release();
    }
  }
  fs.writeFileSync(args.out, JSON.stringify({ env, results }, null, 1));
}

main().catch((e) => { console.error(e); process.exit(1); });
