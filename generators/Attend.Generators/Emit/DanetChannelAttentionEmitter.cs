using static Attend.Generators.Emit.ImageLayerEmitter;

namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[DanetChannelAttention]</c> class: constants, weights, <c>LoadWeights</c> and <c>Forward</c>.</summary>
internal static class DanetChannelAttentionEmitter
{
    public static string Emit(DanetChannelAttentionPlan plan)
    {
        DanetChannelAttentionSpec spec = plan.Spec;
        int c = spec.Channels;
        string[] remarks = spec.Official
            ? new[]
            {
                $"The DANet authors' CAM_Module: Channels = {c}; y = gamma · (softmax(max(e) − e) X) + x with e = X Xᵀ; height and width are run-time arguments.",
                $"softmax(max(e) − e) is computed as softmax(−e) (a softmax ignores a per-row shift; the row maximum is subtracted inside it), so no extra pass.",
                $"Per sample: the {c} × {c} Gram matrix is one GEMM over H·W (O({c}² · H·W)), the row softmax O({c}²), the mix A·X one GEMM (O({c}² · H·W)); the right factors are packed per call by a strip copy.",
            }
            : new[]
            {
                $"External-Attention-pytorch's ChannelAttentionModule: Channels = {c}, a {spec.KernelSize}×{spec.KernelSize} convolution, Height × Width = {spec.Height} × {spec.Width} fixed by fc_o = Linear({plan.Plane}, {plan.Plane}); output [batch, {c}, H·W] like the module's.",
                $"Per sample: the {c} × {c} Gram matrix t tᵀ is one GEMM over {plan.Plane} pixels, scaled by 1/√{plan.Plane}, a row softmax, the mix A·t one GEMM, fc_o one GEMM: O({c}² · H·W + {c} · (H·W)²) multiply-adds.",
            };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"DANet channel attention over {c} channels ({(spec.Official ? "the authors' CAM" : "External-Attention-pytorch's head")}), on NCHW maps.",
            remarks,
            w =>
            {
                Constant(w, "Channels C of the feature map.", "Channels", c);
                if (!spec.Official)
                {
                    Constant(w, "Kernel size of the <c>cnn</c> convolution before the attention (padding KernelSize / 2).", "KernelSize", spec.KernelSize);
                    Constant(w, "Rows H the module's <c>fc_o</c> is built for; <see cref=\"Forward\"/>'s height must equal it.", "Height", spec.Height);
                    Constant(w, "Columns W the module's <c>fc_o</c> is built for; <see cref=\"Forward\"/>'s width must equal it.", "Width", spec.Width);
                    Constant(w, "Pixels per map, the features of fc_o.", "Plane", plan.Plane, isPublic: false);
                }

                PathProperties(w);
                if (spec.Official)
                {
                    Weights(w, spec.Identity.Type.Name, "the DANet authors' CAM_Module", new List<Tensor> { new("gamma", "gamma", "1") },
                        new List<Field> { new("readonly float[] Gamma = new float[1];", "gamma [1], the residual weight.") },
                        b => b.Line("gamma.CopyTo(next.Gamma, 0);"));
                }
                else
                {
                    EmitCollectionWeights(w, spec.Identity.Type.Name);
                }

                string formula = spec.Official
                    ? "Applies CAM to each sample: <c>y = gamma · (softmax(max(e) − e) X) + x</c>, <c>e = X Xᵀ</c> over the pixels."
                    : "Applies the collection's channel head: <c>t = cnn(x)</c> as <c>[Channels, H·W]</c>, <c>y = fc_o(softmax(t tᵀ / √(H·W)) t)</c>, written <c>[batch, Channels, height·width]</c>.";
                using (OpenForward(w, formula, "Channels", "Channels", spec.Official ? "[batch, Channels, height, width]" : "[batch, Channels, height·width]"))
                {
                    if (!spec.Official)
                    {
                        w.Line("if (height != Height) throw new global::System.ArgumentException($\"height must be Height = {Height}, the size fc_o was built for; got {height}.\", nameof(height));");
                        w.Line("if (width != Width) throw new global::System.ArgumentException($\"width must be Width = {Width}, the size fc_o was built for; got {width}.\", nameof(width));");
                    }

                    w.Line("LayerWeights weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
                    w.Line(spec.Official
                        ? "global::Attend.Kernels.DualAttention.ChannelOfficial(Path, input, output, batch, Channels, height, width, weights.Gamma[0], MaxDegreeOfParallelism);"
                        : "global::Attend.Kernels.DualAttention.ChannelCollection(Path, input, output, batch, Channels, height, width, weights.ConvWeight, weights.ConvBias, KernelSize, weights.Output, weights.OutputBias, MaxDegreeOfParallelism);");
                }
            });
    }

    private static void EmitCollectionWeights(SourceWriter w, string typeName)
    {
        var tensors = new List<Tensor>
        {
            new("cnn.weight", "convWeight", "Channels", "Channels", "KernelSize", "KernelSize"),
            new("cnn.bias", "convBias", "Channels"),
            new("pa.fc_o.weight", "outputWeight", "Plane", "Plane"),
            new("pa.fc_o.bias", "outputBias", "Plane"),
        };
        var fields = new List<Field>
        {
            new("readonly float[] ConvWeight = new float[Channels * Channels * KernelSize * KernelSize];", "cnn.weight [Channels, Channels, KernelSize, KernelSize]."),
            new("readonly float[] ConvBias = new float[Channels];", "cnn.bias."),
            new("readonly float[] Output = new float[global::Attend.Kernels.LinearKernels.PackedLength(Plane, Plane)];", "pa.fc_o.weight [Plane, Plane], packed for the GEMM."),
            new("readonly float[] OutputBias = new float[Plane];", "pa.fc_o.bias."),
        };
        Weights(w, typeName, "External-Attention-pytorch's ChannelAttentionModule", tensors, fields, b =>
        {
            b.Lines("""
                convWeight.CopyTo(next.ConvWeight, 0);
                convBias.CopyTo(next.ConvBias, 0);
                global::Attend.Kernels.LinearKernels.Pack(outputWeight, Plane, Plane, next.Output);
                outputBias.CopyTo(next.OutputBias, 0);
                """);
        });
    }
}
