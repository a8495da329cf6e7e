using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Attend.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace Attend.Tests.Layers;

/// <summary>
/// Every <c>sdpa_*</c> PyTorch fixture through the generated <c>[ScaledDotProductAttention]</c> class of its shape, on
/// every kernel path and in both layouts. The PyTorch mask (U8, 1 = masked) becomes the layer's
/// <see cref="ScaledDotProductAttentionArguments.BooleanMask"/> (true = may attend); the probabilities come back through
/// <see cref="QkMatMulOutputMode.AfterSoftmax"/>. Where torch gives NaN (fully masked rows) the layer must give exact zeros.
/// </summary>
public sealed class SdpaFixtureTests(ITestOutputHelper log)
{
    /// <summary>Relative tolerance: max |actual − expected| ≤ 1e-4 · max(1, max |expected|).</summary>
    private const double Tolerance = 1e-4;

    private static string[] FixtureNames() =>
        Directory.GetFiles(TestTensors.FixtureFolder, "sdpa_*.safetensors").Select(Path.GetFileNameWithoutExtension).OfType<string>()
            .Order(StringComparer.Ordinal).ToArray();

    /// <summary>Fixture × kernel path × layout.</summary>
    public static TheoryData<string, KernelPath, AttentionLayout> Cases()
    {
        var data = new TheoryData<string, KernelPath, AttentionLayout>();
        foreach (string name in FixtureNames())
        {
            foreach (KernelPath path in KernelPaths.All)
            {
                data.Add(name, path, AttentionLayout.BatchHeadSequence);
                data.Add(name, path, AttentionLayout.BatchSequenceHidden);
            }
        }

        return data;
    }

