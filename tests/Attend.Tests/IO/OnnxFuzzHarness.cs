using System;
using System.IO;
using System.Linq;
using Attend;

namespace Attend.Tests.IO;

/// <summary>
/// Runs one input through the ONNX reader the way a caller would: load it, and if that succeeds read every
/// tensor it lists. The only acceptable failure is an <see cref="InvalidDataException"/> from the load.
/// </summary>
internal static class OnnxFuzzHarness
{
    public static FuzzOutcome Exercise(byte[] input, bool viaFile)
    {
        string? path = null;
        if (viaFile)
        {
            path = Path.Combine(Path.GetTempPath(), $"attend-onnx-fuzz-{Guid.NewGuid():N}.onnx");
            File.WriteAllBytes(path, input);
        }
        try
        {
            OnnxWeightsFile weights;
            try
            {
                weights = path is null ? OnnxWeights.Load(input) : OnnxWeights.Open(path);
            }
            catch (InvalidDataException)
            {
                return FuzzOutcome.Rejected;
            }
            catch (Exception ex)
            {
                return new FuzzOutcome(false, ex);
            }

            using (weights)
            {
                try
                {
                    ReadEverything(weights);
                    return FuzzOutcome.Accepted;
                }
                catch (Exception ex)
                {
                    return new FuzzOutcome(true, ex);
                }
            }
        }
        finally
        {
            if (path is not null) File.Delete(path);
        }
    }

    private static void ReadEverything(OnnxWeightsFile weights)
    {
        Check(weights.Names.Count() == weights.Tensors.Count, "Names and Tensors disagree");
        Check(weights.Names.Distinct(StringComparer.Ordinal).Count() == weights.Tensors.Count, "a name is listed twice");
        foreach (string recovered in weights.RecoveredNames.Keys)
            Check(weights.TryGetInfo(recovered, out _), $"recovered name '{recovered}' is not listed");
        foreach (TensorInfo info in weights.Tensors)
        {
            Check(weights.TryGetInfo(info.Name, out TensorInfo found) && ReferenceEquals(found, info), $"TryGetInfo('{info.Name}')");
            float[] values = weights.ReadFloat32(info.Name);
            Check(values.Length == info.ElementCount, $"ReadFloat32('{info.Name}') length");
            var again = new float[values.Length];
            weights.ReadFloat32(info.Name, again);
            Check(again.AsSpan().SequenceEqual(values) || values.Any(float.IsNaN), $"ReadFloat32 span overload of '{info.Name}'");
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new FuzzCheckException("Inconsistent read: " + what);
    }
}
