using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using TrefGuard.Analyzers.Infrastructure;
using Xunit;

namespace TrefGuard.Analyzers.Tests.Infrastructure;

/// <summary>The cache the analyzers share scans and graph shapes through: a miss may only cost making a value again.</summary>
public sealed class RecentCacheTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_capacity_below_one_is_refused_by_name(int capacity)
    {
        var exception = Assert.Throws<ArgumentOutOfRangeException>(() => new RecentCache<object, string>(capacity));
        Assert.Equal("capacity", exception.ParamName);
    }

    [Fact]
    public void A_recent_key_gets_the_value_made_for_it_without_making_it_again()
    {
        var cache = new RecentCache<object, string>(4);
        var key = new object();
        var made = 0;

        var first = cache.GetOrAdd(key, "value", (_, argument) => { made++; return argument + made; });
        var second = cache.GetOrAdd(key, "other", (_, argument) => { made++; return argument + made; });

        Assert.Equal("value1", first);
        Assert.Same(first, second);
        Assert.Equal(1, made);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(32)]
    public void Every_key_that_fits_is_kept_whichever_was_made_last(int capacity)
    {
        // The lookup starts at the newest entry and goes back round the ring: each slot must be looked at once,
        // whatever the capacity (not only powers of two) and wherever the ring's start has got to.
        var cache = new RecentCache<object, object>(capacity);
        for (var i = 0; i < (2 * capacity) + 1; i++)
        {
            cache.GetOrAdd(new object(), 0, (_, _) => new object());
        }

        var made = 0;
        var keys = new object[capacity];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = new object();
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var key in keys)
            {
                cache.GetOrAdd(key, 0, (_, _) => { made++; return new object(); });
            }

            Assert.Equal(capacity, made);
        }
    }

    [Fact]
    public void A_key_pushed_out_by_newer_keys_is_made_again()
    {
        var cache = new RecentCache<object, object>(2);
        var keys = new[] { new object(), new object(), new object() };
        var made = 0;
        object Make(object key) => cache.GetOrAdd(key, 0, (_, _) => { made++; return new object(); });

        var oldest = Make(keys[0]);
        Make(keys[1]);
        Make(keys[2]);
        var again = Make(keys[0]);

        Assert.Equal(4, made);
        Assert.NotSame(oldest, again);
    }

    [Fact]
    public void Keys_are_told_apart_by_reference_not_by_equality()
    {
        var cache = new RecentCache<string, string>(4);
        var one = new string('a', 3);
        var other = new string('a', 3);

        var forOne = cache.GetOrAdd(one, "one", (_, argument) => argument);
        var forOther = cache.GetOrAdd(other, "other", (_, argument) => argument);

        Assert.Equal("one", forOne);
        Assert.Equal("other", forOther);
    }

    [Fact]
    public async Task Threads_that_share_a_cache_each_get_the_value_of_their_own_key()
    {
        var cache = new RecentCache<object, string>(8);
        var keys = Enumerable.Range(0, 64).Select(i => (Key: new object(), Name: "key" + i)).ToArray();
        var wrong = 0;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var round = 0; round < 2_000; round++)
            {
                var (key, name) = keys[(round * 7 + worker) % keys.Length];
                if (cache.GetOrAdd(key, name, (_, argument) => argument) != name)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        })));

        Assert.Equal(0, wrong);
    }
}
