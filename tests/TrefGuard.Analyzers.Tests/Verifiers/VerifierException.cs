using Xunit.Sdk;

namespace TrefGuard.Analyzers.Tests.Verifiers;

/// <summary>
/// Thrown by the verifier when a test's expectations are not met. It derives from xunit's own assertion
/// exception so that test runners show the message as a plain assertion failure, without a stack of
/// harness frames in front of it.
/// </summary>
public sealed class VerifierException : XunitException
{
    /// <summary>Creates the failure with its (multi-line, human-readable) message.</summary>
    public VerifierException(string message)
        : base(message)
    {
    }
}
