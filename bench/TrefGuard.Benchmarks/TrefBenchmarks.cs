using System.Threading;
using BenchmarkDotNet.Attributes;

namespace TrefGuard.Benchmarks;

/// <summary>The runtime's hot paths, each next to the primitive it is built on.</summary>
[MemoryDiagnoser]
public class TrefBenchmarks
{
    /// <summary>
    /// Each benchmark repeats its operation this many times per invocation, so the harness's per-call overhead,
    /// which it must estimate and subtract, is small next to what is measured (the pairs take a few ns).
    /// </summary>
    private const int Repeat = 64;
    private const int ReadsPerLock = 1024;

    private readonly ReaderWriterLockSlim _plainLock = new(LockRecursionPolicy.NoRecursion);
    private TaskTable _table = null!;
    private TaskTable _unchecked = null!;
    private TaskStruct _task = null!;
    private TaskRef _ref = null!;
    private TaskRef _uncheckedRef = null!;
    private int _counter;

    [GlobalSetup]
    public void Setup()
    {
        _table = new TaskTable();
        _task = _table.Spawn("bench");
        _ref = Tref.GetByTask(_task, PidType.Pid);
        _unchecked = new TaskTable(new TaskTableOptions { CheckLocks = false });
        _uncheckedRef = Tref.GetByTask(_unchecked.Spawn("bench"), PidType.Pid);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ref.Put();
        _uncheckedRef.Put();
    }

    /// <summary>The floor: one atomic increment and one atomic decrement.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Repeat)]
    public int InterlockedPair()
    {
        int last = 0;
        for (int i = 0; i < Repeat; i++)
        {
            Interlocked.Increment(ref _counter);
            last = Interlocked.Decrement(ref _counter);
        }

        return last;
    }

    /// <summary>tref_get + tref_put on a tref that stays owned: two CAS loops and the lock-held check.</summary>
    [Benchmark(OperationsPerInvoke = Repeat)]
    public void GetPut()
    {
        TaskRef r = _ref;
        for (int i = 0; i < Repeat; i++)
        {
            r.Get().Put();
        }
    }

    /// <summary>The primitive under GetByTask: a reader-writer lock's read enter and exit.</summary>
    [Benchmark(OperationsPerInvoke = Repeat)]
    public void ReaderWriterLockSlimRead()
    {
        ReaderWriterLockSlim plain = _plainLock;
        for (int i = 0; i < Repeat; i++)
        {
            plain.EnterReadLock();
            plain.ExitReadLock();
        }
    }

    /// <summary>tref_get_by_task finding the existing tref (read lock, hash of the task, CAS), then its put.</summary>
    [Benchmark(OperationsPerInvoke = Repeat)]
    public void GetByTaskExistingPut()
    {
        TaskStruct task = _task;
        for (int i = 0; i < Repeat; i++)
        {
            Tref.GetByTask(task, PidType.Pid).Put();
        }
    }

    /// <summary>get_tref_task + put_task_struct: pin the named task under the read lock, then unpin it.</summary>
    [Benchmark(OperationsPerInvoke = Repeat)]
    public void GetTaskPut()
    {
        TaskRef r = _ref;
        for (int i = 0; i < Repeat; i++)
        {
            r.GetTask()?.Put();
        }
    }

    /// <summary>A raw TaskRef.Task read under an already-held read lock, with CheckLocks (the default).</summary>
    [Benchmark(OperationsPerInvoke = ReadsPerLock)]
    public TaskStruct? RawTaskReadChecked()
    {
        TaskStruct? last = null;
        using (_table.ReadLock())
        {
            for (int i = 0; i < ReadsPerLock; i++)
            {
                last = _ref.Task;
            }
        }

        return last;
    }

    /// <summary>The same read on a table built with CheckLocks = false.</summary>
    [Benchmark(OperationsPerInvoke = ReadsPerLock)]
    public TaskStruct? RawTaskReadUnchecked()
    {
        TaskStruct? last = null;
        using (_unchecked.ReadLock())
        {
            for (int i = 0; i < ReadsPerLock; i++)
            {
                last = _uncheckedRef.Task;
            }
        }

        return last;
    }
}
