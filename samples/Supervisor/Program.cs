using System;
using System.Collections.Generic;
using System.Globalization;
using Supervisor;
using TrefGuard;

// A supervisor that starts 5000 short-lived workers in waves of 50 and keeps a record of each. Run twice: once
// recording children by tref, once by pinned TaskStruct (a strong task reference), and compare the memory held
// once they have all exited. Pids wrap several times (PidMax 1024), as on a long-running host.
const int Children = 5000;
const int Wave = 50;
const int PidMax = 1024;

Console.WriteLine($"{Children} workers in waves of {Wave}, pid space 1..{PidMax - 1}, {new TaskTableOptions().StackSize} bytes of stack per task");
Console.WriteLine();

long trefBytes = Run("trefs", child => new TrefChild(child));
Console.WriteLine();
long pinnedBytes = Run("TaskStruct references", child => new PinnedChild(child));

Console.WriteLine();
double ratio = (double)pinnedBytes / Math.Max(1, trefBytes);
Console.WriteLine($"memory held: trefs {Kib(trefBytes)} KiB, TaskStruct references {Kib(pinnedBytes)} KiB: {ratio.ToString("F1", CultureInfo.InvariantCulture)}x");

static long Run(string how, Func<TaskStruct, ITrackedChild> track)
{
    var table = new TaskTable(new TaskTableOptions { PidMax = PidMax });
    TaskStruct self = table.Spawn("supervisor");
    long baseline = GC.GetTotalMemory(forceFullCollection: true);
    long held;
    int wraps = 0;
    using (var supervisor = new ChildSupervisor(table, self, track))
    {
        var running = new List<TaskStruct>(Wave);
        int lastPid = 0;
        for (int started = 0; started < Children; started += Wave)
        {
            // The previous wave finishes as the next one starts.
            foreach (TaskStruct done in running)
            {
                table.Exit(done);
            }

            running.Clear();
            for (int i = 0; i < Wave; i++)
            {
                TaskStruct child = supervisor.Start("worker");
                if (child.Pid < lastPid)
                {
                    wraps++;
                }

                lastPid = child.Pid;
                running.Add(child);
            }

            if (started + Wave == Children)
            {
                Console.WriteLine($"[{how}] last wave running: {supervisor.CountRunning()} of {supervisor.Started} records say running; by pid number {supervisor.CountRunningByNumber()} do (pids wrapped {wraps} times)");
            }
        }

        foreach (TaskStruct done in running)
        {
            table.Exit(done);
        }

        running.Clear();
        held = GC.GetTotalMemory(forceFullCollection: true) - baseline;
        Console.WriteLine($"[{how}] all {supervisor.Started} workers exited: {supervisor.CountRunning()} records say running; memory held by the records: {Kib(held)} KiB ({held / Children} bytes per child)");
    }

    long afterDispose = GC.GetTotalMemory(forceFullCollection: true) - baseline;
    Console.WriteLine($"[{how}] records dropped: {Kib(afterDispose)} KiB held, outstanding references: {table.OutstandingRefs.Count}");
    table.Exit(self);
    return held;
}

static string Kib(long bytes) => (bytes / 1024.0).ToString("F1", CultureInfo.InvariantCulture);
