namespace Attend.Generators.Emit;

/// <summary>Writes a <c>[TransformerEncoder]</c> class: the encoder stack's members plus <c>LoadWeights</c>, <c>Forward</c> and, when causal, KV-cache decoding.</summary>
internal static class TransformerEncoderEmitter
{
    public static string Emit(EncoderLayerPlan<TransformerEncoderSpec> layer)
    {
        TransformerEncoderSpec spec = layer.Spec;
        EncoderStackSpec s = spec.Stack;
        HeadKernelPlan plan = layer.Kernels;
        bool decoding = EncoderStackEmitter.Decodes(s);
        List<string> remarks = EncoderStackEmitter.Remarks(s, plan, layer.Names);
        if (decoding) remarks.Add("With a KV cache, a pass whose operations are too small or too short to split well across threads but whose batch is not runs ranges of its sequences side by side, one thread each, every layer for its own sequences (<c>Attend.Kernels.SequenceRanges</c>); the results are those of the undivided pass, bit for bit.");
        if (s.Causal && s.KeyPadding) remarks.Add("Key padding and a KV cache do not combine, so this declaration has no decoding methods; drop KeyPadding to get them.");
        string module = s.Naming == BlockOptions.NamingTorch
            ? "<c>torch.nn.TransformerEncoder</c> over <c>TransformerEncoderLayer(batch_first=True)</c>"
            : "lucidrains/vit-pytorch's <c>Transformer</c>";
        return TypeShellEmitter.Emit(
            spec.Identity,
            $"A stack of {s.Depth} transformer encoder layer{(s.Depth == 1 ? "" : "s")}, E = {s.ModelDim}, {s.Heads} heads of {s.DimHead}, MLP {s.MlpDim}, as {module}.",
            remarks.ToArray(),
            w =>
            {
                EncoderStackEmitter.EmitConstants(w, s);
                EmitSurface(w, spec, decoding);
                EncoderStackEmitter.EmitWeightClasses(w, s, layer.Names);
                EncoderStackEmitter.EmitPass(w, s);
                EncoderStackEmitter.EmitRunStack(w, s);
                EncoderStackEmitter.EmitAttentionSublayer(w, s, layer.Shape, layer.Names);
                EncoderStackEmitter.EmitFeedForwardSublayer(w, s);
            });
    }

