using static Attend.Generators.Emit.FeatureMapLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[ConvBlockAttention]</c> class: constants, weights, <c>LoadWeights</c>, <c>Forward</c> and its kernels.</summary>
internal static class ConvBlockAttentionEmitter
{
    public static string Emit(ConvBlockAttentionPlan plan)
    {
        ConvBlockAttentionSpec spec = plan.Spec;
        int c = spec.Channels, h = spec.HiddenChannels, k = spec.SpatialKernelSize;
        var weights = new List<Weight>
        {
            new("ca.fc.0.weight", "_channelFc0Weight", new[] { "HiddenChannels", "Channels", "1", "1" }),
            new("ca.fc.2.weight", "_channelFc2Weight", new[] { "Channels", "HiddenChannels", "1", "1" }),
            new("sa.conv1.weight", "_spatialWeight", new[] { "1", "2", "SpatialKernelSize", "SpatialKernelSize" }),
        };
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, HiddenChannels = {h}, SpatialKernelSize = {k}; height and width are run-time arguments.",
            $"Channel attention: the shared MLP is two bias-free matrix–vector products of constant shape ([{h}, {c}] then [{c}, {h}]) on the mean and on the maximum of each plane; cs = sigmoid(mlp(mean) + mlp(max)).",
            $"Spatial attention: the channel-wise mean and maximum maps (in that order) are zero-padded by {(k - 1) / 2} and convolved with the {k}×{k} kernel, " +
                "vectorized along the width with each kernel row unrolled; a ragged row end is covered by one overlapping register, a row narrower than a register by the next narrower path.",
            "Layout as the common PyTorch ports (ca.fc, sa.conv1): no MLP bias, no batch norm after the spatial convolution.",
            "Output may be the input's own memory: the channel-scaled map is written to output, then scaled in place by the spatial factors.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Convolutional block attention (CBAM) over {c} channels (hidden {h}) with a {k}×{k} spatial convolution, on NCHW maps.",
            remarks,
            w =>
            {
                LayerMembers.Constant(w, "Channels C of the feature map.", "Channels", $"{c}");
                LayerMembers.Constant(w, "Hidden channels of the channel-attention MLP.", "HiddenChannels", $"{h}");
                LayerMembers.Constant(w, "Side of the spatial convolution.", "SpatialKernelSize", $"{k}");
                w.Line("private const int Padding = (SpatialKernelSize - 1) / 2;");
                w.Line();
                EmitFields(w, weights);
                LayerMembers.ZeroWeightsConstructor(w, spec.Identity.Type.Name);
                EmitPathProperties(w);
                EmitLoadWeights(w, "the CBAM module (<c>ca</c> channel attention, <c>sa</c> spatial attention)", weights);
                EmitForward(w, "<c>x1 = x · sigmoid(mlp(avgpool(x)) + mlp(maxpool(x)))</c>, then <c>y = x1 · sigmoid(conv([mean_c(x1), max_c(x1)]))</c>",
                    new List<ScaleOutput>
                    {
                        new("channelScale", "[batch, Channels]", "batch × Channels = {batch} × {Channels}", "(long)batch * Channels", "the per-channel factors"),
                        new("spatialScale", "[batch, height, width]", "batch × height × width = {batch} × {height} × {width}", "(long)batch * height * width", "the per-pixel factors"),
                    });

                const string scratch = "4 * Channels + 2 * HiddenChannels + 2 * (height + 2 * Padding) * (width + 2 * Padding) + 3 * height * width";
                using (OpenBlock(w, "One sample: channel attention, then spatial attention. Holds references to one weight set.", weights, scratch))
                {
                    using (w.Block(ApplySignature))
                    {
                        w.Lines("""
                            int plane = height * width;
                            int paddedPlane = (height + 2 * Padding) * (width + 2 * Padding);
                            global::System.Span<float> mean = scratch.Slice(0, Channels);
                            global::System.Span<float> max = scratch.Slice(Channels, Channels);
                            global::System.Span<float> gate = scratch.Slice(2 * Channels, Channels);
                            global::System.Span<float> gateMax = scratch.Slice(3 * Channels, Channels);
                            global::System.Span<float> hidden = scratch.Slice(4 * Channels, HiddenChannels);
                            global::System.Span<float> hiddenMax = scratch.Slice(4 * Channels + HiddenChannels, HiddenChannels);
                            global::System.Span<float> padded = scratch.Slice(4 * Channels + 2 * HiddenChannels, 2 * paddedPlane);
                            global::System.Span<float> meanMap = scratch.Slice(4 * Channels + 2 * HiddenChannels + 2 * paddedPlane, plane);
                            global::System.Span<float> maxMap = scratch.Slice(4 * Channels + 2 * HiddenChannels + 2 * paddedPlane + plane, plane);
                            global::System.Span<float> spatial = scratch.Slice(4 * Channels + 2 * HiddenChannels + 2 * paddedPlane + 2 * plane, plane);
                            """);
                        w.Line();
                        w.Line("// Channel attention: both poolings of each plane in one pass, the shared MLP on each, add, sigmoid.");
                        w.Line("global::Attend.Kernels.FeatureMapKernels.ChannelMeansAndMaxima(path, input, Channels, plane, mean, max);");
                        EmitMlp(w, c, h, "mean", "hidden", "gate");
                        EmitMlp(w, c, h, "max", "hiddenMax", "gateMax");
                        w.Lines("""
                            for (int c = 0; c < Channels; c++) gate[c] = global::Attend.Kernels.VectorMath.Sigmoid(gate[c] + gateMax[c]);
                            if (!channelScale.IsEmpty) gate.CopyTo(channelScale);
                            global::Attend.Kernels.FeatureMapKernels.ScaleChannels(path, input, gate, plane, output);
                            """);
                        w.Line();
                        w.Lines("""
                            // Spatial attention on x1 = output: channel-wise mean and max maps, zero-padded side by side, convolved, sigmoid.
                            global::Attend.Kernels.FeatureMapKernels.MeanAndMaxOverChannels(path, output, Channels, plane, meanMap, maxMap);
                            padded.Clear();
                            int paddedWidth = width + 2 * Padding;
                            """);
                        using (w.Block("for (int y = 0; y < height; y++)"))
                        {
                            w.Lines("""
                                int at = (y + Padding) * paddedWidth + Padding;
                                meanMap.Slice(y * width, width).CopyTo(padded.Slice(at, width));
                                maxMap.Slice(y * width, width).CopyTo(padded.Slice(paddedPlane + at, width));
                                """);
                        }

                        w.Line($"{ChannelKernelsEmitter.SpatialConvName(k)}(path, padded, _spatialWeight, height, width, spatial);");
                        w.Lines("""
                            for (int i = 0; i < plane; i++) spatial[i] = global::Attend.Kernels.VectorMath.Sigmoid(spatial[i]);
                            if (!spatialScale.IsEmpty) spatial.CopyTo(spatialScale);
                            global::Attend.Kernels.FeatureMapKernels.ScalePixels(path, output, spatial, Channels, output);
                            """);
                    }

                    w.Line();
                    foreach (MatVecPlan matVec in plan.MatVecs) ChannelKernelsEmitter.EmitMatVec(w, matVec);
                    ChannelKernelsEmitter.EmitSpatialConv(w, k);
                }
            });
    }

    private static void EmitMlp(SourceWriter w, int channels, int hiddenChannels, string pooled, string hidden, string logits)
    {
        w.Line($"{ChannelKernelsEmitter.MatVecName(hiddenChannels, channels)}(path, _channelFc0Weight, {pooled}, {hidden});");
        w.Line($"for (int j = 0; j < HiddenChannels; j++) {hidden}[j] = global::System.MathF.Max({hidden}[j], 0f);");
        w.Line($"{ChannelKernelsEmitter.MatVecName(channels, hiddenChannels)}(path, _channelFc2Weight, {hidden}, {logits});");
    }
}
