using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Attend.Samples.Digits;

/// <summary>
/// Draws the class token's attention over the image patches, one small map per layer and head for a few digits, the
/// way the per-head attention figures of "On the Relationship between Self-Attention and Convolutional Layers" lay
/// them out: a row per image, a column per (layer, head).
/// </summary>
internal static class AttentionMapSvg
{
    private const int PixelSize = 6;
    private const int PatchCell = PixelSize * DigitsVit.PatchSize;
    private const int MapSize = PatchCell * DigitsVit.GridSide;
    private const int Gap = 10;
    private const int LayerGap = 22;
    private const int RowHeight = MapSize + 34;
    private const int Margin = 16;
    private const int HeaderHeight = 78;
    private const int FirstColumn = 92;

    private static readonly int[] ViridisStops = [68, 1, 84, 59, 82, 139, 33, 145, 140, 94, 201, 98, 253, 231, 37];

    /// <summary>The first test image of each of the first <paramref name="count"/> classes (0, 1, …).</summary>
    public static int[] PickOnePerClass(ReadOnlySpan<long> labels, int count)
    {
        var picked = new List<int>();
        for (int digit = 0; digit < count; digit++)
        {
            int index = labels.IndexOf(digit);
            if (index >= 0) picked.Add(index);
        }

        return picked.ToArray();
    }

    /// <param name="images"><c>[count, 1, 8, 8]</c> pixels in [0, 1].</param>
    /// <param name="labels">True classes.</param>
    /// <param name="logits"><c>[count, Classes]</c>.</param>
    /// <param name="attention"><c>[Depth, count, Heads, Tokens, Tokens]</c> as <c>DigitsVit.Forward</c> writes it.</param>
    /// <param name="count">Images in the batch.</param>
    /// <param name="shown">Which images to draw.</param>
    public static string Render(float[] images, long[] labels, float[] logits, float[] attention, int count, int[] shown)
    {
        int columns = DigitsVit.Depth * DigitsVit.Heads;
        int width = Math.Max(2 * Margin + FirstColumn + columns * (MapSize + Gap) + (DigitsVit.Depth - 1) * LayerGap, 660);
        int height = HeaderHeight + shown.Length * RowHeight + Margin;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n"));
        svg.Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant($"<text x=\"{Margin}\" y=\"20\" font-size=\"12\" font-weight=\"bold\">DigitsVit in Attend: class-token attention to the {DigitsVit.Patches} patches, per layer L and head H</text>\n"));
        svg.Append(Invariant($"<text x=\"{Margin}\" y=\"36\" font-size=\"10\" fill=\"#444\">Each map is scaled to its own maximum (dark = little, yellow = most) with the digit's ink overlaid;</text>\n"));
        svg.Append(Invariant($"<text x=\"{Margin}\" y=\"49\" font-size=\"10\" fill=\"#444\">'cls' is the weight the class token keeps on itself. Hover a patch for its weight.</text>\n"));

        for (int l = 0; l < DigitsVit.Depth; l++)
        {
            for (int h = 0; h < DigitsVit.Heads; h++)
            {
                svg.Append(Invariant($"<text x=\"{MapX(l, h) + MapSize / 2}\" y=\"{HeaderHeight - 8}\" font-size=\"10\" text-anchor=\"middle\">L{l + 1} H{h + 1}</text>\n"));
            }
        }