    private static void EmitSurface(SourceWriter w, TransformerEncoderSpec spec, bool decoding)
    {
        EncoderStackSpec s = spec.Stack;
        string stack = EncoderStackEmitter.StackClass;
        w.Line($"private {stack} _weights = {stack}.Zeroed();");
        w.Line();
        LayerSurfaceEmitter.Emit(w, spec.Identity.Type.Name, "stack", LayerSurfaceEmitter.BlockThreads, spec.Stack.WeightPrecision);

        w.Lines("""
            /// <summary>
            /// Loads every layer's weights under <c>prefix + "layers.{i}."</c> with the names the class remarks list.
            /// Every tensor is read and checked before any is applied, so a failed load leaves the stack unchanged; a forward pass
            /// running meanwhile finishes on the weights it started with.
            /// </summary>
            """);
        using (LayerMembers.OpenLoadWeights(w, "The tensors, e.g. <c>SafeTensors.Open(\"model.safetensors\")</c>; others are ignored.", "Prepended to every name, e.g. <c>\"encoder.\"</c> or <c>\"transformer.\"</c>."))
        {
            w.Line($"global::System.Threading.Volatile.Write(ref _weights, {stack}.Read(source, prefix, WeightPrecision));");
        }

        w.Line();
        w.Lines("""
            /// <summary>
            /// Runs every layer over <paramref name="input"/>. Allocates nothing once warm; safe to call from many threads at once.
            /// </summary>
            """);
        LayerMembers.Params(w, ("input", "Tokens <c>[batch, length, ModelDim]</c>, row-major."), ("output", "Receives <c>[batch, length, ModelDim]</c>; may be <paramref name=\"input\"/> itself."), ("batch", "Number of sequences."), ("length", "Tokens per sequence."), ("keyPaddingMask", "<c>[batch, length]</c>, true = padded token (PyTorch's <c>src_key_padding_mask</c>)" + (s.KeyPadding ? "; required by this declaration." : "; optional.")), ("attentionWeights", "Optional; receives every layer's attention probabilities <c>[Depth, batch, Heads, length, length]</c>."));
        using (LayerMembers.OpenChecked(w, "public void Forward(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int length, global::System.ReadOnlySpan<bool> keyPaddingMask = default, global::System.Span<float> attentionWeights = default)", "A length or size does not match; the message names the argument and the size expected."))
        {
            w.Lines("""
                global::Attend.Kernels.ArgumentChecks.Positive(batch, nameof(batch));
                global::Attend.Kernels.ArgumentChecks.Positive(length, nameof(length));
                global::Attend.Kernels.ArgumentChecks.Length(input.Length, (long)batch * length * ModelDim, nameof(input), $"batch × length × ModelDim = {batch} × {length} × {ModelDim}");
                global::Attend.Kernels.ArgumentChecks.Length(output.Length, (long)batch * length * ModelDim, nameof(output), $"batch × length × ModelDim = {batch} × {length} × {ModelDim}");
                if (global::System.MemoryExtensions.Overlaps(output, input, out int shift) && shift != 0) throw new global::System.ArgumentException("output may be input itself but must not partially overlap it.", nameof(output));
                """);
            if (s.KeyPadding) w.Line("if (keyPaddingMask.IsEmpty) throw new global::System.ArgumentException($\"keyPaddingMask is required by this stack's Mask = KeyPadding: pass [batch, length] = {batch} × {length} flags, true = padded.\", nameof(keyPaddingMask));");
            w.Line("if (!keyPaddingMask.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(keyPaddingMask.Length, (long)batch * length, nameof(keyPaddingMask), $\"batch × length = {batch} × {length}\");");
            w.Line("if (!attentionWeights.IsEmpty) global::Attend.Kernels.ArgumentChecks.Length(attentionWeights.Length, (long)Depth * batch * Heads * length * length, nameof(attentionWeights), $\"Depth × batch × Heads × length × length = {Depth} × {batch} × {Heads} × {length} × {length}\");");
            EmitPositionLimit(w, s, "length");
            w.Line("Run(input, output, batch, length, null, keyPaddingMask, attentionWeights);");
        }

        w.Line();
        if (decoding) EmitDecoding(w, s);

        w.Line("/// <summary>Rents the scratch, copies the input to the output and runs the stack there.</summary>");
        using (w.Block("private void Run(global::System.ReadOnlySpan<float> input, global::System.Span<float> output, int batch, int length, global::Attend.KvCache? cache, global::System.ReadOnlySpan<bool> keyPaddingMask, global::System.Span<float> attentionWeights)"))
        {
            w.Line($"{stack} weights = global::System.Threading.Volatile.Read(ref _weights); // one set for the whole pass");
            w.Lines("""
                long scratchLength = ScratchLength(batch * length, length, cache?.Length ?? 0);
                if (scratchLength > global::System.Array.MaxLength) throw new global::System.ArgumentException($"batch × length is too large: one pass needs {scratchLength} floats of scratch, more than one array holds; split the batch.", nameof(batch));
                global::Attend.KernelPath path = global::Attend.Kernels.KernelPaths.Resolve(Path);
                int threads = global::System.Math.Max(1, MaxDegreeOfParallelism);
                """);
            if (decoding)
            {
                w.Lines("""
                    int ranges = cache is null ? 1 : global::Attend.Kernels.SequenceRanges.Count(batch, length, ProjectionFlopsPerRow, LargestProjectionFlopsPerRow, threads);
                    if (ranges > 1)
                    {
                        // This pass's operations are too small or too short to split well across threads but its batch is not:
                        // each thread runs every layer for its own range of sequences, and the threads meet once, not at every operation.
                        input.CopyTo(output);
                        global::Attend.Kernels.SequenceRanges.Run(weights, path, cache!, length, output, batch, ranges, static (weights, path, cache, length, x, first, count) => RunSequences(weights, path, cache, length, x, first, count));
                        cache!.Advance(length);
                        return;
                    }

                    """);
            }

            w.Line("float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)scratchLength);");
            using (w.Block("try"))
            {
                w.Lines("""
                    input.CopyTo(output);
                    Pass pass = CreatePass(path, threads, batch, length, cache, keyPaddingMask, global::System.MemoryExtensions.AsSpan(scratch, 0, (int)scratchLength));
                    RunEncoderStack(in pass, weights, output, attentionWeights);
                    cache?.Advance(length);
                    """);
            }

            using (w.Block("finally"))
            {
                w.Line("global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);");
            }
        }

        w.Line();
        if (decoding) EmitRunSequences(w);
    }

