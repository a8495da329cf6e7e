using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Multi-head self-attention over an image with the quadratic relative position encoding of Cordonnier, Loukas &amp;
/// Jaggi (ICLR 2020): head <c>h</c> scores key pixel <c>k</c> for query pixel <c>q</c> by
/// <c>−αₕ ‖(k − q) − Δₕ‖²</c>, independent of content. Keys are the pixels of the image zero-padded by
/// <c>K / 2</c>, queries its own pixels. Only for generated <c>[ConvolutionalSelfAttention]</c> layers.
/// </summary>
/// <remarks>
/// <para>Since the score does not depend on content and splits into a row term and a column term, each head's
/// softmax over the keys factors: <c>P_h[q, k] = r_h[i_q][i_k] · c_h[j_q][j_k]</c>, where <c>r_h</c> is the softmax
/// of <c>−αₕ(dy − Δₕʸ)²</c> over the key rows of query row <c>i_q</c> (padded rows included in its denominator) and
/// <c>c_h</c> the same along columns. Both are tabulated once per call (per image size, shared by the whole batch):
/// O(Nh · (H·(H + 2p) + W·(W + 2p))) exponentials; the rows keep, per query row, the band of key rows whose weight is
/// not exactly zero in float, the columns the band of offsets (three for the hard α of a converted convolution).</para>
/// <para>The value and output projections are linear, so they fold at load into one <c>[Cout, Nh · Cin]</c>
/// matrix <c>M_h = W_outₕ · W_valueₕ</c> (plus the bias as one more column); the attention is applied to the
/// input channels first. Per sample: a separable banded filter per head and input channel
/// (O(Nh · Cin · H · W · (bandʸ + bandˣ)) multiply-adds, every one in a vectorized whole-row kernel) writes <c>Z</c>
/// <c>[Nh · Cin, HW]</c> straight into <see cref="LinearKernels"/>' packed layout, then one GEMM
/// <c>y = M Z</c> (O(Cout · Nh · Cin · HW), the cost of the K×K convolution it can express).</para>
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class QuadraticPositionAttention
{
    /// <summary>Columns of the folded weight: <c>heads · inChannels</c> plus the bias column.</summary>
    public static int FoldedColumns(int heads, int inChannels) => heads * inChannels + 1;

    /// <summary>
    /// Folds the value projection <c>[heads · headDim, inChannels]</c>, the output projection
    /// <c>[outChannels, heads · headDim]</c> and its bias into <paramref name="folded"/>
    /// <c>[outChannels, heads · inChannels + 1]</c>: <c>folded[o, h·Cin + c] = Σ_d out[o, h·Dh + d] · value[h·Dh + d, c]</c>,
    /// last column the bias. Summed in double.
    /// </summary>
    public static void Fold(ReadOnlySpan<float> valueWeight, ReadOnlySpan<float> outWeight, ReadOnlySpan<float> outBias,
        int heads, int headDim, int inChannels, int outChannels, Span<float> folded)
    {
        int columns = FoldedColumns(heads, inChannels);
        int inner = heads * headDim;
        for (int o = 0; o < outChannels; o++)
        {
            for (int h = 0; h < heads; h++)
            {
                for (int c = 0; c < inChannels; c++)
                {
                    double sum = 0;
                    for (int d = 0; d < headDim; d++)
                    {
                        sum += (double)outWeight[o * inner + h * headDim + d] * valueWeight[(h * headDim + d) * inChannels + c];
                    }

                    folded[o * columns + h * inChannels + c] = (float)sum;
                }
            }

            folded[o * columns + columns - 1] = outBias[o];
        }
    }

    /// <summary>Floats of <see cref="LayerScratch"/> one call needs.</summary>
    private static long ScratchLength(int heads, int inChannels, int height, int width) =>
        (long)heads * (AxisTables.QueryMajorLength(height) + AxisTables.DiagonalLength(width))
        + LinearKernels.PackedLength(FoldedColumns(heads, inChannels), height * width) + 2L * height * width;

    /// <summary>
    /// <c>output[b] = M · Z_b</c>: the layer's forward pass over <paramref name="batch"/> images <c>[inChannels, height, width]</c>
    /// into <c>[outChannels, height, width]</c>. <paramref name="centers"/> holds Δₕ <c>[heads, 2]</c> (row offset, column offset),
    /// <paramref name="alpha"/> αₕ <c>[heads]</c>, <paramref name="folded"/> the output of <see cref="Fold"/>, <paramref name="padding"/>
    /// the zero padding of the key grid on each side (<c>K / 2</c>).
    /// </summary>
    public static void Run(KernelPath path, ReadOnlySpan<float> input, Span<float> output, int batch, int inChannels, int outChannels, int height, int width,
        int heads, int padding, ReadOnlySpan<float> centers, ReadOnlySpan<float> alpha, ReadOnlySpan<float> folded, int maxDegreeOfParallelism)
    {
        KernelPath resolved = KernelPaths.Resolve(path);
        int plane = height * width;
        int columns = FoldedColumns(heads, inChannels);
        float[] scratch = LayerScratch.Rent(checked((int)ScratchLength(heads, inChannels, height, width)));
        int rowHeadLength = AxisTables.QueryMajorLength(height), columnHeadLength = AxisTables.DiagonalLength(width);
        int rowTableLength = heads * rowHeadLength, columnTableLength = heads * columnHeadLength;
        int packedLength = LinearKernels.PackedLength(columns, plane);
        Span<float> rowTable = scratch.AsSpan(0, rowTableLength);
        Span<float> columnTable = scratch.AsSpan(rowTableLength, columnTableLength);
        Span<float> packed = scratch.AsSpan(rowTableLength + columnTableLength, packedLength);
        Span<float> rowsFiltered = scratch.AsSpan(rowTableLength + columnTableLength + packedLength, plane);
        Span<float> filtered = scratch.AsSpan(rowTableLength + columnTableLength + packedLength + plane, plane);

        // Once per call: the row factors query-major (output row i is a band of input rows, each a whole-row axpy),
        // the column factors by diagonal (offset t = key − query scales a shifted row element-wise).
        AxisTables.BuildQueryMajor(centers, alpha, heads, axis: 0, height, padding, rowTable);
        AxisTables.BuildDiagonals(centers, alpha, heads, axis: 1, width, padding, columnTable);

        // The bias column multiplies a row of ones.
        filtered.Fill(1f);
        MatrixLayout.PackRow(filtered, columns - 1, columns, plane, packed);
        int sampleIn = inChannels * plane, sampleOut = outChannels * plane;
        for (int b = 0; b < batch; b++)
        {
            ReadOnlySpan<float> image = input.Slice(b * sampleIn, sampleIn);
            for (int h = 0; h < heads; h++)
            {
                for (int c = 0; c < inChannels; c++)
                {
                    FilterPlane(resolved, image.Slice(c * plane, plane), height, width,
                        AxisTables.Head(rowTable, h, rowHeadLength), AxisTables.Head(columnTable, h, columnHeadLength), rowsFiltered, filtered);
                    MatrixLayout.PackRow(filtered, h * inChannels + c, columns, plane, packed);
                }
            }

            ProjectionDriver.Forward(resolved, folded, outChannels, columns, packed, default, columns, plane, output.Slice(b * sampleOut, sampleOut), plane, maxDegreeOfParallelism);
        }
    }

    /// <summary>
    /// Each head's weights for query pixel (<paramref name="queryRow"/>, <paramref name="queryColumn"/>) over the padded key grid,
    /// <c>[heads, height + 2·padding, width + 2·padding]</c>: the softmax of <c>−αₕ ‖(k − q) − Δₕ‖²</c> over all keys.
    /// </summary>
    public static void QueryMaps(ReadOnlySpan<float> centers, ReadOnlySpan<float> alpha, int heads, int padding, int height, int width,
        int queryRow, int queryColumn, Span<float> maps)
    {
        ArgumentChecks.Positive(height, nameof(height));
        ArgumentChecks.Positive(width, nameof(width));
        ArgumentOutOfRangeException.ThrowIfNegative(queryRow);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(queryRow, height);
        ArgumentOutOfRangeException.ThrowIfNegative(queryColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(queryColumn, width);
        int rows = height + 2 * padding, columns = width + 2 * padding;
        ArgumentChecks.Length(maps.Length, (long)heads * rows * columns, nameof(maps), $"Heads × (height + 2·Padding) × (width + 2·Padding) = {heads} × {rows} × {columns}");
        for (int h = 0; h < heads; h++)
        {
            Span<float> map = maps.Slice(h * rows * columns, rows * columns);
            double max = double.NegativeInfinity, sum = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                for (int ky = 0; ky < rows; ky++)
                {
                    for (int kx = 0; kx < columns; kx++)
                    {
                        double dy = ky - padding - queryRow - centers[2 * h], dx = kx - padding - queryColumn - centers[2 * h + 1];
                        double score = -alpha[h] * (dy * dy + dx * dx);
                        if (pass == 0) max = Math.Max(max, score);
                        else
                        {
                            double e = Math.Exp(score - max);
                            sum += e;
                            map[ky * columns + kx] = (float)e;
                        }
                    }
                }
            }

            for (int i = 0; i < map.Length; i++) map[i] = (float)(map[i] / sum);
        }
    }

    /// <summary>
    /// One head on one channel plane: rows first (<c>T[i, :] = Σ_y r[i][y] · x[y, :]</c>, whole-row axpys), then columns
    /// (<c>Z[i, j] = Σ_t c[j][j + t] · T[i, j + t]</c>, one element-wise multiply-add of a diagonal and a shifted row per offset t).
    /// </summary>
    private static void FilterPlane(KernelPath path, ReadOnlySpan<float> x, int height, int width,
        ReadOnlySpan<float> rowHead, ReadOnlySpan<float> columnHead, Span<float> rowsFiltered, Span<float> filtered)
    {
        rowsFiltered.Clear();
        for (int i = 0; i < height; i++)
        {
            AxisTables.RowBand(rowHead, height, i, out ReadOnlySpan<float> weights, out int first, out int last);
            Span<float> target = rowsFiltered.Slice(i * width, width);
            for (int y = first; y <= last; y++) MatrixLayout.MultiplyAdd(path, x.Slice(y * width, width), weights[y], target);
        }

        filtered.Clear();
        AxisTables.DiagonalBand(columnHead, width, out int firstOffset, out int lastOffset);
        for (int t = firstOffset; t <= lastOffset; t++)
        {
            // Queries j with a key j + t inside the row.
            int from = Math.Max(0, -t), to = Math.Min(width, width - t);
            ReadOnlySpan<float> diagonal = AxisTables.Diagonal(columnHead, width, t).Slice(from, to - from);
            for (int i = 0; i < height; i++)
            {
                MatrixLayout.MultiplyAccumulate(path, diagonal, rowsFiltered.Slice(i * width + from + t, to - from), filtered.Slice(i * width + from, to - from));
            }
        }
    }
}
