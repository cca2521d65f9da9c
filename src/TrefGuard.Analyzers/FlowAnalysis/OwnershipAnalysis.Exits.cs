using System.Collections.Generic;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using TrefGuard.Analyzers.Infrastructure;
using TrefGuard.Analyzers.Rules;

namespace TrefGuard.Analyzers.FlowAnalysis;

internal sealed partial class OwnershipAnalysis
{
    [MethodImpl(JitOptions.AggressiveOptimization)]
    protected override void OnBranch(BasicBlock source, ControlFlowBranch branch, OwnershipState state)
    {
        var variablesDied = false;
        foreach (var region in branch.LeavingRegions)
        {
            foreach (var local in region.Locals)
            {
                if (VariableSlot(local) is var slot and >= 0)
                {
                    state.PointsTo[slot] = 0;
                    variablesDied = true;
                }
            }

            foreach (var capture in region.CaptureIds)
            {
                if (CaptureSlot(capture) is var slot and >= 0)
                {
                    state.PointsTo[slot] = 0;
                    variablesDied = true;
                }
            }
        }

        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow:
                if (IsReporting && !_unwinding && source.BranchValue?.IsImplicit != true)
                {
                    _unwinding = true;
                    OwnershipState? unwound;
                    try
                    {
                        unwound = UnwindForException(source, state.Clone());
                    }
                    finally
                    {
                        _unwinding = false;
                    }

                    if (unwound is not null)
                    {
                        var exit = ExitDescriber.Describe(Graph, source, branch);
                        NoteExceptionLeaks(unwound.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned), "throw statement", exit.Line);
                    }
                }

