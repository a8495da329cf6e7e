using System;

namespace Attend.Kernels;

/// <summary>
/// One reusable <typeparamref name="T"/> per thread: the work objects the drivers hand <see cref="WorkerPool"/>, so a warm
/// call allocates nothing — also when several threads call at once (a test host's parallel tests, or a stack decoding
/// ranges of its batch side by side), which a single shared slot would leave one of them to allocate.
/// </summary>
internal static class PerThreadCache<T>
    where T : class, new()
{
    [ThreadStatic]
    private static T? t_cached;

    /// <summary>This thread's object, or a new one while it is out (a nested call on the same thread).</summary>
    public static T Rent()
    {
        T? cached = t_cached;
        t_cached = null;
        return cached ?? new T();
    }

    /// <summary>Gives the object back for this thread's next call.</summary>
    public static void Return(T item) => t_cached = item;
}
