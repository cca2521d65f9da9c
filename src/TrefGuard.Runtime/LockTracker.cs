using System;

namespace TrefGuard;

/// <summary>
/// Which tasklist locks the current thread holds. ReaderWriterLockSlim knows this too, but asking it costs a
/// lookup per lock; the discipline checks run on every Put and every guarded read, so they read a thread-local
/// array that is empty on the common path.
/// </summary>
internal static class LockTracker
{
    [ThreadStatic]
    private static Held[]? t_held;

    [ThreadStatic]
    private static int t_count;

    [ThreadStatic]
    private static long t_sequence;

    /// <summary>True when the current thread holds any table's lock (the kernel's might_sleep does not care which).</summary>
    internal static bool HoldsAny => t_count != 0;

    internal static bool Holds(TaskTable table)
    {
        int count = t_count;
        if (count == 0)
        {
            return false;
        }

        Held[] held = t_held!;
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(held[i].Table, table))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool HoldsWrite(TaskTable table)
    {
        int count = t_count;
        Held[]? held = t_held;
        for (int i = 0; i < count; i++)
        {
            if (ReferenceEquals(held![i].Table, table))
            {
                return held[i].Write;
            }
        }

        return false;
    }

    internal static bool IsCurrent(TaskTable table, long sequence)
    {
        int count = t_count;
        Held[]? held = t_held;
        for (int i = 0; i < count; i++)
        {
            if (held![i].Sequence == sequence && ReferenceEquals(held[i].Table, table))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records an acquisition; the sequence number lets a stale guard's second Dispose do nothing.</summary>
    internal static long Push(TaskTable table, bool write)
    {
        Held[] held = t_held ??= new Held[4];
        if (t_count == held.Length)
        {
            Array.Resize(ref held, held.Length * 2);
            t_held = held;
        }

        long sequence = ++t_sequence;
        held[t_count++] = new Held(table, sequence, write);
        return sequence;
    }

    internal static bool TryRemove(TaskTable table, long sequence, out bool write)
    {
        int count = t_count;
        Held[]? held = t_held;
        for (int i = count - 1; i >= 0; i--)
        {
            if (held![i].Sequence == sequence && ReferenceEquals(held[i].Table, table))
            {
                write = held[i].Write;
                Array.Copy(held, i + 1, held, i, count - i - 1);
                held[count - 1] = default;
                t_count = count - 1;
                return true;
            }
        }

        write = false;
        return false;
    }

    private readonly struct Held
    {
        public Held(TaskTable table, long sequence, bool write)
        {
            Table = table;
            Sequence = sequence;
            Write = write;
        }

        public TaskTable Table { get; }

        public long Sequence { get; }

        public bool Write { get; }
    }
}
