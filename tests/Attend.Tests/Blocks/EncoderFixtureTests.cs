using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace Attend.Tests.Blocks;

[TransformerEncoder(ModelDim = 15, Heads = 3, MlpDim = 23, Depth = 1)]
internal sealed partial class TelPostReluSmall;

[TransformerEncoder(ModelDim = 15, Heads = 3, MlpDim = 23, Depth = 1, Activation = FeedForwardActivation.Gelu)]
internal sealed partial class TelPostGeluSmall;

[TransformerEncoder(ModelDim = 15, Heads = 3, MlpDim = 23, Depth = 1, Norm = NormPlacement.Pre)]
internal sealed partial class TelPreReluSmall;

[TransformerEncoder(ModelDim = 15, Heads = 3, MlpDim = 23, Depth = 1, Norm = NormPlacement.Pre, Activation = FeedForwardActivation.Gelu)]
internal sealed partial class TelPreGeluSmall;

[TransformerEncoder(ModelDim = 128, Heads = 4, MlpDim = 256, Depth = 1)]
internal sealed partial class TelPostReluMedium;

[TransformerEncoder(ModelDim = 128, Heads = 4, MlpDim = 256, Depth = 1, Activation = FeedForwardActivation.Gelu)]
internal sealed partial class TelPostGeluMedium;

[TransformerEncoder(ModelDim = 128, Heads = 4, MlpDim = 256, Depth = 1, Norm = NormPlacement.Pre)]
internal sealed partial class TelPreReluMedium;

[TransformerEncoder(ModelDim = 128, Heads = 4, MlpDim = 256, Depth = 1, Norm = NormPlacement.Pre, Activation = FeedForwardActivation.Gelu)]
internal sealed partial class TelPreGeluMedium;

[TransformerEncoder(ModelDim = 15, Heads = 3, DimHead = 5, MlpDim = 31, Depth = 2, WeightNaming = TransformerWeightNaming.VitPreNorm)]
internal sealed partial class VitTransformerSmall;

[TransformerEncoder(ModelDim = 128, Heads = 4, DimHead = 48, MlpDim = 256, Depth = 2, WeightNaming = TransformerWeightNaming.VitPreNorm)]
internal sealed partial class VitTransformerMedium;

[TransformerEncoder(ModelDim = 16, Heads = 2, MlpDim = 20, Depth = 2, Mask = AttentionMask.Causal | AttentionMask.KeyPadding, Activation = FeedForwardActivation.Gelu, FinalNorm = true)]
internal sealed partial class CausalPaddedPostGelu;

[TransformerEncoder(ModelDim = 16, Heads = 2, MlpDim = 20, Depth = 2, Mask = AttentionMask.Causal | AttentionMask.KeyPadding, Norm = NormPlacement.Pre, FinalNorm = true)]
internal sealed partial class CausalPaddedPreRelu;

/// <summary>
/// The encoder stacks against PyTorch: every <c>tel_*</c> fixture (one <c>torch.nn.TransformerEncoderLayer</c>, pre/post
/// norm, ReLU/GELU), the <c>vit_*</c> fixtures (lucidrains <c>Transformer</c>, PreNorm naming, DimHead ≠ ModelDim/Heads)
/// and two-layer <c>torch.nn.TransformerEncoder</c> stacks with a causal mask, key padding and a final norm.
/// </summary>
public sealed class EncoderFixtureTests
{
    private delegate void Runner(IWeightSource weights, KernelPath path, int threads, float[] input, float[] output, int batch, int length, bool[]? padding);

