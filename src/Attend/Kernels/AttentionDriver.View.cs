using System;
using System.Numerics.Tensors;

namespace Attend.Kernels;

public static partial class AttentionDriver
{
    /// <summary>
    /// The validated problem as raw pointers and strides: what any worker needs to compute any row. A plain struct (a
    /// ref struct cannot be stored in the reusable job objects); the spans behind the pointers stay pinned while
    /// <see cref="Run{TKernels}"/> runs.
    /// </summary>
    internal unsafe struct AttentionView
    {
        public KernelPath Path;
        public int Batch;
        public int Heads;
        public int GroupSize;
        public int QueryLength;
        public int KeyLength;
        public int PastLength;
        public int DimHead;
        public int ValueDimHead;
        public float* Query;
        public nint QueryBatchStride;
        public nint QueryHeadStride;
        public nint QueryRowStride;
        public float* Key;
        public nint KeyBatchStride;
        public nint KeyHeadStride;
        public nint KeyRowStride;
        public float* Value;
        public nint ValueBatchStride;
        public nint ValueHeadStride;
        public nint ValueRowStride;
        public float* PastKey;
        public float* PastValue;

        /// <summary>Rows between the first past rows of consecutive (batch, key/value head) pairs: the past length, or a cache's capacity.</summary>
        public nint PastRowsPerHead;

        /// <summary>When not null, the past keys are bfloat16 bits here (a <see cref="KvCache"/> of that precision), not in <see cref="PastKey"/>.</summary>
        public ushort* PastKeyBits;

        /// <summary>The past values as bfloat16 bits, with <see cref="PastKeyBits"/>.</summary>
        public ushort* PastValueBits;
        public float* Output;
        public nint OutputBatchStride;
        public nint OutputHeadStride;
        public nint OutputRowStride;
        public float Scale;
        public float Softcap;
        public bool Causal;
        public int Window;
        public long CausalOffset;
        public long* CausalOffsets;
        public bool* KeyPadding;
        public long* ValidLengths;
        public float* AdditiveMask;
        public bool* BooleanMask;
        public nint MaskBatchStride;
        public nint MaskHeadStride;
        public nint MaskRowStride;
        public int MaskLength;
        public float* Probabilities;
        public float* Scores;
        public QkMatMulOutputMode ScoresMode;

        /// <summary>Whether any score transform or mask beyond a per-row key limit applies.</summary>
        public readonly bool HasElementMasks => AdditiveMask != null || BooleanMask != null || KeyPadding != null;

        /// <summary>
        /// Keys at or past this index are masked for query row <paramref name="i"/> of batch <paramref name="b"/> by a
        /// rule that needs no score (causal, valid length, a short explicit mask), so they are never computed.
        /// </summary>
        public readonly int RowLimit(int b, int i)
        {
            long limit = KeyLength;
            if (Causal)
            {
                long offset = CausalOffsets != null ? CausalOffsets[b] : CausalOffset;
                limit = Math.Min(limit, i + offset + 1);
            }

            if (ValidLengths != null)
            {
                limit = Math.Min(limit, ValidLengths[b]);
            }

            if (AdditiveMask != null || BooleanMask != null)
            {
                limit = Math.Min(limit, MaskLength);
            }

            if (Window > 0 && !Causal)
            {
                // Without causal, a sliding window also ends at i + offset + Window.
                limit = Math.Min(limit, i + (CausalOffsets != null ? CausalOffsets[b] : CausalOffset) + Window);
            }

            return (int)Math.Max(limit, 0);
        }

        /// <summary>
        /// Keys before this index are masked for query row <paramref name="i"/> by the sliding window (keys
        /// <c>j ≤ i + offset − Window</c>); 0 without a window. Never above <see cref="RowLimit"/>.
        /// </summary>
        public readonly int RowStart(int b, int i, int limit)
        {
            if (Window <= 0)
            {
                return 0;
            }

            long center = i + (CausalOffsets != null ? CausalOffsets[b] : CausalOffset);
            return (int)Math.Min(Math.Max(center - Window + 1, 0), limit);
        }

        /// <summary>Key row <paramref name="j"/> of key/value head <paramref name="kvHead"/>: from the past or the new keys.</summary>
        public readonly float* KeyRow(int b, int kvHead, int j) => j < PastLength
            ? PastKey + (((nint)b * (Heads / GroupSize) + kvHead) * PastRowsPerHead + j) * DimHead
            : Key + b * KeyBatchStride + kvHead * KeyHeadStride + (j - PastLength) * KeyRowStride;