                return;
            case ControlFlowBranchSemantics.StructuredExceptionHandling:
                return;
        }

        if (branch.Destination?.Kind == BasicBlockKind.Exit)
        {
            // Leaving the method: every variable dies, parameters included.
            for (var i = 0; i < state.PointsTo.Length; i++)
            {
                state.PointsTo[i] = 0;
            }
        }

        var lost = state.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned) & ~state.Referenced();
        if (lost != 0)
        {
            LoseValues(lost, state, ExitDescriber.Describe(Graph, source, branch));
        }

        if (variablesDied && _hasLoops)
        {
            // A loop body's locals die on its back edge: what they released must not meet, at the loop's head,
            // a variable that kept the same acquisition's earlier reference (`keep = r;` in one iteration,
            // `r.Put();` in the next).
            Forget(AllValues(state) & ~state.Referenced() & ~state.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned), state);
        }
    }

    private static ulong AllValues(OwnershipState state)
        => state.Flags.Length >= 64 ? ulong.MaxValue : (1UL << state.Flags.Length) - 1;

    protected override OwnershipState OnEnterHandler(OwnershipState state)
    {
        // What a catch handler still owns, it owns only because an exception was thrown in the try that the block
        // being left belongs to: remember that try for the message.
        var tryLine = -1;
        for (var i = 0; i < state.Flags.Length; i++)
        {
            if ((state.Flags[i] & OwnershipFlags.Owned) != 0)
            {
                state.Flags[i] = (state.Flags[i] & ~OwnershipFlags.Owned) | OwnershipFlags.ExceptionOwned;
                if (!_handlerTryLines.ContainsKey(i))
                {
                    if (tryLine < 0)
                    {
                        tryLine = TryLine(CurrentBlock);
                    }

                    if (tryLine > 0)
                    {
                        _handlerTryLines.Add(i, tryLine);
                    }
                }
            }
        }

        return state;
    }

    protected override void OnCompleted()
    {
        foreach (var pair in _leaks)
        {
            var info = _values[pair.Key];
            var leak = pair.Value;
            var exit = leak.Exits[0];
            var properties = ImmutableDictionary.CreateBuilder<string, string?>();
            properties.Add(OwnershipAnalyzerCommon.ExitKind, exit.Kind);
            if (info.NameFromVariable)
            {
                properties.Add(OwnershipAnalyzerCommon.Variable, info.Name);
            }

            AddFlag(properties, OwnershipAnalyzerCommon.MayBeReleased, leak.Flags, OwnershipFlags.Released);
            AddFlag(properties, OwnershipAnalyzerCommon.MayBeEscaped, leak.Flags, OwnershipFlags.Escaped);
            AddFlag(properties, OwnershipAnalyzerCommon.MayBeNull, leak.Flags, OwnershipFlags.Null);
            if (_exceptionLeaks.ContainsKey(pair.Key))
            {
                properties.Add(OwnershipAnalyzerCommon.CanThrow, OwnershipAnalyzerCommon.True);
            }

            _sink.Add(Diagnostic.Create(Descriptors.TG0001_MissedPut, info.Location, AdditionalLocations(leak), properties.ToImmutable(), info.Name, exit.Kind, exit.Line));
        }

        foreach (var pair in _exceptionLeaks)
        {
            if (_leaks.ContainsKey(pair.Key))
            {
                continue;
            }

            var info = _values[pair.Key];
            var properties = info.NameFromVariable
                ? ImmutableDictionary<string, string?>.Empty.Add(OwnershipAnalyzerCommon.Variable, info.Name)
                : ImmutableDictionary<string, string?>.Empty;
            _sink.Add(Diagnostic.Create(Descriptors.TG0010_LeakOnException, info.Location, properties, info.Name, pair.Value.What, pair.Value.Line));
        }
    }

    private static void AddFlag(ImmutableDictionary<string, string?>.Builder properties, string key, OwnershipFlags flags, OwnershipFlags flag)
    {
        if ((flags & flag) != 0)
        {
            properties.Add(key, OwnershipAnalyzerCommon.True);
        }
    }

    /// <summary>Every leaking exit of one value, in the order the reporting pass found them (the first is the message's).</summary>
    private static Location[] AdditionalLocations(LeakRecord leak)
    {
        var locations = new List<Location>(leak.Exits.Count);
        foreach (var exit in leak.Exits)
        {
            if (exit.Node is not null)
            {
                locations.Add(exit.Node.GetLocation());
            }
        }

        return locations.ToArray();
    }

    private void LoseUnreferenced(OwnershipState state, SyntaxNode statement)
    {
        var lost = state.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned) & ~state.Referenced();
        if (lost != 0)
        {
            // The description's line is made here, not for every statement: lines come from the text's line table.
            LoseValues(lost, state, new ExitDescription("end of the statement", ExitDescriber.LineOf(statement), statement));
        }
    }

    /// <summary>
    /// Values that were still owned when the last variable holding them went away. The state records them as
    /// dealt with so that one mistake is reported once, at the first place the reporting pass finds it.
    /// </summary>
    private void LoseValues(ulong lost, OwnershipState state, ExitDescription exit)
    {
        NoteLeaks(lost, state, exit);
        foreach (var value in BitMask.Bits(lost))
        {
            state.Flags[value] = (state.Flags[value] & ~(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) | OwnershipFlags.Escaped;
        }
    }

    /// <summary>Records (in the reporting pass) that the values are lost on this path, without changing the state.</summary>
    private void NoteLeaks(ulong lost, OwnershipState state, ExitDescription exit)
    {
        if (!IsReporting)
        {
            return;
        }

        foreach (var value in BitMask.Bits(lost))
        {
            var flags = state.Flags[value];
            if ((flags & OwnershipFlags.Owned) != 0)
            {
                var info = _values[value];
                var described = !info.NameFromVariable && info.Acquisition is { } acquisition ? TemporaryExit(acquisition.Syntax, exit) : exit;
                var key = LeakKey(value);
                if (!_leaks.TryGetValue(key, out var leak))
                {
                    leak = new LeakRecord();
                    _leaks.Add(key, leak);
                }

                leak.Add(described, flags);
            }
            else if (LeakKey(value) is var key && !_exceptionLeaks.ContainsKey(key))
            {
                _exceptionLeaks.Add(key, ("try block", _handlerTryLines.TryGetValue(value, out var line) ? line : TryLine(CurrentBlock) is var current and > 0 ? current : exit.Line));
            }
        }
    }

    /// <summary>
    /// A value no variable ever held lives only as long as the statement (or expression body) that made it, so
    /// that is where it is lost, whatever branch of the graph the loss was noticed on.
    /// </summary>
    private static ExitDescription TemporaryExit(SyntaxNode acquisition, ExitDescription noticed)
    {
        foreach (var ancestor in acquisition.Ancestors())
        {
            switch (ancestor)
            {
                case ArrowExpressionClauseSyntax arrow:
                    return new ExitDescription(OwnershipAnalyzerCommon.ExitReturn, ExitDescriber.LineOf(arrow), arrow);
                case AnonymousFunctionExpressionSyntax:
                    return noticed;
                case ReturnStatementSyntax returnStatement:
                    return new ExitDescription(OwnershipAnalyzerCommon.ExitReturn, ExitDescriber.LineOf(returnStatement), returnStatement);
                case StatementSyntax statement and not BlockSyntax:
                    return new ExitDescription(OwnershipAnalyzerCommon.ExitEndOfStatement, ExitDescriber.LineOf(statement), statement);
            }
        }

        return noticed;
    }

    /// <summary>An operation that may throw while values are owned: if the exception leaves the method, they leak.</summary>
    [MethodImpl(JitOptions.AggressiveOptimization)]
    private void NoteThrowPoint(IOperation operation, ulong releasedByOperation, OwnershipState state)
    {
        var owned = state.Owned(OwnershipFlags.Owned) & ~releasedByOperation;
        if (owned == 0 || _unwinding || CurrentBlock is not { } block)
        {
            return;
        }

        // Outside every try region an exception runs no finally and meets no handler: what is owned leaks as it is.
        // Most throw points are there; the unwinding below copies the state.
        if (!IsInsideTry(block))
        {
            NoteExceptionLeaks(owned, operation);
            return;
        }

        // What the throwing operation releases or takes over is not the exception's to carry: the finally regions
        // it runs through must not see it as still owned either. The calls inside those finally regions are judged
        // when the finally is analysed on its own paths, not as part of this exception (which would name the
        // wrong call: `lock` would blame its Monitor.Exit for what its Monitor.Enter threw).
        var carried = state.Clone();
        Escape(releasedByOperation, carried);
        OwnershipState? unwound;
        _unwinding = true;
        try
        {
            unwound = UnwindForException(block, carried);
        }
        finally
        {
            _unwinding = false;
        }

        if (unwound is null)
        {
            return;
        }

        owned &= unwound.Owned(OwnershipFlags.Owned);
        if (owned == 0)
        {
            return;
        }

        NoteExceptionLeaks(owned, operation);
    }

    /// <summary>Whether some of <paramref name="values"/> has no exception leak noted yet (the first one noted is reported).</summary>
    private bool HasUnnotedLeak(ulong values)
    {
        foreach (var value in BitMask.Bits(values))
        {
            if (!_exceptionLeaks.ContainsKey(value))
            {
                return true;
            }
        }

        return false;
    }

    private void NoteExceptionLeaks(ulong values, IOperation thrower)
    {
        if (!HasUnnotedLeak(values))
        {
            return;
        }

        var what = thrower switch
        {
            IInvocationOperation invocation => "call to '" + invocation.TargetMethod.Name + "'",
            IObjectCreationOperation creation => "creation of '" + creation.Type?.Name + "'",
            IAwaitOperation => "await",
            _ => "operation",
        };
        NoteExceptionLeaks(values, what, ExitDescriber.LineOf(thrower.Syntax));
    }

    private void NoteExceptionLeaks(ulong values, string what, int line)
    {
        foreach (var value in BitMask.Bits(values))
        {
            var key = LeakKey(value);
            if (!_exceptionLeaks.ContainsKey(key))
            {
                _exceptionLeaks.Add(key, (what, line));
            }
        }
    }

    /// <summary>The line of the innermost try statement (with catch handlers) around a block of this graph; 0 when none.</summary>
    private int TryLine(BasicBlock? block)
    {
        // A lambda's or local function's graph chains its regions into the enclosing method's: stop at this
        // graph's root, whose blocks are the only ones this graph has.
        for (var region = block?.EnclosingRegion; region is not null && region != Graph.Root; region = region.EnclosingRegion)
        {
            var tryAndCatch = region.Kind == ControlFlowRegionKind.TryAndCatch ? region
                : region.Kind == ControlFlowRegionKind.Try && region.EnclosingRegion?.Kind == ControlFlowRegionKind.TryAndCatch ? region.EnclosingRegion
                : null;
            if (tryAndCatch is null)
            {
                continue;
            }

            var tryRegion = tryAndCatch.NestedRegions[0];
            for (var ordinal = tryRegion.FirstBlockOrdinal; ordinal <= tryRegion.LastBlockOrdinal && ordinal < Graph.Blocks.Length; ordinal++)
            {
                var tryBlock = Graph.Blocks[ordinal];
                var syntax = tryBlock.Operations.Length > 0 ? tryBlock.Operations[0].Syntax : tryBlock.BranchValue?.Syntax;
                if (syntax?.FirstAncestorOrSelf<TryStatementSyntax>() is { } tryStatement)
                {
                    return ExitDescriber.LineOf(tryStatement.TryKeyword);
                }
            }
        }

        return 0;
    }

    /// <summary>The paths that leak one value, and what else may be true of it there.</summary>
    private sealed class LeakRecord
    {
        public List<ExitDescription> Exits { get; } = new(1);

        public OwnershipFlags Flags { get; private set; }

        public void Add(ExitDescription exit, OwnershipFlags flags)
        {
            Flags |= flags;
            foreach (var existing in Exits)
            {
                if (existing.Node == exit.Node && existing.Kind == exit.Kind)
                {
                    return;
                }
            }

            Exits.Add(exit);
        }
    }

    /// <summary>What the analysis knows of one acquisition site, for messages and locations.</summary>
    private sealed class ValueInfo
    {
        private Location? _location;
        private string? _name;

        public ValueInfo(IOperation? acquisition, Location location, string name, bool nameFromVariable)
        {
            Acquisition = acquisition;
            _location = location;
            _name = name;
            NameFromVariable = nameFromVariable;
        }

        /// <summary>A value named by its acquiring expression; the name and place are made only for a message.</summary>
        public ValueInfo(IOperation acquisition)
        {
            Acquisition = acquisition;
        }

        public IOperation? Acquisition { get; }

        public Location Location
        {
            get => _location ??= Acquisition?.Syntax.GetLocation() ?? Location.None;
            set => _location = value;
        }

        public string Name
        {
            get => _name ??= Acquisition?.Syntax.ToString() ?? string.Empty;
            set => _name = value;
        }

        public bool NameFromVariable { get; set; }
    }
}
