// Self-attention as convolution (Cordonnier, Loukas & Jaggi, ICLR 2020): a 3×3 convolution becomes a nine-head
// attention layer with the quadratic position encoding, computes the same output, and its per-head attention maps of
// one query pixel are drawn beside those of a layer whose centres were not set by hand (the paper's first figure).
using System;
using System.IO;
using Attend;
using Attend.Kernels;
using Attend.Samples.AttentionAsConvolution;

string outputPath = args.Length > 0 ? args[0] : "attention-as-convolution.png";
using SafeTensorsFile file = SafeTensors.Open(Path.Combine(AppContext.BaseDirectory, "weights", "attnconv_k3_soft_small.safetensors"));

// 1. The convolution stored in the file, turned into attention weights: head (dy + 1)·3 + (dx + 1) looks at offset (dy, dx).
float[] convWeight = file.ReadFloat32("conv.weight");
float[] convBias = file.ReadFloat32("conv.bias");
var converted = new AttentionConv();
converted.LoadWeights(ConvolutionAsAttention.Weights(convWeight, convBias, AttentionConv.OutChannels, AttentionConv.InChannels, AttentionConv.KernelSize));

// 2. An attention layer whose centres are jittered off the grid and whose widths α are small (the fixture's "soft" layer).
var soft = new AttentionConv();
soft.LoadWeights(file, prefix: "attn.");

// The converted layer is the convolution: compare with a direct one on a random image.
const int Height = 9, Width = 9;
var random = new Random(7);
var image = new float[AttentionConv.InChannels * Height * Width];
for (int i = 0; i < image.Length; i++) image[i] = (float)(random.NextDouble() * 2 - 1);
var byAttention = new float[AttentionConv.OutChannels * Height * Width];
var byConvolution = new float[byAttention.Length];
converted.Forward(image, byAttention, batch: 1, Height, Width);
Convolution2d.Same(KernelPath.Auto, image, AttentionConv.InChannels, Height, Width, convWeight, convBias, AttentionConv.OutChannels,
    AttentionConv.KernelSize, AttentionConv.KernelSize, dilation: 1, groups: 1, byConvolution);
double gap = 0;
for (int i = 0; i < byAttention.Length; i++) gap = Math.Max(gap, Math.Abs(byAttention[i] - byConvolution[i]));
Console.WriteLine($"attention layer built from the 3×3 convolution vs the convolution: max |difference| = {gap:E2}");

// The nine maps of the centre pixel for both layers, over the zero-padded key grid.
const int QueryRow = Height / 2, QueryColumn = Width / 2, Padding = AttentionConv.KernelSize / 2;
const int GridRows = Height + 2 * Padding, GridColumns = Width + 2 * Padding;
var convertedMaps = new float[AttentionConv.Heads * GridRows * GridColumns];
var softMaps = new float[convertedMaps.Length];
converted.AttentionMaps(Height, Width, QueryRow, QueryColumn, convertedMaps);
soft.AttentionMaps(Height, Width, QueryRow, QueryColumn, softMaps);

AttentionFigure.Write(outputPath, new[] { convertedMaps, softMaps }, AttentionConv.Heads, GridRows, GridColumns, QueryRow + Padding, QueryColumn + Padding);
Console.WriteLine($"wrote {outputPath}: row 1 the converted convolution's {AttentionConv.Heads} heads, row 2 the soft layer's, query pixel ({QueryRow}, {QueryColumn}) outlined");
