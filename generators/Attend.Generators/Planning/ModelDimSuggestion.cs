namespace Attend.Generators.Planning;

/// <summary>
/// The ModelDim to suggest when it is not a multiple of Heads (ATTEND005): the nearest positive multiple that fits
/// in an int, the larger one on a tie. Shared by the diagnostic's message and the code fix that applies it.
/// </summary>
internal static class ModelDimSuggestion
{
    /// <returns>A positive multiple of <paramref name="heads"/> nearest <paramref name="modelDim"/>; <paramref name="heads"/> itself when none is nearer.</returns>
    public static int Nearest(int modelDim, int heads)
    {
        if (heads <= 0) return modelDim;
        long below = (long)modelDim / heads * heads;
        long above = below + heads;
        bool belowValid = below > 0;
        bool aboveValid = above <= int.MaxValue;
        if (belowValid && (!aboveValid || modelDim - below < above - modelDim)) return (int)below;
        return aboveValid ? (int)above : heads;
    }
}
