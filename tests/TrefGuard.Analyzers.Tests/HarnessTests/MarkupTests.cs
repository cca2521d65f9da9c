using System;
using System.Linq;
using Microsoft.CodeAnalysis.Text;
using TrefGuard.Analyzers.Tests.Verifiers;
using Xunit;

namespace TrefGuard.Analyzers.Tests.HarnessTests;

public sealed class MarkupTests
{
    [Fact]
    public void SquareBracketsMarkTheRuleUnderTest()
    {
        var result = Markup.Parse("a [|bc|] d");
        Assert.Equal("a bc d", result.Text);
        var span = Assert.Single(result.Spans);
        Assert.Null(span.Name);
        Assert.Equal(new TextSpan(2, 2), span.Span);
    }

    [Fact]
    public void NamedSpansCarryTheirIdAndMarkersTheirIndex()
    {
        var result = Markup.Parse("{|TG0004:x|} and {|#12:y|}");
        Assert.Equal("x and y", result.Text);
        Assert.Equal(new MarkupSpan("TG0004", new TextSpan(0, 1)), result.Spans[0]);
        Assert.False(result.Spans[0].IsMarker);
        Assert.True(result.Spans[1].IsMarker);
        Assert.Equal(12, result.Spans[1].MarkerIndex);
        Assert.Equal(new TextSpan(6, 1), result.Spans[1].Span);
    }

    [Fact]
    public void SpansNestAndMayShareOrTouchBounds()
    {
        var result = Markup.Parse("{|TG0001:{|#0:r|}|}[|s|]{|#1:|}[|{|HT0002:t|}u|]");
        Assert.Equal("rstu", result.Text);
        Assert.Equal(
            new[]
            {
                new MarkupSpan("TG0001", new TextSpan(0, 1)),
                new MarkupSpan("#0", new TextSpan(0, 1)),
                new MarkupSpan(null, new TextSpan(1, 1)),
                new MarkupSpan("#1", new TextSpan(2, 0)),
                new MarkupSpan(null, new TextSpan(2, 2)),
                new MarkupSpan("HT0002", new TextSpan(2, 1)),
            },
            result.Spans.ToArray());
    }

    [Fact]
    public void OrdinaryCSharpIsLeftAlone()
    {
        const string code = "var a = b || c; var d = new[] { 1 }; var e = f[0]; if (x | y) { }";
        var result = Markup.Parse(code);
        Assert.Equal(code, result.Text);
        Assert.Empty(result.Spans);
    }

    [Theory]
    [InlineData("a [|b", "never closed")]
    [InlineData("a |] b", "closes nothing")]
    [InlineData("{|TG0001:a|]", "closes the span opened by")]
    [InlineData("[|a|}", "closes the span opened by")]
    [InlineData("{|TG0001 a|}", "must be followed by an id")]
    [InlineData("{|#x:a|}", "must be '#' followed by digits")]
    [InlineData("{|#0:a|}{|#0:b|}", "more than once")]
    public void MalformedMarkupIsAnError(string markup, string expected)
    {
        var ex = Assert.Throws<ArgumentException>(() => Markup.Parse(markup, "Test0.cs"));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Test0.cs", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorsNameTheLineAndColumn()
    {
        var ex = Assert.Throws<ArgumentException>(() => Markup.Parse("line one\n  [|oops", "A.cs"));
        Assert.Contains("line 2, column 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InsertIsTheInverseOfParse()
    {
        const string markup = "{|TG0001:{|TG0004:r|}|}.Put(); {|TG0002:|}x {|TG0005:a{|TG0006:b|}|}";
        var parsed = Markup.Parse(markup);
        var rewritten = Markup.Insert(parsed.Text, parsed.Spans.Select(s => (s.Name!, s.Span)));
        Assert.Equal(parsed.Text, Markup.Parse(rewritten).Text);
        Assert.Equal(parsed.Spans.OrderBy(s => s.Span.Start).ThenBy(s => s.Name), Markup.Parse(rewritten).Spans.OrderBy(s => s.Span.Start).ThenBy(s => s.Name));
    }
}
