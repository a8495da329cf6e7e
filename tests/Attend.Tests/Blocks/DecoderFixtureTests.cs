using System;
using Xunit;

namespace Attend.Tests.Blocks;

[TransformerDecoder(ModelDim = 16, Heads = 4, MlpDim = 24, Depth = 2, Mask = AttentionMask.Causal)]
internal sealed partial class DecoderPostRelu;

[TransformerDecoder(ModelDim = 16, Heads = 4, MlpDim = 24, Depth = 2, Mask = AttentionMask.Causal, Norm = NormPlacement.Pre, Activation = FeedForwardActivation.Gelu)]
internal sealed partial class DecoderPreGelu;

/// <summary>Two-layer <c>torch.nn.TransformerDecoder</c> stacks (causal self-attention, cross-attention over a padded memory) against PyTorch.</summary>
public sealed class DecoderFixtureTests
{
    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in new[] { "tdl_postnorm_relu", "tdl_prenorm_gelu" })
        {
            foreach (KernelPath path in Attend.Kernels.KernelPaths.All) data.Add(name, path);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoder_MatchesPyTorch(string name, KernelPath path)
    {
        using SafeTensorsFile file = BlockFixtures.Open("blocks", name);
        float[] target = file.ReadFloat32("input.target");
        float[] memory = file.ReadFloat32("input.memory");
        bool[] memoryPadding = file.ReadBool("input.memory_key_padding_mask");
        float[] output = new float[target.Length];

        foreach (int threads in new[] { 1, 4 })
        {
            if (name == "tdl_postnorm_relu")
            {
                var decoder = new DecoderPostRelu { Path = path, MaxDegreeOfParallelism = threads };
                decoder.LoadWeights(file);
                decoder.Forward(target, memory, output, 2, 6, 9, memoryKeyPaddingMask: memoryPadding);
            }
            else
            {
                var decoder = new DecoderPreGelu { Path = path, MaxDegreeOfParallelism = threads };
                decoder.LoadWeights(file);
                decoder.Forward(target, memory, output, 2, 6, 9, memoryKeyPaddingMask: memoryPadding);
            }

            BlockFixtures.AssertClose(file, "output.y", output);
        }
    }

    [Fact]
    public void Decoder_TargetRowsDependOnlyOnEarlierTargets()
    {
        using SafeTensorsFile file = BlockFixtures.Open("blocks", "tdl_prenorm_gelu");
        var decoder = new DecoderPreGelu();
        decoder.LoadWeights(file);
        float[] target = file.ReadFloat32("input.target");
        float[] memory = file.ReadFloat32("input.memory");
        float[] full = new float[target.Length];
        decoder.Forward(target, memory, full, 2, 6, 9);

        // Changing the last target token must leave every earlier row of the output unchanged (causal self-attention).
        float[] changed = (float[])target.Clone();
        for (int f = 0; f < 16; f++) changed[5 * 16 + f] += 1f;
        float[] again = new float[target.Length];
        decoder.Forward(changed, memory, again, 2, 6, 9);

        Assert.Equal(full.AsSpan(0, 5 * 16).ToArray(), again.AsSpan(0, 5 * 16).ToArray());
        Assert.NotEqual(full[5 * 16], again[5 * 16]);
    }

    [Fact]
    public void Decoder_RejectsAMemoryOfTheWrongLength()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DecoderPostRelu().Forward(new float[2 * 6 * 16], new float[2 * 9 * 16 - 16], new float[2 * 6 * 16], 2, 6, 9));
        Assert.Equal("memory", ex.ParamName);
    }
}
