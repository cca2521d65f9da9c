using System;
using System.Collections.Generic;
using System.Linq;
using AsyncNotify;
using TrefGuard;

// Files that signal their owner when input arrives (fcntl F_SETOWN + O_ASYNC). Two registries watch the same
// files: one holds trefs, the other pid numbers. A small pid space (PidMax 128) makes a number come back soon.
var table = new TaskTable(new TaskTableOptions { PidMax = 128, TrackLeaks = true });
var numbers = new PidNumberOwners(table);

TaskStruct init = table.Spawn("init");
TaskStruct modemd = table.Spawn("modemd", init);
TaskStruct httpd = table.Spawn("httpd", init);
table.SetPgid(httpd, 0);
TaskStruct worker1 = table.Spawn("httpd-worker", httpd);
TaskStruct worker2 = table.Spawn("httpd-worker", httpd);
int modemPid = modemd.Pid;
int httpdGroup = httpd.Pgid;
Console.WriteLine($"modemd is pid {modemPid}; httpd leads group {httpdGroup} with workers {worker1.Pid} and {worker2.Pid}");

using (var files = new OpenFiles(table))
{
    int tty = files.Open("/dev/ttyS0");
    int socket = files.Open("socket:[8080]");

    SetOwn(tty, modemPid);
    SetOwn(socket, -httpdGroup);
    Console.WriteLine();
    Report(tty);
    Report(socket);

    Console.WriteLine();
    Console.WriteLine($"data on {files.PathOf(tty)}: SIGIO reached {files.DataArrived(tty)} task(s); modemd pending: {Pending(modemd)}");
    Console.WriteLine($"connection on {files.PathOf(socket)}: SIGIO reached {files.DataArrived(socket)} task(s); pending: httpd {Pending(httpd)}, workers {Pending(worker1)} / {Pending(worker2)}");

    Console.WriteLine();
    Console.WriteLine($"httpd (pid {httpd.Pid}, the group's leader) exits; its workers stay in group {httpdGroup}");
    table.Exit(httpd);
    Report(socket);
    Console.WriteLine($"connection on {files.PathOf(socket)}: SIGIO reached {files.DataArrived(socket)} task(s); workers pending: {Pending(worker1)} / {Pending(worker2)}");

    Console.WriteLine();
    Console.WriteLine($"modemd (pid {modemPid}) crashes");
    table.Exit(modemd);
    Report(tty);

    // cron keeps starting short jobs; the pid allocator wraps and hands modemd's number to one of them.
    TaskStruct? backup = null;
    int forks = 0;
    while (backup is null && forks < 2 * table.PidMax)
    {
        TaskStruct job = table.Spawn("backup", init);
        forks++;
        if (job.Pid == modemPid)
        {
            backup = job;
        }
        else
        {
            table.Exit(job);
        }
    }

    if (backup is null)
    {
        throw new InvalidOperationException($"pid {modemPid} was never handed out again in {forks} forks.");
    }

    Console.WriteLine($"{forks} forks later the pids wrapped: 'backup' is now pid {backup.Pid}, modemd's old number");
    Report(tty);

    Console.WriteLine();
    Console.WriteLine($"data on {files.PathOf(tty)}:");
    Console.WriteLine($"  tref registry: SIGIO reached {files.DataArrived(tty)} task(s); backup (pid {backup.Pid}) pending: {Pending(backup)}");
    Console.WriteLine($"  pid-number registry: SIGIO reached {numbers.DataArrived(tty)} task(s); backup (pid {backup.Pid}) pending: {Pending(backup)}");

    Console.WriteLine();
    Console.WriteLine("the workers exit");
    table.Exit(worker1);
    table.Exit(worker2);
    Report(socket);

    Console.WriteLine();
    Console.WriteLine("F_SETOWN can be given a new owner at any time; the old reference is put by Tref.Set");
    SetOwn(tty, backup.Pid);
    Report(tty);
    Console.WriteLine($"data on {files.PathOf(tty)}: SIGIO reached {files.DataArrived(tty)} task(s); backup pending: {Pending(backup)}");
    table.Exit(backup);

    void SetOwn(int fd, int pid)
    {
        files.SetOwn(fd, pid);
        numbers.SetOwn(fd, pid);
        Console.WriteLine($"fcntl({fd} {files.PathOf(fd)}, F_SETOWN, {pid})");
    }

    void Report(int fd) =>
        Console.WriteLine($"fcntl({fd} {files.PathOf(fd)}, F_GETOWN) = {files.GetOwn(fd)}   (a pid-number registry would say {numbers.GetOwn(fd)})");
}

// Closing the files put every owner reference they held.
Console.WriteLine();
Console.WriteLine($"files closed; outstanding references: {table.OutstandingRefs.Count}");

static string Pending(TaskStruct task)
{
    IReadOnlyList<int> signals = task.TakePendingSignals();
    return signals.Count == 0 ? "none" : string.Join(",", signals.Select(s => s == OpenFiles.SIGIO ? "SIGIO" : $"signal {s}"));
}
