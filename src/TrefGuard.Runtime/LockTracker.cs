using System;
using System.Runtime.CompilerServices;

namespace TrefGuard;

/// <summary>
/// Which tasklist locks the current thread holds. ReaderWriterLockSlim knows this too, but asking it costs a
/// lookup per lock; the discipline checks run on every Put and every guarded read, so they read a thread-local
/// array that is empty on the common path.
/// </summary>
internal static class LockTracker
{
    /// <summary>One thread-local object, so each check is a single thread-static read.</summary>
    [ThreadStatic]
    private static ThreadLocks? t_locks;

    /// <summary>True when the current thread holds any table's lock (the kernel's might_sleep does not care which).</summary>
    internal static bool HoldsAny => t_locks is { Count: > 0 };

    /// <summary>
    /// Whether the current thread holds <paramref name="table"/>'s lock. Inlined, and answered by the most recent
    /// acquisition in the common case, because CheckLocks runs it on every guarded read.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool Holds(TaskTable table)
    {
        ThreadLocks? locks = t_locks;
        return locks is not null && (ReferenceEquals(locks.Top, table) || (locks.Count > 1 && HoldsDeep(locks, table)));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool HoldsDeep(ThreadLocks locks, TaskTable table)
    {
        Held[] held = locks.Entries;
        for (int i = 0; i < locks.Count; i++)
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
        ThreadLocks? locks = t_locks;
        if (locks is null)
        {
            return false;
        }

        for (int i = 0; i < locks.Count; i++)
        {
            if (ReferenceEquals(locks.Entries[i].Table, table))
            {
                return locks.Entries[i].Write;
            }
        }

        return false;
    }

    internal static bool IsCurrent(TaskTable table, long sequence)
    {
        ThreadLocks? locks = t_locks;
        if (locks is null)
        {
            return false;
        }

        for (int i = 0; i < locks.Count; i++)
        {
            if (locks.Entries[i].Sequence == sequence && ReferenceEquals(locks.Entries[i].Table, table))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records an acquisition; the sequence number lets a stale guard's second Dispose do nothing.</summary>
    internal static long Push(TaskTable table, bool write)
    {
        ThreadLocks locks = t_locks ??= new ThreadLocks();
        if (locks.Count == locks.Entries.Length)
        {
            Array.Resize(ref locks.Entries, locks.Entries.Length * 2);
        }

        long sequence = ++locks.Sequence;
        locks.Entries[locks.Count++] = new Held(table, sequence, write);
        locks.Top = table;
        return sequence;
    }

    internal static bool TryRemove(TaskTable table, long sequence, out bool write)
    {
        ThreadLocks? locks = t_locks;
        if (locks is not null)
        {
            Held[] held = locks.Entries;
            int count = locks.Count;
            for (int i = count - 1; i >= 0; i--)
            {
                if (held[i].Sequence == sequence && ReferenceEquals(held[i].Table, table))
                {
                    write = held[i].Write;
                    Array.Copy(held, i + 1, held, i, count - i - 1);
                    held[count - 1] = default;
                    locks.Count = count - 1;
                    locks.Top = count > 1 ? held[count - 2].Table : null;
                    return true;
                }
            }
        }

        write = false;
        return false;
    }

    private sealed class ThreadLocks
    {
        public Held[] Entries = new Held[4];
        public int Count;
        public long Sequence;

        /// <summary>The table of the most recent acquisition still held, or null when none is held.</summary>
        public TaskTable? Top;
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
