using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Attend.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// Generated code lives inside the user's namespace and class, so a bare type name in it binds to whatever the user
/// declared there first. Every snapshot declaration of every layer kind is compiled next to user types named like each
/// public type of Attend.dll and like the framework names kernels use (<c>System</c>, <c>Math</c>, <c>Vector256</c>,
/// <c>Span</c>…); it must build with no error and no warning, which holds only if every name the generator writes is
/// <c>global::</c>-qualified and the file relies on no <c>using</c>.
/// </summary>
public sealed class GeneratedNameSafetyTests
{
    /// <summary>Framework names generated code uses that a user might also give a type of their own.</summary>
    private static readonly string[] s_frameworkNames =
    [
        "System", "Math", "MathF", "Vector", "Vector128", "Vector256", "Vector512", "Span", "ReadOnlySpan", "Memory",
        "MemoryMarshal", "Unsafe", "MethodImpl", "MethodImplOptions", "MethodImplAttribute", "ArgumentException",
        "ArgumentNullException", "ArgumentOutOfRangeException", "InvalidOperationException", "ObjectDisposedException",
        "Parallel", "ParallelOptions", "Volatile", "Interlocked", "ArrayPool", "Array", "Fma", "Avx", "Avx2", "Avx512F",
        "Sse", "Single", "Int32", "Object", "String", "GeneratedCode", "GeneratedCodeAttribute", "EditorBrowsable",
        "CompilerServices", "InteropServices", "Intrinsics", "Kernels", "IO", "Task", "Action", "Func", "Exception",
        "SkipLocalsInit", "Buffers", "Numerics", "Runtime", "Threading", "BitConverter", "Buffer", "Debug",
    ];

    public static TheoryData<string, string> Declarations()
    {
        var data = new TheoryData<string, string>();
        IEnumerable<object[]> rows = SnapshotTests.Declarations
            .Concat(FamilySnapshotTests.Declarations)
            .Concat(FamilyGraphSnapshotTests.Declarations)
            .Concat(BlockSnapshotTests.Declarations);
        foreach (object[] row in rows) data.Add((string)row[0], (string)row[1]);
        return data;
    }

    [Fact]
    public void Every_attribute_kind_is_covered()
    {
        var covered = new HashSet<string>(Declarations().Select(row => (string)row[1])
            .SelectMany(declaration => AttributeNames(declaration)));
        string[] kinds = typeof(MultiHeadAttentionAttribute).Assembly.GetExportedTypes()
            .Where(type => typeof(Attribute).IsAssignableFrom(type) && type.Namespace == "Attend")
            .Select(type => type.Name.Substring(0, type.Name.Length - "Attribute".Length))
            .ToArray();

        Assert.NotEmpty(kinds);
        Assert.DoesNotContain(kinds, kind => !covered.Contains(kind));
    }

    [Theory]
    [MemberData(nameof(Declarations))]
    public void Generated_code_binds_no_user_type(string name, string declaration)
    {
        SyntaxTree declarationTree = CSharpSyntaxTree.ParseText(declaration, GeneratorHarness.ParseOptions);
        string? userNamespace = declarationTree.GetRoot().DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>()
            .LastOrDefault() is { } innermost ? FullName(innermost) : null;
        var declaredNames = new HashSet<string>(declarationTree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>()
            .Select(type => type.Identifier.ValueText));

        (GeneratorRunResult result, Compilation output) = GeneratorHarness.Run(declaration, UserTypes(userNamespace, declaredNames));

        Assert.Null(result.Exception);
        Assert.Empty(result.Diagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        IReadOnlyList<string> problems = GeneratorHarness.ProblemsIn(output);
        Assert.True(problems.Count == 0, $"{name}: {problems.Count} problems, first:\n" + string.Join("\n", problems.Take(10)));
        foreach (GeneratedSourceResult source in result.GeneratedSources)
        {
            Assert.DoesNotContain("\nusing ", source.SourceText.ToString());
        }
    }

    /// <summary>One empty type per public Attend type (same arity) and per framework name, in the declaration's namespace.</summary>
    private static string UserTypes(string? userNamespace, HashSet<string> declaredNames)
    {
        IEnumerable<(string Name, int Arity)> attendTypes = typeof(MultiHeadAttentionAttribute).Assembly.GetExportedTypes()
            .Where(type => !type.IsNested)
            .Select(type => (Name: type.Name.Split('`')[0], Arity: type.GetGenericArguments().Length));
        IEnumerable<(string Name, int Arity)> frameworkTypes = s_frameworkNames
            // A global type named System would clash with the namespace itself (CS0434), which no generator can avoid.
            .Where(frameworkName => userNamespace is not null || frameworkName != "System")
            .Select(frameworkName => (frameworkName, 0));

        var text = new StringBuilder();
        if (userNamespace is not null) text.Append("namespace ").Append(userNamespace).AppendLine(" {");
        foreach ((string typeName, int arity) in attendTypes.Concat(frameworkTypes).Distinct().Where(type => !declaredNames.Contains(type.Name)))
        {
            string parameters = arity == 0 ? "" : "<" + string.Join(", ", Enumerable.Range(0, arity).Select(i => $"T{i}")) + ">";
            text.Append("    internal sealed class ").Append(typeName).Append(parameters).AppendLine(" { }");
        }

        if (userNamespace is not null) text.AppendLine("}");
        return text.ToString();
    }

    private static string FullName(BaseNamespaceDeclarationSyntax innermost) =>
        string.Join(".", innermost.AncestorsAndSelf().OfType<BaseNamespaceDeclarationSyntax>().Reverse().Select(ns => ns.Name.ToString()));

    private static IEnumerable<string> AttributeNames(string declaration) =>
        CSharpSyntaxTree.ParseText(declaration, GeneratorHarness.ParseOptions).GetRoot().DescendantNodes().OfType<AttributeSyntax>()
            .Select(attribute => attribute.Name.ToString().Split('.').Last());
}
