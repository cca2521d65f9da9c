using System;
using System.Threading;

namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// The values made for the last few keys (compared by reference), shared by threads without a lock.
/// <para>
/// The analyzers of a compilation ask for the same operation tree's scan, or the same graph's shape, one after another
/// while the driver works through one member's callbacks. A <c>ConditionalWeakTable</c> kept every key of the
/// compilation: a GC handle per tree or graph, made under a lock and walked by every collection, which cost more than
/// the lookups it saved. A value here is the same whoever makes it, so a key that fell out is simply made again.
/// </para>
/// </summary>
internal sealed class RecentCache<TKey, TValue>
    where TKey : class
    where TValue : class
{
    private readonly CacheEntry<TKey, TValue>?[] _entries;
    private int _next = -1;

    /// <param name="capacity">
    /// Enough for the members the driver has in hand at once: one per worker thread, with room to spare.
    /// </param>
    public RecentCache(int capacity)
    {
        if (capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "A cache holds at least one entry.");
        }

        _entries = new CacheEntry<TKey, TValue>?[capacity];
    }

    [System.Runtime.CompilerServices.MethodImpl(JitOptions.AggressiveOptimization)]
    public TValue GetOrAdd<TArgument>(TKey key, TArgument argument, Func<TKey, TArgument, TValue> create)
    {
        var entries = _entries;

        // Newest first: the analyzers of a member ask for its key one after another, so a hit is mostly the last entry
        // made.
        var newest = (int)((uint)Volatile.Read(ref _next) % (uint)entries.Length);
        for (var age = 0; age < entries.Length; age++)
        {
            var index = newest - age;
            if (index < 0)
            {
                index += entries.Length;
            }

            // A plain read of the slot: a reference is never torn, and an entry is immutable. `Volatile.Read(ref
            // entries[index])` took a reference to the element, which in this shared generic code is a type check.
            var entry = entries[index];
            if (entry is not null && ReferenceEquals(entry.Key, key))
            {
                return entry.Value;
            }
        }

        var value = create(key, argument);
        var slot = (int)((uint)Interlocked.Increment(ref _next) % (uint)entries.Length);
        Volatile.Write(ref entries[slot], new CacheEntry<TKey, TValue>(key, value));
        return value;
    }
}
