using static Attend.Generators.Emit.FeatureMapLayerEmitter;
using static Attend.Generators.Emit.PointwiseLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[PolarizedSelfAttention]</c> class: constants, packed weights, <c>LoadWeights</c>, <c>Forward</c> and its block.</summary>
internal static class PolarizedSelfAttentionEmitter
{
    public static string Emit(PolarizedSelfAttentionPlan plan)
    {
        PolarizedSelfAttentionSpec spec = plan.Spec;
        int c = spec.Channels;
        string layout = spec.Sequential ? "sequential" : "parallel";
        string module = spec.Sequential ? "SequentialPolarizedSelfAttention" : "ParallelPolarizedSelfAttention";
        var weights = new List<Weight>
        {
            new("ch_wq.weight", "_channelQuery", new[] { "Channels" }),
            new("ch_wv (packed)", "_packedChannelValue", new[] { $"{Linear}.PackedLength(Channels, HalfChannels)" }),
            new("ch_wv.bias", "_channelValueBias", new[] { "HalfChannels" }),
            new("ch_wz (packed)", "_packedChannelOut", new[] { $"{Linear}.PackedLength(HalfChannels, Channels)" }),
            new("ch_wz.bias", "_channelOutBias", new[] { "Channels" }),
            new("ln.weight", "_normWeight", new[] { "Channels" }),
            new("ln.bias", "_normBias", new[] { "Channels" }),
            new("sp_wq (packed)", "_packedSpatialQuery", new[] { $"{Linear}.PackedLength(Channels, HalfChannels)" }),
            new("sp_wq.bias", "_spatialQueryBias", new[] { "HalfChannels" }),
            new("sp_wv transposed (packed)", "_packedSpatialValueTransposed", new[] { $"{Linear}.PackedLength(HalfChannels, Channels)" }),
            new("sp_wv.bias", "_spatialValueBias", new[] { "HalfChannels" }),
        };
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c} (HalfChannels = {plan.HalfChannels}), {layout} layout; height and width are run-time arguments.",
            "No C/2 × C convolution ever runs over the map. The softmax weights sum to one, so ch_wv(x) · softmax(ch_wq(x)) = W_v (x · wq) + b_v: " +
                "one weighted pooling of the channels (PointwiseAttentionKernels.RowDots) and a mat-vec. The mean over the map of sp_wq(s) is sp_wq(mean(s)), another mat-vec; " +
                "and sqᵀ sp_wv(s) = (W_vᵀ sq)ᵀ s + sq·b_v, a weighted sum of the channel planes (WeightedRowSum). Per sample that is O(C·H·W + C²) instead of the module's O(C²·H·W).",
            "The mat-vecs run on LinearKernels with the weights packed at load (sp_wv transposed). ch_wq.bias is read and checked but unused: a softmax does not change when every input shifts by it.",
            spec.Sequential
                ? "Sequential: the spatial branch reads cw · x, so its channel means and its channel weights are multiplied by cw and cw · x is never formed; y = x · cw[c] · sw[p] in one pass."
                : "Parallel: y = x · (cw[c] + sw[p]) in one pass (cw · x + sw · x).",
            "Output may be the input's own memory: the last pass reads every element before it writes it.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Polarized Self-Attention over {c} channels, {layout}, as <c>{module}(channel)</c> of External-Attention-pytorch on NCHW maps.",
            remarks,
            w =>
            {
                EmitConstant(w, "Channels", c, "Channels C of the feature map (<c>channel</c>).");
                EmitConstant(w, "HalfChannels", plan.HalfChannels, "Outputs of the value and query convolutions, C / 2 rounded down (the module's <c>c // 2</c>).");
                EmitFields(w, weights);
                EmitPathProperties(w);
                EmitLoadWeights(w, $"<c>{module}</c>",
                    new[]
                    {
                        "<c>ch_wv.weight</c> [HalfChannels, Channels, 1, 1]", "<c>ch_wv.bias</c> [HalfChannels]", "<c>ch_wq.weight</c> [1, Channels, 1, 1]", "<c>ch_wq.bias</c> [1]",
                        "<c>ch_wz.weight</c> [Channels, HalfChannels, 1, 1]", "<c>ch_wz.bias</c> [Channels]", "<c>ln.weight</c>, <c>ln.bias</c> [Channels]",
                        "<c>sp_wv.weight</c>, <c>sp_wq.weight</c> [HalfChannels, Channels, 1, 1]", "<c>sp_wv.bias</c>, <c>sp_wq.bias</c> [HalfChannels]",
                    },
                    "The convolutions are packed for LinearKernels, sp_wv transposed.",
                    r =>
                    {
                        r.Line($"{Read}(source, prefix, \"ch_wq.weight\", 1, Channels, 1, 1).CopyTo(next.ChannelQuery, 0);");
                        r.Line($"{Read}(source, prefix, \"ch_wq.bias\", 1); // checked only: the softmax over the map cancels it");
                        r.Line($"{Linear}.Pack({Read}(source, prefix, \"ch_wv.weight\", HalfChannels, Channels, 1, 1), Channels, HalfChannels, next.PackedChannelValue);");
                        r.Line($"{Read}(source, prefix, \"ch_wv.bias\", HalfChannels).CopyTo(next.ChannelValueBias, 0);");
                        r.Line($"{Linear}.Pack({Read}(source, prefix, \"ch_wz.weight\", Channels, HalfChannels, 1, 1), HalfChannels, Channels, next.PackedChannelOut);");
                        r.Line($"{Read}(source, prefix, \"ch_wz.bias\", Channels).CopyTo(next.ChannelOutBias, 0);");
                        r.Line($"{Read}(source, prefix, \"ln.weight\", Channels).CopyTo(next.NormWeight, 0);");
                        r.Line($"{Read}(source, prefix, \"ln.bias\", Channels).CopyTo(next.NormBias, 0);");
                        r.Line($"{Linear}.Pack({Read}(source, prefix, \"sp_wq.weight\", HalfChannels, Channels, 1, 1), Channels, HalfChannels, next.PackedSpatialQuery);");
                        r.Line($"{Read}(source, prefix, \"sp_wq.bias\", HalfChannels).CopyTo(next.SpatialQueryBias, 0);");
                        r.Line($"float[] spatialValue = {Read}(source, prefix, \"sp_wv.weight\", HalfChannels, Channels, 1, 1);");
                        r.Line("var transposed = new float[Channels * HalfChannels];");
                        r.Line("for (int o = 0; o < HalfChannels; o++) for (int c = 0; c < Channels; c++) transposed[c * HalfChannels + o] = spatialValue[o * Channels + c];");
                        r.Line($"{Linear}.Pack(transposed, HalfChannels, Channels, next.PackedSpatialValueTransposed);");
                        r.Line($"{Read}(source, prefix, \"sp_wv.bias\", HalfChannels).CopyTo(next.SpatialValueBias, 0);");
                    });
                EmitForward(w, spec.Sequential ? "<c>y = sw · (cw · x)</c>" : "<c>y = cw · x + sw · x</c>",
                    new List<ScaleOutput>
                    {
                        new("channelScale", "[batch, Channels]", "batch × Channels = {batch} × {Channels}", "(long)batch * Channels", "the channel weights cw"),
                        new("spatialScale", "[batch, height, width]", "batch × height × width = {batch} × {height} × {width}", "(long)batch * height * width", "the spatial weights sw"),
                    });
                using (OpenBlock(w, "One sample: the channel branch, the spatial branch, one scaling pass. Holds references to one weight set.", weights,
                    "2 * height * width + 5 * Channels"))
                {
                    using (w.Block(ApplySignature))
                    {
                        w.Lines("""
                            int plane = height * width;
                            global::System.Span<float> queryWeights = scratch.Slice(0, plane);
                            global::System.Span<float> spatial = spatialScale.IsEmpty ? scratch.Slice(plane, plane) : spatialScale;
                            global::System.Span<float> pooled = scratch.Slice(2 * plane, Channels);
                            global::System.Span<float> channel = channelScale.IsEmpty ? scratch.Slice(2 * plane + Channels, Channels) : channelScale;
                            global::System.Span<float> means = scratch.Slice(2 * plane + 2 * Channels, Channels);
                            global::System.Span<float> planeWeights = scratch.Slice(2 * plane + 3 * Channels, Channels);
                            global::System.Span<float> half = scratch.Slice(2 * plane + 4 * Channels, HalfChannels);
                            global::System.Span<float> query = scratch.Slice(2 * plane + 4 * Channels + HalfChannels, HalfChannels);
                            """);
                        w.Line();
                        w.Line("// Channel branch: wq = softmax_HW(ch_wq · x); z = W_v (x · wq) + b_v; cw = σ(LayerNorm(ch_wz(z))).");
                        w.Line($"{Kernels}.WeightedRowSum(path, input, _channelQuery, 0f, queryWeights);");
                        w.Line("global::Attend.Kernels.Softmax.Forward(path, queryWeights, 1, plane, queryWeights);");
                        w.Line($"{Kernels}.RowDots(path, input, queryWeights, 0f, pooled);");
                        w.Line($"{Linear}.Forward(path, pooled, 1, Channels, _packedChannelValue, _channelValueBias, Channels, HalfChannels, half, HalfChannels);");
                        w.Line($"{Linear}.Forward(path, half, 1, HalfChannels, _packedChannelOut, _channelOutBias, HalfChannels, Channels, channel, Channels);");
                        w.Line("global::Attend.Kernels.Normalization.LayerNorm(path, channel, 1, Channels, _normWeight, _normBias, 1e-5f, channel);");
                        w.Line($"{Kernels}.Sigmoid(path, channel);");
                        w.Line();
                        w.Line("// Spatial branch: sq = softmax_C/2(sp_wq(mean(s))); sw = σ((W_vᵀ sq) · s + sq · b_v).");
                        w.Line("global::Attend.Kernels.FeatureMapKernels.ChannelMeans(path, input, Channels, plane, means);");
                        if (spec.Sequential) w.Line("for (int c = 0; c < Channels; c++) means[c] *= channel[c]; // s = cw · x");
                        w.Line($"{Linear}.Forward(path, means, 1, Channels, _packedSpatialQuery, _spatialQueryBias, Channels, HalfChannels, query, HalfChannels);");
                        w.Line("global::Attend.Kernels.Softmax.Forward(path, query, 1, HalfChannels, query);");
                        w.Line($"{Linear}.Forward(path, query, 1, HalfChannels, _packedSpatialValueTransposed, default, HalfChannels, Channels, planeWeights, Channels);");
                        if (spec.Sequential) w.Line("for (int c = 0; c < Channels; c++) planeWeights[c] *= channel[c]; // s = cw · x");
                        w.Line("global::System.Span<float> shift = scratch.Slice(2 * plane + 4 * Channels, 1); // reuses half: z is no longer needed");
                        w.Line($"{Kernels}.RowDots(path, _spatialValueBias, query, 0f, shift);");
                        w.Line($"{Kernels}.WeightedRowSum(path, input, planeWeights, shift[0], spatial);");
                        w.Line($"{Kernels}.Sigmoid(path, spatial);");
                        w.Line();
                        w.Line(spec.Sequential
                            ? $"{Kernels}.ScaleByOuterProduct(path, input, channel, spatial, output); // y = x · cw[c] · sw[p]"
                            : $"{Kernels}.ScaleByOuterSum(path, input, channel, spatial, output); // y = x · (cw[c] + sw[p])");
                    }
                }
            });
    }
}
