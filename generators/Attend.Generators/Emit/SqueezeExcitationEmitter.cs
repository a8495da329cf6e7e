using static Attend.Generators.Emit.FeatureMapLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[SqueezeExcitation]</c> class: constants, weights, <c>LoadWeights</c>, <c>Forward</c> and its kernels.</summary>
internal static class SqueezeExcitationEmitter
{
    public static string Emit(SqueezeExcitationPlan plan)
    {
        SqueezeExcitationSpec spec = plan.Spec;
        int c = spec.Channels, s = spec.SqueezeChannels;
        bool average = spec.Pooling != (int)ChannelPooling.Max, max = spec.Pooling != (int)ChannelPooling.Average;
        string pooling = (ChannelPooling)spec.Pooling switch { ChannelPooling.Average => "average", ChannelPooling.Max => "max", _ => "average and max" };
        string gate = spec.HardSigmoid ? "hardsigmoid" : "sigmoid";
        var weights = new List<Weight>
        {
            new("fc1.weight", "_fc1Weight", new[] { "SqueezeChannels", "Channels", "1", "1" }),
            new("fc1.bias", "_fc1Bias", new[] { "SqueezeChannels" }),
            new("fc2.weight", "_fc2Weight", new[] { "Channels", "SqueezeChannels", "1", "1" }),
            new("fc2.bias", "_fc2Bias", new[] { "Channels" }),
        };
        string[] remarks =
        {
            $"Specialized at compile time: Channels = {c}, SqueezeChannels = {s}, {pooling} pooling, {gate} gate; height and width are run-time arguments.",
            $"The excitation MLP is two matrix–vector products of constant shape ([{s}, {c}] then [{c}, {s}]), emitted per instruction set: " +
                string.Join(", ", plan.MatVecs[0].Dispatch.Select(p => $"{VectorCode.QualifiedVectorOf(p.Width)} {VectorCode.DocLayout(c, p.Segments)}")) + $" for fc1's rows.",
            spec.Pooling == (int)ChannelPooling.Both
                ? "Pooling = Both runs the MLP on the mean and on the maximum and adds the two results before the gate (fc2's bias counts twice, as calling the PyTorch module's fc twice would)."
                : $"Squeeze: each channel plane is reduced to its {(average ? "mean" : "maximum")} in one vectorized pass.",
            spec.HardSigmoid ? "Gate: PyTorch's hardsigmoid, clamp(x / 6 + 1/2, 0, 1)." : "Gate: the logistic sigmoid.",
            "The per-channel scaling streams each plane once; output may be the input's own memory.",
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"Squeeze-and-excitation over {c} channels (hidden {s}), {pooling} pooling, {gate} gate, as torchvision's <c>ops.SqueezeExcitation</c> on NCHW maps.",
            remarks,
            w =>
            {
                LayerMembers.Constant(w, "Channels C of the feature map (<c>input_channels</c>).", "Channels", $"{c}");
                LayerMembers.Constant(w, "Hidden channels of the excitation (<c>squeeze_channels</c>).", "SqueezeChannels", $"{s}");
                EmitFields(w, weights);
                LayerMembers.ZeroWeightsConstructor(w, spec.Identity.Type.Name);
                EmitPathProperties(w);
                EmitLoadWeights(w, "torchvision's <c>SqueezeExcitation</c>", weights);
                EmitForward(w, $"<c>y = x · {gate}(fc2(relu(fc1(pool(x)))))</c> per channel",
                    new List<ScaleOutput> { new("scale", "[batch, Channels]", "batch × Channels = {batch} × {Channels}", "(long)batch * Channels", "the per-channel factors") });

                string scratch = max && average ? "4 * Channels + 2 * SqueezeChannels" : "2 * Channels + SqueezeChannels";
                using (OpenBlock(w, "One sample: squeeze, excite, scale. Holds references to one weight set.", weights, scratch))
                {
                    using (w.Block(ApplySignature))
                    {
                        w.Lines("""
                            int plane = height * width;
                            global::System.Span<float> pooled = scratch.Slice(0, Channels);
                            global::System.Span<float> hidden = scratch.Slice(Channels, SqueezeChannels);
                            global::System.Span<float> gate = scratch.Slice(Channels + SqueezeChannels, Channels);
                            """);
                        if (average && max)
                        {
                            w.Lines("""
                                global::System.Span<float> pooledMax = scratch.Slice(2 * Channels + SqueezeChannels, Channels);
                                global::System.Span<float> hiddenMax = scratch.Slice(3 * Channels + SqueezeChannels, SqueezeChannels);
                                global::System.Span<float> gateMax = scratch.Slice(3 * Channels + 2 * SqueezeChannels, Channels);
                                """);
                            w.Line();
                            w.Line("// Squeeze: the mean and the maximum of each channel plane, in one pass.");
                            w.Line("global::Attend.Kernels.FeatureMapKernels.ChannelMeansAndMaxima(path, input, Channels, plane, pooled, pooledMax);");
                            w.Line();
                            w.Line("// Excite both with the shared MLP (1×1 convolutions on a 1×1 map are matrix–vector products), add, gate.");
                            EmitMlp(w, c, s, "pooled", "hidden", "gate");
                            EmitMlp(w, c, s, "pooledMax", "hiddenMax", "gateMax");
                            w.Line($"for (int c = 0; c < Channels; c++) gate[c] = {Gate(spec, "gate[c] + gateMax[c]")};");
                        }
                        else
                        {
                            w.Line();
                            w.Line(average ? "// Squeeze: the mean of each channel plane." : "// Squeeze: the maximum of each channel plane.");
                            w.Line(average
                                ? "global::Attend.Kernels.FeatureMapKernels.ChannelMeans(path, input, Channels, plane, pooled);"
                                : "global::Attend.Kernels.FeatureMapKernels.ChannelMaxima(path, input, Channels, plane, pooled);");
                            w.Line();
                            w.Line("// Excite: fc1, ReLU, fc2 (1×1 convolutions on a 1×1 map are matrix–vector products), then the gate.");
                            EmitMlp(w, c, s, "pooled", "hidden", "gate");
                            w.Line($"for (int c = 0; c < Channels; c++) gate[c] = {Gate(spec, "gate[c]")};");
                        }

                        w.Line("if (!channelScale.IsEmpty) gate.CopyTo(channelScale);");
                        w.Line();
                        w.Line("// Scale: every plane by its channel's gate.");
                        w.Line("global::Attend.Kernels.FeatureMapKernels.ScaleChannels(path, input, gate, plane, output);");
                    }

                    w.Line();
                    foreach (MatVecPlan matVec in plan.MatVecs) ChannelKernelsEmitter.EmitMatVec(w, matVec);
                }
            });
    }

    private static void EmitMlp(SourceWriter w, int channels, int squeeze, string pooled, string hidden, string logits)
    {
        w.Line($"{ChannelKernelsEmitter.MatVecName(squeeze, channels)}(path, _fc1Weight, {pooled}, {hidden});");
        w.Line($"for (int j = 0; j < SqueezeChannels; j++) {hidden}[j] = global::System.MathF.Max({hidden}[j] + _fc1Bias[j], 0f);");
        w.Line($"{ChannelKernelsEmitter.MatVecName(channels, squeeze)}(path, _fc2Weight, {hidden}, {logits});");
        w.Line($"for (int c = 0; c < Channels; c++) {logits}[c] += _fc2Bias[c];");
    }

    private static string Gate(SqueezeExcitationSpec spec, string value) =>
        spec.HardSigmoid ? $"global::Attend.Kernels.VectorMath.HardSigmoid({value})" : $"global::Attend.Kernels.VectorMath.Sigmoid({value})";
}
