using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace TrefGuard.Analyzers.FlowAnalysis;

internal sealed partial class OwnershipAnalysis
{
    protected override void OnBranch(BasicBlock source, ControlFlowBranch branch, OwnershipState state)
    {
        foreach (var region in branch.LeavingRegions)
        {
            foreach (var local in region.Locals)
            {
                if (VariableSlot(local) is var slot and >= 0)
                {
                    state.PointsTo[slot] = 0;
                }
            }

            foreach (var capture in region.CaptureIds)
            {
                if (CaptureSlot(capture) is var slot and >= 0)
                {
                    state.PointsTo[slot] = 0;
                }
            }
        }

        switch (branch.Semantics)
        {
            case ControlFlowBranchSemantics.Throw or ControlFlowBranchSemantics.Rethrow:
                if (IsReporting && UnwindForException(source, state.Clone()) is { } unwound)
                {
                    var exit = ExitDescriber.Describe(Graph, source, branch);
                    NoteExceptionLeaks(unwound.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned), "throw statement", exit.Line);
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
    }

    protected override OwnershipState OnEnterHandler(OwnershipState state)
    {
        // What a catch handler still owns, it owns only because an exception was thrown.
        for (var i = 0; i < state.Flags.Length; i++)
        {
            if ((state.Flags[i] & OwnershipFlags.Owned) != 0)
            {
                state.Flags[i] = (state.Flags[i] & ~OwnershipFlags.Owned) | OwnershipFlags.ExceptionOwned;
            }
        }

        return state;
    }

    protected override void OnCompleted()
    {
        foreach (var pair in _leaks)
        {
            var info = _values[pair.Key];
            var exit = pair.Value;
            _sink.Add(Diagnostic.Create(Descriptors.TG0001_MissedPut, info.Location, AdditionalLocations(exit), info.Name, exit.Kind, exit.Line));
        }

        foreach (var pair in _exceptionLeaks)
        {
            if (_leaks.ContainsKey(pair.Key))
            {
                continue;
            }

            var info = _values[pair.Key];
            _sink.Add(Diagnostic.Create(Descriptors.TG0010_LeakOnException, info.Location, info.Name, pair.Value.What, pair.Value.Line));
        }
    }

    private static Location[] AdditionalLocations(ExitDescription exit)
        => exit.Node is null ? System.Array.Empty<Location>() : new[] { exit.Node.GetLocation() };

    private void LoseUnreferenced(OwnershipState state, ExitDescription exit)
    {
        var lost = state.Owned(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned) & ~state.Referenced();
        if (lost != 0)
        {
            LoseValues(lost, state, exit);
        }
    }

    /// <summary>
    /// Values that were still owned when the last variable holding them went away. The state records them as
    /// dealt with so that one mistake is reported once, at the first place the reporting pass finds it.
    /// </summary>
    private void LoseValues(ulong lost, OwnershipState state, ExitDescription exit)
    {
        foreach (var value in Bits(lost))
        {
            var flags = state.Flags[value];
            if (IsReporting)
            {
                if ((flags & OwnershipFlags.Owned) != 0)
                {
                    if (!_leaks.ContainsKey(value))
                    {
                        _leaks.Add(value, exit);
                    }
                }
                else if (!_exceptionLeaks.ContainsKey(value))
                {
                    _exceptionLeaks.Add(value, ("try block", TryLine(exit)));
                }
            }

            state.Flags[value] = (flags & ~(OwnershipFlags.Owned | OwnershipFlags.ExceptionOwned)) | OwnershipFlags.Escaped;
        }
    }

    /// <summary>An operation that may throw while values are owned: if the exception leaves the method, they leak.</summary>
    private void NoteThrowPoint(IOperation operation, ulong releasedByOperation, OwnershipState state)
    {
        var owned = state.Owned(OwnershipFlags.Owned) & ~releasedByOperation;
        if (owned == 0 || CurrentBlock is not { } block)
        {
            return;
        }

        var unwound = UnwindForException(block, state.Clone());
        if (unwound is null)
        {
            return;
        }

        owned &= unwound.Owned(OwnershipFlags.Owned);
        if (owned == 0)
        {
            return;
        }

        var what = operation switch
        {
            IInvocationOperation invocation => "call to '" + invocation.TargetMethod.Name + "'",
            IObjectCreationOperation creation => "creation of '" + creation.Type?.Name + "'",
            IAwaitOperation => "await",
            _ => "operation",
        };
        NoteExceptionLeaks(owned, what, ExitDescriber.LineOf(operation.Syntax));
    }

    private void NoteExceptionLeaks(ulong values, string what, int line)
    {
        foreach (var value in Bits(values))
        {
            if (!_exceptionLeaks.ContainsKey(value))
            {
                _exceptionLeaks.Add(value, (what, line));
            }
        }
    }

    /// <summary>The line of the try statement whose catch handler the current block belongs to.</summary>
    private int TryLine(ExitDescription exit)
    {
        for (var region = CurrentBlock?.EnclosingRegion; region is not null; region = region.EnclosingRegion)
        {
            if (region.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                var tryRegion = region.NestedRegions[0];
                for (var ordinal = tryRegion.FirstBlockOrdinal; ordinal <= tryRegion.LastBlockOrdinal; ordinal++)
                {
                    var block = Graph.Blocks[ordinal];
                    var syntax = block.Operations.Length > 0 ? block.Operations[0].Syntax : block.BranchValue?.Syntax;
                    if (syntax?.FirstAncestorOrSelf<TryStatementSyntax>() is { } tryStatement)
                    {
                        return ExitDescriber.LineOf(tryStatement.TryKeyword);
                    }
                }
            }
        }

        return exit.Line;
    }

    /// <summary>What the analysis knows of one acquisition site, for messages and locations.</summary>
    private sealed class ValueInfo
    {
        public ValueInfo(IOperation? acquisition, Location location, string name, bool nameFromVariable)
        {
            Acquisition = acquisition;
            Location = location;
            Name = name;
            NameFromVariable = nameFromVariable;
        }

        public IOperation? Acquisition { get; }

        public Location Location { get; set; }

        public string Name { get; set; }

        public bool NameFromVariable { get; set; }
    }
}
