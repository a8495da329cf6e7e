using System;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Attend.Benchmarks;

/// <summary>
/// GFLOP/s and % of the FMA peak for <see cref="AttentionBenchmarks"/>: the row's FLOPs over the median time; the
/// peak (12 Vector256 FMA chains per thread) is measured once, in this process, when the columns are first needed.
/// </summary>
public static class PeakColumns
{
    private static readonly Lazy<double> s_peak256 = new(FmaPeak.Vector256PerCore);
    private static readonly Lazy<double> s_peak512 = new(FmaPeak.Vector512PerCore);

    public sealed class Config : ManualConfig
    {
        public Config()
        {
            AddColumn(new Column("GFLOP/s", (shape, threads, ns) => (shape.Flops / ns).ToString("F1", CultureInfo.InvariantCulture)));
            AddColumn(new Column("% peak (V256)", (shape, threads, ns) => (100 * shape.Flops / ns / (threads * s_peak256.Value)).ToString("F0", CultureInfo.InvariantCulture) + " %"));
            AddColumn(new Column("% peak (V512)", (shape, threads, ns) => (100 * shape.Flops / ns / (threads * s_peak512.Value)).ToString("F0", CultureInfo.InvariantCulture) + " %"));
        }
    }

    private sealed class Column(string name, Func<Shape, int, double, string> format) : IColumn
    {
        public string Id => "Attend." + name;
        public string ColumnName => name;
        public bool AlwaysShow => true;
        public ColumnCategory Category => ColumnCategory.Custom;
        public int PriorityInCategory => 0;
        public bool IsNumeric => true;
        public UnitType UnitType => UnitType.Dimensionless;
        public string Legend => name == "GFLOP/s" ? "FLOPs as /work/shared/benchmarks/README.md counts them, over the median time"
            : "GFLOP/s over threads × the FMA peak per core measured in this process";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            if (report?.ResultStatistics is null || benchmarkCase.Parameters["Row"] is not Shape shape || benchmarkCase.Parameters["Threads"] is not int threads)
            {
                return "n/a";
            }

            return format(shape, threads, report.ResultStatistics.Median);
        }

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