    /// <summary>
    /// <c>RunSequences</c>, one thread's range of the batch, and the projection sizes <c>SequenceRanges.Count</c> weighs.
    /// </summary>
    private static void EmitRunSequences(SourceWriter w)
    {
        string stack = EncoderStackEmitter.StackClass;
        w.Lines("""
            /// <summary>Multiply-adds × 2 of every projection of the stack, per row.</summary>
            private const long ProjectionFlopsPerRow = 2L * Depth * ((long)ModelDim * QkvWidth + (long)InnerDim * ModelDim + 2L * ModelDim * MlpDim);

            /// <summary>Multiply-adds × 2 of the largest single projection, per row: below one thread's share, no operation splits.</summary>
            private static long LargestProjectionFlopsPerRow => 2L * global::System.Math.Max(global::System.Math.Max((long)ModelDim * QkvWidth, (long)InnerDim * ModelDim), (long)ModelDim * MlpDim);

            /// <summary>Runs the stack on one thread for <paramref name="sequences"/> sequences of the cache from <paramref name="firstSequence"/> on.</summary>
            """);
        using (w.Block($"private static void RunSequences({stack} weights, global::Attend.KernelPath path, global::Attend.KvCache cache, int length, global::System.Span<float> x, int firstSequence, int sequences)"))
        {
            w.Lines("""
                long scratchLength = ScratchLength(sequences * length, length, cache.Length);
                float[] scratch = global::System.Buffers.ArrayPool<float>.Shared.Rent((int)scratchLength);
                try
                {
                    Pass pass = CreatePass(path, 1, sequences, length, cache, default, global::System.MemoryExtensions.AsSpan(scratch, 0, (int)scratchLength)) with { FirstSequence = firstSequence };
                    RunEncoderStack(in pass, weights, x, default);
                }
                finally
                {
                    global::System.Buffers.ArrayPool<float>.Shared.Return(scratch);
                }
                """);
        }

        w.Line();
    }

    /// <summary>Throws when positions would run past what the position weights cover.</summary>
    private static void EmitPositionLimit(SourceWriter w, EncoderStackSpec s, string lastPosition)
    {
        if (s.Positions is BlockOptions.PositionsLearned or BlockOptions.PositionsRelative1D)
        {
            w.Line($"if ({lastPosition} > MaxLength) throw new global::System.ArgumentException($\"The position weights cover MaxLength = {{MaxLength}} tokens; this pass reaches {{{lastPosition}}}.\", nameof(length));");
        }
        else if (s.Positions == BlockOptions.PositionsRelative2D)
        {
            w.Line($"if ({lastPosition} > GridHeight * GridWidth) throw new global::System.ArgumentException($\"The relative bias covers a {{GridHeight}} × {{GridWidth}} grid of {{GridHeight * GridWidth}} tokens; this pass reaches {{{lastPosition}}}.\", nameof(length));");
        }
    }

    private static void EmitDecoding(SourceWriter w, EncoderStackSpec s)
    {
        KvCacheMembersEmitter.Emit(w, "stack", "Depth", "{Depth} layers", "KvHeads", body =>
        {
            EmitPositionLimit(body, s, "cache.Length + length");
            body.Line("Run(input, output, batch, length, cache, default, default);");
        });
        w.Line();
    }
}
