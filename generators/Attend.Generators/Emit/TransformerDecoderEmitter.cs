namespace Attend.Generators.Emit;

/// <summary>
/// Writes a <c>[TransformerDecoder]</c> class as <c>torch.nn.TransformerDecoder</c> over
/// <c>TransformerDecoderLayer(batch_first=True)</c>: masked self-attention, cross-attention over the memory, feed-forward.
/// </summary>
internal static class TransformerDecoderEmitter
{
    private const string LayerClass = "DecoderLayerWeights";
    private const string StackClass = "DecoderStackWeights";

    public static string Emit(HeadLayerPlan<TransformerDecoderSpec> layer)
    {
        TransformerDecoderSpec spec = layer.Spec;
        int dimHead = spec.DimHead;
        var remarks = new List<string>
        {
            $"Specialized at compile time: ModelDim = {spec.ModelDim}, Depth = {spec.Depth}, Heads = {spec.Heads}, DimHead = {dimHead}, MlpDim = {spec.MlpDim}, ε = {Literals.Float(spec.Epsilon)}.",
            spec.PreNorm
                ? "Pre-norm (norm_first=True): x += self_attn(norm1(x)); x += multihead_attn(norm2(x), memory); x += ff(norm3(x))."
                : "Post-norm (norm_first=False): x = norm1(x + self_attn(x)); x = norm2(x + multihead_attn(x, memory)); x = norm3(x + ff(x)); each residual sum fused with its layer norm.",
            $"Feed-forward: linear1 → {EncoderStackEmitter.ActivationText(spec.Activation)} → linear2.",
            spec.Causal ? "Self-attention is causal (tgt_is_causal): target position i sees targets 0..i, never scoring the keys above the diagonal." : "Self-attention sees every target position (no tgt_mask).",
            "Cross-attention projects the memory's keys and values once per layer per call and sees every memory position not padded.",
            "Weights load under torch.nn names: layers.{i}.self_attn.in_proj_weight/in_proj_bias/out_proj, multihead_attn.(same), linear1, linear2, norm1, norm2, norm3" + (spec.FinalNorm ? "; norm." : "."),
            "A query row whose keys are all masked yields zeros (PyTorch yields NaN there).",
            HeadKernelsEmitter.SharedRemark(layer.Shape),
        };
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"A stack of {spec.Depth} transformer decoder layer{(spec.Depth == 1 ? "" : "s")}, E = {spec.ModelDim}, {spec.Heads} heads, MLP {spec.MlpDim}, as <c>torch.nn.TransformerDecoder</c> over <c>TransformerDecoderLayer(batch_first=True)</c>.",
            remarks.ToArray(),
            w =>
            {
                EmitConstants(w, spec, dimHead);
                EmitSurface(w, spec);
                EmitWeightClasses(w, spec);
                EmitPass(w);
                EmitSelfAttention(w, spec, layer.Shape);
                EmitCrossAttention(w, spec, layer.Shape);
                FeedForwardEmitter.Emit(w, LayerClass, "FeedForwardNorm", spec.PreNorm, spec.Activation);
            });
    }

    private static void EmitConstants(SourceWriter w, TransformerDecoderSpec spec, int dimHead)
    {
        LayerMembers.Constant(w, "Model width of the target and of the memory (<c>d_model</c>).", "ModelDim", $"{spec.ModelDim}");
        LayerMembers.Constant(w, "Number of heads (<c>nhead</c>).", "Heads", $"{spec.Heads}");
        LayerMembers.Constant(w, "Width of one head: <c>ModelDim / Heads</c>.", "DimHead", $"{dimHead}");
        LayerMembers.Constant(w, "Hidden width of the feed-forward network (<c>dim_feedforward</c>).", "MlpDim", $"{spec.MlpDim}");
        LayerMembers.Constant(w, "Number of layers.", "Depth", $"{spec.Depth}");
        w.Lines("""
            private const int InnerDim = ModelDim;
            private const int QkvWidth = 3 * ModelDim;
            private const int KvWidth = 2 * ModelDim;
            """);
        w.Line($"private const float LayerNormEpsilon = {Literals.Float(spec.Epsilon)};");
        w.Line($"private const float ScoreScale = {Literals.Float((float)(1.0 / System.Math.Sqrt(dimHead)))};");
        w.Line();
    }

    private static void EmitSurface(SourceWriter w, TransformerDecoderSpec spec)
    {
        w.Line($"private {StackClass} _weights = {StackClass}.Zeroed();");
        w.Line();
        LayerSurfaceEmitter.Emit(w, spec.Identity.Type.Name, "stack", LayerSurfaceEmitter.BlockThreads, spec.WeightPrecision);
        w.Lines("""
            /// <summary>
            /// Loads <c>torch.nn.TransformerDecoder</c>'s <c>state_dict</c> under <c>prefix + "layers.{i}."</c>. Every tensor is read and
            /// checked before any is applied, so a failed load leaves the stack unchanged. Safe while <see cref="Forward"/> runs on other threads:
            /// the new weights replace the old all at once, and a forward pass already running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors; others are ignored.", "Prepended to every name, e.g. <c>\"decoder.\"</c>."))
        {
            w.Line($"global::System.Threading.Volatile.Write(ref _weights, {StackClass}.Read(source, prefix, WeightPrecision));");
        }

        w.Line();
        w.Line("/// <summary>Runs every decoder layer over <paramref name=\"target\"/>, attending to <paramref name=\"memory\"/>. Safe to call from many threads at once.</summary>");
        LayerMembers.Params(w, ("target", "Target tokens <c>[batch, targetLength, ModelDim]</c>."), ("memory", "The encoder's output <c>[batch, memoryLength, ModelDim]</c>."), ("output", "Receives <c>[batch, targetLength, ModelDim]</c>; may be <paramref name=\"target\"/> itself."), ("batch", "Number of sequences."), ("targetLength", "Target tokens per sequence."), ("memoryLength", "Memory tokens per sequence."), ("targetKeyPaddingMask", "<c>[batch, targetLength]</c>, true = padded target (<c>tgt_key_padding_mask</c>)" + (spec.KeyPadding ? "; required by this declaration." : "; optional.")), ("memoryKeyPaddingMask", "Optional <c>[batch, memoryLength]</c>, true = padded memory position (<c>memory_key_padding_mask</c>)."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> target, global::System.ReadOnlySpan<float> memory, global::System.Span<float> output, int batch, int targetLength, int memoryLength, global::System.ReadOnlySpan<bool> targetKeyPaddingMask = default, global::System.ReadOnlySpan<bool> memoryKeyPaddingMask = default)", "A length or size does not match; the message names the argument and the size expected."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(targetLength, nameof(targetLength));
                global::Attend.Kernels.ArgumentChecks.Positive(memoryLength, nameof(memoryLength));
                global::Attend.Kernels.ArgumentChecks.Length(target.Length, (long)batch * targetLength * ModelDim, nameof(target), $"batch × targetLength × ModelDim = {batch} × {targetLength} × {ModelDim}");
                global::Attend.Kernels.ArgumentChecks.Length(memory.Length, (long)batch * memoryLength * ModelDim, nameof(memory), $"batch × memoryLength × ModelDim = {batch} × {memoryLength} × {ModelDim}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)batch * targetLength * ModelDim, nameof(output), $"batch × targetLength × ModelDim = {batch} × {targetLength} × {ModelDim}");
                if (global::System.MemoryExtensions.Overlaps(output, target, out int shift) && shift != 0) throw new global::System.ArgumentException("output may be target itself but must not partially overlap it.", nameof(output));
                if (global::System.MemoryExtensions.Overlaps(output, memory)) throw new global::System.ArgumentException("output must not overlap memory: every layer reads the memory.", nameof(output));
                """);
            if (spec.KeyPadding) w.Line("if (targetKeyPaddingMask.IsEmpty) throw new global::System.ArgumentException($\"targetKeyPaddingMask is required by this stack's Mask = KeyPadding: pass [batch, targetLength] = {batch} × {targetLength} flags, true = padded.\", nameof(targetKeyPaddingMask));");
            w.Line("if (!targetKeyPaddingMask.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(targetKeyPaddingMask.Length, (long)batch * targetLength, nameof(targetKeyPaddingMask), $\"batch × targetLength = {batch} × {targetLength}\");");
            w.Line("if (!memoryKeyPaddingMask.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(memoryKeyPaddingMask.Length, (long)batch * memoryLength, nameof(memoryKeyPaddingMask), $\"batch × memoryLength = {batch} × {memoryLength}\");");
            w.Line($"{StackClass} weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Lines("""
                int rows = batch * targetLength;
                long scratchLength = (long)rows * (2 * ModelDim + global::System.Math.Max(QkvWidth + InnerDim, MlpDim)) + (long)batch * memoryLength * KvWidth;
                if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"The batch needs {scratchLength} floats of scratch, more than one array holds; split it.", nameof(batch));
                float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)scratchLength);
                """);
            using (w.Block("try"))
            {
                w.Line("global::System.Span<float> work = global::System.MemoryExtensions.AsSpan(scratch, 2 * rows * ModelDim, rows * global::System.Math.Max(QkvWidth + InnerDim, MlpDim));");
                using (w.Block("var pass = new Pass", ";"))
                {
                    w.Lines("""
                        Path = global::Attend.Kernels.KernelPaths.Resolve(Path), Threads = global::System.Math.Max(1, MaxDegreeOfParallelism), Batch = batch, Length = targetLength, MemoryLength = memoryLength,
                        TargetKeyPaddingMask = targetKeyPaddingMask, MemoryKeyPaddingMask = memoryKeyPaddingMask,
                        Normed = global::System.MemoryExtensions.AsSpan(scratch, 0, rows * ModelDim), Delta = global::System.MemoryExtensions.AsSpan(scratch, rows * ModelDim, rows * ModelDim),
                        Qkv = work.Slice(0, rows * QkvWidth), Context = work.Slice(rows * QkvWidth, rows * InnerDim), Hidden = work.Slice(0, rows * MlpDim),
                        MemoryKv = global::System.MemoryExtensions.AsSpan(scratch, 2 * rows * ModelDim + work.Length, batch * memoryLength * KvWidth),
                        """);
                }

                w.Line("target.CopyTo(output);");
                using (w.Block("foreach (DecoderLayerWeights layer in weights.Layers)"))
                {
                    w.Lines("""
                        SelfAttentionSublayer(in pass, layer, output);
                        CrossAttentionSublayer(in pass, layer, memory, output);
                        FeedForwardSublayer(in pass, layer, output);
                        """);
                }

                if (spec.FinalNorm) w.Line("global::Attend.Kernels.Normalization.LayerNorm(pass.Path, output, rows, ModelDim, weights.FinalNormWeight, weights.FinalNormBias, LayerNormEpsilon, output);");
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
    }

    private static void EmitWeightClasses(SourceWriter w, TransformerDecoderSpec spec)
    {
        w.Line("/// <summary>One decoder layer's weights: norms as read, linear weights packed for the projection kernel.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private sealed class {LayerClass}"))
        {
            w.Lines("""
                public readonly float[] SelfNormWeight = new float[ModelDim];
                public readonly float[] SelfNormBias = new float[ModelDim];
                public readonly global::Attend.Kernels.PackedProjection PackedSelfQkvWeight = new(ModelDim, QkvWidth);
                public readonly float[] SelfQkvBias = new float[QkvWidth];
                public readonly global::Attend.Kernels.PackedProjection PackedSelfOutputWeight = new(InnerDim, ModelDim);
                public readonly float[] SelfOutputBias = new float[ModelDim];
                public readonly float[] CrossNormWeight = new float[ModelDim];
                public readonly float[] CrossNormBias = new float[ModelDim];
                public readonly global::Attend.Kernels.PackedProjection PackedCrossQueryWeight = new(ModelDim, InnerDim);
                public readonly float[] CrossQueryBias = new float[InnerDim];
                public readonly global::Attend.Kernels.PackedProjection PackedCrossKvWeight = new(ModelDim, KvWidth);
                public readonly float[] CrossKvBias = new float[KvWidth];
                public readonly global::Attend.Kernels.PackedProjection PackedCrossOutputWeight = new(InnerDim, ModelDim);
                public readonly float[] CrossOutputBias = new float[ModelDim];
                public readonly float[] FeedForwardNormWeight = new float[ModelDim];
                public readonly float[] FeedForwardNormBias = new float[ModelDim];
                """);
            FeedForwardEmitter.EmitWeightFields(w);
            w.Line();
            w.Line("/// <summary>Reads and checks every tensor of layer <c>prefix</c>.</summary>");
            using (w.Block($"public static {LayerClass} Read(global::Attend.IWeightSource source, string prefix, global::Attend.WeightPrecision precision)"))
            {
                w.Line($"var layer = new {LayerClass}();");
                w.Lines("""
                    layer.PackedSelfQkvWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, "self_attn.in_proj_weight", QkvWidth, ModelDim), precision);
                    global::Attend.Kernels.WeightLoading.Read(source, prefix, "self_attn.in_proj_bias", QkvWidth).CopyTo(layer.SelfQkvBias, 0);
                    layer.PackedSelfOutputWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, "self_attn.out_proj.weight", ModelDim, InnerDim), precision);
                    global::Attend.Kernels.WeightLoading.Read(source, prefix, "self_attn.out_proj.bias", ModelDim).CopyTo(layer.SelfOutputBias, 0);
                    // Cross-attention: rows 0..E of in_proj project the target (queries), rows E..3E the memory (keys, values).
                    float[] crossInProjection = global::Attend.Kernels.WeightLoading.Read(source, prefix, "multihead_attn.in_proj_weight", QkvWidth, ModelDim);
                    float[] crossInBias = global::Attend.Kernels.WeightLoading.Read(source, prefix, "multihead_attn.in_proj_bias", QkvWidth);
                    layer.PackedCrossQueryWeight.Pack(global::System.MemoryExtensions.AsSpan(crossInProjection, 0, InnerDim * ModelDim), precision);
                    layer.PackedCrossKvWeight.Pack(global::System.MemoryExtensions.AsSpan(crossInProjection, InnerDim * ModelDim), precision);
                    global::System.MemoryExtensions.AsSpan(crossInBias, 0, InnerDim).CopyTo(layer.CrossQueryBias);
                    global::System.MemoryExtensions.AsSpan(crossInBias, InnerDim).CopyTo(layer.CrossKvBias);
                    layer.PackedCrossOutputWeight.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, "multihead_attn.out_proj.weight", ModelDim, InnerDim), precision);
                    global::Attend.Kernels.WeightLoading.Read(source, prefix, "multihead_attn.out_proj.bias", ModelDim).CopyTo(layer.CrossOutputBias, 0);
                    """);
                FeedForwardEmitter.EmitWeightReads(w, "linear1", "linear2");
                foreach ((string field, string name) in new[] { ("SelfNorm", "norm1"), ("CrossNorm", "norm2"), ("FeedForwardNorm", "norm3") })
                {
                    w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{name}.weight\", ModelDim).CopyTo(layer.{field}Weight, 0);");
                    w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{name}.bias\", ModelDim).CopyTo(layer.{field}Bias, 0);");
                }

                w.Line("return layer;");
            }
        }

        w.Line();
        StackWeightsEmitter.Emit(w, StackClass, LayerClass, "layers.", spec.FinalNorm ? "norm" : null);
    }

    private static void EmitPass(SourceWriter w)
    {
        using (PassText.Open(w, "sizes, masks and the scratch every sublayer writes into"))
        {
            w.Lines(PassText.RunMembers);
            w.Lines("""
                /// <summary>Target tokens per sequence.</summary>
                public int Length { get; init; }
                public int MemoryLength { get; init; }
                public global::System.ReadOnlySpan<bool> TargetKeyPaddingMask { get; init; }
                public global::System.ReadOnlySpan<bool> MemoryKeyPaddingMask { get; init; }
                """);
            w.Lines(PassText.ScratchMembers("[rows, QkvWidth]: self-attention's queries, keys and values; cross-attention's queries use its first rows · ModelDim."));
            w.Lines("""
                /// <summary>[batch · memoryLength, KvWidth]: the memory's keys and values for the current layer.</summary>
                public global::System.Span<float> MemoryKv { get; init; }
                public int Rows => Batch * Length;
                """);
        }

        w.Line();
    }

    private static void EmitSelfAttention(SourceWriter w, TransformerDecoderSpec spec, HeadShape shape)
    {
        w.Line("/// <summary>");
        w.Line(spec.PreNorm
            ? "/// Masked self-attention sublayer, in place on <paramref name=\"x\"/>: <c>x += self_attn(norm1(x))</c>."
            : "/// Masked self-attention sublayer, in place on <paramref name=\"x\"/>: <c>x = norm1(x + self_attn(x))</c>.");
        w.Line("/// </summary>");
        using (w.Block($"private static void SelfAttentionSublayer(in Pass pass, {LayerClass} layer, global::System.Span<float> x)"))
        {
            string source = SublayerText.Enter(w, spec.PreNorm, "SelfNorm");
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, {source}, rows, ModelDim, layer.PackedSelfQkvWeight, layer.SelfQkvBias, ModelDim, QkvWidth, pass.Qkv, QkvWidth, threads);");
            w.Line("global::System.ReadOnlySpan<float> qkv = pass.Qkv;");
            AttentionCallEmitter.Emit(w, shape, new AttentionCall(
                "pass.Batch", "Heads", "Heads", "pass.Length", "pass.Length",
                new StridedView("qkv", "pass.Length * QkvWidth", "DimHead", "QkvWidth"),
                new StridedView("qkv.Slice(InnerDim)", "pass.Length * QkvWidth", "DimHead", "QkvWidth"),
                new StridedView("qkv.Slice(2 * InnerDim)", "pass.Length * QkvWidth", "DimHead", "QkvWidth"),
                new StridedView("pass.Context", "pass.Length * InnerDim", "DimHead", "InnerDim"),
                "ScoreScale", spec.Causal ? "true" : "false", "pass.TargetKeyPaddingMask", "default"));
            w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, pass.Context, rows, InnerDim, layer.PackedSelfOutputWeight, layer.SelfOutputBias, InnerDim, ModelDim, pass.Delta, ModelDim, threads);");
            SublayerText.Residual(w, spec.PreNorm, "SelfNorm");
        }

        w.Line();
    }

    private static void EmitCrossAttention(SourceWriter w, TransformerDecoderSpec spec, HeadShape shape)
    {
        w.Line("/// <summary>");
        w.Line(spec.PreNorm
            ? "/// Cross-attention sublayer, in place on <paramref name=\"x\"/>: <c>x += multihead_attn(norm2(x), memory)</c>."
            : "/// Cross-attention sublayer, in place on <paramref name=\"x\"/>: <c>x = norm2(x + multihead_attn(x, memory))</c>.");
        w.Line("/// </summary>");
        using (w.Block($"private static void CrossAttentionSublayer(in Pass pass, {LayerClass} layer, global::System.ReadOnlySpan<float> memory, global::System.Span<float> x)"))
        {
            string source = SublayerText.Enter(w, spec.PreNorm, "CrossNorm");
            w.Line("global::System.Span<float> queries = pass.Qkv.Slice(0, rows * InnerDim);");
            w.Line($"global::Attend.Kernels.ProjectionDriver.Forward(path, {source}, rows, ModelDim, layer.PackedCrossQueryWeight, layer.CrossQueryBias, ModelDim, InnerDim, queries, InnerDim, threads);");
            w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, memory, pass.Batch * pass.MemoryLength, ModelDim, layer.PackedCrossKvWeight, layer.CrossKvBias, ModelDim, KvWidth, pass.MemoryKv, KvWidth, threads);");
            w.Line("global::System.ReadOnlySpan<float> memoryKv = pass.MemoryKv;");
            AttentionCallEmitter.Emit(w, shape, new AttentionCall(
                "pass.Batch", "Heads", "Heads", "pass.Length", "pass.MemoryLength",
                new StridedView("queries", "pass.Length * InnerDim", "DimHead", "InnerDim"),
                new StridedView("memoryKv", "pass.MemoryLength * KvWidth", "DimHead", "KvWidth"),
                new StridedView("memoryKv.Slice(InnerDim)", "pass.MemoryLength * KvWidth", "DimHead", "KvWidth"),
                new StridedView("pass.Context", "pass.Length * InnerDim", "DimHead", "InnerDim"),
                "ScoreScale", "false", "pass.MemoryKeyPaddingMask", "default"));
            w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, pass.Context, rows, InnerDim, layer.PackedCrossOutputWeight, layer.CrossOutputBias, InnerDim, ModelDim, pass.Delta, ModelDim, threads);");
            SublayerText.Residual(w, spec.PreNorm, "CrossNorm");
        }

        w.Line();
    }
}
