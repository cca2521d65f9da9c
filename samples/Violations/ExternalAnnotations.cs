using System.Buffers;
using System.IO;

namespace Violations;

/// <summary>APIs the project cannot annotate, checked through TrefGuard.annotations.txt.</summary>
internal static class ExternalAnnotations
{
    // TG0001: ArrayPool.Rent is [AcquiresReference] by the annotations file; the early return never gives the buffer back.
    public static int FirstByte(Stream stream)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
        int read = stream.Read(buffer, 0, 1);
        if (read == 0)
        {
            return -1;
        }

        int first = buffer[0];
        ArrayPool<byte>.Shared.Return(buffer);
        return first;
    }
}
