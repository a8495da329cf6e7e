using System.Collections.Generic;
using Microsoft.CodeAnalysis.CSharp;

namespace Attend.Generators.Tests.Fuzz;

/// <summary>What the fuzz test expects of one declaration.</summary>
internal enum Verdict
{
    /// <summary>Generates one file; the compilation has no error or warning (ATTEND008 allowed when <see cref="DeclarationCase.ExpectHugeHeadWarning"/>).</summary>
    Valid,

    /// <summary>Generates nothing; at least one ATTEND error, naming every property in <see cref="DeclarationCase.Named"/>.</summary>
    Invalid,

    /// <summary>Not C# the compiler accepts (e.g. the attribute on a struct): the generator must still neither throw nor report ATTEND010.</summary>
    CompilerRejects,
}

/// <summary>
/// One generated declaration: its source files (a layer may be split across several), the language version it is
/// compiled with, and what the oracle in <see cref="DeclarationCases"/> says must happen to it.
/// </summary>
/// <param name="Index">Unique in a run; every file and type name of the case carries it.</param>
/// <param name="Description">Human-readable summary printed when the case fails.</param>
/// <param name="Named">For <see cref="Verdict.Invalid"/>: words (property names or ATTEND ids) some diagnostic of the case must contain.</param>
/// <param name="CompilerError">For <see cref="Verdict.CompilerRejects"/>: the CS id expected.</param>
internal sealed record DeclarationCase(
    int Index,
    string Description,
    Verdict Verdict,
    LanguageVersion Language,
    IReadOnlyList<string> Sources,
    IReadOnlyList<string> Named,
    bool ExpectHugeHeadWarning = false,
    string? CompilerError = null)
{
    public string FilePrefix => $"Case{Index}_";

    public string FilePath(int part) => $"{FilePrefix}{part}.cs";
}
