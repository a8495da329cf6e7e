namespace Attend.Tests.Bert;

// The two checkpoints scripts/make_bert_checkpoints.py writes (TestData/bert/README.md), declared as a user would.

/// <summary>mean_e64: mean pooling, normalised.</summary>
[BertModel(VocabSize = 300, ModelDim = 64, Heads = 4, MlpDim = 256, Depth = 2, MaxPositions = 40, NormalizeEmbeddings = true)]
internal sealed partial class MeanBertE64;

/// <summary>cls_e96 with the [CLS] token as its embedding.</summary>
[BertModel(VocabSize = 100, ModelDim = 96, Heads = 6, MlpDim = 192, Depth = 2, MaxPositions = 32, Pooling = EmbeddingPooling.Cls)]
internal sealed partial class ClsBertE96;

/// <summary>cls_e96 with Hugging Face's pooler_output as its embedding.</summary>
[BertModel(VocabSize = 100, ModelDim = 96, Heads = 6, MlpDim = 192, Depth = 2, MaxPositions = 32, Pooling = EmbeddingPooling.Pooler)]
internal sealed partial class PoolerBertE96;

/// <summary>mean_e64 with max pooling (checked against a direct maximum of the reference hidden state).</summary>
[BertModel(VocabSize = 300, ModelDim = 64, Heads = 4, MlpDim = 256, Depth = 2, MaxPositions = 40, Pooling = EmbeddingPooling.Max)]
internal sealed partial class MaxBertE64;
