namespace Attend.Generators.Planning;

/// <summary>ECA-Net's adaptive kernel size, a pure function of the channel count.</summary>
internal static class EcaKernelRule
{
    /// <summary>
    /// <c>t = ⌊|(log₂ C + b) / γ|⌋</c>, <c>k = t</c> if odd else <c>t + 1</c>, with γ = 2 and b = 1 as in the paper
    /// and its reference code: 32 channels → 3, 256 → 5, 2048 → 7.
    /// </summary>
    public static int AdaptiveKernelSize(int channels)
    {
        const double gamma = 2, b = 1;
        int t = (int)Math.Abs((Log2(channels) + b) / gamma);
        return t % 2 == 1 ? t : t + 1;
    }

    /// <summary>
    /// log₂ that is exact at powers of two (netstandard2.0 has no <c>Math.Log2</c>, and <c>ln x / ln 2</c> can land
    /// just below an integer, which would truncate to the wrong t).
    /// </summary>
    private static double Log2(int value)
    {
        double log = Math.Log(value) / Math.Log(2);
        double nearest = Math.Round(log);
        return Math.Abs(log - nearest) < 1e-9 ? nearest : log;
    }
}
