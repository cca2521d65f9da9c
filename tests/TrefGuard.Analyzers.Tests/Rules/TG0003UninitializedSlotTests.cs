using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.SlotAnalyzer, TrefGuard.CodeFixes.UninitializedSlotFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

public sealed class TG0003UninitializedSlotTests
{
    [Fact]
    public Task Fix_LocalAfterDeclaration()
        => Verify.VerifyFixAsync("""
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    [|Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid))|];
                    Tref.Fini(ref slot);
                }
            }
            """, """
            using TrefGuard;

            class C
            {
                void M(TaskStruct t)
                {
                    TaskRef? slot = null;
                    Tref.Init(ref slot);
                    Tref.Set(ref slot, Tref.GetByTask(t, PidType.Pid));
                    Tref.Fini(ref slot);
                }
            }
            """);

    [Fact]
    public Task Fix_NewConstructor()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _ref;
                private TaskRef? _other;

                public void Bind(TaskStruct t) => [|Tref.Set(ref _ref, Tref.GetByTask(t, PidType.Pid))|];

                public void Dispose()
                {
                    [|Tref.Fini(ref _ref)|];
                    [|Tref.Fini(ref _other)|];
                }
            }
            """, """
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _ref;
                private TaskRef? _other;

                public ProcInode()
                {
                    Tref.Init(ref _ref);
                    Tref.Init(ref _other);
                }

                public void Bind(TaskStruct t) => Tref.Set(ref _ref, Tref.GetByTask(t, PidType.Pid));

                public void Dispose()
                {
                    Tref.Fini(ref _ref);
                    Tref.Fini(ref _other);
                }
            }
            """);

    [Fact]
    public Task Fix_SetBeforeInitInConstructor()
        => Verify.VerifyFixAsync("""
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _ref;

                public ProcInode(TaskStruct t)
                {
                    [|Tref.Set(ref _ref, Tref.GetByTask(t, PidType.Pid))|];
                    Tref.Init(ref _ref);
                }

                public void Dispose() => Tref.Fini(ref _ref);
            }
            """, """
            using System;
            using TrefGuard;

            sealed class ProcInode : IDisposable
            {
                private TaskRef? _ref;

                public ProcInode(TaskStruct t)
                {
                    Tref.Init(ref _ref);
                    Tref.Set(ref _ref, Tref.GetByTask(t, PidType.Pid));
                }

                public void Dispose() => Tref.Fini(ref _ref);
            }
            """);
}
