using Attend;

namespace Attend.Samples.Embeddings;

/// <summary>
/// sentence-transformers/all-MiniLM-L6-v2: BERT with 6 layers of 384, 12 heads, MLP 1536, the bert-base-uncased vocabulary;
/// sentence embedding = mean of the last hidden state over real tokens, L2-normalised. Everything else is generated.
/// </summary>
[BertModel(VocabSize = 30522, ModelDim = 384, Heads = 12, MlpDim = 1536, Depth = 6,
           Pooling = EmbeddingPooling.Mean, NormalizeEmbeddings = true)]
public sealed partial class MiniLM;
