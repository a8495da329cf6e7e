using static Attend.Generators.Emit.FoldedLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[SelectiveKernelAttention]</c> class over <c>global::Attend.Kernels.SelectiveKernelKernels</c>.</summary>
internal static class SelectiveKernelAttentionEmitter
{
    public static string Emit(SelectiveKernelAttentionPlan plan)
    {
        SelectiveKernelAttentionSpec spec = plan.Spec;
        int c = spec.Channels, g = spec.Groups, d = spec.HiddenChannels, branches = plan.Branches;
        string text(int value) => value.ToString(CultureInfo.InvariantCulture);
        string kernels = string.Join(", ", spec.KernelSizes.Select(text));
        string perPixel = string.Join(" + ", plan.TapsPerPixel.Select(text));
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, KernelSizes = {{ {kernels} }}, Groups = {g}, HiddenChannels = {d}; height and width are run-time arguments.",
            $"Branches: each a {(g == 1 ? "" : $"{g}-group ")}convolution through Convolution2d, never a per-pixel loop: a 1×1 branch is a matrix product over the H·W pixels, " +
                "a k×k branch is vectorized along the width with 4 output channels × 2 registers of pixels held in registers over every input channel and tap; " +
                $"each BatchNorm was folded into its convolution at load. Work per sample: Channels · Channels / Groups · ({perPixel}) · H·W multiply-adds.",
            $"Selection: s = the sum of the branches' plane means, z = fc(s) [{d}], all {branches} fcs in one stacked product [{branches}·{c}, {d}] packed at load, " +
                "softmax over the branches per channel (largest logit subtracted), y = Σ a_i · U_i as one fused multiply-add pass per branch; output may be the input's own memory.",
        };
        return FoldedLayerEmitter.Emit(
            new Layer(
                spec.Identity,
                $"Selective Kernel attention over {c} channels with branches {{ {kernels} }}, on NCHW maps.",
                remarks,
                new List<Constant>
                {
                    new("Channels", text(c), "Channels C of the feature map."),
                    new("Groups", text(g), "Groups of every branch convolution."),
                    new("HiddenChannels", text(d), "Hidden channels d of the selection: max(MinHiddenChannels, Channels / Reduction)."),
                    new("Branches", text(branches), "Number of branches."),
                },
                "global::Attend.Kernels.SelectiveKernelWeights",
                "new global::Attend.Kernels.SelectiveKernelWeights(Channels, KernelSizes, Groups, HiddenChannels)",
                "global::Attend.Kernels.SelectiveKernelWeights.Read(source, prefix, Channels, KernelSizes, Groups, HiddenChannels)",
                "the collection's <c>SKAttention</c>",
                "<c>convs.{i}.conv.weight/.bias</c>, <c>convs.{i}.bn.*</c>, <c>fc.weight/.bias</c>, <c>fcs.{i}.weight/.bias</c> (i &lt; Branches)",
                "<c>y = Σ_i softmax_i(fcs_i(fc(mean_hw(Σ_j U_j)))) · U_i</c> with <c>U_i = relu(bn_i(conv_i(x)))</c>",
                "global::Attend.Kernels.SelectiveKernelKernels.ScratchLength(Branches, Channels, HiddenChannels, height, width)",
                "global::Attend.Kernels.SelectiveKernelKernels.Apply(path, input, output, Channels, height, width, KernelSizes, Groups, HiddenChannels, _weights, scratch)"),
            w =>
            {
                w.Line("/// <summary>Each branch's kernel size, in branch order.</summary>");
                w.Line(GeneratedCode.Attribute);
                w.Line($"public static global::System.ReadOnlySpan<int> KernelSizes => new int[] {{ {kernels} }};");
                w.Line();
            });
    }
}
