using System;
using System.Globalization;

namespace TrefGuard.Benchmarks;

/// <summary>
/// The seed's headline: what a holder keeps reachable after the task it tracks exits. For each kind of holder,
/// 10,000 tasks are spawned and tracked, then all exit; the retained heap growth is divided by 10,000.
/// </summary>
internal static class MemoryBenchmark
{
    private const int Tasks = 10_000;
    private const double MaxTrefBytes = 64;
    private const double MinRatio = 100;

    private static readonly object Control = new();

    public static int Run()
    {
        // The control holds nothing: whatever the table itself keeps or gives back is subtracted from the rest,
        // so each figure is what the holder alone keeps reachable.
        Measure("warm-up (discarded)", _ => Control, _ => { }, 0);
        double control = Measure("nothing (control)", _ => Control, _ => { }, 0);
        double strong = Measure("TaskStruct (pinned with Get)", task => task.Get(), held => ((TaskStruct)held).Put(), control);
        double weak = Measure("WeakReference<TaskStruct>", task => new WeakReference<TaskStruct>(task), _ => { }, control);
        double tref = Measure("TaskRef (GetByTask, Pid)", task => Tref.GetByTask(task, PidType.Pid), held => ((TaskRef)held).Put(), control);

        double ratio = strong / Math.Max(tref, 1);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TaskStruct / TaskRef: {ratio:F0}x (target >= {MinRatio}x)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TaskRef: {tref:F1} bytes per exited task (target <= {MaxTrefBytes})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WeakReference<TaskStruct>: {weak:F1} bytes per exited task (holds no id that survives reuse)"));
        bool met = tref <= MaxTrefBytes && ratio >= MinRatio;
        Console.WriteLine(met ? "targets met" : "TARGETS MISSED");
        return met ? 0 : 1;
    }

    private static double Measure(string holder, Func<TaskStruct, object> track, Action<object> release, double control)
    {
        var table = new TaskTable();
        var tasks = new TaskStruct[Tasks];
        var held = new object?[Tasks];

        // Warm up at full size first, so the pid hash's capacity is already there and not counted as retained.
        for (int i = 0; i < Tasks; i++)
        {
            tasks[i] = table.Spawn("task");
        }

        for (int i = 0; i < Tasks; i++)
        {
            table.Exit(tasks[i]);
            tasks[i] = null!;
        }

        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < Tasks; i++)
        {
            tasks[i] = table.Spawn("task");
            held[i] = track(tasks[i]);
        }

        for (int i = 0; i < Tasks; i++)
        {
            table.Exit(tasks[i]);
            tasks[i] = null!;
        }

        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(tasks); // it is part of the baseline: it must not be collected before the second reading
        double raw = (after - before) / (double)Tasks;
        double perTask = raw - control;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{holder,-30} {perTask,8:F1} bytes still reachable per exited task (raw {raw:F1}, control {control:F1})"));

        for (int i = 0; i < Tasks; i++)
        {
            release(held[i]!);
        }

        GC.KeepAlive(held);
        GC.KeepAlive(table);
        return control == 0 ? raw : perTask;
    }
}
