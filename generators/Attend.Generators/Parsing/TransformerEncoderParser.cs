using System;
using System.Threading;
using Attend.Generators.Diagnostics;
using Attend.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[TransformerEncoder]</c> declaration into a <see cref="TransformerEncoderSpec"/> or diagnostics.</summary>
internal static class TransformerEncoderParser
{
    public static ParseResult<TransformerEncoderSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var reader = new DeclarationReader(context);
        try
        {
            LayerIdentity? identity = reader.ReadIdentity(cancellationToken);
            bool valid = true;
            int naming = EncoderStackReader.ReadOption(reader, "WeightNaming", "TransformerWeightNaming", BlockOptions.NamingNames, ref valid);
            EncoderStackSpec? stack = EncoderStackReader.Read(reader, naming, defaultDimHead: 0);
            TransformerEncoderSpec? spec = valid && stack is not null && identity is not null ? new TransformerEncoderSpec(identity, stack) : null;
            return new ParseResult<TransformerEncoderSpec>(spec, reader.Diagnostics.ToEquatableArray());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            reader.Report(Descriptors.InternalError, context.TargetNode.GetLocation(), reader.TypeName, exception.GetType().Name + ": " + exception.Message);
            return new ParseResult<TransformerEncoderSpec>(null, reader.Diagnostics.ToEquatableArray());
        }
    }
}
