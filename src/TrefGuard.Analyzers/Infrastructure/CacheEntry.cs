namespace TrefGuard.Analyzers.Infrastructure;

/// <summary>
/// A key and the value made for it, as one object: a slot of a table that threads share without a lock holds one
/// reference, which is read or replaced whole.
/// </summary>
internal sealed class CacheEntry<TKey, TValue>
{
    public CacheEntry(TKey key, TValue value)
    {
        Key = key;
        Value = value;
    }

    public TKey Key { get; }

    public TValue Value { get; }
}
