using static Attend.Generators.Emit.FeatureMapLayerEmitter;
using static Attend.Generators.Emit.PointwiseLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[CoordinateAttention]</c> class: constants, folded and packed weights, <c>LoadWeights</c>, <c>Forward</c> and its block.</summary>
internal static class CoordinateAttentionEmitter
{
    public static string Emit(CoordinateAttentionSpec spec)
    {
        int c = spec.Channels, m = spec.MiddleChannels;
        var weights = new List<Weight>
        {
            new("conv1 + bn1 (folded, packed)", "_packedConv1", new[] { $"{Linear}.PackedLength(Channels, MiddleChannels)" }),
            new("conv1.bias + bn1 (folded)", "_conv1Bias", new[] { "MiddleChannels" }),
            new("conv_h.weight (packed)", "_packedConvH", new[] { $"{Linear}.PackedLength(MiddleChannels, Channels)" }),
            new("conv_h.bias", "_convHBias", new[] { "Channels" }),
            new("conv_w.weight (packed)", "_packedConvW", new[] { $"{Linear}.PackedLength(MiddleChannels, Channels)" }),
            new("conv_w.bias", "_convWBias", new[] { "Channels" }),
        };
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, Reduction = {spec.Reduction}, so MiddleChannels = max(8, {c} / {spec.Reduction}) = {m}; height and width are run-time arguments.",
            "The eval-mode BatchNorm bn1 is folded into conv1 once, at load (BatchNormFolding.ReadFolded): a forward pass runs no normalization.",
            "Per sample: one pass over the map pools every row and every column (PointwiseAttentionKernels.DirectionalMeans, written token-major [H + W, C]); " +
                $"the three 1×1 convolutions are matrix products on LinearKernels' packed GEMM — conv1 [(H + W) × {c}] · [{c} × {m}], then conv_h and conv_w [H or W × {m}] · [{m} × {c}], " +
                "O((H + W)·C·MiddleChannels); h-swish and the sigmoids are vectorized element-wise passes; the last pass scales each row of each plane by a_h[h] · a_w[:] (O(C·H·W)).",
            "Output may be the input's own memory: every element is read before it is written.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Coordinate Attention over {c} channels (middle {m}), as <c>CoordAtt(inp, oup, reduction)</c> of External-Attention-pytorch on NCHW maps.",
            remarks,
            w =>
            {
                EmitConstant(w, "Channels", c, "Channels C of the feature map (<c>inp</c> = <c>oup</c>).");
                EmitConstant(w, "MiddleChannels", m, "Width of the shared 1×1 convolution (<c>mip = max(8, inp // reduction)</c>).");
                EmitFields(w, weights);
                EmitPathProperties(w);
                EmitLoadWeights(w, "<c>CoordAtt</c>",
                    new[]
                    {
                        "<c>conv1.weight</c> [MiddleChannels, Channels, 1, 1]", "<c>conv1.bias</c> [MiddleChannels]",
                        "<c>bn1.weight</c>, <c>bn1.bias</c>, <c>bn1.running_mean</c>, <c>bn1.running_var</c> [MiddleChannels]",
                        "<c>conv_h.weight</c>, <c>conv_w.weight</c> [Channels, MiddleChannels, 1, 1]", "<c>conv_h.bias</c>, <c>conv_w.bias</c> [Channels]",
                    },
                    "bn1 (eval mode, ε = 1e-5) is folded into conv1 and the convolutions are packed for the GEMM; <c>bn1.num_batches_tracked</c> is not read.",
                    r =>
                    {
                        r.Line("(float[] conv1, float[] conv1Bias) = global::Attend.Kernels.BatchNormFolding.ReadFolded(source, prefix, \"conv1\", true, \"bn1\", 1e-5f, MiddleChannels, Channels, 1, 1);");
                        r.Line($"{Linear}.Pack(conv1, Channels, MiddleChannels, next.PackedConv1);");
                        r.Line("conv1Bias.CopyTo(next.Conv1Bias, 0);");
                        foreach ((string name, string member) in new[] { ("conv_h", "ConvH"), ("conv_w", "ConvW") })
                        {
                            r.Line($"{Linear}.Pack({Read}(source, prefix, \"{name}.weight\", Channels, MiddleChannels, 1, 1), MiddleChannels, Channels, next.Packed{member});");
                            r.Line($"{Read}(source, prefix, \"{name}.bias\", Channels).CopyTo(next.{member}Bias, 0);");
                        }
                    });
                EmitForward(w, "<c>y = x · a_w · a_h</c>, the factors from the map's row and column means", new List<ScaleOutput>());
                using (OpenBlock(w, "One sample: pool both directions, three 1×1 convolutions as GEMMs, scale. Holds references to one weight set.", weights,
                    "(height + width) * (2 * Channels + MiddleChannels) + width"))
                {
                    using (w.Block(ApplySignature))
                    {
                        w.Lines("""
                            int lines = height + width;
                            global::System.Span<float> pooled = scratch.Slice(0, lines * Channels);
                            global::System.Span<float> middle = scratch.Slice(lines * Channels, lines * MiddleChannels);
                            global::System.Span<float> factors = scratch.Slice(lines * (Channels + MiddleChannels), lines * Channels);
                            global::System.Span<float> column = scratch.Slice(lines * (2 * Channels + MiddleChannels), width);
                            """);
                        w.Line();
                        w.Line("// [x_h; x_w]: the mean of every row (first H lines) and every column (next W), channels innermost.");
                        w.Line($"{Kernels}.DirectionalMeans(path, input, Channels, height, width, pooled, column);");
                        w.Line("// conv1 with bn1 folded in, then h-swish: [H + W, MiddleChannels].");
                        w.Line($"{Linear}.Forward(path, pooled, lines, Channels, _packedConv1, _conv1Bias, Channels, MiddleChannels, middle, MiddleChannels);");
                        w.Line($"{Kernels}.HardSwish(path, middle);");
                        w.Line("// a_h = σ(conv_h(t_h)) [H, C] and a_w = σ(conv_w(t_w)) [W, C], side by side.");
                        w.Line($"{Linear}.Forward(path, middle, height, MiddleChannels, _packedConvH, _convHBias, MiddleChannels, Channels, factors, Channels);");
                        w.Line($"{Linear}.Forward(path, middle.Slice(height * MiddleChannels), width, MiddleChannels, _packedConvW, _convWBias, MiddleChannels, Channels, factors.Slice(height * Channels), Channels);");
                        w.Line($"{Kernels}.Sigmoid(path, factors);");
                        w.Line();
                        w.Line("// y = x · a_w · a_h.");
                        w.Line($"{Kernels}.ScaleByRowsAndColumns(path, input, Channels, height, width, factors.Slice(0, height * Channels), factors.Slice(height * Channels), column, output);");
                    }
                }
            });
    }
}
