using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Runs a whole pass of a stack over a KV cache for disjoint ranges of the batch's sequences side by side, one thread
/// per range. For small models: when each operation of a decoding step is under <see cref="LinearKernels.MinFlopsPerThread"/>
/// for a second thread, every operation runs on one thread although the batch holds plenty of work; threads that each
/// run every layer for their own sequences meet once per step instead of at every operation. Every kernel computes a
/// row the same way whatever the rows around it, so the outputs are those of the undivided pass, bit for bit.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class SequenceRanges
{
    /// <summary>Runs the pass for <paramref name="sequences"/> sequences from <paramref name="firstSequence"/> on, on <paramref name="x"/> <c>[sequences, length, ModelDim]</c>, on one thread.</summary>
    public delegate void RangeAction<TState>(TState state, KernelPath path, KvCache cache, int length, Span<float> x, int firstSequence, int sequences);

    /// <summary>
    /// How many ranges a pass over <paramref name="batch"/> × <paramref name="length"/> new rows should be divided into:
    /// 1 (run it whole, each operation splitting itself) unless there are several threads, the whole pass gives each range
    /// at least <see cref="LinearKernels.MinFlopsPerThread"/> (<paramref name="flopsPerRow"/>: every projection's
    /// multiply-adds × 2, per row), and either
    /// <list type="bullet">
    /// <item>the largest operation (<paramref name="largestFlopsPerRow"/> per row) is too small to occupy every thread, so
    /// the operations would run on one; or</item>
    /// <item>it is small enough that handing each of the pass's ~10 operations per layer to the threads costs about a tenth
    /// of the pass (under <see cref="ShortOperationFlops"/>), each range still has <see cref="MinRowsPerRange"/> rows to
    /// reuse every weight it reads, and the sequences divide evenly enough that no thread waits long for another.</item>
    /// </list>
    /// </summary>
    public static int Count(int batch, int length, long flopsPerRow, long largestFlopsPerRow, int maxThreads)
    {
        int threads = Math.Min(maxThreads, WorkerPool.MaxThreads);
        if (threads <= 1 || batch < 2)
        {
            return 1;
        }

        long rows = (long)batch * length;
        int ranges = (int)Math.Min(Math.Min(threads, batch), Math.Max(1, rows * flopsPerRow / LinearKernels.MinFlopsPerThread));
        long largest = rows * largestFlopsPerRow;
        if (largest < LinearKernels.MinFlopsPerThread * threads)
        {
            return ranges; // the operations would not split: any division of the batch is a gain
        }

        bool balanced = batch % ranges == 0 || batch >= 4 * ranges;
        bool shortOperations = largest < ShortOperationFlops && rows / ranges >= MinRowsPerRange;
        return balanced && shortOperations ? ranges : 1;
    }

    /// <summary>
    /// An operation below this (about 0.3 ms on one AVX2 core) hands its threads work so short that waking them and meeting
    /// again is a noticeable share: the TinyDecoder's prefill (576 rows, ≤ 9.4 MFLOP an operation) ran 11 % faster on two
    /// threads as two ranges of sequences than operation by operation.
    /// </summary>
    internal const long ShortOperationFlops = 16 * LinearKernels.MinFlopsPerThread;

    /// <summary>
    /// Rows each range needs before running every weight once per range (not once per pass) stops mattering: at 32 rows a
    /// weight read from memory feeds 64 FLOPs, more than a core's multiply-adds can take at DRAM speed.
    /// </summary>
    internal const int MinRowsPerRange = 32;

    /// <summary>
    /// Calls <paramref name="action"/> for <paramref name="ranges"/> near-equal ranges of the <paramref name="batch"/>
    /// sequences of <paramref name="x"/>, on up to <paramref name="ranges"/> threads. Allocates nothing once warm.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> does not divide into <paramref name="batch"/> sequences.</exception>
    public static unsafe void Run<TState>(TState state, KernelPath path, KvCache cache, int length, Span<float> x, int batch, int ranges, RangeAction<TState> action)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(action);
        ArgumentChecks.Positive(batch, nameof(batch));
        if (x.Length % batch != 0)
        {
            throw new ArgumentException($"x holds {x.Length} floats, not a whole number of {batch} sequences.", nameof(x));
        }

        ranges = Math.Clamp(ranges, 1, batch);
        fixed (float* data = x)
        {
            RangeWork<TState> work = PerThreadCache<RangeWork<TState>>.Rent();
            work.Set(state, path, cache, length, data, x.Length / batch, batch, ranges, action);
            try
            {
                WorkerPool.Run(work, ranges, ranges);
            }
            finally
            {
                work.Clear();
                PerThreadCache<RangeWork<TState>>.Return(work);
            }
        }
    }

    /// <summary>The job one call hands the worker pool; reused per calling thread, so a warm call allocates nothing.</summary>
    private sealed unsafe class RangeWork<TState> : ParallelWork
        where TState : class
    {
        private TState? _state;
        private KernelPath _path;
        private KvCache? _cache;
        private int _length;
        private float* _data;
        private int _floatsPerSequence;
        private int _batch;
        private int _ranges;
        private RangeAction<TState>? _action;

        public void Set(TState state, KernelPath path, KvCache cache, int length, float* data, int floatsPerSequence, int batch, int ranges, RangeAction<TState> action)
        {
            (_state, _path, _cache, _length) = (state, path, cache, length);
            _data = data;
            (_floatsPerSequence, _batch, _ranges, _action) = (floatsPerSequence, batch, ranges, action);
        }

        /// <summary>Drops the references, so a cache or weights are not kept alive by an idle thread.</summary>
        public void Clear()
        {
            (_state, _cache, _action) = (null, null, null);
            _data = null;
        }

        public override void RunItem(int item)
        {
            int first = (int)((long)_batch * item / _ranges);
            int end = (int)((long)_batch * (item + 1) / _ranges);
            var x = new Span<float>(_data + (nint)first * _floatsPerSequence, (end - first) * _floatsPerSequence);
            _action!(_state!, _path, _cache!, _length, x, first, end - first);
        }
    }
}
