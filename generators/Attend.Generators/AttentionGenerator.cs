using Microsoft.CodeAnalysis;

namespace Attend.Generators;

/// <summary>Emits the forward passes of layers declared with Attend's attributes.</summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class AttentionGenerator : IIncrementalGenerator
{
    /// <inheritdoc />
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
    }
}
