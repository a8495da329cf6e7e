using System;
using System.Collections.Generic;
using Attend;
using Xunit;

namespace Attend.Tests.IO;

public sealed class WeightDictionaryTests
{
    [Fact]
    public void Add_ThenRead_ReturnsTheValuesShapeAndOrder()
    {
        var weights = new WeightDictionary();
        weights.Add("w", [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        weights.Add("b", [9f], 1);
        weights.Add("scale", [0.5f]);

        Assert.Equal(["w", "b", "scale"], weights.Names);
        Assert.Equal(3, weights.Count);
        Assert.True(weights.TryGetInfo("w", out TensorInfo info));
        Assert.Equal(new TensorInfo("w", TensorDType.F32, info.Shape), info);
        Assert.Equal([2L, 3L], info.Shape);
        Assert.True(weights.TryGetInfo("scale", out TensorInfo scalar));
        Assert.Empty(scalar.Shape);
        Assert.Equal(1, scalar.ElementCount);

        var destination = new float[6];
        weights.ReadFloat32("w", destination);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], destination);
        Assert.False(weights.TryGetInfo("W", out _));
    }

    [Fact]
    public void Add_CopiesTheShape_SoLaterEditsToTheCallersArrayDoNotLeakIn()
    {
        var weights = new WeightDictionary();
        long[] shape = [2, 2];
        weights.Add("w", new float[4], shape);
        shape[0] = 99;
        Assert.True(weights.TryGetInfo("w", out TensorInfo info));
        Assert.Equal([2L, 2L], info.Shape);
    }

    [Fact]
    public void Add_WithDataThatDoesNotMatchTheShape_SaysBothCounts()
    {
        var weights = new WeightDictionary();
        var ex = Assert.Throws<ArgumentException>(() => weights.Add("w", new float[5], 2, 3));
        Assert.Equal("data", ex.ParamName);
        Assert.Contains("shape [2, 3] holds 6 elements, but data has 5", ex.Message);

        var scalar = Assert.Throws<ArgumentException>(() => weights.Add("bias", new float[15]));
        Assert.Contains("Add(name, data, 15)", scalar.Message);

        var huge = Assert.Throws<ArgumentException>(() => weights.Add("h", new float[1], long.MaxValue, long.MaxValue));
        Assert.Contains("more than", huge.Message);
        Assert.Equal(0, weights.Count);
    }

    [Fact]
    public void Add_RefusesNegativeDimensionsDuplicatesAndEmptyNames()
    {
        var weights = new WeightDictionary();
        var negative = Assert.Throws<ArgumentException>(() => weights.Add("w", new float[0], 0, -1));
        Assert.Equal("shape", negative.ParamName);
        Assert.Contains("dimension 1", negative.Message);

        weights.Add("w", new float[2], 2);
        var duplicate = Assert.Throws<ArgumentException>(() => weights.Add("w", new float[2], 2));
        Assert.Contains("already present", duplicate.Message);
        Assert.Throws<ArgumentException>(() => weights.Add("", new float[1], 1));
        Assert.Throws<ArgumentNullException>(() => weights.Add("x", null!, 1));
    }

    [Fact]
    public void ReadFloat32_ChecksTheDestinationAndTheName()
    {
        var weights = new WeightDictionary();
        weights.Add("layers.0.weight", new float[4], 4);

        var wrongLength = Assert.Throws<ArgumentException>(() => weights.ReadFloat32("layers.0.weight", new float[3]));
        Assert.Equal("destination", wrongLength.ParamName);
        Assert.Contains("4 elements", wrongLength.Message);

        var missing = Assert.Throws<KeyNotFoundException>(() => weights.ReadFloat32("layers.1.weight", new float[4]));
        Assert.Contains("'layers.1.weight'", missing.Message);
        Assert.Contains("Nearest names: 'layers.0.weight'", missing.Message);

        var empty = Assert.Throws<KeyNotFoundException>(() => new WeightDictionary().ReadFloat32("x", []));
        Assert.Contains("holds no tensors", empty.Message);
    }
}
