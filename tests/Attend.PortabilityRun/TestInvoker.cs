using System;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace Attend.PortabilityRun;

/// <summary>What xunit does for one test case, reduced to what these tests use: construct, invoke, await, dispose.</summary>
internal static class TestInvoker
{
    public static async Task RunAsync(Type type, MethodInfo method, object?[] arguments)
    {
        object? instance = method.IsStatic ? null : Construct(type);
        try
        {
            object? result = method.Invoke(instance, arguments);
            if (result is Task task)
            {
                await task;
            }
        }
        finally
        {
            (instance as IDisposable)?.Dispose();
        }
    }

    // Constructor arguments: a log sink for ITestOutputHelper, a new instance for a class fixture.
    private static object Construct(Type type)
    {
        ConstructorInfo constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        object[] arguments = constructor.GetParameters()
            .Select(p => p.ParameterType == typeof(ITestOutputHelper) ? new DiscardedOutput() : Activator.CreateInstance(p.ParameterType)!)
            .ToArray();
        return constructor.Invoke(arguments);
    }

    private sealed class DiscardedOutput : ITestOutputHelper
    {
        public void WriteLine(string message)
        {
        }

        public void WriteLine(string format, params object[] args)
        {
        }
    }
}