        /// <summary>Value row <paramref name="j"/> of key/value head <paramref name="kvHead"/>.</summary>
        public readonly float* ValueRow(int b, int kvHead, int j) => j < PastLength
            ? PastValue + (((nint)b * (Heads / GroupSize) + kvHead) * PastRowsPerHead + j) * ValueDimHead
            : Value + b * ValueBatchStride + kvHead * ValueHeadStride + (j - PastLength) * ValueRowStride;

        /// <summary>Past key row <paramref name="j"/> of a bfloat16 past (<see cref="PastKeyBits"/> not null).</summary>
        public readonly ushort* PastKeyBitsRow(int b, int kvHead, int j) => PastKeyBits + (((nint)b * (Heads / GroupSize) + kvHead) * PastRowsPerHead + j) * DimHead;

        /// <summary>Past value row <paramref name="j"/> of a bfloat16 past.</summary>
        public readonly ushort* PastValueBitsRow(int b, int kvHead, int j) => PastValueBits + (((nint)b * (Heads / GroupSize) + kvHead) * PastRowsPerHead + j) * ValueDimHead;

        /// <summary>Whether row <paramref name="j"/> lies in a bfloat16 past segment.</summary>
        public readonly bool IsBFloat16(int j) => j < PastLength && PastKeyBits != null;

        /// <summary>Elements between consecutive key rows in the segment that holds row <paramref name="j"/>.</summary>
        public readonly nint KeyStrideAt(int j) => j < PastLength ? DimHead : KeyRowStride;

        /// <summary>Elements between consecutive value rows in the segment that holds row <paramref name="j"/>.</summary>
        public readonly nint ValueStrideAt(int j) => j < PastLength ? ValueDimHead : ValueRowStride;

        /// <summary>Where the keys of row <paramref name="j"/>'s segment end: the past length, or the key length.</summary>
        public readonly int SegmentEnd(int j) => j < PastLength ? PastLength : KeyLength;

        /// <summary>
        /// Turns the scaled scores <c>row[0, live)</c> of keys <c>firstKey + [0, live)</c> for query row <paramref name="i"/>
        /// into softmax logits: softcap, then the explicit mask (additive, or −∞ where the boolean mask forbids), then −∞
        /// on padded keys.
        /// </summary>
        public readonly void ApplySoftcapAndMasks(int b, int h, int i, int firstKey, Span<float> row)
        {
            if (row.IsEmpty)
            {
                return;
            }

            if (Softcap > 0)
            {
                TensorPrimitives.Divide(row, Softcap, row);
                TensorPrimitives.Tanh(row, row);
                TensorPrimitives.Multiply(row, Softcap, row);
            }

            ApplyMasks(b, h, i, firstKey, row);
        }

        /// <summary>The explicit mask and key padding over <c>row[0, live)</c>, keys <c>firstKey + [0, live)</c>.</summary>
        public readonly void ApplyMasks(int b, int h, int i, int firstKey, Span<float> row)
        {
            nint maskOffset = b * MaskBatchStride + h * MaskHeadStride + i * MaskRowStride + firstKey;
            if (AdditiveMask != null)
            {
                TensorPrimitives.Add(row, new ReadOnlySpan<float>(AdditiveMask + maskOffset, row.Length), row);
            }
            else if (BooleanMask != null)
            {
                bool* allowed = BooleanMask + maskOffset;
                for (int j = 0; j < row.Length; j++)
                {
                    if (!allowed[j])
                    {
                        row[j] = float.NegativeInfinity;
                    }
                }
            }

            if (KeyPadding != null)
            {
                bool* padded = KeyPadding + (nint)b * KeyLength + firstKey;
                for (int j = 0; j < row.Length; j++)
                {
                    if (padded[j])
                    {
                        row[j] = float.NegativeInfinity;
                    }
                }
            }
        }

        /// <summary>Output row <paramref name="i"/> of head <paramref name="h"/>, batch <paramref name="b"/>.</summary>
        public readonly float* OutputRow(int b, int h, int i) => Output + b * OutputBatchStride + h * OutputHeadStride + i * OutputRowStride;

        /// <summary>Query row <paramref name="i"/> of head <paramref name="h"/>, batch <paramref name="b"/>.</summary>
        public readonly float* QueryRow(int b, int h, int i) => Query + b * QueryBatchStride + h * QueryHeadStride + i * QueryRowStride;
    }
}
