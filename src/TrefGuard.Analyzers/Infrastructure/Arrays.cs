using System;

namespace TrefGuard.Analyzers.Infrastructure;

internal static class Arrays
{
    /// <summary>
    /// A copy of a small array. The flow states copy their arrays at every branch: <see cref="Array.Clone"/> goes through
    /// the runtime's generic object clone, several times slower for arrays of a few elements than a new array and a copy.
    /// </summary>
    public static T[] CopyOf<T>(T[] array)
    {
        if (array.Length == 0)
        {
            return array;
        }

        var copy = new T[array.Length];
        Array.Copy(array, copy, array.Length);
        return copy;
    }
}
