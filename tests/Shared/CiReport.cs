using System;
using System.IO;
using Xunit.Abstractions;

namespace Attend.Testing;

/// <summary>
/// Figures a test measures (cases run, threads × forwards, milliseconds): written to the test's output and, when
/// <c>ATTEND_CI_REPORT</c> names a file (.ci/run sets it), appended there so CI prints them after the test summary.
/// </summary>
internal static class CiReport
{
    public const string Variable = "ATTEND_CI_REPORT";

    private static readonly object Gate = new();

    public static void Line(ITestOutputHelper output, string text)
    {
        output.WriteLine(text);
        string? path = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(path)) return;
        lock (Gate) File.AppendAllText(path, text + Environment.NewLine);
    }
}
