using System;
using System.Collections.Generic;
using System.Linq;
using JobControl;
using TrefGuard;

// A shell session with job control on a terminal whose session and foreground group are trefs. The pid space
// is tiny (PidMax 64) so that numbers wrap after a few dozen commands, as they do on a busy machine.
const int SIGINT = 2;

var table = new TaskTable(new TaskTableOptions { PidMax = 64, TrackLeaks = true });
Console.WriteLine($"pid space: 1..{table.PidMax - 1}, wrapping back to {table.ReservedPids}");

TaskStruct bash = table.Spawn("bash");
Console.WriteLine($"bash starts as pid {bash.Pid}: it leads session {bash.Sid} and process group {bash.Pgid}");

var jobs = new List<Job>();
using (var tty = new Terminal(table, "tty1"))
{
    try
    {
        RunSession(tty);
    }
    finally
    {
        foreach (Job job in jobs)
        {
            job.Dispose();
        }
    }
}

// Every job and the terminal released what they held: nothing of the table is still owned.
Console.WriteLine();
Console.WriteLine($"outstanding references after the terminal is closed: {table.OutstandingRefs.Count}");

void RunSession(Terminal tty)
{
    tty.AttachSession(bash);
    Console.WriteLine($"bash opens /dev/{tty.Name}; {tty.DescribeSession()}; {tty.DescribeForeground()}");

    Console.WriteLine();
    Console.WriteLine("$ sleep 100 &");
    TaskStruct sleep = Fork("sleep", pgid: 0);
    jobs.Add(new Job(1, "sleep 100 &", sleep));
    Console.WriteLine($"[1] {sleep.Pid}   (a background job in its own group {sleep.Pgid})");

    Console.WriteLine();
    Console.WriteLine("$ find / -name '*.c' | grep tref");
    TaskStruct find = Fork("find", pgid: 0);
    TaskStruct grep = Fork("grep", pgid: find.Pgid);
    int pipeline = find.Pgid;
    jobs.Add(new Job(2, "find / -name '*.c' | grep tref", find));
    tty.SetForeground(pipeline);
    Console.WriteLine($"the pipeline is group {pipeline} (find {find.Pid}, grep {grep.Pid}); tcsetpgrp({pipeline})");
    Console.WriteLine($"tty: {tty.DescribeForeground()}");

    Console.WriteLine();
    Console.WriteLine($"find (pid {find.Pid}, the group's leader) finishes first and exits");
    table.Exit(find);
    Console.WriteLine($"tty: {tty.DescribeForeground()}; tcgetpgrp = {Show(tty.ForegroundGroup)}");

    Console.WriteLine();
    Console.WriteLine("^C");
    int interrupted = tty.SignalForeground(SIGINT);
    Console.WriteLine($"SIGINT reached {interrupted} process(es) of the foreground group");
    Console.WriteLine($"pending: grep {Pending(grep)}, sleep {Pending(sleep)} (background jobs are not interrupted)");
    Console.WriteLine($"grep (pid {grep.Pid}) dies of SIGINT: the pipeline's group has no member left");
    table.Exit(grep);
    Console.WriteLine($"tty: {tty.DescribeForeground()}; tcgetpgrp = {Show(tty.ForegroundGroup)}");
    PrintJobs();

    Console.WriteLine();
    Console.WriteLine("$ for i in $(seq 100); do true & done     (each background job gets its own group)");
    TaskStruct? reuser = null;
    int started = 0;
    int highest = 0;
    while (reuser is null && started < 2 * table.PidMax)
    {
        TaskStruct job = Fork("true", pgid: 0);
        started++;
        highest = Math.Max(highest, job.Pid);
        if (job.Pid == pipeline)
        {
            // This one is still running when the next key arrives; the others are done already.
            reuser = job;
        }
        else
        {
            table.Exit(job);
        }
    }

    if (reuser is null)
    {
        throw new InvalidOperationException($"pid {pipeline} was never handed out again in {started} forks.");
    }

    Console.WriteLine($"{started} jobs: pids up to {highest}, then wrapped; 'true' got pid {reuser.Pid} and leads a new group {reuser.Pgid}");
    Console.WriteLine($"tty: {tty.DescribeForeground()}; tcgetpgrp = {Show(tty.ForegroundGroup)}");
    Console.WriteLine($"a terminal that kept only the number {pipeline}: {DescribeByNumber(pipeline)}");

    Console.WriteLine();
    Console.WriteLine("^C");
    interrupted = tty.SignalForeground(SIGINT);
    Console.WriteLine($"SIGINT reached {interrupted} process(es); pending: true (pid {reuser.Pid}) {Pending(reuser)}");
    table.Exit(reuser);

    Console.WriteLine();
    Console.WriteLine("bash takes the terminal back");
    tty.SetForeground(bash.Pgid);
    Console.WriteLine($"tty: {tty.DescribeForeground()}");
    PrintJobs();

    Console.WriteLine();
    Console.WriteLine($"$ logout   (bash, pid {bash.Pid}, exits; its background job keeps the session alive)");
    table.Exit(bash);
    Console.WriteLine($"tty: {tty.DescribeSession()}; {tty.DescribeForeground()}");
    Console.WriteLine($"sleep (pid {sleep.Pid}) exits");
    table.Exit(sleep);
    Console.WriteLine($"tty: {tty.DescribeSession()}; has a session: {tty.HasSession}");
}

// fork() from bash, then setpgid(child, pgid) as an interactive shell does for every job (0: a group of its own).
TaskStruct Fork(string name, int pgid)
{
    TaskStruct child = table.Spawn(name, bash);
    table.SetPgid(child, pgid);
    return child;
}

void PrintJobs()
{
    Console.WriteLine("$ jobs");
    foreach (Job job in jobs)
    {
        Console.WriteLine(job.Describe());
    }
}

// What the pid number alone says now: whoever holds it, which is not the group the terminal was given.
string DescribeByNumber(int pgid)
{
    using var guard = table.ReadLock();
    TaskStruct? holder = table.FindTask(pgid, PidType.Pgid);
    return holder is null
        ? $"no group {pgid}"
        : $"group {pgid} is now '{holder.Name}' (pid {holder.Pid}), a process the terminal was never given";
}

static string Pending(TaskStruct task)
{
    IReadOnlyList<int> signals = task.TakePendingSignals();
    return signals.Count == 0 ? "none" : string.Join(",", signals.Select(s => s == SIGINT ? "SIGINT" : $"signal {s}"));
}

static string Show(int? pgid) => pgid is { } value ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
