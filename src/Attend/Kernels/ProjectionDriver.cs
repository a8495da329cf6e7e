using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Runs <see cref="LinearKernels.Forward"/> across threads through <see cref="WorkerPool"/>, allocation-free: the
/// rows are cut into blocks (or, for a handful of rows such as a decode step, the output features into groups of
/// whole 16-wide panels), and each block is one single-threaded <see cref="LinearKernels.Forward"/> call. Every output
/// element is computed the same way whatever the split (see <see cref="LinearKernels"/>), so results are
/// bit-identical for any thread count.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class ProjectionDriver
{
    /// <summary>Rows per block: a multiple of every path's register tile height (6, 8), large enough to amortize a call.</summary>
    internal const int RowBlock = 48;

    /// <summary>Below this many multiply-adds per thread a split does not pay for waking a helper.</summary>
    internal const long MinMultiplyAddsPerThread = 1L << 19;

    /// <summary>
    /// Below this many weight bytes per thread a split does not pay either. A few rows (a decode step) are bound by reading
    /// the weights, not by multiplying: a 512 → 1536 projection of one row is only 0.8 M multiply-adds, under two threads'
    /// worth, but 3 MB, about 35 µs from L3 on one Zen 5 core, and a second core streams its half alongside.
    /// </summary>
    internal const long MinWeightBytesPerThread = 1L << 19;

    /// <summary>The same contract as <see cref="LinearKernels.Forward"/>; the arguments are validated there, per block.</summary>
    public static void Forward(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int maxDegreeOfParallelism)
    {
        int threads = Threads(rows, inFeatures, outFeatures, maxDegreeOfParallelism);
        if (threads <= 1 || rows == 0)
        {
            LinearKernels.Forward(path, input, rows, inputStride, packedWeight, bias, inFeatures, outFeatures, output, outputStride, 1);
            return;
        }

        // Bounds are checked once here, so the blocks can be cut from raw pointers (each block call checks its own too).
        int packedLength = LinearKernels.PackedLength(inFeatures, outFeatures);
        if (packedWeight.Length != packedLength)
        {
            throw new ArgumentException($"Expected PackedLength({inFeatures}, {outFeatures}) = {packedLength} floats (see LinearKernels.Pack), got {packedWeight.Length}.", nameof(packedWeight));
        }

        CheckBounds(input, rows, inputStride, bias, inFeatures, outFeatures, output, outputStride);
        RunParallel(path, input, rows, inputStride, packedWeight, bias, inFeatures, outFeatures, output, outputStride, threads, null, null);
    }

    /// <summary>
    /// The same contract with a <see cref="PackedProjection"/> in any <see cref="WeightPrecision"/>: its shape must be
    /// <paramref name="inFeatures"/> → <paramref name="outFeatures"/>. Results are the float projection of its stored
    /// (rounded) weights (int8: of its weights and of the inputs rounded per row to 16 bits, see <see cref="Int8Gemm"/>, or to bytes per row and
    /// 128 inputs, see <see cref="ByteActivationGemm"/>),
    /// bit-identical for any thread count.
    /// </summary>
    public static void Forward(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        PackedProjection weight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int maxDegreeOfParallelism) =>
        Project(path, input, rows, inputStride, weight, bias, inFeatures, outFeatures, output, outputStride, maxDegreeOfParallelism, null);

    /// <summary>
    /// The <see cref="PackedProjection"/> overload followed by <paramref name="activation"/> on every output element (a
    /// feed-forward network's first linear): each block of rows is activated as soon as the projection has written it,
    /// while it is still in cache, on the thread that computed it. The result is exactly the projection followed by
    /// <see cref="Activations"/> over the whole output; it saves a pass over the hidden layer (6.3 M floats for a
    /// 32 × 128-token BERT batch), and the activation runs on every thread the projection does. The activation is
    /// <see cref="FeedForwardActivation.Relu"/>, <see cref="FeedForwardActivation.Gelu"/> or <see cref="FeedForwardActivation.GeluTanh"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="activation"/> is none of those three.</exception>
    public static void Forward(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        PackedProjection weight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int maxDegreeOfParallelism, FeedForwardActivation activation)
    {
        if (activation is not (FeedForwardActivation.Relu or FeedForwardActivation.Gelu or FeedForwardActivation.GeluTanh))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, "Expected Relu, Gelu or GeluTanh.");
        }

        Project(path, input, rows, inputStride, weight, bias, inFeatures, outFeatures, output, outputStride, maxDegreeOfParallelism, activation);
    }

    private static unsafe void Project(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        PackedProjection weight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int maxDegreeOfParallelism, FeedForwardActivation? activation)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.InFeatures != inFeatures || weight.OutFeatures != outFeatures)
        {
            throw new ArgumentException($"Expected a {inFeatures} → {outFeatures} projection, got {weight.InFeatures} → {weight.OutFeatures}.", nameof(weight));
        }

        AlignedArray<float>? floats = weight.Precision == WeightPrecision.Float32 ? weight.Float32Panels : null;
        if (floats is not null && activation is null)
        {
            Forward(path, input, rows, inputStride, floats.Span, bias, inFeatures, outFeatures, output, outputStride, maxDegreeOfParallelism);
            return;
        }

        KernelPath resolved = KernelPaths.Resolve(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDegreeOfParallelism, 1);
        CheckBounds(input, rows, inputStride, bias, inFeatures, outFeatures, output, outputStride);
        if (rows == 0)
        {
            return;
        }

        if (floats is not null)
        {
            // Float panels with an activation: the blocks below, each a checked LinearKernels.Forward call.
            RunParallel(resolved, input, rows, inputStride, floats.Span, bias, inFeatures, outFeatures, output, outputStride, Threads(rows, inFeatures, outFeatures, maxDegreeOfParallelism), null, activation);
            return;
        }

        Span<float> written = output[..(int)(((long)rows - 1) * outputStride + outFeatures)];
        if (written.Overlaps(input[..(int)(((long)rows - 1) * inputStride + inFeatures)]) || written.Overlaps(bias))
        {
            throw new ArgumentException("The output must not overlap the input or the bias.", nameof(output));
        }

        if (!weight.IsPacked)
        {
            WriteBias(bias, rows, outFeatures, output, outputStride);
            if (activation is { } zeroWeightActivation)
            {
                for (int r = 0; r < rows; r++) Activations.InPlace(zeroWeightActivation, resolved, output.Slice(r * outputStride, outFeatures));
            }

            return;
        }

        int threads = Threads(rows, inFeatures, outFeatures, maxDegreeOfParallelism, weight.Precision == WeightPrecision.BFloat16 ? sizeof(ushort) : sizeof(byte));
        if (threads <= 1 && activation is null)
        {
            fixed (float* x = input)
            fixed (float* b = bias)
            fixed (float* y = output)
            {
                RunCompact(resolved, weight, x, rows, inputStride, bias.IsEmpty ? null : b, 0, outFeatures, y, outputStride,
                    ColdOutputs(rows, outFeatures));
            }

            return;
        }

        RunParallel(resolved, input, rows, inputStride, default, bias, inFeatures, outFeatures, output, outputStride, threads, weight, activation);
    }

    /// <summary>
    /// Threads worth waking for a projection of this size whose weights take <paramref name="bytesPerWeight"/> each: at most
    /// <paramref name="maxDegreeOfParallelism"/>.
    /// </summary>
    private static int Threads(int rows, int inFeatures, int outFeatures, int maxDegreeOfParallelism, int bytesPerWeight = sizeof(float))
    {
        long weights = (long)inFeatures * outFeatures;
        long shares = Math.Max(rows * weights / MinMultiplyAddsPerThread, bytesPerWeight * weights / MinWeightBytesPerThread);
        return (int)Math.Min(Math.Min(maxDegreeOfParallelism, WorkerPool.MaxThreads), Math.Max(1, shares));
    }

    /// <summary>
    /// One thread's block of a compact projection: int8 through <see cref="Int8Gemm"/> or <see cref="ByteActivationGemm"/>
    /// (integer products of quantised activations), bf16 widened by the float tiles (<see cref="LinearKernels.RunPacked"/>).
    /// </summary>
    private static unsafe void RunCompact(KernelPath path, PackedProjection weight, float* input, int rows, nint inputStride,
        float* bias, int firstPanel, int columns, float* output, nint outputStride, bool coldOutputs)
    {
        if (weight.Precision == WeightPrecision.Int8)
        {
            Int8Gemm.Run(path, weight, input, rows, inputStride, bias, firstPanel, columns, output, outputStride, coldOutputs);
        }
        else if (weight.Precision == WeightPrecision.Int8ByteActivations)
        {
            ByteActivationGemm.Run(path, weight, input, rows, inputStride, bias, firstPanel, columns, output, outputStride, coldOutputs);
        }
        else
        {
            LinearKernels.RunPacked(path, weight, input, rows, inputStride, bias, firstPanel, columns, output, outputStride, 1);
        }
    }

    /// <summary>Whether a projection's whole output is too large to be in cache when its tiles store to it.</summary>
    private static bool ColdOutputs(int rows, int outFeatures) => (long)rows * outFeatures * sizeof(float) > Int8Gemm.ColdOutputBytes;

    /// <summary>Zero weights (a projection not yet packed): every row is the bias, or zeros.</summary>
    private static void WriteBias(ReadOnlySpan<float> bias, int rows, int outFeatures, Span<float> output, int outputStride)
    {
        for (int r = 0; r < rows; r++)
        {
            Span<float> row = output.Slice(r * outputStride, outFeatures);
            if (bias.IsEmpty) row.Clear();
            else bias.CopyTo(row);
        }
    }

    private static void CheckBounds(ReadOnlySpan<float> input, int rows, int inputStride,
        ReadOnlySpan<float> bias, int inFeatures, int outFeatures, Span<float> output, int outputStride)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputStride, inFeatures);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputStride, outFeatures);
        if (bias.Length != 0 && bias.Length != outFeatures)
        {
            throw new ArgumentException($"Expected 0 (no bias) or outFeatures = {outFeatures} floats, got {bias.Length}.", nameof(bias));
        }

        long inputNeeded = rows == 0 ? 0 : ((long)rows - 1) * inputStride + inFeatures;
        if (input.Length < inputNeeded)
        {
            throw new ArgumentException($"Expected at least (rows - 1) · inputStride + inFeatures = {inputNeeded} floats, got {input.Length}.", nameof(input));
        }

        long outputNeeded = rows == 0 ? 0 : ((long)rows - 1) * outputStride + outFeatures;
        if (output.Length < outputNeeded)
        {
            throw new ArgumentException($"Expected at least (rows - 1) · outputStride + outFeatures = {outputNeeded} floats, got {output.Length}.", nameof(output));
        }
    }

    private static unsafe void RunParallel(KernelPath path, ReadOnlySpan<float> input, int rows, int inputStride,
        ReadOnlySpan<float> packedWeight, ReadOnlySpan<float> bias, int inFeatures, int outFeatures,
        Span<float> output, int outputStride, int threads, PackedProjection? projection, FeedForwardActivation? activation)
    {
        fixed (float* x = input)
        fixed (float* w = packedWeight)
        fixed (float* b = bias)
        fixed (float* y = output)
        {
            ProjectionWork work = PerThreadCache<ProjectionWork>.Rent();
            work.Path = path;
            work.Projection = projection;
            work.Activation = activation;
            work.Input = x;
            work.Rows = rows;
            work.InputStride = inputStride;
            work.Packed = w;
            work.Bias = bias.IsEmpty ? null : b;
            work.InFeatures = inFeatures;
            work.OutFeatures = outFeatures;
            work.Output = y;
            work.OutputStride = outputStride;
            int panels = LinearKernels.PanelCount(outFeatures);
            int rowBlocks = (rows + RowBlock - 1) / RowBlock;
            if (projection?.Precision is WeightPrecision.Int8 or WeightPrecision.Int8ByteActivations && rows >= IntegerRowStep * threads)
            {
                // The integer kernels quantise an item's rows before its tiles, so items that share rows quantise them
                // again (4 times over for 96 rows on two threads): cut the rows alone, finer, into about 8 items a thread.
                work.RowBlockSize = IntegerRowBlock(rows, threads);
                work.PanelsPerItem = panels;
            }
            else if (rowBlocks >= 2 * threads)
            {
                // Row blocks, and when they are few (512 rows: 11 blocks, 6 against 5 on two threads) the panels in groups
                // too, so each thread gets about 8 items and the last one leaves little imbalance.
                int panelGroups = Math.Clamp((8 * threads + rowBlocks - 1) / rowBlocks, 1, Math.Max(1, panels / 4));
                work.RowBlockSize = RowBlock;
                work.PanelsPerItem = (panels + panelGroups - 1) / panelGroups;
            }
            else
            {
                // Few rows: every item takes all rows and a group of panels (at least 2 items per thread).
                work.RowBlockSize = rows;
                work.PanelsPerItem = Math.Max(1, panels / (2 * threads));
            }

            int rowItems = (rows + work.RowBlockSize - 1) / work.RowBlockSize;
            work.PanelItems = (panels + work.PanelsPerItem - 1) / work.PanelsPerItem;
            try
            {
                WorkerPool.Run(work, rowItems * work.PanelItems, threads);
            }
            finally
            {
                work.Input = work.Packed = work.Bias = work.Output = null;
                work.Projection = null;
                work.Activation = null;
                PerThreadCache<ProjectionWork>.Return(work);
            }
        }
    }

    /// <summary>Rows an integer projection's item takes a multiple of: the wide register tile's height.</summary>
    private const int IntegerRowStep = 4;

    /// <summary>
    /// Rows per item of an integer projection: about 8 items a thread (so the last ones balance the threads), a multiple of
    /// <see cref="IntegerRowStep"/>, at most <see cref="RowBlock"/> (an item's outputs still in cache for its activation).
    /// </summary>
    private static int IntegerRowBlock(int rows, int threads)
    {
        int share = (rows + 8 * threads - 1) / (8 * threads);
        return Math.Min(RowBlock, (share + IntegerRowStep - 1) / IntegerRowStep * IntegerRowStep);
    }

    private sealed unsafe class ProjectionWork : ParallelWork
    {
        public KernelPath Path;
        public PackedProjection? Projection; // null: float panels at Packed
        public FeedForwardActivation? Activation; // applied to each item's outputs once they are written
        public float* Input;
        public int Rows;
        public int InputStride;
        public float* Packed;
        public float* Bias;
        public int InFeatures;
        public int OutFeatures;
        public float* Output;
        public int OutputStride;
        public int RowBlockSize;
        public int PanelsPerItem;
        public int PanelItems;

        public override void RunItem(int item)
        {
            int rowItem = item / PanelItems;
            int panelItem = item - rowItem * PanelItems;
            int firstRow = rowItem * RowBlockSize;
            int rows = Math.Min(RowBlockSize, Rows - firstRow);
            int firstColumn = panelItem * PanelsPerItem * LinearKernels.PanelWidth;
            int columns = Math.Min(PanelsPerItem * LinearKernels.PanelWidth, OutFeatures - firstColumn);
            float* output = Output + (nint)firstRow * OutputStride + firstColumn;
            if (Projection is not null)
            {
                RunCompact(Path, Projection, Input + (nint)firstRow * InputStride, rows, InputStride, Bias == null ? null : Bias + firstColumn,
                    firstColumn / LinearKernels.PanelWidth, columns, output, OutputStride, ColdOutputs(Rows, OutFeatures));
            }
            else
            {
                int packedLength = LinearKernels.PackedLength(InFeatures, columns);
                var input = new ReadOnlySpan<float>(Input + (nint)firstRow * InputStride, (rows - 1) * InputStride + InFeatures);
                var packed = new ReadOnlySpan<float>(Packed + (nint)firstColumn * InFeatures, packedLength);
                var bias = Bias == null ? default : new ReadOnlySpan<float>(Bias + firstColumn, columns);
                LinearKernels.Forward(Path, input, rows, InputStride, packed, bias, InFeatures, columns, new Span<float>(output, (rows - 1) * OutputStride + columns), OutputStride, 1);
            }

            if (Activation is { } activation)
            {
                for (int r = 0; r < rows; r++)
                {
                    Activations.InPlace(activation, Path, new Span<float>(output + (nint)r * OutputStride, columns));
                }
            }
        }
    }
}
