using static Attend.Generators.Emit.FoldedLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[BottleneckAttention]</c> class over <c>global::Attend.Kernels.BottleneckAttentionKernels</c>.</summary>
internal static class BottleneckAttentionEmitter
{
    public static string Emit(BottleneckAttentionSpec spec)
    {
        int c = spec.Channels, h = spec.HiddenChannels, d = spec.Dilation, n = spec.Layers;
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, HiddenChannels = {h}, DilationValue = {d}, Layers = {n}; height and width are run-time arguments.",
            $"Channel gate: plane means, then {n} + 1 matrix–vector products packed at load ([{h}, {c}], [{h}, {h}]…, [{c}, {h}]), each BatchNorm1d folded into its linear layer.",
            $"Spatial gate: a 1×1 reduction {c} → {h} as one matrix product over the H·W pixels, {n} dilated 3×3 convolutions {h} → {h} (padding {d}, so H × W is kept) " +
                "vectorized along the width, a 1×1 to one map; each BatchNorm2d folded into its convolution at load.",
            $"Output: y = x · (1 + sigmoid(ca[c] + sa[h, w])) in one pass; output may be the input's own memory. Work per sample: " +
                $"{c}·{h} + {n}·9·{h}² + {h} multiply-adds per pixel.",
        };
        string text(int value) => value.ToString(CultureInfo.InvariantCulture);
        return FoldedLayerEmitter.Emit(new Layer(
            spec.Identity,
            $"Bottleneck attention (BAM) over {c} channels (hidden {h}, dilation {d}), on NCHW maps.",
            remarks,
            new List<Constant>
            {
                new("Channels", text(c), "Channels C of the feature map."),
                new("HiddenChannels", text(h), "Hidden channels of both gates: Channels / Reduction."),
                new("DilationValue", text(d), "Dilation (and padding) of the spatial gate's 3×3 convolutions."),
                new("Layers", text(n), "Hidden layers of each gate."),
            },
            "global::Attend.Kernels.BottleneckAttentionWeights",
            "new global::Attend.Kernels.BottleneckAttentionWeights(Channels, HiddenChannels, Layers)",
            "global::Attend.Kernels.BottleneckAttentionWeights.Read(source, prefix, Channels, HiddenChannels, Layers)",
            "the collection's <c>BAMBlock</c>",
            "<c>ca.ca.fc{i}.weight/.bias</c>, <c>ca.ca.bn{i}.*</c>, <c>ca.ca.last_fc.weight/.bias</c>, <c>sa.sa.conv_reduce1.weight/.bias</c>, " +
                "<c>sa.sa.bn_reduce1.*</c>, <c>sa.sa.conv_{i}.weight/.bias</c>, <c>sa.sa.bn_{i}.*</c>, <c>sa.sa.last_conv.weight/.bias</c> (i &lt; Layers)",
            "<c>y = x · (1 + sigmoid(ca(x) + sa(x)))</c> with the channel gate <c>ca</c> [Channels] and the spatial gate <c>sa</c> [height, width]",
            "global::Attend.Kernels.BottleneckAttentionKernels.ScratchLength(Channels, HiddenChannels, height, width)",
            "global::Attend.Kernels.BottleneckAttentionKernels.Apply(path, input, output, height, width, DilationValue, _weights, scratch)"));
    }
}
