namespace Attend.Generators.Emit;

/// <summary>
/// Writes a <c>[VisionTransformer]</c> class as lucidrains' <c>ViT</c>: patchify, patch embedding, class token, learned
/// positions, the encoder stack (under <c>transformer.</c>), pooling and the classifier head.
/// </summary>
internal static class VisionTransformerEmitter
{
    private const string WeightsClass = "VisionWeights";

    public static string Emit(EncoderLayerPlan<VisionTransformerSpec> layer)
    {
        VisionTransformerSpec spec = layer.Spec;
        EncoderStackSpec s = spec.Stack;
        HeadKernelPlan plan = layer.Kernels;
        bool current = s.Naming == BlockOptions.NamingVit;
        int grid = spec.ImageSize / spec.PatchSize;
        var remarks = new List<string>
        {
            $"Images [batch, {spec.Channels}, {spec.ImageSize}, {spec.ImageSize}] are cut into {grid} × {grid} patches of {spec.PatchSize} × {spec.PatchSize} " +
            $"(features ordered (p1, p2, c), as 'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'); with the class token that is {grid * grid + 1} tokens.",
            current
                ? "Patch embedding: LayerNorm(patch) → Linear → LayerNorm (to_patch_embedding.1..3); head: mlp_head Linear after the encoder's final norm (current lucidrains ViT)."
                : "Patch embedding: Linear (to_patch_embedding.1); head: mlp_head.0 LayerNorm → mlp_head.1 Linear (older lucidrains ViT with PreNorm layers).",
            spec.Pooling == BlockOptions.PoolingMean ? "global::Attend.Pooling: the mean of every token, the class token included." : "global::Attend.Pooling: the class token's final state.",
        };
        remarks.AddRange(EncoderStackEmitter.Remarks(s, plan, layer.Names));
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"A vision transformer, {spec.ImageSize}×{spec.ImageSize}×{spec.Channels} images in {spec.PatchSize}×{spec.PatchSize} patches, {s.Depth} layers of E = {s.ModelDim}, {s.Heads} heads of {s.DimHead}, {spec.Classes} classes, as lucidrains/vit-pytorch's <c>ViT</c>.",
            remarks.ToArray(),
            w =>
            {
                EmitConstants(w, spec);
                EncoderStackEmitter.EmitConstants(w, s);
                EmitSurface(w, spec, current);
                EmitWeights(w, spec, current);
                EmitSteps(w, spec, current);
                EncoderStackEmitter.EmitWeightClasses(w, s, layer.Names);
                EncoderStackEmitter.EmitPass(w, s);
                EncoderStackEmitter.EmitRunStack(w, s);
                EncoderStackEmitter.EmitAttentionSublayer(w, s, layer.Shape, layer.Names);
                EncoderStackEmitter.EmitFeedForwardSublayer(w, s);
            });
    }

    private static void EmitConstants(SourceWriter w, VisionTransformerSpec spec)
    {
        LayerMembers.Constant(w, "Image height and width in pixels.", "ImageSize", $"{spec.ImageSize}");
        LayerMembers.Constant(w, "Patch height and width in pixels.", "PatchSize", $"{spec.PatchSize}");
        LayerMembers.Constant(w, "Image channels.", "Channels", $"{spec.Channels}");
        LayerMembers.Constant(w, "Number of classes.", "Classes", $"{spec.Classes}");
        LayerMembers.Constant(w, "Patches per image side.", "GridSide", "ImageSize / PatchSize");
        LayerMembers.Constant(w, "Patches per image.", "Patches", "GridSide * GridSide");
        LayerMembers.Constant(w, "Tokens per image: the class token, then the patches row by row.", "Tokens", "Patches + 1");
        LayerMembers.Constant(w, "Features of one flattened patch.", "PatchDim", "Channels * PatchSize * PatchSize");
    }

    private static void EmitSurface(SourceWriter w, VisionTransformerSpec spec, bool current)
    {
        w.Line($"private {WeightsClass} _weights = {WeightsClass}.Zeroed();");
        w.Line();
        LayerSurfaceEmitter.Emit(w, spec.Identity.Type.Name, "model", LayerSurfaceEmitter.BlockThreads, spec.Stack.WeightPrecision);
        w.Line("/// <summary>");
        w.Line("/// Loads a lucidrains <c>ViT</c>'s <c>state_dict</c>: " + (current
            ? "<c>to_patch_embedding.1</c> (LayerNorm), <c>.2</c> (Linear), <c>.3</c> (LayerNorm), <c>pos_embedding</c>, <c>cls_token</c>, <c>transformer.layers.{i}…</c>, <c>transformer.norm</c>, <c>mlp_head</c>."
            : "<c>to_patch_embedding.1</c> (Linear), <c>pos_embedding</c>, <c>cls_token</c>, <c>transformer.layers.{i}…</c>, <c>mlp_head.0</c> (LayerNorm), <c>mlp_head.1</c> (Linear)."));
        w.Lines("""
            /// Every tensor is read and checked before any is applied, so a failed load leaves the model unchanged. Safe while
            /// <see cref="Forward"/> runs on other threads: the new weights replace the old all at once, and a forward pass already
            /// running finishes with the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"vit.safetensors\")</c>; others are ignored.", "Prepended to every name."))
        {
            w.Line($"global::System.Threading.Volatile.Write(ref _weights, {WeightsClass}.Read(source, prefix, WeightPrecision));");
        }

        w.Line();
        w.Line("/// <summary>Classifies images. Allocates nothing once warm; safe to call from many threads at once.</summary>");
        LayerMembers.Params(w, ("images", "<c>[batch, Channels, ImageSize, ImageSize]</c> (NCHW), normalized as in training."), ("logits", "Receives <c>[batch, Classes]</c>, before any softmax."), ("batch", "Number of images."), ("attentionWeights", "Optional; receives every layer's attention probabilities <c>[Depth, batch, Heads, Tokens, Tokens]</c>."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> images, global::System.Span<float> logits, int batch, global::System.Span<float> attentionWeights = default)", "A length does not match; the message names the argument and the size expected."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Length(images.Length, (long)batch * Channels * ImageSize * ImageSize, nameof(images), $"batch × Channels × ImageSize × ImageSize = {batch} × {Channels} × {ImageSize} × {ImageSize}");
                global::Attend.Kernels.ArgumentChecks.Length(logits.Length, (long)batch * Classes, nameof(logits), $"batch × Classes = {batch} × {Classes}");
                if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)Depth * batch * Heads * Tokens * Tokens, nameof(attentionWeights), $"Depth × batch × Heads × Tokens × Tokens = {Depth} × {batch} × {Heads} × {Tokens} × {Tokens}");
                """);
            w.Line($"{WeightsClass} weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Lines("""
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                int threads = global::System.Math.Max(1, MaxDegreeOfParallelism);
                int rows = batch * Tokens;
                long stackScratch = ScratchLength(rows, Tokens, 0);
                long scratchLength = stackScratch + (long)batch * Patches * PatchDim + (long)rows * ModelDim + (long)batch * ModelDim;
                if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"batch {batch} needs {scratchLength} floats of scratch, more than one array holds; split the batch.", nameof(batch));
                float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)scratchLength);
                """);
            using (w.Block("try"))
            {
                w.Lines("""
                    global::System.Span<float> all = global::System.MemoryExtensions.AsSpan(scratch, 0, (int)scratchLength);
                    global::System.Span<float> patches = all.Slice((int)stackScratch, batch * Patches * PatchDim);
                    global::System.Span<float> tokens = all.Slice((int)stackScratch + patches.Length, rows * ModelDim);
                    global::System.Span<float> pooled = all.Slice((int)stackScratch + patches.Length + tokens.Length, batch * ModelDim);
                    Patchify(images, patches, batch);
                    EmbedPatches(path, threads, weights, patches, tokens, batch);
                    Pass pass = CreatePass(path, threads, batch, Tokens, null, default, all[..(int)stackScratch]);
                    RunEncoderStack(in pass, weights.Stack, tokens, attentionWeights);
                    Pool(tokens, pooled, batch);
                    """);
                if (!current) w.Line("global::Attend.Kernels.Normalization.LayerNorm(path, pooled, batch, ModelDim, weights.HeadNormWeight, weights.HeadNormBias, LayerNormEpsilon, pooled);");
                w.Line("global::Attend.Kernels.ProjectionDriver.Forward(path, pooled, batch, ModelDim, weights.PackedHeadWeight, weights.HeadBias, ModelDim, Classes, logits, Classes, threads);");
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
    }

    private static void EmitWeights(SourceWriter w, VisionTransformerSpec spec, bool current)
    {
        string stack = EncoderStackEmitter.StackClass;
        w.Line("/// <summary>The model's weights, swapped in as one object so a forward pass never sees two weight sets.</summary>");
        w.Line(GeneratedCode.Attribute);
        using (w.Block($"private sealed class {WeightsClass}"))
        {
            w.Line($"public {stack} Stack = {stack}.Zeroed();");
            if (current) NormFields(w, "PatchNorm", "PatchDim");
            w.Line("public readonly float[] PackedPatchWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(PatchDim, ModelDim)];");
            w.Line("public readonly float[] PatchBias = new float[ModelDim];");
            if (current) NormFields(w, "EmbeddingNorm", "ModelDim");
            w.Line("public readonly float[] ClassToken = new float[ModelDim];");
            w.Line("public readonly float[] PositionEmbedding = new float[Tokens * ModelDim];");
            if (!current) NormFields(w, "HeadNorm", "ModelDim");
            w.Line("public readonly float[] PackedHeadWeight = new float[global::Attend.Kernels.LinearKernels.PackedLength(ModelDim, Classes)];");
            w.Line("public readonly float[] HeadBias = new float[Classes];");
            w.Line();
            w.Line($"public static {WeightsClass} Zeroed() => new {WeightsClass}();");
            w.Line();
            w.Line("/// <summary>Reads and checks every tensor under <c>prefix</c>.</summary>");
            using (w.Block($"public static {WeightsClass} Read(global::Attend.IWeightSource source, string prefix, global::Attend.WeightPrecision precision)"))
            {
                w.Line($"var weights = new {WeightsClass}();");
                string linear = current ? "to_patch_embedding.2" : "to_patch_embedding.1";
                if (current) ReadNorm(w, "to_patch_embedding.1", "PatchDim", "PatchNorm");
                w.Line($"global::Attend.Kernels.LinearKernels.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{linear}.weight\", ModelDim, PatchDim), PatchDim, ModelDim, weights.PackedPatchWeight);");
                w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{linear}.bias\", ModelDim).CopyTo(weights.PatchBias, 0);");
                if (current) ReadNorm(w, "to_patch_embedding.3", "ModelDim", "EmbeddingNorm");
                w.Line("global::Attend.Kernels.WeightLoading.Read(source, prefix, \"cls_token\", 1, 1, ModelDim).CopyTo(weights.ClassToken, 0);");
                w.Line("global::Attend.Kernels.WeightLoading.Read(source, prefix, \"pos_embedding\", 1, Tokens, ModelDim).CopyTo(weights.PositionEmbedding, 0);");
                w.Line($"weights.Stack = {stack}.Read(source, prefix + \"transformer.\", precision);");
                string head = current ? "mlp_head" : "mlp_head.1";
                if (!current) ReadNorm(w, "mlp_head.0", "ModelDim", "HeadNorm");
                w.Line($"global::Attend.Kernels.LinearKernels.Pack(global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{head}.weight\", Classes, ModelDim), ModelDim, Classes, weights.PackedHeadWeight);");
                w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{head}.bias\", Classes).CopyTo(weights.HeadBias, 0);");
                w.Line("return weights;");
            }
        }

        w.Line();
    }

    /// <summary>A LayerNorm's weight and bias fields, <c>{field}Weight</c> and <c>{field}Bias</c>, <paramref name="width"/> long.</summary>
    private static void NormFields(SourceWriter w, string field, string width)
    {
        w.Line($"public readonly float[] {field}Weight = new float[{width}];");
        w.Line($"public readonly float[] {field}Bias = new float[{width}];");
    }

    /// <summary>Reads (and checks) the LayerNorm <paramref name="module"/>'s weight and bias into <see cref="NormFields"/>' fields.</summary>
    private static void ReadNorm(SourceWriter w, string module, string width, string field)
    {
        w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{module}.weight\", {width}).CopyTo(weights.{field}Weight, 0);");
        w.Line($"global::Attend.Kernels.WeightLoading.Read(source, prefix, \"{module}.bias\", {width}).CopyTo(weights.{field}Bias, 0);");
    }

    private static void EmitSteps(SourceWriter w, VisionTransformerSpec spec, bool current)
    {
        w.Lines("""
            /// <summary>
            /// <c>'b c (h p1) (w p2) -> b (h w) (p1 p2 c)'</c>: patch (row, column) becomes token row · GridSide + column, its features
            /// ordered by pixel row, pixel column, then channel.
            /// </summary>
            """);
        using (w.Block("private static void Patchify(global::System.ReadOnlySpan<float> images, global::System.Span<float> patches, int batch)"))
        {
            using (w.Block("for (int b = 0; b < batch; b++)"))
            {
                using (w.Block("for (int gy = 0; gy < GridSide; gy++)"))
                {
                    using (w.Block("for (int gx = 0; gx < GridSide; gx++)"))
                    {
                        w.Line("global::System.Span<float> patch = patches.Slice(((b * GridSide + gy) * GridSide + gx) * PatchDim, PatchDim);");
                        using (w.Block("for (int p1 = 0; p1 < PatchSize; p1++)"))
                        {
                            using (w.Block("for (int p2 = 0; p2 < PatchSize; p2++)"))
                            {
                                using (w.Block("for (int c = 0; c < Channels; c++)"))
                                {
                                    w.Line("patch[(p1 * PatchSize + p2) * Channels + c] = images[((b * Channels + c) * ImageSize + gy * PatchSize + p1) * ImageSize + gx * PatchSize + p2];");
                                }
                            }
                        }
                    }
                }
            }
        }

        w.Line();
        w.Line("/// <summary>Embeds every patch into its token row (after the class token's) and adds the learned positions.</summary>");
        using (w.Block($"private static void EmbedPatches(global::Attend.KernelPath path, int threads, {WeightsClass} weights, global::System.Span<float> patches, global::System.Span<float> tokens, int batch)"))
        {
            if (current) w.Line("global::Attend.Kernels.Normalization.LayerNorm(path, patches, batch * Patches, PatchDim, weights.PatchNormWeight, weights.PatchNormBias, LayerNormEpsilon, patches);");
            using (w.Block("for (int b = 0; b < batch; b++)"))
            {
                w.Lines("""
                    global::System.Span<float> sequence = tokens.Slice(b * Tokens * ModelDim, Tokens * ModelDim);
                    global::System.MemoryExtensions.CopyTo(weights.ClassToken, sequence);
                    global::System.Span<float> embedded = sequence.Slice(ModelDim);
                    global::Attend.Kernels.ProjectionDriver.Forward(path, patches.Slice(b * Patches * PatchDim, Patches * PatchDim), Patches, PatchDim, weights.PackedPatchWeight, weights.PatchBias, PatchDim, ModelDim, embedded, ModelDim, threads);
                    """);
                if (current) w.Line("global::Attend.Kernels.Normalization.LayerNorm(path, embedded, Patches, ModelDim, weights.EmbeddingNormWeight, weights.EmbeddingNormBias, LayerNormEpsilon, embedded);");
            }

            w.Line("global::Attend.Kernels.Elementwise.AddPerRow(path, tokens, weights.PositionEmbedding, batch * Tokens, ModelDim, tokens);");
        }

        w.Line();
        w.Line(spec.Pooling == BlockOptions.PoolingMean
            ? "/// <summary>Mean pooling: the average of every token of each image, the class token included.</summary>"
            : "/// <summary>Class-token pooling: each image's first token.</summary>");
        using (w.Block("private static void Pool(global::System.ReadOnlySpan<float> tokens, global::System.Span<float> pooled, int batch)"))
        {
            using (w.Block("for (int b = 0; b < batch; b++)"))
            {
                w.Line("global::System.ReadOnlySpan<float> sequence = tokens.Slice(b * Tokens * ModelDim, Tokens * ModelDim);");
                w.Line("global::System.Span<float> target = pooled.Slice(b * ModelDim, ModelDim);");
                if (spec.Pooling == BlockOptions.PoolingMean)
                {
                    using (w.Block("for (int f = 0; f < ModelDim; f++)"))
                    {
                        w.Lines("""
                            float sum = 0f;
                            for (int t = 0; t < Tokens; t++) sum += sequence[t * ModelDim + f];
                            target[f] = sum / Tokens;
                            """);
                    }
                }
                else
                {
                    w.Line("sequence.Slice(0, ModelDim).CopyTo(target);");
                }
            }
        }

        w.Line();
    }
}
