using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace Attend.Kernels;

/// <summary>Work split into numbered items that may run on any thread, in any order, each exactly once.</summary>
internal abstract class ParallelWork
{
    /// <summary>Runs item <paramref name="item"/>; called concurrently for distinct items.</summary>
    public abstract void RunItem(int item);
}

/// <summary>
/// A few dedicated background threads that help the calling thread through a <see cref="ParallelWork"/>, without
/// allocating: no delegates, no tasks, no closures; the work object and its state are reused by the caller.
/// </summary>
/// <remarks>
/// <para>
/// The caller always works too, taking items from a shared counter like the helpers, so a job on <c>n</c> threads
/// wakes <c>n − 1</c> helpers. One job runs at a time: a call that finds the pool busy (another thread's job, or a
/// job started from inside a work item) runs all its items on its own thread, which gives the same results,
/// since every kernel computes an item the same way whatever thread runs it.
/// </para>
/// <para>
/// Helpers wait on a semaphore (which spins briefly before blocking) and are created on first use, one fewer than
/// <see cref="Environment.ProcessorCount"/>.
/// </para>
/// </remarks>
internal static class WorkerPool
{
    private static readonly SemaphoreSlim s_wake = new(0);
    private static readonly ManualResetEventSlim s_done = new(false);
    private static readonly object s_startLock = new();
    private static int s_busy;
    private static int s_started;
    private static ParallelWork? s_work;
    private static int s_itemCount;
    private static int s_nextItem;
    private static int s_helpersRunning;
    private static ExceptionDispatchInfo? s_error;

    /// <summary>Threads a job may use here: the processor count (helpers plus the caller).</summary>
    public static int MaxThreads => Environment.ProcessorCount;

    /// <summary>Runs items <c>[0, items)</c> of <paramref name="work"/> on at most <paramref name="maxThreads"/> threads, the caller's included.</summary>
    public static void Run(ParallelWork work, int items, int maxThreads)
    {
        int threads = Math.Min(Math.Min(maxThreads, items), MaxThreads);
        if (threads <= 1 || Interlocked.CompareExchange(ref s_busy, 1, 0) != 0)
        {
            for (int item = 0; item < items; item++)
            {
                work.RunItem(item);
            }

            return;
        }

        try
        {
            EnsureStarted();
            int helpers = threads - 1;
            s_work = work;
            s_itemCount = items;
            s_nextItem = 0;
            s_error = null;
            s_done.Reset();
            Volatile.Write(ref s_helpersRunning, helpers);
            s_wake.Release(helpers);

            ExceptionDispatchInfo? callerError = null;
            try
            {
                TakeItems(work);
            }
            catch (Exception exception)
            {
                callerError = ExceptionDispatchInfo.Capture(exception);
                Volatile.Write(ref s_nextItem, items); // the helpers stop at their next item
            }

            // The helpers read s_work until they finish: wait for them even when the caller failed.
            s_done.Wait();
            s_work = null;
            callerError?.Throw();
            s_error?.Throw();
        }
        finally
        {
            Volatile.Write(ref s_busy, 0);
        }
    }

    private static void TakeItems(ParallelWork work)
    {
        int count = s_itemCount;
        int item;
        while ((item = Interlocked.Increment(ref s_nextItem) - 1) < count)
        {
            work.RunItem(item);
        }
    }

    private static void EnsureStarted()
    {
        if (Volatile.Read(ref s_started) != 0)
        {
            return;
        }

        lock (s_startLock)
        {
            if (s_started != 0)
            {
                return;
            }

            for (int i = 1; i < MaxThreads; i++)
            {
                var thread = new Thread(HelperLoop) { IsBackground = true, Name = $"Attend worker {i}" };
                thread.Start();
            }

            Volatile.Write(ref s_started, 1);
        }
    }

    private static void HelperLoop()
    {
        while (true)
        {
            s_wake.Wait();
            try
            {
                TakeItems(s_work!);
            }
            catch (Exception exception)
            {
                Interlocked.CompareExchange(ref s_error, ExceptionDispatchInfo.Capture(exception), null);
                Volatile.Write(ref s_nextItem, s_itemCount);
            }

            if (Interlocked.Decrement(ref s_helpersRunning) == 0)
            {
                s_done.Set();
            }
        }
    }
}
