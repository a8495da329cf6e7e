using System;
using System.ComponentModel;

namespace Attend.Kernels;

/// <summary>
/// Working memory for a generated layer's <c>Forward</c> (the projected Q, K, V and the attention context), one
/// buffer per calling thread that grows to the largest call it has seen and is then reused: a warm
/// <c>Forward</c> allocates nothing, and concurrent calls from different threads never share a buffer.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)] // only generated code calls it: kept out of users' IntelliSense
public static class LayerScratch
{
    [ThreadStatic]
    private static float[]? t_buffer;

    /// <summary>
    /// This thread's buffer, at least <paramref name="length"/> floats (contents undefined). Valid until the thread's
    /// next call; a generated Forward calls it once and uses the buffer until it returns.
    /// </summary>
    public static float[] Rent(int length)
    {
        float[]? buffer = t_buffer;
        if (buffer is null || buffer.Length < length)
        {
            buffer = GC.AllocateUninitializedArray<float>(length);
            t_buffer = buffer;
        }

        return buffer;
    }
}
