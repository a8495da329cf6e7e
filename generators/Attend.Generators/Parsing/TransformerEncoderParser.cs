namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[TransformerEncoder]</c> declaration into a <see cref="TransformerEncoderSpec"/> or diagnostics.</summary>
internal static class TransformerEncoderParser
{
    public static TransformerEncoderSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        bool valid = true;
        int naming = EncoderStackReader.ReadOption(reader, "WeightNaming", "TransformerWeightNaming", BlockOptions.NamingNames, ref valid);
        EncoderStackSpec? stack = EncoderStackReader.Read(reader, naming, defaultDimHead: 0);
        return valid && stack is not null && identity is not null ? new TransformerEncoderSpec(identity, stack) : null;
    }
}
