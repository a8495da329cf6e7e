using System;
using System.IO;
using System.Linq;
using Attend;

namespace Attend.Tests.IO;

/// <summary>How one fuzz input ended: loaded and fully read, refused as invalid data, or a bug.</summary>
internal readonly record struct FuzzOutcome(bool Loaded, Exception? Bug)
{
    public static FuzzOutcome Accepted => new(true, null);
    public static FuzzOutcome Rejected => new(false, null);
}

/// <summary>Thrown by the harness when a loaded file reads back inconsistently.</summary>
internal sealed class FuzzCheckException(string message) : Exception(message);

/// <summary>
/// Runs one input through the reader the way a caller would: load it, and if that succeeds read
/// every tensor through every API. The only acceptable failure is an <see cref="InvalidDataException"/>
/// from the load; anything else, or any exception while reading a loaded file, is a bug.
/// </summary>
internal static class SafeTensorsFuzzHarness
{
    public const string RegressionFolder = "safetensors-regressions";

    public static FuzzOutcome Exercise(byte[] input, bool viaFile)
    {
        string? path = viaFile ? SafeTensorsTestWriter.WriteTempFile(input) : null;
        try
        {
            SafeTensorsFile file;
            try
            {
                file = path is null ? SafeTensors.Load(input) : SafeTensors.Open(path);
            }
            catch (InvalidDataException)
            {
                return FuzzOutcome.Rejected;
            }
            catch (Exception ex)
            {
                return new FuzzOutcome(false, ex);
            }

            using (file)
            {
                try
                {
                    ReadEverything(file);
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

    private static void ReadEverything(SafeTensorsFile file)
    {
        Check(file.Names.Count() == file.Tensors.Count, "Names and Tensors disagree");
        foreach (var (key, value) in file.Metadata)
            Check(key is not null && value is not null, "null metadata");

        foreach (TensorInfo info in file.Tensors)
        {
            Check(file.TryGetInfo(info.Name, out TensorInfo found) && ReferenceEquals(found, info), $"TryGetInfo('{info.Name}')");
            float[] values = file.ReadFloat32(info.Name);
            Check(values.Length == info.ElementCount, $"ReadFloat32('{info.Name}') length");

            var again = new float[values.Length];
            file.ReadFloat32(info.Name, again);
            Check(again.AsSpan().SequenceEqual(values) || values.Any(float.IsNaN), $"ReadFloat32 span overload of '{info.Name}'");

            int size = info.DType switch
            {
                TensorDType.F64 or TensorDType.I64 => 8,
                TensorDType.F32 or TensorDType.I32 => 4,
                TensorDType.F16 or TensorDType.BF16 or TensorDType.I16 => 2,
                _ => 1,
            };
            Check(file.GetBytes(info.Name).Length == info.ElementCount * size, $"GetBytes('{info.Name}') length");
            if (info.DType is not (TensorDType.F32 or TensorDType.F16 or TensorDType.BF16 or TensorDType.F64))
                Check(file.ReadInt64(info.Name).Length == values.Length, $"ReadInt64('{info.Name}') length");
            if (info.DType is TensorDType.Bool or TensorDType.U8)
                Check(file.ReadBool(info.Name).Length == values.Length, $"ReadBool('{info.Name}') length");
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new FuzzCheckException("Inconsistent read: " + what);
    }

    /// <summary>
    /// Saves an input that exposed a bug where the regression test replays it: the source tree's
    /// TestData folder when the tests run from a checkout, else next to the test binaries.
    /// </summary>
    public static string SaveRegression(byte[] input, string name)
    {
        string folder = FindSourceRegressionFolder() ?? Path.Combine(AppContext.BaseDirectory, "TestData", RegressionFolder);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, name + ".safetensors");
        File.WriteAllBytes(path, input);
        return path;
    }

    private static string? FindSourceRegressionFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            string candidate = Path.Combine(directory.FullName, "tests", "Attend.Tests", "TestData", RegressionFolder);
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