        for (int row = 0; row < shown.Length; row++)
        {
            int image = shown[row];
            int top = HeaderHeight + row * RowHeight;
            ReadOnlySpan<float> pixels = images.AsSpan(image * DigitsVit.ImageSize * DigitsVit.ImageSize, DigitsVit.ImageSize * DigitsVit.ImageSize);
            int imageX = Margin + (FirstColumn - Gap - MapSize) / 2;
            DrawDigit(svg, pixels, imageX, top, ink: false);
            int predicted = ArgMax(logits.AsSpan(image * DigitsVit.Classes, DigitsVit.Classes));
            svg.Append(Invariant($"<text x=\"{imageX + MapSize / 2}\" y=\"{top + MapSize + 13}\" font-size=\"10\" text-anchor=\"middle\">label {labels[image]}, predicted {predicted}</text>\n"));
            for (int l = 0; l < DigitsVit.Depth; l++)
            {
                for (int h = 0; h < DigitsVit.Heads; h++)
                {
                    // Row 0 of this (layer, image, head) block: what the class token attends to.
                    int start = (((l * count + image) * DigitsVit.Heads + h) * DigitsVit.Tokens) * DigitsVit.Tokens;
                    ReadOnlySpan<float> classRow = attention.AsSpan(start, DigitsVit.Tokens);
                    DrawMap(svg, classRow, MapX(l, h), top);
                    DrawDigit(svg, pixels, MapX(l, h), top, ink: true);
                    svg.Append(Invariant($"<text x=\"{MapX(l, h) + MapSize / 2}\" y=\"{top + MapSize + 13}\" font-size=\"9\" fill=\"#444\" text-anchor=\"middle\">cls {classRow[0]:F2}</text>\n"));
                }
            }
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static int MapX(int layer, int head) =>
        Margin + FirstColumn + (layer * DigitsVit.Heads + head) * (MapSize + Gap) + layer * LayerGap;

    private static void DrawMap(StringBuilder svg, ReadOnlySpan<float> classRow, int x, int y)
    {
        float max = 0;
        for (int p = 1; p < DigitsVit.Tokens; p++) max = Math.Max(max, classRow[p]);
        for (int p = 0; p < DigitsVit.Patches; p++)
        {
            float value = max > 0 ? classRow[p + 1] / max : 0;
            int px = x + p % DigitsVit.GridSide * PatchCell, py = y + p / DigitsVit.GridSide * PatchCell;
            svg.Append(Invariant($"<rect x=\"{px}\" y=\"{py}\" width=\"{PatchCell}\" height=\"{PatchCell}\" fill=\"{Viridis(value)}\"><title>patch {p}: {classRow[p + 1]:F3}</title></rect>\n"));
        }
    }

    /// <summary>The digit as grey pixels, or as translucent white ink over a map.</summary>
    private static void DrawDigit(StringBuilder svg, ReadOnlySpan<float> pixels, int x, int y, bool ink)
    {
        for (int r = 0; r < DigitsVit.ImageSize; r++)
        {
            for (int c = 0; c < DigitsVit.ImageSize; c++)
            {
                float v = Math.Clamp(pixels[r * DigitsVit.ImageSize + c], 0f, 1f);
                if (ink)
                {
                    if (v > 0.05f) svg.Append(Invariant($"<rect x=\"{x + c * PixelSize}\" y=\"{y + r * PixelSize}\" width=\"{PixelSize}\" height=\"{PixelSize}\" fill=\"white\" fill-opacity=\"{0.4f * v:F2}\"/>\n"));
                }
                else
                {
                    int grey = (int)Math.Round(255 * (1 - v));
                    svg.Append(Invariant($"<rect x=\"{x + c * PixelSize}\" y=\"{y + r * PixelSize}\" width=\"{PixelSize}\" height=\"{PixelSize}\" fill=\"rgb({grey},{grey},{grey})\"/>\n"));
                }
            }
        }
    }

    /// <summary>A five-stop approximation of matplotlib's viridis, <paramref name="t"/> in [0, 1].</summary>
    private static string Viridis(float t)
    {
        float position = Math.Clamp(t, 0f, 1f) * 4;
        int i = Math.Min((int)position, 3);
        float f = position - i;
        int Channel(int k) => (int)Math.Round(ViridisStops[i * 3 + k] + f * (ViridisStops[(i + 1) * 3 + k] - ViridisStops[i * 3 + k]));
        return Invariant($"rgb({Channel(0)},{Channel(1)},{Channel(2)})");
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++) if (values[i] > values[best]) best = i;
        return best;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
