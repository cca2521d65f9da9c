namespace TrefGuard.Analyzers.FlowAnalysis;

/// <summary>Bit-mask helpers for the analyses' states, which keep values and locks as bits of one <see cref="ulong"/>.</summary>
internal static class BitMask
{
    /// <summary>The indexes of the set bits, lowest first, without allocating.</summary>
    public static Enumerator Bits(ulong bits) => new(bits);

    /// <summary>Enumerates the set bits of a mask.</summary>
    public struct Enumerator
    {
        private ulong _remaining;

        public Enumerator(ulong bits)
        {
            _remaining = bits;
            Current = -1;
        }

        public int Current { get; private set; }

        public Enumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_remaining == 0)
            {
                return false;
            }

            var lowest = _remaining & (~_remaining + 1);
            _remaining &= _remaining - 1;
            var index = 0;
            while ((lowest >>= 1) != 0)
            {
                index++;
            }

            Current = index;
            return true;
        }
    }
}
