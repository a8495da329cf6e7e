using System;

namespace Attend.Samples.AttentionAsConvolution;

/// <summary>
/// Draws rows of per-head attention maps side by side: each key cell a square coloured by its weight relative to the
/// map's largest (white → deep blue), the query pixel outlined in red, cells of the zero padding on a grey ground.
/// </summary>
internal static class AttentionFigure
{
    private const int Cell = 14, Gap = 10, Margin = 12;

    public static void Write(string path, float[][] rows, int heads, int gridRows, int gridColumns, int queryRow, int queryColumn)
    {
        int mapWidth = gridColumns * Cell, mapHeight = gridRows * Cell;
        int width = 2 * Margin + heads * mapWidth + (heads - 1) * Gap;
        int height = 2 * Margin + rows.Length * mapHeight + (rows.Length - 1) * Gap;
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);
        for (int r = 0; r < rows.Length; r++)
        {
            for (int h = 0; h < heads; h++)
            {
                ReadOnlySpan<float> map = rows[r].AsSpan(h * gridRows * gridColumns, gridRows * gridColumns);
                float max = 0;
                foreach (float w in map) max = MathF.Max(max, w);
                int left = Margin + h * (mapWidth + Gap), top = Margin + r * (mapHeight + Gap);
                for (int gy = 0; gy < gridRows; gy++)
                {
                    for (int gx = 0; gx < gridColumns; gx++)
                    {
                        bool padding = gy == 0 || gx == 0 || gy == gridRows - 1 || gx == gridColumns - 1;
                        (byte red, byte green, byte blue) = Colour(max > 0 ? map[gy * gridColumns + gx] / max : 0, padding);
                        bool query = gy == queryRow && gx == queryColumn;
                        for (int py = 0; py < Cell; py++)
                        {
                            for (int px = 0; px < Cell; px++)
                            {
                                bool edge = px == 0 || py == 0 || px == Cell - 1 || py == Cell - 1;
                                int o = ((top + gy * Cell + py) * width + left + gx * Cell + px) * 3;
                                if (query && edge) { rgb[o] = 220; rgb[o + 1] = 30; rgb[o + 2] = 30; }
                                else if (edge) { rgb[o] = 235; rgb[o + 1] = 235; rgb[o + 2] = 235; }
                                else { rgb[o] = red; rgb[o + 1] = green; rgb[o + 2] = blue; }
                            }
                        }
                    }
                }
            }
        }

        PngWriter.Write(path, rgb, width, height);
    }

    /// <summary>White at 0 to deep blue at 1, on a light grey ground for padding cells (they hold zeros but take part in the softmax).</summary>
    private static (byte, byte, byte) Colour(float t, bool padding)
    {
        t = MathF.Sqrt(Math.Clamp(t, 0, 1)); // small weights stay visible
        float r0 = padding ? 215 : 255, g0 = padding ? 215 : 255, b0 = padding ? 215 : 255;
        return ((byte)(r0 + (8 - r0) * t), (byte)(g0 + (48 - g0) * t), (byte)(b0 + (107 - b0) * t));
    }
}