    private static readonly Dictionary<string, Runner> s_runners = new()
    {
        ["tel_postnorm_relu_small"] = Run<TelPostReluSmall>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_postnorm_gelu_small"] = Run<TelPostGeluSmall>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_prenorm_relu_small"] = Run<TelPreReluSmall>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_prenorm_gelu_small"] = Run<TelPreGeluSmall>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_postnorm_relu_medium"] = Run<TelPostReluMedium>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_postnorm_gelu_medium"] = Run<TelPostGeluMedium>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_prenorm_relu_medium"] = Run<TelPreReluMedium>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tel_prenorm_gelu_medium"] = Run<TelPreGeluMedium>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["vit_transformer_depth2_small"] = Run<VitTransformerSmall>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["vit_transformer_depth2_medium"] = Run<VitTransformerMedium>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tenc_causal_padding_postnorm_gelu"] = Run<CausalPaddedPostGelu>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
        ["tenc_causal_padding_prenorm_relu"] = Run<CausalPaddedPreRelu>((m, w) => m.LoadWeights(w), (m, p, t) => { m.Path = p; m.MaxDegreeOfParallelism = t; }, (m, i, o, b, l, k) => m.Forward(i, o, b, l, k)),
    };

    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in s_runners.Keys)
        {
            foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stack_MatchesPyTorch(string name, KernelPath path)
    {
        string folder = name.StartsWith("tenc_", StringComparison.Ordinal) ? "blocks" : "fixtures";
        using SafeTensorsFile file = BlockFixtures.Open(folder, name);
        IWeightSource weights = name.StartsWith("tel_", StringComparison.Ordinal) ? new PrefixedWeights(file, "layers.0.") : file;
        float[] input = file.ReadFloat32("input.x");
        TensorInfo shape = file.Tensors[0].Name == "input.x" ? file.Tensors[0] : FindInput(file);
        int batch = (int)shape.Shape[0], length = (int)shape.Shape[1];
        bool[]? padding = file.TryGetInfo("input.key_padding_mask", out _) ? file.ReadBool("input.key_padding_mask") : null;
        float[] output = new float[input.Length];

        foreach (int threads in new[] { 1, 4 })
        {
            s_runners[name](weights, path, threads, input, output, batch, length, padding);
            BlockFixtures.AssertClose(file, "output.y", output);
        }
    }

    [Fact]
    public void Forward_InPlace_MatchesSeparateOutput()
    {
        using SafeTensorsFile file = BlockFixtures.Open("fixtures", "vit_transformer_depth2_small");
        var stack = new VitTransformerSmall();
        stack.LoadWeights(file);
        float[] input = file.ReadFloat32("input.x");
        float[] separate = new float[input.Length];
        stack.Forward(input, separate, 2, 7);

        stack.Forward(input, input, 2, 7);

        Assert.Equal(separate, input);
    }

    [Fact]
    public void AttentionWeights_AreEveryLayersProbabilities()
    {
        using SafeTensorsFile file = BlockFixtures.Open("fixtures", "vit_transformer_depth2_small");
        var stack = new VitTransformerSmall();
        stack.LoadWeights(file);
        float[] input = file.ReadFloat32("input.x");
        float[] weights = new float[VitTransformerSmall.Depth * 2 * VitTransformerSmall.Heads * 7 * 7];

        stack.Forward(input, new float[input.Length], 2, 7, attentionWeights: weights);

        for (int row = 0; row < weights.Length / 7; row++)
        {
            float sum = 0;
            for (int j = 0; j < 7; j++) sum += weights[row * 7 + j];
            Assert.Equal(1f, sum, 5);
        }
    }

    [Fact]
    public void LoadWeights_MissingTensor_NamesItAndKeepsTheOldWeights()
    {
        using SafeTensorsFile file = BlockFixtures.Open("fixtures", "vit_transformer_depth2_small");
        var stack = new VitTransformerSmall();
        stack.LoadWeights(file);
        float[] input = file.ReadFloat32("input.x");
        float[] before = new float[input.Length];
        stack.Forward(input, before, 2, 7);
        var partial = new WeightDictionary();
        foreach (string tensorName in file.Names)
        {
            if (tensorName == "layers.1.1.fn.net.3.bias" || tensorName.StartsWith("input", StringComparison.Ordinal) || tensorName.StartsWith("output", StringComparison.Ordinal)) continue;
            TensorInfo info = file.Tensors[IndexOf(file, tensorName)];
            partial.Add(tensorName, file.ReadFloat32(tensorName), [.. info.Shape]);
        }

        var ex = Assert.Throws<KeyNotFoundException>(() => stack.LoadWeights(partial));

        Assert.Contains("layers.1.1.fn.net.3.bias", ex.Message);
        float[] after = new float[input.Length];
        stack.Forward(input, after, 2, 7);
        Assert.Equal(before, after);
    }

    [Fact]
    public void LoadWeights_WrongShape_SaysBothShapes()
    {
        var weights = new WeightDictionary();
        weights.Add("layers.0.norm1.weight", new float[14], 14);
        var ex = Assert.Throws<InvalidDataException>(() => new TelPostReluSmall().LoadWeights(weights));
        Assert.Contains("[14]", ex.Message);
        Assert.Contains("[15]", ex.Message);
    }

    [Fact]
    public void Forward_ChecksEveryLengthBeforeTouchingMemory()
    {
        var stack = new CausalPaddedPreRelu();
        float[] output = new float[2 * 3 * 16];
        var ex = Assert.Throws<ArgumentException>(() => stack.Forward(new float[2 * 3 * 16 - 1], output, 2, 3, new bool[6]));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("2 × 3 × 16", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => stack.Forward(new float[96], output, 2, 3));
        Assert.Equal("keyPaddingMask", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => stack.Forward(new float[96], output, 2, 3, new bool[6], new float[5]));
        Assert.Equal("attentionWeights", ex.ParamName);
        Assert.All(output, v => Assert.Equal(0f, v));
    }

    private static int IndexOf(SafeTensorsFile file, string name)
    {
        for (int i = 0; i < file.Tensors.Count; i++) if (file.Tensors[i].Name == name) return i;
        return -1;
    }

    private static TensorInfo FindInput(SafeTensorsFile file) => file.Tensors[IndexOf(file, "input.x")];

    private static Runner Run<T>(Action<T, IWeightSource> load, Action<T, KernelPath, int> configure, Action<T, float[], float[], int, int, bool[]?> forward)
        where T : new() =>
        (weights, path, threads, input, output, batch, length, padding) =>
        {
            var model = new T();
            load(model, weights);
            configure(model, path, threads);
            forward(model, input, output, batch, length, padding);
        };
}
