// Runs every layer kind's fixture tests from Attend.Tests on the Scalar and Vector128 kernel paths, in this process and
// without a test host: scripts/check-arm64.sh publishes this program self-contained for linux-arm64 and runs it under
// qemu-aarch64, where Vector128 is AdvSimd. The tests compare with PyTorch's outputs (computed on x64) within their own
// tolerances; a failing assertion throws, and this program counts it. Ends with "N passed, M failed"; exit 0 = none failed.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using System.Threading.Tasks;
using Attend;
using Attend.PortabilityRun;
using Xunit;
using Xunit.Sdk;

Assembly tests = typeof(Attend.Tests.Layers.MhaFixtureTests).Assembly;
string[] classes = args.Length > 0 ? args : TestSelection.Classes;
var clock = Stopwatch.StartNew();
int passed = 0, failed = 0;
foreach (string className in classes)
{
    Type type = tests.GetTypes().SingleOrDefault(t => t.Name == className)
        ?? throw new ArgumentException($"No test class {className} in {tests.GetName().Name}.");
    int classPassed = 0, classFailed = 0;
    foreach ((MethodInfo method, object?[] arguments) in TestSelection.Cases(type))
    {
        string name = $"{type.Name}.{method.Name}({string.Join(", ", arguments)})";
        try
        {
            await TestInvoker.RunAsync(type, method, arguments);
            classPassed++;
        }
        catch (Exception exception)
        {
            Exception cause = exception is TargetInvocationException { InnerException: { } inner } ? inner : exception;
            Console.WriteLine($"FAILED {name}: {cause.GetType().Name}: {cause.Message.Split('\n')[0]}");
            classFailed++;
        }
    }

    Console.WriteLine($"  {type.Name}: {classPassed} passed, {classFailed} failed");
    passed += classPassed;
    failed += classFailed;
}

Console.WriteLine($"{System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, Vector128 accelerated: {Vector128.IsHardwareAccelerated}, " +
    $"{clock.Elapsed.TotalSeconds:F0} s");
Console.WriteLine($"{passed} passed, {failed} failed");
return failed == 0 && passed > 0 ? 0 : 1;
