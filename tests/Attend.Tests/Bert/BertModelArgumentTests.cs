using System;
using Attend.Tests.Kernels;
using Xunit;

namespace Attend.Tests.Bert;

/// <summary>Bad token input is refused before any memory is touched, with the argument and the expected value named.</summary>
public sealed class BertModelArgumentTests
{
    private const int Batch = 2, Length = 5;
    private readonly MeanBertE64 _model = new();
    private readonly int[] _ids = [101, 7, 8, 102, 0, 101, 9, 102, 0, 0];
    private readonly int[] _mask = [1, 1, 1, 1, 0, 1, 1, 1, 0, 0];
    private readonly float[] _embeddings = new float[Batch * MeanBertE64.ModelDim];

    [Fact]
    public void AnIdOutsideTheVocabulary_IsNamedWithItsPosition()
    {
        _ids[6] = MeanBertE64.VocabSize;
        var e = Assert.Throws<ArgumentException>(() => _model.Embed(_ids, _mask, _embeddings, Batch, Length));
        Assert.Equal("inputIds", e.ParamName);
        Assert.Contains("inputIds[6] is 300", e.Message);
        Assert.Contains("0..299", e.Message);
    }

    [Fact]
    public void ANegativeId_IsRefused()
    {
        _ids[0] = -1;
        Assert.Equal("inputIds", Assert.Throws<ArgumentException>(() => _model.Embed(_ids, _mask, _embeddings, Batch, Length)).ParamName);
    }

    [Fact]
    public void AMaskValueOtherThanZeroOrOne_IsRefused()
    {
        _mask[2] = 2;
        var e = Assert.Throws<ArgumentException>(() => _model.Embed(_ids, _mask, _embeddings, Batch, Length));
        Assert.Equal("attentionMask", e.ParamName);
        Assert.Contains("1 for a real token and 0 for padding", e.Message);
    }

    [Fact]
    public void ATokenTypeOutsideItsTable_IsRefused()
    {
        int[] types = new int[Batch * Length];
        types[9] = MeanBertE64.TypeVocabSize;
        var e = Assert.Throws<ArgumentException>(() => _model.Embed(_ids, _mask, _embeddings, Batch, Length, types));
        Assert.Equal("tokenTypeIds", e.ParamName);
        Assert.Contains("TypeVocabSize = 2", e.Message);
    }

    [Fact]
    public void ALengthPastThePositionTable_SaysToTruncate()
    {
        int length = MeanBertE64.MaxPositions + 1;
        var e = Assert.Throws<ArgumentException>(() => _model.Forward(new int[length], new int[length], new float[length * MeanBertE64.ModelDim], 1, length));
        Assert.Equal("length", e.ParamName);
        Assert.Contains("MaxPositions = 40", e.Message);
    }

    [Theory]
    [InlineData(9, 10, 10)]
    [InlineData(10, 11, 10)]
    [InlineData(10, 10, 3)]
    public void WrongLengths_NameTheArgument(int ids, int mask, int types)
    {
        var e = Assert.Throws<ArgumentException>(() => _model.Embed(new int[ids], new int[mask], _embeddings, Batch, Length, new int[types]));
        Assert.Contains("batch × length = 2 × 5", e.Message);
    }

    [Fact]
    public void AWrongEmbeddingsLength_NamesIt()
    {
        var e = Assert.Throws<ArgumentException>(() => _model.Embed(_ids, _mask, new float[MeanBertE64.ModelDim], Batch, Length));
        Assert.Equal("embeddings", e.ParamName);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ASequenceWithNoRealToken_EmbedsAsZeros_NotNaN(KernelPath path)
    {
        var reference = BertCheckpointReference.Load(BertCheckpointReference.MeanE64);
        using (SafeTensorsFile weights = SafeTensors.Open(reference.PathOf("model.safetensors"))) _model.LoadWeights(weights);
        _model.Path = path;
        Array.Clear(_mask, 5, 5);

        _model.Embed(_ids, _mask, _embeddings, Batch, Length);

        Assert.All(_embeddings.AsSpan(MeanBertE64.ModelDim).ToArray(), value => Assert.Equal(0f, value));
        Assert.All(_embeddings.AsSpan(0, MeanBertE64.ModelDim).ToArray(), value => Assert.True(float.IsFinite(value)));
    }

    public static TheoryData<KernelPath> Paths() => Blocks.BlockFixtures.Paths();
}

/// <summary><c>Embed</c>, like every forward pass, allocates nothing once warm.</summary>
[Collection(AllocationCollection.Name)]
public sealed class BertModelAllocationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Embed_AllocatesNothingOnceWarm(int threads)
    {
        var model = new PoolerBertE96 { MaxDegreeOfParallelism = threads };
        const int Batch = 8, Length = 30;
        int[] ids = new int[Batch * Length], mask = new int[Batch * Length];
        Array.Fill(mask, 1);
        float[] embeddings = new float[Batch * PoolerBertE96.ModelDim];

        AllocationTests.AssertAllocatesNothing(() => model.Embed(ids, mask, embeddings, Batch, Length));
    }
}
