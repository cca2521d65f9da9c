using System.Collections.Generic;
using System.Threading.Tasks;
using TrefGuard.CodeFixes;
using Xunit;
using Verify = TrefGuard.Analyzers.Tests.Verifiers.CodeFixVerifier<TrefGuard.Analyzers.Rules.OwnershipAnalyzer, TrefGuard.CodeFixes.MissedPutFixer>;

namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>
/// TG0001 for counts taken through a receiver: SafeHandle.DangerousAddRef (void, annotated by the shipped external
/// annotations) acquires a count owned through the local or parameter it is called on, released by DangerousRelease.
/// </summary>
public sealed partial class TG0001MissedPutTests
{
    [Fact]
    public async Task DangerousAddRefWithoutRelease_OnAnEarlyReturn_IsReleasedThroughTheReceiver()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static long Peek(SafeHandle handle, bool dry)
                    {
                        bool ok = false;
                        {|#0:handle.DangerousAddRef(ref ok)|};
                        if (dry)
                            return 0;
                        var value = (long)handle.DangerousGetHandle();
                        handle.DangerousRelease();
                        return value;
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("handle", "return", 10) },
            FixedCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static long Peek(SafeHandle handle, bool dry)
                    {
                        bool ok = false;
                        handle.DangerousAddRef(ref ok);
                        if (dry)
                        {
                            handle.DangerousRelease();
                            return 0;
                        }

                        var value = (long)handle.DangerousGetHandle();
                        handle.DangerousRelease();
                        return value;
                    }
                }
                """,
            AnalyzerConfig = NoExceptionPaths,
            CodeActionEquivalenceKey = MissedPutFixer.AddPutKey,
        }.RunAsync();
    }

    [Fact]
    public async Task DangerousAddRefNeverReleased_WhereTheScopeCanThrow_IsReleasedInAFinally()
    {
        await new Verify.Test
        {
            TestCode = """
                using System;
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Print(SafeHandle handle)
                    {
                        var ok = false;
                        {|#0:handle.DangerousAddRef(ref ok)|};
                        Console.WriteLine(handle.DangerousGetHandle());
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("handle", "end of the method", 11) },
            FixedCode = """
                using System;
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Print(SafeHandle handle)
                    {
                        var ok = false;
                        handle.DangerousAddRef(ref ok);
                        try
                        {
                            Console.WriteLine(handle.DangerousGetHandle());
                        }
                        finally
                        {
                            handle.DangerousRelease();
                        }
                    }
                }
                """,
        }.RunAsync();
    }

    [Fact]
    public async Task DisposeDoesNotBalanceDangerousAddRef()
    {
        await new Verify.Test
        {
            TestCode = """
                using Microsoft.Win32.SafeHandles;

                class Files
                {
                    static void Close(SafeFileHandle file)
                    {
                        bool ok = false;
                        {|#0:file.DangerousAddRef(ref ok)|};
                        file.Dispose();
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("file", "end of the method", 10) },
        }.RunAsync();
    }

    [Fact]
    public async Task DangerousAddRefOnALocal_LeakedAtTheEndOfItsBlock_IsReported()
    {
        await new Verify.Test
        {
            TestCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Each(SafeHandle[] handles)
                    {
                        foreach (var handle in handles)
                        {
                            bool ok = false;
                            {|#0:handle.DangerousAddRef(ref ok)|};
                        }
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0001").WithLocation(0).WithArguments("handle", "end of the block", 11) },
        }.RunAsync();
    }

    [Fact]
    public async Task TwoCountsOnOneHandle_AreGivenUp_NoDoubleRelease()
    {
        // Nested counts on one variable are more than a release can tell apart: the analysis stops following them
        // (no TG0004 on the second release). The first count does leak if the second DangerousAddRef throws.
        await new Verify.Test
        {
            TestCode = """
                using System.Runtime.InteropServices;

                class Native
                {
                    static void Twice(SafeHandle handle)
                    {
                        bool first = false;
                        bool second = false;
                        {|#0:handle.DangerousAddRef(ref first)|};
                        handle.DangerousAddRef(ref second);
                        handle.DangerousRelease();
                        handle.DangerousRelease();
                    }
                }
                """,
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
            ExpectedDiagnostics = { Verify.Diagnostic("TG0010").WithLocation(0).WithArguments("handle", "call to 'DangerousAddRef'", 10) },
        }.RunAsync();
    }

    private static readonly Dictionary<string, string> s_receiverSilent = new()
    {
        ["RefBoolIdiomInTryFinally"] = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Print(SafeHandle handle)
                {
                    bool ok = false;
                    try
                    {
                        handle.DangerousAddRef(ref ok);
                        Console.WriteLine(handle.DangerousGetHandle());
                    }
                    finally
                    {
                        if (ok)
                        {
                            handle.DangerousRelease();
                        }
                    }
                }
            }
            """,
        ["EarlyReturnWhenTheFlagIsFalse"] = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Print(SafeHandle handle)
                {
                    var ok = false;
                    handle.DangerousAddRef(ref ok);
                    if (!ok)
                    {
                        return;
                    }

                    try
                    {
                        Console.WriteLine(handle.DangerousGetHandle());
                    }
                    finally
                    {
                        handle.DangerousRelease();
                    }
                }
            }
            """,
        ["TheHandleIsStillAnObjectAfterTheRelease"] = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static bool Touch(SafeHandle handle)
                {
                    bool ok = false;
                    handle.DangerousAddRef(ref ok);
                    handle.DangerousRelease();
                    Console.WriteLine(handle);
                    return handle.IsClosed || handle.IsInvalid;
                }
            }
            """,
        ["UsingDeclaredHandleDisposedAfterTheRelease"] = """
            using System;
            using Microsoft.Win32.SafeHandles;

            class Files
            {
                static void Print(Func<SafeFileHandle> open)
                {
                    using var file = open();
                    bool ok = false;
                    try
                    {
                        file.DangerousAddRef(ref ok);
                        Console.WriteLine(file.DangerousGetHandle());
                    }
                    finally
                    {
                        if (ok)
                        {
                            file.DangerousRelease();
                        }
                    }
                }
            }
            """,
        ["FieldAndThisReceiversAreNotFollowed"] = """
            using System;
            using System.Runtime.InteropServices;

            sealed class Session : IDisposable
            {
                private readonly SafeHandle _handle;
                private bool _added;

                public Session(SafeHandle handle)
                {
                    _handle = handle;
                    _handle.DangerousAddRef(ref _added);
                }

                public void Dispose()
                {
                    if (_added)
                    {
                        _handle.DangerousRelease();
                    }
                }
            }

            sealed class Pinned : SafeHandle
            {
                public Pinned() : base(IntPtr.Zero, ownsHandle: true)
                {
                    bool ok = false;
                    DangerousAddRef(ref ok);
                }

                public override bool IsInvalid => handle == IntPtr.Zero;

                protected override bool ReleaseHandle() => true;
            }
            """,
        ["HandedOnWithItsCount"] = """
            using System.Runtime.InteropServices;

            class Native
            {
                static SafeHandle Pin(SafeHandle handle)
                {
                    bool ok = false;
                    handle.DangerousAddRef(ref ok);
                    return handle;
                }
            }
            """,
        ["EveryIterationReleasesItsCount"] = """
            using System;
            using System.Runtime.InteropServices;

            class Native
            {
                static void Each(SafeHandle[] handles)
                {
                    foreach (var handle in handles)
                    {
                        bool ok = false;
                        try
                        {
                            handle.DangerousAddRef(ref ok);
                            Console.WriteLine(handle.DangerousGetHandle());
                        }
                        finally
                        {
                            if (ok)
                            {
                                handle.DangerousRelease();
                            }
                        }
                    }
                }
            }
            """,
    };

    public static TheoryData<string> ReceiverSilentCases()
    {
        var data = new TheoryData<string>();
        foreach (var name in s_receiverSilent.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReceiverSilentCases))]
    public async Task ReceiverCountsReleasedOrNotFollowed_AreSilent(string name)
    {
        await new Verify.Test
        {
            TestCode = s_receiverSilent[name],
            AdditionalFiles = { ("TrefGuard.annotations.txt", OwnershipHandles.SafeHandleAnnotations) },
        }.RunAsync();
    }
}
