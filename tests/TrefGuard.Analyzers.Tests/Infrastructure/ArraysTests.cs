using TrefGuard.Analyzers.Infrastructure;
using Xunit;

namespace TrefGuard.Analyzers.Tests.Infrastructure;

/// <summary>The copy the flow states make of their arrays at every branch.</summary>
public sealed class ArraysTests
{
    [Fact]
    public void A_copy_has_the_same_elements_and_changing_it_leaves_the_original_alone()
    {
        var original = new ulong[] { 1, 2, 3 };

        var copy = Arrays.CopyOf(original);
        copy[0] = 9;

        Assert.NotSame(original, copy);
        Assert.Equal(new ulong[] { 1, 2, 3 }, original);
        Assert.Equal(new ulong[] { 9, 2, 3 }, copy);
    }

    [Fact]
    public void A_copy_of_references_shares_the_referenced_objects()
    {
        var node = new object();
        var original = new[] { node, null };

        var copy = Arrays.CopyOf(original);

        Assert.Same(node, copy[0]);
        Assert.Null(copy[1]);
    }

    [Fact]
    public void An_empty_array_is_its_own_copy()
    {
        var empty = new int[0];

        Assert.Same(empty, Arrays.CopyOf(empty));
    }
}
