using System;
using System.Globalization;
using System.Threading;
using Attend.Generators.Diagnostics;
using Attend.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[TransformerDecoder]</c> declaration into a <see cref="TransformerDecoderSpec"/> or diagnostics.</summary>
internal static class TransformerDecoderParser
{
    private const int CausalFlag = 1;
    private const int KeyPaddingFlag = 2;

    public static ParseResult<TransformerDecoderSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var reader = new DeclarationReader(context);
        try
        {
            LayerIdentity? identity = reader.ReadIdentity(cancellationToken);
            TransformerDecoderSpec? spec = ReadSpec(reader, identity);
            return new ParseResult<TransformerDecoderSpec>(spec, reader.Diagnostics.ToEquatableArray());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            reader.Report(Descriptors.InternalError, context.TargetNode.GetLocation(), reader.TypeName, exception.GetType().Name + ": " + exception.Message);
            return new ParseResult<TransformerDecoderSpec>(null, reader.Diagnostics.ToEquatableArray());
        }
    }

    private static TransformerDecoderSpec? ReadSpec(DeclarationReader reader, LayerIdentity? identity)
    {
        int modelDim = reader.GetInt("ModelDim");
        int heads = reader.GetInt("Heads");
        int mlpDim = reader.GetInt("MlpDim");
        int depth = reader.GetInt("Depth");
        int mask = reader.GetInt("Mask");
        bool valid = reader.RequirePositive("ModelDim", modelDim, ", the model width (d_model)");
        valid &= reader.RequirePositive("Heads", heads, ", the number of heads (nhead)");
        valid &= reader.RequirePositive("MlpDim", mlpDim, ", the feed-forward width (dim_feedforward)");
        valid &= reader.RequirePositive("Depth", depth, ", the number of layers");
        int norm = EncoderStackReader.ReadOption(reader, "Norm", "NormPlacement", BlockOptions.NormNames, ref valid);
        int activation = EncoderStackReader.ReadOption(reader, "Activation", "FeedForwardActivation", BlockOptions.ActivationNames, ref valid);
        if (modelDim > 0 && heads > 0 && modelDim % heads != 0)
        {
            reader.Report(Descriptors.ModelDimNotDivisible, reader.ArgumentLocation("ModelDim"), Text(modelDim), Text(heads), reader.TypeName, Text((modelDim / heads + 1) * heads));
            valid = false;
        }

        if ((mask & ~(CausalFlag | KeyPaddingFlag)) != 0)
        {
            reader.Report(Descriptors.UnsupportedMask, reader.ArgumentLocation("Mask"), Text(mask), reader.TypeName);
            valid = false;
        }

        float epsilon = EncoderStackReader.ReadPositiveFloat(reader, "LayerNormEpsilon", 1e-5f, "PyTorch's 1e-5", ref valid);
        if (valid && heads > 0 && modelDim / heads > 512) reader.Report(Descriptors.HugeHead, reader.ArgumentLocation("ModelDim"), "DimHead", Text(modelDim / heads), reader.TypeName);
        if (valid && (long)Math.Max(3 * modelDim, mlpDim) * Math.Max(modelDim, mlpDim) > int.MaxValue / 2)
        {
            reader.Report(Descriptors.SizeTooLarge, reader.ArgumentLocation("ModelDim"), "ModelDim × MlpDim", reader.TypeName, ((long)Math.Max(3 * modelDim, mlpDim) * Math.Max(modelDim, mlpDim)).ToString(CultureInfo.InvariantCulture));
            valid = false;
        }

        if (!valid || identity is null) return null;
        return new TransformerDecoderSpec(identity, modelDim, heads, mlpDim, depth, norm == BlockOptions.NormPre,
            activation == BlockOptions.ActivationDefault ? BlockOptions.ActivationRelu : activation,
            (mask & CausalFlag) != 0, (mask & KeyPaddingFlag) != 0, epsilon, reader.GetBool("FinalNorm", false));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
