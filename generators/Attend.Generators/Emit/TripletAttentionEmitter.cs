using static Attend.Generators.Emit.FoldedLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[TripletAttention]</c> class over <c>global::Attend.Kernels.TripletAttentionKernels</c>.</summary>
internal static class TripletAttentionEmitter
{
    public static string Emit(TripletAttentionSpec spec)
    {
        int c = spec.Channels;
        bool spatial = !spec.NoSpatial;
        string gates = spatial ? "cw, hc and hw" : "cw and hc (NoSpatial: no hw gate)";
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, {(spatial ? "three gates" : "two gates (NoSpatial)")}; height and width are run-time arguments.",
            $"Gates {gates}: each Z-pool (max, mean) is one vectorized pass over the input; each 7×7 convolution 2 → 1 runs through " +
                "Convolution2d (vectorized along the map's width, the border taps handled by zero-padded rows); each BatchNorm was folded into its convolution at load.",
            $"Output: one pass over the input, y = x · ({(spatial ? "s_hw + s_cw + s_hc) / 3" : "s_cw + s_hc) / 2")}; output may be the input's own memory. " +
                "Work per sample: O(C·H·W) for pooling and output, 98·(C·W + H·C" + (spatial ? " + H·W" : "") + ") multiply-adds for the gates.",
        };
        string names = "<c>cw.conv.conv.weight</c> [1, 2, 7, 7], <c>cw.conv.bn.weight/.bias/.running_mean/.running_var</c> [1], the same under <c>hc.</c>" +
            (spatial ? " and <c>hw.</c>" : "");
        return FoldedLayerEmitter.Emit(new Layer(
            spec.Identity,
            $"Triplet Attention over {c} channels{(spatial ? "" : " without the spatial gate")}, on NCHW maps.",
            remarks,
            new List<Constant>
            {
                new("Channels", c.ToString(System.Globalization.CultureInfo.InvariantCulture), "Channels C of the feature map."),
            },
            "global::Attend.Kernels.TripletAttentionWeights",
            $"new global::Attend.Kernels.TripletAttentionWeights(spatial: {(spatial ? "true" : "false")})",
            $"global::Attend.Kernels.TripletAttentionWeights.Read(source, prefix, spatial: {(spatial ? "true" : "false")})",
            "the collection's <c>TripletAttention</c>",
            names,
            spatial ? "<c>y = x · (s_hw + s_cw + s_hc) / 3</c>, each <c>s = sigmoid(bn(conv7×7([max, mean])))</c> over one plane"
                : "<c>y = x · (s_cw + s_hc) / 2</c>, each <c>s = sigmoid(bn(conv7×7([max, mean])))</c> over one plane",
            "global::Attend.Kernels.TripletAttentionKernels.ScratchLength(Channels, height, width)",
            "global::Attend.Kernels.TripletAttentionKernels.Apply(path, input, output, Channels, height, width, _weights, scratch)"));
    }
}
