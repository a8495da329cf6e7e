using static Attend.Generators.Emit.FeatureMapLayerEmitter;
using static Attend.Generators.Emit.PointwiseLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[ShuffleAttention]</c> class: constants, weights, <c>LoadWeights</c>, <c>Forward</c> and its block.</summary>
internal static class ShuffleAttentionEmitter
{
    /// <summary>The six per-half-group parameters, in the order the runtime kernel reads them.</summary>
    private static readonly string[] s_parameters = { "cweight", "cbias", "sweight", "sbias", "gn.weight", "gn.bias" };

    public static string Emit(ShuffleAttentionPlan plan)
    {
        ShuffleAttentionSpec spec = plan.Spec;
        int c = spec.Channels, g = spec.Groups, half = plan.HalfGroupChannels;
        var weights = new List<Weight> { new("", "_halfGroupWeights", new[] { "6 * HalfGroupChannels" }) };
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, Groups = {g}, so each group of {plan.GroupChannels} channels splits into {half} channel-attention and {half} spatial-attention channels; height and width are run-time arguments.",
            "One sample is one call of PointwiseAttentionKernels.ShuffleAttention (one body per instruction set): per channel plane, the mean (and for the spatial half the variance, two passes), " +
                "then one fused pass x · σ(a · (x − μ) + b) in which GroupNorm (one channel per group), sweight and sbias fold into a and b — O(C·H·W), no intermediate map.",
            "channel_shuffle(·, 2) costs nothing: each plane is written straight to its shuffled channel, input channel i·C/2 + j to output channel 2j + i. " +
                "In place (output is the input's memory) the sample is first copied to scratch, since the shuffle moves channels.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Shuffle Attention over {c} channels in {g} groups, as <c>ShuffleAttention(channel, G)</c> of External-Attention-pytorch on NCHW maps.",
            remarks,
            w =>
            {
                EmitConstant(w, "Channels", c, "Channels C of the feature map (<c>channel</c>).");
                EmitConstant(w, "Groups", g, "Groups G (<c>G</c>).");
                EmitConstant(w, "HalfGroupChannels", half, "Channels of each half group, C / 2G: the length of every parameter.");
                EmitFields(w, weights);
                EmitPathProperties(w);
                EmitLoadWeights(w, "<c>ShuffleAttention</c>",
                    new[] { "<c>cweight</c>, <c>cbias</c>, <c>sweight</c>, <c>sbias</c> [1, HalfGroupChannels, 1, 1]", "<c>gn.weight</c>, <c>gn.bias</c> [HalfGroupChannels]" },
                    "",
                    r =>
                    {
                        for (int i = 0; i < s_parameters.Length; i++)
                        {
                            string shape = i < 4 ? "1, HalfGroupChannels, 1, 1" : "HalfGroupChannels";
                            r.Line($"{Read}(source, prefix, \"{s_parameters[i]}\", {shape}).CopyTo(next.HalfGroupWeights, {i} * HalfGroupChannels);");
                        }
                    });
                EmitForward(w, "channel attention on half of each group's channels, GroupNorm spatial attention on the other half, then a channel shuffle", new List<ScaleOutput>());
                using (OpenBlock(w, "One sample: both halves of every group, written to the shuffled channels. Holds references to one weight set.", weights, "Channels * height * width"))
                {
                    using (w.Block(ApplySignature))
                    {
                        w.Lines("""
                            if (global::System.MemoryExtensions.Overlaps(input, output))
                            {
                                // In place: the shuffle writes channel 2j + i while channel 2j + i of the input is still unread.
                                input.CopyTo(scratch);
                                input = scratch.Slice(0, input.Length);
                            }
                            """);
                        w.Line();
                        w.Line($"{Kernels}.ShuffleAttention(path, input, Channels, Groups, height * width, _halfGroupWeights, output);");
                    }
                }
            });
    }
}
