namespace TrefGuard.Analyzers.Tests.Rules;

/// <summary>
/// Users' own handle types, annotated like the runtime: the ownership rules read annotations, not names, so these
/// get the same diagnostics and fixes as TaskRef and TaskStruct.
/// </summary>
internal static class OwnershipHandles
{
    /// <summary>
    /// The SafeHandle lines of the shipped external annotations: DangerousAddRef is void (it reports success through
    /// <c>ref bool</c>), so the count it takes is owned through its receiver; DangerousRelease gives it back.
    /// </summary>
    public const string SafeHandleAnnotations = """
        M:System.Runtime.InteropServices.SafeHandle.DangerousAddRef(System.Boolean@) AcquiresReference
        M:System.Runtime.InteropServices.SafeHandle.DangerousRelease ReleasesReference
        """;

    /// <summary>A pool lease (Rent/Return on the pool), a SafeHandle-style pair, and an entity handle with a static close.</summary>
    public const string Source = """

        namespace Handles
        {
            using TrefGuard.Annotations;

            public sealed class Lease
            {
                public byte[] Buffer { get; } = new byte[16];

                public int Length => Buffer.Length;
            }

            public sealed class LeasePool
            {
                [AcquiresReference]
                public Lease Rent(int size) => new Lease();

                public void Return([ReleasesReference] Lease lease) { }
            }

            public sealed class NativeHandle
            {
                private int _count;

                [AcquiresReference]
                public NativeHandle DangerousAddRef()
                {
                    _count++;
                    return this;
                }

                [ReleasesReference]
                public void DangerousRelease() => _count--;

                public nint DangerousGetHandle() => 42;
            }

            public sealed class EntityHandle
            {
                public int Id { get; init; }

                public int Generation { get; init; }
            }

            public static class Entities
            {
                [AcquiresReference]
                public static EntityHandle Open(int id) => new EntityHandle { Id = id, Generation = 1 };

                public static void Close([ReleasesReference] EntityHandle handle) { }

                public static bool IsCurrent(EntityHandle handle) => handle.Generation > 0;
            }
        }
        """;
}
