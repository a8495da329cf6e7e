namespace Attend.Generators.Parsing;

/// <summary>Turns a <c>[MemoryHeads]</c> declaration into a <see cref="MemoryHeadsSpec"/> or diagnostics.</summary>
internal static class MemoryHeadsParser
{
    public static MemoryHeadsSpec? Read(DeclarationReader reader, LayerIdentity? identity)
    {
        if (!FamilyParsing.RequireResolved(reader, "MemoryRows", "MemoryWidth", "ShiftRadius", "Epsilon")) return null;
        int radius = reader.GetInt("ShiftRadius", 1);
        float epsilon = reader.GetFloat("Epsilon", 1e-8f);
        bool valid = true;
        int rows = reader.ReadPositive("MemoryRows", ", the number of memory locations N", ref valid);
        int width = reader.ReadPositive("MemoryWidth", ", the width W of one memory location", ref valid);
        valid &= FamilyParsing.RequirePositiveFinite(reader, "Epsilon", epsilon, "it keeps the cosine similarity of an all-zero row finite; use a small value such as 1e-8 or leave it out");
        if (rows > 0)
        {
            int largest = (rows - 1) / 2;
            if (radius < 0 || radius > largest)
            {
                reader.Report(Descriptors.ShiftRadiusOutOfRange, reader.ArgumentLocation("ShiftRadius"), FamilyParsing.Text(radius), reader.TypeName, FamilyParsing.Text(largest), FamilyParsing.Text(rows));
                valid = false;
            }
        }

        if (valid) valid &= FamilyParsing.RequireFitsInArray(reader, "The memory", (decimal)rows * width, "MemoryRows or MemoryWidth", "MemoryRows");
        FamilyParsing.WarnIfWide(reader, "MemoryWidth", width);
        if (!valid || identity is null) return null;
        return new MemoryHeadsSpec(identity, rows, width, radius, epsilon);
    }
}
