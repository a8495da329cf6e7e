using static Attend.Generators.Emit.FeatureMapLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes an <c>[EfficientChannelAttention]</c> class: constants, weight, <c>LoadWeights</c>, <c>Forward</c> and its kernels.</summary>
internal static class EfficientChannelAttentionEmitter
{
    public static string Emit(EfficientChannelAttentionPlan plan)
    {
        EfficientChannelAttentionSpec spec = plan.Spec;
        int c = spec.Channels, k = spec.KernelSize;
        var weights = new List<Weight> { new("conv.weight", "_convWeight", new[] { "1", "1", "KernelSize" }) };
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, KernelSize = {k}" +
                (spec.KernelSizeIsAdaptive ? $" (ECA's adaptive rule: t = ⌊(log₂ {c} + 1) / 2⌋, k = t if odd else t + 1)" : " (given)") +
                "; height and width are run-time arguments.",
            $"The convolution along the channels is emitted per instruction set with its {k} taps broadcast once: " +
                string.Join(", ", plan.Conv.Dispatch.Select(p => $"{VectorCode.QualifiedVectorOf(p.Width)} {VectorCode.DocLayout(c, p.Segments)}")) + $".",
            $"Zero padding of {(k - 1) / 2} on both ends of the pooled vector, no bias, as the reference <c>nn.Conv1d(1, 1, k, padding=(k - 1) // 2, bias=False)</c>.",
            "The per-channel scaling streams each plane once; output may be the input's own memory.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Efficient channel attention (ECA-Net) over {c} channels with a {k}-tap convolution along the channels, on NCHW maps.",
            remarks,
            w =>
            {
                LayerMembers.Constant(w, "Channels C of the feature map.", "Channels", $"{c}");
                LayerMembers.Constant(w, "Taps of the 1-D convolution along the channels.", "KernelSize", $"{k}");
                w.Line("private const int Padding = (KernelSize - 1) / 2;");
                w.Line();
                EmitFields(w, weights);
                LayerMembers.ZeroWeightsConstructor(w, spec.Identity.Type.Name);
                EmitPathProperties(w);
                EmitLoadWeights(w, "the ECA module", weights);
                EmitForward(w, "<c>y = x · sigmoid(conv1d(mean_hw(x)))</c> per channel",
                    new List<ScaleOutput> { new("scale", "[batch, Channels]", "batch × Channels = {batch} × {Channels}", "(long)batch * Channels", "the per-channel factors") });

                using (OpenBlock(w, "One sample: pool, convolve along the channels, gate, scale. Holds references to one weight set.", weights, "2 * Channels + KernelSize - 1"))
                {
                    using (w.Block(ApplySignature))
                    {
                        w.Lines("""
                            int plane = height * width;
                            global::System.Span<float> padded = scratch.Slice(0, Channels + KernelSize - 1);
                            global::System.Span<float> gate = scratch.Slice(Channels + KernelSize - 1, Channels);
                            """);
                        w.Line();
                        w.Line("// Squeeze: the mean of each channel plane, between zero pads.");
                        if (k > 1)
                        {
                            w.Line("padded.Slice(0, Padding).Clear();");
                            w.Line("padded.Slice(Padding + Channels).Clear();");
                        }

                        w.Line("global::Attend.Kernels.FeatureMapKernels.ChannelMeans(path, input, Channels, plane, padded.Slice(Padding, Channels));");
                        w.Line();
                        w.Line("// Excite: conv1d along the channels, then the sigmoid.");
                        w.Line($"{ChannelKernelsEmitter.ChannelConvName(c, k)}(path, padded, _convWeight, gate);");
                        w.Line("for (int c = 0; c < Channels; c++) gate[c] = global::Attend.Kernels.VectorMath.Sigmoid(gate[c]);");
                        w.Line("if (!channelScale.IsEmpty) gate.CopyTo(channelScale);");
                        w.Line();
                        w.Line("// Scale: every plane by its channel's gate.");
                        w.Line("global::Attend.Kernels.FeatureMapKernels.ScaleChannels(path, input, gate, plane, output);");
                    }

                    w.Line();
                    ChannelKernelsEmitter.EmitChannelConv(w, plan.Conv);
                }
            });
    }
}
