using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Attend.Generators.Tests;

/// <summary>
/// The public types of <c>Attend.Kernels</c> are public because generated code in the user's assembly calls them, not
/// because users should: every one but those a user calls directly (the samples and the README use them) carries
/// <c>[EditorBrowsable(Never)]</c>, so it stays out of the user's IntelliSense. A new kernel type must pick a side here.
/// </summary>
public sealed class GeneratedOnlyKernelTypesTests
{
    /// <summary>Kernel types a user calls: picking a path, reading weights, packed GEMM, the ONNX-checked operators.</summary>
    private static readonly string[] s_userFacing =
    [
        "Activations", "BatchNormFolding", "KernelPaths", "LinearKernels", "Normalization", "RotaryEmbedding", "Softmax", "WeightLoading",
    ];

    [Fact]
    public void Kernel_types_only_generated_code_calls_are_hidden_from_IntelliSense()
    {
        Type[] kernelTypes = typeof(MultiHeadAttentionAttribute).Assembly.GetExportedTypes()
            .Where(type => type.Namespace == "Attend.Kernels" && !type.IsNested)
            .ToArray();

        string[] visibleButGeneratedOnly = kernelTypes.Where(type => !Hidden(type) && !s_userFacing.Contains(type.Name)).Select(type => type.Name).ToArray();
        string[] hiddenButUserFacing = kernelTypes.Where(type => Hidden(type) && s_userFacing.Contains(type.Name)).Select(type => type.Name).ToArray();

        Assert.True(kernelTypes.Length > s_userFacing.Length, "Attend.Kernels lists fewer types than this test expects");
        Assert.True(visibleButGeneratedOnly.Length == 0, "No [EditorBrowsable(Never)]: " + string.Join(", ", visibleButGeneratedOnly));
        Assert.True(hiddenButUserFacing.Length == 0, "Hidden although users call them: " + string.Join(", ", hiddenButUserFacing));
    }

    private static bool Hidden(Type type) =>
        type.GetCustomAttribute<EditorBrowsableAttribute>() is { State: EditorBrowsableState.Never };
}
