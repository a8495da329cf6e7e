using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Attend;

/// <summary>One tensor as an <see cref="OnnxWeightsFile"/> lists it, and the initializer it reads.</summary>
/// <param name="Info">The listed name and shape (<c>[out, in]</c> for a recovered Linear weight).</param>
/// <param name="Stored">The initializer holding the values.</param>
/// <param name="Transposed">Whether the stored 2-D values are <c>[in, out]</c> and are transposed on read.</param>
internal sealed record OnnxWeightEntry(TensorInfo Info, OnnxInitializer Stored, bool Transposed);

/// <summary>
/// Gives the Linear weights of a PyTorch export back their <c>nn.Linear</c> names and layout.
/// </summary>
/// <remarks>
/// <para>
/// <c>torch.onnx.export</c> turns <c>nn.Linear</c> on a 3-D input into <c>MatMul(x, W)</c> then
/// <c>Add(X.bias, …)</c>, where <c>W</c> is the weight constant-folded to <c>[in, out]</c> under an
/// anonymous name (<c>927</c>, <c>onnx::MatMul_788</c>); the bias keeps its name. So a MatMul whose B
/// is a 2-D initializer, whose output feeds exactly one Add of a 1-D initializer <c>X.bias</c> of
/// length <c>out</c>, names B <c>X.weight</c>, listed <c>[out, in]</c> and transposed on read.
/// On a 2-D input the export is <c>Gemm(x, W, X.bias)</c>: with <c>transB = 1</c> W is already
/// <c>[out, in]</c>; with <c>transB = 0</c> it is transposed like MatMul's. A Gemm with
/// <c>alpha</c> or <c>beta</c> other than 1 does not compute a plain Linear and names nothing.
/// </para>
/// <para>
/// A recovered initializer is listed only under its recovered name(s): its anonymous name says
/// nothing and its stored layout is not the one the name promises. Named initializers keep their
/// names, and a recovery that would shadow one is not made.
/// </para>
/// </remarks>
internal static class OnnxLinearNames
{
    internal static IReadOnlyList<OnnxWeightEntry> Resolve(OnnxGraph graph, string source)
    {
        var byName = new Dictionary<string, OnnxInitializer>(StringComparer.Ordinal);
        foreach (OnnxInitializer initializer in graph.Initializers)
            if (!byName.TryAdd(initializer.Info.Name, initializer))
                throw OnnxWeights.Invalid(source, $"two initializers are named '{initializer.Info.Name}'; initializer names are unique in a graph");

        var addsByInput = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (OnnxNode node in graph.Nodes)
            if (node.OpType == "Add")
                foreach (string input in node.Inputs)
                {
                    if (!addsByInput.TryGetValue(input, out List<OnnxNode>? adds))
                        addsByInput[input] = adds = [];
                    adds.Add(node);
                }

        // Recovered name → (stored initializer, transposed); a stored tensor may carry several names (tied weights).
        var recovered = new Dictionary<string, (OnnxInitializer Stored, bool Transposed)>(StringComparer.Ordinal);
        foreach (OnnxNode node in graph.Nodes)
        {
            (OnnxInitializer Weight, string Prefix, bool Transposed)? linear = node.OpType switch
            {
                "MatMul" => MatMulLinear(node, byName, addsByInput),
                "Gemm" => GemmLinear(node, byName),
                _ => null,
            };
            if (linear is not { } found)
                continue;
            string name = found.Prefix + ".weight";
            if (byName.ContainsKey(name))
                continue;
            if (recovered.TryGetValue(name, out var earlier) && !ReferenceEquals(earlier.Stored, found.Weight))
                throw OnnxWeights.Invalid(source, $"initializers '{earlier.Stored.Info.Name}' and '{found.Weight.Info.Name}' both feed the Linear whose bias is '{found.Prefix}.bias', so neither can be named '{name}'");
            recovered[name] = (found.Weight, found.Transposed);
        }

        var namesByStored = new Dictionary<OnnxInitializer, List<string>>(ReferenceEqualityComparer.Instance);
        foreach (var (name, (stored, _)) in recovered)
        {
            if (!namesByStored.TryGetValue(stored, out List<string>? names))
                namesByStored[stored] = names = [];
            names.Add(name);
        }

        var entries = new List<OnnxWeightEntry>(graph.Initializers.Count);
        foreach (OnnxInitializer initializer in graph.Initializers)
        {
            if (!namesByStored.TryGetValue(initializer, out List<string>? names))
            {
                entries.Add(new OnnxWeightEntry(initializer.Info, initializer, Transposed: false));
                continue;
            }
            foreach (string name in names)
            {
                bool transposed = recovered[name].Transposed;
                IReadOnlyList<long> shape = initializer.Info.Shape;
                IReadOnlyList<long> listed = transposed ? new ReadOnlyCollection<long>([shape[1], shape[0]]) : shape;
                entries.Add(new OnnxWeightEntry(new TensorInfo(name, initializer.Info.DType, listed), initializer, transposed));
            }
        }
        return entries;
    }

    private static (OnnxInitializer, string, bool)? MatMulLinear(OnnxNode matMul, Dictionary<string, OnnxInitializer> byName,
                                                                  Dictionary<string, List<OnnxNode>> addsByInput)
    {
        if (matMul.Inputs.Length != 2 || matMul.Outputs.Length != 1
            || !byName.TryGetValue(matMul.Inputs[1], out OnnxInitializer? weight) || weight.Info.Shape.Count != 2
            || !addsByInput.TryGetValue(matMul.Outputs[0], out List<OnnxNode>? adds) || adds.Count != 1)
            return null;
        OnnxNode add = adds[0];
        if (add.Inputs.Length != 2)
            return null;
        string other = add.Inputs[0] == matMul.Outputs[0] ? add.Inputs[1] : add.Inputs[0];
        return BiasPrefix(other, weight.Info.Shape[1], byName) is { } prefix ? (weight, prefix, true) : null;
    }

    private static (OnnxInitializer, string, bool)? GemmLinear(OnnxNode gemm, Dictionary<string, OnnxInitializer> byName)
    {
        if (gemm.Inputs.Length != 3 || gemm.Alpha != 1 || gemm.Beta != 1 || gemm.TransB is not (0 or 1)
            || !byName.TryGetValue(gemm.Inputs[1], out OnnxInitializer? weight) || weight.Info.Shape.Count != 2)
            return null;
        bool transposed = gemm.TransB == 0;
        long outputs = transposed ? weight.Info.Shape[1] : weight.Info.Shape[0];
        return BiasPrefix(gemm.Inputs[2], outputs, byName) is { } prefix ? (weight, prefix, transposed) : null;
    }

    /// <summary>The <c>X</c> of an initializer <c>X.bias</c> of shape <c>[outputs]</c>, or null.</summary>
    private static string? BiasPrefix(string name, long outputs, Dictionary<string, OnnxInitializer> byName)
    {
        const string suffix = ".bias";
        if (name.Length <= suffix.Length || !name.EndsWith(suffix, StringComparison.Ordinal)
            || !byName.TryGetValue(name, out OnnxInitializer? bias)
            || bias.Info.Shape.Count != 1 || bias.Info.Shape[0] != outputs)
            return null;
        return name[..^suffix.Length];
    }
}