    /// <summary>The causal fixtures × kernel path, run with <see cref="ScaledDotProductAttentionArguments.IsCausal"/> instead of the mask.</summary>
    public static TheoryData<string, KernelPath> CausalCases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in FixtureNames().Where(n => n.StartsWith("sdpa_causal_", StringComparison.Ordinal)))
        {
            foreach (KernelPath path in KernelPaths.All)
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    [Fact]
    public void EverySdpaFixtureIsPresent() =>
        Assert.Equal(
            ["sdpa_causal_medium", "sdpa_causal_small", "sdpa_fully_masked_rows_medium", "sdpa_fully_masked_rows_small", "sdpa_none_medium", "sdpa_none_small"],
            FixtureNames());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_MatchesPyTorch(string fixture, KernelPath path, AttentionLayout layout)
    {
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(TestTensors.FixtureFolder, fixture + ".safetensors"));
        Fixture f = Fixture.Load(fixture, file);

        bool[]? allowed = null;
        int[]? maskShape = null;
        if (file.TryGetInfo("input.mask", out _))
        {
            // PyTorch: 1 = masked. ONNX / Attend BooleanMask: true = may attend.
            allowed = file.ReadBool("input.mask").Select(masked => !masked).ToArray();
            maskShape = TestTensors.Dims(file, "input.mask");
        }

        Run(f, path, layout, allowed, maskShape, causal: false);
    }

    [Theory]
    [MemberData(nameof(CausalCases))]
    public void CausalFixture_IsCausalFlagMatchesTheMask(string fixture, KernelPath path)
    {
        using SafeTensorsFile file = SafeTensors.Open(Path.Combine(TestTensors.FixtureFolder, fixture + ".safetensors"));
        Fixture f = Fixture.Load(fixture, file);
        bool[] masked = file.ReadBool("input.mask");
        for (int i = 0; i < f.Length; i++)
        {
            for (int j = 0; j < f.Length; j++)
            {
                Assert.True(masked[i * f.Length + j] == (j > i), $"{fixture}: mask[{i}, {j}] is not the causal pattern");
            }
        }

        Run(f, path, AttentionLayout.BatchHeadSequence, allowed: null, maskShape: null, causal: true);
    }

    private void Run(Fixture f, KernelPath path, AttentionLayout layout, bool[]? allowed, int[]? maskShape, bool causal)
    {
        SdpaDeclaration declaration = DeclaredLayers.RequireSdpa(f.Heads, f.Heads, f.DimHead, f.DimHead, f.Name);
        IScaledDotProductAttentionLayer layer = declaration.Create();
        layer.Path = path;

        bool hidden = layout == AttentionLayout.BatchSequenceHidden;
        float[] Lay(float[] data) => hidden ? TestTensors.ToHidden(data, f.Batch, f.Heads, f.Length, f.DimHead) : data;
        float[] y = TestTensors.Filled(f.Batch * f.Heads * f.Length * f.DimHead, float.NaN);
        float[] probabilities = TestTensors.Filled(f.Batch * f.Heads * f.Length * f.Length, float.NaN);
        layer.Forward(new ScaledDotProductAttentionArguments
        {
            Layout = layout,
            Batch = f.Batch,
            QueryLength = f.Length,
            KeyLength = f.Length,
            Query = Lay(f.Query),
            Key = Lay(f.Key),
            Value = Lay(f.Value),
            Output = y,
            IsCausal = causal,
            BooleanMask = allowed,
            MaskShape = maskShape,
            QkMatMulOutput = probabilities,
            QkMatMulOutputMode = QkMatMulOutputMode.AfterSoftmax,
        });
        if (hidden)
        {
            y = TestTensors.FromHidden(y, f.Batch, f.Heads, f.Length, f.DimHead);
        }

        // Rows (b, i) whose every key is masked; the fixture masks broadcast over heads.
        bool[] fullyMasked = FullyMaskedRows(f, allowed, maskShape);
        int maskedRows = fullyMasked.Count(m => m);
        CheckTorchAgrees(f, fullyMasked);
        bool YLive(int n) => !fullyMasked[RowOf(f, n / f.DimHead)];
        bool PLive(int n) => !fullyMasked[RowOf(f, n / f.Length)];

        double yError = LayerAssert.Close(f.ExpectedY, y, Tolerance, $"{f.Name} [{path}, {layout}] output.y", YLive);
        double pError = LayerAssert.Close(f.ExpectedWeights, probabilities, Tolerance, $"{f.Name} [{path}, {layout}] output.attn_weights", PLive);
        if (maskedRows > 0)
        {
            LayerAssert.Zero(y, $"{f.Name} [{path}, {layout}] y (fully masked rows)", n => !YLive(n));
            LayerAssert.Zero(probabilities, $"{f.Name} [{path}, {layout}] probabilities (fully masked rows)", n => !PLive(n));
        }

        log.WriteLine($"{f.Name} {declaration.Name} {path} {layout}{(causal ? " IsCausal" : "")}: max |error| y {LayerAssert.Text(yError)}, " +
            $"attn_weights {LayerAssert.Text(pError)}, fully masked rows {maskedRows}");
    }

    /// <summary>The index <c>b·L + i</c> of (batch, query) for flattened row <paramref name="row"/> of a <c>[B, H, L, ·]</c> tensor.</summary>
    private static int RowOf(Fixture f, int row) => row / (f.Heads * f.Length) * f.Length + row % f.Length;

    /// <summary>Per (b, i), at <c>b·L + i</c>: whether every key is masked for that query.</summary>
    private static bool[] FullyMaskedRows(Fixture f, bool[]? allowed, int[]? shape)
    {
        var rows = new bool[f.Batch * f.Length];
        if (allowed == null || shape == null)
        {
            return rows;
        }

        Assert.True(shape.Length == 2 || (shape.Length == 4 && shape[1] == 1), $"{f.Name}: mask shape [{string.Join(", ", shape)}] is not [L, L] or [B, 1, L, L]");
        int batches = shape.Length == 4 ? shape[0] : 1;
        for (int b = 0; b < f.Batch; b++)
        {
            int mb = batches == 1 ? 0 : b;
            for (int i = 0; i < f.Length; i++)
            {
                rows[b * f.Length + i] = Array.IndexOf(allowed, true, (mb * f.Length + i) * f.Length, f.Length) < 0;
            }
        }

        return rows;
    }

    /// <summary>The fixture's own account must agree: NaN exactly on the fully masked rows, and the rows its metadata names.</summary>
    private static void CheckTorchAgrees(Fixture f, bool[] fullyMasked)
    {
        for (int n = 0; n < f.ExpectedY.Length; n++)
        {
            bool masked = fullyMasked[RowOf(f, n / f.DimHead)];
            if (float.IsNaN(f.ExpectedY[n]) != masked)
            {
                Assert.Fail($"{f.Name}: output.y[{n}] is {f.ExpectedY[n]}, but its row is {(masked ? "" : "not ")}fully masked");
            }
        }

        int[] maskedRows = Enumerable.Range(0, fullyMasked.Length).Where(r => fullyMasked[r]).ToArray();
        if (f.FullyMaskedRowsOfBatch1 is { } listed)
        {
            Assert.Equal(listed.Select(i => f.Length + i), maskedRows);
        }
        else
        {
            Assert.Empty(maskedRows);
        }
    }

    /// <summary>One sdpa fixture: q, k, v <c>[B, H, L, D]</c> and the expected outputs.</summary>
    private sealed record Fixture(
        string Name, int Batch, int Heads, int Length, int DimHead, float[] Query, float[] Key, float[] Value, float[] ExpectedY, float[] ExpectedWeights,
        int[]? FullyMaskedRowsOfBatch1)
    {
        public static Fixture Load(string name, SafeTensorsFile file)
        {
            Assert.Equal("sdpa", file.Metadata["kind"]);
            int[] q = TestTensors.Dims(file, "input.q");
            Assert.Equal(q, TestTensors.Dims(file, "input.k"));
            Assert.Equal(q, TestTensors.Dims(file, "input.v"));
            Assert.Equal(4, q.Length);
            Assert.Equal(q[2], int.Parse(file.Metadata["seq_len"], CultureInfo.InvariantCulture));
            int[]? rows = file.Metadata.TryGetValue("fully_masked_rows_batch1", out string? text)
                ? text.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray()
                : null;
            return new Fixture(
                name, q[0], q[1], q[2], q[3],
                file.ReadFloat32("input.q"), file.ReadFloat32("input.k"), file.ReadFloat32("input.v"),
                file.ReadFloat32("output.y"), file.ReadFloat32("output.attn_weights"), rows);
        }
    }
}
