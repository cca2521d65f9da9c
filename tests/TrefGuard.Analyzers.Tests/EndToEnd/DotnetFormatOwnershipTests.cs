using System.Linq;
using System.Threading.Tasks;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.EndToEnd;

/// <summary>
/// The mission's three rules fixed the way users fix them in bulk: <c>dotnet format analyzers --diagnostics TG0001
/// TG0002 TG0003 --severity info</c> on a project with violations, after which the project builds with none left.
/// </summary>
public sealed class DotnetFormatOwnershipTests
{
    private const string ProcSource = """
        using System.Text;
        using TrefGuard;

        namespace Sample;

        public static class Proc
        {
            public const int ESRCH = -3;

            public static int ReadStatus(TaskRef r, StringBuilder output)
            {
                var task = r.GetTask();
                if (task is null)
                    return ESRCH;
                if (task.HasExited)
                    return 0;
                output.Append(task.Name);
                task.Put();
                return 0;
            }

            public static int Session(TaskStruct task) => Tref.GetByTask(task, PidType.Sid).Nr;

            public static int CountAlive(TaskStruct[] tasks)
            {
                var alive = 0;
                foreach (var task in tasks)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    if (!r.IsAlive)
                        continue;
                    alive++;
                    r.Put();
                }

                return alive;
            }

            public static bool Peek(TaskRef r) => r.Task != null;
        }
        """;

    private const string TtySource = """
        using TrefGuard;

        namespace Sample;

        public static class Tty
        {
            public static int Follow(TaskStruct leader, TaskStruct session)
            {
                var r = Tref.GetByTask(leader, PidType.Pgid);
                r = Tref.GetByTask(session, PidType.Sid);
                var nr = r.Nr;
                r.Put();
                return nr;
            }

            public static int Once(TaskStruct task)
            {
                TaskRef? slot = null;
                Tref.Set(ref slot, Tref.GetByTask(task, PidType.Pid));
                var nr = slot!.Nr;
                Tref.Fini(ref slot);
                return nr;
            }
        }
        """;

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task DotnetFormat_FixesTheMissionsRules_AndTheProjectBuildsClean()
    {
        var result = await DotnetFormatRunner.RunAsync(new[] { ("Proc.cs", ProcSource), ("Tty.cs", TtySource) }, "TG0001", "TG0002", "TG0003");

        Assert.True(result.FormatExitCode == 0, result.Describe());
        Assert.True(result.BuildExitCode == 0, result.Describe());
        Assert.True(result.TrefGuardDiagnostics.Count == 0, result.Describe());
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == "error");
        Assert.Equal(ExpectedProc, result.Sources["Proc.cs"]);
        Assert.Equal(ExpectedTty, result.Sources["Tty.cs"]);
    }

    [Fact]
    [Trait("Category", "EndToEnd")]
    public async Task TheUnfixedProject_HasTheViolations()
    {
        // The same project, built without formatting first: the violations above are real, not an empty test.
        var result = await DotnetFormatRunner.RunAsync(new DotnetFormatRequest
        {
            Sources = { ("Proc.cs", ProcSource), ("Tty.cs", TtySource) },
            DiagnosticIds = { "TG9999" },
        });

        Assert.True(result.BuildExitCode == 0, result.Describe());
        var ids = result.TrefGuardDiagnostics.Select(d => d.Id).Distinct().OrderBy(id => id).ToArray();
        Assert.Equal(new[] { "TG0001", "TG0002", "TG0003" }, ids.Where(id => id is "TG0001" or "TG0002" or "TG0003").ToArray());
        Assert.Equal(4, result.TrefGuardDiagnostics.Count(d => d.Id == "TG0001"));
    }

    private const string ExpectedProc = """
        using System.Text;
        using TrefGuard;

        namespace Sample;

        public static class Proc
        {
            public const int ESRCH = -3;

            public static int ReadStatus(TaskRef r, StringBuilder output)
            {
                var task = r.GetTask();
                if (task is null)
                    return ESRCH;
                try
                {
                    if (task.HasExited)
                        return 0;
                    output.Append(task.Name);
                    return 0;
                }
                finally
                {
                    task.Put();
                }
            }

            public static int Session(TaskStruct task)
            {
                var taskRef = Tref.GetByTask(task, PidType.Sid);
                var result = taskRef.Nr;
                taskRef.Put();
                return result;
            }

            public static int CountAlive(TaskStruct[] tasks)
            {
                var alive = 0;
                foreach (var task in tasks)
                {
                    var r = Tref.GetByTask(task, PidType.Pid);
                    if (!r.IsAlive)
                    {
                        r.Put();
                        continue;
                    }

                    alive++;
                    r.Put();
                }

                return alive;
            }

            public static bool Peek(TaskRef r) => r.IsAlive;
        }
        """;

    private const string ExpectedTty = """
        using TrefGuard;

        namespace Sample;

        public static class Tty
        {
            public static int Follow(TaskStruct leader, TaskStruct session)
            {
                var r = Tref.GetByTask(leader, PidType.Pgid);
                r.Put();
                r = Tref.GetByTask(session, PidType.Sid);
                var nr = r.Nr;
                r.Put();
                return nr;
            }

            public static int Once(TaskStruct task)
            {
                TaskRef? slot = null;
                Tref.Init(ref slot);
                Tref.Set(ref slot, Tref.GetByTask(task, PidType.Pid));
                var nr = slot!.Nr;
                Tref.Fini(ref slot);
                return nr;
            }
        }
        """;
}
